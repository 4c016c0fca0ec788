/*
 * Key files, key generation and signing for the host tool (keys.h).
 *
 * The only place in flashkit that holds private keys. The device side
 * never sees one: it gets public keys as DER arrays (`key public --c`).
 * Randomness for ECDSA and RSA-PSS comes from mbedTLS's CTR-DRBG seeded by
 * its platform entropy source (getrandom / /dev/urandom). Ed25519 keys,
 * which mbedTLS cannot read, are key_ed25519.c's (libsodium).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "formats/files.h"
#include "key_ed25519.h"
#include "keyfile.h"
#include "key_pbes2.h"
#include "keys.h"

/* Reports the failure to key->diag; returns -1. */
__attribute__((format(printf, 2, 3))) static int key_fail(struct fk_key *key,
							  const char *fmt, ...)
{
	char text[FK_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return fk_fail(&key->diag, "%s", text);
}

const char *fk_key_type_name(enum fk_image_key_type type)
{
	switch (type) {
	case FK_KEY_ECDSA_P256:
		return "ECDSA P-256";
	case FK_KEY_RSA2048:
		return "RSA-2048";
	case FK_KEY_ED25519:
		return "Ed25519";
	case FK_KEY_ECDSA_P384:
		return "ECDSA P-384";
	case FK_KEY_RSA3072:
		return "RSA-3072";
	}
	return "unknown";
}

uint16_t fk_key_sig_tlv(const struct fk_key *key)
{
	switch (key->type) {
	case FK_KEY_ECDSA_P256:
		return FK_TLV_ECDSA_SIG;
	case FK_KEY_RSA2048:
		return FK_TLV_RSA2048_PSS;
	case FK_KEY_ED25519:
		return FK_TLV_ED25519;
	case FK_KEY_ECDSA_P384:
		return FK_TLV_ECDSA_SIG;
	case FK_KEY_RSA3072:
		return FK_TLV_RSA3072_PSS;
	}
	return 0;
}

size_t fk_key_digest_len(enum fk_image_key_type type)
{
	return type == FK_KEY_ECDSA_P384 ? FK_SHA384_SIZE : FK_SHA256_SIZE;
}

static bool is_rsa(const struct fk_key *key)
{
	return key->type == FK_KEY_RSA2048 || key->type == FK_KEY_RSA3072;
}

/* The KEYHASH: pub hashed with the key's image digest (imgtool hashes a
 * P-384 key with SHA-384, every other key with SHA-256). */
static void set_hash(struct fk_key *key)
{
	uint8_t full[64];

	if (key->type == FK_KEY_ECDSA_P384) {
		mbedtls_sha512_ret(key->pub, key->pub_len, full, 1);
		memcpy(key->hash, full, FK_SHA384_SIZE);
	} else {
		mbedtls_sha256_ret(key->pub, key->pub_len, key->hash, 0);
	}
}

/* Fills pub with the DER imgtool embeds: SPKI for EC, PKCS#1 for RSA. */
static int export_pub(struct fk_key *key)
{
	uint8_t buf[FK_IMAGE_PUBKEY_MAX + 64];
	unsigned char *p = buf + sizeof(buf);
	int len;

	if (is_rsa(key))
		len = mbedtls_pk_write_pubkey(&p, buf, &key->pk);
	else
		len = mbedtls_pk_write_pubkey_der(&key->pk, buf, sizeof(buf));
	if (len <= 0 || (size_t)len > sizeof(key->pub))
		return -1;
	if (is_rsa(key))
		memcpy(key->pub, p, (size_t)len);
	else
		memcpy(key->pub, buf + sizeof(buf) - len, (size_t)len);
	key->pub_len = (size_t)len;
	set_hash(key);
	return 0;
}

static int classify(struct fk_key *key)
{
	if (mbedtls_pk_get_type(&key->pk) == MBEDTLS_PK_ECKEY) {
		switch (mbedtls_pk_ec(key->pk)->grp.id) {
		case MBEDTLS_ECP_DP_SECP256R1:
			key->type = FK_KEY_ECDSA_P256;
			return 0;
		case MBEDTLS_ECP_DP_SECP384R1:
			key->type = FK_KEY_ECDSA_P384;
			return 0;
		default:
			return key_fail(key,
					"%s: only the P-256 and P-384 curves "
					"are supported for ECDSA keys (what "
					"imgtool signs with)",
					key->path);
		}
	}
	if (mbedtls_pk_get_type(&key->pk) == MBEDTLS_PK_RSA) {
		switch (mbedtls_pk_get_bitlen(&key->pk)) {
		case 2048:
			key->type = FK_KEY_RSA2048;
			return 0;
		case 3072:
			key->type = FK_KEY_RSA3072;
			return 0;
		default:
			return key_fail(key,
					"%s: RSA key of %zu bits; only "
					"RSA-2048 and RSA-3072 are supported",
					key->path,
					mbedtls_pk_get_bitlen(&key->pk));
		}
	}
	return key_fail(key,
			"%s: unsupported key type (use ECDSA P-256 or P-384, "
			"RSA-2048 or RSA-3072)",
			key->path);
}

static const char encrypted_begin[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
static const char encrypted_end[] = "-----END ENCRYPTED PRIVATE KEY-----";

static int need_password(struct fk_key *key)
{
	key->need_password = true;
	return key_fail(key,
			"%s: the private key is encrypted and no password "
			"was given",
			key->path);
}

static int wrong_password(struct fk_key *key)
{
	key->wrong_password = true;
	return key_fail(key, "%s: wrong password for the encrypted key",
			key->path);
}

/* A PKCS#8 "ENCRYPTED PRIVATE KEY" (PBES2) into key->pk; 0, 2 when it
 * held an Ed25519 key (then loaded by key_ed25519.c), or -1. */
static int load_pkcs8_encrypted(struct fk_key *key, const char *text,
				const char *password)
{
	mbedtls_pem_context pem;
	uint8_t *plain = NULL;
	size_t used, plain_len = 0;
	int rc = -1;

	if (!password)
		return need_password(key);
	mbedtls_pem_init(&pem);
	if (mbedtls_pem_read_buffer(
		    &pem, encrypted_begin, encrypted_end,
		    (const unsigned char *)strstr(text, encrypted_begin), NULL,
		    0, &used)) {
		key_fail(key,
			 "%s: the ENCRYPTED PRIVATE KEY block is not valid "
			 "PEM (base64 between its BEGIN and END lines)",
			 key->path);
		goto out;
	}
	plain = malloc(pem.buflen);
	if (!plain) {
		fk_fail_nomem(&key->diag);
		goto out;
	}
	switch (fk_pbes2_decrypt(pem.buf, pem.buflen, password,
				 strlen(password), FK_PBES2_MAX_ITERATIONS,
				 plain, &plain_len, key->path, &key->diag)) {
	case FK_PBES2_OK:
		rc = fk_ed25519_load_pkcs8(key, plain, plain_len);
		if (rc) {
			rc = rc > 0 ? 2 : -1;
			break;
		}
		rc = -1;
		if (mbedtls_pk_parse_key(&key->pk, plain, plain_len, NULL, 0))
			key_fail(key,
				 "%s: the encrypted key opens, but what it "
				 "holds is not a private key flashkit reads",
				 key->path);
		else
			rc = 0;
		break;
	case FK_PBES2_WRONG_PASSWORD:
		wrong_password(key);
		break;
	case FK_PBES2_ERROR:
		break;
	}
out:
	if (plain) {
		mbedtls_platform_zeroize(plain, pem.buflen);
		free(plain);
	}
	mbedtls_pem_free(&pem);
	return rc;
}

/* A private key in text (NUL at text[len]) into key->pk, encrypted or
 * not; 0, 1 when text holds no private key, 2 when it held an encrypted
 * Ed25519 key (loaded by key_ed25519.c), -1 on failure. */
static int load_private(struct fk_key *key, const uint8_t *text, size_t len,
			const char *password)
{
	const unsigned char *pw = (const unsigned char *)password;
	int rc;

	if (strstr((const char *)text, encrypted_begin))
		return load_pkcs8_encrypted(key, (const char *)text, password);
	/* mbedTLS wants the terminating NUL counted for PEM input. */
	rc = mbedtls_pk_parse_key(&key->pk, text, len + 1, pw,
				  pw ? strlen(password) : 0);
	if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
		return need_password(key);
	if (rc == MBEDTLS_ERR_PK_PASSWORD_MISMATCH)
		return wrong_password(key);
	return rc ? 1 : 0;
}

/* The message digest of a digest_len-byte hash. */
static mbedtls_md_type_t md_of(size_t digest_len)
{
	return digest_len == FK_SHA384_SIZE ? MBEDTLS_MD_SHA384 :
					      MBEDTLS_MD_SHA256;
}

/* A private key's two halves belong together: a signature made with the
 * private half verifies with the public half. A damaged key file (or an
 * encrypted one whose CBC ciphertext was changed: it has no integrity
 * check) can parse as a different, valid key; this catches it. 0 or -1. */
static int check_pair(struct fk_key *key)
{
	static const uint8_t digest[FK_DIGEST_MAX] =
		"flashkit: check a key pair, its two halves";
	size_t digest_len = fk_key_digest_len(key->type);
	uint8_t sig[FK_IMAGE_SIG_MAX];
	size_t sig_len = 0;
	int rc;

	if (fk_key_sign(key, digest, sig, &sig_len))
		return -1;
	if (is_rsa(key))
		rc = mbedtls_rsa_rsassa_pss_verify(
			mbedtls_pk_rsa(key->pk), NULL, NULL, MBEDTLS_RSA_PUBLIC,
			MBEDTLS_MD_SHA256, FK_SHA256_SIZE, digest, sig);
	else
		rc = mbedtls_pk_verify(&key->pk, md_of(digest_len), digest,
				       digest_len, sig, sig_len);
	if (rc)
		return key_fail(key,
				"%s: the key's private and public halves do "
				"not match: the file is damaged",
				key->path);
	return 0;
}

int fk_key_load(struct fk_key *key, const char *path)
{
	return fk_key_load_password(key, path, NULL);
}

int fk_key_load_password(struct fk_key *key, const char *path,
			 const char *password)
{
	uint8_t *text;
	size_t len;
	int rc;

	memset(key, 0, sizeof(*key));
	snprintf(key->path, sizeof(key->path), "%s", path);
	mbedtls_pk_init(&key->pk);
	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT), &text, &len,
			 &key->diag))
		return -1;
	/* Ed25519 first: mbedTLS would call such a key unreadable. */
	rc = fk_ed25519_load(key, (const char *)text);
	if (rc == 0)
		rc = load_private(key, text, len, password);
	else if (rc > 0)
		rc = 2;
	if (rc == 2) {
		mbedtls_platform_zeroize(text, len);
		free(text);
		return 0;
	}
	if (rc < 0) {
		mbedtls_platform_zeroize(text, len);
		free(text);
		mbedtls_pk_free(&key->pk);
		return -1;
	}
	if (rc == 0) {
		key->has_private = true;
	} else if (mbedtls_pk_parse_public_key(&key->pk, text, len + 1)) {
		free(text);
		return key_fail(key,
				"%s: not a PEM key file that can be read "
				"(expected an ECDSA P-256/P-384 or "
				"RSA-2048/3072 key: "
				"private PKCS#8, plain or encrypted, SEC1 or "
				"PKCS#1, or public SubjectPublicKeyInfo)",
				path);
	}
	mbedtls_platform_zeroize(text, len);
	free(text);
	key->has_pk = true;
	if (classify(key) || export_pub(key) ||
	    (key->has_private && check_pair(key))) {
		fk_key_free(key);
		return -1;
	}
	return 0;
}

