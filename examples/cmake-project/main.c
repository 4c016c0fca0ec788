/*
 * The example application: reads this device's serial number from the
 * devinfo page the layout reserves (flash_layout.h, generated at build
 * time by flashkit_layout) through the device library's record reader
 * (flashkit::device), and keeps it where a debugger can see it.
 */
#include <stdint.h>

#include "flash_layout.h"
#include "flashkit/devinfo.h"

volatile char serial[32];

int main(void)
{
	char buf[sizeof(serial)];
	uint32_t len = 0;
	uint32_t i;

	if (fk_devinfo_get_mem((const void *)FK_PART_DEVINFO_ADDR,
			       FK_PART_DEVINFO_SIZE, FK_DEVINFO_SERIAL, buf,
			       sizeof(buf) - 1, &len) != 0)
		len = 0; /* no valid record: not provisioned yet */
	for (i = 0; i < len; i++)
		serial[i] = buf[i];
	serial[len] = '\0';
	return 0;
}
