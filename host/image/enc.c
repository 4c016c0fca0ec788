/*
 * Encrypted images on the host (enc.h): encryption keys and the wrapping
 * of the image's AES key (RSA-OAEP, ECIES-P256, ECIES-X25519) through
 * mbedTLS 2.28. X25519 keys are read here (mbedTLS's PK layer has no
 * X25519); RSA and P-256 keys come through fk_key_load.
 *
 * Unwrapping and AES-CTR are the crypto port's (fk_mbedtls_enc_unwrap,
 * fk_mbedtls_aes_ctr_xor in ports/crypto-mbedtls/fk_crypto_mbedtls_enc.c,
 * the code a bootloader runs): the loaded key goes to it in the device
 * form `flashkit key private --c` writes (fk_enc_device_key), and this
 * file only turns the port's return codes into messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "enc.h"
#include "fk_crypto_mbedtls.h"
#include "flashkit/image.h"
#include "formats/files.h"
#include "keyfile.h"
#include "memflash.h"

static const char ecies_info[] = "MCUBoot_ECIES_v1";

/* SubjectPublicKeyInfo of an X25519 key: this prefix, then 32 bytes. */
static const uint8_t x25519_spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
};
/* PKCS#8 of an X25519 private key: this prefix, then the 32-byte key. */
static const uint8_t x25519_pkcs8_prefix[16] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
	0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
};

const char *fk_enc_scheme_name(enum fk_enc_scheme scheme)
{
	switch (scheme) {
	case FK_ENC_RSA_OAEP:
		return "RSA-OAEP";
	case FK_ENC_ECIES_P256:
		return "ECIES-P256";
	case FK_ENC_ECIES_X25519:
		return "ECIES-X25519";
	case FK_ENC_NONE:
		break;
	}
	return "none";
}

enum fk_enc_scheme fk_enc_scheme_of_tlv(uint16_t type)
{
	switch (type) {
	case FK_TLV_ENC_RSA2048:
		return FK_ENC_RSA_OAEP;
	case FK_TLV_ENC_EC256:
		return FK_ENC_ECIES_P256;
	case FK_TLV_ENC_X25519:
	case FK_TLV_ENC_X25519_SHA512:
		return FK_ENC_ECIES_X25519;
	}
	return FK_ENC_NONE;
}

uint16_t fk_enc_tlv_type(const struct fk_enc_key *ek, bool sha512)
{
	switch (ek->scheme) {
	case FK_ENC_RSA_OAEP:
		return FK_TLV_ENC_RSA2048;
	case FK_ENC_ECIES_P256:
		return FK_TLV_ENC_EC256;
	case FK_ENC_ECIES_X25519:
		return sha512 ? FK_TLV_ENC_X25519_SHA512 : FK_TLV_ENC_X25519;
	case FK_ENC_NONE:
		break;
	}
	return 0;
}

/* ---- randomness ---- */

int fk_enc_random(uint8_t *out, size_t len, struct fk_diag *d)
{
	struct fk_rng r;
	int rc = fk_rng_start(&r);

	if (!rc)
		rc = mbedtls_ctr_drbg_random(&r.drbg, out, len);
	fk_rng_stop(&r);
	return rc ? fk_fail(d, "no randomness from the platform") : 0;
}

/* ---- keys ---- */

static int x25519_public(struct fk_enc_key *ek);

/* The X25519 key in the PEM text, if it is one: 1 when found (ek filled),
 * 0 when the text holds no X25519 key, -1 when its public half cannot be
 * computed. */
static int load_x25519(struct fk_enc_key *ek, const char *text)
{
	uint8_t der[sizeof(x25519_pkcs8_prefix) + 32];
	size_t len;
	int rc = 0;

	if (!fk_pem_read(text, "PUBLIC KEY", der, sizeof(der), &len) &&
	    len == sizeof(x25519_spki_prefix) + 32 &&
	    !memcmp(der, x25519_spki_prefix, sizeof(x25519_spki_prefix))) {
		memcpy(ek->x_pub, der + sizeof(x25519_spki_prefix), 32);
		rc = 1;
	} else if (!fk_pem_read(text, "PRIVATE KEY", der, sizeof(der), &len) &&
		   len == sizeof(x25519_pkcs8_prefix) + 32 &&
		   !memcmp(der, x25519_pkcs8_prefix,
			   sizeof(x25519_pkcs8_prefix))) {
		memcpy(ek->x_priv, der + sizeof(x25519_pkcs8_prefix), 32);
		ek->has_private = true;
		rc = 1;
	}
	mbedtls_platform_zeroize(der, sizeof(der));
	if (!rc)
		return 0;
	ek->scheme = FK_ENC_ECIES_X25519;
	return ek->has_private ? x25519_public(ek) : 1;
}

