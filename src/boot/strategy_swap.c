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
#include "boot_internal.h"

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t wu_align(const struct fk_area *a, uint32_t len)
{
	return fk_flash_align_up(a->flash, len);
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
			  const struct bp_plan *plan, const struct bp_group *g)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	uint32_t new_end = wu_align(&sl->primary, st->length[i]);
	uint32_t len = 0;
	struct fk_area win;

	if (new_end > g->p_off)
		len = (new_end < g->p_end ? new_end : g->p_end) - g->p_off;
	bio_window(&win, &sl->secondary, plan->offset,
		   sl->secondary.size - plan->offset);
	return bio_place(cfg, &sl->primary, g->p_off, g->p_end, &win, g->p_off,
			 len);
}

/* Step 1 for group g: the old bytes go to the group's own save sectors. */
static int swap_save_old(const struct fk_boot_config *cfg,
			 const struct bs_state *st, uint32_t i,
			 const struct bp_group *g)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	int rc;

	if (!(st->flags[i] & BS_START_REVERTIBLE))
		return FK_OK;
	rc = bio_erase_dirty(cfg, &sl->secondary, g->s_off,
			     g->s_end - g->s_off);
	if (rc == FK_OK)
		rc = bio_copy(cfg, &sl->secondary, g->s_off, &sl->primary,
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
	struct bp_plan plan;
	struct bp_group g;
	int rc = bp_plan(cfg, i, &plan);

	if (rc == FK_OK && !(st->start_mask & (1u << i)))
		rc = swap_start(cfg, st, i, &plan);
	for (uint32_t k = st->placed[i]; rc == FK_OK && k < st->groups[i];
	     k++) {
		rc = bp_group(cfg, i, &plan, k, &g);
		if (rc == FK_OK && k >= st->saved[i]) {
			rc = swap_save_old(cfg, st, i, &g);
			if (rc == FK_OK)
				rc = step_record(cfg, st, i, k, BS_STEP_SAVED);
		}
		if (rc == FK_OK)
			rc = swap_place_new(cfg, st, i, &plan, &g);
		if (rc == FK_OK)
			rc = step_record(cfg, st, i, k, BS_STEP_PLACED);
	}
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

static int swap_revert(const struct fk_boot_config *cfg, struct bs_state *st)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		const struct fk_boot_slots *sl = &cfg->images[i];
		struct bp_plan plan;
		int rc;

		if (!(st->mask & (1u << i)) ||
		    !(st->flags[i] & BS_START_REVERTIBLE))
			continue;
		rc = bp_plan(cfg, i, &plan);
		for (uint32_t k = st->rsteps[i];
		     rc == FK_OK && k < st->groups[i]; k++) {
			struct bs_rec rec = { .type = BS_REC_RSTEP,
					      .image = (uint8_t)i,
					      .arg = (uint16_t)k };
			struct bp_group g;

			rc = bp_group(cfg, i, &plan, k, &g);
			if (rc == FK_OK)
				rc = bio_place(cfg, &sl->primary, g.p_off,
					       g.p_end, &sl->secondary, g.s_off,
					       g.p_end - g.p_off);
			if (rc == FK_OK)
				rc = bs_append(cfg, st, &rec, false);
		}
		if (rc != FK_OK)
			return rc;
	}
	return bs_append(
		cfg, st,
		&(struct bs_rec){ .type = BS_REC_REVERTED, .image = 0xFF },
		true);
}

static const struct fk_area *swap_boot_slot(const struct fk_boot_config *cfg,
					    const struct bs_state *st,
					    uint32_t image)
{
	(void)st;
	return &cfg->images[image].primary;
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
	.boot_slot = swap_boot_slot,
	.fallback = swap_fallback,
};
