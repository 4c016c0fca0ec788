/*
 * Updates written by other tools: a staging window whose last bytes hold
 * MCUboot's image trailer (boot magic at the very end, image_ok before
 * it) asks for an install, whoever wrote it: dfu-util, OpenOCD, a
 * debugger, mcumgr, `imgtool sign --pad --test|--confirm` or `flashkit
 * image sign --pending` output (docs/boot.md, "Updates written by other
 * tools"). The staging window is the one fk_update_begin() writes: SWAP
 * the staging slot from fk_boot_staging_offset() on, OVERWRITE the whole
 * staging slot, XIP the slot that is not running.
 *
 * The marker only starts the ordinary path: this file writes the same
 * UPLOAD, STAGED and PENDING records fk_update_finish() and
 * fk_boot_set_pending() would, so the install, trial, revert and every
 * refusal after PENDING are the strategies' own.
 *
 * Power-loss invariant: the marker stays until a PENDING (or REFUSED)
 * record for it is on flash, and is erased before anything of its
 * install is written. Its sector holds no image bytes (an image reaching
 * into it is refused), so erasing it is redoable and never changes what
 * was checked. Before PENDING a cut leaves the marker: the next boot
 * detects it again; after PENDING the install erases it first: after
 * the install, a confirmation or a revert, the marker is gone and the
 * image is never installed twice.
 *
 * What this file does not do: write a trailer (the device only reads
 * and erases them), or read MCUboot's swap status and copy_done.
 */
#include <string.h>

#include "boot_internal.h"

#define BM_MAGIC_SIZE 16
#define BM_IMAGE_OK_SET 0x01

/* imgtool's boot magic for a max-align of 8; for 16 and 32 the magic's
 * first two bytes are the max-align (little-endian), then bm_magic_tail. */
