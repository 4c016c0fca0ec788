/*
 * ECDSA P-384 (with its SHA-384 digest and 48-byte KEYHASH), RSA-3072 and
 * Ed25519 images, made by imgtool and by flashkit, against tampering: every byte
 * of a flashkit-signed image flipped (header and TLVs but the signature
 * three ways), every header and TLV byte of imgtool's images (and every
 * 61st payload byte) flipped, never verify; a KEYHASH or signature TLV of the
 * wrong length for its type is FK_EBADIMG naming the TLV, never a crash or a
 * read outside the slot; an Ed25519 signature made malleable (S + L, which
 * a lenient verifier accepts) does not verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashkit/bytes.h"
#include "image/sign.h"
#include "image_test_util.h"

static const char *const key_files[] = {
	"ecdsa-p256.pem",
	"rsa-2048.pem",
	"ecdsa-p384.pem",
	"rsa-3072.pem",
	"ed25519.pem",
};
#define NKEYS (sizeof(key_files) / sizeof(key_files[0]))
#define P384 2
#define RSA3072 3
#define ED25519 4

static struct fk_key keys[NKEYS];
static struct fk_image_key ikeys[NKEYS];

static void assert_rejected(int rc)
{
	if (!(rc == FK_EBADIMG || rc == FK_EDIGEST || rc == FK_ESIG ||
	      rc == FK_EKEY || rc == FK_ENOTSUP))
		print_message("unexpected result %d\n", rc);
	assert_true(rc == FK_EBADIMG || rc == FK_EDIGEST || rc == FK_ESIG ||
		    rc == FK_EKEY || rc == FK_ENOTSUP);
}

/* Payload and signature bytes get one mask (the payload is only hashed,
 * whatever the key, as test_image_tamper proves three ways; every flip of
 * a signature costs a verification), header and other TLV bytes three. */
static size_t masks_for(const struct fk_image_info *info, size_t pos)
{
	bool in_payload = pos >= info->hdr.hdr_size && pos < info->prot_off;
	bool in_sig =
		pos >= info->sig_off && pos < info->sig_off + info->sig_len;

	return in_payload || in_sig ? 1 : 3;
}

/* Flips byte pos with each mask; every result must be a refusal. */
static unsigned flip_at(uint8_t *img, size_t len, size_t pos,
			const uint8_t *masks, size_t nmasks)
{
	struct fk_image_info info;

	for (size_t m = 0; m < nmasks; m++) {
		int rc;

		img[pos] ^= masks[m];
		rc = validate_buf(img, len, ikeys, NKEYS, &info);
		img[pos] ^= masks[m];
		if (rc >= 0 || rc == FK_ERANGE)
			print_message("flip 0x%02x at %zu: %d\n", masks[m], pos,
				      rc);
		assert_rejected(rc);
	}
	return (unsigned)nmasks;
}

static void
test_flipping_any_byte_of_a_signed_p384_rsa3072_or_ed25519_image_is_rejected(
	void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	static const int which[] = { P384, RSA3072, ED25519 };
	size_t payload_len;
	uint8_t *payload = read_ref("payload-3001.bin", &payload_len);

	(void)state;
	for (size_t w = 0; w < sizeof(which) / sizeof(which[0]); w++) {
		struct fk_sign_opts o;
		struct fk_sign_result r;
		struct fk_image_info info;
		unsigned cases = 0;

		fk_sign_opts_init(&o);
		o.version.major = 1;
		o.hdr_size = 0x20;
		o.pad_header = true;
		o.has_sec_cnt = true;
		o.sec_cnt = 5;
		o.key = &keys[which[w]];
		assert_int_equal(fk_sign_image(&o, payload, payload_len, &r),
				 0);
		assert_int_equal(
			validate_buf(r.data, r.len, ikeys, NKEYS, &info),
			FK_OK);
		assert_int_equal(info.key_index, which[w]);
		assert_int_equal(parse_buf(r.data, r.len, &info), 0);
		for (size_t pos = 0; pos < r.len; pos++)
			cases += flip_at(r.data, r.len, pos, masks,
					 masks_for(&info, pos));
		print_message("%s: %u flips over all %zu bytes rejected\n",
			      key_files[which[w]], cases, r.len);
		assert_int_equal(
			validate_buf(r.data, r.len, ikeys, NKEYS, &info),
			FK_OK);
		free(r.data);
	}
	free(payload);
}

