/*
 * Decrypting images on mbedTLS 2.28: enc_unwrap and aes_ctr_xor of the
 * crypto port (flashkit/crypto.h), shared by the full port
 * fk_crypto_mbedtls, the bootloader's fk_crypto_mbedtls_p256 when it is
 * built with FK_MBEDTLS_WITH_ENC, and the host tools (host/image/enc.c
 * unwraps through fk_mbedtls_enc_unwrap, so the tree holds one ECIES and
 * one RSA-OAEP unwrap).
 *
 * What a build offers follows its mbedTLS configuration: RSA-OAEP needs
 * MBEDTLS_RSA_C, MBEDTLS_PKCS1_V21 and MBEDTLS_PK_PARSE_C; ECIES-X25519
 * needs Curve25519, its SHA-512 variant MBEDTLS_SHA512_C. A scheme the
 * configuration leaves out is FK_ENOTSUP, so the bootloader's ECIES-P256
 * configuration (target/fk_mbedtls_boot_enc_config.h) links no RSA.
 *
 * Randomness: a device has none to give here, yet mbedTLS 2.28 wants an
 * f_rng for every private-key operation (ECDH blinds the scalar
 * multiplication, the RSA private operation blinds the exponentiation,
 * and with MBEDTLS_ECP_NO_INTERNAL_RNG a NULL f_rng is refused). Each
 * unwrap therefore runs an HMAC_DRBG (SHA-256) seeded with the private key
 * and the TLV: deterministic, as RFC 6979 nonces are, unpredictable to
 * anyone without the key, and different for every TLV, so the blinding
 * still varies between the inputs an attacker chooses. What it gives up
 * against fresh entropy is protection against someone who can time or
 * probe many decryptions of the same TLV, which on a bootloader is one
 * install per update (docs/image-format.md, "Encrypted images").
 *
 * Invariants: secrets (scalar, shared secret, HKDF output, unwrapped key)
 * live on the stack or in mbedTLS contexts and are zeroized or freed
 * before return; aes_key is written only after the HMAC (compared in
 * constant time) or the OAEP padding has checked out.
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#if defined(MBEDTLS_RSA_C) && defined(MBEDTLS_PKCS1_V21) && \
	defined(MBEDTLS_PK_PARSE_C)
#define FK_ENC_WITH_RSA 1
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#endif

#include "fk_crypto_mbedtls.h"
#include "flashkit/image.h"

/* ---- AES-CTR ---- */

/* The counter block of payload block index b (payload byte 16 * b). */
static void counter_block(uint32_t b, uint8_t ctr[16])
{
	memset(ctr, 0, 12);
	ctr[12] = (uint8_t)(b >> 24);
	ctr[13] = (uint8_t)(b >> 16);
	ctr[14] = (uint8_t)(b >> 8);
	ctr[15] = (uint8_t)b;
}

int fk_mbedtls_aes_ctr_xor(const uint8_t *aes_key, size_t aes_len, uint32_t off,
			   uint8_t *buf, size_t len)
{
	mbedtls_aes_context aes;
	uint8_t ctr[16], stream[16];
	size_t i = 0;
	int rc;

	if (!aes_key || (aes_len != 16 && aes_len != 32) || (len && !buf) ||
	    (uint64_t)len > (uint64_t)UINT32_MAX + 1 - off)
		return FK_EINVAL;
	mbedtls_aes_init(&aes);
	rc = mbedtls_aes_setkey_enc(&aes, aes_key, (unsigned)aes_len * 8);
	while (!rc && i < len) {
		/* pos = off + i < 2^32 by the check above */
		uint32_t pos = off + (uint32_t)i;
		size_t k = pos % 16, n = 16 - k;

		counter_block(pos / 16, ctr);
		/* not mbedtls_aes_crypt_ecb: it links AES decryption too */
		rc = mbedtls_internal_aes_encrypt(&aes, ctr, stream);
		if (n > len - i)
			n = len - i;
		for (size_t j = 0; !rc && j < n; j++)
			buf[i + j] ^= stream[k + j];
		i += n;
	}
	mbedtls_aes_free(&aes);
	mbedtls_platform_zeroize(stream, sizeof(stream));
	return rc ? FK_EINVAL : 0;
}

