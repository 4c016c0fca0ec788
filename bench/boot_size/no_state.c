/*
 * The lite core's boot state left out, for measuring only: lite.h's
 * entries with no log behind them (bench/boot_size/run.sh links this
 * instead of src/boot/lite_state.c for the "floor" column). bl_read()
 * gives the state of a device with nothing recorded and every write
 * succeeds without writing: the program that results boots, but records
 * nothing and keeps no trial, so it is a size figure, never a
 * bootloader. What it measures: the bytes of everything but the state
 * (the decisions of lite.c stay, since they are in another unit), the
 * budget any boot-state format has under MCUboot's text.
 */
#include <string.h>

#include "../../src/boot/lite.h"

int bl_geometry(const struct fk_boot_config *cfg, struct bl_state *st)
{
	(void)cfg;
	memset(st, 0, sizeof(*st));
	st->active = -1;
	return FK_OK;
}

int bl_read(const struct fk_boot_config *cfg, struct bl_state *st)
{
	return bl_geometry(cfg, st);
}

int bl_append(const struct fk_boot_config *cfg, struct bl_state *st,
	      uint8_t type, uint16_t arg, uint32_t value)
{
	(void)cfg;
	(void)st;
	(void)type;
	(void)arg;
	(void)value;
	return FK_OK;
}

int bl_make_room(const struct fk_boot_config *cfg, struct bl_state *st,
		 uint32_t need)
{
	(void)cfg;
	(void)st;
	(void)need;
	return FK_OK;
}

int bl_reset(const struct fk_boot_config *cfg, struct bl_state *st)
{
	return bl_geometry(cfg, st);
}

uint32_t bl_max_groups(const struct fk_boot_config *cfg,
		       const struct bl_state *st)
{
	(void)cfg;
	(void)st;
	return 0;
}

uint32_t bl_cycle_slots(const struct fk_boot_config *cfg,
			const struct bl_state *st)
{
	return bl_max_groups(cfg, st);
}

uint32_t bl_install_slots(const struct fk_boot_config *cfg,
			  const struct bl_state *st)
{
	return bl_max_groups(cfg, st);
}
