/*
 * struct fk_crypto_port's ECDSA P-256 check on top of BearSSL
 * (fk_crypto_bearssl.h), and the verify-only port a bootloader links.
 *
 * BearSSL verifies a raw signature (r || s, 32 bytes each) against a raw
 * uncompressed point, so the two jobs done here are the ones mbedTLS's
 * PK and ASN.1 code would do: the key's SubjectPublicKeyInfo is compared
 * with the one fixed 26-byte prefix every tool writes for a P-256 key
 * and the point after it is handed over as it is; the signature's DER is
 * decoded by hand, strictly, into r || s. Everything else is BearSSL's:
 * the point is checked to be on the curve when it is decoded, r and s to
 * be below n (br_i31_decode_mod), s to be non-zero. It does not check r
 * for zero, so that is done here.
 *
 * The linked BearSSL code is br_ecdsa_i31_vrfy_raw() (with
 * br_ecdsa_i31_bits2int and the i31 big-integer helpers it calls) and
 * one implementation of the curve arithmetic (P256_IMPL below). Both
 * rely on 32x32->64 multiplications, whose time varies with the operands
 * on a Cortex-M3; that is harmless here, since a verification handles
 * only public values (key, signature, digest). Nothing allocates; no
 * signing, no random numbers.
 */
#include <string.h>

#include <bearssl_ec.h>

#include "fk_crypto_bearssl.h"

/* SEQUENCE { SEQUENCE { OID ecPublicKey, OID prime256v1 }, BIT STRING
 * of 66 bytes (no unused bits, then the 65-byte point) }. */
static const uint8_t spki_p256[26] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
#define POINT_LEN 65
#define SCALAR_LEN 32

/*
 * The curve arithmetic. By default BearSSL's generic prime-curve code
 * with 31-bit limbs (ec_prime_i31.c), the smallest of its
 * implementations on Cortex-M; with FK_BEARSSL_P256_M31 its P-256 code
 * (ec_p256_m31.c): 3.5 KB more text, 1.5 KiB less stack, a verification
 * 2.4 times faster (docs/image-format.md, section 7, has the figures).
 */
#ifdef FK_BEARSSL_P256_M31
#define P256_IMPL br_ec_p256_m31
#else
#define P256_IMPL br_ec_prime_i31
#endif

/*
 * Reads the DER INTEGER at *p (not past end) into out, big-endian and
 * left-padded with zeros, and moves *p past it. Refused (-1): another
 * tag, a long-form length or one past end, an empty or negative value,
 * a leading zero byte that is not needed, more than 32 bytes of value,
 * zero.
 */
static int read_scalar(const uint8_t **p, const uint8_t *end,
		       uint8_t out[SCALAR_LEN])
{
	const uint8_t *q = *p;
	size_t len;
	uint8_t any = 0;

	if (end - q < 2 || q[0] != 0x02)
		return -1;
	len = q[1];
	q += 2;
	/* a long-form length byte (0x80 and up) is always past end here */
	if (len == 0 || len > (size_t)(end - q) || (q[0] & 0x80))
		return -1;
	if (q[0] == 0 && len > 1) {
		if (!(q[1] & 0x80))
			return -1;
		q++;
		len--;
	}
	if (len > SCALAR_LEN)
		return -1;
	memset(out, 0, SCALAR_LEN - len);
	memcpy(out + SCALAR_LEN - len, q, len);
	for (size_t i = 0; i < len; i++)
		any |= q[i];
	*p = q + len;
	return any ? 0 : -1;
}

/* SEQUENCE { INTEGER r, INTEGER s } into rs = r || s; bytes after the
 * sequence must be zero. 0 or -1. */
static int read_signature(const uint8_t *sig, size_t sig_len,
			  uint8_t rs[2 * SCALAR_LEN])
{
	const uint8_t *p = sig + 2, *end;

	/* short form only: a P-256 signature's sequence is under 128 bytes */
	if (sig_len < 2 || sig[0] != 0x30 || (sig[1] & 0x80) ||
	    sig[1] > sig_len - 2)
		return -1;
	end = p + sig[1];
	if (read_scalar(&p, end, rs) || read_scalar(&p, end, rs + SCALAR_LEN) ||
	    p != end)
		return -1;
	for (p = end; p < sig + sig_len; p++) {
		if (*p)
			return -1;
	}
	return 0;
}

int fk_bearssl_ecdsa_p256_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA256_SIZE],
				 const uint8_t *sig, size_t sig_len)
{
	static const uint8_t one = 1;
	const br_ec_impl *ec = &P256_IMPL;
	uint8_t rs[2 * SCALAR_LEN], point[POINT_LEN];
	/* BearSSL copies the point before using it: key stays unchanged */
	br_ec_public_key pk = { BR_EC_secp256r1,
				(unsigned char *)key + sizeof(spki_p256),
				POINT_LEN };

	if (key_len != sizeof(spki_p256) + POINT_LEN ||
	    memcmp(key, spki_p256, sizeof(spki_p256)))
		return FK_EKEY;
	/* mul() on a copy reports whether the point decodes onto the
	 * curve. */
	memcpy(point, key + sizeof(spki_p256), POINT_LEN);
	if (!ec->mul(point, POINT_LEN, &one, 1, BR_EC_secp256r1))
		return FK_EKEY;
	if (read_signature(sig, sig_len, rs))
		return FK_ESIG;
	if (!br_ecdsa_i31_vrfy_raw(ec, hash, FK_SHA256_SIZE, &pk, rs,
				   sizeof(rs)))
		return FK_ESIG;
	return 0;
}

const struct fk_crypto_port fk_crypto_bearssl_p256 = {
	.sha256_init = fk_builtin_sha256_init,
	.sha256_update = fk_builtin_sha256_update,
	.sha256_finish = fk_builtin_sha256_finish,
	.ecdsa_p256_verify = fk_bearssl_ecdsa_p256_verify,
};
