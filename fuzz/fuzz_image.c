/*
 * libFuzzer target: the device-side image parser and validator on any
 * bytes, read through a RAM-backed flash exactly as large as the input.
 *
 * Invariants checked: a parse that succeeds describes areas inside the
 * input, in order; the TLV walker visits only entries inside them; a
 * failed parse never comes from a read outside the slot (FK_ERANGE).
 * Then, with the digest TLV rewritten to the true digest, validation
 * reaches the signature check, which must refuse anything not signed by
 * the reference keys (ECDSA P-256 over a SHA256 digest, P-384 over a
 * SHA384 one, Ed25519 over a SHA256 one: libsodium's check). Encrypted
 * images go through the device's decryption (the ECIES-P256 test key as
 * device key; X25519 and RSA key TLVs reach their unwrap too): their
 * digest is over the plaintext, so there only a read outside the slot
 * fails the run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/image.h"
#include "fk_crypto_mbedtls.h"
#include "image/memflash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/data/mcuboot-images/ecdsa-p256.pub.pem as DER. */
static const uint8_t ref_key_der[91] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04, 0xd0, 0xee, 0x4d, 0xf2, 0x9b, 0x8b, 0x53, 0xb5, 0x0f,
	0xf2, 0xec, 0x0c, 0x0d, 0x9f, 0x9a, 0xcb, 0xb6, 0xbb, 0x54, 0x2b, 0x1a,
	0xd8, 0x31, 0x68, 0xdb, 0xf5, 0x70, 0x1f, 0x32, 0x24, 0xa6, 0xe3, 0xc0,
	0xc4, 0x2b, 0x25, 0x83, 0x79, 0x49, 0x47, 0xc3, 0x86, 0x97, 0x32, 0x29,
	0x22, 0x17, 0xfa, 0xd2, 0x34, 0xed, 0x7f, 0x12, 0x14, 0x9d, 0xdd, 0xf7,
	0x7a, 0xe6, 0x2a, 0x30, 0x25, 0xc8, 0x8d,
};

/* tests/data/mcuboot-images/enc-ecies-p256.pem's private scalar (`flashkit
 * key private`): a test key, public in the repository. */
static const uint8_t ref_enc_key[32] = {
	0x08, 0x8f, 0x0a, 0x4d, 0x26, 0x5e, 0x23, 0xd0, 0x40, 0x6b, 0x00, 0xff,
	0x21, 0xec, 0xb2, 0xf2, 0x56, 0xea, 0xdc, 0x4c, 0xcf, 0x40, 0x51, 0xbb,
	0x64, 0xdf, 0x74, 0xb0, 0xbc, 0x9f, 0x59, 0x49,
};

/* tests/data/mcuboot-images/ecdsa-p384.pub.pem as DER. */
static const uint8_t ref_p384_der[120] = {
	0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00, 0x04,
	0xf3, 0x0b, 0xaa, 0x88, 0x31, 0xf6, 0x05, 0x7e, 0x0c, 0x2a, 0x41, 0x94,
	0x7d, 0xd4, 0x40, 0x56, 0x48, 0x5f, 0x70, 0xf7, 0x62, 0x5f, 0x07, 0xe1,
	0x42, 0x90, 0x87, 0xba, 0x53, 0x86, 0xd5, 0xdf, 0x26, 0x0c, 0x8c, 0x57,
	0xdf, 0x57, 0x89, 0x96, 0x0e, 0x1a, 0x90, 0xbd, 0xb9, 0xf1, 0x19, 0x1f,
	0xfa, 0xbd, 0x6d, 0x31, 0x3f, 0xb8, 0x61, 0x36, 0xec, 0xfc, 0xec, 0x6d,
	0x48, 0x7d, 0x16, 0x7c, 0x0c, 0x21, 0x15, 0x18, 0xa7, 0x8f, 0xc7, 0xb0,
	0xba, 0xd2, 0x63, 0x45, 0xa3, 0x21, 0x60, 0x2d, 0xff, 0x00, 0x18, 0xeb,
	0xa4, 0x43, 0x36, 0x3b, 0x67, 0xbe, 0x85, 0xbe, 0xa3, 0x04, 0x3c, 0x46,
};

