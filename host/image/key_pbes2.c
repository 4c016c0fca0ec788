/*
 * PBES2 decryption of password-encrypted PKCS#8 keys (key_pbes2.h), RFC
 * 8018:
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE {
 *     encryptionAlgorithm  { id-PBES2, PBES2-params },
 *     encryptedData        OCTET STRING }
 *   PBES2-params ::= SEQUENCE {
 *     keyDerivationFunc    { id-PBKDF2, PBKDF2-params },
 *     encryptionScheme     { aesNNN-CBC, iv OCTET STRING (16) } }
 *   PBKDF2-params ::= SEQUENCE {
 *     salt OCTET STRING, iterationCount INTEGER,
 *     keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT SHA-1 }
 *
 * A wrong password is told apart from a damaged file only by what it
 * decrypts to: bad PKCS#7 padding, or plaintext that is not one DER
 * SEQUENCE filling it exactly.
 */
#include <stdbool.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#include "key_pbes2.h"

#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define AES_BLOCK 16

/* The parameters found in the file. */
struct pbes2 {
	const uint8_t *salt, *iv, *ct;
	size_t salt_len, ct_len;
	int iterations;
	int key_len; /* from the file, 0 when absent */
	unsigned aes_bytes;
	mbedtls_md_type_t prf;
};

static const struct {
	const char *oid;
	size_t len;
	mbedtls_md_type_t md;
} prfs[] = {
#define PRF(o, m)                   \
	{                           \
		o, sizeof(o) - 1, m \
	}
	PRF(MBEDTLS_OID_HMAC_SHA1, MBEDTLS_MD_SHA1),
	PRF(MBEDTLS_OID_HMAC_SHA224, MBEDTLS_MD_SHA224),
	PRF(MBEDTLS_OID_HMAC_SHA256, MBEDTLS_MD_SHA256),
	PRF(MBEDTLS_OID_HMAC_SHA384, MBEDTLS_MD_SHA384),
	PRF(MBEDTLS_OID_HMAC_SHA512, MBEDTLS_MD_SHA512),
#undef PRF
};

/* aes128-CBC, aes192-CBC, aes256-CBC: { aes 2 }, { aes 22 }, { aes 42 } */
static const struct {
	const char *oid;
	size_t len;
	unsigned bytes;
} ciphers[] = {
#define AES_CBC(o, n)                                               \
	{                                                           \
		MBEDTLS_OID_AES o, sizeof(MBEDTLS_OID_AES o) - 1, n \
	}
	AES_CBC("\x02", 16),
	AES_CBC("\x16", 24),
	AES_CBC("\x2a", 32),
#undef AES_CBC
};

static bool oid_is(const mbedtls_asn1_buf *oid, const char *want, size_t len)
{
	return oid->len == len && !memcmp(oid->p, want, len);
}

/* The contents of PBKDF2-params, p[0..end); 0 or -1 with the reason in
 * *why. */
static int parse_kdf(unsigned char *p, const unsigned char *end,
		     struct pbes2 *s, const char **why)
{
	mbedtls_asn1_buf prf, prf_params;
	size_t len;

	*why = "PBKDF2 parameters";
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING))
		return -1;
	s->salt = p;
	s->salt_len = len;
	p += len;
	if (mbedtls_asn1_get_int(&p, end, &s->iterations) || s->iterations < 1)
		return -1;
	if (p < end && *p == MBEDTLS_ASN1_INTEGER &&
	    (mbedtls_asn1_get_int(&p, end, &s->key_len) || s->key_len < 1))
		return -1;
	s->prf = MBEDTLS_MD_SHA1;
	if (p == end)
		return 0;
	if (mbedtls_asn1_get_alg(&p, end, &prf, &prf_params) || p != end)
		return -1;
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++) {
		if (oid_is(&prf, prfs[i].oid, prfs[i].len)) {
			s->prf = prfs[i].md;
			return 0;
		}
	}
	*why = "PBKDF2 pseudo-random function (flashkit reads HMAC-SHA-1, "
	       "-224, -256, -384 and -512)";
	return -1;
}

/* The encryption scheme { aesNNN-CBC, iv }; 0 or -1 with *why. */
static int parse_cipher(unsigned char **p, const unsigned char *end,
			struct pbes2 *s, const char **why)
{
	mbedtls_asn1_buf oid, iv;

