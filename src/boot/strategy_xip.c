/*
 * XIP: two executable slots per image (A = primary, B = secondary), each
 * image linked for the slot it runs from. Nothing is copied: installing
 * is recording which slot to boot. The upload always goes to the slot
 * that is not running; a TEST image boots from its slot for its trial and
 * becomes the active one when confirmed, otherwise the active slot stays.
 *
 * With an empty log (a new device, or a log lost to a cut while it was
 * being rewritten) the active slot is the one holding the newest valid
 * image; fk_update_begin() invalidates the slot it is about to fill
 * before it ever erases the log, so an empty log never elects a
 * half-received or rejected image.
 *
 * RAM_LOAD (strategy_ram_load.c) is this file's choice, trial and revert
 * plus a copy into RAM; a build with either keeps this file.
 */
#include "boot_internal.h"

int bs_xip_install(const struct fk_boot_config *cfg, struct bs_state *st)
{
	return bs_append(
		cfg, st,
		&(struct bs_rec){ .type = BS_REC_INSTALLED, .image = 0xFF },
		true);
}

int bs_xip_revert(const struct fk_boot_config *cfg, struct bs_state *st)
{
	uint32_t back = 1u - st->xip_target[0];

	return bs_append(cfg, st,
			 &(struct bs_rec){ .type = BS_REC_REVERTED,
					   .image = 0xFF,
					   .value = back },
			 true);
}

/* The newer of the two valid images, A when equal; -1 when neither. */
static int newest_valid(const struct fk_boot_config *cfg, uint32_t image)
{
	const struct fk_boot_slots *sl = &cfg->images[image];
	struct fk_image_info info; /* one at a time: a boot's stack peak */
	struct fk_image_version a = { 0 };
	bool ok_a = bc_validate(cfg, &sl->primary, &info) == FK_OK;
	bool ok_b;

	if (ok_a)
		a = info.hdr.version;
	ok_b = bc_validate(cfg, &sl->secondary, &info) == FK_OK;
	if (ok_a && ok_b)
		return fk_image_version_cmp(&info.hdr.version, &a) > 0;
	return ok_a ? 0 : ok_b ? 1 : -1;
}

int bs_xip_active(const struct fk_boot_config *cfg, const struct bs_state *st)
{
	int slot;

	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_PENDING)
		return st->xip_target[0];
	if (st->xip_active >= 0)
		return st->xip_active;
	slot = newest_valid(cfg, 0);
	return slot < 0 ? 0 : slot;
}

int bs_xip_running(const struct fk_boot_config *cfg, const struct bs_state *st)
{
	if (st->phase == FK_BOOT_PENDING)
		return 1 - st->xip_target[0];
	return bs_xip_active(cfg, st);
}

const struct fk_area *bs_xip_boot_slot(const struct fk_boot_config *cfg,
				       const struct bs_state *st,
				       uint32_t image)
{
	const struct fk_boot_slots *sl = &cfg->images[image];

	return bs_xip_active(cfg, st) ? &sl->secondary : &sl->primary;
}

/* The other slot, when the active one is damaged. */
int bs_xip_fallback(const struct fk_boot_config *cfg, struct bs_state *st,
		    uint32_t image)
{
	uint32_t other = 1u - (uint32_t)bs_xip_active(cfg, st);
	const struct fk_boot_slots *sl = &cfg->images[image];
	struct fk_image_info info;
	int rc;

	if (st->phase != FK_BOOT_IDLE)
		return FK_ENOENT;
	rc = bc_validate(cfg, other ? &sl->secondary : &sl->primary, &info);
	if (rc != FK_OK)
		return bc_is_flash_error(rc) ? rc : FK_ENOENT;
	return bs_append(cfg, st,
			 &(struct bs_rec){ .type = BS_REC_CONFIRMED,
					   .image = 0xFF,
					   .value = other },
			 true);
}

const struct bs_strategy bs_strategy_xip = {
	.install = bs_xip_install,
	.revert = bs_xip_revert,
	.boot_slot = bs_xip_boot_slot,
	.fallback = bs_xip_fallback,
};
