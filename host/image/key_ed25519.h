/*
 * Ed25519 key files and signing for the host tool (the part of keys.h that
 * mbedTLS 2.28 cannot do; libsodium does it, as it does the Ed25519 check
 * on the device: ports/crypto-sodium).
 *
 * Key files are imgtool's and OpenSSL's: PKCS#8 "PRIVATE KEY" holding the
 * 32-byte seed (RFC 8410, version 1, no public key inside), and
 * SubjectPublicKeyInfo "PUBLIC KEY". The public key embedded in images and
 * hashed into the KEYHASH is that SubjectPublicKeyInfo DER (44 bytes), as
 * imgtool embeds it. Signatures are over the 32-byte image digest, as
 * imgtool 2.4.0 signs Ed25519 images (not over the image itself).
 *
 * Nothing here prints; failures go to key->diag (or err) and return -1.
 */
#ifndef FLASHKIT_TOOL_KEY_ED25519_H
#define FLASHKIT_TOOL_KEY_ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

/* The PKCS#8 DER of an Ed25519 private key: 16 bytes, then the seed. */
#define FK_ED25519_PKCS8_LEN 48

/*
 * Reads an Ed25519 key out of PEM text (NUL-terminated), public or
 * private. Returns 1 when it was one (key filled: type, pub, hash, and
 * for a private key the signing key, has_private), 0 when the text holds
 * no Ed25519 key, -1 on failure (key->diag).
 */
int fk_ed25519_load(struct fk_key *key, const char *text);

/*
 * The same for the PKCS#8 DER of a private key (an encrypted key, once
 * decrypted). Returns 1 when it was an Ed25519 key, 0 when not, -1 on
 * failure.
 */
int fk_ed25519_load_pkcs8(struct fk_key *key, const uint8_t *der, size_t len);

/* Signs the 32-byte digest: sig gets 64 bytes. Returns 0, or -1 with
 * key->diag filled. Deterministic (RFC 8032): no randomness involved. */
int fk_ed25519_sign(struct fk_key *key, const uint8_t *digest, uint8_t *sig,
		    size_t *sig_len);

/* Generates an Ed25519 key (a random seed from the system, getrandom) and
 * writes it, PKCS#8 PEM, owner-only, to path, as fk_key_generate_p256
 * does. Returns 0, or -1 with err filled. */
int fk_key_generate_ed25519(const char *path, unsigned flags,
			    struct fk_diag *err);

/* The SubjectPublicKeyInfo DER of key (44 bytes) as PEM into buf. Returns
 * 0, or -1 with key->diag filled. */
int fk_ed25519_public_pem(struct fk_key *key, char *buf, size_t size);

#endif