/* tests/data/mcuboot-images/ed25519.pub.pem as DER. */
static const uint8_t ref_ed25519_der[44] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
	0x00, 0x08, 0xab, 0x87, 0xcc, 0x4c, 0xdb, 0xfa, 0x06, 0x5e, 0x89,
	0x65, 0x47, 0x10, 0xdb, 0x40, 0xce, 0xa3, 0x25, 0xb8, 0xc3, 0x81,
	0xb6, 0xed, 0xe7, 0xcb, 0x12, 0x83, 0xb8, 0x3c, 0x4f, 0x02, 0xbc,
};

/* The KEYHASH of the keys (SHA-256, SHA-384 for the P-384 one). */
static void hash_keys(struct fk_image_key *keys)
{
	const struct fk_crypto_port *c = &fk_crypto_mbedtls;
	union fk_sha256_state st;

	c->sha256_init(&st);
	c->sha256_update(&st, keys[0].der, keys[0].der_len);
	c->sha256_finish(&st, keys[0].hash);
	c->sha384_init(&st);
	c->sha384_update(&st, keys[1].der, keys[1].der_len);
	c->sha384_finish(&st, keys[1].hash);
	c->sha256_init(&st);
	c->sha256_update(&st, keys[2].der, keys[2].der_len);
	c->sha256_finish(&st, keys[2].hash);
}

static void check_walk(const struct fk_area *slot,
		       const struct fk_image_info *info)
{
	struct fk_image_tlv_iter it;
	struct fk_image_tlv t;
	int rc;

	if (fk_image_tlv_begin(&it, slot, info))
		abort();
	while ((rc = fk_image_tlv_next(&it, &t)) == 1) {
		if (t.off < info->prot_off || t.off + t.len > info->end ||
		    (t.is_protected && t.off + t.len > info->unprot_off))
			abort();
	}
	if (rc)
		abort(); /* the parse already walked these entries */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fk_image_key key[3] = {
		{ .type = FK_KEY_ECDSA_P256,
		  .der = ref_key_der,
		  .der_len = sizeof(ref_key_der) },
		{ .type = FK_KEY_ECDSA_P384,
		  .der = ref_p384_der,
		  .der_len = sizeof(ref_p384_der) },
		{ .type = FK_KEY_ED25519,
		  .der = ref_ed25519_der,
		  .der_len = sizeof(ref_ed25519_der) },
	};
	struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls,
				      .keys = key,
				      .count = 3,
				      .enc_key = ref_enc_key,
				      .enc_key_len = sizeof(ref_enc_key) };
	bool encrypted;
	struct fk_image_info info;
	struct fk_memflash m;
	uint8_t buf[64], *copy;
	int rc;

	if (!key[0].hash[0] && !key[0].hash[1])
		hash_keys(key);
	if (fk_memflash_init(&m, data, size))
		return 0;
	rc = fk_image_parse(&m.area, &info);
	if (rc == FK_ERANGE)
		abort();
	if (rc)
		return 0;
	if (info.hdr.hdr_size < FK_IMAGE_HEADER_SIZE ||
	    info.prot_off != (uint32_t)info.hdr.hdr_size + info.hdr.img_size ||
	    info.unprot_off != info.prot_off + info.prot_size ||
	    info.end != info.unprot_off + info.unprot_size || info.end > size)
		abort();
	check_walk(&m.area, &info);

	/* Make the digest right, so the signature check runs. */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fk_memflash_init(&m, copy, size);
	if (fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, buf, buf,
			  sizeof(buf)) == 0) {
		struct fk_image_tlv t;

		if (fk_image_tlv_find(&m.area, &info,
				      info.digest_len == FK_SHA384_SIZE ?
					      FK_TLV_SHA384 :
					      FK_TLV_SHA256,
				      &t) == 0)
			memcpy(copy + t.off, buf, info.digest_len);
		encrypted = info.hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					      FK_IMAGE_F_ENCRYPTED_AES256);
		rc = fk_image_validate(&m.area, &keys, &info);
		if (rc == FK_ERANGE || (rc == FK_EDIGEST && !encrypted))
			abort();
	}
	free(copy);
	return 0;
}
