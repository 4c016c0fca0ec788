/*
 * libFuzzer target: fk_image_check_lite() against fk_image_validate() on
 * any bytes, read through a RAM-backed flash exactly as large as the
 * input, with no key (digest only) and with the reference keys (P-256,
 * Ed25519, RSA-2048, RSA-3072, P-384: tests/data/mcuboot-images, read
 * once from the source tree).
 *
 * When the format passes, the digest TLV is first rewritten to the true
 * digest, so that the checks after it (signature, key match) run too.
 * Aborts when the two disagree: lite OK and full not, or the reverse, or
 * different error codes, except where image_lite.h says the lite check
 * refuses more (an image whose format passes with a SHA384 digest:
 * FK_ENOTSUP).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/image_lite.h"
#include "fk_crypto_mbedtls.h"
#include "image/keys.h"
#include "image/memflash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY_COUNT 5
static struct fk_image_key ikeys[KEY_COUNT];

/* The reference public keys, once (FK_FUZZ_REFS: the source tree's). */
static void load_keys(void)
{
	static const char *const files[KEY_COUNT] = {
		"ecdsa-p256.pub.pem", "ed25519.pub.pem",    "rsa-2048.pub.pem",
		"rsa-3072.pub.pem",   "ecdsa-p384.pub.pem",
	};
	static struct fk_key keys[KEY_COUNT];
	char path[512];

	for (int k = 0; k < KEY_COUNT; k++) {
		snprintf(path, sizeof(path), "%s/%s", FK_FUZZ_REFS, files[k]);
		if (fk_key_load(&keys[k], path)) {
			fprintf(stderr, "fuzz_image_lite: cannot read %s\n",
				path);
			abort();
		}
		fk_key_image_key(&keys[k], &ikeys[k]);
	}
}

/* The true digest into the digest TLV of a well-formed image. */
static void fix_digest(uint8_t *img, size_t size)
{
	struct fk_image_info info;
	struct fk_image_tlv t;
	struct fk_memflash m;
	uint8_t buf[64], digest[FK_DIGEST_MAX];

	if (fk_memflash_init(&m, img, size) || fk_image_parse(&m.area, &info) ||
	    fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, digest, buf,
			  sizeof(buf)) ||
	    fk_image_tlv_find(&m.area, &info,
			      info.digest_len == FK_SHA384_SIZE ?
				      FK_TLV_SHA384 :
				      FK_TLV_SHA256,
			      &t))
		return;
	memcpy(img + t.off, digest, info.digest_len);
}

/* Both checks with the first count keys; aborts on a disagreement. */
static void compare(const uint8_t *img, size_t size, uint32_t count,
		    uint32_t buf_len)
{
	static uint8_t buf[512];
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ikeys,
				     .count = count };
	struct fk_image_info info;
	struct fk_image_lite lite;
	struct fk_memflash m;
	int full, rc, expect;

	if (fk_memflash_init(&m, img, size))
		return;
	full = fk_image_validate(&m.area, &set, &info);
	rc = fk_image_check_lite(&m.area, &set, buf, buf_len, &lite);
	expect = full;
	if (fk_image_parse(&m.area, &info) == FK_OK &&
	    info.digest_len == FK_SHA384_SIZE &&
	    !(info.hdr.flags &
	      (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256)))
		expect = FK_ENOTSUP;
	if (rc != expect || rc == FK_ERANGE) {
		fprintf(stderr, "lite %d, full %d (%u keys)\n", rc, full,
			count);
		abort();
	}
	if (rc == FK_OK && (memcmp(&lite.hdr, &info.hdr, sizeof(lite.hdr)) ||
			    lite.end != info.end ||
			    lite.security_counter != info.security_counter ||
			    lite.dep_count != info.dep_count ||
			    memcmp(lite.digest, info.digest, FK_SHA256_SIZE)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (!ikeys[0].der)
		load_keys();
	/* the bytes as they are, then with the digest made right */
	compare(data, size, 0, 512);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fix_digest(copy, size);
	compare(copy, size, 0, size ? 1 + data[size - 1] : 1);
	compare(copy, size, KEY_COUNT, 512);
	free(copy);
	return 0;
}
