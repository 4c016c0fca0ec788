/*
 * RAM-backed, read-only fk_flash for the host tool (see memflash.h): the
 * device side's fk_flash_mem_init() over the file's bytes.
 */
#include <string.h>

#include "memflash.h"

#define MEMFLASH_MAX (1UL << 30)

int fk_memflash_init(struct fk_memflash *m, const uint8_t *data, size_t len)
{
	if (len > MEMFLASH_MAX)
		return FK_ERANGE;
	memset(m, 0, sizeof(*m));
	m->data = data;
	m->len = (uint32_t)len;
	fk_flash_mem_init(&m->flash, &m->run, 0, data, m->len);
	/* The window is the file, not a sector-aligned partition, so it is
	 * set directly rather than through fk_area_init(). */
	m->area = (struct fk_area){ &m->flash, 0, m->len };
	return 0;
}