static const uint8_t bm_magic8[BM_MAGIC_SIZE] = {
	0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
	0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
static const uint8_t bm_magic_tail[BM_MAGIC_SIZE - 2] = {
	0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
	0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

/* The max-align a magic says, or 0 when it is no boot magic. */
static uint32_t magic_align(const uint8_t *m)
{
	uint32_t align = (uint32_t)m[0] | (uint32_t)m[1] << 8;

	if (memcmp(m, bm_magic8, BM_MAGIC_SIZE) == 0)
		return 8;
	if (memcmp(m + 2, bm_magic_tail, sizeof(bm_magic_tail)) != 0)
		return 0;
	return align == 16 || align == 32 ? align : 0;
}

/* Offset in win of the sector holding the trailer (win's last byte). */
static int trailer_sector(const struct fk_area *win, uint32_t *off)
{
	struct fk_sector s;
	int rc = fk_area_sector_at(win, win->size - 1, &s);

	*off = s.off;
	return rc;
}

/* The marker at the end of win: 0 none, FK_BOOT_TEST (image_ok not set,
 * imgtool's --test or --pad alone), FK_BOOT_PERMANENT (image_ok 0x01,
 * --confirm), or a flash error. A torn unit (ECC) is no marker. */
static int read_marker(const struct fk_area *win)
{
	uint8_t magic[BM_MAGIC_SIZE], ok;
	uint32_t align, ok_off;
	int rc;

	if (win->size < 4 * 32)
		return 0;
	rc = fk_area_read(win, win->size - BM_MAGIC_SIZE, magic, sizeof(magic));
	align = rc == FK_OK ? magic_align(magic) : 0;
	if (rc != FK_OK && rc != FK_EECC)
		return rc;
	if (align == 0)
		return 0;
	/* image_ok: its own max-align unit below the magic's unit(s) */
	ok_off =
		win->size - (BM_MAGIC_SIZE + align - 1) / align * align - align;
	rc = fk_area_read(win, ok_off, &ok, 1);
	if (rc == FK_EECC)
		return 0;
	if (rc != FK_OK)
		return rc;
	return ok == BM_IMAGE_OK_SET ? FK_BOOT_PERMANENT : FK_BOOT_TEST;
}

/* Image 0's markers (read_marker()), slot A's in m[0] and B's in m[1]:
 * FK_OK, or the flash error of the first read that fails. */
static int slot_markers(const struct fk_boot_config *cfg, int m[2])
{
	m[0] = read_marker(&cfg->images[0].primary);
	m[1] = m[0] < 0 ? 0 : read_marker(&cfg->images[0].secondary);
	return m[0] < 0 ? m[0] : m[1] < 0 ? m[1] : FK_OK;
}

/* XIP in IDLE: the slot running now (1 = B). With no choice recorded
 * (an empty log) a slot with a marker is the staging one when the other
 * has none, whatever the versions; otherwise the state decides. m holds
 * image 0's markers as they are on flash (slot_markers()), or is NULL
 * for reading them here. */
static int xip_running(const struct fk_boot_config *cfg,
		       const struct bs_state *st, const int *m)
{
	int own[2], rc;

	if (st->xip_active >= 0)
		return bs_xip_running(cfg, st);
	if (!m) {
		rc = slot_markers(cfg, own);
		if (rc != FK_OK)
			return rc;
		m = own;
	}
	if ((m[0] > 0) != (m[1] > 0))
		return m[0] > 0;
	return bs_xip_running(cfg, st);
}

/* The staging window of image i in state st (see the top of the file);
 * *other (may be NULL) gets XIP's running slot, size 0 otherwise. m:
 * xip_running()'s. */
static int staging_window(const struct fk_boot_config *cfg,
			  const struct bs_state *st, uint32_t i,
			  struct fk_area *out, struct fk_area *other,
			  const int *m)
{
	const struct fk_boot_slots *sl = &cfg->images[i];
	int run;

	if (other)
		memset(other, 0, sizeof(*other));
	if (!bs_two_slots(cfg) || st->phase != FK_BOOT_IDLE)
		return bc_staging_window(cfg, st, i, out);
	run = xip_running(cfg, st, m);
	if (run < 0)
		return run;
	*out = run ? sl->primary : sl->secondary;
	if (other)
		*other = run ? sl->secondary : sl->primary;
	return FK_OK;
}

/* Erases the trailer sector of win (a kick before, as every install op). */
static int erase_trailer(const struct fk_boot_config *cfg,
			 const struct fk_area *win)
{
	uint32_t off;
	int rc = trailer_sector(win, &off);

	if (rc == FK_OK)
		rc = bio_erase(cfg, win, off, win->size - off);
	return rc;
}

/* Erases win's marker unless a parsable image reaches into its sector. */
static int clear_window(const struct fk_boot_config *cfg,
			const struct fk_area *win)
{
	struct fk_image_info info;
	uint32_t off;
	int rc = win->size ? read_marker(win) : 0;

	if (rc <= 0)
		return rc;
	rc = trailer_sector(win, &off);
	if (rc != FK_OK)
		return rc;
	rc = fk_image_parse(win, &info);
	if (rc == FK_OK && info.end > off)
		return FK_OK;
	if (bc_is_flash_error(rc))
		return rc;
	return erase_trailer(cfg, win);
}

int bm_clear(const struct fk_boot_config *cfg, const struct bs_state *st,
	     uint32_t mask)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct fk_area win;
		int rc;

		if (!(mask & (1u << i)))
			continue;
		rc = staging_window(cfg, st, i, &win, NULL, NULL);
		if (rc == FK_OK)
			rc = clear_window(cfg, &win);
		if (rc != FK_OK)
			return rc;
	}
	return FK_OK;
}

/* Image i takes part in detection: no upload with received bytes (a cut
 * in bm_detect() may leave an UPLOAD record of its own, never a SYNC). */
static bool detectable(const struct bs_state *st, uint32_t i)
{
	return !(st->upload_mask & (1u << i)) || st->sync[i] == 0;
}

/* The marked images' windows, and the install mode they ask for: TEST
 * when any asks for a trial, but always PERMANENT on OVERWRITE, which
 * has nothing to revert to (imgtool --overwrite-only never sets
 * image_ok, and MCUboot installs such images for good). XIP: a marker
 * in the running slot is one whose image an empty log elected without
 * an install; it would trigger again once that slot stages, so it goes. */
static int find_marked(const struct fk_boot_config *cfg,
		       const struct bs_state *st, struct fk_area *win,
		       uint32_t *mask, uint16_t *mode)
{
	*mask = 0;
	*mode = FK_BOOT_PERMANENT;
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct fk_area running;
		int m[2], *read = NULL, rc;

		if (!detectable(st, i))
			continue;
		/* XIP with no slot recorded and no marker in either of image
		 * 0's slots: nothing to detect, and no need to elect the
		 * running slot (which validates images) to find that out.
		 * Otherwise the election takes the markers read here. */
		if (i == 0 && bs_two_slots(cfg) && st->xip_active < 0) {
			rc = slot_markers(cfg, m);
			if (rc != FK_OK)
				return rc;
			if (m[0] == 0 && m[1] == 0)
				continue;
			read = m;
		}
		rc = staging_window(cfg, st, i, &win[i], &running, read);
		if (rc == FK_OK)
			rc = clear_window(cfg, &running);
		if (rc == FK_OK)
			rc = read_marker(&win[i]);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		*mask |= 1u << i;
		if (rc == FK_BOOT_TEST && cfg->strategy != FK_BOOT_OVERWRITE)
			*mode = FK_BOOT_TEST;
	}
	return FK_OK;
}