static void
test_flipping_bytes_of_imgtools_p384_rsa3072_ed25519_is_rejected(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	static const char *const files[] = { "ecdsa-p384-basic.bin",
					     "rsa3072-basic.bin",
					     "ed25519-basic.bin" };

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct fk_image_info info;
		unsigned cases = 0;
		size_t len;
		uint8_t *img = read_ref(files[f], &len);

		assert_int_equal(validate_buf(img, len, ikeys, NKEYS, &info),
				 FK_OK);
		for (size_t pos = 0; pos < len; pos++) {
			/* The payload: a sample of it suffices. */
			if (pos >= info.hdr.hdr_size && pos < info.prot_off &&
			    pos % 61)
				continue;
			cases += flip_at(img, len, pos, masks,
					 masks_for(&info, pos));
		}
		print_message("%s: %u flips rejected\n", files[f], cases);
		free(img);
	}
}

/* Offset of the unprotected TLV area, from the header alone. */
static size_t unprot_off(const uint8_t *img)
{
	return fk_le16(img + 8) + fk_le32(img + 12) + fk_le16(img + 10);
}

/* Offset of the value of the first unprotected TLV of this type, walked
 * without the parser (the images here may be ones it refuses). */
static size_t find_raw(const uint8_t *img, size_t len, uint16_t type)
{
	size_t area = unprot_off(img), off = area + 4;
	size_t end = area + fk_le16(img + area + 2);

	assert_true(end <= len);
	while (off + 4 <= end) {
		if (fk_le16(img + off) == type)
			return off + 4;
		off += 4 + fk_le16(img + off + 2);
	}
	fail_msg("no TLV 0x%02x", type);
	return 0;
}

/* A copy of img whose unprotected TLV of this type has new_len bytes
 * (cut, or zero-extended), with the area's total fixed. */
static uint8_t *resize_tlv(const uint8_t *img, size_t len, uint16_t type,
			   uint16_t new_len, size_t *out_len)
{
	size_t area = unprot_off(img), off = find_raw(img, len, type);
	uint16_t old_len = fk_le16(img + off - 2);
	size_t tail = len - (off + old_len);
	uint8_t *out;

	*out_len = off + new_len + tail;
	out = calloc(1, *out_len);
	assert_non_null(out);
	memcpy(out, img, off);
	memcpy(out + off, img + off, old_len < new_len ? old_len : new_len);
	memcpy(out + off + new_len, img + off + old_len, tail);
	fk_put_le16(out + off - 2, new_len);
	fk_put_le16(out + area + 2,
		    (uint32_t)(fk_le16(img + area + 2) + new_len - old_len));
	return out;
}

