/*
 * Flash access for installs: erase, erase-if-needed and copy between two
 * areas (possibly on two memories), each flash operation preceded by the
 * port's watchdog kick, so the longest stretch without a kick is one
 * sector erase or one program of the scratch buffer.
 */
#include <string.h>

#include "boot_internal.h"

static void kick(const struct fk_boot_config *cfg)
{
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
}

void bio_window(struct fk_area *out, const struct fk_area *a, uint32_t off,
		uint32_t size)
{
	out->flash = a->flash;
	out->off = a->off + off;
	out->size = size;
}

int bio_erase(const struct fk_boot_config *cfg, const struct fk_area *a,
	      uint32_t off, uint32_t len)
{
	struct fk_sector s;
	int rc;

	while (len > 0) {
		rc = fk_area_sector_at(a, off, &s);
		if (rc != FK_OK)
			return rc;
		if (s.off != off || s.size > len)
			return FK_EALIGN;
		kick(cfg);
		rc = fk_area_erase(a, off, s.size);
		if (rc != FK_OK)
			return rc;
		off += s.size;
		len -= s.size;
	}
	return FK_OK;
}

/* A sector that reads erased needs no erase. One with a torn unit on
 * program-once flash reads as an ECC error: it is not erased. */
static int sector_is_erased(const struct fk_boot_config *cfg,
			    const struct fk_area *a, const struct fk_sector *s)
{
	int rc;

	kick(cfg);
	rc = fk_area_is_erased(a, s->off, s->size, cfg->buf, cfg->buf_len);
	return rc == FK_EECC ? 0 : rc;
}

int bio_erase_dirty(const struct fk_boot_config *cfg,
		    const struct fk_area *a, uint32_t off, uint32_t len)
{
	struct fk_sector s;
	int rc;

	while (len > 0) {
		rc = fk_area_sector_at(a, off, &s);
		if (rc != FK_OK)
			return rc;
		if (s.off != off || s.size > len)
			return FK_EALIGN;
		rc = sector_is_erased(cfg, a, &s);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			kick(cfg);
			rc = fk_area_erase(a, off, s.size);
			if (rc != FK_OK)
				return rc;
		}
		off += s.size;
		len -= s.size;
	}
	return FK_OK;
}

/* Bytes of buf worth programming: up to the last write unit that is not
 * all erased (the destination is erased already). */
static uint32_t programmed_len(const uint8_t *buf, uint32_t n, uint32_t wu,
			       uint8_t erased)
{
	while (n > 0) {
		uint32_t k;

		for (k = n - wu; k < n; k++) {
			if (buf[k] != erased)
				return n;
		}
		n -= wu;
	}
	return 0;
}

int bio_copy(const struct fk_boot_config *cfg, const struct fk_area *dst,
	     uint32_t dst_off, const struct fk_area *src, uint32_t src_off,
	     uint32_t len)
{
	const struct fk_flash_geometry *geo = &dst->flash->geo;
	int rc;

	while (len > 0) {
		uint32_t n = len < cfg->buf_len ? len : cfg->buf_len;
		uint32_t p;

		kick(cfg);
		rc = fk_area_read(src, src_off, cfg->buf, n);
		if (rc != FK_OK)
			return rc;
		p = programmed_len(cfg->buf, n, geo->write_unit,
				   geo->erased_value);
		if (p > 0) {
			kick(cfg);
			rc = fk_area_program(dst, dst_off, cfg->buf, p);
			if (rc != FK_OK)
				return rc;
		}
		src_off += n;
		dst_off += n;
		len -= n;
	}
	return FK_OK;
}

/* 1 when dst[dst_off, +len) holds the same bytes as src[src_off, +len),
 * 0 when not (an ECC error counts as a difference), or an error. */
static int same_content(const struct fk_boot_config *cfg,
			const struct fk_area *dst, uint32_t dst_off,
			const struct fk_area *src, uint32_t src_off,
			uint32_t len)
{
	uint32_t half = cfg->buf_len / 2;
	uint8_t *a = cfg->buf, *b = cfg->buf + half;
	int rc;

	while (len > 0) {
		uint32_t n = len < half ? len : half;

		kick(cfg);
		rc = fk_area_read(dst, dst_off, a, n);
		if (rc == FK_OK)
			rc = fk_area_read(src, src_off, b, n);
		if (rc == FK_EECC)
			return 0;
		if (rc != FK_OK)
			return rc;
		if (memcmp(a, b, n) != 0)
			return 0;
		dst_off += n;
		src_off += n;
		len -= n;
	}
	return 1;
}

int bio_place(const struct fk_boot_config *cfg, const struct fk_area *dst,
	      uint32_t off, uint32_t end, const struct fk_area *src,
	      uint32_t src_off, uint32_t len)
{
	int rc = same_content(cfg, dst, off, src, src_off, len);

	if (rc == 1) {
		kick(cfg);
		rc = fk_area_is_erased(dst, off + len, end - off - len,
				       cfg->buf, cfg->buf_len);
		if (rc == 1)
			return FK_OK;
		if (rc != 0 && rc != FK_EECC)
			return rc;
	}
	if (rc < 0)
		return rc;
	rc = bio_erase_dirty(cfg, dst, off, end - off);
	if (rc == FK_OK)
		rc = bio_copy(cfg, dst, off, src, src_off, len);
	return rc;
}
