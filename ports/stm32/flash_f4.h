/*
 * Flash driver for the STM32F2 and STM32F4 internal flash (RM0033: F205,
 * F207, F215, F217; RM0090: F405/F407/F415/F417 and the dual-bank
 * F427/F429/F437/F439): a struct fk_flash over the main memory, register
 * level, no vendor HAL.
 *
 * The part: sectors of 16, 64 and 128 KiB (per bank: four of 16 KiB, one
 * of 64 KiB, then 128 KiB ones), erased to 0xFF, no ECC: a program only
 * clears bits, and a location may be programmed again with a value that
 * only clears more. The program size (FLASH_CR.PSIZE: 8, 16, 32 or 64
 * bits) is set by the supply voltage range (RM0090 table 7); it is the
 * fk_flash write unit (1, 2, 4 or 8 bytes). Dual-bank parts (2 MiB
 * F42x/F43x, or 1 MiB with the DB1M option bit) number bank 1's sectors
 * 0-11 and bank 2's 12-23; FLASH_CR.SNB gives bank 2's sector n as
 * 16 + (n - 12) (RM0090 3.9.8).
 * The fk_flash is therefore: write_unit = program size, erased_value
 * 0xFF, not program-once, the sector map of the size and bank layout.
 *
 * Errors: a flag of FLASH_SR after an operation becomes a code:
 *   WRPERR -> FK_EPROTECT      (sector write-protected by nWRP)
 *   RDERR  -> FK_EPROTECT      (F42x/F43x: read of a PCROP sector)
 *   PGAERR, PGPERR -> FK_EALIGN (alignment, access size != PSIZE)
 *   PGSERR -> FK_ESTATE        (programming sequence)
 *   OPERR  -> FK_EIO           (operation error)
 * Program refuses (FK_ENOTERASED) a range where a bit would have to go
 * from 0 back to 1, before it writes anything, so a refused program
 * changes nothing; a unit that does not read back as written after the
 * program is FK_EIO. Units whose data is all 0xFF are skipped (the flash
 * already holds at least those bits). Unlock failures (a wrong key locked
 * FLASH_CR until reset) are FK_EIO.
 *
 * Power loss: a cut during a program leaves the units before the one in
 * progress programmed, that one with some of its bits cleared, the rest
 * as they were; a cut during a sector erase leaves that sector with any
 * content (no ECC: it reads without error).
 *
 * The write-and-wait steps run from RAM (FK_RAMFUNC): f4_program_unit and
 * f4_erase_start. On single-bank parts any read of the flash stalls the
 * bus until the operation ends (up to 2 s for a 128 KiB sector), so code
 * and interrupt handlers in flash freeze meanwhile; handlers in RAM keep
 * running (interrupts are not masked).
 */
#ifndef FLASHKIT_PORTS_STM32_FLASH_F4_H
#define FLASHKIT_PORTS_STM32_FLASH_F4_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/flash.h"

#define FK_F4_FLASH_REGS 0x40023C00u /* FLASH interface registers */
#define FK_F4_FLASH_BASE 0x08000000u /* main memory, bank 1 first */

/* Supply voltage range (RM0090 table 7, RM0033 table 5): the program
 * size the flash accepts. */
enum fk_f4_vrange {
	FK_F4_VRANGE_1V8 = 0, /* 1.8-2.1 V: x8, write unit 1 */
	FK_F4_VRANGE_2V1 = 1, /* 2.1-2.7 V: x16, write unit 2 */
	FK_F4_VRANGE_2V7 = 2, /* 2.7-3.6 V: x32, write unit 4 */
	FK_F4_VRANGE_VPP = 3, /* 2.7-3.6 V with 8-9 V on VPP: x64, unit 8 */
};

struct fk_f4_flash_config {
	uint32_t regs; /* FLASH registers: FK_F4_FLASH_REGS */
	uint32_t base; /* bus address of the main memory */
	/* bytes of main memory: 128 KiB + n * 128 KiB per bank, at most
	 * 1 MiB per bank (F205RB 128 KiB ... F429 2 MiB) */
	uint32_t size;
	bool dual_bank;		  /* F42x/F43x: 2 MiB, or 1 MiB with DB1M set */
	enum fk_f4_vrange vrange; /* the board's supply */
};

#define FK_F4_MAX_RUNS 6 /* 16K, 64K, 128K runs per bank */

struct fk_f4_flash {
	struct fk_flash flash; /* what flashkit code uses */
	struct fk_sector_run runs[FK_F4_MAX_RUNS];
	uint32_t regs;	       /* copied from the config */
	uint32_t psize;	       /* FLASH_CR.PSIZE value, 0..3 */
	uint32_t bank_sectors; /* sectors in bank 1 */
	bool dual_bank;
};

/*
 * Fills *f4 from *cfg. Returns 0, or FK_EINVAL when the size is not a
 * size of these parts for the bank layout or vrange is unknown. Touches
 * no register.
 */
int fk_f4_flash_init(struct fk_f4_flash *f4,
		     const struct fk_f4_flash_config *cfg);

/* The FLASH_CR.SNB value of sector index (in fk_flash order): index on
 * bank 1, 16 + (index - bank 1's sectors) on bank 2. */
uint32_t fk_f4_flash_snb(const struct fk_f4_flash *f4, uint32_t index);

#endif
