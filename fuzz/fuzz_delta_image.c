/*
 * libFuzzer target: patch and compressed images as `flashkit image apply`
 * reads them (host/delta/delta_image.c): the image parse, the delta TLVs
 * (method, block size, sizes, digests), the old image's check and the
 * decoder, on any bytes. The digest would stop nearly every mutation at
 * the door, so the input is repaired first where it parses: its
 * FK_DELTA_OLD TLV is pointed at this target's old image and its SHA256
 * TLV recomputed, and everything after is reached. A success must give
 * exactly the bytes FK_DELTA_NEW's digest names; a failure must be
 * reported.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delta/delta_image.h"
#include "fk_crypto_mbedtls.h"
#include "flashkit/crypto.h"
#include "image/memflash.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OLD_PAYLOAD 3000

static uint8_t *old_img;
static size_t old_len;
static uint8_t old_sha256[32]; /* of old_img, made once */

/* The target's own digests (the repair and the check of a success) are
 * the mbedTLS port's: not instrumented, so they cost the run little, and
 * apart from the builtin SHA-256 that host/delta/delta_image.c uses. */
static void sha256(const uint8_t *d, size_t n, uint8_t out[32])
{
	union fk_sha256_state st;

	if (fk_crypto_mbedtls.sha256_init(&st) ||
	    fk_crypto_mbedtls.sha256_update(&st, d, n) ||
	    fk_crypto_mbedtls.sha256_finish(&st, out))
		abort();
}

/* The old image every seed was made against (fuzz/corpus/fuzz_delta_image:
 * the same payload, unsigned): a fixed pattern that looks like code. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t payload[OLD_PAYLOAD];
	struct fk_sign_opts o;
	struct fk_sign_result res;

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)((i * 7) ^ (i >> 4) ^ (i % 13 == 0));
	fk_sign_opts_init(&o);
	o.hdr_size = 32;
	o.pad_header = true;
	if (fk_sign_image(&o, payload, sizeof(payload), &res) != 0)
		abort();
	old_img = res.data;
	old_len = res.image_len;
	sha256(old_img, old_len, old_sha256);
	return 0;
}

/* Points FK_DELTA_OLD at old_img and makes the SHA256 TLV right. */
static void repair(uint8_t *p, size_t len)
{
	struct fk_image_info info;
	struct fk_image_tlv t;
	struct fk_memflash mf;

	if (fk_memflash_init(&mf, p, len) != FK_OK ||
	    fk_image_parse(&mf.area, &info) != FK_OK)
		return;
	if (fk_image_tlv_find(&mf.area, &info, FK_TLV_FK_DELTA_OLD, &t) ==
		    FK_OK &&
	    t.len == FK_DELTA_OLD_TLV_LEN) {
		p[t.off] = (uint8_t)old_len;
		p[t.off + 1] = (uint8_t)(old_len >> 8);
		p[t.off + 2] = 0;
		p[t.off + 3] = 0;
		memcpy(p + t.off + 4, old_sha256, 32);
	}
	if (info.digest_len == 32 &&
	    fk_image_tlv_find(&mf.area, &info, FK_TLV_SHA256, &t) == FK_OK)
		sha256(p, info.unprot_off, p + t.off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag diag = { 0 };
	struct fk_delta_header h;
	uint8_t *p = malloc(size ? size : 1), *out = NULL;
	size_t out_len;

	memcpy(p, data, size);
	repair(p, size);
	if (fk_delta_apply(p, size, old_img, old_len, &out, &out_len, &diag) ==
	    0) {
		uint8_t got[32];

		if (fk_delta_read(p, size, &h, &diag) != 0 ||
		    out_len != h.new_size)
			abort();
		sha256(out, out_len, got);
		if (memcmp(got, h.new_sha256, 32) != 0)
			abort();
		free(out);
	} else if (out != NULL || diag.errors == 0) {
		abort();
	}
	free(p);
	return 0;
}