/* ---- the deterministic DRBG for blinding ---- */

/* Seeds g (initialized) with the private key and the TLV. 0 or an
 * mbedTLS error. Seeded from a buffer, g has no entropy callback and
 * never reseeds (mbedtls_hmac_drbg_random skips reseeding without one). */
static int drbg_start(mbedtls_hmac_drbg_context *g, const uint8_t *key,
		      size_t key_len, const uint8_t *tlv, size_t tlv_len)
{
	return mbedtls_hmac_drbg_seed_buf(
		       g, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key,
		       key_len) ||
	       mbedtls_hmac_drbg_update_ret(g, tlv, tlv_len);
}

/* ---- ECIES ---- */

static const char ecies_info[] = "MCUBoot_ECIES_v1";

/* An ECIES scheme: its curve, the length of the ephemeral point in the
 * TLV and the hash of its HKDF and HMAC. */
struct ecies {
	mbedtls_ecp_group_id curve;
	size_t point_len;
	mbedtls_md_type_t md;
};

/* The ECDH secret of the device key d and the TLV's ephemeral point, as
 * MCUboot feeds it to HKDF: big-endian x for P-256, RFC 7748's
 * little-endian u for X25519. 0 or nonzero. */
static int ecies_shared(const struct ecies *s, mbedtls_ecp_keypair *kp,
			const uint8_t *point, mbedtls_hmac_drbg_context *g,
			uint8_t shared[32])
{
	mbedtls_ecp_point peer;
	mbedtls_mpi z;
	int rc;

	mbedtls_ecp_point_init(&peer);
	mbedtls_mpi_init(&z);
	rc = mbedtls_ecp_point_read_binary(&kp->grp, &peer, point,
					   s->point_len) ||
	     mbedtls_ecp_check_pubkey(&kp->grp, &peer) ||
	     mbedtls_ecdh_compute_shared(&kp->grp, &z, &peer, &kp->d,
					 mbedtls_hmac_drbg_random, g);
	if (!rc)
		rc = s->curve == MBEDTLS_ECP_DP_SECP256R1 ?
			     mbedtls_mpi_write_binary(&z, shared, 32) :
			     mbedtls_mpi_write_binary_le(&z, shared, 32);
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&peer);
	return rc;
}

/* HKDF of the secret into the AES key's key and the HMAC key, the HMAC
 * over the wrapped key checked, and the key decrypted into aes_key.
 * 0 or FK_EKEY. */
static int ecies_open(const struct ecies *s, const uint8_t shared[32],
		      const uint8_t *tlv, uint8_t *aes_key, size_t aes_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(s->md);
	size_t mac_len = mbedtls_md_get_size(md);
	const uint8_t *mac_in = tlv + s->point_len;
	const uint8_t *wrapped = mac_in + mac_len;
	uint8_t okm[32 + 64], mac[64], key[32];
	int rc;

	rc = mbedtls_hkdf(md, NULL, 0, shared, 32,
			  (const unsigned char *)ecies_info,
			  sizeof(ecies_info) - 1, okm, aes_len + mac_len) ||
	     mbedtls_md_hmac(md, okm + aes_len, mac_len, wrapped, aes_len,
			     mac) ||
	     mbedtls_ct_memcmp(mac, mac_in, mac_len);
	if (!rc) {
		memcpy(key, wrapped, aes_len);
		rc = fk_mbedtls_aes_ctr_xor(okm, aes_len, 0, key, aes_len);
	}
	if (!rc)
		memcpy(aes_key, key, aes_len);
	mbedtls_platform_zeroize(okm, sizeof(okm));
	mbedtls_platform_zeroize(mac, sizeof(mac));
	mbedtls_platform_zeroize(key, sizeof(key));
	return rc ? FK_EKEY : 0;
}