static int enc_key_fail(struct fk_enc_key *ek, const char *what)
{
	return fk_fail(&ek->diag,
		       "%s: %s; an encryption key is RSA-2048 (RSA-OAEP), "
		       "EC P-256 (ECIES-P256) or X25519 (ECIES-X25519), "
		       "as imgtool's -E takes",
		       ek->path, what);
}

/* Scheme of a key fk_key_load read; 0 or -1. */
static int scheme_of_key(struct fk_enc_key *ek)
{
	switch (ek->key.type) {
	case FK_KEY_ECDSA_P256:
		ek->scheme = FK_ENC_ECIES_P256;
		break;
	case FK_KEY_RSA2048:
		ek->scheme = FK_ENC_RSA_OAEP;
		break;
	case FK_KEY_RSA3072:
		return enc_key_fail(ek,
				    "an RSA-3072 key (MCUboot's ENC_RSA2048 "
				    "TLV carries RSA-2048 only)");
	default: {
		char what[96];

		snprintf(what, sizeof(what),
			 "not an encryption key (an %s key only signs)",
			 fk_key_type_name(ek->key.type));
		return enc_key_fail(ek, what);
	}
	}
	ek->has_private = ek->key.has_private;
	return 0;
}

int fk_enc_key_adopt(struct fk_enc_key *ek, const char *path)
{
	snprintf(ek->path, sizeof(ek->path), "%s", path);
	if (!scheme_of_key(ek))
		return 0;
	fk_key_free(&ek->key);
	return -1;
}

int fk_enc_key_load(struct fk_enc_key *ek, const char *path,
		    const char *password)
{
	uint8_t *text = NULL;
	size_t len;
	int rc;

	memset(ek, 0, sizeof(*ek));
	snprintf(ek->path, sizeof(ek->path), "%s", path);
	if (fk_file_read(path, FK_INPUT_CAP_TEXT, &text, &len, &ek->diag))
		return -1;
	rc = memchr(text, 0, len) ? 0 : load_x25519(ek, (const char *)text);
	mbedtls_platform_zeroize(text, len);
	free(text);
	if (rc < 0)
		return fk_fail(&ek->diag, "%s: the X25519 key is unusable",
			       path);
	if (rc)
		return 0;
	if (fk_key_load_password(&ek->key, path, password)) {
		ek->diag = ek->key.diag;
		return -1;
	}
	return fk_enc_key_adopt(ek, path);
}

void fk_enc_key_free(struct fk_enc_key *ek)
{
	if (ek->scheme == FK_ENC_RSA_OAEP || ek->scheme == FK_ENC_ECIES_P256)
		fk_key_free(&ek->key);
	mbedtls_platform_zeroize(ek->x_priv, sizeof(ek->x_priv));
	ek->scheme = FK_ENC_NONE;
}

/* ---- AES-CTR: the crypto port's ---- */

int fk_enc_ctr(const uint8_t *aes_key, size_t aes_len, uint8_t *buf, size_t len)
{
	if (len > UINT32_MAX)
		return -1;
	return fk_mbedtls_aes_ctr_xor(aes_key, aes_len, 0, buf, len) ? -1 : 0;
}

/* ---- ECDH: the shared secret, big-endian x for P-256, RFC 7748 for
 * X25519 ---- */

/* The curve of an ECIES scheme. */
static mbedtls_ecp_group_id curve_of(enum fk_enc_scheme s)
{
	return s == FK_ENC_ECIES_P256 ? MBEDTLS_ECP_DP_SECP256R1 :
					MBEDTLS_ECP_DP_CURVE25519;
}

static size_t point_len(enum fk_enc_scheme s)
{
	return s == FK_ENC_ECIES_P256 ? 65 : 32;
}

/* shared = ECDH(d, q) where q is the peer's point as the TLV carries it
 * (65-byte uncompressed P-256, or 32-byte little-endian u). 0 or -1. */
