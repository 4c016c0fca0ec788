/*
 * Flash driver for the STM32H7 internal flash (RM0433: H743/H753, H750;
 * RM0399: H745/H755, H747/H757): a struct fk_flash over one or both
 * banks, register level, no vendor HAL.
 *
 * The part: banks of 128 KiB sectors (H743, H745: two banks of 1 MiB;
 * H750: one sector of 128 KiB), erased to 0xFF. Programming is by 256-bit
 * flash word: eight 32-bit writes fill the bank's write buffer and the
 * eighth starts the program (FLASH_SRx.QW until done). Each flash word
 * carries 10 ECC bits, so it is programmed once per erase. Each bank has
 * its own KEYR, CR, SR and CCR (bank 2's at +0x100), so a struct covering
 * both banks drives each through its own registers, and one covering only
 * bank 2 is the CM4's flash on an H745.
 * The fk_flash: write_unit 32, erased_value 0xFF, program_once, one run of
 * 128 KiB sectors over [base, base + size).
 *
 * Errors from FLASH_SRx after an operation:
 *   WRPERR, RDPERR, RDSERR -> FK_EPROTECT
 *   PGSERR, STRBERR, INCERR -> FK_ESTATE (sequence, overwrite in the
 *                              buffer, a new flash word before the last)
 *   OPERR -> FK_EIO
 * Reads: SNECCERR (one bit corrected) is cleared and the data, already
 * corrected, returned; DBECCERR (two bits: a flash word whose program or
 * erase was torn) makes the read return FK_EECC. On the part a double
 * error also makes the read a bus error; the application's fault handler
 * must let the read go on for the driver to see the flag (not modelled,
 * not verified on hardware).
 *
 * Program refuses (FK_EPROGONCE) a range holding any flash word that does
 * not read erased, before it writes anything.
 *
 * Power loss: a cut during a program leaves the flash words before the
 * one in progress programmed, that one torn (FK_EECC until its sector is
 * erased) and the rest erased; a cut during a sector erase leaves that
 * sector partly erased, its unfinished flash words reading FK_EECC.
 *
 * In RAM (FK_RAMFUNC): h7_program_word and h7_erase_sector, the steps
 * that wait on the bank's QW flag.
 *
 * The Cortex-M7's data cache is not maintained: when the flash is
 * D-cached, the caller invalidates the lines of a range it erased or
 * programmed before reading it back through the cache (this driver's own
 * reads go through the same bus, so they are affected too).
 */
#ifndef FLASHKIT_PORTS_STM32_FLASH_H7_H
#define FLASHKIT_PORTS_STM32_FLASH_H7_H

#include <stdint.h>

#include "flashkit/flash.h"

#define FK_H7_FLASH_REGS 0x52002000u /* FLASH register block */
#define FK_H7_FLASH_BASE 0x08000000u /* bank 1 */
#define FK_H7_BANK2_BASE 0x08100000u /* bank 2 of 1 MiB-bank parts */
#define FK_H7_SECTOR_SIZE 0x20000u   /* 128 KiB */
#define FK_H7_FLASH_WORD 32u

/* FLASH_CRx.PSIZE: the program parallelism the supply allows (RM0433
 * table 19: x8 below 1.7 V ... x64 with VOS high). It changes the
 * program time only. */
enum fk_h7_psize {
	FK_H7_PSIZE_X8 = 0,
	FK_H7_PSIZE_X16 = 1,
	FK_H7_PSIZE_X32 = 2,
	FK_H7_PSIZE_X64 = 3,
};

struct fk_h7_flash_config {
	uint32_t regs;	     /* FLASH registers: FK_H7_FLASH_REGS */
	uint32_t flash_base; /* bus address of bank 1: FK_H7_FLASH_BASE */
	uint32_t bank_size;  /* bytes per bank (H743: 1 MiB; H750: 128 KiB) */
	uint32_t base;	     /* first byte covered (bank 2 only: +bank_size) */
	uint32_t size;	     /* bytes covered, whole sectors, in the banks */
	enum fk_h7_psize psize;
};

struct fk_h7_flash {
	struct fk_flash flash;	  /* what flashkit code uses */
	struct fk_sector_run run; /* the one run of 128 KiB sectors */
	uint32_t regs;		  /* copied from the config */
	uint32_t flash_base;
	uint32_t bank_size;
	uint32_t psize;
	uint32_t corrected; /* single ECC errors corrected during reads */
};

/*
 * Fills *h7 from *cfg. Returns 0, or FK_EINVAL when the window is not
 * whole sectors inside the two banks from flash_base or the bank size is
 * not whole sectors. Touches no register.
 */
int fk_h7_flash_init(struct fk_h7_flash *h7,
		     const struct fk_h7_flash_config *cfg);

#endif
