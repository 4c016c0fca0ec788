/*
 * The crypto port's decryption (fk_crypto_mbedtls.enc_unwrap and
 * aes_ctr_xor, the code a bootloader runs) on imgtool 2.4.0's encrypted
 * images, with the device-form keys `flashkit key private` writes
 * (fk_enc_device_key): each image's key TLV unwraps to the AES key that
 * turns its payload into plaintext with the MANIFEST's digest; the -c
 * image's TLV unwraps and its payload already has it. AES-CTR from any
 * offset 0..47 with odd lengths, and in odd-sized pieces, equals one pass
 * over the whole buffer and mbedTLS's own CTR mode (a 70,000-byte buffer,
 * so the counter carries into its third byte). Every byte of every key
 * TLV flipped, a key of another scheme or device, a key of the wrong
 * length or garbage DER, the wrong AES length: FK_EKEY, aes_key left
 * untouched, never a crash (ASan in make check).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <mbedtls/aes.h>

#include "image/enc.h"
#include "image_test_util.h"

static const struct ref_case {
	const char *file, *enc_key, *digest;
	uint16_t tlv;
	size_t aes_len;
	bool clear;
} refs[] = {
	{ "ecdsa-p256-enc-ecies-p256-aes128.bin", "enc-ecies-p256.pem",
	  "ab6319eae7052cd9d18aa8a6585d7ded293892b09dd6e574b9d57c05a4ffc8e1",
	  FK_TLV_ENC_EC256, 16, false },
	{ "ecdsa-p256-enc-ecies-p256-aes256.bin", "enc-ecies-p256.pem",
	  "a4dead5aaefc215eb9005af9b6783420f50115d5030344bdfbc61c0811e6bea5",
	  FK_TLV_ENC_EC256, 32, false },
	{ "ecdsa-p256-enc-ecies-p256-clear.bin", "enc-ecies-p256.pem",
	  "344234178e4ad5c32ac36012e6faa75cf6171d492af9837332f71d8df99b7366",
	  FK_TLV_ENC_EC256, 16, true },
	{ "ed25519-enc-x25519-aes128.bin", "enc-x25519.pem",
	  "2ef2b36c800979c253f18318475d8d67eabc47e1c6cdfd0561555ef3ae80900e",
	  FK_TLV_ENC_X25519, 16, false },
	{ "ed25519-enc-x25519-aes256.bin", "enc-x25519.pem",
	  "218ebdb3d2796a83d2b929e7024e47fbc5caf7c8c4d4834fef22113d049bb779",
	  FK_TLV_ENC_X25519, 32, false },
	{ "rsa2048-enc-rsa-oaep-aes128.bin", "enc-rsa-2048.pem",
	  "5824bccea13cebcbecfd3923787460a79912d2dfe6c59e3f2f0ce6a144a7fb60",
	  FK_TLV_ENC_RSA2048, 16, false },
};
#define NREFS (sizeof(refs) / sizeof(refs[0]))

/* The device form of a reference key file, as `key private` writes it. */
static size_t device_key(const char *file, uint8_t *out)
{
	struct fk_enc_key ek;
	size_t len = 0;

	assert_int_equal(fk_enc_key_load(&ek, ref_path(file), NULL), 0);
	assert_int_equal(
		fk_enc_device_key(&ek, out, FK_ENC_DEVICE_KEY_MAX, &len), 0);
	fk_enc_key_free(&ek);
	return len;
}

/* An imgtool image, parsed, with its key TLV. */
struct ref_image {
	uint8_t *img;
	size_t len;
	struct fk_memflash m;
	struct fk_image_info info;
	struct fk_image_tlv t;
};

static void load_image(const struct ref_case *c, struct ref_image *r)
{
	r->img = read_ref(c->file, &r->len);
	assert_int_equal(fk_memflash_init(&r->m, r->img, r->len), 0);
	assert_int_equal(fk_image_parse(&r->m.area, &r->info), 0);
	assert_int_equal(fk_image_tlv_find(&r->m.area, &r->info, c->tlv, &r->t),
			 0);
	assert_int_equal(r->info.hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					      FK_IMAGE_F_ENCRYPTED_AES256),
			 c->aes_len == 16 ? FK_IMAGE_F_ENCRYPTED_AES128 :
					    FK_IMAGE_F_ENCRYPTED_AES256);
}

static int unwrap(const uint8_t *key, size_t key_len, uint16_t type,
		  const uint8_t *tlv, size_t tlv_len, uint8_t *aes,
		  size_t aes_len)
{
	return fk_crypto_mbedtls.enc_unwrap(key, key_len, type, tlv, tlv_len,
					    aes, aes_len);
}

