/*
 * External serial NOR flash (W25Q, MX25, IS25 and any chip with a JEDEC
 * SFDP table) as a struct fk_flash, over any bus of nor_bus.h.
 *
 * fk_nor_init() reads the JEDEC ID, then the chip's SFDP basic flash
 * parameter table (JESD216): density, the erase types (size and opcode,
 * typically 4, 32 and 64 KiB), the page size and whether the chip takes
 * 3- or 4-byte addresses. Parts above 16 MiB are driven with the 4-byte
 * opcodes (0x13, 0x12, 0x21/0x5C/0xDC) when SFDP's 4-byte address
 * instruction table lists them, otherwise by entering 4-byte mode (0xB7);
 * the 4-byte opcodes are preferred because they keep no state in the
 * chip: a processor reset that leaves the chip powered cannot find it in
 * a mode its boot code does not expect.
 *
 * The fk_flash it fills has sectors of config.sector_size (by default
 * the smallest erase type, 4 KiB) and a write unit of one byte; erased
 * value 0xFF, no program-once. Every program is split at page boundaries
 * (a page program that crosses one wraps inside the page on every part)
 * and preceded by a write enable (0x06), checked in the status register
 * (WEL); so is every erase. After each command the status register is
 * polled until WIP clears, at most config.max_polls reads.
 *
 * The chip ANDs programmed data into its array without complaint, so the
 * driver reads the whole range first and refuses a program that would
 * set a bit back to 1 (FK_ENOTERASED) before writing anything, and reads
 * each page back after programming it: a chip that ignored the
 * program (a block protected by the status register's BP bits, a worn
 * part) gives FK_EIO.
 *
 * Power loss: a cut during a page program leaves that page's bytes of
 * the request partly programmed (any subset of the bits being cleared);
 * pages before it are programmed, pages after it untouched. A cut during
 * an erase leaves the block being erased partly erased or holding any
 * data; blocks before it are erased. Nothing else changes: the chip
 * keeps no other state the driver relies on (4-byte opcodes), except in
 * 4-byte mode, where fk_nor_init() enters the mode again after a reset.
 *
 * RAM placement: every function here is FK_RAMFUNC. A build that runs
 * from the same QSPI chip compiles this file with
 * `-include ports/cortex-m/ramfunc.h` and masks the interrupts whose
 * handlers live in the chip (see nor_qspi_stm32.h); a build running from
 * internal flash may leave FK_RAMFUNC empty. The code reads no constant
 * data and calls no library function while the chip is busy.
 */
#ifndef FLASHKIT_PORT_NOR_H
#define FLASHKIT_PORT_NOR_H

#include <stdint.h>

#include "flashkit/flash.h"
#include "nor_bus.h"

/* JEDEC manufacturer IDs of the families this driver was written
 * against; another manufacturer's chip is refused (FK_ENOTSUP) unless
 * config.any_vendor is set. */
#define FK_NOR_MFR_WINBOND 0xEFu
#define FK_NOR_MFR_MACRONIX 0xC2u
#define FK_NOR_MFR_ISSI 0x9Du

#define FK_NOR_MAX_ERASE_TYPES 4u

struct fk_nor_config {
	/* The bus (lives as long as the driver; in RAM, see nor_bus.h). */
	const struct fk_nor_bus *bus;
	/* Bus address of offset 0 (geometry.base): 0x90000000 for an STM32
	 * QUADSPI window, 0 for a chip only reached by commands. */
	uint32_t base;
	/* Sector size of the fk_flash (its erase unit): one of the chip's
	 * erase sizes; 0 selects the smallest (4 KiB on every family
	 * here). Larger sectors erase faster per byte; smaller ones suit
	 * the settings store. */
	uint32_t sector_size;
	/* Status reads allowed while one page program or block erase runs
	 * before the driver gives up with FK_EIO; 0 selects 1 << 24. Size
	 * it from the bus clock and the datasheet's worst block-erase time
	 * (W25Q128JV: 2 s for 64 KiB). A chip erase gets 128 times as
	 * many (W25Q128JV: 200 s). */
	uint32_t max_polls;
	/* Accept a chip from a manufacturer not listed above, on the
	 * strength of its SFDP table alone. */
	uint8_t any_vendor;
};

struct fk_nor_erase_type {
	uint32_t size;	/* bytes, a power of two */
	uint8_t opcode; /* the opcode for the driver's address length */
};

/* Driver state; the caller owns it (static or on the stack of main) and
 * fk_nor_init() fills it. The fk_flash in it is what the rest of
 * flashkit uses. */
struct fk_nor {
	struct fk_flash flash;
	struct fk_sector_run run; /* the one sector run of flash.geo */
	const struct fk_nor_bus *bus;
	uint8_t id[3];	    /* JEDEC manufacturer, memory type, capacity */
	uint8_t addr_len;   /* 3 or 4 */
	uint8_t read_op;    /* 0x03 or 0x13 */
	uint8_t program_op; /* 0x02 or 0x12 */
	uint8_t erase_count;
	struct fk_nor_erase_type erase[FK_NOR_MAX_ERASE_TYPES]; /* ascending */
	uint32_t page_size;
	uint32_t max_polls;
};

/* Reads the 3-byte JEDEC ID (0x9F) into id. Returns 0; FK_ENOENT when
 * nothing answers (all bytes 0x00 or 0xFF: no chip, or chip select not
 * wired); FK_EIO when the bus fails. Does not call bus->idle: on a
 * bus that has one (QSPI), the caller calls it afterwards, from RAM. */
int fk_nor_read_id(const struct fk_nor_bus *bus, uint8_t id[3]);

/* Identifies the chip and fills *nor (see the top of this file). Waits
 * for a program or erase still running from before a processor reset.
 * Returns 0; FK_ENOENT when no chip answers; FK_ENOTSUP for a chip of an
 * unknown manufacturer (see any_vendor), without an SFDP table, with a
 * table this driver cannot use (no erase type, density above 4 GiB,
 * page size above 256 B or not a power of two), or with no erase type
 * of config.sector_size; FK_EINVAL for a NULL argument; FK_EIO when the
 * bus or the chip fails. */
int fk_nor_init(struct fk_nor *nor, const struct fk_nor_config *config);

/* Erases [off, off+len), both multiples of the smallest erase size,
 * with the largest erase block that is aligned and fits at each step
 * (64 KiB blocks in the middle of a range, 4 KiB at its ragged ends).
 * Returns 0, FK_ERANGE, FK_EALIGN or FK_EIO. Power loss: as above, the
 * block being erased is undefined. */
int fk_nor_erase(struct fk_nor *nor, uint32_t off, uint32_t len);

/* Erases the whole chip (0xC7). Returns 0 or FK_EIO. Power loss: any
 * byte of the chip may be erased, programmed or anything between. */
int fk_nor_erase_chip(struct fk_nor *nor);

#endif
