/*
 * Register model of the STM32F2/F4 flash interface (RM0033 section 2,
 * RM0090 section 3) for the port harness (tests/ports/uc/uc.h): the
 * FLASH registers at 0x40023C00 and the main memory at 0x08000000, its
 * bytes kept in an fk_sim (write unit 1, the sector map of the part).
 *
 * What the manual forbids is a violation (the test fails): a wrong
 * unlock sequence or a key written while unlocked (bus error, FLASH_CR
 * locked until reset), FLASH_CR written while locked or while BSY, a
 * store to the memory while BSY, a program size above what the supply
 * allows (table 7: x64 only with VPP), an SNB that names no sector,
 * touching the option bytes, a read of the bank being programmed or
 * erased (the bus stalls for the whole operation: the driver must not),
 * code fetched from that bank meanwhile (FK_RAMFUNC missing), a read
 * through the data cache after an erase before the cache was reset, and
 * a cache reset bit written while that cache is on.
 *
 * What the hardware flags is a flag in FLASH_SR, the operation not done:
 * a store without PG (or with SER) or STRT without SER is PGSERR, a store
 * whose width is not PSIZE is PGPERR, a misaligned one PGAERR, a program
 * or erase of a write-protected sector WRPERR, a read of a PCROP sector
 * RDERR (F42x/F43x). A program only clears bits: the cell becomes the
 * AND of old and new, as on the part. BSY stays set for a few FLASH_SR
 * reads after each start; EOP is set at the end when EOPIE is.
 *
 * The program or erase reaches the sim when the hardware starts it; when
 * the sim has lost power the model stops the CPU (uc_power_lost).
 */
#ifndef FLASHKIT_TESTS_MODELS_F4_H
#define FLASHKIT_TESTS_MODELS_F4_H

#include <stdbool.h>
#include <stdint.h>

#include "uc.h"

struct f4_model_config {
	uint32_t size;	     /* bytes of main memory */
	bool dual_bank;	     /* F42x/F43x 2 MiB, or 1 MiB with DB1M */
	uint32_t max_psize;  /* the supply: 0 x8 .. 3 x64 (VPP) */
	bool has_rderr;	     /* F42x/F43x (PCROP); not on F2 or F40x */
	uint32_t wrp;	     /* bit n: sector index n write-protected */
	uint32_t pcrop;	     /* bit n: sector index n read-protected */
	uint32_t busy_reads; /* FLASH_SR reads with BSY set; 0: 3 */
};

struct f4_model;

/* Creates the model and its sim and registers its windows on uc.
 * Returns NULL on a bad config or when a window cannot be mapped. */
struct f4_model *f4_model_attach(struct uc *uc,
				 const struct f4_model_config *cfg);
void f4_model_free(struct f4_model *m);

struct fk_sim *f4_model_sim(struct f4_model *m);

/* Between driver calls: NULL when the controller is as a driver must
 * leave it (idle, FLASH_CR locked, no operation bit, no flag left),
 * otherwise what is wrong. */
const char *f4_model_idle(struct f4_model *m);

/* The next program or erase start fails with these FLASH_SR flags and
 * changes nothing (tests of the driver's error mapping). */
void f4_model_inject(struct f4_model *m, uint32_t sr_flags);

/* FLASH_SR bits, for tests. */
#define F4_SR_EOP (1u << 0)
#define F4_SR_OPERR (1u << 1)
#define F4_SR_WRPERR (1u << 4)
#define F4_SR_PGAERR (1u << 5)
#define F4_SR_PGPERR (1u << 6)
#define F4_SR_PGSERR (1u << 7)
#define F4_SR_RDERR (1u << 8)
#define F4_SR_BSY (1u << 16)

#endif
