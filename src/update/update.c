/*
 * Receiving an image into the staging slot (flashkit/update.h).
 *
 * Sectors of the destination are erased only when the data reaches them.
 * Before erasing the sector at offset x, when x is at least span bytes
 * past the last sync point, the upload records SYNC(x): every byte below
 * x is programmed. fk_update_resume() continues from the last SYNC, and
 * the sectors from there on are erased again as the data reaches them,
 * so whatever a cut left in them does not matter.
 */
#include <string.h>

#include "flashkit/update.h"

#include "../boot/boot_internal.h"

static void setup(struct fk_update *u, const struct fk_boot_config *cfg,
		  uint32_t image, const struct fk_area *dest, uint32_t from)
{
	struct bp_plan plan;

	memset(u, 0, sizeof(*u));
	u->cfg = cfg;
	u->image = image;
	u->dest = *dest;
	u->programmed = from;
	u->erased_to = from;
	u->last_sync = from;
	u->unit = dest->flash->geo.write_unit;
	u->sync_span = bp_plan(cfg, image, &plan) == FK_OK ? plan.span :
							     dest->size;
}

/* XIP: the slot not running; others: the staging window. */
static int destination(const struct fk_boot_config *cfg, struct bs_state *st,
		       uint32_t image, struct fk_area *dest)
{
	if (cfg->strategy == FK_BOOT_XIP)
		st->xip_target[image] = (uint8_t)(1 - bs_xip_running(cfg, st));
	return bc_staging_window(cfg, st, image, dest);
}

int fk_update_begin(struct fk_update *u, const struct fk_boot_config *cfg,
		    uint32_t image)
{
	struct bs_state st;
	struct fk_area dest;
	struct fk_sector first;
	uint8_t target;
	bool fresh;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK && (!u || image >= cfg->image_count))
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (st.phase != FK_BOOT_IDLE && st.phase != FK_BOOT_PENDING)
		return FK_ESTATE;
	rc = destination(cfg, &st, image, &dest);
	if (rc == FK_OK)
		rc = fk_area_sector_at(&dest, 0, &first);
	if (rc != FK_OK)
		return rc;
	target = st.xip_target[image];
	fresh = !st.log.header ||
		(st.upload_mask == 0 &&
		 st.log.slots - st.log.next < bs_cycle_slots(cfg));
	if (fresh) {
		/* An empty log must never elect what is in dest. */
		rc = bio_erase(cfg, &dest, 0, first.size);
		if (rc == FK_OK)
			rc = bs_reset(cfg, &st);
		if (rc != FK_OK)
			return rc;
	}
	rc = bs_append(cfg, &st,
		       &(struct bs_rec){ .type = BS_REC_UPLOAD,
					 .image = (uint8_t)image,
					 .arg = target },
		       true);
	if (rc != FK_OK)
		return rc;
	setup(u, cfg, image, &dest, 0);
	if (fresh)
		u->erased_to = first.size;
	return FK_OK;
}

int fk_update_resume(struct fk_update *u, const struct fk_boot_config *cfg,
		     uint32_t image, uint32_t *offset)
{
	struct bs_state st;
	struct fk_area dest;
	int rc = fk_boot_check_config(cfg);

	if (rc == FK_OK && (!u || !offset || image >= cfg->image_count))
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (!(st.upload_mask & (1u << image)) ||
	    (st.phase != FK_BOOT_IDLE && st.phase != FK_BOOT_PENDING))
		return FK_ENOENT;
	rc = bc_staging_window(cfg, &st, image, &dest);
	if (rc != FK_OK)
		return rc;
	setup(u, cfg, image, &dest, st.sync[image]);
	*offset = st.sync[image];
	return FK_OK;
}

/* Records a sync point at u->programmed (== u->erased_to) when due. */
static int maybe_sync(struct fk_update *u)
{
	struct bs_state st;
	int rc;

	if (u->programmed - u->last_sync < u->sync_span)
		return FK_OK;
	rc = bs_read(u->cfg, &st);
	if (rc == FK_OK)
		rc = bs_append(u->cfg, &st,
			       &(struct bs_rec){ .type = BS_REC_SYNC,
						 .image = (uint8_t)u->image,
						 .value = u->programmed },
			       false);
	if (rc == FK_OK)
		u->last_sync = u->programmed;
	return rc;
}

/* Programs n bytes (a multiple of the write unit) at u->programmed,
 * erasing each sector when the data first reaches it. */
static int put(struct fk_update *u, const uint8_t *data, uint32_t n)
{
	while (n > 0) {
		uint32_t room = u->erased_to - u->programmed;
		int rc;

		if (room == 0) {
			struct fk_sector s;

			rc = maybe_sync(u);
			if (rc == FK_OK)
				rc = fk_area_sector_at(&u->dest, u->erased_to, &s);
			if (rc == FK_OK)
				rc = bio_erase(u->cfg, &u->dest, s.off, s.size);
			if (rc != FK_OK)
				return rc;
			u->erased_to = s.off + s.size;
			continue;
		}
		if (room > n)
			room = n;
		if (u->cfg->port.kick)
			u->cfg->port.kick(u->cfg->port.ctx);
		rc = fk_area_program(&u->dest, u->programmed, data, room);
		if (rc != FK_OK)
			return rc;
		u->programmed += room;
		data += room;
		n -= room;
	}
	return FK_OK;
}

int fk_update_write(struct fk_update *u, uint32_t off, const void *data,
		    uint32_t len)
{
	const uint8_t *p = data;
	int rc;

	if (!u || !u->cfg || (!data && len) || off != u->programmed + u->held)
		return FK_EINVAL;
	if (len > u->dest.size - off)
		return FK_ENOSPC;
	if (u->held) {
		uint32_t n = u->unit - u->held < len ? u->unit - u->held : len;

		memcpy(u->tail + u->held, p, n);
		u->held += n;
		p += n;
		len -= n;
		if (u->held < u->unit)
			return FK_OK;
		rc = put(u, u->tail, u->unit);
		u->held = 0;
		if (rc != FK_OK)
			return rc;
	}
	rc = put(u, p, len / u->unit * u->unit);
	if (rc != FK_OK)
		return rc;
	u->held = len % u->unit;
	memcpy(u->tail, p + (len - u->held), u->held);
	return FK_OK;
}

int fk_update_finish(struct fk_update *u)
{
	const struct fk_boot_config *cfg;
	struct fk_image_info info;
	struct bs_state st;
	struct bs_rec rec = { .type = BS_REC_STAGED };
	int rc;

	if (!u || !u->cfg)
		return FK_EINVAL;
	cfg = u->cfg;
	if (u->held) {
		memset(u->tail + u->held, u->dest.flash->geo.erased_value,
		       u->unit - u->held);
		rc = put(u, u->tail, u->unit);
		if (rc != FK_OK)
			return rc;
		u->held = 0;
	}
	rc = bc_validate(cfg, &u->dest, &info);
	if (rc == FK_OK && info.end > fk_boot_max_image_size(cfg, u->image))
		rc = FK_ENOSPC;
	if (rc == FK_OK && info.end > u->programmed)
		rc = FK_EBADIMG;
	if (rc == FK_OK)
		rc = bs_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (!(st.upload_mask & (1u << u->image)))
		return FK_ESTATE;
	rec.image = (uint8_t)u->image;
	memcpy(rec.payload, info.digest, BS_DIGEST_PREFIX);
	return bs_append(cfg, &st, &rec, true);
}
