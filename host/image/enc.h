/*
 * Encrypted images on the host, byte-compatible with imgtool 2.4.0's -E:
 * the payload is AES-128 or AES-256 in CTR mode (counter block 0 at the
 * first payload byte, nonce zero), under a fresh random key that travels
 * in one unprotected TLV, wrapped for the device's encryption key:
 *
 *   ENC_RSA2048  (0x30)  RSA-OAEP (SHA-256, MGF1-SHA-256, no label) of the
 *                        AES key: 256 bytes
 *   ENC_EC256    (0x32)  ECIES-P256: ephemeral public key (65 bytes,
 *                        uncompressed) | HMAC-SHA-256 (32) | wrapped key
 *   ENC_X25519   (0x33)  ECIES-X25519: ephemeral public key (32) |
 *                        HMAC-SHA-256 (32) | wrapped key
 *   ENC_X25519_SHA512 (0x34) the same with HKDF and HMAC over SHA-512
 *                        (HMAC 64 bytes)
 *
 * ECIES: the ECDH secret of the ephemeral key and the device's key goes
 * through HKDF (no salt, info "MCUBoot_ECIES_v1") to keylen + hash-length
 * bytes; the first keylen encrypt the AES key (AES-CTR, counter zero), the
 * rest key the HMAC over the wrapped key. The digest and signature of an
 * encrypted image are over its plaintext (header with the ENCRYPTED flag,
 * plaintext payload, protected TLVs). docs/image-format.md has the format.
 *
 * Nothing here prints or exits: failures return -1 with a struct fk_diag
 * saying what is wrong.
 */
#ifndef FLASHKIT_TOOL_ENC_H
#define FLASHKIT_TOOL_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "keys.h"

#define FK_ENC_TLV_MAX 384 /* RSA-3072 OAEP; ECIES at most 129 bytes */
/* A device-form private key: RSA-2048's PKCS#1 DER is about 1.2 KB. */
#define FK_ENC_DEVICE_KEY_MAX 1800

enum fk_enc_scheme {
	FK_ENC_NONE = 0,
	FK_ENC_RSA_OAEP,
	FK_ENC_ECIES_P256,
	FK_ENC_ECIES_X25519,
};

/* An encryption key: public (to encrypt) or private (to decrypt). */
struct fk_enc_key {
	enum fk_enc_scheme scheme;
	bool has_private;
	struct fk_key key;   /* RSA or P-256, loaded by fk_key_load */
	uint8_t x_priv[32];  /* X25519 scalar, as in the PKCS#8 file */
	uint8_t x_pub[32];   /* X25519 public u-coordinate */
	char path[256];	     /* for messages */
	struct fk_diag diag; /* the last failure */
};

/* Reads an encryption key PEM: RSA (2048 or 3072) or EC P-256 public or
 * private (the formats fk_key_load reads), or X25519 public
 * (SubjectPublicKeyInfo) or private (PKCS#8). password as for
 * fk_key_load_password, or NULL. 0, or -1 with ek->diag filled. */
int fk_enc_key_load(struct fk_enc_key *ek, const char *path,
		    const char *password);
void fk_enc_key_free(struct fk_enc_key *ek);

/* For a command that loaded ek->key itself (asking for a password): takes
 * it as ek's key, or fails (-1, ek->diag) when it is no encryption key. */
int fk_enc_key_adopt(struct fk_enc_key *ek, const char *path);

/* ek's private key in the form the crypto port's enc_unwrap takes
 * (flashkit/crypto.h, struct fk_image_keys.enc_key): RSA-OAEP the PKCS#1
 * RSAPrivateKey DER, ECIES-P256 the 32-byte big-endian scalar, ECIES-X25519
 * the 32-byte RFC 7748 private key. Into out (size bytes; at most
 * FK_ENC_DEVICE_KEY_MAX needed), *len its length. 0, or -1 for a public
 * key or a buffer too small. */
int fk_enc_device_key(const struct fk_enc_key *ek, uint8_t *out, size_t size,
		      size_t *len);

/* The public half of an X25519 key (ek->x_pub) as a SubjectPublicKeyInfo
 * PEM, NUL-terminated, into buf; 0, or -1 for another scheme or a buffer
 * too small. */
int fk_enc_public_pem(const struct fk_enc_key *ek, char *buf, size_t size);

/* A new X25519 private key (imgtool keygen -t x25519's form: PKCS#8 PEM),
 * written owner-only to path (flags as for fk_file_write). 0 or -1. */
int fk_enc_generate_x25519(const char *path, unsigned flags,
			   struct fk_diag *err);

/* "RSA-OAEP", "ECIES-P256", "ECIES-X25519". */
const char *fk_enc_scheme_name(enum fk_enc_scheme scheme);

/* The scheme an ENC_* TLV type belongs to, FK_ENC_NONE for others. */
enum fk_enc_scheme fk_enc_scheme_of_tlv(uint16_t type);

/* The TLV type this key wraps into (sha512: ECIES-X25519 with HKDF and
 * HMAC over SHA-512; only X25519 has it). */
uint16_t fk_enc_tlv_type(const struct fk_enc_key *ek, bool sha512);

/* The length of the key TLV's value fk_enc_wrap writes for ek: RSA-OAEP
 * the key's modulus length, ECIES the point, the HMAC (32, or 64 with
 * sha512) and the wrapped aes_len-byte key. */
size_t fk_enc_tlv_len(const struct fk_enc_key *ek, size_t aes_len, bool sha512);

/* len random bytes from the platform's entropy through a CTR-DRBG. */
int fk_enc_random(uint8_t *out, size_t len, struct fk_diag *d);

/* Wraps aes_key (16 or 32 bytes) for ek into tlv (FK_ENC_TLV_MAX bytes):
 * the value of the TLV fk_enc_tlv_type(ek, sha512) names. 0 or -1. */
int fk_enc_wrap(struct fk_enc_key *ek, bool sha512, const uint8_t *aes_key,
		size_t aes_len, uint8_t *tlv, size_t *tlv_len);

/* Unwraps the AES key (aes_len bytes: 16 or 32, from the image's flags)
 * from the value of an ENC_* TLV of type tlv_type with ek's private key.
 * Fails (-1, ek->diag) when the TLV is for another scheme, has the wrong
 * length, its HMAC does not match (a tampered TLV or another key), or
 * RSA-OAEP decoding fails. */
int fk_enc_unwrap(struct fk_enc_key *ek, uint16_t tlv_type, const uint8_t *tlv,
		  size_t tlv_len, uint8_t *aes_key, size_t aes_len);

/* AES-CTR over buf in place, the counter block starting at zero for
 * buf[0]: encrypts and decrypts alike. 0 or -1 (bad key length). */
int fk_enc_ctr(const uint8_t *aes_key, size_t aes_len, uint8_t *buf,
	       size_t len);

/*
 * Decrypts the payload of the encrypted image img (len bytes: header,
 * payload, TLVs) in place with ek's private key: finds its ENC_* TLV,
 * unwraps the key (AES-128 or AES-256 from the header's flags) and runs
 * AES-CTR over the payload. Fails with -1 and d filled when the image is
 * not encrypted, is malformed, has no ENC_* TLV, or the key does not
 * unwrap (the text names the TLV and the key).
 */
int fk_enc_image_decrypt(struct fk_enc_key *ek, uint8_t *img, size_t len,
			 struct fk_diag *d);

#endif
