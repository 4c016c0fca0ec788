/*
 * Flash driver for the STM32L4 internal flash (RM0351: L433, L476 and the
 * rest of the L4x1/x2/x3/x5/x6 lines): a struct fk_flash over the main
 * memory, register level, no vendor HAL.
 *
 * The part: 2 KiB pages, erased to 0xFF; programming is by 64-bit double
 * word (two 32-bit writes, the second one starts it) and each double word
 * carries 8 ECC bits, so it can be programmed once per erase. Dual-bank
 * parts (L476: 2 x 512 KiB) number pages per bank (FLASH_CR.PNB) and pick
 * the bank with FLASH_CR.BKER; single-bank parts (L433: 256 KiB) have one.
 * The fk_flash is therefore: write_unit 8, erased_value 0xFF,
 * program_once, one run of 2 KiB sectors over the whole memory.
 *
 * Errors: a flag of FLASH_SR after an operation becomes a code:
 *   WRPERR -> FK_EPROTECT     (page write-protected by WRP/PCROP)
 *   RDERR  -> FK_EPROTECT     (PCROP read)
 *   PROGERR -> FK_EPROGONCE   (double word not erased)
 *   PGAERR, SIZERR -> FK_EALIGN (alignment or access size)
 *   PGSERR -> FK_ESTATE       (programming sequence)
 *   OPERR, MISERR, FASTERR -> FK_EIO
 * A read that meets a double word whose program or erase was torn finds
 * its ECC inconsistent: the flash sets FLASH_ECCR.ECCD and the read
 * returns FK_EECC. On the part ECCD also raises an NMI: the application's
 * NMI handler calls fk_l4_flash_nmi(), which notes the fault for the read
 * in progress and clears the flag, and returns.
 *
 * Program refuses (FK_EPROGONCE) a range holding any double word that
 * does not read erased, before it writes anything, so a refused program
 * changes nothing (the hardware's PROGERR stays as a second line).
 *
 * Power loss: a cut during a program leaves the double words before the
 * one in progress programmed, that one torn (FK_EECC on read until its
 * page is erased) and the rest erased; a cut during a page erase leaves
 * that page partly erased, its unfinished double words reading FK_EECC.
 *
 * The functions that wait on the busy flag run from RAM (FK_RAMFUNC):
 * fk_l4_program_dword and fk_l4_erase_page. The flash only stalls reads
 * of a busy bank, but a bootloader running from the bank it erases must
 * not depend on that.
 */
#ifndef FLASHKIT_PORTS_STM32_FLASH_L4_H
#define FLASHKIT_PORTS_STM32_FLASH_L4_H

#include <stdint.h>

#include "flashkit/flash.h"

#define FK_L4_FLASH_REGS 0x40022000u /* FLASH register block */
#define FK_L4_FLASH_BASE 0x08000000u /* main memory, bank 1 first */
#define FK_L4_PAGE_SIZE 2048u

struct fk_l4_flash_config {
	uint32_t regs;	    /* FLASH registers: FK_L4_FLASH_REGS */
	uint32_t base;	    /* bus address of the main memory */
	uint32_t size;	    /* bytes of main memory (L476: 1 MiB) */
	uint32_t bank_size; /* bytes per bank; = size on single-bank parts */
};

struct fk_l4_flash {
	struct fk_flash flash;	   /* what flashkit code uses */
	struct fk_sector_run run;  /* the one run of 2 KiB pages */
	uint32_t regs;		   /* copied from the config */
	uint32_t bank_pages;	   /* pages per bank */
	volatile uint32_t ecc_nmi; /* ECCD seen by fk_l4_flash_nmi() */
};

/*
 * Fills *l4 from *cfg. Returns 0, or FK_EINVAL when the sizes are not
 * whole pages, the bank size does not divide the memory or there are
 * more than two banks. Touches no register.
 */
int fk_l4_flash_init(struct fk_l4_flash *l4,
		     const struct fk_l4_flash_config *cfg);

/*
 * For the application's NMI handler: when the NMI comes from a flash ECC
 * double error (FLASH_ECCR.ECCD), clears the flag, remembers it for the
 * read in progress (which then returns FK_EECC) and returns 1; 0 when the
 * NMI has another cause.
 */
int fk_l4_flash_nmi(struct fk_l4_flash *l4);

#endif