/* A marked image: valid, within the largest image, and below the sector
 * the trailer is in (erasing it must not touch the image). */
static int check_marked(const struct fk_boot_config *cfg,
			const struct fk_area *win, uint32_t i,
			struct fk_image_info *info)
{
	struct bp_plan plan;
	uint32_t off;
	int rc = bc_validate_staged(cfg, win, info);

	if (rc == FK_OK)
		rc = bp_plan(cfg, i, &plan);
	if (rc == FK_OK)
		rc = trailer_sector(win, &off);
	if (rc == FK_OK && (info->end > plan.max_size || info->end > off))
		rc = FK_ENOSPC;
	return rc;
}

static int append(const struct fk_boot_config *cfg, struct bs_state *st,
		  uint8_t type, uint32_t image, uint16_t arg, uint32_t value,
		  const uint8_t *digest)
{
	struct bs_rec rec = { .type = type,
			      .image = (uint8_t)image,
			      .arg = arg,
			      .value = value };

	if (digest)
		memcpy(rec.payload, digest, BS_DIGEST_PREFIX);
	return bs_append(cfg, st, &rec, true);
}

/* Records the refusal (fk_boot_status().last_refusal), then erases the
 * markers: in IDLE the windows hold nothing the device needs (for XIP,
 * an image nobody chose). */
static int refuse(const struct fk_boot_config *cfg, struct bs_state *st,
		  const struct fk_area *win, uint32_t mask, uint16_t mode,
		  int why)
{
	int rc = append(cfg, st, BS_REC_PENDING, 0xFF, mode, mask, NULL);

	if (rc == FK_OK)
		rc = append(cfg, st, BS_REC_REFUSED, 0xFF, 0, (uint32_t)-why,
			    NULL);
	for (uint32_t i = 0; rc == FK_OK && i < cfg->image_count; i++) {
		if (mask & (1u << i))
			rc = erase_trailer(cfg, &win[i]);
	}
	return rc;
}

/* The records fk_update_* and fk_boot_set_pending() would write. */
static int mark_pending(const struct fk_boot_config *cfg, struct bs_state *st,
			uint32_t mask, uint16_t mode,
			uint8_t digest[][BS_DIGEST_PREFIX])
{
	uint16_t target = 0;
	int rc = FK_OK;

	if (bs_two_slots(cfg)) {
		int run = xip_running(cfg, st, NULL);

		if (run < 0)
			return run;
		target = (uint16_t)(1 - run);
	}
	for (uint32_t i = 0; rc == FK_OK && i < cfg->image_count; i++) {
		if (!(mask & (1u << i)))
			continue;
		rc = append(cfg, st, BS_REC_UPLOAD, i, target, 0, NULL);
		if (rc == FK_OK)
			rc = append(cfg, st, BS_REC_STAGED, i, 0, 0, digest[i]);
	}
	if (rc == FK_OK)
		rc = append(cfg, st, BS_REC_PENDING, 0xFF, mode, mask, NULL);
	return rc;
}

int bm_detect(const struct fk_boot_config *cfg, struct bs_state *st)
{
	uint8_t digest[FK_BOOT_MAX_IMAGES][BS_DIGEST_PREFIX];
	struct fk_area win[FK_BOOT_MAX_IMAGES];
	uint32_t mask, all = (1u << cfg->image_count) - 1u;
	uint16_t mode;
	int rc;

	if (st->phase != FK_BOOT_IDLE)
		return FK_OK;
	rc = find_marked(cfg, st, win, &mask, &mode);
	/* XIP switches every image at once: it waits for all the markers */
	if (rc != FK_OK || mask == 0 || (bs_two_slots(cfg) && mask != all))
		return rc;
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct fk_image_info info;

		if (!(mask & (1u << i)))
			continue;
		rc = check_marked(cfg, &win[i], i, &info);
		if (bc_is_flash_error(rc))
			return rc;
		if (rc != FK_OK)
			return refuse(cfg, st, win, mask, mode, rc);
		memcpy(digest[i], info.digest, BS_DIGEST_PREFIX);
	}
	return mark_pending(cfg, st, mask, mode, digest);
}