static int ecdh(enum fk_enc_scheme s, mbedtls_ecp_group *grp,
		const mbedtls_mpi *d, const uint8_t *q, uint8_t shared[32],
		struct fk_rng *r)
{
	mbedtls_ecp_point peer;
	mbedtls_mpi z;
	int rc;

	mbedtls_ecp_point_init(&peer);
	mbedtls_mpi_init(&z);
	rc = mbedtls_ecp_point_read_binary(grp, &peer, q, point_len(s)) ||
	     mbedtls_ecp_check_pubkey(grp, &peer) ||
	     mbedtls_ecdh_compute_shared(grp, &z, &peer, d,
					 mbedtls_ctr_drbg_random, &r->drbg);
	if (!rc)
		rc = s == FK_ENC_ECIES_P256 ?
			     mbedtls_mpi_write_binary(&z, shared, 32) :
			     mbedtls_mpi_write_binary_le(&z, shared, 32);
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&peer);
	return rc ? -1 : 0;
}

/* The device's private scalar into d (X25519 clamped as RFC 7748 says,
 * which mbedTLS expects). 0 or -1. */
static int private_scalar(const struct fk_enc_key *ek, mbedtls_mpi *d)
{
	uint8_t k[32];
	int rc;

	if (ek->scheme == FK_ENC_ECIES_P256)
		return mbedtls_mpi_copy(d, &mbedtls_pk_ec(ek->key.pk)->d) ? -1 :
									    0;
	memcpy(k, ek->x_priv, 32);
	k[0] &= 248;
	k[31] &= 127;
	k[31] |= 64;
	rc = mbedtls_mpi_read_binary_le(d, k, 32);
	mbedtls_platform_zeroize(k, sizeof(k));
	return rc ? -1 : 0;
}

/* The device's public point in TLV form (65 or 32 bytes). 0 or -1. */
static int public_point(const struct fk_enc_key *ek, mbedtls_ecp_group *grp,
			uint8_t *out)
{
	size_t olen;

	if (ek->scheme == FK_ENC_ECIES_X25519) {
		memcpy(out, ek->x_pub, 32);
		return 0;
	}
	return mbedtls_ecp_point_write_binary(
		       grp, &mbedtls_pk_ec(ek->key.pk)->Q,
		       MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 65) ?
		       -1 :
		       0;
}

/* X25519(k, 9): the public key of the private key ek->x_priv into
 * ek->x_pub, as the ECDH of the key and the base point. 1, or -1 when
 * mbedTLS fails. */
static int x25519_public(struct fk_enc_key *ek)
{
	static const uint8_t base[32] = { 9 };
	mbedtls_ecp_group grp;
	mbedtls_mpi d;
	struct fk_rng r;
	int rc;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	rc = fk_rng_start(&r) ||
	     mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519) ||
	     private_scalar(ek, &d) ||
	     ecdh(FK_ENC_ECIES_X25519, &grp, &d, base, ek->x_pub, &r);
	fk_rng_stop(&r);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	return rc ? -1 : 1;
}

/* HKDF of the shared secret into aes_len + hash-length bytes. */
static int derive(const mbedtls_md_info_t *md, const uint8_t shared[32],
		  uint8_t *okm, size_t okm_len)
{
	return mbedtls_hkdf(md, NULL, 0, shared, 32,
			    (const unsigned char *)ecies_info,
			    sizeof(ecies_info) - 1, okm, okm_len) ?
		       -1 :
		       0;
}

static const mbedtls_md_info_t *ecies_md(bool sha512)
{
	return mbedtls_md_info_from_type(sha512 ? MBEDTLS_MD_SHA512 :
						  MBEDTLS_MD_SHA256);
}

size_t fk_enc_tlv_len(const struct fk_enc_key *ek, size_t aes_len, bool sha512)
{
	if (ek->scheme == FK_ENC_RSA_OAEP)
		return mbedtls_pk_get_len(&ek->key.pk);
	return point_len(ek->scheme) + (sha512 ? 64 : 32) + aes_len;
}

/* ECIES: tlv = ephemeral point | HMAC | key encrypted under the HKDF
 * output. */
