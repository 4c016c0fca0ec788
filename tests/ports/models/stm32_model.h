/*
 * Pieces every STM32 flash model of this folder uses (l0.c, l4.c, h7.c):
 * the array kept in an fk_sim reached at the moment the hardware commits,
 * a power loss turned into uc_power_lost, a busy flag that stays set for
 * a few status reads while fetches from ROM are forbidden, and the
 * word-sized register access rule.
 *
 * Host only (C11).
 */
#ifndef FLASHKIT_TESTS_STM32_MODEL_H
#define FLASHKIT_TESTS_STM32_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "uc.h"

/* Status reads a program or erase stays busy for. */
#define STM32_MODEL_BUSY_READS 3u

struct stm32_busy {
	unsigned reads_left; /* status reads before BSY clears; 0: idle */
	const char *why;     /* the ROM-fetch rule quoted while busy */
};

/* The flash starts an operation: busy for STM32_MODEL_BUSY_READS status
 * reads, fetches from ROM forbidden meanwhile. */
void stm32_busy_start(struct uc *uc, struct stm32_busy *b);
/* A status read: returns true while still busy (this read sees BSY). */
bool stm32_busy_poll(struct uc *uc, struct stm32_busy *b);
/* Power-on reset: idle. */
void stm32_busy_reset(struct uc *uc, struct stm32_busy *b);

/* Program or erase of the sim at the moment the hardware commits. A
 * power loss stops the emulation (uc_power_lost). Returns the sim's code:
 * FK_OK, FK_EPOWER, FK_EPROTECT, FK_EPROGONCE, FK_ENOTERASED. */
int stm32_sim_program(struct uc *uc, struct fk_sim *sim, uint32_t off,
		      const void *buf, uint32_t len);
int stm32_sim_erase(struct uc *uc, struct fk_sim *sim, uint32_t off,
		    uint32_t len);

/* A load of size bytes at off from the array: the raw bytes, and *ecc
 * set when the sim reports the unit torn (an ECC double error). */
uint32_t stm32_sim_load(struct uc *uc, struct fk_sim *sim, uint32_t off,
			unsigned size, bool *ecc);

/* A write to a register that must be written as a 32-bit word: false
 * (and a violation naming rule) when size is not 4. */
bool stm32_word_access(struct uc *uc, unsigned size, const char *rule);

/* A sim for a model's array: one run of equal sectors, every byte
 * erased. NULL when out of memory or the geometry is invalid. */
struct fk_sim *stm32_sim_make(uint32_t base, uint32_t size, uint32_t sector,
			      uint32_t write_unit, uint8_t erased,
			      bool program_once);

#endif