	*why = "encryption scheme";
	if (mbedtls_asn1_get_alg(p, end, &oid, &iv))
		return -1;
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		if (oid_is(&oid, ciphers[i].oid, ciphers[i].len))
			s->aes_bytes = ciphers[i].bytes;
	}
	if (!s->aes_bytes) {
		*why = "cipher (flashkit reads AES-128, AES-192 and AES-256 "
		       "in CBC mode)";
		return -1;
	}
	if (iv.tag != MBEDTLS_ASN1_OCTET_STRING || iv.len != AES_BLOCK) {
		*why = "AES initialisation vector";
		return -1;
	}
	s->iv = iv.p;
	return 0;
}

/* The whole EncryptedPrivateKeyInfo; 0 or -1 with *why. */
static int parse(const uint8_t *der, size_t der_len, struct pbes2 *s,
		 const char **why)
{
	unsigned char *p = (unsigned char *)der, *q;
	const unsigned char *end = der + der_len, *pend;
	mbedtls_asn1_buf alg, params, kdf, kdf_params;
	size_t len;

	*why = "structure";
	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) || p + len != end)
		return -1;
	if (mbedtls_asn1_get_alg(&p, end, &alg, &params))
		return -1;
	if (!oid_is(&alg, MBEDTLS_OID_PKCS5_PBES2,
		    sizeof(MBEDTLS_OID_PKCS5_PBES2) - 1)) {
		*why = "scheme (flashkit reads PBES2, what OpenSSL 1.1+ and "
		       "imgtool write; re-encrypt the key with `openssl pkcs8 "
		       "-topk8 -v2 aes256`)";
		return -1;
	}
	if (params.tag != SEQ)
		return -1;
	q = params.p;
	pend = params.p + params.len;
	if (mbedtls_asn1_get_alg(&q, pend, &kdf, &kdf_params))
		return -1;
	if (!oid_is(&kdf, MBEDTLS_OID_PKCS5_PBKDF2,
		    sizeof(MBEDTLS_OID_PKCS5_PBKDF2) - 1)) {
		*why = "key derivation (flashkit reads PBKDF2; scrypt is not "
		       "supported: re-encrypt the key with `openssl pkcs8 "
		       "-topk8 -v2 aes256`)";
		return -1;
	}
	if (kdf_params.tag != SEQ)
		return -1;
	if (parse_kdf(kdf_params.p, kdf_params.p + kdf_params.len, s, why))
		return -1;
	if (parse_cipher(&q, pend, s, why) || q != pend)
		return -1;
	*why = "encrypted data";
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
	    p + len != end || len == 0 || len % AES_BLOCK)
		return -1;
	s->ct = p;
	s->ct_len = len;
	if (s->key_len && (unsigned)s->key_len != s->aes_bytes) {
		*why = "key length (it does not match the cipher)";
		return -1;
	}
	return 0;
}

/* Derives the AES key and decrypts into out; 0 or -1 (mbedTLS failed). */
static int decrypt(const struct pbes2 *s, const char *pw, size_t pw_len,
		   uint8_t *out)
{
	uint8_t key[32], iv[AES_BLOCK];
	mbedtls_md_context_t md;
	mbedtls_aes_context aes;
	int rc;

	mbedtls_md_init(&md);
	mbedtls_aes_init(&aes);
	memcpy(iv, s->iv, sizeof(iv));
	rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(s->prf), 1);
	if (!rc)
		rc = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)pw,
					       pw_len, s->salt, s->salt_len,
					       (unsigned)s->iterations,
					       s->aes_bytes, key);
	if (!rc)
		rc = mbedtls_aes_setkey_dec(&aes, key, s->aes_bytes * 8);
	if (!rc)
		rc = mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_DECRYPT, s->ct_len,
					   iv, s->ct, out);
	mbedtls_platform_zeroize(key, sizeof(key));
	mbedtls_aes_free(&aes);
	mbedtls_md_free(&md);
	return rc ? -1 : 0;
}

/* p[0..end) is a run of well-formed DER elements, each constructed one's
 * contents again such a run, at most depth levels deep. */
