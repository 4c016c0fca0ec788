/*
 * mbedTLS configuration for a bootloader that checks ECDSA P-256
 * signatures and decrypts ECIES-P256 images (imgtool -E with a P-256
 * key): fk_mbedtls_boot_config.h plus AES (encryption only, one table in
 * flash), SHA-256 through the message-digest layer for HKDF, HMAC and the
 * HMAC_DRBG that blinds the ECDH (fk_crypto_mbedtls_enc.c says why it is
 * deterministic), and ECDH. No RSA, no Curve25519, no PK layer: ENC_RSA2048
 * and ENC_X25519 images are FK_ENOTSUP.
 *
 * Selected with -DMBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_enc_config.h>,
 * compiling FK_MBEDTLS_BOOT_ENC_MODULES (mbedtls.cmake); the port is
 * fk_crypto_mbedtls_p256 compiled with FK_MBEDTLS_WITH_ENC. A bootloader
 * without encryption keeps fk_mbedtls_boot_config.h and grows by nothing.
 */
#ifndef FK_MBEDTLS_BOOT_ENC_CONFIG_H
#define FK_MBEDTLS_BOOT_ENC_CONFIG_H

#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_HKDF_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_ECDH_C

/* the rest, and check_config.h over the whole */
#include "fk_mbedtls_boot_config.h"

#endif
