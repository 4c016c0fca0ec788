/*
 * Encrypted images (imgtool -E): imgtool 2.4.0's images for each scheme
 * (ECIES-P256 with AES-128 and AES-256, the -c clear payload, ECIES-X25519
 * with both key lengths, RSA-OAEP) decrypt with their private keys to the
 * plaintext digest the MANIFEST gives and the signature verifies; and
 * images flashkit encrypts for each scheme decrypt back to the payload,
 * verify, fail with another key or a flipped key-TLV byte, and keep the
 * ciphertext different from the plaintext. The independent check of
 * flashkit's output (OpenSSL) is tests/image/test_image_enc_openssl.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image/enc.h"
#include "image/sign.h"
#include "image_test_util.h"

/* Decrypts an image and validates it; returns fk_image_validate_plain's
 * result (-100 when decryption fails). */
static int decrypt_validate(const char *enc_key, uint8_t *img, size_t len,
			    struct fk_key *sig_key, struct fk_image_info *info)
{
	struct fk_enc_key ek;
	struct fk_image_key ik;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ik, .count = 1 };
	struct fk_memflash m;
	struct fk_diag d = { 0 };
	int rc;

	assert_int_equal(fk_enc_key_load(&ek, ref_path(enc_key), NULL), 0);
	rc = fk_enc_image_decrypt(&ek, img, len, &d);
	fk_enc_key_free(&ek);
	if (rc)
		return -100;
	fk_key_image_key(sig_key, &ik);
	assert_int_equal(fk_memflash_init(&m, img, len), 0);
	return fk_image_validate_plain(&m.area, &set, info);
}

static const struct ref_case {
	const char *file, *sig_key, *enc_key, *digest;
	size_t aes_len;
} refs[] = {
	{ "ecdsa-p256-enc-ecies-p256-aes128.bin", "ecdsa-p256.pem",
	  "enc-ecies-p256.pem",
	  "ab6319eae7052cd9d18aa8a6585d7ded293892b09dd6e574b9d57c05a4ffc8e1",
	  16 },
	{ "ecdsa-p256-enc-ecies-p256-aes256.bin", "ecdsa-p256.pem",
	  "enc-ecies-p256.pem",
	  "a4dead5aaefc215eb9005af9b6783420f50115d5030344bdfbc61c0811e6bea5",
	  32 },
	{ "ed25519-enc-x25519-aes128.bin", NULL, "enc-x25519.pem",
	  "2ef2b36c800979c253f18318475d8d67eabc47e1c6cdfd0561555ef3ae80900e",
	  16 },
	{ "ed25519-enc-x25519-aes256.bin", NULL, "enc-x25519.pem",
	  "218ebdb3d2796a83d2b929e7024e47fbc5caf7c8c4d4834fef22113d049bb779",
	  32 },
	{ "rsa2048-enc-rsa-oaep-aes128.bin", "rsa-2048.pem", "enc-rsa-2048.pem",
	  "5824bccea13cebcbecfd3923787460a79912d2dfe6c59e3f2f0ce6a144a7fb60",
	  16 },
};

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* The payload after decryption is payload-12k.bin, and the digest over
 * header + plaintext is the MANIFEST's (and the SHA256 TLV's). */