static int ecies_unwrap(const struct ecies *s, const uint8_t *key,
			size_t key_len, const uint8_t *tlv, size_t tlv_len,
			uint8_t *aes_key, size_t aes_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(s->md);
	mbedtls_hmac_drbg_context g;
	mbedtls_ecp_keypair kp;
	uint8_t shared[32];
	int rc;

	if (!md || key_len != 32 ||
	    tlv_len != s->point_len + mbedtls_md_get_size(md) + aes_len)
		return FK_EKEY;
	mbedtls_ecp_keypair_init(&kp);
	mbedtls_hmac_drbg_init(&g);
	rc = mbedtls_ecp_read_key(s->curve, &kp, key, key_len) ||
	     drbg_start(&g, key, key_len, tlv, tlv_len) ||
	     ecies_shared(s, &kp, tlv, &g, shared);
	if (!rc)
		rc = ecies_open(s, shared, tlv, aes_key, aes_len);
	mbedtls_platform_zeroize(shared, sizeof(shared));
	mbedtls_hmac_drbg_free(&g);
	mbedtls_ecp_keypair_free(&kp);
	return rc ? FK_EKEY : 0;
}

/* ---- RSA-OAEP ---- */

#ifdef FK_ENC_WITH_RSA
/* ENC_RSA2048: RSA-OAEP (SHA-256, MGF1-SHA-256, no label) of the AES key
 * with a 2048-bit PKCS#1 RSAPrivateKey. */
static int rsa_unwrap(const uint8_t *key, size_t key_len, const uint8_t *tlv,
		      size_t tlv_len, uint8_t *aes_key, size_t aes_len)
{
	mbedtls_hmac_drbg_context g;
	mbedtls_pk_context pk;
	mbedtls_rsa_context *rsa;
	uint8_t out[32];
	size_t olen = 0;
	int rc = FK_EKEY;

	mbedtls_pk_init(&pk);
	mbedtls_hmac_drbg_init(&g);
	if (tlv_len != 256 ||
	    mbedtls_pk_parse_key(&pk, key, key_len, NULL, 0) ||
	    mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA)
		goto out;
	rsa = mbedtls_pk_rsa(pk);
	if (mbedtls_rsa_get_len(rsa) != 256)
		goto out;
	mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	if (drbg_start(&g, key, key_len, tlv, tlv_len) ||
	    mbedtls_rsa_rsaes_oaep_decrypt(rsa, mbedtls_hmac_drbg_random, &g,
					   MBEDTLS_RSA_PRIVATE, NULL, 0, &olen,
					   tlv, out, sizeof(out)) ||
	    olen != aes_len)
		goto out;
	memcpy(aes_key, out, aes_len);
	rc = 0;
out:
	mbedtls_platform_zeroize(out, sizeof(out));
	mbedtls_hmac_drbg_free(&g);
	mbedtls_pk_free(&pk);
	return rc;
}
#endif

/* ---- dispatch ---- */

static const struct ecies ecies_p256 = { MBEDTLS_ECP_DP_SECP256R1, 65,
					 MBEDTLS_MD_SHA256 };
#ifdef MBEDTLS_ECP_DP_CURVE25519_ENABLED
static const struct ecies ecies_x25519 = { MBEDTLS_ECP_DP_CURVE25519, 32,
					   MBEDTLS_MD_SHA256 };
#ifdef MBEDTLS_SHA512_C
static const struct ecies ecies_x25519_sha512 = { MBEDTLS_ECP_DP_CURVE25519, 32,
						  MBEDTLS_MD_SHA512 };
#endif
#endif

int fk_mbedtls_enc_unwrap(const uint8_t *key, size_t key_len, uint16_t tlv_type,
			  const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
			  size_t aes_len)
{
	const struct ecies *s = NULL;

	if (!key || !tlv || !aes_key || (aes_len != 16 && aes_len != 32))
		return FK_EKEY;
	switch (tlv_type) {
	case FK_TLV_ENC_RSA2048:
#ifdef FK_ENC_WITH_RSA
		return rsa_unwrap(key, key_len, tlv, tlv_len, aes_key, aes_len);
#else
		return FK_ENOTSUP;
#endif
	case FK_TLV_ENC_EC256:
		s = &ecies_p256;
		break;
#ifdef MBEDTLS_ECP_DP_CURVE25519_ENABLED
	case FK_TLV_ENC_X25519:
		s = &ecies_x25519;
		break;
#ifdef MBEDTLS_SHA512_C
	case FK_TLV_ENC_X25519_SHA512:
		s = &ecies_x25519_sha512;
		break;
#endif
#endif
	default:
		return FK_ENOTSUP;
	}
	return ecies_unwrap(s, key, key_len, tlv, tlv_len, aes_key, aes_len);
}
