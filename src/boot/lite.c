/*
 * fk_boot_lite(): the boot core for a product with one image that takes
 * its updates through the update API (flashkit/update.h). It decides as
 * fk_boot() does, from the same log (lite_state.c), in the same order:
 *
 *   PENDING     check the staged image (a refusal is recorded: REFUSED);
 *               otherwise make room in the log and install it;
 *   INSTALLING  resume the install;
 *   TRIAL       trial boots left: record ATTEMPT; none left: revert;
 *   REVERTING   resume the revert;
 *
 * then validate the image to boot and jump, reverting a trial image that
 * does not validate (XIP: falling back to the other slot), or calling the
 * recovery hook. What it leaves out, against fk_boot(): a second image,
 * library modules, images marked by other tools
 * (marker.c), decryption, RAM_LOAD, and the configuration check, which
 * `flashkit layout gen` makes at build time (fk_boot_check_config() on
 * the configuration it writes). An image with DEPENDENCY TLVs is refused
 * (FK_EDEPEND): with one image there is nothing it could depend on.
 *
 * OVERWRITE's factory fallback (FK_BOOT_NO_FACTORY leaves it out) is
 * fk_boot()'s: when the primary image does not validate, the factory
 * slot's image is installed.
 *
 * Installs, per strategy (FK_BOOT_NO_<STRATEGY> leaves one out):
 *
 *   OVERWRITE  each primary sector under the new image is placed from the
 *              staging slot (io.c's bio_place: left alone when it already
 *              holds those bytes, otherwise erased and copied). The
 *              staging slot is never written, so after a cut the install
 *              starts again from sector 0 and skips what is done: no STEP
 *              records (START says 0 groups).
 *   SWAP       state.c's groups and records, as strategy_swap.c: save the
 *              old bytes of a group, STEP SAVED, place the new ones, STEP
 *              PLACED; a revert puts the saved bytes back (RSTEP).
 *   XIP        nothing is copied: INSTALLED, and the trial or the
 *              confirmation decide the slot, as strategy_xip.c.
 *
 * Power-loss invariant: the same as fk_boot()'s (boot.c, the strategy
 * files): every record is written after what it describes, nothing jumps
 * to an image that did not just validate, and a cut anywhere leaves the
 * old image or the new one bootable, never a mix.
 */
#include <string.h>

#include "flashkit/image_lite.h"

#include "lite.h"

/* Functions with an image's info in their frame stay out of their
 * callers', so that a boot's stack holds one at a time. */
#define NOINLINE __attribute__((noinline))

static bool flash_error(int rc)
{
	return rc == FK_EIO || rc == FK_EPOWER || rc == FK_EPROTECT ||
	       rc == FK_ENOTERASED || rc == FK_EPROGONCE;
}

/* XIP: the slot (0 = A, 1 = B) to boot in state st; with no slot
 * recorded, bl_newest()'s (BL_FRESH set when *info is A's check, just
 * made). */
static NOINLINE int xip_choice(const struct fk_boot_config *cfg,
			       const struct bl_state *st,
			       struct fk_image_lite *info)
{
	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_PENDING)
		return st->target;
	if (st->active >= 0)
		return st->active;
	return bl_newest(cfg, info);
}

/* xip_choice()'s slot, with the info in this frame, which holds little
 * else. */
NOINLINE int bl_xip_active(const struct fk_boot_config *cfg,
			   const struct bl_state *st)
{
	struct fk_image_lite info;

	return xip_choice(cfg, st, &info) & 1;
}

/* Where the staged image is, and the largest image an install takes. */
int bl_staging(const struct fk_boot_config *cfg, const struct bl_state *st,
	       struct fk_area *win, struct bp_plan *plan)
{
	const struct fk_boot_slots *sl = &cfg->images[0];

	if (IS_SWAP(cfg)) {
		int rc = bp_plan_groups(cfg, 0, bl_max_groups(cfg, st), plan);

		if (rc != FK_OK)
			return rc;
	} else {
		plan->offset = 0;
		plan->max_size = sl->primary.size < sl->secondary.size ?
					 sl->primary.size :
					 sl->secondary.size;
	}
	if (IS_XIP(cfg)) {
		*win = *bl_slot(cfg, st->target);
		return FK_OK;
	}
	/* bio_window(), inline: this is its only call in a lite build */
	*win = sl->secondary;
	win->off += plan->offset;
	win->size -= plan->offset;
	return FK_OK;
}