static int ecies_wrap(struct fk_enc_key *ek, bool sha512,
		      const uint8_t *aes_key, size_t aes_len, uint8_t *tlv,
		      size_t *tlv_len)
{
	const mbedtls_md_info_t *md = ecies_md(sha512);
	size_t mac_len = mbedtls_md_get_size(md), plen = point_len(ek->scheme);
	uint8_t peer[65], shared[32], okm[32 + 64];
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi d;
	struct fk_rng r;
	size_t olen;
	int rc;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&d);
	rc = fk_rng_start(&r) ||
	     mbedtls_ecp_group_load(&grp, curve_of(ek->scheme)) ||
	     public_point(ek, &grp, peer) ||
	     mbedtls_ecdh_gen_public(&grp, &d, &q, mbedtls_ctr_drbg_random,
				     &r.drbg) ||
	     mbedtls_ecp_point_write_binary(
		     &grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, tlv, plen) ||
	     ecdh(ek->scheme, &grp, &d, peer, shared, &r) ||
	     derive(md, shared, okm, aes_len + mac_len);
	if (!rc) {
		memcpy(tlv + plen + mac_len, aes_key, aes_len);
		rc = fk_enc_ctr(okm, aes_len, tlv + plen + mac_len, aes_len) ||
		     mbedtls_md_hmac(md, okm + aes_len, mac_len,
				     tlv + plen + mac_len, aes_len, tlv + plen);
		*tlv_len = fk_enc_tlv_len(ek, aes_len, sha512);
	}
	mbedtls_platform_zeroize(okm, sizeof(okm));
	mbedtls_platform_zeroize(shared, sizeof(shared));
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	fk_rng_stop(&r);
	return rc ? fk_fail(&ek->diag, "%s: ECIES key wrapping failed",
			    ek->path) :
		    0;
}

static int rsa_wrap(struct fk_enc_key *ek, const uint8_t *aes_key,
		    size_t aes_len, uint8_t *tlv, size_t *tlv_len)
{
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(ek->key.pk);
	struct fk_rng r;
	int rc;

	mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	rc = fk_rng_start(&r) ||
	     mbedtls_rsa_rsaes_oaep_encrypt(rsa, mbedtls_ctr_drbg_random,
					    &r.drbg, MBEDTLS_RSA_PUBLIC, NULL,
					    0, aes_len, aes_key, tlv);
	fk_rng_stop(&r);
	*tlv_len = mbedtls_rsa_get_len(rsa);
	return rc ? fk_fail(&ek->diag, "%s: RSA-OAEP key wrapping failed",
			    ek->path) :
		    0;
}

int fk_enc_wrap(struct fk_enc_key *ek, bool sha512, const uint8_t *aes_key,
		size_t aes_len, uint8_t *tlv, size_t *tlv_len)
{
	if (aes_len != 16 && aes_len != 32)
		return fk_fail(&ek->diag, "AES key of %zu bytes", aes_len);
	if (sha512 && ek->scheme != FK_ENC_ECIES_X25519)
		return fk_fail(&ek->diag,
			       "%s: HMAC-SHA-512 is for ECIES-X25519 only (as "
			       "imgtool's --hmac-sha 512); this is an %s key",
			       ek->path, fk_enc_scheme_name(ek->scheme));
	if (ek->scheme == FK_ENC_RSA_OAEP)
		return rsa_wrap(ek, aes_key, aes_len, tlv, tlv_len);
	return ecies_wrap(ek, sha512, aes_key, aes_len, tlv, tlv_len);
}

/* ---- unwrapping: the crypto port's, with the host's words ---- */

int fk_enc_device_key(const struct fk_enc_key *ek, uint8_t *out, size_t size,
		      size_t *len)
{
	uint8_t der[FK_ENC_DEVICE_KEY_MAX];
	int n;

	if (!ek->has_private)
		return -1;
	switch (ek->scheme) {
	case FK_ENC_ECIES_P256:
		if (size < 32 ||
		    mbedtls_mpi_write_binary(&mbedtls_pk_ec(ek->key.pk)->d, out,
					     32))
			return -1;
		*len = 32;
		return 0;
	case FK_ENC_ECIES_X25519:
		if (size < 32)
			return -1;
		memcpy(out, ek->x_priv, 32);
		*len = 32;
		return 0;
	case FK_ENC_RSA_OAEP:
		/* mbedTLS writes an RSA key's PKCS#1 RSAPrivateKey at the
		 * end of the buffer. */
		n = mbedtls_pk_write_key_der((mbedtls_pk_context *)&ek->key.pk,
					     der, sizeof(der));
		if (n <= 0 || (size_t)n > size) {
			mbedtls_platform_zeroize(der, sizeof(der));
			return -1;
		}
		memcpy(out, der + sizeof(der) - n, (size_t)n);
		mbedtls_platform_zeroize(der, sizeof(der));
		*len = (size_t)n;
		return 0;
	case FK_ENC_NONE:
		break;
	}
	return -1;
}

