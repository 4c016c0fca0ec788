/*
 * Patch and compressed images around a delta stream (delta_image.h,
 * docs/delta.md section 1): the two protected TLVs, signing through
 * image/sign.c, and applying as a device does. The image checks are the
 * device's own parser and validation (src/image/) over a RAM flash.
 */
#include <stdlib.h>
#include <string.h>

#include "delta_image.h"
#include "fk_crypto_mbedtls.h"
#include "flashkit/bytes.h"
#include "flashkit/delta.h"
#include "flashkit/image.h"
#include "image/memflash.h"

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	union fk_sha256_state st;

	fk_builtin_sha256_init(&st);
	fk_builtin_sha256_update(&st, data, len);
	fk_builtin_sha256_finish(&st, out);
}

static void hex8(const uint8_t *d, char out[17])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[16] = 0;
}

/* The image's length (header to the end of its TLVs), or -1 with diag
 * saying why what is named is no image. */
static int image_len(const char *what, const uint8_t *data, size_t len,
		     struct fk_image_info *info, struct fk_diag *diag)
{
	struct fk_memflash mf;
	int rc = fk_memflash_init(&mf, data, len);

	if (rc == FK_OK)
		rc = fk_image_parse(&mf.area, info);
	if (rc != FK_OK)
		return fk_fail(diag,
			       "%s is not a valid image (%s at offset %u): "
			       "give an image made by flashkit image sign",
			       what, fk_strerror(rc),
			       rc == FK_EBADIMG ? (unsigned)info->bad_off : 0);
	return 0;
}

static void new_tlv(uint8_t v[FK_DELTA_NEW_TLV_LEN], unsigned method,
		    unsigned block_log2, const uint8_t *img, uint32_t len)
{
	memset(v, 0, FK_DELTA_NEW_TLV_LEN);
	v[0] = (uint8_t)method;
	v[1] = (uint8_t)block_log2;
	fk_put_le32(v + 4, len);
	sha256(img, len, v + 8);
}

int fk_delta_make(const uint8_t *old, size_t old_len, const uint8_t *new_img,
		  size_t new_len, unsigned block_log2, struct fk_key *key,
		  struct fk_sign_result *res, struct fk_delta_stats *stats,
		  struct fk_diag *diag)
{
	uint8_t tnew[FK_DELTA_NEW_TLV_LEN], told[FK_DELTA_OLD_TLV_LEN];
	struct fk_image_info oi = { 0 }, ni = { 0 };
	struct fk_sign_opts o;
	uint8_t *stream = NULL, *back = NULL;
	size_t slen;
	int rc;

	memset(res, 0, sizeof(*res));
	if (image_len("the new image", new_img, new_len, &ni, diag) ||
	    (old &&
	     image_len("the old image (--from)", old, old_len, &oi, diag)))
		return -1;
	if (fk_delta_encode(old, old ? oi.end : 0, new_img, ni.end, block_log2,
			    &stream, &slen, stats, diag))
		return -1;
	if (fk_delta_decode(old, old ? oi.end : 0, stream, slen, ni.end,
			    block_log2, 1u << 12, &back, diag) ||
	    memcmp(back, new_img, ni.end) != 0) {
		free(stream);
		free(back);
		return fk_fail(diag, "internal error: the patch does not "
				     "rebuild the new image; please report "
				     "it with both images");
	}
	free(back);
	fk_sign_opts_init(&o);
	o.version = ni.hdr.version;
	o.hdr_size = 32;
	o.pad_header = true;
	o.non_bootable = true;
	o.key = key;
	new_tlv(tnew, old ? FK_DELTA_METHOD_DELTA : FK_DELTA_METHOD_COMPRESSED,
		block_log2, new_img, ni.end);
	o.tlvs[o.tlv_count++] =
		(struct fk_sign_tlv){ FK_TLV_FK_DELTA_NEW, sizeof(tnew), tnew };
	if (old) {
		fk_put_le32(told, oi.end);
		sha256(old, oi.end, told + 4);
		o.tlvs[o.tlv_count++] =
			(struct fk_sign_tlv){ FK_TLV_FK_DELTA_OLD, sizeof(told),
					      told };
	}
	rc = fk_sign_image(&o, stream, slen, res);
	free(stream);
	if (rc) {
		*diag = res->diag;
		return -1;
	}
	return 0;
}

static int read_tlvs(const struct fk_area *slot,
		     const struct fk_image_info *info,
		     struct fk_delta_header *h, const uint8_t *patch,
		     struct fk_diag *diag)
{
	struct fk_image_tlv t;
	const uint8_t *v;

