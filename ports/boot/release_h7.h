/*
 * The release of a dual-core STM32H7's Cortex-M4 (H745/H747/H755/H757,
 * RM0399) into its image by the bootloader running on the Cortex-M7:
 * the M7's half, called from a board's fk_boot_start(), and the M4's
 * stub, linked into the bootloader at the layout's `release: stub`
 * address (sections .fk_stub.*, placed by the linker script
 * cmake/boot_program.cmake writes). The layout (docs/layout.md,
 * `release`) gives the stub's address, the mailbox and the M4 image's
 * slot and RAM: fk_boot_layout_release, boot_config.c.
 *
 * RM0399 facts this relies on (checked against ST's register
 * descriptions, not yet on a board):
 * - The M4 boots from the option byte BOOT_CM4_ADD0 (FLASH_BOOT4_PRGR at
 *   0x5200204C, bits 15:0 = boot address bits 31:16; reset value 0x0810:
 *   0x08100000), so the stub is 64 KiB-aligned (the layout checks it).
 * - With the option bit BCM4 = 0 the M4 stays gated until the M7 sets
 *   RCC_GCR.BOOT_C2 (RCC at 0x58024400, GCR at +0xA0, BOOT_C2 bit 3); a
 *   system reset clears it. With BCM4 = 1 the M4 runs from reset, so the
 *   stub waits (WFE) until BOOT_C2 is set and the mailbox is valid; the
 *   M7's SEV after BOOT_C2 is its event.
 * - SRAM4 (D3 domain, 0x38000000) is reached by both cores; the
 *   bootloader runs with the M7's D-cache off (ports/cortex-m/startup.c
 *   never enables it), so a DSB puts the mailbox in SRAM4 before
 *   BOOT_C2 is set; the M4 has no data cache.
 *
 * The mailbox: 3 words at the start of the layout's mailbox partition,
 * written by the M7 last-word-first, consumed and cleared by the stub.
 * Invariant: the stub jumps only to a vector table the M7 validated in
 * this boot: BOOT_C2 set (cleared by every system reset), magic, the
 * check word the complement of the address, the address the M4 image's
 * own (its primary slot + header), the table plausible. A mailbox left
 * in SRAM4 (it keeps its content over a reset) by a boot whose M4 never
 * took it is not enough: BOOT_C2 is clear until the M7 validated again.
 * Apps leave those 16 bytes alone; an M4-only reset brings the M4 back
 * into the stub, where it waits until the M7's application writes the
 * mailbox again and SEVs.
 */
#ifndef FLASHKIT_PORTS_BOOT_RELEASE_H7_H
#define FLASHKIT_PORTS_BOOT_RELEASE_H7_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_port.h"

#define FK_H7_RCC_GCR 0x580244A0u
#define FK_H7_RCC_GCR_BOOT_C2 (1u << 3)

#define FK_H7_MAILBOX_MAGIC 0x344D4B46u /* "FKM4" */

struct fk_h7_mailbox {
	uint32_t magic;	       /* FK_H7_MAILBOX_MAGIC, written last */
	uint32_t vector_table; /* of the M4 image */
	uint32_t check;	       /* ~vector_table */
};

/*
 * The M7's half, for fk_boot_start(): checks both images' vector tables
 * (the M7's as fk_boot_jump() does; the M4's as the stub will:
 * fk_h7_cm4_table_ok), then writes the mailbox, DSB, sets BOOT_C2, SEV.
 * Returns FK_OK (the M4 is released; the caller jumps into the M7's
 * image), or FK_ECORRUPT with nothing written when either table is
 * implausible: the caller returns, and the bootloader goes into
 * recovery (FK_ECORRUPT) instead of running half of a pair installed
 * together. FK_EINVAL when fk_boot() gave fewer images than the layout's
 * released one.
 */
int fk_h7_release_cm4(const struct fk_boot_image_ref *refs, uint32_t count);

/* True when vt is the M4 image's vector table (its primary slot plus
 * header) and plausible: stack pointer 8-byte aligned in its RAM, a
 * Thumb reset handler in its slot. In the stub's section: the M4 runs
 * it too. */
bool fk_h7_cm4_table_ok(uint32_t vt);

/* The stub's vector table (initial SP: the top of the M4 image's RAM;
 * reset handler: the wait for the mailbox), at the layout's stub
 * address: the M4's BOOT_CM4_ADD0. */
extern const uint32_t fk_h7_cm4_stub_vectors[2];

#endif
