/*
 * struct fk_crypto_port's Ed25519 check on top of libsodium
 * (fk_crypto_sodium.h).
 *
 * Only verification lives here; Ed25519 signing and key files are
 * host-only (host/image/key_ed25519.c). The one libsodium function used is
 * crypto_sign_ed25519_verify_detached(), so the Cortex-M build compiles
 * only its ref10 files and SHA-512 (target/sodium.cmake).
 */
#include <string.h>

#include <crypto_sign_ed25519.h>

#include "fk_crypto_sodium.h"

const uint8_t fk_ed25519_spki_prefix[FK_ED25519_SPKI_PREFIX_LEN] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

int fk_sodium_ed25519_verify(const uint8_t *key, size_t key_len,
			     const uint8_t hash[FK_SHA256_SIZE],
			     const uint8_t *sig, size_t sig_len)
{
	if (key_len != FK_ED25519_SPKI_LEN ||
	    memcmp(key, fk_ed25519_spki_prefix, FK_ED25519_SPKI_PREFIX_LEN))
		return FK_EKEY;
	if (sig_len != crypto_sign_ed25519_BYTES)
		return FK_ESIG;
	if (crypto_sign_ed25519_verify_detached(
		    sig, hash, FK_SHA256_SIZE,
		    key + FK_ED25519_SPKI_PREFIX_LEN))
		return FK_ESIG;
	return 0;
}

const struct fk_crypto_port fk_crypto_sodium_ed25519 = {
	.sha256_init = fk_builtin_sha256_init,
	.sha256_update = fk_builtin_sha256_update,
	.sha256_finish = fk_builtin_sha256_finish,
	.ed25519_verify = fk_sodium_ed25519_verify,
};
