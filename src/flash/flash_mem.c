/*
 * A read-only struct fk_flash over a region of memory: reads copy bytes,
 * programs and erases are refused (as by every read-only view: the
 * shared fk_flash_ro_program/fk_flash_ro_erase). The boot core's RAM_LOAD
 * strategy validates the copy of an image it placed in RAM through it, with the
 * same fk_image_validate() that reads slots in flash.
 */
#include <string.h>

#include "flashkit/flash.h"

static int mem_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	memcpy(buf, (const uint8_t *)flash->ctx + off, len);
	return FK_OK;
}

int fk_flash_ro_program(const struct fk_flash *flash, uint32_t off,
			const void *buf, uint32_t len)
{
	(void)flash;
	(void)off;
	(void)buf;
	(void)len;
	return FK_EPROTECT;
}

int fk_flash_ro_erase(const struct fk_flash *flash, uint32_t off,
		      uint32_t sector_size)
{
	(void)flash;
	(void)off;
	(void)sector_size;
	return FK_EPROTECT;
}

static const struct fk_flash_ops mem_ops = {
	.read = mem_read,
	.program = fk_flash_ro_program,
	.erase_sector = fk_flash_ro_erase,
};

void fk_flash_mem_init(struct fk_flash *flash, struct fk_sector_run *run,
		       uint32_t base, const void *mem, uint32_t size)
{
	*run = (struct fk_sector_run){ .count = 1, .size = size };
	*flash = (struct fk_flash){
		.geo = { .base = base,
			 .size = size,
			 .runs = run,
			 .run_count = 1,
			 .write_unit = 1,
			 .erased_value = 0xFF },
		.ops = &mem_ops,
		/* the driver interface's ctx is not const; reads only */
		.ctx = (void *)(uintptr_t)mem,
	};
}