/*
 * The checks of a pending image, in fk_boot()'s order: the running image
 * (for the downgrade check), then the staged one (recorded STAGED, valid,
 * fits, the digest the upload recorded), then its security counter and
 * its dependencies (none allowed). A set without image 0 has nothing to
 * check.
 */
NOINLINE int bl_check_pending(const struct fk_boot_config *cfg,
			      const struct bl_state *st, uint32_t *len)
{
	struct fk_image_lite info;
	struct fk_area win;
	struct bp_plan plan;
	uint32_t running_cnt = 0;
	bool running_ok;
	int rc;

	if (!(st->mask & 1u))
		return FK_OK;
	rc = bl_valid(cfg, bl_slot(cfg, IS_XIP(cfg) ? 1 - st->target : 0),
		      &info);
	if (flash_error(rc))
		return rc;
	running_ok = rc == FK_OK;
	if (running_ok)
		running_cnt = info.security_counter;
	if (!st->staged)
		return FK_ESTATE;
	rc = bl_staging(cfg, st, &win, &plan);
	if (rc == FK_OK)
		rc = bl_valid(cfg, &win, &info);
	if (rc == FK_OK && info.end > plan.max_size)
		rc = FK_ENOSPC;
	if (rc == FK_OK && memcmp(info.digest, st->digest, BS_DIGEST_PREFIX))
		rc = FK_ECORRUPT;
	if (rc == FK_OK && cfg->check_security_counter && running_ok &&
	    info.security_counter < running_cnt)
		rc = FK_EDOWNGRADE;
	if (rc == FK_OK && info.dep_count)
		rc = FK_EDEPEND;
	*len = info.end;
	return rc;
}

/* OVERWRITE: every primary sector under the new image's len bytes placed
 * from the staging slot (or the factory slot: START's flags); a sector
 * that already holds them is only read. */