void fk_key_free(struct fk_key *key)
{
	mbedtls_platform_zeroize(key->ed25519_sk, sizeof(key->ed25519_sk));
	mbedtls_pk_free(&key->pk);
	key->has_pk = false;
}

void fk_key_image_key(const struct fk_key *key, struct fk_image_key *out)
{
	out->type = key->type;
	out->der = key->pub;
	out->der_len = (uint32_t)key->pub_len;
	memcpy(out->hash, key->hash, sizeof(out->hash));
}

int fk_key_sign(struct fk_key *key, const uint8_t *digest, uint8_t *sig,
		size_t *sig_len)
{
	size_t digest_len = fk_key_digest_len(key->type);
	struct fk_rng r;
	int rc;

	if (key->type == FK_KEY_ED25519)
		return fk_ed25519_sign(key, digest, sig, sig_len);
	if (!key->has_private || !key->has_pk)
		return key_fail(key,
				"%s: this is a public key; signing needs the "
				"private key",
				key->path);
	if (fk_rng_start(&r)) {
		fk_rng_stop(&r);
		return key_fail(key, "cannot seed the random generator");
	}
	if (is_rsa(key)) {
		mbedtls_rsa_context *rsa = mbedtls_pk_rsa(key->pk);

		mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21,
					MBEDTLS_MD_SHA256);
		rc = mbedtls_rsa_rsassa_pss_sign(rsa, mbedtls_ctr_drbg_random,
						 &r.drbg, MBEDTLS_RSA_PRIVATE,
						 MBEDTLS_MD_SHA256,
						 FK_SHA256_SIZE, digest, sig);
		*sig_len = mbedtls_rsa_get_len(rsa);
	} else {
		rc = mbedtls_pk_sign(&key->pk, md_of(digest_len), digest,
				     digest_len, sig, sig_len,
				     mbedtls_ctr_drbg_random, &r.drbg);
	}
	fk_rng_stop(&r);
	if (rc || *sig_len > FK_IMAGE_SIG_MAX)
		return key_fail(key,
				"%s: signing failed (mbedTLS error "
				"-0x%04x)",
				key->path, (unsigned)-rc);
	return 0;
}

