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

/* The newer of the two valid images, A when equal; -1 when neither.
 * Checks B, then A, into *info: *fresh is true when the answer is A and
 * *info its check, just made. */
static int newest_valid(const struct fk_boot_config *cfg, uint32_t image,
			struct fk_image_info *info, bool *fresh)
{
	const struct fk_boot_slots *sl = &cfg->images[image];
	struct fk_image_version best = { 0 };
	int slot = -1;
	bool ok = false;

	for (int k = 1; k >= 0; k--) {
		ok = bc_validate(cfg, k ? &sl->secondary : &sl->primary,
				 info) == FK_OK;
		if (ok && (slot < 0 || fk_image_version_cmp(&info->hdr.version,
							    &best) >= 0)) {
			slot = k;
			best = info->hdr.version;
		}
	}
	*fresh = ok && slot == 0;
	return slot;
}

/* bs_xip_active() with the storage for newest_valid()'s checks; *fresh
 * as there (false when the state decides). */
static int active(const struct fk_boot_config *cfg, const struct bs_state *st,
		  struct fk_image_info *info, bool *fresh)
{
	int slot;

	*fresh = false;
	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_PENDING)
		return st->xip_target[0];
	if (st->xip_active >= 0)
		return st->xip_active;
	slot = newest_valid(cfg, 0, info, fresh);
	return slot < 0 ? 0 : slot;
}

int bs_xip_active(const struct fk_boot_config *cfg, const struct bs_state *st)
{
	struct fk_image_info info; /* one at a time: a boot's stack peak */
	bool fresh;

	return active(cfg, st, &info, &fresh);
}

int bs_xip_validate_boot(const struct fk_boot_config *cfg,
			 const struct bs_state *st, uint32_t image,
			 struct bs_loaded *loaded,
			 struct fk_boot_image_ref *ref)
{
	const struct fk_boot_slots *sl = &cfg->images[image];
	bool fresh;
	int slot = active(cfg, st, &ref->info, &fresh);

	(void)loaded;
	ref->slot = slot ? &sl->secondary : &sl->primary;
	/* the choice checked image 0's slot A last: that check stands */
	if (fresh && image == 0)
		return FK_OK;
	return bc_validate(cfg, ref->slot, &ref->info);
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
	.validate_boot = bs_xip_validate_boot,
	.fallback = bs_xip_fallback,
};