static int overwrite_copy(const struct fk_boot_config *cfg,
			  const struct bl_state *st)
{
	const struct fk_area *dst = &cfg->images[0].primary;
	const struct fk_area *src = &cfg->images[0].secondary;
	uint32_t end = fk_flash_align_up(dst->flash, st->length);
	struct fk_sector s;
	int rc = FK_OK;

#ifndef FK_BOOT_NO_FACTORY
	if (st->flags & BS_START_FACTORY)
		src = &cfg->images[0].factory;
#endif

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

#ifndef FK_BOOT_NO_SWAP
/* SWAP's START: the groups covering the longer of the two images, and
 * whether the old one is worth keeping (valid and small enough to come
 * back). */
static NOINLINE int swap_start(const struct fk_boot_config *cfg,
			       struct bl_state *st, uint32_t len)
{
	struct fk_image_lite old;
	struct fk_area win;
	struct bp_plan plan;
	uint32_t groups, end = len;
	int rc = bl_staging(cfg, st, &win, &plan);

	if (rc != FK_OK)
		return rc;
	rc = bl_valid(cfg, &cfg->images[0].primary, &old);
	st->flags = 0;
	if (rc == FK_OK && old.end <= plan.max_size) {
		st->flags = BS_START_REVERTIBLE;
		end = old.end > len ? old.end : len;
	} else if (flash_error(rc)) {
		return rc;
	}
	rc = bp_groups_for(cfg, 0, &plan, end, &groups);
	if (rc != FK_OK)
		return rc;
	return bl_append(cfg, st, BS_REC_START, (uint16_t)groups, len);
}

/* SWAP, group by group. An install (back false), from the first group
 * not placed: save the old bytes (unless saved), STEP SAVED, place the
 * new ones from the staging window, STEP PLACED. Both records are
 * essential: redoing a save after the group was rewritten would lose the
 * old bytes (strategy_swap.c). A revert (back true), from the first group
 * not restored, when the old image was kept: its saved bytes placed back,
 * RSTEP. One loop for both, out of line: smaller than two. */
static NOINLINE int swap_groups(const struct fk_boot_config *cfg,
				struct bl_state *st, bool back)
{
	const struct fk_boot_slots *sl = &cfg->images[0];
	struct fk_area win;
	struct bp_plan plan;
	struct bp_group g;
	/* what the two differ in, set once: the loop never tests back */
	uint32_t k = st->rsteps, end = UINT32_MAX, saved = UINT32_MAX;
	const struct fk_area *src = &sl->secondary;
	const uint32_t *src_off = &g.s_off;
	uint8_t type = BS_REC_RSTEP;
	uint32_t value = 0;
	int rc;

	if (!back) {
		k = st->placed;
		end = fk_flash_align_up(sl->primary.flash, st->length);
		saved = st->saved;
		src = &win;
		src_off = &g.p_off;
		type = BS_REC_STEP;
		value = BS_STEP_PLACED;
	} else if (!(st->mask & 1u) || !(st->flags & BS_START_REVERTIBLE)) {
		return FK_OK;
	}
	rc = bl_staging(cfg, st, &win, &plan);
	for (; rc == FK_OK && k < st->groups; k++) {
		uint32_t len = 0;

		rc = bp_group(cfg, 0, &plan, k, &g);
		if (rc == FK_OK && k >= saved &&
		    (st->flags & BS_START_REVERTIBLE)) {
			rc = bio_erase_dirty(cfg, &sl->secondary, g.s_off,
					     g.s_end - g.s_off);
			if (rc == FK_OK)
				rc = bio_copy(cfg, &sl->secondary, g.s_off,
					      &sl->primary, g.p_off,
					      g.p_end - g.p_off);
		}
		if (rc == FK_OK && k >= saved)
			rc = bl_append(cfg, st, BS_REC_STEP, (uint16_t)k,
				       BS_STEP_SAVED);
		if (rc == FK_OK && end > g.p_off)
			len = (end < g.p_end ? end : g.p_end) - g.p_off;
		if (rc == FK_OK)
			rc = bio_place(cfg, &sl->primary, g.p_off, g.p_end, src,
				       *src_off, len);
		if (rc == FK_OK)
			rc = bl_append(cfg, st, type, (uint16_t)k, value);
	}
	return rc;
}
#define swap_copy(cfg, st) swap_groups(cfg, st, false)
#define swap_back(cfg, st) swap_groups(cfg, st, true)
#else
static int swap_start(const struct fk_boot_config *cfg, struct bl_state *st,
		      uint32_t len)
{
	(void)cfg;
	(void)st;
	(void)len;
	return FK_EINVAL;
}
#define swap_copy(cfg, st) FK_EINVAL
#define swap_back(cfg, st) FK_OK
#endif

/* From START (or PENDING for XIP) to INSTALLED. */
static int install(const struct fk_boot_config *cfg, struct bl_state *st)
{
	int rc = FK_OK;

	if (st->started && IS_SWAP(cfg))
		rc = swap_copy(cfg, st);
	if (st->started && IS_OVERWRITE(cfg))
		rc = overwrite_copy(cfg, st);
	if (rc != FK_OK)
		return rc;
	return bl_append(cfg, st, BS_REC_INSTALLED, 0, 0);
}

/* Brings the previous image back: XIP records the other slot, SWAP copies
 * the saved bytes back, OVERWRITE has nothing to go back to. */
static int revert(const struct fk_boot_config *cfg, struct bl_state *st)
{
	int rc = FK_OK;

	if (IS_OVERWRITE(cfg))
		return FK_OK;
	if (IS_SWAP(cfg))
		rc = swap_back(cfg, st);
	if (rc != FK_OK)
		return rc;
	return bl_append(cfg, st, BS_REC_REVERTED, 0,
			 IS_XIP(cfg) ? 1u - st->target : 0);
}

static int install_pending(const struct fk_boot_config *cfg,
			   struct bl_state *st)
{
	uint32_t len = 0;
	int rc = bl_check_pending(cfg, st, &len);

	if (flash_error(rc))
		return rc;
	if (rc != FK_OK)
		return bl_append(cfg, st, BS_REC_REFUSED, 0, (uint32_t)-rc);
	/* An install never meets a full log half way: room is made while
	 * the boot slot still holds a complete image. */
	rc = bl_make_room(cfg, st, bl_install_slots(cfg, st));
	if (rc == FK_OK && (st->mask & 1u) && !IS_XIP(cfg)) {
		if (IS_SWAP(cfg)) {
			rc = swap_start(cfg, st, len);
		} else {
			st->flags = 0;
			rc = bl_append(cfg, st, BS_REC_START, 0, len);
		}
	}
	return rc == FK_OK ? install(cfg, st) : rc;
}

/* Moves the state forward until the image to boot is in place. */
static int advance(const struct fk_boot_config *cfg, struct bl_state *st)
{
	int rc = FK_OK;

	if (st->phase == FK_BOOT_PENDING)
		rc = install_pending(cfg, st);
	else if (st->phase == FK_BOOT_INSTALLING)
		rc = install(cfg, st);
	if (rc != FK_OK)
		return rc;
	if (st->phase == FK_BOOT_TRIAL && st->attempts < cfg->trial_boots)
		return bl_append(cfg, st, BS_REC_ATTEMPT, 0, st->attempts + 1u);
	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_REVERTING)
		return revert(cfg, st);
	return FK_OK;
}

