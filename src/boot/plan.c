/*
 * The copy plan: how a primary slot is cut into groups of whole sectors,
 * and, for SWAP, where each group's old content is kept in the staging
 * slot and where the new image must be received.
 *
 * SWAP keeps the old image at the bottom of the staging slot and receives
 * the new one above it, at plan.offset. Group g (primary bytes [a, b)) is
 * saved into staging sectors [o, e) that belong to it alone, so redoing a
 * torn save may erase them without touching another group's copy. The
 * new bytes of group g sit at offset + [a, b); they must not lie in any
 * staging sector erased so far, i.e. e <= offset + a for every group:
 * the offset is the largest e - a, rounded to a staging sector. With
 * equal, aligned sectors on both sides that is one sector; with a 16K
 * primary and 128K staging sectors, primary sectors are grouped until
 * they fill a staging sector. Nothing depends on the two maps being
 * alike or on the same memory.
 *
 * Groups are also at least plan.span bytes, so a slot never has more
 * groups than the boot state log has room for progress records.
 */
#include "boot_internal.h"

/* Image i's slots. A build for one image (FK_BOOT_MAX_IMAGES 1) has only
 * images[0], so any index it is given is 0. */
#if FK_BOOT_MAX_IMAGES == 1
#define SLOTS(cfg, i) ((void)(i), &(cfg)->images[0])
#else
#define SLOTS(cfg, i) (&(cfg)->images[i])
#endif

/* Whether cfg is a SWAP configuration. A lite build (FK_BOOT_LITE) links
 * plan.c for lite.c and lite_app.c alone, which call it only after
 * bl_read() or bl_geometry() accepted cfg, its strategy one the build
 * has: lite.h's IS_SWAP, a constant in a build for one strategy. */
#ifdef FK_BOOT_LITE
#include "lite.h"
#define PLAN_SWAP(cfg) IS_SWAP(cfg)
#else
#define PLAN_SWAP(cfg) ((cfg)->strategy == FK_BOOT_SWAP)
#endif

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* First sector boundary of area a at or after off (a->size past the end). */
static int align_up_sector(const struct fk_area *a, uint32_t off, uint32_t *out)
{
	struct fk_sector s;
	int rc;

	if (off >= a->size) {
		*out = off;
		return off == a->size ? FK_OK : FK_ERANGE;
	}
	rc = fk_area_sector_at(a, off, &s);
	if (rc != FK_OK)
		return rc;
	*out = s.off == off ? off : s.off + s.size;
	return FK_OK;
}

/* The group after prev (prev->p_end == 0 for the first). */
static int next_group(const struct fk_boot_config *cfg, uint32_t image,
		      uint32_t span, struct bp_group *g)
{
	const struct fk_area *p = &SLOTS(cfg, image)->primary;
	const struct fk_area *s = &SLOTS(cfg, image)->secondary;
	bool swap = PLAN_SWAP(cfg);
	uint32_t target = span;
	struct fk_sector sec;
	int rc;

	g->p_off = g->p_end;
	g->s_off = swap ? g->s_end : g->p_end;
	if (g->p_off >= p->size)
		return FK_ERANGE;
	if (swap) {
		if (g->s_off >= s->size)
			return FK_ENOSPC;
		rc = fk_area_sector_at(s, g->s_off, &sec);
		if (rc != FK_OK)
			return rc;
		if (sec.size > target)
			target = sec.size;
	}
	/* The group ends at the first sector end at or past p_off + target
	 * (the slot's end at the latest): the end of the sector holding the
	 * byte before it. target >= 1 (bp_plan's span). */
	if (p->size - g->p_off < target)
		target = p->size - g->p_off;
	rc = fk_area_sector_at(p, g->p_off + target - 1, &sec);
	if (rc != FK_OK)
		return rc;
	g->p_end = sec.off + sec.size;
	if (!swap) {
		g->s_end = g->p_end;
		return FK_OK;
	}
	return align_up_sector(s, g->s_off + (g->p_end - g->p_off),
			       &g->s_end) == FK_OK ?
		       FK_OK :
		       FK_ENOSPC;
}

