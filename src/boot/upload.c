/*
 * The boot state's side of an upload (flashkit/boot.h, "uploads"): where
 * the image goes, and the UPLOAD, SYNC and STAGED records. src/update/
 * streams the bytes and calls these; only this file and the rest of
 * src/boot/ know the log.
 */
#include <string.h>

#include "boot_internal.h"

static int upload_window(const struct fk_boot_config *cfg, struct bs_state *st,
			 uint32_t image, struct fk_boot_upload *out)
{
	struct bp_plan plan;
	int rc = bc_staging_window(cfg, st, image, &out->dest);

	if (rc == FK_OK)
		rc = bp_plan(cfg, image, &plan);
	out->sync_span = rc == FK_OK ? plan.span : out->dest.size;
	out->max_size = rc == FK_OK ? plan.max_size : 0;
	return rc;
}

/*
 * A fresh log for a new update cycle. XIP boots the newest valid image
 * when the log is empty, so the slot about to be filled is invalidated
 * before the log is emptied; and an upload of it still open in the old log
 * is closed first, so a cut between the two never leaves fk_update_resume
 * pointing past an erased sector. Other strategies boot the primary slots
 * on an empty log and erase the staging sectors as the data reaches them.
 */
static int fresh_log(const struct fk_boot_config *cfg, struct bs_state *st,
		     uint32_t image, struct fk_boot_upload *out)
{
	struct fk_sector first;
	int rc = FK_OK;

	if (bs_two_slots(cfg)) {
		if (st->log.header && (st->upload_mask & (1u << image)))
			rc = bs_append(cfg, st,
				       &(struct bs_rec){
					       .type = BS_REC_UPLOAD,
					       .image = (uint8_t)image,
					       .arg = st->xip_target[image] },
				       true);
		if (rc == FK_OK)
			rc = fk_area_sector_at(&out->dest, 0, &first);
		if (rc == FK_OK)
			rc = bio_erase(cfg, &out->dest, 0, first.size);
		if (rc != FK_OK)
			return rc;
		out->erased = first.size;
	}
	return bs_reset(cfg, st);
}

/* The log restarts when it holds nothing to keep (no header, or no other
 * image's upload open) and has less room than one update cycle: every
 * cycle then starts with room for all of itself, and compaction is left
 * to the cuts the reserve is for (docs/boot-state.md, "Capacity"). */
static bool wants_fresh_log(const struct fk_boot_config *cfg,
			    const struct bs_state *st, uint32_t image)
{
	uint32_t others = st->upload_mask & ~(1u << image);

	return !st->log.header || (others == 0 && st->log.slots - st->log.next <
							  bs_cycle_slots(cfg));
}

int fk_boot_upload_begin(const struct fk_boot_config *cfg, uint32_t image,
			 struct fk_boot_upload *out)
{
	struct bs_state st;
	uint8_t target;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK && (!out || image >= cfg->image_count))
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (st.phase != FK_BOOT_IDLE && st.phase != FK_BOOT_PENDING)
		return FK_ESTATE;
	if (bs_two_slots(cfg))
		st.xip_target[image] = (uint8_t)(1 - bs_xip_running(cfg, &st));
	target = st.xip_target[image];
	rc = upload_window(cfg, &st, image, out);
	if (rc != FK_OK)
		return rc;
	out->erased = 0;
	if (wants_fresh_log(cfg, &st, image))
		rc = fresh_log(cfg, &st, image, out);
	if (rc != FK_OK)
		return rc;
	return bs_append(cfg, &st,
			 &(struct bs_rec){ .type = BS_REC_UPLOAD,
					   .image = (uint8_t)image,
					   .arg = target },
			 true);
}

int fk_boot_upload_resume(const struct fk_boot_config *cfg, uint32_t image,
			  struct fk_boot_upload *out, uint32_t *offset)
{
	struct bs_state st;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK && (!out || !offset || image >= cfg->image_count))
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (!(st.upload_mask & (1u << image)) ||
	    (st.phase != FK_BOOT_IDLE && st.phase != FK_BOOT_PENDING))
		return FK_ENOENT;
	rc = upload_window(cfg, &st, image, out);
	if (rc != FK_OK)
		return rc;
	*offset = st.sync[image];
	out->erased = st.sync[image];
	return FK_OK;
}

int fk_boot_upload_sync(const struct fk_boot_config *cfg, uint32_t image,
			uint32_t programmed)
{
	struct bs_state st;
	int rc = bs_read(cfg, &st);

	if (rc != FK_OK)
		return rc;
	return bs_append(cfg, &st,
			 &(struct bs_rec){ .type = BS_REC_SYNC,
					   .image = (uint8_t)image,
					   .value = programmed },
			 false);
}

int fk_boot_upload_staged(const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_area *dest, uint32_t programmed)
{
	struct fk_image_info info;
	struct bs_state st;
	struct bs_rec rec = { .type = BS_REC_STAGED, .image = (uint8_t)image };
	int rc = bc_validate_staged(cfg, dest, &info);

	if (rc == FK_OK && info.end > fk_boot_max_image_size(cfg, image))
		rc = FK_ENOSPC;
	if (rc == FK_OK && info.end > programmed)
		rc = FK_EBADIMG;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (!(st.upload_mask & (1u << image)))
		return FK_ESTATE;
	memcpy(rec.payload, info.digest, BS_DIGEST_PREFIX);
	return bs_append(cfg, &st, &rec, true);
}