	if (fk_image_tlv_find(slot, info, FK_TLV_FK_DELTA_NEW, &t) != FK_OK ||
	    !t.is_protected || t.len != FK_DELTA_NEW_TLV_LEN)
		return fk_fail(diag, "no protected FK_DELTA_NEW TLV (0xe2, "
				     "40 bytes): not a patch or compressed "
				     "image (flashkit image delta makes one)");
	v = patch + t.off;
	h->method = v[0];
	h->block_log2 = v[1];
	h->new_size = fk_le32(v + 4);
	memcpy(h->new_sha256, v + 8, 32);
	if ((h->method != FK_DELTA_METHOD_COMPRESSED &&
	     h->method != FK_DELTA_METHOD_DELTA) ||
	    h->block_log2 < FK_DELTA_BLOCK_LOG2_MIN ||
	    h->block_log2 > FK_DELTA_BLOCK_LOG2_MAX)
		return fk_fail(diag,
			       "FK_DELTA_NEW TLV at offset %u: method %u "
			       "with blocks of 2^%u bytes is not one this "
			       "flashkit reads (method 1 or 2, 2^%u to 2^%u)",
			       (unsigned)t.off, (unsigned)h->method,
			       h->block_log2, FK_DELTA_BLOCK_LOG2_MIN,
			       FK_DELTA_BLOCK_LOG2_MAX);
	h->old_size = 0;
	if (h->method == FK_DELTA_METHOD_DELTA) {
		if (fk_image_tlv_find(slot, info, FK_TLV_FK_DELTA_OLD, &t) !=
			    FK_OK ||
		    !t.is_protected || t.len != FK_DELTA_OLD_TLV_LEN)
			return fk_fail(diag, "patch without a protected "
					     "FK_DELTA_OLD TLV (0xe3, 36 "
					     "bytes) naming its old image");
		h->old_size = fk_le32(patch + t.off);
		memcpy(h->old_sha256, patch + t.off + 4, 32);
	}
	return 0;
}

int fk_delta_read(const uint8_t *patch, size_t len, struct fk_delta_header *h,
		  struct fk_diag *diag)
{
	static const struct fk_image_keys none = {
		.crypto = &fk_crypto_mbedtls,
	};
	struct fk_image_info info = { 0 };
	struct fk_memflash mf;
	int rc;

	memset(h, 0, sizeof(*h));
	if (image_len("the patch", patch, len, &info, diag))
		return -1;
	fk_memflash_init(&mf, patch, len);
	rc = fk_image_validate(&mf.area, &none, &info);
	if (rc != FK_OK)
		return fk_fail(diag,
			       "the patch is damaged: %s (its digest does "
			       "not match its content; send it again)",
			       fk_strerror(rc));
	if (read_tlvs(&mf.area, &info, h, patch, diag))
		return -1;
	h->stream_off = info.hdr.hdr_size;
	h->stream_len = info.hdr.img_size;
	return 0;
}

static int check_old(const struct fk_delta_header *h, const uint8_t *old,
		     size_t old_len, struct fk_diag *diag)
{
	uint8_t got[32];
	char want_hex[17], got_hex[17];

	if (h->method != FK_DELTA_METHOD_DELTA)
		return 0;
	hex8(h->old_sha256, want_hex);
	if (old == NULL)
		return fk_fail(diag,
			       "this is a patch against an old image of %u "
			       "bytes (SHA-256 %s...): give it with --from",
			       (unsigned)h->old_size, want_hex);
	if (old_len < h->old_size)
		return fk_fail(diag,
			       "wrong old image (--from): the patch is for an "
			       "image of %u bytes (SHA-256 %s...), this one "
			       "has %zu",
			       (unsigned)h->old_size, want_hex, old_len);
	sha256(old, h->old_size, got);
	hex8(got, got_hex);
	if (memcmp(got, h->old_sha256, 32) != 0)
		return fk_fail(diag,
			       "wrong old image (--from): the patch is for the "
			       "image whose first %u bytes hash to SHA-256 "
			       "%s..., these hash to %s...; make the patch "
			       "from the image the device runs",
			       (unsigned)h->old_size, want_hex, got_hex);
	return 0;
}

int fk_delta_apply(const uint8_t *patch, size_t patch_len, const uint8_t *old,
		   size_t old_len, uint8_t **out, size_t *out_len,
		   struct fk_diag *diag)
{
	struct fk_delta_header h;
	uint8_t got[32];
	uint8_t *img;

	*out = NULL;
	*out_len = 0;
	if (fk_delta_read(patch, patch_len, &h, diag) ||
	    check_old(&h, old, old_len, diag))
		return -1;
	if (fk_delta_decode(h.method == FK_DELTA_METHOD_DELTA ? old : NULL,
			    h.old_size, patch + h.stream_off, h.stream_len,
			    h.new_size, h.block_log2, 1u << 12, &img, diag))
		return -1;
	sha256(img, h.new_size, got);
	if (memcmp(got, h.new_sha256, 32) != 0) {
		free(img);
		return fk_fail(diag, "the rebuilt image does not hash to the "
				     "patch's FK_DELTA_NEW digest: the patch "
				     "was made wrongly; make it again");
	}
	*out = img;
	*out_len = h.new_size;
	return 0;
}
