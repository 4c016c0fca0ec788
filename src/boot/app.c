/*
 * The boot API the application calls (fk_boot_confirm, fk_boot_set_pending,
 * fk_boot_status) and the staging slot's plan. The application and the
 * bootloader read the same boot state log; the application only ever
 * appends PENDING and CONFIRMED records, each a single program, so a cut
 * leaves the state before or after it. A lite build (FK_BOOT_LITE) has
 * lite_app.c instead; the configuration check is config.c.
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
	if (mask == 0 || (mask & ~all) || (bs_two_slots(cfg) && mask != all) ||
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

int fk_boot_status(const struct fk_boot_config *cfg, struct fk_boot_status *out)
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
	out->xip_active =
		bs_two_slots(cfg) ? (uint32_t)bs_xip_active(cfg, &st) : 0;
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
