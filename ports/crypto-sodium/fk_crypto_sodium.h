/*
 * The libsodium crypto port: Ed25519 verification from libsodium's ref10
 * code (Debian's libsodium-dev on the host; Debian's libsodium source
 * package cross-compiled for Cortex-M, target/sodium.cmake).
 *
 * mbedTLS 2.28 has no Ed25519, so this is where every Ed25519 check of
 * flashkit comes from: fk_crypto_mbedtls (the full port) points its
 * ed25519_verify here when built with FK_MBEDTLS_WITH_SODIUM (the host
 * build always is), and fk_crypto_sodium_ed25519 is a bootloader's port
 * for Ed25519 keys, with no mbedTLS at all.
 *
 * fk_crypto_sodium_ed25519: SHA-256 from the built-in code
 * (fk_crypto_builtin) and Ed25519; every other algorithm is NULL
 * (FK_ENOTSUP). No heap, no global state: the verification runs on the
 * caller's stack (about 1.5 KiB on Cortex-M3).
 */
#ifndef FLASHKIT_CRYPTO_SODIUM_H
#define FLASHKIT_CRYPTO_SODIUM_H

#include "flashkit/crypto.h"

extern const struct fk_crypto_port fk_crypto_sodium_ed25519;

/*
 * ed25519_verify of flashkit/crypto.h: the message is the 32-byte image
 * digest (imgtool's Ed25519 images sign the digest, not the image).
 * key: the 44-byte SubjectPublicKeyInfo of an Ed25519 key (any other
 * length or prefix: FK_EKEY); sig: 64 bytes (any other length: FK_ESIG).
 * Returns 0 when the signature verifies, FK_ESIG when it does not.
 * libsodium's checks are strict: a signature whose S is not below the
 * group order, or whose R or key is a point of small order or not
 * canonically encoded, does not verify (an honest signer never makes one).
 */
int fk_sodium_ed25519_verify(const uint8_t *key, size_t key_len,
			     const uint8_t hash[FK_SHA256_SIZE],
			     const uint8_t *sig, size_t sig_len);

/* The SubjectPublicKeyInfo DER of an Ed25519 key: these 12 bytes, then the
 * 32-byte public key (RFC 8410). */
#define FK_ED25519_SPKI_PREFIX_LEN 12
#define FK_ED25519_SPKI_LEN (FK_ED25519_SPKI_PREFIX_LEN + 32)
extern const uint8_t fk_ed25519_spki_prefix[FK_ED25519_SPKI_PREFIX_LEN];

#endif
