/*
 * The update API's boot-state side for a product on the lite core
 * (FK_BOOT_LITE): what upload.c and app.c do for the full core, for the
 * one image a lite bootloader boots, over lite_state.c's replay. A lite
 * bootloader's serial recovery (ports/boot/boot_serial.c, the receiver of
 * src/transport/) calls these through update.c, and so may an application
 * whose bootloader is lite. The records, their order and the log they
 * leave are upload.c's and app.c's (docs/boot-state.md), so either core
 * reads them. A lite build links this file instead of upload.c and app.c;
 * without FK_BOOT_LITE, or with FK_BOOT_FLAGS (flags_app.c's), it is
 * empty.
 *
 * Left out against the full API: images other than 0 (FK_EINVAL), the
 * run-time configuration check (a lite bootloader's configuration is
 * checked when it is built: boot_config_<program>), images encrypted or
 * hashed other than with SHA-256 (fk_image_check_lite: FK_ENOTSUP), and
 * dependencies: fk_boot_set_pending() refuses a staged image with
 * DEPENDENCY TLVs (FK_EDEPEND), as the lite core would at its install.
 *
 * Power-loss invariant (upload.c's): every change is one record
 * programmed into erased space after what it describes. A fresh log
 * (erase, header) is started only when the log holds nothing to keep: no
 * header, or less room than one update cycle outside a trial or install.
 * XIP first invalidates the slot about to be written (its first sector
 * erased) and closes an upload of it still open, so a cut between the two
 * never leaves the empty log's newest valid image in a slot being filled.
 */
#if defined(FK_BOOT_LITE) && !defined(FK_BOOT_FLAGS)
#include <string.h>

#include "flashkit/image_lite.h"
#include "flashkit/update.h"

#include "lite.h"

static int read_log(const struct fk_boot_config *cfg, uint32_t image,
		    struct bl_state *st)
{
	if (!cfg || image != 0)
		return FK_EINVAL;
	return bl_read(cfg, st);
}

/* An upload starts or goes on only with nothing installing or on trial. */
static bool upload_phase(const struct bl_state *st)
{
	return st->phase == FK_BOOT_IDLE || st->phase == FK_BOOT_PENDING;
}

/* Where the upload goes, the largest image, and how often it records a
 * sync point: a group's span, so that an upload writes no more SYNC
 * records than one cycle has room for (bp_plan()'s span). */
static int window(const struct fk_boot_config *cfg, const struct bl_state *st,
		  struct fk_boot_upload *out)
{
	uint32_t groups = bl_max_groups(cfg, st);
	struct bp_plan plan;
	int rc = bl_staging(cfg, st, &out->dest, &plan);

	out->max_size = rc == FK_OK ? plan.max_size : 0;
	out->sync_span = out->dest.size;
	if (groups)
		out->sync_span = bp_span(cfg->images[0].primary.size, groups);
	return rc;
}

/* XIP: the slot running now (the one a pending install leaves). */
static int running_slot(const struct fk_boot_config *cfg,
			const struct bl_state *st)
{
	if (st->phase == FK_BOOT_PENDING)
		return 1 - st->target;
	return bl_xip_active(cfg, st);
}

/* A fresh log for a new update cycle (upload.c's fresh_log()). */
static int fresh_log(const struct fk_boot_config *cfg, struct bl_state *st,
		     struct fk_boot_upload *out)
{
	struct fk_sector first;
	int rc = FK_OK;

	if (IS_XIP(cfg)) {
		if (st->header && st->upload)
			rc = bl_append(cfg, st, BS_REC_UPLOAD, st->target, 0);
		if (rc == FK_OK)
			rc = fk_area_sector_at(&out->dest, 0, &first);
		if (rc == FK_OK)
			rc = bio_erase(cfg, &out->dest, 0, first.size);
		if (rc != FK_OK)
			return rc;
		out->erased = first.size;
	}
	return bl_reset(cfg, st);
}

