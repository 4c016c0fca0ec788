/*
 * Password-encrypted PKCS#8 keys ("-----BEGIN ENCRYPTED PRIVATE KEY-----",
 * what `imgtool keygen --password` and `openssl genpkey -aes256` write):
 * PBES2 with PBKDF2 (HMAC-SHA-1/-224/-256/-384/-512) and AES-128/192/256
 * in CBC mode. mbedTLS 2.28 decrypts PBES2 with DES only, so this file
 * does the PBES2 part on mbedTLS's PBKDF2 and AES and hands the plain
 * PKCS#8 back.
 *
 * Nothing here prints; failures go to the sink.
 */
#ifndef FLASHKIT_TOOL_KEY_PBES2_H
#define FLASHKIT_TOOL_KEY_PBES2_H

#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

/* The largest PBKDF2 iteration count accepted: a hostile file cannot
 * make flashkit spin for hours (OpenSSL writes 2,048; imgtool the same). */
#define FK_PBES2_MAX_ITERATIONS 10000000u

enum fk_pbes2_result {
	FK_PBES2_OK = 0,
	FK_PBES2_WRONG_PASSWORD = 1, /* decrypted to garbage: padding or DER */
	FK_PBES2_ERROR = -1,	     /* reported to the sink */
};

/*
 * Decrypts the DER EncryptedPrivateKeyInfo der[0..len) with password
 * pw[0..pw_len) into out (at least len bytes); *out_len is the plain
 * PKCS#8 length. A file asking for more than max_iterations PBKDF2
 * iterations is refused (FK_PBES2_MAX_ITERATIONS for key files). name is
 * the file's name for messages. On any result but FK_PBES2_OK, out holds
 * nothing secret (it is wiped).
 */
enum fk_pbes2_result fk_pbes2_decrypt(const uint8_t *der, size_t len,
				      const char *pw, size_t pw_len,
				      unsigned max_iterations, uint8_t *out,
				      size_t *out_len, const char *name,
				      struct fk_diag *d);

#endif
