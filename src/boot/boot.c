/*
 * fk_boot(): the bootloader's decision, taken again from flash at every
 * reset. In order:
 *
 *   PENDING     check the staged set (a refusal is recorded: REFUSED);
 *               otherwise install it (the strategy's install);
 *   INSTALLING  resume the install;
 *   TRIAL       trial boots left: record ATTEMPT; none left: revert;
 *   REVERTING   resume the revert;
 *
 * then validate the images the state says to boot and jump. When one is
 * not valid: a trial is reverted, otherwise the strategy's fallback
 * (factory image, other XIP slot) is tried, and failing that the port's
 * recovery hook is called. Nothing jumps to an image that did not just
 * pass fk_image_validate() (RAM_LOAD: its copy in RAM, which the jump
 * gets).
 *
 * Before all this, in IDLE, an image another tool wrote into a staging
 * window with MCUboot's trailer at its end is marked pending (marker.c).
 */
#include <string.h>

#include "boot_internal.h"

/* A product that uses one strategy leaves the others' files out of its
 * build (FK_DEVICE_EXCLUDE) and defines FK_BOOT_NO_<STRATEGY>. */
const struct bs_strategy *bs_strategy_of(const struct fk_boot_config *cfg)
{
	switch (cfg->strategy) {
#ifndef FK_BOOT_NO_OVERWRITE
	case FK_BOOT_OVERWRITE:
		return &bs_strategy_overwrite;
#endif
#ifndef FK_BOOT_NO_SWAP
	case FK_BOOT_SWAP:
		return &bs_strategy_swap;
#endif
#ifndef FK_BOOT_NO_XIP
	case FK_BOOT_XIP:
		return &bs_strategy_xip;
#endif
#ifndef FK_BOOT_NO_RAM_LOAD
	case FK_BOOT_RAM_LOAD:
		return &bs_strategy_ram_load;
#endif
	default:
		return NULL;
	}
}

/* The slot image i runs from before the pending set is installed. */
static const struct fk_area *running_slot(const struct fk_boot_config *cfg,
					  const struct bs_state *st, uint32_t i)
{
	int slot;

	if (!bs_two_slots(cfg))
		return &cfg->images[i].primary;
	slot = bs_xip_running(cfg, st);
	return slot ? &cfg->images[i].secondary : &cfg->images[i].primary;
}

/* One staged image: valid, fits, and the one the upload recorded. */
static int check_staged(const struct fk_boot_config *cfg,
			const struct bs_state *st, uint32_t i,
			struct fk_image_info *info)
{
	struct fk_area win;
	struct bp_plan plan;
	int rc;

	if (!(st->staged_mask & (1u << i)))
		return FK_ESTATE;
	rc = bc_staging_window(cfg, st, i, &win);
	if (rc == FK_OK)
		rc = bc_validate_staged(cfg, &win, info);
	if (rc == FK_OK)
		rc = bp_plan(cfg, i, &plan);
	if (rc == FK_OK && info->end > plan.max_size)
		rc = FK_ENOSPC;
	if (rc == FK_OK &&
	    memcmp(info->digest, st->digest[i], BS_DIGEST_PREFIX) != 0)
		rc = FK_ECORRUPT;
	return rc;
}

int bs_check_set(const struct fk_boot_config *cfg, const struct bs_state *st,
		 uint32_t mask)
{
	struct fk_image_info staged[FK_BOOT_MAX_IMAGES];
	struct fk_image_info running[FK_BOOT_MAX_IMAGES];
	bool running_ok[FK_BOOT_MAX_IMAGES];

	for (uint32_t i = 0; i < cfg->image_count; i++) {
		int rc =
			bc_validate(cfg, running_slot(cfg, st, i), &running[i]);

		if (bc_is_flash_error(rc))
			return rc;
		running_ok[i] = rc == FK_OK;
		if (!(mask & (1u << i)))
			continue;
		rc = check_staged(cfg, st, i, &staged[i]);
		if (rc != FK_OK)
			return rc;
	}
	return bc_check_set(cfg, mask, staged, running, running_ok);
}

static int install_pending(const struct fk_boot_config *cfg,
			   struct bs_state *st)
{
	/* A marker (marker.c) goes before the set is checked or installed:
	 * it never triggers twice, and its sector holds no image bytes. */
	int rc = bm_clear(cfg, st, st->mask);

