/*
 * OVERWRITE: the staging slot's image is copied over the primary slot,
 * group by group (plan.c), recording STEP(g) after each. The staging slot
 * is never written during the install, so a cut anywhere is repaired by
 * copying again from the last recorded group. There is no copy of the old
 * image: TEST installs are refused by fk_boot_set_pending(), and when the
 * primary slot holds no valid image the factory image (if the layout has
 * one) is installed the same way.
 */
#include "boot_internal.h"

static const struct fk_area *source_of(const struct fk_boot_config *cfg,
				       const struct bs_state *st, uint32_t i)
{
	return (st->flags[i] & BS_START_FACTORY) ? &cfg->images[i].factory :
						   &cfg->images[i].secondary;
}

static int overwrite_start(const struct fk_boot_config *cfg,
			   struct bs_state *st, uint32_t i, uint8_t flags,
			   const struct bp_plan *plan)
{
	const struct fk_area *src = (flags & BS_START_FACTORY) ?
					    &cfg->images[i].factory :
					    &cfg->images[i].secondary;
	struct fk_image_info info;
	uint32_t groups;
	int rc = fk_image_parse(src, &info);

	if (rc == FK_OK && info.end > plan->max_size)
		rc = FK_ENOSPC;
	if (rc == FK_OK)
		rc = bp_groups_for(cfg, i, plan, info.end, &groups);
	if (rc != FK_OK)
		return rc == FK_EECC ? FK_ECORRUPT : rc;
	struct bs_rec rec = { .type = BS_REC_START,
			      .image = (uint8_t)i,
			      .arg = (uint16_t)groups,
			      .value = info.end };
	rec.payload[0] = flags;
	return bs_append(cfg, st, &rec, true);
}

/* Copies the groups not placed yet from src (the source slot, seen as
 * plaintext). */
static int overwrite_groups(const struct fk_boot_config *cfg,
			    struct bs_state *st, uint32_t i,
			    const struct bp_plan *plan,
			    const struct fk_area *src)
{
	const struct fk_area *dst = &cfg->images[i].primary;
	uint32_t end = fk_flash_align_up(dst->flash, st->length[i]);
	int rc;

	for (uint32_t k = st->placed[i]; k < st->groups[i]; k++) {
		struct bs_rec rec = { .type = BS_REC_STEP,
				      .image = (uint8_t)i,
				      .arg = (uint16_t)k,
				      .value = BS_STEP_PLACED };
		struct bp_group g;
		uint32_t len = 0;

		rc = bp_group(cfg, i, plan, k, &g);
		if (rc != FK_OK)
			return rc;
		if (end > g.p_off)
			len = (end < g.p_end ? end : g.p_end) - g.p_off;
		rc = bio_place(cfg, dst, g.p_off, g.p_end, src, g.p_off, len);
		if (rc == FK_OK)
			rc = bs_append(cfg, st, &rec, false);
		if (rc != FK_OK)
			return rc;
	}
	return FK_OK;
}

/* The source slot is never written, so an encrypted image's key is
 * unwrapped from it again at every (re)start. */
static int overwrite_image(const struct fk_boot_config *cfg,
			   struct bs_state *st, uint32_t i, uint8_t flags)
{
	const struct fk_area *from;
	struct be_image img;
	struct be_src src;
	struct bp_plan plan;
	int rc = bp_plan(cfg, i, &plan);

	if (rc == FK_OK && !(st->start_mask & (1u << i)))
		rc = overwrite_start(cfg, st, i, flags, &plan);
	if (rc != FK_OK)
		return rc;
	from = source_of(cfg, st, i);
	rc = be_image_of(cfg, from, &img);
	if (rc != FK_OK)
		return rc;
	be_source(cfg, &img, from, from->off + img.hdr_size, &src);
	rc = overwrite_groups(cfg, st, i, &plan, &src.area);
	be_wipe(&img, img.key_len ? &src : NULL);
	return rc;
}

static int overwrite_install(const struct fk_boot_config *cfg,
			     struct bs_state *st)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		int rc;

		if (!(st->mask & (1u << i)))
			continue;
		rc = overwrite_image(cfg, st, i, 0);
		if (rc != FK_OK)
			return rc;
	}
	return bs_append(
		cfg, st,
		&(struct bs_rec){ .type = BS_REC_INSTALLED, .image = 0xFF },
		true);
}

/* Nothing to go back to. */
static int overwrite_revert(const struct fk_boot_config *cfg,
			    struct bs_state *st)
{
	(void)cfg;
	(void)st;
	return FK_ENOTSUP;
}

/* The factory image, installed as a permanent install of its own. */
static int overwrite_fallback(const struct fk_boot_config *cfg,
			      struct bs_state *st, uint32_t image)
{
	const struct fk_area *factory = &cfg->images[image].factory;
	struct fk_image_info info;
	int rc;

	if (factory->size == 0)
		return FK_ENOENT;
	rc = bc_validate_staged(cfg, factory, &info);
	if (rc == FK_OK && st->phase == FK_BOOT_IDLE)
		rc = bs_append(cfg, st,
			       &(struct bs_rec){ .type = BS_REC_PENDING,
						 .image = 0xFF,
						 .arg = FK_BOOT_PERMANENT,
						 .value = 1u << image },
			       true);
	if (rc == FK_OK)
		rc = overwrite_image(cfg, st, image, BS_START_FACTORY);
	if (rc == FK_OK)
		rc = bs_append(cfg, st,
			       &(struct bs_rec){ .type = BS_REC_INSTALLED,
						 .image = 0xFF },
			       true);
	return rc;
}

const struct bs_strategy bs_strategy_overwrite = {
	.install = overwrite_install,
	.revert = overwrite_revert,
	.validate_boot = bs_validate_primary,
	.fallback = overwrite_fallback,
};
