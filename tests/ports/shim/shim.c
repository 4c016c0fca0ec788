/*
 * The shim (shim.h): fk_shim_init opens the driver and describes its
 * geometry; read, program and erase forward one call each to the driver's
 * ops with the data in fk_shim_buf.
 */
#include "shim.h"

uint8_t fk_shim_buf[FK_SHIM_BUF] __attribute__((aligned(8)));
struct fk_shim_info fk_shim_info;

static const struct fk_flash *shim_flash;

int fk_shim_init(uint32_t variant)
{
	const struct fk_flash *f = fk_shim_open(variant);
	struct fk_shim_info *info = &fk_shim_info;

	shim_flash = f;
	if (!f || f->geo.run_count > FK_SHIM_MAX_RUNS)
		return FK_EINVAL;
	info->base = f->geo.base;
	info->size = f->geo.size;
	info->write_unit = f->geo.write_unit;
	info->erased_value = f->geo.erased_value;
	info->program_once = f->geo.program_once;
	info->run_count = f->geo.run_count;
	for (uint32_t i = 0; i < f->geo.run_count; i++) {
		info->runs[i][0] = f->geo.runs[i].count;
		info->runs[i][1] = f->geo.runs[i].size;
	}
	return FK_OK;
}

int fk_shim_read(uint32_t off, uint32_t len)
{
	if (!shim_flash || len > FK_SHIM_BUF)
		return FK_EINVAL;
	return shim_flash->ops->read(shim_flash, off, fk_shim_buf, len);
}

int fk_shim_program(uint32_t off, uint32_t len)
{
	if (!shim_flash || len > FK_SHIM_BUF)
		return FK_EINVAL;
	return shim_flash->ops->program(shim_flash, off, fk_shim_buf, len);
}

int fk_shim_erase(uint32_t off, uint32_t sector_size)
{
	if (!shim_flash)
		return FK_EINVAL;
	return shim_flash->ops->erase_sector(shim_flash, off, sector_size);
}