/* Whether the TLV's ephemeral point lies on the scheme's curve: tells a
 * malformed TLV from one whose HMAC does not match, for the message. */
static bool ephemeral_on_curve(enum fk_enc_scheme s, const uint8_t *tlv)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	bool ok;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	ok = !mbedtls_ecp_group_load(&grp, curve_of(s)) &&
	     !mbedtls_ecp_point_read_binary(&grp, &q, tlv, point_len(s)) &&
	     !mbedtls_ecp_check_pubkey(&grp, &q);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return ok;
}

/* The port refused the TLV (FK_EKEY): why, in words. */
static int unwrap_refused(struct fk_enc_key *ek, const uint8_t *dev,
			  size_t dev_len, uint16_t tlv_type, const uint8_t *tlv,
			  size_t tlv_len, size_t aes_len)
{
	uint8_t other[32];
	size_t other_len = aes_len == 16 ? 32 : 16;
	bool other_fits;

	if (ek->scheme != FK_ENC_RSA_OAEP) {
		if (!ephemeral_on_curve(ek->scheme, tlv))
			return fk_fail(&ek->diag,
				       "%s: the %s key TLV does not decode "
				       "(its ephemeral key is not on the "
				       "curve)",
				       ek->path,
				       fk_enc_scheme_name(ek->scheme));
		return fk_fail(&ek->diag,
			       "%s: the %s key TLV's HMAC does not match: the "
			       "image was encrypted for another key, or the "
			       "TLV was altered",
			       ek->path, fk_enc_scheme_name(ek->scheme));
	}
	other_fits = !fk_mbedtls_enc_unwrap(dev, dev_len, tlv_type, tlv,
					    tlv_len, other, other_len);
	mbedtls_platform_zeroize(other, sizeof(other));
	if (other_fits)
		return fk_fail(&ek->diag,
			       "the ENC_RSA2048 TLV holds a %zu-byte key; the "
			       "header's flags say AES-%zu",
			       other_len, aes_len * 8);
	return fk_fail(&ek->diag,
		       "%s: RSA-OAEP decoding of the ENC_RSA2048 TLV "
		       "failed: the image was encrypted for another "
		       "key, or the TLV was altered",
		       ek->path);
}

/* The TLV's expected length for ek, or a message saying it is not. */
static int check_tlv_len(struct fk_enc_key *ek, bool sha512, size_t tlv_len,
			 size_t aes_len)
{
	size_t want = fk_enc_tlv_len(ek, aes_len, sha512);

	if (tlv_len == want)
		return 0;
	if (ek->scheme == FK_ENC_RSA_OAEP)
		return fk_fail(&ek->diag,
			       "the ENC_RSA2048 TLV is %zu bytes; the key %s "
			       "wraps into %zu",
			       tlv_len, ek->path, want);
	return fk_fail(&ek->diag,
		       "the %s key TLV is %zu bytes; an AES-%zu key "
		       "wrapped so takes %zu",
		       fk_enc_scheme_name(ek->scheme), tlv_len, aes_len * 8,
		       want);
}