static void test_imgtool_images_decrypt(void **state)
{
	size_t plen, len;
	uint8_t *plain = read_ref("payload-12k.bin", &plen);

	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		uint8_t *img = read_ref(refs[i].file, &len);
		struct fk_enc_key ek;
		struct fk_diag d = { 0 };
		struct fk_image_info info;
		struct fk_memflash m;
		uint8_t digest[FK_DIGEST_MAX], buf[512];
		char hex[2 * FK_DIGEST_MAX + 1];

		assert_int_equal(
			fk_enc_key_load(&ek, ref_path(refs[i].enc_key), NULL),
			0);
		assert_true(memcmp(img + 0x200, plain, 64) != 0);
		assert_int_equal(fk_enc_image_decrypt(&ek, img, len, &d), 0);
		fk_enc_key_free(&ek);
		assert_int_equal(fk_memflash_init(&m, img, len), 0);
		assert_int_equal(fk_image_parse(&m.area, &info), 0);
		assert_int_equal(info.hdr.img_size, plen);
		assert_memory_equal(img + info.hdr.hdr_size, plain, plen);
		assert_int_equal(fk_image_hash(&m.area, &info,
					       &fk_crypto_mbedtls, digest, buf,
					       sizeof(buf)),
				 0);
		hex_of(digest, 32, hex);
		assert_string_equal(hex, refs[i].digest);
		free(img);
	}
	free(plain);
}

/* The signature of each imgtool image verifies on the decrypted image;
 * not before decryption. */
static void test_imgtool_images_verify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		struct fk_image_info info;
		struct fk_memflash m;
		struct fk_key k;
		struct fk_image_key ik;
		struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ik, .count = 1 };
		size_t len;
		uint8_t *img;

		if (!refs[i].sig_key)
			continue; /* Ed25519: verified where Ed25519 is */
		img = read_ref(refs[i].file, &len);
		load_ref_key(&k, refs[i].sig_key);
		fk_key_image_key(&k, &ik);
		assert_int_equal(fk_memflash_init(&m, img, len), 0);
		assert_int_equal(fk_image_validate(&m.area, &set, &info),
				 FK_ENOTSUP);
		assert_int_equal(fk_image_validate_plain(&m.area, &set, &info),
				 FK_EDIGEST);
		assert_int_equal(
			decrypt_validate(refs[i].enc_key, img, len, &k, &info),
			FK_OK);
		fk_key_free(&k);
		free(img);
	}
}

/* -c: flagged and wrapped, but the payload is clear: it validates as it
 * is, and "decrypting" it breaks the digest. */
static void test_imgtool_clear_image(void **state)
{
	size_t len;
	uint8_t *img = read_ref("ecdsa-p256-enc-ecies-p256-clear.bin", &len);
	struct fk_image_info info;
	struct fk_memflash m;
	struct fk_key k;
	struct fk_image_key ik;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ik, .count = 1 };

	(void)state;
	load_ref_key(&k, "ecdsa-p256.pem");
	fk_key_image_key(&k, &ik);
	assert_int_equal(fk_memflash_init(&m, img, len), 0);
	assert_int_equal(fk_image_validate_plain(&m.area, &set, &info), FK_OK);
	assert_int_equal(
		decrypt_validate("enc-ecies-p256.pem", img, len, &k, &info),
		FK_EDIGEST);
	fk_key_free(&k);
	free(img);
}

/* A key of another scheme, the public key, or another key of the same
 * scheme does not unwrap. */
static void test_wrong_keys(void **state)
{
	size_t len;
	uint8_t *img = read_ref("ecdsa-p256-enc-ecies-p256-aes128.bin", &len);
	uint8_t *copy = malloc(len);
	struct fk_enc_key ek;
	struct fk_diag d = { 0 };
	const char *wrong[] = { "enc-x25519.pem", "enc-rsa-2048.pem",
				"enc-ecies-p256.pub.pem", "ecdsa-p256.pem" };

	(void)state;
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		memcpy(copy, img, len);
		assert_int_equal(fk_enc_key_load(&ek, ref_path(wrong[i]), NULL),
				 0);
		assert_int_equal(fk_enc_image_decrypt(&ek, copy, len, &d), -1);
		assert_memory_equal(copy, img, len);
		fk_enc_key_free(&ek);
	}
	assert_int_not_equal(
		fk_enc_key_load(&ek, ref_path("ecdsa-p384.pem"), NULL), 0);
	free(copy);
	free(img);
}

/* Every byte of each key TLV flipped: the unwrap fails (HMAC, OAEP) or,
 * for a changed ephemeral point that still decodes, the HMAC fails. */