static void expect_bad_len(const char *file, uint16_t type, uint16_t new_len)
{
	struct fk_image_info info;
	size_t len, bad_len;
	uint8_t *img = read_ref(file, &len);
	uint8_t *bad = resize_tlv(img, len, type, new_len, &bad_len);

	print_message("%s: TLV 0x%02x of %u bytes\n", file, type, new_len);
	assert_int_equal(validate_buf(bad, bad_len, ikeys, NKEYS, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_LEN);
	assert_int_equal(info.bad_tlv, type);
	free(bad);
	free(img);
}

static void
test_keyhash_or_signature_of_the_wrong_length_is_ebadimg(void **state)
{
	static const struct {
		const char *file;
		uint16_t type, len;
	} cases[] = {
		/* KEYHASH: as long as the digest, nothing else */
		{ "ecdsa-p384-basic.bin", FK_TLV_KEYHASH, 32 },
		{ "ecdsa-p384-basic.bin", FK_TLV_KEYHASH, 40 },
		{ "ecdsa-p384-basic.bin", FK_TLV_KEYHASH, 49 },
		{ "ecdsa-p384-basic.bin", FK_TLV_KEYHASH, 0 },
		{ "rsa3072-basic.bin", FK_TLV_KEYHASH, 48 },
		{ "ecdsa-p256-basic.bin", FK_TLV_KEYHASH, 48 },
		/* digests and signatures of fixed size, ECDSA's range */
		{ "ecdsa-p384-basic.bin", FK_TLV_SHA384, 32 },
		{ "ecdsa-p384-basic.bin", FK_TLV_SHA384, 64 },
		{ "rsa3072-basic.bin", FK_TLV_RSA3072_PSS, 383 },
		{ "rsa3072-basic.bin", FK_TLV_RSA3072_PSS, 385 },
		{ "rsa3072-basic.bin", FK_TLV_RSA3072_PSS, 256 },
		{ "ecdsa-p384-basic.bin", FK_TLV_ECDSA_SIG, 257 },
		{ "ecdsa-p384-basic.bin", FK_TLV_ECDSA_SIG, 7 },
		/* Ed25519: a 64-byte signature, a 32-byte KEYHASH */
		{ "ed25519-basic.bin", FK_TLV_ED25519, 63 },
		{ "ed25519-basic.bin", FK_TLV_ED25519, 65 },
		{ "ed25519-basic.bin", FK_TLV_ED25519, 0 },
		{ "ed25519-basic.bin", FK_TLV_ED25519, 72 },
		{ "ed25519-basic.bin", FK_TLV_KEYHASH, 48 },
		{ "ed25519-basic.bin", FK_TLV_KEYHASH, 31 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_bad_len(cases[i].file, cases[i].type, cases[i].len);
}

/* An ECDSA signature cut or padded within the TLV's range is a signature
 * that does not verify (zero padding after the DER is accepted, as for
 * P-256: older imgtool versions wrote it). */
static void
test_p384_signature_cut_or_padded_is_checked_not_crashed(void **state)
{
	static const uint16_t lens[] = { 8, 60, 103, 105, 200, 256 };
	struct fk_image_info info;
	size_t len, bad_len;
	uint8_t *img = read_ref("ecdsa-p384-basic.bin", &len);

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *bad = resize_tlv(img, len, FK_TLV_ECDSA_SIG, lens[i],
					  &bad_len);

		assert_int_equal(
			validate_buf(bad, bad_len, ikeys, NKEYS, &info),
			lens[i] > 104 ? FK_OK : FK_ESIG);
		free(bad);
	}
	free(img);
}

/* Pairings imgtool never writes are refused as unsupported, not
 * verified with the wrong hash: RSA-3072 or Ed25519 over a SHA384 digest
 * (the digest made right, the KEYHASH made 48 bytes). */
static void expect_not_supported_over_sha384(const char *file)
{
	const struct fk_crypto_port *c = &fk_crypto_mbedtls;
	union fk_sha256_state st;
	struct fk_image_info info;
	size_t len, len2, len3, off;
	uint8_t *img = read_ref(file, &len);
	uint8_t *a = resize_tlv(img, len, FK_TLV_SHA256, 48, &len2);
	uint8_t *b;

	print_message("%s over SHA384\n", file);
	off = find_raw(a, len2, FK_TLV_SHA256);
	fk_put_le16(a + off - 4, FK_TLV_SHA384);
	c->sha384_init(&st);
	c->sha384_update(&st, a, unprot_off(a));
	c->sha384_finish(&st, a + off);
	assert_int_equal(parse_buf(a, len2, &info), FK_EBADIMG);
	assert_int_equal(info.bad_tlv, FK_TLV_KEYHASH); /* still 32 bytes */
	b = resize_tlv(a, len2, FK_TLV_KEYHASH, 48, &len3);
	assert_int_equal(validate_buf(b, len3, NULL, 0, &info), FK_OK);
	assert_int_equal(validate_buf(b, len3, ikeys, NKEYS, &info),
			 FK_ENOTSUP);
	free(b);
	free(a);
	free(img);
}

static void test_rsa3072_or_ed25519_over_sha384_is_not_supported(void **state)
{
	(void)state;
	expect_not_supported_over_sha384("rsa3072-basic.bin");
	expect_not_supported_over_sha384("ed25519-basic.bin");
}

/* Ed25519's S is below the group order L; S + L (still 32 bytes) is the
 * same signature to a verifier that reduces S first, which libsodium
 * refuses: a signed image has one valid signature, not two. */
static void test_ed25519_signature_with_s_plus_l_does_not_verify(void **state)
{
	static const uint8_t order[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
		0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
	};
	struct fk_image_info info;
	size_t len;
	uint8_t *img = read_ref("ed25519-basic.bin", &len);
	uint8_t *s = img + find_raw(img, len, FK_TLV_ED25519) + 32;
	unsigned carry = 0;

	(void)state;
	assert_int_equal(validate_buf(img, len, ikeys, NKEYS, &info), FK_OK);
	for (size_t i = 0; i < 32; i++) {
		carry += (unsigned)s[i] + order[i];
		s[i] = (uint8_t)carry;
		carry >>= 8;
	}
	assert_int_equal(carry, 0); /* S + L < 2^256: still 32 bytes */
	assert_int_equal(validate_buf(img, len, ikeys, NKEYS, &info), FK_ESIG);
	free(img);
}

static int setup(void **state)
{
	(void)state;
	load_ref_keys(key_files, NKEYS, keys, ikeys);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_keys(keys, NKEYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_flipping_any_byte_of_a_signed_p384_rsa3072_or_ed25519_image_is_rejected),
		cmocka_unit_test(
			test_flipping_bytes_of_imgtools_p384_rsa3072_ed25519_is_rejected),
		cmocka_unit_test(
			test_keyhash_or_signature_of_the_wrong_length_is_ebadimg),
		cmocka_unit_test(
			test_p384_signature_cut_or_padded_is_checked_not_crashed),
		cmocka_unit_test(
			test_rsa3072_or_ed25519_over_sha384_is_not_supported),
		cmocka_unit_test(
			test_ed25519_signature_with_s_plus_l_does_not_verify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
