/*
 * mbedTLS configuration for a bootloader that checks Ed25519 signatures
 * (libsodium: ports/crypto-sodium) and decrypts ECIES-X25519 images
 * (imgtool -E with an X25519 key, its pairing for Ed25519 signing):
 * fk_mbedtls_boot_enc_config.h plus Curve25519 for the ECDH. HKDF and
 * HMAC over SHA-256 (imgtool's default); the SHA-512 variant
 * (ENC_X25519_SHA512) needs MBEDTLS_SHA512_C and is FK_ENOTSUP here, as
 * RSA-OAEP is. P-256 stays (the port's ECDSA P-256 and ECIES-P256 code
 * needs its curve to link), no P-384, no RSA, no PK layer.
 *
 * Selected with -DMBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_x25519_config.h>,
 * compiling FK_MBEDTLS_BOOT_ENC_MODULES (mbedtls.cmake); the port is
 * fk_crypto_mbedtls_p256 compiled with FK_MBEDTLS_WITH_ENC and
 * FK_MBEDTLS_WITH_SODIUM.
 */
#ifndef FK_MBEDTLS_BOOT_X25519_CONFIG_H
#define FK_MBEDTLS_BOOT_X25519_CONFIG_H

#define MBEDTLS_ECP_DP_CURVE25519_ENABLED

/* the rest, and check_config.h over the whole */
#include "fk_mbedtls_boot_enc_config.h"

#endif
