/*
 * The mbedTLS crypto ports: struct fk_crypto_port backed by mbedTLS 2.28
 * (Debian's libmbedtls-dev on the host; Debian's mbedtls source package
 * cross-compiled for Cortex-M, see docs/image-format.md).
 *
 * fk_crypto_mbedtls (fk_crypto_mbedtls.c + fk_crypto_mbedtls_p256.c):
 * SHA-256, SHA-384, ECDSA P-256 and P-384, RSA-2048-PSS and RSA-3072-PSS
 * verification, for the host tools and for a firmware that must accept
 * them all. mbedTLS 2.28 has no Ed25519: compiled with
 * FK_MBEDTLS_WITH_SODIUM (as the host build is), ed25519_verify is
 * libsodium's (ports/crypto-sodium) and the program links that port too;
 * without, it is NULL and Ed25519 signatures are reported as FK_ENOTSUP.
 *
 * fk_crypto_mbedtls_p256 (fk_crypto_mbedtls_p256.c alone): the
 * bootloader's port, ECDSA P-256 verification only (RSA images get
 * FK_ENOTSUP), SHA-256 from the built-in code; built with
 * target/fk_mbedtls_boot_config.h and FK_MBEDTLS_BOOT_MODULES. Compiled
 * with FK_MBEDTLS_WITH_ENC (and linked with fk_crypto_mbedtls_enc.c,
 * target/fk_mbedtls_boot_enc_config.h, FK_MBEDTLS_BOOT_ENC_MODULES) it
 * also decrypts ECIES-P256 images, imgtool's pairing for P-256 signing.
 *
 * Both ports' enc_unwrap and aes_ctr_xor are fk_crypto_mbedtls_enc.c's.
 */
#ifndef FLASHKIT_CRYPTO_MBEDTLS_H
#define FLASHKIT_CRYPTO_MBEDTLS_H

#include "flashkit/crypto.h"

extern const struct fk_crypto_port fk_crypto_mbedtls;
extern const struct fk_crypto_port fk_crypto_mbedtls_p256;

/* ecdsa_p256_verify of both ports (flashkit/crypto.h): key is the 91-byte
 * SubjectPublicKeyInfo of a P-256 key (anything else: FK_EKEY), its point
 * checked to be on the curve. No allocation survives the call. */
int fk_mbedtls_ecdsa_p256_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA256_SIZE],
				 const uint8_t *sig, size_t sig_len);

/* ecdsa_p384_verify of fk_crypto_mbedtls: the same for the 120-byte
 * SubjectPublicKeyInfo of a P-384 key and a SHA-384 hash. */
int fk_mbedtls_ecdsa_p384_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA384_SIZE],
				 const uint8_t *sig, size_t sig_len);

/* enc_unwrap (flashkit/crypto.h): every scheme the mbedTLS configuration
 * has (the host's: all four TLV types; a bootloader's ECIES-P256 one:
 * ENC_EC256 only, the others FK_ENOTSUP). The private-key operations are
 * blinded with a DRBG seeded from key and TLV (no device RNG needed). */
int fk_mbedtls_enc_unwrap(const uint8_t *key, size_t key_len, uint16_t tlv_type,
			  const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
			  size_t aes_len);

/* aes_ctr_xor (flashkit/crypto.h): any byte offset and length, FK_EINVAL
 * for a key that is not 16 or 32 bytes or a range past 2^32. */
int fk_mbedtls_aes_ctr_xor(const uint8_t *aes_key, size_t aes_len, uint32_t off,
			   uint8_t *buf, size_t len);

#endif
