/*
 * The mbedTLS crypto port: struct fk_crypto_port backed by mbedTLS 2.28
 * (Debian's libmbedtls-dev on the host; Debian's mbedtls source package
 * cross-compiled for Cortex-M, see docs/image-format.md).
 *
 * Provides SHA-256, ECDSA P-256 and RSA-2048-PSS verification. mbedTLS
 * 2.28 has no Ed25519, so ed25519_verify is NULL and Ed25519 signatures
 * are reported as FK_ENOTSUP.
 */
#ifndef FLASHKIT_CRYPTO_MBEDTLS_H
#define FLASHKIT_CRYPTO_MBEDTLS_H

#include "flashkit/crypto.h"

extern const struct fk_crypto_port fk_crypto_mbedtls;

#endif
