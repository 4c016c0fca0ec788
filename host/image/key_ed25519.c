/*
 * Ed25519 key files, key generation and signing (key_ed25519.h), with
 * libsodium: crypto_sign_ed25519_seed_keypair() turns the seed a PKCS#8
 * file holds into the signing key, crypto_sign_ed25519_detached() signs.
 * mbedTLS is used only for PEM and SHA-256, which it has.
 *
 * The signing key (seed and public key, libsodium's 64-byte form) lives in
 * struct fk_key and is wiped by fk_key_free().
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <sodium.h>

#include "fk_crypto_sodium.h"
#include "formats/files.h"
#include "key_ed25519.h"
#include "keyfile.h"

static const uint8_t pkcs8_prefix[FK_ED25519_PKCS8_LEN - 32] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
	0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
};

/* key->pub from a raw 32-byte public key, and its KEYHASH. */
static void set_public(struct fk_key *key, const uint8_t pk[32])
{
	key->type = FK_KEY_ED25519;
	memcpy(key->pub, fk_ed25519_spki_prefix, FK_ED25519_SPKI_PREFIX_LEN);
	memcpy(key->pub + FK_ED25519_SPKI_PREFIX_LEN, pk, 32);
	key->pub_len = FK_ED25519_SPKI_LEN;
	mbedtls_sha256_ret(key->pub, key->pub_len, key->hash, 0);
}

int fk_ed25519_load_pkcs8(struct fk_key *key, const uint8_t *der, size_t len)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES];

	if (len != FK_ED25519_PKCS8_LEN ||
	    memcmp(der, pkcs8_prefix, sizeof(pkcs8_prefix)))
		return 0;
	if (sodium_init() < 0)
		return fk_fail(&key->diag, "libsodium cannot start");
	crypto_sign_ed25519_seed_keypair(pk, key->ed25519_sk,
					 der + sizeof(pkcs8_prefix));
	set_public(key, pk);
	key->has_private = true;
	return 1;
}

int fk_ed25519_load(struct fk_key *key, const char *text)
{
	uint8_t der[128];
	size_t len;
	int rc = 0;

	if (!fk_pem_read(text, "PUBLIC KEY", der, sizeof(der), &len) &&
	    len == FK_ED25519_SPKI_LEN &&
	    !memcmp(der, fk_ed25519_spki_prefix, FK_ED25519_SPKI_PREFIX_LEN)) {
		set_public(key, der + FK_ED25519_SPKI_PREFIX_LEN);
		return 1;
	}
	if (!fk_pem_read(text, "PRIVATE KEY", der, sizeof(der), &len))
		rc = fk_ed25519_load_pkcs8(key, der, len);
	mbedtls_platform_zeroize(der, sizeof(der));
	return rc;
}

int fk_ed25519_sign(struct fk_key *key, const uint8_t *digest, uint8_t *sig,
		    size_t *sig_len)
{
	unsigned long long n = 0;

	if (!key->has_private)
		return fk_fail(&key->diag,
			       "%s: this is a public key; signing needs the "
			       "private key",
			       key->path);
	if (crypto_sign_ed25519_detached(sig, &n, digest, FK_SHA256_SIZE,
					 key->ed25519_sk))
		return fk_fail(&key->diag, "%s: Ed25519 signing failed",
			       key->path);
	*sig_len = (size_t)n;
	return 0;
}

int fk_key_generate_ed25519(const char *path, unsigned flags,
			    struct fk_diag *err)
{
	uint8_t der[FK_ED25519_PKCS8_LEN];
	int rc;

	if (sodium_init() < 0)
		return fk_fail(err, "libsodium cannot start");
	memcpy(der, pkcs8_prefix, sizeof(pkcs8_prefix));
	randombytes_buf(der + sizeof(pkcs8_prefix), 32);
	rc = fk_pem_save_private(path, der, sizeof(der), flags, err);
	sodium_memzero(der, sizeof(der));
	return rc;
}

int fk_ed25519_public_pem(struct fk_key *key, char *buf, size_t size)
{
	if (fk_pem_write("PUBLIC KEY", key->pub, key->pub_len, buf, size))
		return fk_fail(&key->diag, "%s: cannot encode the public key",
			       key->path);
	return 0;
}
