/*
 * The BearSSL crypto port: ECDSA P-256 verification from BearSSL's
 * constant-time P-256 code (Debian's libbearssl-dev on the host; Debian's
 * bearssl source package cross-compiled for Cortex-M,
 * target/bearssl.cmake).
 *
 * fk_crypto_bearssl_p256 is a bootloader's verify-only port for ECDSA
 * P-256 keys, the smaller alternative to fk_crypto_mbedtls_p256
 * (ports/crypto-mbedtls): SHA-256 from the built-in code
 * (fk_crypto_builtin), so one SHA-256 is linked; ECDSA P-256 from
 * BearSSL's br_ecdsa_i31_vrfy_raw() on br_ec_prime_i31 (on br_ec_p256_m31,
 * larger and faster, when compiled with FK_BEARSSL_P256_M31); every other
 * algorithm NULL (FK_ENOTSUP), no decryption. No heap, no global state:
 * the verification runs on the caller's stack (3 KiB more than a
 * digest-only boot on Cortex-M4, 1.5 KiB with FK_BEARSSL_P256_M31;
 * docs/image-format.md, section 7).
 */
#ifndef FLASHKIT_CRYPTO_BEARSSL_H
#define FLASHKIT_CRYPTO_BEARSSL_H

#include "flashkit/crypto.h"

extern const struct fk_crypto_port fk_crypto_bearssl_p256;

/*
 * ecdsa_p256_verify of flashkit/crypto.h, with the same key format as
 * fk_crypto_mbedtls_p256: key is the 91-byte SubjectPublicKeyInfo imgtool
 * embeds (a named-curve prime256v1 key, uncompressed point); any other
 * length or prefix, or a point not on the curve, is FK_EKEY. sig is a
 * strict DER SEQUENCE { INTEGER r, INTEGER s }, optionally followed by
 * zero bytes (older imgtool versions pad it): short-form lengths that
 * add up, positive minimal INTEGERs of at most 32 bytes of value, r and s
 * both in [1, n - 1]; anything else is FK_ESIG, as is a signature that
 * does not verify. Returns 0 when it verifies.
 */
int fk_bearssl_ecdsa_p256_verify(const uint8_t *key, size_t key_len,
				 const uint8_t hash[FK_SHA256_SIZE],
				 const uint8_t *sig, size_t sig_len);

#endif
