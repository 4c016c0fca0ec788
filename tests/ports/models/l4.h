/*
 * Register model of the STM32L4 flash interface (RM0351, "Embedded
 * flash memory"), for the port tests: the FLASH registers at 0x40022000
 * and the main memory at 0x08000000, its bytes kept in an fk_sim
 * (2 KiB pages, 8-byte program-once units, erased 0xFF).
 *
 * What it enforces, each rule named in the violation or flag it raises:
 * - KEYR: KEY1 then KEY2 unlocks FLASH_CR; any other write is a wrong
 *   sequence (violation: bus error, locked until reset); writing CR's
 *   operation bits while locked is a violation.
 * - No write to CR, KEYR or the array while BSY (violation); BSY stays
 *   set for a few SR reads, and code fetched from ROM meanwhile is a
 *   violation (the waits must run from RAM).
 * - Programming: a store to the array without PG sets PGSERR; with an
 *   error flag of an earlier program still set, PGSERR; not a 32-bit
 *   store, SIZERR; the first word not double-word aligned or the second
 *   not the other half of the same double word, PGAERR. The second word
 *   commits the double word: not erased (0xFFFFFFFF) and data not zero,
 *   PROGERR; inside a protected range of the sim, WRPERR; otherwise the
 *   sim programs it (a cut can tear it).
 * - Erase: STRT with PER erases page PNB of bank BKER (a page past the
 *   bank is a violation); STRT with PG too, or none of PER/MER, or an
 *   error flag left set, sets PGSERR.
 * - Caches: ICEN and DCEN on at reset (FLASH_ACR 0x600); a reset bit
 *   (ICRST, DCRST) written while its cache is on is a violation; after an
 *   erase with the data cache on, a read of the array before DCRST is a
 *   violation (the cache may return the page's old bytes).
 * - Reads of the array: a torn double word sets ECCR.ECCD with its
 *   address and bank (the NMI of the real part is not raised).
 * - Flags in SR and ECCR are cleared by writing 1.
 */
#ifndef FLASHKIT_TESTS_MODEL_L4_H
#define FLASHKIT_TESTS_MODEL_L4_H

#include <stdint.h>

#include "uc.h"

#define L4_MODEL_REGS 0x40022000u
#define L4_MODEL_FLASH 0x08000000u

struct l4_model;

/* Attaches a model of a part with size bytes of flash in banks of
 * bank_size (single bank: bank_size == size) to uc. NULL on error. */
struct l4_model *l4_model_create(struct uc *uc, uint32_t size,
				 uint32_t bank_size);
void l4_model_destroy(struct l4_model *m);
/* The array. */
struct fk_sim *l4_model_sim(struct l4_model *m);
/* Register values, for tests: FLASH_SR (without BSY), FLASH_CR,
 * FLASH_ECCR. */
uint32_t l4_model_sr(const struct l4_model *m);
uint32_t l4_model_cr(const struct l4_model *m);
uint32_t l4_model_eccr(const struct l4_model *m);
/* Erases counted per bank (dual-bank tests). */
uint32_t l4_model_bank_erases(const struct l4_model *m, unsigned bank);

#endif