int fk_enc_unwrap(struct fk_enc_key *ek, uint16_t tlv_type, const uint8_t *tlv,
		  size_t tlv_len, uint8_t *aes_key, size_t aes_len)
{
	enum fk_enc_scheme s = fk_enc_scheme_of_tlv(tlv_type);
	uint8_t dev[FK_ENC_DEVICE_KEY_MAX];
	size_t dev_len = 0;
	int rc;

	if (!ek->has_private)
		return fk_fail(&ek->diag,
			       "%s is a public key; decrypting needs the "
			       "private key",
			       ek->path);
	if (s != ek->scheme)
		return fk_fail(
			&ek->diag,
			"the image's key is wrapped for %s (TLV 0x%02x), "
			"but %s is an %s key",
			fk_enc_scheme_name(s), tlv_type, ek->path,
			fk_enc_scheme_name(ek->scheme));
	if (check_tlv_len(ek, tlv_type == FK_TLV_ENC_X25519_SHA512, tlv_len,
			  aes_len))
		return -1;
	if (fk_enc_device_key(ek, dev, sizeof(dev), &dev_len))
		return fk_fail(&ek->diag, "%s: the key cannot be exported",
			       ek->path);
	rc = fk_mbedtls_enc_unwrap(dev, dev_len, tlv_type, tlv, tlv_len,
				   aes_key, aes_len);
	if (rc == FK_EKEY)
		rc = unwrap_refused(ek, dev, dev_len, tlv_type, tlv, tlv_len,
				    aes_len);
	else if (rc)
		rc = fk_fail(&ek->diag, "%s: unwrapping failed (%s)", ek->path,
			     fk_strerror(rc));
	mbedtls_platform_zeroize(dev, sizeof(dev));
	return rc ? -1 : 0;
}

/* ---- images ---- */

/* The ENC_* TLV of the image; 0 or -1 with d filled. */
static int find_enc_tlv(const struct fk_area *slot,
			const struct fk_image_info *info,
			struct fk_image_tlv *out, struct fk_diag *d)
{
	struct fk_image_tlv_iter it;
	struct fk_image_tlv t;

	if (fk_image_tlv_begin(&it, slot, info))
		return fk_fail(d, "the image's TLVs are unreadable");
	while (fk_image_tlv_next(&it, &t) == 1) {
		if (fk_enc_scheme_of_tlv(t.type) != FK_ENC_NONE) {
			*out = t;
			return 0;
		}
	}
	return fk_fail(d, "the image is flagged encrypted but has no key TLV "
			  "(ENC_RSA2048, ENC_EC256, ENC_X25519); it cannot be "
			  "decrypted");
}

int fk_enc_image_decrypt(struct fk_enc_key *ek, uint8_t *img, size_t len,
			 struct fk_diag *d)
{
	struct fk_image_info info;
	struct fk_memflash m;
	struct fk_image_tlv t = { 0 };
	uint8_t key[32];
	size_t key_len;
	int rc;

	if (fk_memflash_init(&m, img, len) || fk_image_parse(&m.area, &info))
		return fk_fail(d, "not a well-formed image");
	if (info.hdr.flags & FK_IMAGE_F_ENCRYPTED_AES256)
		key_len = 32;
	else if (info.hdr.flags & FK_IMAGE_F_ENCRYPTED_AES128)
		key_len = 16;
	else
		return fk_fail(d, "the image is not encrypted (no ENCRYPTED "
				  "flag in its header)");
	if (find_enc_tlv(&m.area, &info, &t, d))
		return -1;
	if (fk_enc_unwrap(ek, t.type, img + t.off, t.len, key, key_len)) {
		*d = ek->diag;
		return -1;
	}
	rc = fk_enc_ctr(key, key_len, img + info.hdr.hdr_size,
			info.hdr.img_size);
	mbedtls_platform_zeroize(key, sizeof(key));
	return rc ? fk_fail(d, "AES-CTR failed") : 0;
}

/* ---- X25519 key files ---- */

int fk_enc_public_pem(const struct fk_enc_key *ek, char *buf, size_t size)
{
	uint8_t der[sizeof(x25519_spki_prefix) + 32];

	if (ek->scheme != FK_ENC_ECIES_X25519)
		return -1;
	memcpy(der, x25519_spki_prefix, sizeof(x25519_spki_prefix));
	memcpy(der + sizeof(x25519_spki_prefix), ek->x_pub, 32);
	return fk_pem_write("PUBLIC KEY", der, sizeof(der), buf, size);
}

int fk_enc_generate_x25519(const char *path, unsigned flags,
			   struct fk_diag *err)
{
	uint8_t der[sizeof(x25519_pkcs8_prefix) + 32];
	int rc;

	memcpy(der, x25519_pkcs8_prefix, sizeof(x25519_pkcs8_prefix));
	rc = fk_enc_random(der + sizeof(x25519_pkcs8_prefix), 32, err);
	if (!rc)
		rc = fk_pem_save_private(path, der, sizeof(der), flags, err);
	mbedtls_platform_zeroize(der, sizeof(der));
	return rc;
}
