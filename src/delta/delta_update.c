/*
 * The decoder (delta.c) wired to the update API (flashkit/delta_update.h):
 * its three callbacks over the primary slot, the staging slot and
 * fk_update_write().
 *
 * Invariant: the decoder's output offset and the upload's position agree,
 * except during a resume, when output below keep_below is compared with
 * what the staging slot holds instead of written.
 */
#include <string.h>

#include "flashkit/crypto.h"
#include "flashkit/delta_update.h"

static int read_old(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct fk_delta_update *du = ctx;

	return fk_area_read(&du->old, off, buf, len);
}

/* Output is handed to the upload 64 bytes at a time from a block's start
 * (FK_DELTA_OUTBUF), and every write unit divides 64 (powers of two up to
 * FK_BOOT_RECORD_MAX), so the upload holds no partial unit of anything the
 * decoder reads back: all of it is in flash. */
typedef char fk_delta_outbuf_covers_units
	[FK_DELTA_OUTBUF % FK_BOOT_RECORD_MAX == 0 ? 1 : -1];

static int read_out(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct fk_delta_update *du = ctx;

	if (off > du->up.programmed || len > du->up.programmed - off)
		return FK_ESTATE;
	return fk_area_read(&du->up.dest, off, buf, len);
}

/* A resume rebuilds the bytes already in flash: they must be the same. */
static int compare_kept(struct fk_delta_update *du, uint32_t off,
			const uint8_t *b, uint32_t len)
{
	while (len > 0) {
		uint32_t n = len < sizeof(du->check) ? len : sizeof(du->check);
		int rc = fk_area_read(&du->up.dest, off, du->check, n);

		if (rc != FK_OK)
			return rc;
		if (memcmp(du->check, b, n) != 0)
			return FK_ECORRUPT;
		off += n;
		b += n;
		len -= n;
	}
	return FK_OK;
}

static int write_out(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
	struct fk_delta_update *du = ctx;
	const uint8_t *b = buf;

	if (off < du->keep_below) {
		uint32_t n =
			du->keep_below - off < len ? du->keep_below - off : len;
		int rc = compare_kept(du, off, b, n);

		if (rc != FK_OK)
			return rc;
		off += n;
		b += n;
		len -= n;
	}
	return len ? fk_update_write(&du->up, off, b, len) : FK_OK;
}

static int old_matches(const struct fk_area *old, uint32_t size,
		       const uint8_t want[32])
{
	union fk_sha256_state st;
	uint8_t buf[64], got[FK_SHA256_SIZE];
	uint32_t off;
	int rc = FK_OK;

	fk_builtin_sha256_init(&st);
	for (off = 0; rc == FK_OK && off < size; off += sizeof(buf)) {
		uint32_t n = size - off < sizeof(buf) ? size - off :
							(uint32_t)sizeof(buf);

		rc = fk_area_read(old, off, buf, n);
		if (rc == FK_OK)
			fk_builtin_sha256_update(&st, buf, n);
	}
	if (rc != FK_OK)
		return rc;
	fk_builtin_sha256_finish(&st, got);
	return memcmp(got, want, sizeof(got)) == 0 ? FK_OK : FK_EMISMATCH;
}

static int setup(struct fk_delta_update *du, const struct fk_boot_config *cfg,
		 uint32_t image, const struct fk_delta_params *p)
{
	if (du == NULL || cfg == NULL || p == NULL || image >= cfg->image_count)
		return FK_EINVAL;
	if (cfg->strategy == FK_BOOT_RAM_LOAD)
		return FK_ENOTSUP;
	du->old = cfg->images[image].primary;
	if (cfg->strategy == FK_BOOT_XIP) {
		/* the running image is in the active slot; the upload goes to
		 * the other one */
		struct fk_boot_status st;
		int rc = fk_boot_status(cfg, &st);

		if (rc != FK_OK)
			return rc;
		if (st.xip_active == 1)
			du->old = cfg->images[image].secondary;
	}
	if (p->old_size > du->old.size)
		return FK_EMISMATCH;
	du->keep_below = 0;
	return FK_OK;
}

static int start_decoder(struct fk_delta_update *du,
			 const struct fk_delta_params *p, uint32_t block)
{
	const struct fk_delta_io io = { read_old, read_out, write_out, du };

	return fk_delta_init(&du->dec, p, &io, block);
}

int fk_delta_update_begin(struct fk_delta_update *du,
			  const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_delta_params *p,
			  const uint8_t *old_sha256)
{
	int rc = setup(du, cfg, image, p);

	if (rc == FK_OK && p->old_size > 0)
		rc = old_sha256 ?
			     old_matches(&du->old, p->old_size, old_sha256) :
			     FK_EINVAL;
	if (rc == FK_OK)
		rc = start_decoder(du, p, 0);
	if (rc == FK_OK)
		rc = fk_update_begin(&du->up, cfg, image);
	return rc;
}

int fk_delta_update_resume(struct fk_delta_update *du,
			   const struct fk_boot_config *cfg, uint32_t image,
			   const struct fk_delta_params *p, uint32_t *block)
{
	uint32_t off = 0;
	int rc = setup(du, cfg, image, p);

	if (rc == FK_OK && block == NULL)
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = fk_update_resume(&du->up, cfg, image, &off);
	if (rc != FK_OK)
		return rc;
	if (off >= p->new_size && p->new_size > 0)
		off = p->new_size - 1;
	*block = p->block_log2 <= FK_DELTA_BLOCK_LOG2_MAX ?
			 off >> p->block_log2 :
			 0;
	rc = start_decoder(du, p, *block);
	du->keep_below = du->up.programmed + du->up.held;
	return rc;
}

int fk_delta_update_write(struct fk_delta_update *du, const void *data,
			  uint32_t len)
{
	if (du == NULL)
		return FK_EINVAL;
	return fk_delta_feed(&du->dec, data, len);
}

int fk_delta_update_finish(struct fk_delta_update *du)
{
	int rc;

	if (du == NULL)
		return FK_EINVAL;
	rc = fk_delta_finish(&du->dec);
	return rc == FK_OK ? fk_update_finish(&du->up) : rc;
}