static int first_group(const struct fk_boot_config *cfg, uint32_t image,
		       uint32_t span, struct bp_group *g)
{
	g->index = 0;
	g->p_end = 0;
	g->s_end = 0;
	return next_group(cfg, image, span, g);
}

/* The groups from the first to group index or to the first at or past
 * len bytes, whichever comes first (g->index then counts the groups
 * before it). A group that is found starts inside the slot, so its p_off
 * is below UINT32_MAX. */
static int walk_groups(const struct fk_boot_config *cfg, uint32_t image,
		       const struct bp_plan *plan, uint32_t index, uint32_t len,
		       struct bp_group *g)
{
	int rc = first_group(cfg, image, plan->span, g);

	while (rc == FK_OK && g->index < index && g->p_off < len) {
		rc = next_group(cfg, image, plan->span, g);
		g->index++;
	}
	return rc;
}

int bp_group(const struct fk_boot_config *cfg, uint32_t image,
	     const struct bp_plan *plan, uint32_t index, struct bp_group *out)
{
	return walk_groups(cfg, image, plan, index, UINT32_MAX, out);
}

int bp_groups_for(const struct fk_boot_config *cfg, uint32_t image,
		  const struct bp_plan *plan, uint32_t len, uint32_t *count)
{
	struct bp_group g;
	int rc = walk_groups(cfg, image, plan, UINT32_MAX, len, &g);

	*count = g.index;
	return rc == FK_OK || rc == FK_ERANGE || rc == FK_ENOSPC ? FK_OK : rc;
}

/* SWAP: the offset is fixed by the groups a maximal image uses; take the
 * number of groups that allows the largest image. */
static inline __attribute__((always_inline)) int
plan_swap(const struct fk_boot_config *cfg, uint32_t image,
	  struct bp_plan *plan)
{
	const struct fk_area *s = &SLOTS(cfg, image)->secondary;
	uint32_t need = 0, off;
	struct bp_group g;
	int rc = first_group(cfg, image, plan->span, &g);

	plan->offset = 0;
	plan->max_size = 0;
	while (rc == FK_OK) {
		uint32_t fit;

		if (g.s_end - g.p_off > need)
			need = g.s_end - g.p_off;
		rc = align_up_sector(s, need, &off);
		if (rc != FK_OK)
			break;
		fit = off < s->size ? min_u32(g.p_end, s->size - off) : 0;
		if (fit > plan->max_size) {
			plan->max_size = fit;
			plan->offset = off;
		}
		rc = next_group(cfg, image, plan->span, &g);
	}
	return plan->max_size > 0 ? FK_OK : FK_ENOSPC;
}

/* bp_plan()'s body, for a log of at most groups groups. Inlined into
 * both entries, so that each is one function: a program links the one
 * its core calls (--gc-sections). */
static inline __attribute__((always_inline)) int
plan_groups(const struct fk_boot_config *cfg, uint32_t image, uint32_t groups,
	    struct bp_plan *plan)
{
	const struct fk_boot_slots *sl = SLOTS(cfg, image);

	if (groups == 0 || sl->primary.size == 0)
		return FK_ENOSPC;
	plan->span = bp_span(sl->primary.size, groups);
	if (PLAN_SWAP(cfg))
		return plan_swap(cfg, image, plan);
	plan->offset = 0;
	plan->max_size = min_u32(sl->primary.size, sl->secondary.size);
	plan->max_size = min_u32(plan->max_size, bs_ram_cap(cfg, image));
	return plan->max_size > 0 ? FK_OK : FK_ENOSPC;
}

int bp_plan(const struct fk_boot_config *cfg, uint32_t image,
	    struct bp_plan *plan)
{
	return plan_groups(cfg, image, bs_max_groups(cfg), plan);
}

int bp_plan_groups(const struct fk_boot_config *cfg, uint32_t image,
		   uint32_t groups, struct bp_plan *plan)
{
	return plan_groups(cfg, image, groups, plan);
}
