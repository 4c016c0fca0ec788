/*
 * struct fk_crypto_port on top of mbedTLS 2.28.
 *
 * Only verification lives here; signing and key files are host-only and
 * live in host/. Keys arrive as the DER imgtool embeds in images:
 * SubjectPublicKeyInfo for ECDSA, imported raw by
 * fk_mbedtls_ecdsa_p256_verify() and fk_mbedtls_ecdsa_p384_verify()
 * (fk_crypto_mbedtls_p256.c, shared with the bootloader's verify-only
 * port), and PKCS#1 RSAPublicKey for RSA,
 * which mbedtls_pk_parse_public_key() reads. A bootloader that checks
 * only ECDSA P-256 links fk_crypto_mbedtls_p256 instead, and none of the
 * RSA or PK code. Decrypting images (enc_unwrap, aes_ctr_xor) is
 * fk_crypto_mbedtls_enc.c's.
 *
 * mbedTLS 2.28 has no Ed25519. Built with FK_MBEDTLS_WITH_SODIUM (the host
 * build always is), ed25519_verify is libsodium's (ports/crypto-sodium)
 * and the program links that port too; without, it is NULL and Ed25519
 * images are FK_ENOTSUP, so a firmware that never sees one carries none
 * of its code (some 20 KiB on Cortex-M3).
 */
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "fk_crypto_mbedtls.h"
#ifdef FK_MBEDTLS_WITH_SODIUM
#include "fk_crypto_sodium.h"
#define ED25519_VERIFY fk_sodium_ed25519_verify
#else
#define ED25519_VERIFY NULL
#endif

/* Fails to compile when mbedTLS's context outgrows union fk_sha256_state
 * (C99 has no _Static_assert; the port also builds for Cortex-M). */
typedef char fk_sha256_state_fits
	[sizeof(mbedtls_sha256_context) <= FK_SHA256_STATE_SIZE ? 1 : -1];
typedef char fk_sha384_state_fits
	[sizeof(mbedtls_sha512_context) <= FK_SHA256_STATE_SIZE ? 1 : -1];

static mbedtls_sha256_context *sha_ctx(union fk_sha256_state *st)
{
	return (mbedtls_sha256_context *)(void *)st->bytes;
}

static int sha256_init(union fk_sha256_state *st)
{
	mbedtls_sha256_init(sha_ctx(st));
	if (mbedtls_sha256_starts_ret(sha_ctx(st), 0)) {
		mbedtls_sha256_free(sha_ctx(st));
		return FK_EIO;
	}
	return 0;
}

static int sha256_update(union fk_sha256_state *st, const void *data,
			 size_t len)
{
	return mbedtls_sha256_update_ret(sha_ctx(st), data, len) ? FK_EIO : 0;
}

static int sha256_finish(union fk_sha256_state *st, uint8_t out[FK_SHA256_SIZE])
{
	int rc = mbedtls_sha256_finish_ret(sha_ctx(st), out);

	mbedtls_sha256_free(sha_ctx(st));
	return rc ? FK_EIO : 0;
}

static mbedtls_sha512_context *sha384_ctx(union fk_sha256_state *st)
{
	return (mbedtls_sha512_context *)(void *)st->bytes;
}

static int sha384_init(union fk_sha256_state *st)
{
	mbedtls_sha512_init(sha384_ctx(st));
	if (mbedtls_sha512_starts_ret(sha384_ctx(st), 1)) {
		mbedtls_sha512_free(sha384_ctx(st));
		return FK_EIO;
	}
	return 0;
}

static int sha384_update(union fk_sha256_state *st, const void *data,
			 size_t len)
{
	return mbedtls_sha512_update_ret(sha384_ctx(st), data, len) ? FK_EIO :
								      0;
}

static int sha384_finish(union fk_sha256_state *st, uint8_t out[FK_SHA384_SIZE])
{
	/* mbedTLS writes 64 bytes, of which SHA-384 is the first 48. */
	uint8_t full[64];
	int rc = mbedtls_sha512_finish_ret(sha384_ctx(st), full);

	mbedtls_sha512_free(sha384_ctx(st));
	memcpy(out, full, FK_SHA384_SIZE);
	return rc ? FK_EIO : 0;
}

/* RSASSA-PSS over a SHA-256 hash with a key of exactly bytes bytes. */
static int rsa_pss_verify(size_t bytes, const uint8_t *key, size_t key_len,
			  const uint8_t hash[FK_SHA256_SIZE],
			  const uint8_t *sig, size_t sig_len)
{
	mbedtls_pk_context pk;
	mbedtls_rsa_context *rsa;
	int rc = FK_EKEY;

	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_public_key(&pk, key, key_len) ||
	    mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA)
		goto out;
	rsa = mbedtls_pk_rsa(pk);
	if (mbedtls_rsa_get_len(rsa) != bytes)
		goto out;
	rc = FK_ESIG;
	if (sig_len != bytes)
		goto out;
	/* imgtool's PSS: MGF1 with SHA-256, salt as long as the hash. */
	if (!mbedtls_rsa_rsassa_pss_verify_ext(
		    rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
		    FK_SHA256_SIZE, hash, MBEDTLS_MD_SHA256, FK_SHA256_SIZE,
		    sig))
		rc = 0;
out:
	mbedtls_pk_free(&pk);
	return rc;
}

static int rsa2048_pss_verify(const uint8_t *key, size_t key_len,
			      const uint8_t hash[FK_SHA256_SIZE],
			      const uint8_t *sig, size_t sig_len)
{
	return rsa_pss_verify(256, key, key_len, hash, sig, sig_len);
}

static int rsa3072_pss_verify(const uint8_t *key, size_t key_len,
			      const uint8_t hash[FK_SHA256_SIZE],
			      const uint8_t *sig, size_t sig_len)
{
	return rsa_pss_verify(384, key, key_len, hash, sig, sig_len);
}

const struct fk_crypto_port fk_crypto_mbedtls = {
	.sha256_init = sha256_init,
	.sha256_update = sha256_update,
	.sha256_finish = sha256_finish,
	.ecdsa_p256_verify = fk_mbedtls_ecdsa_p256_verify,
	.rsa2048_pss_verify = rsa2048_pss_verify,
	.ed25519_verify = ED25519_VERIFY,
	.sha384_init = sha384_init,
	.sha384_update = sha384_update,
	.sha384_finish = sha384_finish,
	.ecdsa_p384_verify = fk_mbedtls_ecdsa_p384_verify,
	.rsa3072_pss_verify = rsa3072_pss_verify,
	.enc_unwrap = fk_mbedtls_enc_unwrap,
	.aes_ctr_xor = fk_mbedtls_aes_ctr_xor,
};
