/*
 * ECDSA P-256 and P-384 verification on mbedTLS's elliptic-curve code
 * alone, and the verify-only crypto port a bootloader links
 * (fk_crypto_mbedtls_p256, P-256 only).
 *
 * The key is imported raw: imgtool embeds a P-256 key as the one 91-byte
 * SubjectPublicKeyInfo every tool writes for a named-curve uncompressed
 * point (a P-384 key as the 120-byte one), so the bytes before the point
 * are compared with that fixed prefix and the point is read with
 * mbedtls_ecp_point_read_binary() and checked to be on the curve (what
 * mbedtls_pk_parse_public_key() does for such a key, without the PK, OID and
 * ASN.1-writing code, ECDSA signing or RSA it pulls in). The signature is
 * decoded here rather than with mbedtls_ecdsa_read_signature() because older
 * imgtool versions pad it with zero bytes after the DER sequence, which that
 * function rejects.
 *
 * The bootloader's port takes SHA-256 from the built-in one
 * (src/image/sha256.c), which the boot core links anyway, so one SHA-256
 * is linked, not two. mbedTLS modules it needs: bignum, ecp, ecp_curves,
 * ecdsa, asn1parse, constant_time, platform_util (and an allocator:
 * target/fk_mbedtls_boot_config.h). Compiled with FK_MBEDTLS_WITH_ENC,
 * the port also decrypts ECIES-P256 images through
 * fk_crypto_mbedtls_enc.c (target/fk_mbedtls_boot_enc_config.h: AES,
 * SHA-256 for HKDF, HMAC and the blinding DRBG, ECDH; with
 * target/fk_mbedtls_boot_x25519_config.h ECIES-X25519 as well); without,
 * it has none of that code. Compiled with FK_MBEDTLS_WITH_SODIUM, its
 * ed25519_verify is libsodium's (ports/crypto-sodium), for an Ed25519
 * bootloader that decrypts ECIES-X25519 images.
 */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include "fk_crypto_mbedtls.h"
#ifdef FK_MBEDTLS_WITH_SODIUM
#include "fk_crypto_sodium.h"
#define P256_ED25519_VERIFY fk_sodium_ed25519_verify
#else
#define P256_ED25519_VERIFY NULL
#endif

/* SEQUENCE { SEQUENCE { OID ecPublicKey, OID prime256v1 }, BIT STRING
 * of 66 bytes (no unused bits, then the 65-byte point) }. */
static const uint8_t spki_p256[26] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
#define SPKI_P256_LEN (sizeof(spki_p256) + 65)

/* Decodes SEQUENCE { INTEGER r, INTEGER s }; bytes after it must be 0. */
static int read_ecdsa_sig(const uint8_t *sig, size_t sig_len, mbedtls_mpi *r,
			  mbedtls_mpi *s)
{
	unsigned char *p = (unsigned char *)sig;
	const unsigned char *end = sig + sig_len;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len,
				 MBEDTLS_ASN1_CONSTRUCTED |
					 MBEDTLS_ASN1_SEQUENCE))
		return FK_ESIG;
	end = p + len;
	if (mbedtls_asn1_get_mpi(&p, end, r) ||
	    mbedtls_asn1_get_mpi(&p, end, s) || p != end)
		return FK_ESIG;
	for (; p < sig + sig_len; p++) {
		if (*p)
			return FK_ESIG;
	}
	return 0;
}

/* The same for P-384: OID secp384r1, a 98-byte BIT STRING (97-byte
 * point). */
static const uint8_t spki_p384[23] = {
	0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
};

/* A curve as imgtool embeds its keys. */
struct curve {
	mbedtls_ecp_group_id id;
	const uint8_t *prefix;
	size_t prefix_len;
	size_t point_len; /* uncompressed: 1 + 2 * field size */
};

static const struct curve p256 = { MBEDTLS_ECP_DP_SECP256R1, spki_p256,
				   sizeof(spki_p256), 65 };
static const struct curve p384 = { MBEDTLS_ECP_DP_SECP384R1, spki_p384,
				   sizeof(spki_p384), 97 };

/* The curve and the key's point, checked to be on it. */
static int import_key(const struct curve *c, const uint8_t *key, size_t key_len,
		      mbedtls_ecp_group *grp, mbedtls_ecp_point *q)
{
	if (key_len != c->prefix_len + c->point_len ||
	    memcmp(key, c->prefix, c->prefix_len) != 0)
		return FK_EKEY;
	if (mbedtls_ecp_group_load(grp, c->id) ||
	    mbedtls_ecp_point_read_binary(grp, q, key + c->prefix_len,
					  c->point_len) ||
	    mbedtls_ecp_check_pubkey(grp, q))
		return FK_EKEY;
	return 0;
}

static int ecdsa_verify(const struct curve *c, const uint8_t *key,
			size_t key_len, const uint8_t *hash, size_t hash_len,
			const uint8_t *sig, size_t sig_len)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	int rc;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	rc = import_key(c, key, key_len, &grp, &q);
	if (rc == 0)
		rc = read_ecdsa_sig(sig, sig_len, &r, &s);
	if (rc == 0 && mbedtls_ecdsa_verify(&grp, hash, hash_len, &q, &r, &s))
		rc = FK_ESIG;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

int fk_mbedtls_ecdsa_p256_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA256_SIZE],
				 const uint8_t *sig, size_t sig_len)
{
	return ecdsa_verify(&p256, key, key_len, hash, FK_SHA256_SIZE, sig,
			    sig_len);
}

int fk_mbedtls_ecdsa_p384_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA384_SIZE],
				 const uint8_t *sig, size_t sig_len)
{
	return ecdsa_verify(&p384, key, key_len, hash, FK_SHA384_SIZE, sig,
			    sig_len);
}

const struct fk_crypto_port fk_crypto_mbedtls_p256 = {
	.sha256_init = fk_builtin_sha256_init,
	.sha256_update = fk_builtin_sha256_update,
	.sha256_finish = fk_builtin_sha256_finish,
	.ecdsa_p256_verify = fk_mbedtls_ecdsa_p256_verify,
	.rsa2048_pss_verify = NULL,
	.ed25519_verify = P256_ED25519_VERIFY,
#ifdef FK_MBEDTLS_WITH_ENC
	.enc_unwrap = fk_mbedtls_enc_unwrap,
	.aes_ctr_xor = fk_mbedtls_aes_ctr_xor,
#endif
};