static int validate_boot(const struct fk_boot_config *cfg,
			 const struct bl_state *st, const struct fk_area **slot,
			 struct fk_image_lite *info)
{
	int c = IS_XIP(cfg) ? xip_choice(cfg, st, info) : 0;

	*slot = bl_slot(cfg, c & 1);
	/* BL_FRESH: the choice just checked the slot */
	return c & BL_FRESH ? FK_OK : bl_valid(cfg, *slot, info);
}

#ifndef FK_BOOT_NO_FACTORY
/* OVERWRITE with a factory slot (cfg->images[0].factory): its image is
 * installed as a permanent install of its own (PENDING, START with
 * BS_START_FACTORY, the copy, INSTALLED), as strategy_overwrite.c does; an
 * empty log is started first. The factory slot is never written, so a cut
 * anywhere is repaired by the next boot's install or fallback. */
static NOINLINE int factory(const struct fk_boot_config *cfg,
			    struct bl_state *st)
{
	const struct fk_area *f = &cfg->images[0].factory;
	struct fk_image_lite info;
	int rc;

	if (!IS_OVERWRITE(cfg) || f->size == 0)
		return FK_ENOENT;
	rc = bl_valid(cfg, f, &info);
	if (rc == FK_OK && info.end > cfg->images[0].primary.size)
		rc = FK_ENOSPC;
	if (rc == FK_OK)
		rc = bl_make_room(cfg, st, 0);
	if (rc == FK_OK && st->phase == FK_BOOT_IDLE)
		rc = bl_append(cfg, st, BS_REC_PENDING, FK_BOOT_PERMANENT, 1);
	if (rc == FK_OK && !st->started) {
		st->flags = BS_START_FACTORY;
		rc = bl_append(cfg, st, BS_REC_START, 0, info.end);
	}
	return rc == FK_OK ? install(cfg, st) : rc;
}
#else
#define factory(cfg, st) FK_ENOENT
#endif

/* XIP's fallback: with nothing pending, the other slot made the active
 * one (CONFIRMED) when it validates (an empty log already chose the
 * newest valid slot, so there is no other to fall back to). */
static NOINLINE int xip_fallback(const struct fk_boot_config *cfg,
				 struct bl_state *st)
{
	struct fk_image_lite info;
	uint32_t other;

	if (st->phase != FK_BOOT_IDLE || !st->header)
		return FK_ENOENT;
	other = 1u - (uint32_t)(xip_choice(cfg, st, &info) & 1);
	if (bl_valid(cfg, bl_slot(cfg, (int)other), &info) != FK_OK)
		return FK_ENOENT;
	return bl_append(cfg, st, BS_REC_CONFIRMED, 0, other);
}

/* When the image to boot does not validate, outside a trial: XIP falls
 * back to the other slot, OVERWRITE installs the factory image (without
 * one, FK_ENOENT at build time). */
static int fallback(const struct fk_boot_config *cfg, struct bl_state *st)
{
	return IS_XIP(cfg) ? xip_fallback(cfg, st) : factory(cfg, st);
}

/* Finds a valid image to boot, repairing what can be repaired. */
static int choose(const struct fk_boot_config *cfg, struct bl_state *st,
		  const struct fk_area **slot, struct fk_image_lite *info)
{
	/* the image to boot validated, and once more after a repair */
	for (bool again = false;; again = true) {
		int rc = validate_boot(cfg, st, slot, info), repair;

		if (rc == FK_OK || flash_error(rc) || again)
			return rc;
		if (st->phase == FK_BOOT_TRIAL) {
			repair = revert(cfg, st);
			if (repair != FK_OK)
				return repair;
		} else if (fallback(cfg, st) != FK_OK) {
			return rc;
		}
	}
}

int fk_boot_lite(const struct fk_boot_config *cfg)
{
	const struct fk_area *slot = NULL;
	struct fk_image_lite info;
	struct bl_state st;
	int rc = bl_read(cfg, &st);

	if (rc == FK_OK)
		rc = advance(cfg, &st);
	if (rc == FK_OK)
		rc = choose(cfg, &st, &slot, &info);
	return bl_finish(cfg, rc, slot, &info);
}
