/*
 * A serial NOR flash chip as its datasheet describes it, at the level of
 * chip select and bytes on the data line: Winbond W25Q128JV (16 MiB,
 * 3-byte addresses) and Macronix MX25L51245G (64 MiB, 4-byte opcodes and
 * 4-byte mode). The bus models (quadspi.c, spi_stm32.c) turn register
 * accesses into nor_chip_select / nor_chip_xfer / nor_chip_deselect.
 *
 * The array lives in an fk_sim with 4 KiB sectors and a one-byte write
 * unit: a page program is one sim program (cuts tear it), a 32/64 KiB
 * block erase is one sim erase per 4 KiB sector, wear is counted there.
 *
 * The rules the model enforces, each a violation (uc_violation) naming
 * the datasheet's rule, and each ignored the way the chip ignores it:
 * program and erase need WEL (set by WREN, cleared when they complete);
 * while WIP only Read Status is accepted; chip select must rise right
 * after the last address byte of an erase and after whole bytes;
 * opcodes outside the part's command set. A page program keeps the last
 * 256 bytes sent, wrapping inside the page, and ANDs them into the array
 * (bits only go 1 -> 0). WIP stays set for a few status reads.
 */
#ifndef FLASHKIT_TESTS_NOR_CHIP_H
#define FLASHKIT_TESTS_NOR_CHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "flashsim.h"
#include "uc.h"

enum nor_chip_part {
	NOR_CHIP_W25Q128JV,
	NOR_CHIP_MX25L51245G,
	/* The W25Q128JV's tables behind a JEDEC manufacturer ID the driver
	 * does not know (0x1F, Adesto). */
	NOR_CHIP_FOREIGN,
	/* W25Q16JV (2 MiB): the W25Q128JV's tables with 16 Mbit and its own
	 * ID; a small array for sweeps that snapshot it often. */
	NOR_CHIP_W25Q16JV,
	/* The MX25L51245G without its 4-byte address instruction table in
	 * SFDP: a driver has to enter 4-byte mode (0xB7). */
	NOR_CHIP_MX25_NO_4BAIT,
	/* Nothing on the bus: data line pulled up, reads 0xFF. */
	NOR_CHIP_ABSENT,
	/* ISSI IS25LP128 (16 MiB, ID 9D 60 18): the commands the model
	 * decodes are the W25Q's (06 02 20 52 D8 C7 05 9F 5A 03/0B), and its
	 * SFDP basic table is the JESD216 one with the W25Q128JV's erase
	 * types, page size and 3-byte addressing, which the IS25LP128
	 * datasheet lists alike; ISSI's own SFDP bytes were not at hand, so
	 * the dwords the driver does not read are the W25Q's. */
	NOR_CHIP_IS25LP128,
	/* W25Q80DV (1 MiB, ID EF 40 14): the W25Q128JV's tables with 8
	 * Mbit, the seed 003 board's serial flash size (its layout's
	 * sflash). */
	NOR_CHIP_W25Q80DV,
	/* ISSI IS25LP064A (8 MiB, ID 9D 60 17): the IS25LP128 as modelled
	 * above with 64 Mbit, the Daisy Seed's QSPI chip (seed 002, its
	 * layouts' qspi). */
	NOR_CHIP_IS25LP064A,
};

struct nor_chip;

/* Creates the chip with an erased array. Returns NULL on allocation
 * failure. */
struct nor_chip *nor_chip_create(struct uc *uc, enum nor_chip_part part);
void nor_chip_destroy(struct nor_chip *chip);

/* The array (for cuts, wear, direct inspection). */
struct fk_sim *nor_chip_sim(struct nor_chip *chip);
uint32_t nor_chip_size(const struct nor_chip *chip);

/* Power-on reset: WEL, WIP, 4-byte mode, the command in progress. */
void nor_chip_reset(struct nor_chip *chip);

/* Chip select low: a new command starts. */
void nor_chip_select(struct nor_chip *chip);
/* One byte each way while selected; returns the byte the chip drives
 * (0xFF when it drives nothing). */
uint8_t nor_chip_xfer(struct nor_chip *chip, uint8_t mosi);
/* Chip select high: a program, erase or register write executes. */
void nor_chip_deselect(struct nor_chip *chip);
bool nor_chip_selected(const struct nor_chip *chip);

/* Counters for tests: commands executed by opcode, and erases by size. */
struct nor_chip_stats {
	uint32_t page_programs;
	uint32_t erases_4k, erases_32k, erases_64k, chip_erases;
	uint32_t status_reads;
};
void nor_chip_get_stats(const struct nor_chip *chip,
			struct nor_chip_stats *out);

/* Status reads a program, block erase and chip erase stay busy for. */
#define NOR_CHIP_BUSY_PROGRAM 2u
#define NOR_CHIP_BUSY_ERASE 4u
#define NOR_CHIP_BUSY_CHIP_ERASE 8u

#endif
