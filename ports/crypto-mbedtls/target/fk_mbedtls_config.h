/*
 * mbedTLS configuration for the Cortex-M build of the crypto port: only
 * what verifying an image needs (SHA-256, ECDSA P-256, RSA-2048-PSS, and
 * parsing the public keys as DER). No entropy, no time, no file system,
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
#define MBEDTLS_ECP_NO_INTERNAL_RNG /* verifying uses only public data */
#define MBEDTLS_ECDSA_C

/* RSA-2048 and RSA-3072 PSS */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_MPI_MAX_SIZE 384

#include "mbedtls/check_config.h"

#endif