static void test_port_decrypts_imgtool_images(void **state)
{
	uint8_t dev[FK_ENC_DEVICE_KEY_MAX], aes[32], digest[FK_DIGEST_MAX],
		buf[512], want[32];

	(void)state;
	for (size_t i = 0; i < NREFS; i++) {
		const struct ref_case *c = &refs[i];
		size_t dev_len = device_key(c->enc_key, dev);
		struct ref_image r;

		load_image(c, &r);
		assert_int_equal(unwrap(dev, dev_len, c->tlv, r.img + r.t.off,
					r.t.len, aes, c->aes_len),
				 0);
		if (!c->clear)
			assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(
						 aes, c->aes_len, 0,
						 r.img + r.info.hdr.hdr_size,
						 r.info.hdr.img_size),
					 0);
		assert_int_equal(fk_image_hash(&r.m.area, &r.info,
					       &fk_crypto_mbedtls, digest, buf,
					       sizeof(buf)),
				 0);
		hex_to_bytes(c->digest, want, 32);
		assert_memory_equal(digest, want, 32);
		free(r.img);
	}
}

/* One pass over the whole buffer against pieces from every offset. */
static void test_ctr_any_offset_equals_one_pass(void **state)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	uint8_t plain[160], whole[160], part[160];

	(void)state;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + 3);
	for (size_t kl = 16; kl <= 32; kl += 16) {
		memcpy(whole, plain, sizeof(whole));
		assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(
					 key, kl, 0, whole, sizeof(whole)),
				 0);
		for (uint32_t off = 0; off < 48; off++) {
			for (size_t len = 1; off + len <= sizeof(plain);
			     len += 2) {
				memcpy(part, plain + off, len);
				assert_int_equal(
					fk_crypto_mbedtls.aes_ctr_xor(
						key, kl, off, part, len),
					0);
				assert_memory_equal(part, whole + off, len);
			}
		}
		/* the whole buffer in odd pieces, one after the other */
		memcpy(part, plain, sizeof(part));
		for (size_t off = 0, n = 1; off < sizeof(part); n += 2) {
			size_t len =
				n < sizeof(part) - off ? n : sizeof(part) - off;

			assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(
						 key, kl, (uint32_t)off,
						 part + off, len),
					 0);
			off += len;
		}
		assert_memory_equal(part, whole, sizeof(part));
	}
}

/* The counter layout against mbedTLS's CTR mode with a zero nonce (what
 * imgtool's cryptography CTR does) over 70,000 bytes, and from an offset
 * past 65,536 blocks' worth of counter carry. */
static void test_ctr_counter_layout(void **state)
{
	static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16 };
	enum { N = 70000 };
	uint8_t *a = calloc(1, N), *b = calloc(1, N);
	uint8_t nonce[16] = { 0 }, stream[16];
	mbedtls_aes_context aes;
	size_t nc_off = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	mbedtls_aes_init(&aes);
	assert_int_equal(mbedtls_aes_setkey_enc(&aes, key, 128), 0);
	assert_int_equal(
		mbedtls_aes_crypt_ctr(&aes, N, &nc_off, nonce, stream, a, a),
		0);
	mbedtls_aes_free(&aes);
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(key, 16, 0, b, N), 0);
	assert_memory_equal(a, b, N);
	memset(b, 0, N);
	assert_int_equal(
		fk_crypto_mbedtls.aes_ctr_xor(key, 16, 66001, b + 66001, 3999),
		0);
	assert_memory_equal(a + 66001, b + 66001, 3999);
	free(a);
	free(b);
}

static void test_ctr_refuses_bad_arguments(void **state)
{
	uint8_t key[32] = { 0 }, buf[32] = { 0 };

	(void)state;
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(key, 24, 0, buf, 16),
			 FK_EINVAL);
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(key, 0, 0, buf, 16),
			 FK_EINVAL);
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(NULL, 16, 0, buf, 16),
			 FK_EINVAL);
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(key, 16, 0, NULL, 16),
			 FK_EINVAL);
	assert_int_equal(
		fk_crypto_mbedtls.aes_ctr_xor(key, 16, UINT32_MAX - 3, buf, 8),
		FK_EINVAL);
	assert_int_equal(
		fk_crypto_mbedtls.aes_ctr_xor(key, 16, UINT32_MAX - 3, buf, 4),
		0);
	assert_int_equal(fk_crypto_mbedtls.aes_ctr_xor(key, 16, 5, buf, 0), 0);
}

/* aes must stay untouched by a failed unwrap. */
static void expect_ekey(const uint8_t *key, size_t key_len, uint16_t type,
			const uint8_t *tlv, size_t tlv_len, size_t aes_len)
{
	uint8_t aes[33];

	memset(aes, 0xa5, sizeof(aes));
	assert_int_equal(unwrap(key, key_len, type, tlv, tlv_len, aes, aes_len),
			 FK_EKEY);
	for (size_t i = 0; i < sizeof(aes); i++)
		assert_int_equal(aes[i], 0xa5);
}