int fk_boot_upload_begin(const struct fk_boot_config *cfg, uint32_t image,
			 struct fk_boot_upload *out)
{
	struct bl_state st;
	uint8_t target;
	int rc = out ? read_log(cfg, image, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	if (!upload_phase(&st))
		return FK_ESTATE;
	if (IS_XIP(cfg))
		st.target = (uint8_t)(1 - running_slot(cfg, &st));
	/* kept apart: a fresh log clears st */
	target = st.target;
	rc = window(cfg, &st, out);
	if (rc != FK_OK)
		return rc;
	out->erased = 0;
	if (!st.header || st.slots - st.next < bl_cycle_slots(cfg, &st))
		rc = fresh_log(cfg, &st, out);
	if (rc != FK_OK)
		return rc;
	return bl_append(cfg, &st, BS_REC_UPLOAD, target, 0);
}

int fk_boot_upload_resume(const struct fk_boot_config *cfg, uint32_t image,
			  struct fk_boot_upload *out, uint32_t *offset)
{
	struct bl_state st;
	int rc = out && offset ? read_log(cfg, image, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	if (!st.upload || !upload_phase(&st))
		return FK_ENOENT;
	rc = window(cfg, &st, out);
	if (rc != FK_OK)
		return rc;
	*offset = st.sync;
	out->erased = st.sync;
	return FK_OK;
}

/* A progress record: dropped without a log, or with only the reserve
 * left (state.c's non-essential records). */
int fk_boot_upload_sync(const struct fk_boot_config *cfg, uint32_t image,
			uint32_t programmed)
{
	struct bl_state st;
	int rc = read_log(cfg, image, &st);

	if (rc != FK_OK || !st.header ||
	    st.slots - st.next <= bs_reserve_slots(cfg))
		return rc;
	return bl_append(cfg, &st, BS_REC_SYNC, 0, programmed);
}

int fk_boot_upload_staged(const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_area *dest, uint32_t programmed)
{
	struct fk_image_lite info;
	struct bl_state st;
	int rc = read_log(cfg, image, &st);

	if (rc == FK_OK)
		rc = bl_check_staged(cfg, dest, programmed, &info);
	if (rc != FK_OK)
		return rc;
	if (!st.upload)
		return FK_ESTATE;
	/* A full log is compacted first (as bl_append() would), so that
	 * the summary it writes leaves the new digest in st for STAGED. Here
	 * rather than in bl_append(): only the update API writes STAGED, so
	 * a bootloader without it carries none of this. */
	rc = bl_make_room(cfg, &st, 1);
	if (rc != FK_OK)
		return rc;
	memcpy(st.digest, info.digest, BS_DIGEST_PREFIX);
	return bl_append(cfg, &st, BS_REC_STAGED, 0, 0);
}

int fk_boot_confirm(const struct fk_boot_config *cfg)
{
	struct bl_state st;
	int rc = read_log(cfg, 0, &st);

	if (rc != FK_OK || st.phase != FK_BOOT_TRIAL)
		return rc;
	return bl_append(cfg, &st, BS_REC_CONFIRMED, 0, st.target);
}

int fk_boot_set_pending(const struct fk_boot_config *cfg, uint32_t mask,
			enum fk_boot_mode mode)
{
	struct bl_state st;
	uint32_t len;
	int rc;

	if (!cfg || mask != 1 ||
	    (mode != FK_BOOT_TEST && mode != FK_BOOT_PERMANENT))
		return FK_EINVAL;
	if (cfg->strategy == FK_BOOT_OVERWRITE && mode == FK_BOOT_TEST)
		return FK_ENOTSUP;
	rc = bl_read(cfg, &st);
	if (rc != FK_OK)
		return rc;
	if (st.phase != FK_BOOT_IDLE || !st.upload || !st.staged)
		return FK_ESTATE;
	st.mask = 1;
	rc = bl_check_pending(cfg, &st, &len);
	if (rc != FK_OK)
		return rc;
	return bl_append(cfg, &st, BS_REC_PENDING, (uint16_t)mode, mask);
}

int fk_boot_status(const struct fk_boot_config *cfg, struct fk_boot_status *out)
{
	struct bl_state st;
	int rc = out ? read_log(cfg, 0, &st) : FK_EINVAL;

	if (rc != FK_OK)
		return rc;
	out->phase = (enum fk_boot_phase)st.phase;
	out->mode = (enum fk_boot_mode)st.mode;
	out->mask = st.mask;
	out->attempts = st.attempts;
	out->xip_active = IS_XIP(cfg) ? (uint32_t)bl_xip_active(cfg, &st) : 0;
	out->last_refusal = -(int)st.refused;
	out->records_used = st.next;
	out->records_total = st.slots;
	return FK_OK;
}

/* An empty log's view: the staging window does not depend on the state
 * but for XIP, whose slots are the same size. */
static int plan_of(const struct fk_boot_config *cfg, uint32_t image,
		   struct bp_plan *plan)
{
	struct bl_state st;
	struct fk_area win;
	int rc = cfg && image == 0 ? bl_geometry(cfg, &st) : FK_EINVAL;

	return rc == FK_OK ? bl_staging(cfg, &st, &win, plan) : rc;
}

uint32_t fk_boot_staging_offset(const struct fk_boot_config *cfg,
				uint32_t image)
{
	struct bp_plan plan;

	return plan_of(cfg, image, &plan) == FK_OK ? plan.offset : 0;
}

uint32_t fk_boot_max_image_size(const struct fk_boot_config *cfg,
				uint32_t image)
{
	struct bp_plan plan;

	return plan_of(cfg, image, &plan) == FK_OK ? plan.max_size : 0;
}
#endif