/* Wraps a SEC1 ECPrivateKey into PKCS#8 PrivateKeyInfo (what imgtool and
 * `openssl genpkey` write). Builds backwards from the end of buf; returns
 * the length, the DER ending at buf + size, or -1. */
/* PrivateKeyInfo { 0, { alg, params }, OCTET STRING inner } written
 * backwards from buf + size: alg and params are OIDs (params NULL: the
 * ASN.1 NULL, as RSA has). Returns the length or -1. */
static int wrap_pkcs8(uint8_t *buf, size_t size, const uint8_t *inner,
		      size_t inner_len, const char *alg, size_t alg_oid_len,
		      const char *params, size_t params_len)
{
	unsigned char *p = buf + size;
	size_t len = 0, alg_len = 0;
	int rc;

#define PUT(expr)                  \
	do {                       \
		rc = (expr);       \
		if (rc < 0)        \
			return -1; \
		len += (size_t)rc; \
	} while (0)
	PUT(mbedtls_asn1_write_raw_buffer(&p, buf, inner, inner_len));
	PUT(mbedtls_asn1_write_len(&p, buf, inner_len));
	PUT(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_OCTET_STRING));
	rc = params ? mbedtls_asn1_write_oid(&p, buf, params, params_len) :
		      mbedtls_asn1_write_null(&p, buf);
	if (rc < 0)
		return -1;
	alg_len += (size_t)rc;
	rc = mbedtls_asn1_write_oid(&p, buf, alg, alg_oid_len);
	if (rc < 0)
		return -1;
	alg_len += (size_t)rc;
	len += alg_len;
	PUT(mbedtls_asn1_write_len(&p, buf, alg_len));
	PUT(mbedtls_asn1_write_tag(
		&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	PUT(mbedtls_asn1_write_int(&p, buf, 0));
	PUT(mbedtls_asn1_write_len(&p, buf, len));
	PUT(mbedtls_asn1_write_tag(
		&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
#undef PUT
	return (int)len;
}

/* Makes the key of this type into pk; 0 or -1. */
static int gen_pk(enum fk_image_key_type type, mbedtls_pk_context *pk,
		  mbedtls_ctr_drbg_context *drbg)
{
	bool rsa = type == FK_KEY_RSA2048 || type == FK_KEY_RSA3072;

	if (mbedtls_pk_setup(pk,
			     mbedtls_pk_info_from_type(rsa ? MBEDTLS_PK_RSA :
							     MBEDTLS_PK_ECKEY)))
		return -1;
	if (rsa)
		return mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk),
					   mbedtls_ctr_drbg_random, drbg,
					   type == FK_KEY_RSA2048 ? 2048 : 3072,
					   65537) ?
			       -1 :
			       0;
	return mbedtls_ecp_gen_key(
		       type == FK_KEY_ECDSA_P384 ? MBEDTLS_ECP_DP_SECP384R1 :
						   MBEDTLS_ECP_DP_SECP256R1,
		       mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random, drbg) ?
		       -1 :
		       0;
}

/* The PKCS#8 DER of pk (its SEC1 or PKCS#1 form wrapped), at the end of
 * der; its length or -1. */
static int pkcs8_of(enum fk_image_key_type type, mbedtls_pk_context *pk,
		    uint8_t *inner, size_t inner_size, uint8_t *der,
		    size_t der_size)
{
	int n = mbedtls_pk_write_key_der(pk, inner, inner_size);

	if (n <= 0)
		return -1;
	inner += inner_size - (size_t)n;
	switch (type) {
	case FK_KEY_RSA2048:
	case FK_KEY_RSA3072:
		return wrap_pkcs8(
			der, der_size, inner, (size_t)n, MBEDTLS_OID_PKCS1_RSA,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA), NULL, 0);
	case FK_KEY_ECDSA_P384:
		return wrap_pkcs8(
			der, der_size, inner, (size_t)n,
			MBEDTLS_OID_EC_ALG_UNRESTRICTED,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED),
			MBEDTLS_OID_EC_GRP_SECP384R1,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP384R1));
	default:
		return wrap_pkcs8(
			der, der_size, inner, (size_t)n,
			MBEDTLS_OID_EC_ALG_UNRESTRICTED,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED),
			MBEDTLS_OID_EC_GRP_SECP256R1,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1));
	}
}

