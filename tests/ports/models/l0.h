/*
 * Register model of the STM32L0 and STM32L1 NVM interface (RM0377 and
 * RM0038, "Flash program memory and data EEPROM"), for the port tests:
 * the FLASH registers (L0 0x40022000, L1 0x40023C00), the program memory
 * at 0x08000000 and the data EEPROM at 0x08080000, each kept in its own
 * fk_sim, both erased to 0x00.
 *
 * What it enforces, each rule named in its violation or flag:
 * - PEKEYR: PEKEY1 then PEKEY2 clears PELOCK; PRGKEYR (PRGKEY1, PRGKEY2)
 *   clears PRGLOCK and only once PELOCK is clear; any other write is a
 *   violation (bus error, locked until reset). PECR written while PELOCK
 *   with operation bits, or PROG/FPRG set while PRGLOCK, is a violation;
 *   setting PELOCK sets PRGLOCK too.
 * - PECR written while BSY is a violation; BSY stays set for a few SR
 *   reads, code fetched from ROM meanwhile is a violation. A store to the
 *   memory while BSY waits (the bus stalls).
 * - Program memory: only 32-bit stores (SIZERR); with PRGLOCK set,
 *   WRPERR; a word store with no operation bit programs the word (not
 *   aligned: PGAERR; the word not zero: NOTZEROERR on the L0, a
 *   violation on the L1); ERASE+PROG and a store erases its page;
 *   FPRG+PROG starts a half-page: the stores must be consecutive words
 *   of one half-page from its start (PGAERR otherwise), the last one
 *   programs it (a word not zero: NOTZEROERR / violation), and any fetch
 *   or read of the NVM before it is a violation (L0: FWWERR, the fill
 *   aborted: the fill runs from RAM).
 * - Data EEPROM: with PELOCK set, WRPERR; byte, half-word and word
 *   stores program (bits to clear: the word is erased first, as the
 *   part does); ERASE+DATA and a 32-bit store of zero erases the word.
 * - SR flags are cleared by writing 1.
 */
#ifndef FLASHKIT_TESTS_MODEL_L0_H
#define FLASHKIT_TESTS_MODEL_L0_H

#include <stdbool.h>
#include <stdint.h>

#include "uc.h"

#define L0_MODEL_FLASH 0x08000000u
#define L0_MODEL_EEPROM 0x08080000u

struct l0_model_config {
	bool l1;	      /* an L1 (RM0038) rather than an L0 */
	uint32_t flash_size;  /* program memory bytes */
	uint32_t eeprom_size; /* data EEPROM bytes */
};

struct l0_model;

struct l0_model *l0_model_create(struct uc *uc,
				 const struct l0_model_config *cfg);
void l0_model_destroy(struct l0_model *m);
struct fk_sim *l0_model_flash_sim(struct l0_model *m);
struct fk_sim *l0_model_eeprom_sim(struct l0_model *m);
uint32_t l0_model_sr(const struct l0_model *m);
uint32_t l0_model_pecr(const struct l0_model *m);
/* Half-pages programmed, words programmed (program memory). */
uint32_t l0_model_half_pages(const struct l0_model *m);
uint32_t l0_model_words(const struct l0_model *m);

#endif
