/*
 * MCUboot's configuration for the size measurement: one image, the
 * strategy from -DMB_OVERWRITE (overwrite-only, fast), -DMB_SWAP_MOVE,
 * -DMB_SWAP_OFFSET or -DMB_XIP (direct-xip with revert); SHA-256 through
 * mbedTLS, and ECDSA P-256 with -DMB_ECDSA.
 */
#ifndef __MCUBOOT_CONFIG_H__
#define __MCUBOOT_CONFIG_H__
#define MCUBOOT_IMAGE_NUMBER 1
#define MCUBOOT_MAX_IMG_SECTORS 128
#define MCUBOOT_VALIDATE_PRIMARY_SLOT
#define MCUBOOT_USE_MBED_TLS
#define MCUBOOT_HAVE_LOGGING 0
#if defined(MB_OVERWRITE)
#define MCUBOOT_OVERWRITE_ONLY
#define MCUBOOT_OVERWRITE_ONLY_FAST
#elif defined(MB_SWAP_MOVE)
#define MCUBOOT_SWAP_USING_MOVE 1
#elif defined(MB_SWAP_OFFSET)
#define MCUBOOT_SWAP_USING_OFFSET 1
#elif defined(MB_XIP)
#define MCUBOOT_DIRECT_XIP
#define MCUBOOT_DIRECT_XIP_REVERT
#endif
#ifdef MB_ECDSA
#define MCUBOOT_SIGN_EC256
#endif
#define MCUBOOT_WATCHDOG_FEED() \
	do {                    \
	} while (0)
#define MCUBOOT_CPU_IDLE() \
	do {               \
	} while (0)
#endif
