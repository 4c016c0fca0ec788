/*
 * libFuzzer target: the device-side devinfo reader on any bytes. A field
 * it returns always lies inside the input; a record that passes
 * fk_devinfo_get_mem is rebuilt field by field and must read the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/devinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ids[] = { 0x0000, FK_DEVINFO_SERIAL,
					FK_DEVINFO_MAC, FK_DEVINFO_SECRET,
					0x8000, 0xFFFF };
	uint8_t buf[256];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint32_t len = 0;
		int rc = fk_devinfo_get_mem(data, size, ids[i], buf,
					    sizeof(buf), &len);

		if ((rc == 0 || rc == FK_ENOSPC) &&
		    len + FK_DEVINFO_HEADER_SIZE > size)
			abort();
		if (rc == 0) {
			struct fk_devinfo_builder b;
			uint8_t rec[300], again[256];
			uint32_t rsize, len2;

			fk_devinfo_begin(&b, rec, sizeof(rec));
			if (fk_devinfo_add(&b, ids[i], buf, len) == 0 &&
			    fk_devinfo_finish(&b, &rsize) == 0 &&
			    (fk_devinfo_get_mem(rec, rsize, ids[i], again,
						sizeof(again), &len2) != 0 ||
			     len2 != len || memcmp(again, buf, len)))
				abort();
		}
	}
	return 0;
}
