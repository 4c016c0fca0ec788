/*
 * The crypto port: the few primitives the image code needs, supplied by
 * the integrator as a table of functions.
 *
 * flashkit never implements cryptography itself. A port fills a
 * struct fk_crypto_port with SHA-256 and signature checks from a library
 * it trusts; ports/crypto-mbedtls/ is the one shipped (mbedTLS, on the
 * host and on Cortex-M). A port that cannot do an algorithm leaves its
 * pointer NULL and the image code reports FK_ENOTSUP for images that need
 * it, instead of failing in a way that looks like tampering.
 *
 * The functions are pure computations: no flash access, no global state
 * the image code relies on, so a power loss during any of them has no
 * effect beyond the call not returning.
 */
#ifndef FLASHKIT_CRYPTO_H
#define FLASHKIT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/error.h"

#define FK_SHA256_SIZE 32
#define FK_SHA384_SIZE 48
/* The largest image digest (SHA-384, which imgtool pairs with P-384). */
#define FK_DIGEST_MAX FK_SHA384_SIZE

/*
 * Room for one running SHA-256 (or SHA-384) computation, owned by the
 * caller (usually on the stack). A port checks at compile time that its
 * own contexts fit in FK_SHA256_STATE_SIZE bytes; the union gives it the
 * strictest alignment it may need.
 */
#ifndef FK_SHA256_STATE_SIZE
/* A bootloader with one port may define it down to what that port needs
 * (104 for the built-in SHA-256): each port refuses to build if its
 * contexts do not fit. */
#define FK_SHA256_STATE_SIZE 256
#endif
union fk_sha256_state {
	uint8_t bytes[FK_SHA256_STATE_SIZE];
	uint64_t align_u64;
	void *align_ptr;
	long double align_ld;
};

struct fk_crypto_port {
	/* Starts a SHA-256 computation in *st. Returns 0 or FK_EIO. */
	int (*sha256_init)(union fk_sha256_state *st);
	/* Adds len bytes (len may be 0). Returns 0 or FK_EIO. */
	int (*sha256_update)(union fk_sha256_state *st, const void *data,
			     size_t len);
	/* Writes the digest to out and releases *st (which may then be
	 * reused with sha256_init). Returns 0 or FK_EIO. */
	int (*sha256_finish)(union fk_sha256_state *st,
			     uint8_t out[FK_SHA256_SIZE]);