static void test_key_tlv_tamper(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		size_t len;
		uint8_t *img = read_ref(refs[i].file, &len);
		uint8_t *copy = malloc(len);
		struct fk_image_info info;
		struct fk_image_tlv t;
		struct fk_memflash m;
		struct fk_enc_key ek;
		struct fk_diag d = { 0 };
		uint16_t types[] = { FK_TLV_ENC_EC256, FK_TLV_ENC_X25519,
				     FK_TLV_ENC_RSA2048 };
		int found = -1;

		assert_int_equal(fk_memflash_init(&m, img, len), 0);
		assert_int_equal(fk_image_parse(&m.area, &info), 0);
		for (int k = 0; k < 3 && found < 0; k++)
			if (!fk_image_tlv_find(&m.area, &info, types[k], &t))
				found = k;
		assert_true(found >= 0);
		assert_int_equal(
			fk_enc_key_load(&ek, ref_path(refs[i].enc_key), NULL),
			0);
		for (uint32_t p = t.off; p < t.off + t.len; p++) {
			memcpy(copy, img, len);
			copy[p] ^= 0x01;
			assert_int_equal(
				fk_enc_image_decrypt(&ek, copy, len, &d), -1);
		}
		fk_enc_key_free(&ek);
		free(copy);
		free(img);
	}
}

static const struct own_case {
	const char *sig_key, *pub, *priv;
	size_t aes_len;
	bool sha512;
	uint16_t tlv;
} own[] = {
	{ "ecdsa-p256.pem", "enc-ecies-p256.pub.pem", "enc-ecies-p256.pem", 16,
	  false, FK_TLV_ENC_EC256 },
	{ "ecdsa-p256.pem", "enc-ecies-p256.pub.pem", "enc-ecies-p256.pem", 32,
	  false, FK_TLV_ENC_EC256 },
	{ "ecdsa-p256.pem", "enc-x25519.pub.pem", "enc-x25519.pem", 16, false,
	  FK_TLV_ENC_X25519 },
	{ "ecdsa-p256.pem", "enc-x25519.pub.pem", "enc-x25519.pem", 32, true,
	  FK_TLV_ENC_X25519_SHA512 },
	{ "rsa-2048.pem", "enc-rsa-2048.pub.pem", "enc-rsa-2048.pem", 16, false,
	  FK_TLV_ENC_RSA2048 },
	{ "rsa-2048.pem", "enc-rsa-2048.pub.pem", "enc-rsa-2048.pem", 32, false,
	  FK_TLV_ENC_RSA2048 },
};

/* Signs plain with sig_key (left loaded in *k) and encrypts it for the
 * public key pub, -H 0x200 --pad-header. */
static void sign_enc(const char *sig_key, const char *pub, size_t aes_len,
		     bool sha512, bool clear, const uint8_t *plain, size_t plen,
		     struct fk_key *k, struct fk_sign_result *res)
{
	struct fk_sign_opts o;
	struct fk_enc_key ek;

	fk_sign_opts_init(&o);
	o.hdr_size = 0x200;
	o.pad_header = true;
	load_ref_key(k, sig_key);
	o.key = k;
	assert_int_equal(fk_enc_key_load(&ek, ref_path(pub), NULL), 0);
	o.enc = &ek;
	o.enc_aes_len = aes_len;
	o.enc_sha512 = sha512;
	o.enc_clear = clear;
	assert_int_equal(fk_sign_image(&o, plain, plen, res), 0);
	fk_enc_key_free(&ek);
}

/* flashkit's own encrypted images (a 3001-byte payload: not a multiple
 * of 16, so the imgtool zero padding shows) decrypt back and verify. */
