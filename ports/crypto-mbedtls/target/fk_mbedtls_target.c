/*
 * What mbedTLS needs from a Cortex-M firmware beyond the C library's
 * memcpy/memset/memcmp: a place to go when its allocator finds its heap
 * corrupted (fk_mbedtls_config.h routes mbedtls_exit here).
 */
#include "fk_mbedtls_config.h"

/* Weak: a firmware overrides it to log and reset. The default stops,
 * since a corrupted heap means nothing after it can be trusted. */
__attribute__((weak)) void fk_mbedtls_panic(int status)
{
	(void)status;
	for (;;) {
	}
}
