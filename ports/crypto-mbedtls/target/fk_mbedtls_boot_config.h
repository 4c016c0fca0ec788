/*
 * mbedTLS configuration for a bootloader that checks ECDSA P-256
 * signatures (fk_crypto_mbedtls_p256): big numbers, the P-256 curve,
 * ECDSA and the ASN.1 reader for the signature. No PK layer, no OID
 * table, no RSA, no message digests (SHA-256 is flashkit's own), no
 * entropy, no time, no file system. Memory comes from mbedTLS's own
 * allocator over a static buffer the firmware gives to
 * mbedtls_memory_buffer_alloc_init(); one verification needs about
 * 3.1 KiB of it (bench/RESULTS.md, "Bootloader size").
 *
 * Selected with -DMBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_config.h>,
 * compiling FK_MBEDTLS_BOOT_MODULES (mbedtls.cmake) of Debian's mbedtls
 * 2.28 sources. A firmware that must also check RSA uses
 * fk_mbedtls_config.h and fk_crypto_mbedtls instead.
 */
#ifndef FK_MBEDTLS_BOOT_CONFIG_H
#define FK_MBEDTLS_BOOT_CONFIG_H

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
/* Nothing linked prints; declared, never defined, so any use fails to
 * link. */
#include <stddef.h>
int fk_mbedtls_no_snprintf(char *s, size_t n, const char *fmt, ...);
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO fk_mbedtls_no_snprintf

/* Big numbers, the signature's ASN.1. check_config.h requires the ASN.1
 * writer for ECDSA; verification calls none of it, so none is linked. */
#define MBEDTLS_BIGNUM_C
/* mbedTLS's own division instead of libgcc's 64-bit one (700 bytes). */
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* ECDSA P-256, verification */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ECP_NO_INTERNAL_RNG /* verifying uses only public data */
#define MBEDTLS_ECDSA_C
#define MBEDTLS_MPI_MAX_SIZE 32
#define MBEDTLS_ECP_MAX_BITS 256

#include "mbedtls/check_config.h"

#endif
