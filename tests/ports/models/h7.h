/*
 * Register model of the STM32H7 flash interface (RM0433 chapter 4
 * "Embedded flash memory"; RM0399 for the dual-core H745/H755, same
 * registers), for the port tests: the FLASH registers at 0x52002000 with
 * bank 2's copy at +0x100, and the array at 0x08000000 (bank 2 at
 * +bank_size), its bytes kept in an fk_sim (128 KiB sectors, 32-byte
 * program-once flash words, erased 0xFF).
 *
 * What it enforces, per bank, each rule named in its violation or flag:
 * - KEYRx: KEY1 then KEY2 unlocks CRx; anything else is a violation (bus
 *   error, bank locked until reset); CRx operation bits written while
 *   locked, a violation.
 * - CRx written while the bank is busy (QW) is a violation; QW and BSY
 *   stay set for a few SRx reads, and code fetched from ROM meanwhile is
 *   a violation (the waits run from RAM). A store while busy waits for
 *   the operation to end (the write queue), no violation.
 * - Programming: a store without PG sets PGSERR; a store into another
 *   flash word (or bank) while the write buffer holds part of one sets
 *   INCERR; the same byte written twice in the buffer, STRBERR. The
 *   buffer full (or FW set) programs the flash word: inside a protected
 *   range, WRPERR; a word not virgin since its erase is a violation (its
 *   ECC would be wrong); otherwise the sim programs it.
 * - Erase: START with SER erases sector SNB of that bank (past the bank:
 *   violation); START with PG set too, or with data in the write buffer,
 *   or neither SER nor BER, sets PGSERR; bank erase (BER) not modelled.
 * - Reads: a torn flash word sets DBECCERR and ECC_FAxR (its index in
 *   the bank); a flash word marked by h7_model_single_error sets
 *   SNECCERR (the data reads correct).
 * - Flags are cleared through CCRx (write 1).
 */
#ifndef FLASHKIT_TESTS_MODEL_H7_H
#define FLASHKIT_TESTS_MODEL_H7_H

#include <stdint.h>

#include "uc.h"

#define H7_MODEL_REGS 0x52002000u
#define H7_MODEL_FLASH 0x08000000u

struct h7_model;

/* A part with size bytes of flash in banks of bank_size. NULL on error. */
struct h7_model *h7_model_create(struct uc *uc, uint32_t size,
				 uint32_t bank_size);
void h7_model_destroy(struct h7_model *m);
struct fk_sim *h7_model_sim(struct h7_model *m);
/* Marks the flash word holding array offset off as having one bit
 * corrected on every read (SNECCERR). Up to 8 words. */
void h7_model_single_error(struct h7_model *m, uint32_t off);
/* Register values of bank 0 or 1, for tests. */
uint32_t h7_model_sr(const struct h7_model *m, unsigned bank);
uint32_t h7_model_ecc_fa(const struct h7_model *m, unsigned bank);
/* Program and erase operations committed per bank. */
uint32_t h7_model_bank_ops(const struct h7_model *m, unsigned bank);

#endif
