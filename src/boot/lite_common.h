/*
 * What the two one-image cores share, the lite core (lite.c, over the
 * log) and the flag core (flags_boot.c, over the flag state), with their
 * update APIs (lite_app.c, flags_app.c): an image's check, XIP's choice
 * when nothing is recorded, the staged image's check and the jump
 * (lite.h says what each does). Static and inline: a bootloader links
 * one core, and each file that uses them compiles them into its own
 * calls, as the cores did when each had its own (a call across files
 * cost the bench's bootloaders 28-60 bytes).
 */
#ifndef FLASHKIT_SRC_BOOT_LITE_COMMON_H
#define FLASHKIT_SRC_BOOT_LITE_COMMON_H

#include <string.h>

static __attribute__((noinline, unused)) int
bl_valid(const struct fk_boot_config *cfg, const struct fk_area *slot,
	 struct fk_image_lite *info)
{
	int rc;

	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	rc = fk_image_check_lite(slot, bc_keys(cfg), cfg->buf, cfg->buf_len,
				 info);
	return rc == FK_EECC ? FK_ECORRUPT : rc;
}

static inline const struct fk_area *bl_slot(const struct fk_boot_config *cfg,
					    int k)
{
	return k ? &cfg->images[0].secondary : &cfg->images[0].primary;
}

static inline int bl_newest(const struct fk_boot_config *cfg,
			    struct fk_image_lite *info)
{
	struct fk_image_version best;
	int slot = -1;
	bool ok = false;

	for (int k = 1; k >= 0; k--) {
		ok = bl_valid(cfg, bl_slot(cfg, k), info) == FK_OK;
		if (ok && (slot < 0 || fk_image_version_cmp(&info->hdr.version,
							    &best) >= 0)) {
			slot = k;
			best = info->hdr.version;
		}
	}
	/* ok is A's check, the last one made */
	return slot < 0 ? 0 : slot == 0 && ok ? BL_FRESH : slot;
}

static inline int bl_check_staged(const struct fk_boot_config *cfg,
				  const struct fk_area *dest,
				  uint32_t programmed,
				  struct fk_image_lite *info)
{
	/* the check reads the whole image: the watchdog's kick first (in
	 * bl_valid()), as check.c's validation does */
	int rc = bl_valid(cfg, dest, info);

	if (rc == FK_OK && info->end > fk_boot_max_image_size(cfg, 0))
		rc = FK_ENOSPC;
	if (rc == FK_OK && info->end > programmed)
		rc = FK_EBADIMG;
	return rc;
}

/* Its own frame, so that a boot's stack never holds the reference and
 * the checks' at once. */
static __attribute__((noinline, unused)) void
bl_start(const struct fk_boot_config *cfg, const struct fk_area *slot,
	 const struct fk_image_lite *info)
{
	struct fk_boot_image_ref ref;

	memset(&ref, 0, sizeof(ref));
	ref.slot = slot;
	ref.info.hdr = info->hdr;
	ref.info.end = info->end;
	cfg->port.jump(cfg->port.ctx, &ref, 1);
}

static inline int bl_finish(const struct fk_boot_config *cfg, int rc,
			    const struct fk_area *slot,
			    const struct fk_image_lite *info)
{
	if (rc != FK_OK) {
		if (cfg->port.recovery)
			cfg->port.recovery(cfg->port.ctx, rc);
		return rc;
	}
	bl_start(cfg, slot, info);
	return FK_OK;
}

#endif
