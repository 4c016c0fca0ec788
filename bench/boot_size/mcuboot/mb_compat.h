/* MCUboot v2.4 calls the int-returning SHA-256 functions by their
 * mbedTLS 3 names; mbedTLS 2.28 spells them with _ret. */
#include <mbedtls/sha256.h>
#define mbedtls_sha256_starts mbedtls_sha256_starts_ret
#define mbedtls_sha256_update mbedtls_sha256_update_ret
#define mbedtls_sha256_finish mbedtls_sha256_finish_ret