static bool der_run_ok(unsigned char *p, const unsigned char *end,
		       unsigned depth)
{
	while (p < end) {
		unsigned char tag = *p++;
		size_t len;

		if ((tag & 0x1f) == 0x1f || mbedtls_asn1_get_len(&p, end, &len))
			return false; /* no multi-byte tags in a key */
		if ((tag & MBEDTLS_ASN1_CONSTRUCTED) &&
		    (!depth || !der_run_ok(p, p + len, depth - 1)))
			return false;
		p += len;
	}
	return true;
}

/* The key inside: RFC 8410's CurvePrivateKey (an OCTET STRING of the
 * 32-byte Ed25519 seed), or one SEQUENCE filling p[0..end) whose fields
 * are what SEC1's ECPrivateKey (INTEGER, OCTET STRING, [0], [1]) and
 * PKCS#1's RSAPrivateKey (INTEGERs) hold, and nothing else. */
static bool key_fields_ok(unsigned char *p, const unsigned char *end)
{
	size_t len;

	if (end - p == 34 && p[0] == MBEDTLS_ASN1_OCTET_STRING && p[1] == 32)
		return true;
	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) || p + len != end)
		return false;
	while (p < end) {
		unsigned char tag = *p++;

		if (tag != MBEDTLS_ASN1_INTEGER &&
		    tag != MBEDTLS_ASN1_OCTET_STRING && tag != 0xa0 &&
		    tag != 0xa1)
			return false;
		if (mbedtls_asn1_get_len(&p, end, &len))
			return false;
		p += len;
	}
	return true;
}

/*
 * The decrypted PrivateKeyInfo (RFC 5208) is well formed throughout:
 * SEQUENCE { version INTEGER, algorithm SEQUENCE, privateKey OCTET
 * STRING holding one well-formed element, optional [0]/[1] }, filling
 * plain exactly. CBC has no integrity check: a changed ciphertext byte
 * garbles a block, and this catches what mbedTLS's lenient parser would
 * take as a different key (a key whose halves disagree is caught after
 * the parse, keys.c).
 */
static bool private_key_info_ok(unsigned char *p, const unsigned char *end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) || p + len != end ||
	    !der_run_ok(p, end, 8))
		return false;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_INTEGER))
		return false;
	p += len;
	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ))
		return false;
	p += len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
	    !der_run_ok(p, p + len, 8))
		return false;
	return key_fields_ok(p, p + len);
}

/* Length of the plaintext without its PKCS#7 padding, when the padding
 * is right and the rest is a well-formed PrivateKeyInfo; else 0. */
static size_t plain_len(uint8_t *out, size_t len)
{
	unsigned pad = out[len - 1];

	if (pad < 1 || pad > AES_BLOCK)
		return 0;
	for (unsigned i = 1; i <= pad; i++) {
		if (out[len - i] != pad)
			return 0;
	}
	len -= pad;
	return private_key_info_ok(out, out + len) ? len : 0;
}

enum fk_pbes2_result fk_pbes2_decrypt(const uint8_t *der, size_t len,
				      const char *pw, size_t pw_len,
				      unsigned max_iterations, uint8_t *out,
				      size_t *out_len, const char *name,
				      struct fk_diag *d)
{
	struct pbes2 s = { 0 };
	const char *why;

	if (parse(der, len, &s, &why)) {
		fk_fail(d, "%s: encrypted key: unreadable %s", name, why);
		return FK_PBES2_ERROR;
	}
	if ((unsigned)s.iterations > max_iterations) {
		fk_fail(d,
			"%s: encrypted key asks for %d PBKDF2 iterations, more "
			"than flashkit's limit of %u; re-encrypt it with fewer",
			name, s.iterations, max_iterations);
		return FK_PBES2_ERROR;
	}
	if (decrypt(&s, pw, pw_len, out)) {
		mbedtls_platform_zeroize(out, s.ct_len);
		fk_fail(d, "%s: encrypted key: decryption failed", name);
		return FK_PBES2_ERROR;
	}
	*out_len = plain_len(out, s.ct_len);
	if (!*out_len) {
		mbedtls_platform_zeroize(out, s.ct_len);
		return FK_PBES2_WRONG_PASSWORD;
	}
	return FK_PBES2_OK;
}
