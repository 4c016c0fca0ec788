/*
 * The boot configuration the QEMU bootloader (qemu_boot.c) and its app
 * (qemu_boot_app.c) share, as a product would generate it from its
 * layout: a 256 KiB file-backed flash at 0x00100000 with 4 KiB sectors
 * and 8-byte writes; the boot state in sector 0; the primary slot (64K,
 * the app runs from it) at 0x4000; the staging slot (68K) at 0x14000.
 * Images are checked against the reference ECDSA P-256 key with the
 * mbedTLS port built for Cortex-M3 (its heap is set up by qb_config).
 */
#ifndef FLASHKIT_TESTS_QEMU_BOOT_CFG_H
#define FLASHKIT_TESTS_QEMU_BOOT_CFG_H

#include "flashkit/boot.h"
#include "qemu_flash.h"

#define QB_FLASH_BASE 0x00100000u
#define QB_PRIMARY_OFF 0x4000u
#define QB_HEADER_SIZE 0x200u

extern const struct fk_flash_geometry qb_geo;

/* Fills cfg for the flash of qf (hooks left to the caller). */
void qb_config(struct fk_boot_config *cfg, const struct fk_flash *flash);

/* Is the word w among the command line's words? */
int qb_has_word(const char *cmdline, const char *w);

#endif
