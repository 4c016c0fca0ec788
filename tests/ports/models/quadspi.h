/*
 * Register model of the STM32 QUADSPI (RM0433 chapter 23, H7; the F7's
 * RM0410 chapter 14 is the same block) with a NOR chip model
 * (nor_chip.h) on its bus: registers CR, DCR, SR, FCR, DLR, CCR, AR, DR
 * and the memory-mapped window.
 *
 * Indirect writes and reads become chip-select / byte / deselect
 * sequences on the chip; memory-mapped reads of the window become read
 * commands with the CCR's opcode. What the model refuses (uc_violation,
 * naming the manual's rule): writing CCR, AR, DLR, DCR or the prescaler
 * while BUSY; reading the window while not in memory-mapped mode (a bus
 * error on the part) or writing it; an indirect command while EN = 0;
 * DR accesses with no transfer that wants them or past DLR + 1 bytes;
 * what the model does not implement (auto-polling, dual/quad lines, DDR,
 * alternate bytes, dummy cycles that are not whole bytes). TCF and the
 * end of BUSY come two SR reads after a command finishes.
 *
 * With code_in_chip, the test image's ROM stands for code in the QSPI
 * chip (an H750 running from QSPI): outside memory-mapped mode, fetching
 * from ROM is a violation (uc_forbid_rom_fetch), and after reset the
 * peripheral is memory-mapped as a boot stage left it.
 */
#ifndef FLASHKIT_TESTS_QUADSPI_H
#define FLASHKIT_TESTS_QUADSPI_H

#include <stdbool.h>
#include <stdint.h>

#include "nor_chip.h"
#include "uc.h"

#define QUADSPI_H7_REGS 0x52005000u
#define QUADSPI_WINDOW 0x90000000u

struct quadspi_model;

/* Registers the register window at regs and the memory-mapped window at
 * QUADSPI_WINDOW (the chip's size). Returns NULL on failure. */
struct quadspi_model *quadspi_model_create(struct uc *uc, struct nor_chip *chip,
					   uint32_t regs, bool code_in_chip);
void quadspi_model_destroy(struct quadspi_model *m);

/* True when EN = 1 and CCR.FMODE = memory-mapped. */
bool quadspi_model_mapped(const struct quadspi_model *m);

#endif
