/*
 * SWAP: install with rollback. The new image is received at plan.offset
 * of the staging slot; the install walks the primary slot group by group
 * (plan.c):
 *
 *   1. erase the group's save sectors in the staging slot (if not blank)
 *      and copy the group's old bytes there;
 *   2. record STEP(g, SAVED): the old bytes are safe;
 *   3. erase the group's primary sectors and copy the new bytes in;
 *   4. record STEP(g, PLACED).
 *
 * Power-loss invariant: before SAVED(g) the primary group still holds the
 * old bytes, so step 1 is redone from scratch; between SAVED(g) and
 * PLACED(g) the old bytes are in the staging slot and the new ones still
 * untouched above them (e <= offset + a), so step 3 is redone. Step 1 of
 * the next group may erase the staging sectors that held group g's new
 * bytes, which is why it waits for PLACED(g), and why both records are
 * essential (never dropped to save log space).
 *
 * Each primary sector and each save sector is erased once per install:
 * with equal sector maps 2N erases for N sectors, no scratch sector, no
 * sector erased twice. Revert copies the saved bytes back, group by group,
 * recording RSTEP(g) after each (N more erases); the staging copy is not
 * touched, so any cut during a revert is redone.
 */
#include <string.h>

#include "boot_internal.h"

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t wu_align(const struct fk_area *a, uint32_t len)
{
	return fk_flash_align_up(a->flash, len);
}

/* An encrypted old image is kept only if its own key can encrypt the
 * saved copy (the staging slot never holds its plaintext); 0 when it
 * can, or when the image is not encrypted. */
static int old_key_usable(const struct fk_boot_config *cfg,
			  const struct fk_area *primary)
{
	struct be_image img;
	int rc = be_image_of(cfg, primary, &img);

	be_wipe(&img, NULL);
	return rc;
}

/* What an install or a revert of image i reads: the staging window, and
 * each image seen as the copy needs it (the new image decrypted, the old
 * one encrypted into its saved copy), keys unwrapped from wherever the
 * images' TLVs are in state st. Lives in the caller's frame, zeroed
 * before swap_open() so that swap_close() may follow any failure. */
struct swap_io {
	struct fk_area win;
	struct be_image fresh, old;
	struct be_src fresh_src, old_src;
};

static int swap_open(const struct fk_boot_config *cfg,
		     const struct bs_state *st, uint32_t i,
		     const struct bp_plan *plan, bool install,
		     struct swap_io *io)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	struct be_split split;
	struct fk_area meta;
	int rc = FK_OK;

	bio_window(&io->win, &sl->secondary, plan->offset,
		   sl->secondary.size - plan->offset);
	if (install) {
		rc = be_split_init(&split, cfg, i, false, st->placed[i], &meta);
		if (rc == FK_OK)
			rc = be_image_of(cfg, &meta, &io->fresh);
		if (rc == FK_OK)
			be_source(cfg, &io->fresh, &io->win,
				  io->win.off + io->fresh.hdr_size,
				  &io->fresh_src);
	}
	if (rc != FK_OK || !(st->flags[i] & BS_START_REVERTIBLE))
		return rc;
	rc = be_split_init(&split, cfg, i, true, st->saved[i], &meta);
	if (rc == FK_OK)
		rc = be_image_of(cfg, &meta, &io->old);
	if (rc == FK_OK)
		be_source(cfg, &io->old, &sl->primary,
			  sl->primary.off + io->old.hdr_size, &io->old_src);
	return rc;
}

static void swap_close(struct swap_io *io)
{
	be_wipe(&io->fresh, io->fresh.key_len ? &io->fresh_src : NULL);
	be_wipe(&io->old, io->old.key_len ? &io->old_src : NULL);
}

/* Writes START: how many groups, the new image's length, and whether the
 * old image is worth keeping. Run before the primary slot is touched. */
static int swap_start(const struct fk_boot_config *cfg, struct bs_state *st,
		      uint32_t i, const struct bp_plan *plan)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	struct fk_image_info old, fresh;
	struct fk_area win;
	uint32_t len, groups, flags = 0;
	int rc;

	bio_window(&win, &sl->secondary, plan->offset,
		   sl->secondary.size - plan->offset);
	rc = fk_image_parse(&win, &fresh);
	if (rc != FK_OK)
		return rc == FK_EECC ? FK_ECORRUPT : rc;
	len = fresh.end;
	rc = bc_validate(cfg, &sl->primary, &old);
	if (rc == FK_OK)
		rc = old_key_usable(cfg, &sl->primary);
	if (rc == FK_OK && old.end <= plan->max_size) {
		flags |= BS_START_REVERTIBLE;
		len = max_u32(len, old.end);
	} else if (bc_is_flash_error(rc)) {
		return rc;
	}
	rc = bp_groups_for(cfg, i, plan, len, &groups);
	if (rc != FK_OK)
		return rc;
	struct bs_rec rec = { .type = BS_REC_START,
			      .image = (uint8_t)i,
			      .arg = (uint16_t)groups,
			      .value = fresh.end };
	rec.payload[0] = (uint8_t)flags;
	return bs_append(cfg, st, &rec, true);
}

