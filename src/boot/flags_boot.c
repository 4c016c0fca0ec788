/*
 * fk_boot_flags(): the boot core for a product with one image on
 * OVERWRITE or XIP whose boot state is the flag state (flags.h,
 * docs/boot-state.md, "The flag state") rather than the log. It decides
 * as fk_boot_lite() does, in the same order:
 *
 *   PENDING     check the staged image (a refusal is recorded:
 *               REFUSED); OVERWRITE: STARTED, then the install; XIP:
 *               ATTEMPT[0] for a TEST image, DONE for a PERMANENT one;
 *   INSTALLING  OVERWRITE: resume the install, then DONE;
 *   TRIAL       trial boots left: ATTEMPT[k]; none left: REVERTED;
 *
 * then validate the image to boot and jump. A trial image that does not
 * validate is reverted (REVERTED); XIP's active image that does not
 * validate gives way to the other slot's when that one validates (a
 * SWITCH, while one is left); OVERWRITE's is replaced by the factory
 * image when there is one; otherwise the recovery hook is called.
 *
 * It never erases: the state area is erased by the update API when an
 * update cycle begins. Between two erases it programs at most
 * trial_boots + 7 units, so it never runs out of room.
 *
 * OVERWRITE's install places each primary sector under the new image
 * from the staging slot (io.c's bio_place: left alone when it already
 * holds those bytes), which is never written: after a cut the install
 * starts again from sector 0 and skips what is done. The factory
 * fallback is the same copy from the factory slot and needs no state.
 *
 * Power-loss invariant: flags.h's. Every unit is programmed after what
 * it describes; nothing jumps to an image that did not just validate;
 * a cut anywhere leaves the old image or the new one bootable.
 */
#include <string.h>

#include "flags.h"

/* Functions with an image's info in their frame stay out of their
 * callers', so that a boot's stack holds one at a time. */
#define NOINLINE __attribute__((noinline))

static int set(const struct fk_boot_config *cfg, struct bf_state *st,
	       uint32_t flag, uint32_t value)
{
	return bf_put(cfg, st, BF_AT(flag), value);
}

#ifndef FK_BOOT_NO_OVERWRITE
/* Every primary sector under len bytes placed from src. */
static int copy(const struct fk_boot_config *cfg, const struct fk_area *src,
		uint32_t len)
{
	const struct fk_area *dst = &cfg->images[0].primary;
	uint32_t end = fk_flash_align_up(dst->flash, len);
	struct fk_sector s;
	int rc = FK_OK;

	/* off: the start of a sector, as the slot starts on one */
	for (uint32_t off = 0; rc == FK_OK && off < end; off += s.size) {
		rc = fk_area_sector_at(dst, off, &s);
		if (rc == FK_OK)
			rc = bio_place(
				cfg, dst, off, off + s.size, src, off,
				(end < off + s.size ? end : off + s.size) -
					off);
	}
	return rc;
}
#else
#define copy(cfg, src, len) FK_EINVAL
#endif

/* Moves the state forward until the image to boot is in place. */
static int advance(const struct fk_boot_config *cfg, struct bf_state *st)
{
	enum fk_boot_phase phase = bf_phase(cfg, st);
	int rc = FK_OK;

	if (phase == FK_BOOT_PENDING) {
		rc = bf_check_pending(cfg, st);
		if (bc_is_flash_error(rc))
			return rc;
		if (rc != FK_OK)
			return set(cfg, st, BF_REFUSED, (uint32_t)-rc);
		if (IS_XIP(cfg)) {
			bool perm = BF_HAS(st, BF_PENDING_PERMANENT);

			st->set |= (uint8_t)(perm << BF_DONE);
			st->attempts = !perm;
			return set(cfg, st, perm ? BF_DONE : BF_ATTEMPT, 1);
		}
		rc = set(cfg, st, BF_STARTED, 1);
		phase = FK_BOOT_INSTALLING;
	}
	if (rc == FK_OK && phase == FK_BOOT_INSTALLING)
		rc = copy(cfg, &cfg->images[0].secondary, st->len);
	if (rc == FK_OK && phase == FK_BOOT_INSTALLING)
		rc = set(cfg, st, BF_DONE, 1);
	if (phase != FK_BOOT_TRIAL || rc != FK_OK)
		return rc;
	if (st->attempts < cfg->trial_boots)
		return set(cfg, st, BF_ATTEMPT + st->attempts++, 1);
	st->set |= 1u << BF_REVERTED;
	return set(cfg, st, BF_REVERTED, 1);
}

#ifndef FK_BOOT_NO_FACTORY
/* OVERWRITE: the factory image (cfg->images[0].factory) placed in the
 * primary slot, when there is one and it validates and fits. */
static NOINLINE int factory(const struct fk_boot_config *cfg)
{
	const struct fk_area *f = &cfg->images[0].factory;
	struct fk_image_lite info;
	int rc;

	if (!IS_OVERWRITE(cfg) || f->size == 0)
		return FK_ENOENT;
	rc = bf_valid(cfg, f, &info);
	if (rc == FK_OK && info.end > cfg->images[0].primary.size)
		rc = FK_ENOSPC;
	return rc == FK_OK ? copy(cfg, f, info.end) : rc;
}
#else
#define factory(cfg) FK_ENOENT
#endif

/* When the image to boot (slot k) does not validate: a trial is reverted,
 * XIP switches to the other slot when it validates, OVERWRITE installs
 * the factory image. 0 to try again, or the reason not to. */
static NOINLINE int repair(const struct fk_boot_config *cfg,
			   struct bf_state *st, int k)
{
	struct fk_image_lite info;

	if (!IS_XIP(cfg))
		return factory(cfg);
	if (bf_phase(cfg, st) == FK_BOOT_TRIAL) {
		st->set |= 1u << BF_REVERTED;
		return set(cfg, st, BF_REVERTED, 1);
	}
	if (!st->header || st->switches >= BF_SWITCHES ||
	    bf_valid(cfg, bl_slot(cfg, 1 - k), &info) != FK_OK)
		return FK_ENOENT;
	return set(cfg, st, BF_SWITCH + st->switches++, 1);
}

/* The slot to boot, validated into *info: XIP's trial slot or active
 * slot (bf_pick()), OVERWRITE's primary; repaired once. */
static int choose(const struct fk_boot_config *cfg, struct bf_state *st,
		  const struct fk_area **slot, struct fk_image_lite *info)
{
	for (bool again = false;; again = true) {
		int c = 0, rc;

		if (IS_XIP(cfg))
			c = bf_phase(cfg, st) == FK_BOOT_TRIAL ?
				    st->target :
				    bf_pick(cfg, st, info);
		*slot = bl_slot(cfg, c & 1);
		/* BL_FRESH: the pick just checked the slot */
		rc = c & BL_FRESH ? FK_OK : bf_valid(cfg, *slot, info);
		if (rc == FK_OK || bc_is_flash_error(rc) || again)
			return rc;
		if (repair(cfg, st, c & 1) != FK_OK)
			return rc;
	}
}

int fk_boot_flags(const struct fk_boot_config *cfg)
{
	const struct fk_area *slot = NULL;
	struct fk_image_lite info;
	struct bf_state st;
	int rc = bf_read(cfg, &st);

	if (rc == FK_OK)
		rc = advance(cfg, &st);
	if (rc == FK_OK)
		rc = choose(cfg, &st, &slot, &info);
	return bl_finish(cfg, rc, slot, &info);
}