int fk_key_generate_p256(const char *path, unsigned flags, struct fk_diag *err)
{
	return fk_key_generate(FK_KEY_ECDSA_P256, path, flags, err);
}

int fk_key_generate(enum fk_image_key_type type, const char *path,
		    unsigned flags, struct fk_diag *err)
{
	mbedtls_pk_context pk;
	uint8_t inner[2560], der[2700];
	struct fk_rng r;
	int der_len, rc = -1;

	if (type == FK_KEY_ED25519)
		return fk_key_generate_ed25519(path, flags, err);
	mbedtls_pk_init(&pk);
	if (fk_rng_start(&r))
		fk_fail(err, "cannot seed the random generator");
	else if (gen_pk(type, &pk, &r.drbg))
		fk_fail(err, "key generation failed");
	else if ((der_len = pkcs8_of(type, &pk, inner, sizeof(inner), der,
				     sizeof(der))) <= 0)
		fk_fail(err, "cannot encode the key");
	else
		rc = fk_pem_save_private(path, der + sizeof(der) - der_len,
					 (size_t)der_len, flags, err);
	mbedtls_platform_zeroize(inner, sizeof(inner));
	mbedtls_platform_zeroize(der, sizeof(der));
	mbedtls_pk_free(&pk);
	fk_rng_stop(&r);
	return rc;
}

int fk_key_public_pem(struct fk_key *key, char *buf, size_t size)
{
	uint8_t der[FK_IMAGE_PUBKEY_MAX + 64];
	int len;

	if (key->type == FK_KEY_ED25519)
		return fk_ed25519_public_pem(key, buf, size);
	len = mbedtls_pk_write_pubkey_der(&key->pk, der, sizeof(der));
	if (len <= 0 || fk_pem_write("PUBLIC KEY", der + sizeof(der) - len,
				     (size_t)len, buf, size))
		return key_fail(key, "%s: cannot encode the public key",
				key->path);
	return 0;
}
