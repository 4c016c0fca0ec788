/*
 * The boot API the application calls (fk_boot_confirm, fk_boot_set_pending,
 * fk_boot_status) and the configuration checks both sides share. The
 * application and the bootloader read the same boot state log; the
 * application only ever appends PENDING and CONFIRMED records, each a
 * single program, so a cut leaves the state before or after it.
 */
#include "boot_internal.h"

int fk_boot_confirm(const struct fk_boot_config *cfg)
{
	struct bs_state st;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK || st.phase != FK_BOOT_TRIAL)
		return rc;
	return bs_append(cfg, &st,
			 &(struct bs_rec){ .type = BS_REC_CONFIRMED,
					   .image = 0xFF,
					   .value = st.xip_target[0] },
			 true);
}

int fk_boot_set_pending(const struct fk_boot_config *cfg, uint32_t mask,
			enum fk_boot_mode mode)
{
	uint32_t all = (1u << cfg->image_count) - 1u;
	struct bs_state st;
	int rc = fk_boot_check_config(cfg);

	if (rc != FK_OK)
		return rc;
	if (mask == 0 || (mask & ~all) ||
	    (cfg->strategy == FK_BOOT_XIP && mask != all) ||
	    (mode != FK_BOOT_TEST && mode != FK_BOOT_PERMANENT))
		return FK_EINVAL;
	if (cfg->strategy == FK_BOOT_OVERWRITE && mode == FK_BOOT_TEST)
		return FK_ENOTSUP;
	rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (st.phase != FK_BOOT_IDLE || (st.staged_mask & mask) != mask)
		return FK_ESTATE;
	rc = bs_check_set(cfg, &st, mask);
	if (rc != FK_OK)
		return rc;
	return bs_append(cfg, &st,
			 &(struct bs_rec){ .type = BS_REC_PENDING,
					   .image = 0xFF,
					   .arg = (uint16_t)mode,
					   .value = mask },
			 true);
}

int fk_boot_status(const struct fk_boot_config *cfg,
		   struct fk_boot_status *out)
{
	struct bs_state st;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	out->phase = st.phase;
	out->mode = (enum fk_boot_mode)st.mode;
	out->mask = st.mask;
	out->attempts = st.attempts;
	out->xip_active = cfg->strategy == FK_BOOT_XIP ?
				  (uint32_t)bs_xip_active(cfg, &st) :
				  0;
	out->last_refusal = st.last_refusal;
	out->records_used = st.log.next;
	out->records_total = st.log.slots;
	return FK_OK;
}

uint32_t fk_boot_staging_offset(const struct fk_boot_config *cfg,
				uint32_t image)
{
	struct bp_plan plan;

	if (image >= cfg->image_count || bp_plan(cfg, image, &plan) != FK_OK)
		return 0;
	return plan.offset;
}

uint32_t fk_boot_max_image_size(const struct fk_boot_config *cfg,
				uint32_t image)
{
	struct bp_plan plan;

	if (image >= cfg->image_count || bp_plan(cfg, image, &plan) != FK_OK)
		return 0;
	return plan.max_size;
}

static bool overlaps(const struct fk_area *a, const struct fk_area *b)
{
	return a->size && b->size && a->flash == b->flash &&
	       a->off < b->off + b->size && b->off < a->off + a->size;
}

/* A non-empty area must lie in its memory on sector boundaries. */
static int check_area(const struct fk_area *a, bool required)
{
	if (a->size == 0)
		return required ? FK_EINVAL : FK_OK;
	if (!a->flash || fk_flash_check_range(a->flash, a->off, a->size))
		return FK_ERANGE;
	if (!fk_flash_is_sector_boundary(a->flash, a->off) ||
	    !fk_flash_is_sector_boundary(a->flash, a->off + a->size))
		return FK_EALIGN;
	return FK_OK;
}

/* Every area the boot code may write, plus the bootloader's. */
static uint32_t list_areas(const struct fk_boot_config *cfg,
			   const struct fk_area **out)
{
	uint32_t n = 0;

	out[n++] = &cfg->bootloader;
	out[n++] = &cfg->state;
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		out[n++] = &cfg->images[i].primary;
		out[n++] = &cfg->images[i].secondary;
		out[n++] = &cfg->images[i].factory;
	}
	return n;
}

static int check_buffer(const struct fk_boot_config *cfg,
			const struct fk_area *const *areas, uint32_t n)
{
	if (!cfg->buf || cfg->buf_len < FK_BOOT_RECORD_MAX)
		return FK_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (areas[i]->size &&
		    cfg->buf_len % (2 * areas[i]->flash->geo.write_unit))
			return FK_EALIGN;
	}
	return FK_OK;
}

int fk_boot_check_config(const struct fk_boot_config *cfg)
{
	const struct fk_area *areas[2 + 3 * FK_BOOT_MAX_IMAGES];
	uint32_t n;
	int rc;

	if (cfg && !bs_strategy_of(cfg) && cfg->strategy >= FK_BOOT_OVERWRITE &&
	    cfg->strategy <= FK_BOOT_XIP)
		return FK_ENOTSUP; /* left out of this build */
	if (!cfg || !bs_strategy_of(cfg) || !cfg->port.jump || !cfg->keys ||
	    cfg->image_count == 0 || cfg->image_count > FK_BOOT_MAX_IMAGES ||
	    cfg->trial_boots == 0 || cfg->trial_boots > 200)
		return FK_EINVAL;
	n = list_areas(cfg, areas);
	for (uint32_t i = 0; i < n; i++) {
		/* bootloader and factory may be absent */
		rc = check_area(areas[i], i != 0 && (i < 2 || (i - 2) % 3 != 2));
		if (rc != FK_OK)
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			if (overlaps(areas[i], areas[j]))
				return FK_EINVAL;
		}
	}
	rc = check_buffer(cfg, areas, n);
	if (rc != FK_OK)
		return rc;
	if (bs_max_groups(cfg) == 0)
		return FK_ENOSPC;
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct bp_plan plan;

		rc = bp_plan(cfg, i, &plan);
		if (rc != FK_OK)
			return rc;
	}
	return FK_OK;
}