/* Every byte of each key TLV flipped (all eight bits, then the low one). */
static void test_tampered_tlv_is_ekey(void **state)
{
	uint8_t dev[FK_ENC_DEVICE_KEY_MAX], tlv[FK_ENC_TLV_MAX];

	(void)state;
	for (size_t i = 0; i < NREFS; i++) {
		const struct ref_case *c = &refs[i];
		size_t dev_len = device_key(c->enc_key, dev);
		struct ref_image r;

		if (c->clear)
			continue; /* the same TLV form as the aes128 one */
		load_image(c, &r);
		assert_true(r.t.len <= sizeof(tlv));
		for (uint32_t p = 0; p < r.t.len; p++) {
			for (int m = 0; m < 2; m++) {
				memcpy(tlv, r.img + r.t.off, r.t.len);
				tlv[p] ^= m ? 0x01 : 0xff;
				expect_ekey(dev, dev_len, c->tlv, tlv, r.t.len,
					    c->aes_len);
			}
		}
		/* truncated, one byte long, the other AES length */
		expect_ekey(dev, dev_len, c->tlv, r.img + r.t.off, r.t.len - 1,
			    c->aes_len);
		expect_ekey(dev, dev_len, c->tlv, r.img + r.t.off, 1,
			    c->aes_len);
		expect_ekey(dev, dev_len, c->tlv, r.img + r.t.off, r.t.len,
			    c->aes_len == 16 ? 32 : 16);
		expect_ekey(dev, dev_len, c->tlv, r.img + r.t.off, r.t.len, 24);
		free(r.img);
	}
}

/* Another device's key of the same scheme, a key of another scheme, a
 * key of the wrong length, garbage DER: FK_EKEY. */
static void test_wrong_key_is_ekey(void **state)
{
	uint8_t p256[FK_ENC_DEVICE_KEY_MAX], x25519[FK_ENC_DEVICE_KEY_MAX],
		rsa[FK_ENC_DEVICE_KEY_MAX], other_rsa[FK_ENC_DEVICE_KEY_MAX];
	size_t p256_len = device_key("enc-ecies-p256.pem", p256);
	size_t x_len = device_key("enc-x25519.pem", x25519);
	size_t rsa_len = device_key("enc-rsa-2048.pem", rsa);
	/* the signing key: an RSA-2048 key of another device */
	size_t other_len = device_key("rsa-2048.pem", other_rsa);
	uint8_t zero[32] = { 0 }, ones[32];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	for (size_t i = 0; i < NREFS; i++) {
		const struct ref_case *c = &refs[i];
		struct ref_image r;
		const uint8_t *tlv;

		load_image(c, &r);
		tlv = r.img + r.t.off;
		switch (c->tlv) {
		case FK_TLV_ENC_EC256:
			/* X25519's 32 bytes are a valid P-256 scalar */
			expect_ekey(x25519, x_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			expect_ekey(zero, 32, c->tlv, tlv, r.t.len, c->aes_len);
			expect_ekey(ones, 32, c->tlv, tlv, r.t.len, c->aes_len);
			expect_ekey(p256, 31, c->tlv, tlv, r.t.len, c->aes_len);
			expect_ekey(rsa, rsa_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			break;
		case FK_TLV_ENC_X25519:
			expect_ekey(p256, p256_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			expect_ekey(x25519, 33, c->tlv, tlv, r.t.len,
				    c->aes_len);
			expect_ekey(rsa, rsa_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			break;
		case FK_TLV_ENC_RSA2048:
			expect_ekey(other_rsa, other_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			expect_ekey(p256, p256_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			expect_ekey(rsa, rsa_len - 1, c->tlv, tlv, r.t.len,
				    c->aes_len);
			rsa[7] ^= 0x40; /* garbage DER */
			expect_ekey(rsa, rsa_len, c->tlv, tlv, r.t.len,
				    c->aes_len);
			rsa[7] ^= 0x40;
			break;
		}
		/* the right key under another TLV type */
		expect_ekey(c->tlv == FK_TLV_ENC_X25519 ? x25519 : p256, 32,
			    c->tlv == FK_TLV_ENC_X25519 ?
				    FK_TLV_ENC_X25519_SHA512 :
				    FK_TLV_ENC_X25519,
			    tlv, r.t.len, c->aes_len);
		free(r.img);
	}
	/* a scheme the port has no code for */
	assert_int_equal(
		unwrap(p256, p256_len, FK_TLV_ENC_KW, zero, 24, ones, 16),
		FK_ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_decrypts_imgtool_images),
		cmocka_unit_test(test_ctr_any_offset_equals_one_pass),
		cmocka_unit_test(test_ctr_counter_layout),
		cmocka_unit_test(test_ctr_refuses_bad_arguments),
		cmocka_unit_test(test_tampered_tlv_is_ekey),
		cmocka_unit_test(test_wrong_key_is_ekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
