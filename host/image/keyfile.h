/*
 * What every key file reader and writer of the host tool shares (keys.c,
 * key_ed25519.c, enc.c): the first PEM block of a kind out of a text, a
 * DER as a PEM block, a private key saved owner-only, and the seeded
 * random generator keys are made and signatures randomised with.
 *
 * Nothing here prints; functions return 0 or -1.
 */
#ifndef FLASHKIT_TOOL_KEYFILE_H
#define FLASHKIT_TOOL_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "diag/diag.h"

/* The DER of the first "-----BEGIN <kind>-----" block of text (e.g. kind
 * "PUBLIC KEY") into der; -1 when there is none, it does not decode, or
 * it is longer than size. */
int fk_pem_read(const char *text, const char *kind, uint8_t *der, size_t size,
		size_t *len);

/* der as a "<kind>" PEM block, NUL-terminated, into buf; -1 when it does
 * not fit. */
int fk_pem_write(const char *kind, const uint8_t *der, size_t len, char *buf,
		 size_t size);

/* The PKCS#8 DER of a private key as a "PRIVATE KEY" PEM file at path,
 * owner-only and atomically (flags as for fk_file_write: FK_OUT_NO_REPLACE
 * keeps an existing key). The PEM text is wiped afterwards. -1 with err. */
int fk_pem_save_private(const char *path, const uint8_t *der, size_t len,
			unsigned flags, struct fk_diag *err);

/* mbedTLS's CTR-DRBG seeded from the platform's entropy (getrandom or
 * /dev/urandom) by fk_rng_seed. Test programs that need the same bytes
 * on every run (the encrypted power-cut sweeps) link tests/seeded_rng.c,
 * whose fk_rng_seed uses a fixed seed, instead. */
struct fk_rng {
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
};

/* Seeds r; fk_rng_stop must follow either way. */
int fk_rng_start(struct fk_rng *r);
void fk_rng_stop(struct fk_rng *r);

/* Seeds r's initialised DRBG (rng.c: from the platform's entropy; a test
 * program's tests/seeded_rng.c: from a fixed seed). 0 or an mbedTLS
 * error. */
int fk_rng_seed(struct fk_rng *r);

#endif
