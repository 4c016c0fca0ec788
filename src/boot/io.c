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

/*
 * What blank means. On ordinary NOR a sector that reads erased takes any
 * program: programming a unit of erased bytes over erased ones changes no
 * cell. On program-once flash it does not: another tool (a debugger,
 * DfuSe, an older flashkit) may have programmed units of erased-value
 * data there, which read erased and refuse a second program. So a
 * program-once sector is erased before it is written, whatever it reads;
 * elsewhere the read decides, and a torn unit (FK_EECC) is not blank.
 */
static int sector_is_blank(const struct fk_boot_config *cfg,
			   const struct fk_area *a, const struct fk_sector *s)
{
	if (a->flash->geo.program_once)
		return 0;
	kick(cfg);
	return fk_area_is_erased(a, s->off, s->size, cfg->buf, cfg->buf_len);
}

/* Erases the whole sectors of [off, off+len), each, or with dirty_only
 * only those that are not blank. */
static int erase_sectors(const struct fk_boot_config *cfg,
			 const struct fk_area *a, uint32_t off, uint32_t len,
			 bool dirty_only)
{
	struct fk_sector s;
	int rc;

	while (len > 0) {
		rc = fk_area_sector_at(a, off, &s);
		if (rc != FK_OK)
			return rc;
		if (s.off != off || s.size > len)
			return FK_EALIGN;
		rc = dirty_only ? sector_is_blank(cfg, a, &s) : 0;
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

int bio_erase(const struct fk_boot_config *cfg, const struct fk_area *a,
	      uint32_t off, uint32_t len)
{
	return erase_sectors(cfg, a, off, len, false);
}

int bio_erase_dirty(const struct fk_boot_config *cfg, const struct fk_area *a,
		    uint32_t off, uint32_t len)
{
	return erase_sectors(cfg, a, off, len, true);
}

int bio_program_data(const struct fk_boot_config *cfg,
		     const struct fk_area *dst, uint32_t off,
		     const uint8_t *buf, uint32_t len)
{
	uint32_t pos = 0, run;

	while ((run = fk_flash_data_run(dst->flash, buf, len, &pos)) > 0) {
		int rc;

		kick(cfg);
		rc = fk_area_program(dst, off + pos, buf + pos, run);
		if (rc != FK_OK)
			return rc;
		pos += run;
	}
	return FK_OK;
}

int bio_copy(const struct fk_boot_config *cfg, const struct fk_area *dst,
	     uint32_t dst_off, const struct fk_area *src, uint32_t src_off,
	     uint32_t len)
{
	int rc;

	while (len > 0) {
		uint32_t n = len < cfg->buf_len ? len : cfg->buf_len;

		kick(cfg);
		rc = fk_area_read(src, src_off, cfg->buf, n);
		if (rc == FK_OK)
			rc = bio_program_data(cfg, dst, dst_off, cfg->buf, n);
		if (rc != FK_OK)
			return rc;
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
	}
	if (rc < 0)
		return rc;
	rc = bio_erase_dirty(cfg, dst, off, end - off);
	if (rc == FK_OK)
		rc = bio_copy(cfg, dst, off, src, src_off, len);
	return rc;
}
