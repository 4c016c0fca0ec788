/*
 * Flash driver for the STM32L0 and STM32L1 non-volatile memory (RM0377,
 * RM0038): the program memory and the data EEPROM, each as a struct
 * fk_flash, register level, no vendor HAL.
 *
 * Program memory: pages of 128 bytes (L0) or 256 bytes (L1), erased to
 * 0x00 (erase clears bits, programming sets them); programming is by
 * 32-bit word, or by half-page (16 words on L0, 32 on L1) which takes the
 * time of one word. Each word carries ECC, so it is programmed once per
 * erase (on the L0 the NVM refuses a word that is not zero: NOTZEROERR).
 * The fk_flash: write_unit 4, erased_value 0x00, program_once, one run of
 * pages. A program uses half-pages where the range covers whole ones and
 * words elsewhere. A half-page is filled and written from RAM with
 * interrupts masked, from a copy of its data on the stack: a fetch from
 * the NVM while the half-page buffer fills aborts it (L0: FWWERR).
 *
 * Data EEPROM: byte writes, erased to 0x00 by 32-bit word (ERASE + DATA,
 * then a word write of zero). The fk_flash: write_unit 1, 4-byte sectors,
 * erased_value 0x00, not program-once; like any flashkit memory, a
 * program only sets bits (FK_ENOTERASED otherwise): to rewrite a byte,
 * erase its word first.
 *
 * Errors from FLASH_SR: WRPERR, RDERR -> FK_EPROTECT; PGAERR, SIZERR ->
 * FK_EALIGN; NOTZEROERR -> FK_EPROGONCE; FWWERR -> FK_EIO. Program
 * refuses (FK_EPROGONCE) a range holding any word that is not zero before
 * writing anything, so a refused program changes nothing.
 *
 * These parts raise no flag on an ECC double error: a word whose program
 * was torn by a power cut reads as whatever bits landed (never FK_EECC),
 * and reads non-zero unless no bit landed.
 *
 * Power loss: a cut during a program leaves the words (or half-pages)
 * before the one in progress programmed, that one partly programmed and
 * the rest erased; a cut during a page erase leaves that page partly
 * erased.
 *
 * In RAM (FK_RAMFUNC): l0_write_word (also starts an erase),
 * l0_write_half_page and l0_write_byte.
 */
#ifndef FLASHKIT_PORTS_STM32_FLASH_L0_H
#define FLASHKIT_PORTS_STM32_FLASH_L0_H

#include <stdint.h>

#include "flashkit/flash.h"

#define FK_L0_FLASH_REGS 0x40022000u  /* L0 FLASH register block */
#define FK_L1_FLASH_REGS 0x40023C00u  /* L1 FLASH register block */
#define FK_L0_FLASH_BASE 0x08000000u  /* program memory */
#define FK_L0_EEPROM_BASE 0x08080000u /* data EEPROM */
#define FK_L0_PAGE_SIZE 128u
#define FK_L1_PAGE_SIZE 256u

struct fk_l0_flash_config {
	uint32_t regs;	      /* FLASH registers: FK_L0/L1_FLASH_REGS */
	uint32_t base;	      /* bus address of the program memory */
	uint32_t size;	      /* bytes of program memory */
	uint32_t page_size;   /* FK_L0_PAGE_SIZE or FK_L1_PAGE_SIZE */
	uint32_t eeprom_base; /* bus address of the data EEPROM */
	uint32_t eeprom_size; /* bytes of data EEPROM; 0: none */
};

struct fk_l0_flash {
	struct fk_flash flash;		 /* the program memory */
	struct fk_flash eeprom;		 /* the data EEPROM */
	struct fk_sector_run run;	 /* program memory pages */
	struct fk_sector_run eeprom_run; /* data EEPROM words */
	uint32_t regs;			 /* copied from the config */
};

/*
 * Fills *l0 from *cfg. Returns 0, or FK_EINVAL when the page size is not
 * 128 or 256, a size is not whole pages (words for the EEPROM) or the
 * program memory is empty. Touches no register. With eeprom_size 0 the
 * eeprom fk_flash is not usable (its ops are NULL).
 */
int fk_l0_flash_init(struct fk_l0_flash *l0,
		     const struct fk_l0_flash_config *cfg);

#endif
