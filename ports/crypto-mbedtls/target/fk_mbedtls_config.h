/*
 * mbedTLS configuration for the Cortex-M build of the crypto port: only
 * what verifying and decrypting an image needs (SHA-256, SHA-384, ECDSA
 * P-256 and P-384, RSA-PSS, parsing the public keys as DER; for encrypted
 * images AES, HKDF, HMAC_DRBG for blinding, ECDH on P-256 and Curve25519,
 * RSA-OAEP with the PKCS#1 private key). No entropy, no time, no file system,
 * no standard library beyond memcpy/memset/memcmp/strlen: memory comes
 * from mbedTLS's own allocator over a static buffer the firmware gives
 * to mbedtls_memory_buffer_alloc_init().
 *
 * Selected with -DMBEDTLS_CONFIG_FILE=<fk_mbedtls_config.h> when building
 * Debian's mbedtls 2.28 sources (scripts/target-crypto.sh).
 */
#ifndef FK_MBEDTLS_CONFIG_H
#define FK_MBEDTLS_CONFIG_H

/* System */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* The allocator calls exit on a corrupted heap: fk_mbedtls_target.c. */
void fk_mbedtls_panic(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO fk_mbedtls_panic
/* Only oid.c's OID-to-text uses snprintf, and nothing here calls that;
 * declared, never defined, so any use fails to link. */
#include <stddef.h>
int fk_mbedtls_no_snprintf(char *s, size_t n, const char *fmt, ...);
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO fk_mbedtls_no_snprintf

/* Hashing */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_C /* SHA-384: the digest of P-384 images */
#define MBEDTLS_SHA512_SMALLER

/* Big numbers, ASN.1, keys */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* ECDSA P-256 and P-384 */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
/* Verifying uses only public data; ECDH and RSA get the DRBG of
 * fk_crypto_mbedtls_enc.c. */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_ECDSA_C

/* Encrypted images (fk_crypto_mbedtls_enc.c): AES-CTR is computed from
 * single encrypted blocks there, so no cipher modes and none of AES's
 * decryption is linked; one table in flash, not four (FEWER_TABLES: the
 * others are rotations computed per round). HMAC_DRBG is the
 * deterministic blinding generator of the private-key operations. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_HKDF_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED

/* RSA-2048 and RSA-3072 PSS, RSA-2048 OAEP */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_MPI_MAX_SIZE 384

#include "mbedtls/check_config.h"

#endif