static void test_own_images(void **state)
{
	size_t plen;
	uint8_t *plain = read_ref("payload-3001.bin", &plen);

	(void)state;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		struct fk_sign_result res;
		struct fk_key k;
		struct fk_image_info info;
		struct fk_image_tlv t;
		struct fk_memflash m;

		sign_enc(own[i].sig_key, own[i].pub, own[i].aes_len,
			 own[i].sha512, false, plain, plen, &k, &res);
		assert_int_equal(fk_memflash_init(&m, res.data, res.len), 0);
		assert_int_equal(fk_image_parse(&m.area, &info), 0);
		assert_int_equal(info.hdr.img_size,
				 (plen + 0x200 + 15) / 16 * 16 - 0x200);
		assert_int_equal(info.hdr.flags,
				 own[i].aes_len == 16 ?
					 FK_IMAGE_F_ENCRYPTED_AES128 :
					 FK_IMAGE_F_ENCRYPTED_AES256);
		assert_int_equal(
			fk_image_tlv_find(&m.area, &info, own[i].tlv, &t), 0);
		assert_true(memcmp(res.data + 0x200, plain, 64) != 0);
		assert_int_equal(decrypt_validate(own[i].priv, res.data,
						  res.len, &k, &info),
				 FK_OK);
		assert_memory_equal(res.data + 0x200, plain, plen);
		for (size_t z = plen + 0x200; z < 0x200 + info.hdr.img_size;
		     z++)
			assert_int_equal(res.data[z], 0);
		fk_key_free(&k);
		free(res.data);
	}
	free(plain);
}

/* -c: flags and key TLV, payload left clear. */
static void test_own_clear(void **state)
{
	size_t plen;
	uint8_t *plain = read_ref("payload-3001.bin", &plen);
	struct fk_sign_result res;
	struct fk_key k;
	struct fk_image_key ik;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ik, .count = 1 };
	struct fk_image_info info;
	struct fk_memflash m;

	(void)state;
	sign_enc("ecdsa-p256.pem", "enc-ecies-p256.pub.pem", 16, false, true,
		 plain, plen, &k, &res);
	fk_key_image_key(&k, &ik);
	assert_memory_equal(res.data + 0x200, plain, plen);
	assert_int_equal(fk_memflash_init(&m, res.data, res.len), 0);
	assert_int_equal(fk_image_validate_plain(&m.area, &set, &info), FK_OK);
	assert_int_equal(info.hdr.flags, FK_IMAGE_F_ENCRYPTED_AES128);
	fk_key_free(&k);
	free(res.data);
	free(plain);
}

/* Options that cannot go together are refused before any work. */
static void test_bad_options(void **state)
{
	size_t plen;
	uint8_t *plain = read_ref("payload-3001.bin", &plen);
	struct fk_sign_opts o;
	struct fk_sign_result res;
	struct fk_enc_key ek;

	(void)state;
	assert_int_equal(
		fk_enc_key_load(&ek, ref_path("enc-rsa-2048.pub.pem"), NULL),
		0);
	fk_sign_opts_init(&o);
	o.hdr_size = 0x200;
	o.pad_header = true;
	o.enc = &ek;
	o.enc_aes_len = 24;
	assert_int_equal(fk_sign_image(&o, plain, plen, &res), -1);
	o.enc_aes_len = 16;
	o.enc_sha512 = true; /* SHA-512 HMAC is X25519's only */
	assert_int_equal(fk_sign_image(&o, plain, plen, &res), -1);
	o.enc_sha512 = false;
	o.load_addr = 0x20000000; /* imgtool: not with ram-load */
	assert_int_equal(fk_sign_image(&o, plain, plen, &res), -1);
	fk_enc_key_free(&ek);
	free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_images_decrypt),
		cmocka_unit_test(test_imgtool_images_verify),
		cmocka_unit_test(test_imgtool_clear_image),
		cmocka_unit_test(test_wrong_keys),
		cmocka_unit_test(test_key_tlv_tamper),
		cmocka_unit_test(test_own_images),
		cmocka_unit_test(test_own_clear),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
