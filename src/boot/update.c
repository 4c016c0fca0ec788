/*
 * Receiving an image into the staging slot (flashkit/update.h): the bytes
 * are buffered to whole write units and programmed; the boot state's side
 * (where the image goes, the records) is in upload.c.
 *
 * Sectors of the destination are erased only when the data reaches them.
 * Before erasing the sector at offset x, when x is at least sync_span
 * bytes past the last sync point, the upload records SYNC(x): every byte
 * below x is programmed. fk_update_resume() continues from the last SYNC,
 * and the sectors from there on are erased again as the data reaches
 * them, so whatever a cut left in them does not matter; or
 * fk_update_keep() takes the image's bytes the sector at the sync point
 * already holds (the caller checked their digest; on NOR it programs them
 * once more, which completes a program the cut tore).
 *
 * Write units of erased-value bytes in the image are not programmed
 * (bio_program_data): they read right as erased, and a programmed
 * one would read erased while refusing a later program on program-once
 * flash.
 */
#include <string.h>

#include "flashkit/update.h"

#include "boot_internal.h"

static void setup(struct fk_update *u, const struct fk_boot_config *cfg,
		  uint32_t image, const struct fk_boot_upload *up,
		  uint32_t from)
{
	memset(u, 0, sizeof(*u));
	u->cfg = cfg;
	u->image = image;
	u->dest = up->dest;
	u->programmed = from;
	u->erased_to = up->erased > from ? up->erased : from;
	u->last_sync = from;
	u->unit = up->dest.flash->geo.write_unit;
	u->sync_span = up->sync_span;
}

int fk_update_begin(struct fk_update *u, const struct fk_boot_config *cfg,
		    uint32_t image)
{
	struct fk_boot_upload up;
	int rc = u ? fk_boot_upload_begin(cfg, image, &up) : FK_EINVAL;

	if (rc == FK_OK)
		setup(u, cfg, image, &up, 0);
	return rc;
}

int fk_update_resume(struct fk_update *u, const struct fk_boot_config *cfg,
		     uint32_t image, uint32_t *offset)
{
	struct fk_boot_upload up;
	int rc = u ? fk_boot_upload_resume(cfg, image, &up, offset) : FK_EINVAL;

	if (rc == FK_OK)
		setup(u, cfg, image, &up, *offset);
	return rc;
}

/* Erases the next sector of dest, recording a sync point first when due
 * (u->programmed == u->erased_to here). */
static int open_sector(struct fk_update *u)
{
	struct fk_sector s;
	int rc = FK_OK;

	if (u->programmed - u->last_sync >= u->sync_span) {
		rc = fk_boot_upload_sync(u->cfg, u->image, u->programmed);
		if (rc == FK_OK)
			u->last_sync = u->programmed;
	}
	if (rc == FK_OK)
		rc = fk_area_sector_at(&u->dest, u->erased_to, &s);
	if (rc == FK_OK)
		rc = bio_erase(u->cfg, &u->dest, s.off, s.size);
	if (rc == FK_OK)
		u->erased_to = s.off + s.size;
	return rc;
}

/* Programs n bytes (a multiple of the write unit) at u->programmed. */
static int put(struct fk_update *u, const uint8_t *data, uint32_t n)
{
	while (n > 0) {
		uint32_t room = u->erased_to - u->programmed;
		int rc;

		if (room == 0) {
			rc = open_sector(u);
			if (rc != FK_OK)
				return rc;
			continue;
		}
		if (room > n)
			room = n;
		rc = bio_program_data(u->cfg, &u->dest, u->programmed, data,
				      room);
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

/* True when area offset off is the start of a sector of a, or its end. */
static bool at_sector_boundary(const struct fk_area *a, uint32_t off)
{
	struct fk_sector s;

	if (off == a->size)
		return true;
	return fk_area_sector_at(a, off, &s) == FK_OK && s.off == off;
}

int fk_update_skip(struct fk_update *u, uint32_t off, uint32_t len)
{
	if (!u || !u->cfg || u->held || off != u->programmed ||
	    u->erased_to != u->programmed)
		return FK_EINVAL;
	if (len > u->dest.size - off)
		return FK_ENOSPC;
	if (!at_sector_boundary(&u->dest, off) ||
	    !at_sector_boundary(&u->dest, off + len))
		return FK_EINVAL;
	u->programmed = off + len;
	u->erased_to = off + len;
	return FK_OK;
}

/*
 * The bytes already in the sector at off. On NOR they are programmed a
 * second time with what they hold (bio_copy onto itself: erased units are
 * left alone), so a program a cut tore there is completed before the
 * upload goes on; program-once units cannot be, and need not: a torn one
 * reads as an ECC error, which the caller's digest refuses.
 */
int fk_update_keep(struct fk_update *u, uint32_t off, uint32_t len)
{
	struct fk_sector s;
	int rc;

	if (!u || !u->cfg || u->held || off != u->programmed ||
	    u->erased_to != u->programmed || len == 0 || len % u->unit)
		return FK_EINVAL;
	rc = fk_area_sector_at(&u->dest, off, &s);
	if (rc != FK_OK)
		return rc;
	if (s.off != off || len > s.size)
		return FK_EINVAL;
	rc = len == s.size ?
		     1 :
		     fk_area_is_erased(&u->dest, off + len, s.size - len,
				       u->cfg->buf, u->cfg->buf_len);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return FK_ENOTERASED;
	if (!u->dest.flash->geo.program_once)
		rc = bio_copy(u->cfg, &u->dest, off, &u->dest, off, len);
	else
		rc = FK_OK;
	if (rc != FK_OK)
		return rc;
	u->programmed = off + len;
	u->erased_to = s.off + s.size;
	return FK_OK;
}

int fk_update_finish(struct fk_update *u)
{
	int rc;

	if (!u || !u->cfg)
		return FK_EINVAL;
	if (u->held) {
		memset(u->tail + u->held, u->dest.flash->geo.erased_value,
		       u->unit - u->held);
		rc = put(u, u->tail, u->unit);
		if (rc != FK_OK)
			return rc;
		u->held = 0;
	}
	return fk_boot_upload_staged(u->cfg, u->image, &u->dest, u->programmed);
}
