/*
 * The update API's boot-state side for a product whose bootloader keeps
 * the flag state (FK_BOOT_FLAGS; fk_boot_flags(), flags.h): what
 * upload.c and app.c do over the log, for the one image, over the flag
 * state. A product built with FK_BOOT_FLAGS links this file instead of
 * upload.c and app.c; without it the file is empty. The same refusals as
 * the lite API (lite_app.c): images other than 0 (FK_EINVAL), images
 * encrypted or hashed other than with SHA-256 (FK_ENOTSUP), DEPENDENCY
 * TLVs (FK_EDEPEND), OVERWRITE in TEST mode (FK_ENOTSUP).
 *
 * Power-loss invariant: flags.h's. An update cycle begins by erasing the
 * state area (XIP: after erasing the first sector of the slot about to
 * be filled, so an empty state's choice of the newest valid image never
 * picks it) and programming HEADER; a cut leaves the state empty or the
 * cycle begun with nothing received. Every other change is one unit.
 */
#ifdef FK_BOOT_FLAGS
#include <string.h>

#include "flashkit/update.h"

#include "flags.h"

static int read_state(const struct fk_boot_config *cfg, uint32_t image,
		      struct bf_state *st)
{
	if (!cfg || image != 0)
		return FK_EINVAL;
	return bf_read(cfg, st);
}

/* An upload of the cycle is open: begun, and not yet installed, refused
 * or reverted. */
static bool upload_open(const struct fk_boot_config *cfg,
			const struct bf_state *st)
{
	enum fk_boot_phase p = bf_phase(cfg, st);

	return st->header &&
	       !(st->set &
		 (1u << BF_REFUSED | 1u << BF_DONE | 1u << BF_REVERTED)) &&
	       (p == FK_BOOT_IDLE || p == FK_BOOT_PENDING);
}

/* Where the upload goes, the largest image, and how often it records a
 * sync point: the SYNC units spread over the largest image. */
static void window(const struct fk_boot_config *cfg, const struct bf_state *st,
		   struct fk_boot_upload *out)
{
	out->dest = *bf_staging(cfg, st);
	out->max_size = bf_max_size(cfg);
	out->sync_span = (out->max_size + BF_SYNCS - 1) / BF_SYNCS;
}

/* The state area's sectors that hold the flags. */
static int erase_state(const struct fk_boot_config *cfg,
		       const struct bf_state *st)
{
	uint32_t end = 0;
	struct fk_sector s;
	int rc = FK_OK;

	while (rc == FK_OK && end < st->units * st->unit) {
		rc = fk_area_sector_at(&cfg->state, end, &s);
		end = s.off + s.size;
	}
	return rc == FK_OK ? bio_erase(cfg, &cfg->state, 0, end) : rc;
}