	if (rc == FK_OK)
		rc = bs_check_set(cfg, st, st->mask);

	if (bc_is_flash_error(rc))
		return rc;
	if (rc != FK_OK)
		return bs_append(cfg, st,
				 &(struct bs_rec){ .type = BS_REC_REFUSED,
						   .image = 0xFF,
						   .value = (uint32_t)-rc },
				 true);
	/* An install must never meet a full log half way (the only
	 * compaction a cut could turn into a mixed slot): make room while
	 * the boot slots still hold complete images. */
	rc = bs_make_room(cfg, st, bs_install_slots(cfg));
	if (rc != FK_OK)
		return rc;
	return bs_strategy_of(cfg)->install(cfg, st);
}

/* Moves the state forward until the images to boot are in place. */
static int advance(const struct fk_boot_config *cfg, struct bs_state *st)
{
	const struct bs_strategy *strat = bs_strategy_of(cfg);
	/* IDLE: an image written by another tool may be marked (marker.c) */
	int rc = bm_detect(cfg, st);

	if (rc == FK_OK && st->phase == FK_BOOT_PENDING)
		rc = install_pending(cfg, st);
	else if (st->phase == FK_BOOT_INSTALLING)
		rc = strat->install(cfg, st);
	if (rc != FK_OK)
		return rc;
	if (st->phase == FK_BOOT_TRIAL && st->attempts < cfg->trial_boots)
		return bs_append(cfg, st,
				 &(struct bs_rec){ .type = BS_REC_ATTEMPT,
						   .image = 0xFF,
						   .value = st->attempts + 1u },
				 true);
	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_REVERTING) {
		rc = strat->revert(cfg, st);
		if (rc == FK_ENOTSUP)
			rc = FK_OK;
	}
	return rc;
}

int bs_validate_primary(const struct fk_boot_config *cfg,
			const struct bs_state *st, uint32_t image,
			struct bs_loaded *loaded, struct fk_boot_image_ref *ref)
{
	(void)st;
	(void)loaded;
	ref->slot = &cfg->images[image].primary;
	return bc_validate(cfg, ref->slot, &ref->info);
}

/* Validates the images to boot; RAM_LOAD validates their copies in RAM
 * (loaded[]), which refs then point to. */
static int validate_all(const struct fk_boot_config *cfg,
			const struct bs_state *st,
			struct fk_boot_image_ref *refs,
			struct bs_loaded *loaded, uint32_t *bad)
{
	const struct bs_strategy *strat = bs_strategy_of(cfg);

	for (uint32_t i = 0; i < cfg->image_count; i++) {
		int rc = strat->validate_boot(cfg, st, i, &loaded[i], &refs[i]);

		if (rc != FK_OK) {
			*bad = i;
			return rc;
		}
	}
	return FK_OK;
}

/* Finds valid images to boot, repairing what can be repaired. */
static int choose(const struct fk_boot_config *cfg, struct bs_state *st,
		  struct fk_boot_image_ref *refs, struct bs_loaded *loaded)
{
	const struct bs_strategy *strat = bs_strategy_of(cfg);
	uint32_t bad = 0;
	int rc = validate_all(cfg, st, refs, loaded, &bad);

	if (rc == FK_OK || bc_is_flash_error(rc))
		return rc;
	if (st->phase == FK_BOOT_TRIAL) {
		rc = strat->revert(cfg, st);
		if (rc != FK_OK && rc != FK_ENOTSUP)
			return rc;
	} else if (strat->fallback(cfg, st, bad) != FK_OK) {
		return rc;
	}
	return validate_all(cfg, st, refs, loaded, &bad);
}

static int fail(const struct fk_boot_config *cfg, int rc)
{
	if (cfg->port.recovery)
		cfg->port.recovery(cfg->port.ctx, rc);
	return rc;
}

int fk_boot(const struct fk_boot_config *cfg)
{
	struct fk_boot_image_ref refs[FK_BOOT_MAX_IMAGES];
	struct bs_loaded loaded[FK_BOOT_MAX_IMAGES];
	struct bs_state st;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc == FK_OK)
		rc = advance(cfg, &st);
	if (rc == FK_OK)
		rc = choose(cfg, &st, refs, loaded);
	if (rc != FK_OK)
		return fail(cfg, rc);
	cfg->port.jump(cfg->port.ctx, refs, cfg->image_count);
	return FK_OK;
}