	/*
	 * Checks an ECDSA P-256 signature over a SHA-256 hash.
	 * key: SubjectPublicKeyInfo DER (91 bytes for P-256), as imgtool
	 * embeds it; sig: the ASN.1 DER SEQUENCE { r, s } (usually 70-72
	 * bytes). Returns 0 when it verifies, FK_ESIG when it does not (or is
	 * not well-formed DER), FK_EKEY when the key cannot be used.
	 */
	int (*ecdsa_p256_verify)(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA256_SIZE],
				 const uint8_t *sig, size_t sig_len);

	/*
	 * Checks an RSA-2048 RSASSA-PSS signature over a SHA-256 hash, with
	 * MGF1(SHA-256) and a 32-byte salt (imgtool's parameters).
	 * key: PKCS#1 RSAPublicKey DER (as imgtool embeds RSA keys);
	 * sig: 256 bytes. Same returns as ecdsa_p256_verify.
	 */
	int (*rsa2048_pss_verify)(const uint8_t *key, size_t key_len,
				  const uint8_t hash[FK_SHA256_SIZE],
				  const uint8_t *sig, size_t sig_len);

	/*
	 * Checks an Ed25519 signature whose message is the 32-byte image
	 * digest (imgtool's "signs the digest" mode). key: SubjectPublicKeyInfo
	 * DER (44 bytes); sig: 64 bytes. May be NULL: Ed25519 images then
	 * parse and their digest is checked, but validation reports
	 * FK_ENOTSUP. Same returns as ecdsa_p256_verify.
	 */
	int (*ed25519_verify)(const uint8_t *key, size_t key_len,
			      const uint8_t hash[FK_SHA256_SIZE],
			      const uint8_t *sig, size_t sig_len);

	/*
	 * SHA-384, with the same contract as the SHA-256 functions (the
	 * state in the same union). May be NULL: images whose digest is
	 * SHA384 (imgtool's P-384 images) are then FK_ENOTSUP.
	 */
	int (*sha384_init)(union fk_sha256_state *st);
	int (*sha384_update)(union fk_sha256_state *st, const void *data,
			     size_t len);
	int (*sha384_finish)(union fk_sha256_state *st,
			     uint8_t out[FK_SHA384_SIZE]);

	/*
	 * Checks an ECDSA P-384 signature over a SHA-384 hash (imgtool signs
	 * P-384 images' SHA-384 digest). key: SubjectPublicKeyInfo DER (120
	 * bytes); sig: DER SEQUENCE { r, s } (usually 102-104 bytes). May be
	 * NULL (FK_ENOTSUP). Same returns as ecdsa_p256_verify.
	 */
	int (*ecdsa_p384_verify)(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA384_SIZE],
				 const uint8_t *sig, size_t sig_len);

	/*
	 * Checks an RSA-3072 RSASSA-PSS signature over a SHA-256 hash, with
	 * imgtool's parameters as for RSA-2048. key: PKCS#1 RSAPublicKey DER;
	 * sig: 384 bytes. May be NULL (FK_ENOTSUP). Same returns as
	 * ecdsa_p256_verify.
	 */
	int (*rsa3072_pss_verify)(const uint8_t *key, size_t key_len,
				  const uint8_t hash[FK_SHA256_SIZE],
				  const uint8_t *sig, size_t sig_len);

	/*
	 * Encrypted images (imgtool -E, docs/image-format.md). Both may be
	 * NULL: encrypted images are then FK_ENOTSUP.
	 *
	 * enc_unwrap: the image's AES key (aes_len 16 or 32, as the header's
	 * ENCRYPTED_AES128/256 flag says) from the value of its ENC_* TLV,
	 * with the device's private key (struct fk_image_keys.enc_key):
	 *   FK_TLV_ENC_RSA2048   RSA-OAEP with SHA-256; key: PKCS#1
	 *                        RSAPrivateKey DER;
	 *   FK_TLV_ENC_EC256     ECIES-P256 (HKDF-SHA256 "MCUBoot_ECIES_v1",
	 *                        HMAC-SHA256, AES-CTR); key: the 32-byte
	 *                        big-endian private scalar;
	 *   FK_TLV_ENC_X25519    ECIES-X25519, the same; key: the 32-byte
	 *                        private key as RFC 7748 encodes it;
	 *   FK_TLV_ENC_X25519_SHA512  the same with SHA-512.
	 * Returns 0 with aes_key filled; FK_EKEY when key is not a usable
	 * key of the TLV's scheme or the TLV does not unwrap with it (HMAC
	 * or OAEP padding wrong, point not on the curve, wrong length: the
	 * image was encrypted for another device key, or altered);
	 * FK_ENOTSUP for a scheme the port lacks. aes_key is written only on
	 * success.
	 *
	 * aes_ctr_xor: XORs buf[0, len) with the AES-CTR keystream of
	 * aes_key (16 or 32 bytes) starting at byte off of the payload: the
	 * counter block of payload byte x is an all-zero nonce whose last
	 * four bytes hold x / 16 big-endian (MCUboot's and imgtool's). The
	 * same call encrypts and decrypts. Returns 0 or FK_EINVAL.
	 */
	int (*enc_unwrap)(const uint8_t *key, size_t key_len, uint16_t tlv_type,
			  const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
			  size_t aes_len);
	int (*aes_ctr_xor)(const uint8_t *aes_key, size_t aes_len, uint32_t off,
			   uint8_t *buf, size_t len);
};

/*
 * SHA-256 in portable C (src/image/sha256.c), with no signature checks:
 * enough for images checked by digest only (keys count 0), with no crypto
 * library at all. fk_boot() uses it when the configuration gives no keys.
 */
extern const struct fk_crypto_port fk_crypto_builtin;

/* fk_crypto_builtin's three functions, for a port that takes its SHA-256
 * from them (a bootloader's verify-only port: fk_crypto_mbedtls_p256,
 * fk_crypto_sodium_ed25519). Never fail. */
int fk_builtin_sha256_init(union fk_sha256_state *st);
int fk_builtin_sha256_update(union fk_sha256_state *st, const void *data,
			     size_t len);
int fk_builtin_sha256_finish(union fk_sha256_state *st,
			     uint8_t out[FK_SHA256_SIZE]);

#endif