int fk_boot_upload_begin(const struct fk_boot_config *cfg, uint32_t image,
			 struct fk_boot_upload *out)
{
	struct bf_state st;
	struct fk_sector first;
	enum fk_boot_phase p;
	int rc = out ? read_state(cfg, image, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	p = bf_phase(cfg, &st);
	if (p != FK_BOOT_IDLE && p != FK_BOOT_PENDING)
		return FK_ESTATE;
	st.target = (uint8_t)(IS_XIP(cfg) ? 1 - bf_active(cfg, &st) : 0);
	window(cfg, &st, out);
	out->erased = 0;
	if (IS_XIP(cfg)) {
		rc = fk_area_sector_at(&out->dest, 0, &first);
		if (rc == FK_OK)
			rc = bio_erase(cfg, &out->dest, 0, first.size);
		if (rc != FK_OK)
			return rc;
		out->erased = first.size;
	}
	rc = erase_state(cfg, &st);
	if (rc != FK_OK)
		return rc;
	return bf_put(cfg, &st, BF_HEADER, 0x46534600u | st.target);
}

int fk_boot_upload_resume(const struct fk_boot_config *cfg, uint32_t image,
			  struct fk_boot_upload *out, uint32_t *offset)
{
	struct bf_state st;
	int rc = out && offset ? read_state(cfg, image, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	if (!upload_open(cfg, &st))
		return FK_ENOENT;
	window(cfg, &st, out);
	*offset = st.sync;
	out->erased = st.sync;
	return FK_OK;
}

/* A progress unit: dropped when none is left. */
int fk_boot_upload_sync(const struct fk_boot_config *cfg, uint32_t image,
			uint32_t programmed)
{
	struct bf_state st;
	int rc = read_state(cfg, image, &st);

	if (rc != FK_OK || !upload_open(cfg, &st) || st.syncs >= BF_SYNCS)
		return rc;
	return bf_put(cfg, &st, BF_SYNC + st.syncs, programmed);
}

int fk_boot_upload_staged(const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_area *dest, uint32_t programmed)
{
	struct fk_image_lite info;
	struct bf_state st;
	int rc = read_state(cfg, image, &st);

	if (rc == FK_OK)
		rc = bl_check_staged(cfg, dest, programmed, &info);
	if (rc != FK_OK)
		return rc;
	if (!upload_open(cfg, &st))
		return FK_ESTATE;
	if (st.staged && st.len == info.end &&
	    !memcmp(st.digest, info.digest, BS_DIGEST_PREFIX))
		return FK_OK;
	/* all records used (cuts while writing them): a new cycle */
	if (st.stages >= BF_STAGES)
		return FK_ESTATE;
	return bf_put_staged(cfg, &st, info.end, info.digest);
}

int fk_boot_confirm(const struct fk_boot_config *cfg)
{
	struct bf_state st;
	int rc = read_state(cfg, 0, &st);

	if (rc != FK_OK || bf_phase(cfg, &st) != FK_BOOT_TRIAL)
		return rc;
	return bf_put(cfg, &st, BF_AT(BF_DONE), 1);
}

int fk_boot_set_pending(const struct fk_boot_config *cfg, uint32_t mask,
			enum fk_boot_mode mode)
{
	struct bf_state st;
	int rc;

	if (!cfg || mask != 1 ||
	    (mode != FK_BOOT_TEST && mode != FK_BOOT_PERMANENT))
		return FK_EINVAL;
	if (cfg->strategy == FK_BOOT_OVERWRITE && mode == FK_BOOT_TEST)
		return FK_ENOTSUP;
	rc = bf_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (bf_phase(cfg, &st) != FK_BOOT_IDLE || !upload_open(cfg, &st) ||
	    !st.staged)
		return FK_ESTATE;
	rc = bf_check_pending(cfg, &st);
	if (rc != FK_OK)
		return rc;
	return bf_put(cfg, &st,
		      BF_AT(mode == FK_BOOT_TEST ? BF_PENDING_TEST :
						   BF_PENDING_PERMANENT),
		      1);
}

int fk_boot_status(const struct fk_boot_config *cfg, struct fk_boot_status *out)
{
	struct bf_state st;
	int rc = out ? read_state(cfg, 0, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->phase = bf_phase(cfg, &st);
	out->mode = BF_HAS(&st, BF_PENDING_PERMANENT) ? FK_BOOT_PERMANENT :
							FK_BOOT_TEST;
	out->mask = out->phase != FK_BOOT_IDLE;
	out->attempts = st.attempts;
	/* the slot a boot takes: the target's while it is pending or on
	 * trial (as the lite API says) */
	if (IS_XIP(cfg))
		out->xip_active = out->phase == FK_BOOT_IDLE ?
					  (uint32_t)bf_active(cfg, &st) :
					  st.target;
	out->last_refusal = BF_HAS(&st, BF_REFUSED) ? st.reason : 0;
	out->records_total = st.units;
	return FK_OK;
}

uint32_t fk_boot_staging_offset(const struct fk_boot_config *cfg,
				uint32_t image)
{
	(void)cfg;
	(void)image;
	return 0;
}

uint32_t fk_boot_max_image_size(const struct fk_boot_config *cfg,
				uint32_t image)
{
	struct bf_state st;

	/* no flash read: the layout tools ask it of a configuration whose
	 * memories have no driver */
	return cfg && image == 0 && bf_geometry(cfg, &st) == FK_OK ?
		       bf_max_size(cfg) :
		       0;
}
#endif
