/*
 * RAM-backed, read-only fk_flash for the host tool (see memflash.h).
 */
#include <string.h>

#include "memflash.h"

#define MEMFLASH_MAX (1UL << 30)

static int mem_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	const struct fk_memflash *m = flash->ctx;
	uint32_t avail = off < m->len ? m->len - off : 0;
	uint32_t n = len < avail ? len : avail;

	/* The geometry is rounded up to a power of two; bytes past the
	 * buffer read as erased, though the area never reaches them. */
	if (n)
		memcpy(buf, m->data + off, n);
	memset((uint8_t *)buf + n, 0xff, len - n);
	return 0;
}

static int mem_program(const struct fk_flash *flash, uint32_t off,
		       const void *buf, uint32_t len)
{
	(void)flash;
	(void)off;
	(void)buf;
	(void)len;
	return FK_EPROTECT;
}

static int mem_erase(const struct fk_flash *flash, uint32_t off,
		     uint32_t sector_size)
{
	(void)flash;
	(void)off;
	(void)sector_size;
	return FK_EPROTECT;
}

static const struct fk_flash_ops mem_ops = {
	.read = mem_read,
	.program = mem_program,
	.erase_sector = mem_erase,
};

int fk_memflash_init(struct fk_memflash *m, const uint8_t *data, size_t len)
{
	uint32_t size = 1;

	if (len > MEMFLASH_MAX)
		return FK_ERANGE;
	while (size < len)
		size <<= 1;
	memset(m, 0, sizeof(*m));
	m->data = data;
	m->len = (uint32_t)len;
	m->run.count = 1;
	m->run.size = size;
	m->flash.geo.size = size;
	m->flash.geo.runs = &m->run;
	m->flash.geo.run_count = 1;
	m->flash.geo.write_unit = 1;
	m->flash.geo.erased_value = 0xff;
	m->flash.ops = &mem_ops;
	m->flash.ctx = m;
	/* The window is the file, not a sector-aligned partition, so it is
	 * set directly rather than through fk_area_init(). */
	m->area.flash = &m->flash;
	m->area.off = 0;
	m->area.size = m->len;
	return 0;
}
