/*
 * Key files for the host tool: reading the PEM files imgtool and OpenSSL
 * write (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY", and
 * SubjectPublicKeyInfo public keys), generating ECDSA P-256 keys, signing
 * an image digest, and the public key in the exact form imgtool embeds in
 * images (SubjectPublicKeyInfo DER for ECDSA and Ed25519, PKCS#1
 * RSAPublicKey DER for RSA) with its SHA-256, the KEYHASH.
 *
 * Nothing here prints: a failure returns -1 with the error reported to
 * key->diag, a sink that only counts and keeps it (or to err for
 * fk_key_generate_p256).
 *
 * mbedTLS 2.28 has no Ed25519: Ed25519 keys are read, generated and
 * used for signing by key_ed25519.c, with libsodium.
 */
#ifndef FLASHKIT_TOOL_KEYS_H
#define FLASHKIT_TOOL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "flashkit/image.h"
#include "formats/formats.h"

struct fk_key {
	enum fk_image_key_type type;
	bool has_private; /* can sign */
	bool has_pk;	  /* pk holds the key (not for Ed25519) */
	mbedtls_pk_context pk;
	uint8_t ed25519_sk[64]; /* Ed25519 signing key (seed, public key) */
	uint8_t pub[FK_IMAGE_PUBKEY_MAX]; /* as embedded in images */
	size_t pub_len;
	uint8_t hash[FK_DIGEST_MAX]; /* SHA-256 of pub (SHA-384 for P-384):
				      * the KEYHASH, fk_key_digest_len bytes */
	char path[256];		     /* for messages */
	struct fk_diag diag;	     /* the last failure: its kind and text */
	bool need_password;	     /* failed: encrypted, no password given */
	bool wrong_password;	     /* failed: the password does not open it */
};

/* Reads a PEM key file (private or public, at most FK_INPUT_CAP_TEXT
 * bytes). Returns 0, or -1 with key->diag saying what is wrong. An
 * encrypted private key fails with key->need_password set. */
int fk_key_load(struct fk_key *key, const char *path);

/*
 * fk_key_load, with the password of an encrypted private key (PKCS#8
 * "ENCRYPTED PRIVATE KEY" with PBES2: PBKDF2 and AES-CBC, as imgtool
 * `keygen --password` and `openssl genpkey -aes256` write; or OpenSSL's
 * traditional "Proc-Type: 4,ENCRYPTED" PEM). password is NUL-terminated,
 * or NULL for none; it is ignored for a key that is not encrypted. Fails
 * with key->need_password when the key is encrypted and password is NULL
 * (a caller can ask for one and call again), with key->wrong_password
 * when it does not open the key. The decrypted key is wiped from memory
 * once parsed.
 */
int fk_key_load_password(struct fk_key *key, const char *path,
			 const char *password);
void fk_key_free(struct fk_key *key);

/* The key as struct fk_image_key (points into key). */
void fk_key_image_key(const struct fk_key *key, struct fk_image_key *out);

/* "ECDSA P-256", "ECDSA P-384", "RSA-2048", "RSA-3072", "Ed25519". */
const char *fk_key_type_name(enum fk_image_key_type type);

/* The TLV type of this key's signatures. */
uint16_t fk_key_sig_tlv(const struct fk_key *key);

/* The length of the image digest (and KEYHASH) of images signed with a key
 * of this type: 48 (SHA-384) for P-384, as imgtool pairs them, else 32. */
size_t fk_key_digest_len(enum fk_image_key_type type);

/* Signs an image digest of fk_key_digest_len(key->type) bytes the way
 * imgtool does (ECDSA: DER; RSA: PSS, SHA-256, MGF1-SHA-256, 32-byte
 * salt; Ed25519: the 32-byte digest is the message). sig must hold
 * FK_IMAGE_SIG_MAX bytes. Returns 0, or -1 with key->diag filled. */
int fk_key_sign(struct fk_key *key, const uint8_t *digest, uint8_t *sig,
		size_t *sig_len);

/* Generates an ECDSA P-256 key and writes it, PKCS#8 PEM, owner-only, to
 * path (atomically; flags as for fk_file_write: FK_OUT_NO_REPLACE keeps
 * an existing key). Returns 0, or -1 with err filled. */
int fk_key_generate_p256(const char *path, unsigned flags, struct fk_diag *err);

/* The same for a key of any signing type: ECDSA P-256 or P-384, RSA-2048
 * or RSA-3072 (exponent 65537; a 3072-bit key takes seconds), Ed25519.
 * PKCS#8 PEM as imgtool keygen and `openssl genpkey` write. */
int fk_key_generate(enum fk_image_key_type type, const char *path,
		    unsigned flags, struct fk_diag *err);

/* The public key as SubjectPublicKeyInfo PEM, NUL-terminated, into buf.
 * Returns 0, or -1 with key->diag filled. */
int fk_key_public_pem(struct fk_key *key, char *buf, size_t size);

#endif
