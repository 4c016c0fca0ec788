/*
 * The BearSSL port (ports/crypto-bearssl) on the host, against Debian's
 * libbearssl-dev: imgtool's ECDSA P-256 reference images validate through
 * fk_image_validate() with fk_crypto_bearssl_p256; every flipped bit of a
 * signature, another P-256 key, unusable keys (length, prefix, a point off
 * the curve) and hostile DER (tags, lengths, negative and non-minimal
 * INTEGERs, r or s zero or not below n, bytes after the sequence) are
 * refused with the right code; and it agrees with the mbedTLS port on
 * fresh signatures, never accepting what that one refuses. Built twice
 * (tests/crypto/CMakeLists.txt): test_crypto_bearssl with the port's
 * default curve code (br_ec_prime_i31), test_crypto_bearssl_m31 with
 * FK_BEARSSL_P256_M31 (br_ec_p256_m31).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fk_crypto_bearssl.h"
#include "image_test_util.h"

/* The order n of P-256. */
static const uint8_t order_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static struct fk_key key, other_key, p384_key;
static struct fk_image_key ikey, iother, ip384;
static uint8_t *img;
static size_t img_len;
static struct fk_image_info info;

static int setup(void **state)
{
	(void)state;
	load_ref_key(&key, "ecdsa-p256.pem");
	/* another P-256 key: the ECIES one's public half */
	load_ref_key(&other_key, "enc-ecies-p256.pub.pem");
	load_ref_key(&p384_key, "ecdsa-p384.pub.pem");
	fk_key_image_key(&key, &ikey);
	fk_key_image_key(&other_key, &iother);
	fk_key_image_key(&p384_key, &ip384);
	img = read_ref("ecdsa-p256-basic.bin", &img_len);
	if (parse_buf(img, img_len, &info))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_key_free(&key);
	fk_key_free(&other_key);
	fk_key_free(&p384_key);
	free(img);
	return 0;
}

static int verify(const uint8_t *digest, const uint8_t *sig, size_t len)
{
	return fk_bearssl_ecdsa_p256_verify(ikey.der, ikey.der_len, digest, sig,
					    len);
}

static int verify_mbedtls(const uint8_t *digest, const uint8_t *sig, size_t len)
{
	return fk_mbedtls_ecdsa_p256_verify(ikey.der, ikey.der_len, digest, sig,
					    len);
}

/* r and s of a well-formed DER signature, as 32-byte big-endian. */
static void split_sig(const uint8_t *sig, uint8_t r[32], uint8_t s[32])
{
	const uint8_t *p = sig + 2;

	for (int k = 0; k < 2; k++) {
		uint8_t *out = k ? s : r;
		size_t len = p[1];

		assert_int_equal(p[0], 0x02);
		p += 2;
		while (len > 32) {
			p++;
			len--;
		}
		memset(out, 0, 32 - len);
		memcpy(out + 32 - len, p, len);
		p += len;
	}
}

/* The minimal DER INTEGER content of a 32-byte value into out (up to 33
 * bytes); its length. */
static size_t canon(const uint8_t x[32], uint8_t out[33])
{
	size_t i = 0, n = 0;

	while (i < 31 && !x[i])
		i++;
	if (x[i] & 0x80)
		out[n++] = 0;
	memcpy(out + n, x + i, 32 - i);
	return n + 32 - i;
}

/* SEQUENCE { INTEGER r, INTEGER s } with the INTEGERs' contents given
 * byte for byte (however wrong); its length. */
static size_t der(uint8_t *out, const uint8_t *r, size_t rn, const uint8_t *s,
		  size_t sn)
{
	size_t n = 0;

	out[n++] = 0x30;
	out[n++] = (uint8_t)(4 + rn + sn);
	out[n++] = 0x02;
	out[n++] = (uint8_t)rn;
	memcpy(out + n, r, rn);
	n += rn;
	out[n++] = 0x02;
	out[n++] = (uint8_t)sn;
	memcpy(out + n, s, sn);
	return n + sn;
}

/* The canonical DER of (r, s); its length. */
static size_t der_of(uint8_t *out, const uint8_t r[32], const uint8_t s[32])
{
	uint8_t rc[33], sc[33];
	size_t rn = canon(r, rc), sn = canon(s, sc);

	return der(out, rc, rn, sc, sn);
}