/* Step 3 for group g: the primary sectors get the new bytes. */
static int swap_place_new(const struct fk_boot_config *cfg,
			  const struct bs_state *st, uint32_t i,
			  const struct swap_io *io, const struct bp_group *g)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	uint32_t new_end = wu_align(&sl->primary, st->length[i]);
	uint32_t len = 0;

	if (new_end > g->p_off)
		len = (new_end < g->p_end ? new_end : g->p_end) - g->p_off;
	return bio_place(cfg, &sl->primary, g->p_off, g->p_end,
			 &io->fresh_src.area, g->p_off, len);
}

/* Step 1 for group g: the old bytes go to the group's own save sectors
 * (an encrypted image's payload encrypted again with its own key). */
static int swap_save_old(const struct fk_boot_config *cfg,
			 const struct bs_state *st, uint32_t i,
			 const struct swap_io *io, const struct bp_group *g)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	int rc;

	if (!(st->flags[i] & BS_START_REVERTIBLE))
		return FK_OK;
	rc = bio_erase_dirty(cfg, &sl->secondary, g->s_off,
			     g->s_end - g->s_off);
	if (rc == FK_OK)
		rc = bio_copy(cfg, &sl->secondary, g->s_off, &io->old_src.area,
			      g->p_off, g->p_end - g->p_off);
	return rc;
}

static int step_record(const struct fk_boot_config *cfg, struct bs_state *st,
		       uint32_t i, uint32_t k, uint32_t what)
{
	struct bs_rec rec = { .type = BS_REC_STEP,
			      .image = (uint8_t)i,
			      .arg = (uint16_t)k,
			      .value = what };

	/* Essential: redoing a save after the primary group was rewritten
	 * would lose the old bytes. */
	return bs_append(cfg, st, &rec, true);
}

static int swap_install_image(const struct fk_boot_config *cfg,
			      struct bs_state *st, uint32_t i)
{
	struct swap_io io = { .fresh.key_len = 0 };
	struct bp_plan plan;
	struct bp_group g;
	int rc = bp_plan(cfg, i, &plan);

	if (rc == FK_OK && !(st->start_mask & (1u << i)))
		rc = swap_start(cfg, st, i, &plan);
	if (rc == FK_OK)
		rc = swap_open(cfg, st, i, &plan, true, &io);
	for (uint32_t k = st->placed[i]; rc == FK_OK && k < st->groups[i];
	     k++) {
		rc = bp_group(cfg, i, &plan, k, &g);
		if (rc == FK_OK && k >= st->saved[i]) {
			rc = swap_save_old(cfg, st, i, &io, &g);
			if (rc == FK_OK)
				rc = step_record(cfg, st, i, k, BS_STEP_SAVED);
		}
		if (rc == FK_OK)
			rc = swap_place_new(cfg, st, i, &io, &g);
		if (rc == FK_OK)
			rc = step_record(cfg, st, i, k, BS_STEP_PLACED);
	}
	swap_close(&io);
	return rc;
}

static int swap_install(const struct fk_boot_config *cfg, struct bs_state *st)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		int rc;

		if (!(st->mask & (1u << i)))
			continue;
		rc = swap_install_image(cfg, st, i);
		if (rc != FK_OK)
			return rc;
	}
	return bs_append(
		cfg, st,
		&(struct bs_rec){ .type = BS_REC_INSTALLED, .image = 0xFF },
		true);
}

/* Revert of group k: its saved bytes back into the primary slot,
 * decrypted with the old image's key when it is encrypted. */
static int swap_restore(const struct fk_boot_config *cfg, struct bs_state *st,
			uint32_t i, const struct bp_plan *plan,
			const struct swap_io *io, uint32_t k)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	struct bs_rec rec = { .type = BS_REC_RSTEP,
			      .image = (uint8_t)i,
			      .arg = (uint16_t)k };
	struct be_src src;
	struct bp_group g;
	int rc = bp_group(cfg, i, plan, k, &g);

	if (rc != FK_OK)
		return rc;
	be_source(cfg, &io->old, &sl->secondary,
		  sl->secondary.off + g.s_off - g.p_off + io->old.hdr_size,
		  &src);
	rc = bio_place(cfg, &sl->primary, g.p_off, g.p_end, &src.area, g.s_off,
		       g.p_end - g.p_off);
	be_wipe(NULL, io->old.key_len ? &src : NULL);
	return rc == FK_OK ? bs_append(cfg, st, &rec, false) : rc;
}

static int swap_revert(const struct fk_boot_config *cfg, struct bs_state *st)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct swap_io io = { .fresh.key_len = 0 };
		struct bp_plan plan;
		int rc;

		if (!(st->mask & (1u << i)) ||
		    !(st->flags[i] & BS_START_REVERTIBLE))
			continue;
		rc = bp_plan(cfg, i, &plan);
		if (rc == FK_OK)
			rc = swap_open(cfg, st, i, &plan, false, &io);
		for (uint32_t k = st->rsteps[i];
		     rc == FK_OK && k < st->groups[i]; k++)
			rc = swap_restore(cfg, st, i, &plan, &io, k);
		swap_close(&io);
		if (rc != FK_OK)
			return rc;
	}
	return bs_append(
		cfg, st,
		&(struct bs_rec){ .type = BS_REC_REVERTED, .image = 0xFF },
		true);
}

static int swap_fallback(const struct fk_boot_config *cfg, struct bs_state *st,
			 uint32_t image)
{
	(void)cfg;
	(void)st;
	(void)image;
	return FK_ENOENT;
}

const struct bs_strategy bs_strategy_swap = {
	.install = swap_install,
	.revert = swap_revert,
	.validate_boot = bs_validate_primary,
	.fallback = swap_fallback,
};