/* out = n - x (x below n). */
static void n_minus(const uint8_t x[32], uint8_t out[32])
{
	int borrow = 0;

	for (int i = 31; i >= 0; i--) {
		int d = order_n[i] - x[i] - borrow;

		borrow = d < 0;
		out[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

static void test_reference_p256_images_validate(void **state)
{
	static const char *const valid[] = {
		"ecdsa-p256-basic.bin",
		"ecdsa-p256-custom-tlv.bin",
		"ecdsa-p256-padded-confirmed-align4.bin",
		"ecdsa-p256-padded-test-align8.bin",
		"ecdsa-p256-pubkey-full.bin",
		"ecdsa-p256-seccnt7-dep.bin",
	};
	struct fk_image_keys set = { .crypto = &fk_crypto_bearssl_p256,
				     .keys = &ikey,
				     .count = 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct fk_image_info in;
		struct fk_memflash m;
		size_t len;
		uint8_t *buf = read_ref(valid[i], &len);

		assert_int_equal(fk_memflash_init(&m, buf, len), 0);
		assert_int_equal(fk_image_validate(&m.area, &set, &in), FK_OK);
		assert_int_equal(in.key_index, 0);
		free(buf);
	}
}

/* Not this port's: no decryption, no other algorithm. */
static void test_encrypted_and_other_images_are_not_supported(void **state)
{
	struct fk_image_keys set = { .crypto = &fk_crypto_bearssl_p256,
				     .keys = &ikey,
				     .count = 1 };
	struct fk_image_info in;
	struct fk_memflash m;
	size_t len;
	uint8_t *buf = read_ref("ecdsa-p256-enc-ecies-p256-aes128.bin", &len);

	(void)state;
	assert_int_equal(fk_memflash_init(&m, buf, len), 0);
	assert_int_equal(fk_image_validate(&m.area, &set, &in), FK_ENOTSUP);
	free(buf);
	assert_null(fk_crypto_bearssl_p256.rsa2048_pss_verify);
	assert_null(fk_crypto_bearssl_p256.ed25519_verify);
	assert_null(fk_crypto_bearssl_p256.enc_unwrap);
}

static void test_every_flipped_signature_bit_is_refused(void **state)
{
	const uint8_t *sig = img + info.sig_off;
	uint8_t bad[FK_IMAGE_SIG_MAX];

	(void)state;
	assert_int_equal(verify(info.digest, sig, info.sig_len), 0);
	for (size_t i = 0; i < info.sig_len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, sig, info.sig_len);
			bad[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(verify(info.digest, bad, info.sig_len),
					 FK_ESIG);
		}
	}
	/* and in the image, through the image code */
	{
		uint8_t *copy = malloc(img_len);
		struct fk_image_keys set = { .crypto = &fk_crypto_bearssl_p256,
					     .keys = &ikey,
					     .count = 1 };
		struct fk_image_info in;
		struct fk_memflash m;

		assert_non_null(copy);
		memcpy(copy, img, img_len);
		copy[info.sig_off + info.sig_len - 10] ^= 0x01;
		assert_int_equal(fk_memflash_init(&m, copy, img_len), 0);
		assert_int_equal(fk_image_validate(&m.area, &set, &in),
				 FK_ESIG);
		free(copy);
	}
}

static void test_a_flipped_digest_bit_is_refused(void **state)
{
	uint8_t digest[FK_SHA256_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(digest) * 8; i++) {
		memcpy(digest, info.digest, sizeof(digest));
		digest[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(
			verify(digest, img + info.sig_off, info.sig_len),
			FK_ESIG);
	}
}

static void test_another_p256_key_is_refused(void **state)
{
	(void)state;
	assert_int_equal(iother.der_len, ikey.der_len);
	assert_int_equal(fk_bearssl_ecdsa_p256_verify(
				 iother.der, iother.der_len, info.digest,
				 img + info.sig_off, info.sig_len),
			 FK_ESIG);
}

static int verify_key(const uint8_t *der_key, size_t len)
{
	return fk_bearssl_ecdsa_p256_verify(der_key, len, info.digest,
					    img + info.sig_off, info.sig_len);
}

static void test_unusable_keys_are_fk_ekey(void **state)
{
	uint8_t k[128];
	size_t len = ikey.der_len;

	(void)state;
	assert_int_equal(len, 91);
	assert_int_equal(verify_key(ikey.der, len - 1), FK_EKEY);
	memcpy(k, ikey.der, len);
	k[len] = 0;
	assert_int_equal(verify_key(k, len + 1), FK_EKEY);
	assert_int_equal(verify_key(ip384.der, ip384.der_len), FK_EKEY);
	/* every byte of the prefix and the point's format byte */
	for (size_t i = 0; i < 27; i++) {
		memcpy(k, ikey.der, len);
		k[i] ^= 0x01;
		assert_int_equal(verify_key(k, len), FK_EKEY);
	}
	/* a point off the curve: each of x and y changed */
	for (size_t i = 27; i < len; i += 16) {
		memcpy(k, ikey.der, len);
		k[i] ^= 0x01;
		assert_int_equal(verify_key(k, len), FK_EKEY);
	}
	/* the point at infinity's zeros */
	memcpy(k, ikey.der, len);
	memset(k + 27, 0, 64);
	assert_int_equal(verify_key(k, len), FK_EKEY);
}

static void test_hostile_der_is_refused(void **state)
{
	const uint8_t *sig = img + info.sig_off;
	const uint8_t *d = info.digest;
	uint8_t r[32], s[32], zero[32] = { 0 }, ones[33], rc[33], sc[33];
	uint8_t b[160];
	size_t n, rn, sn;

	(void)state;
	split_sig(sig, r, s);
	rn = canon(r, rc);
	sn = canon(s, sc);
	n = der(b, rc, rn, sc, sn);
	assert_int_equal(verify(d, b, n), 0);
	/* zero bytes after the sequence (older imgtool) are allowed, others
	 * not */
	memset(b + n, 0, 3);
	assert_int_equal(verify(d, b, n + 3), 0);
	b[n + 2] = 1;
	assert_int_equal(verify(d, b, n + 3), FK_ESIG);
	/* lengths */
	for (size_t len = 0; len < n; len++)
		assert_int_equal(verify(d, b, len), FK_ESIG);
	n = der(b, rc, rn, sc, sn);
	b[1]++;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	b[1] -= 2;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	/* the sequence's length in long form */
	memmove(b + 3, b + 2, n - 2);
	b[1] = 0x81;
	b[2] = (uint8_t)(n - 2);
	assert_int_equal(verify(d, b, n + 1), FK_ESIG);
	/* r's length one too long, one too short, zero, in long form */
	n = der(b, rc, rn, sc, sn);
	for (int delta = -1; delta <= 1; delta += 2) {
		b[3] = (uint8_t)(rn + delta);
		assert_int_equal(verify(d, b, n), FK_ESIG);
	}
	b[3] = 0;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	b[3] = 0x81;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	/* tags */
	n = der(b, rc, rn, sc, sn);
	b[0] = 0x31;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der(b, rc, rn, sc, sn);
	b[2] = 0x03;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der(b, rc, rn, sc, sn);
	b[4 + rn] = 0x04;
	assert_int_equal(verify(d, b, n), FK_ESIG);
	/* r or s zero, n, 2^256 - 1, 33 bytes of value */
	memset(ones, 0xff, sizeof(ones));
	ones[0] = 0;
	n = der_of(b, zero, s);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der_of(b, r, zero);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der_of(b, order_n, s);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der_of(b, r, order_n);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der(b, ones, 33, sc, sn);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	n = der(b, rc, rn, ones, 33);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	ones[0] = 1;
	n = der(b, ones, 33, sc, sn);
	assert_int_equal(verify(d, b, n), FK_ESIG);
}

/* s and n - s both verify (ECDSA's malleability); one of them has its
 * high bit set. Encoded without the leading zero that one is negative, and
 * the other with a needless leading zero is not minimal: both refused,
 * though their values verify. */
static void test_negative_and_non_minimal_integers_are_refused(void **state)
{
	const uint8_t *d = info.digest;
	uint8_t r[32], s[32], twin[32], rc[33], b[160];
	uint8_t *hi, *lo, pad[33];
	size_t n, rn;

	(void)state;
	split_sig(img + info.sig_off, r, s);
	n_minus(s, twin);
	n = der_of(b, r, twin);
	assert_int_equal(verify(d, b, n), 0);
	assert_int_equal(verify_mbedtls(d, b, n), 0);
	hi = (s[0] & 0x80) ? s : twin;
	lo = hi == s ? twin : s;
	assert_true(hi[0] & 0x80);
	assert_false(lo[0] & 0x80);
	rn = canon(r, rc);
	n = der(b, rc, rn, hi, 32);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	pad[0] = 0;
	memcpy(pad + 1, lo, 32);
	n = der(b, rc, rn, pad, 33);
	assert_int_equal(verify(d, b, n), FK_ESIG);
	/* mbedTLS reads both as the unsigned values: the BearSSL port is
	 * the stricter (docs/image-format.md) */
	assert_int_equal(verify_mbedtls(d, b, n), 0);
}

/* Fresh signatures of random digests: both ports verify each, and
 * refuse it with a byte changed; r with its high bit set comes up
 * (padded INTEGER). */
static void test_agrees_with_mbedtls_on_fresh_signatures(void **state)
{
	int high_r = 0;

	(void)state;
	srand(12);
	for (int i = 0; i < 48; i++) {
		uint8_t digest[FK_SHA256_SIZE], sig[FK_IMAGE_SIG_MAX];
		size_t len = 0, pos;

		for (size_t k = 0; k < sizeof(digest); k++)
			digest[k] = (uint8_t)rand();
		assert_int_equal(fk_key_sign(&key, digest, sig, &len), 0);
		high_r += sig[3] == 33;
		assert_int_equal(verify(digest, sig, len), 0);
		assert_int_equal(verify_mbedtls(digest, sig, len), 0);
		pos = 4 + (size_t)rand() % (len - 4);
		sig[pos] ^= (uint8_t)(1 + rand() % 255);
		assert_int_equal(verify(digest, sig, len), FK_ESIG);
		assert_int_not_equal(verify_mbedtls(digest, sig, len), 0);
	}
	assert_true(high_r > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_p256_images_validate),
		cmocka_unit_test(
			test_encrypted_and_other_images_are_not_supported),
		cmocka_unit_test(test_every_flipped_signature_bit_is_refused),
		cmocka_unit_test(test_a_flipped_digest_bit_is_refused),
		cmocka_unit_test(test_another_p256_key_is_refused),
		cmocka_unit_test(test_unusable_keys_are_fk_ekey),
		cmocka_unit_test(test_hostile_der_is_refused),
		cmocka_unit_test(
			test_negative_and_non_minimal_integers_are_refused),
		cmocka_unit_test(test_agrees_with_mbedtls_on_fresh_signatures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
