/*
 * The STM32 QUADSPI peripheral (H7: RM0433 chapter 23, F7: RM0410
 * chapter 14) as a NOR bus (nor_bus.h): indirect mode for every command
 * of the driver, memory-mapped mode at rest so code and constants can be
 * executed and read from the chip's window (0x90000000).
 *
 * Leaving and re-entering memory-mapped mode. The first command of an
 * operation aborts memory-mapped mode (CR.ABORT) and masks interrupts;
 * the bus's idle(), called by the NOR driver when the operation is over,
 * re-enters memory-mapped mode with the read command the driver chose
 * and restores the interrupt mask. Between the two nothing in the chip
 * can be fetched or read, so:
 *   - the NOR driver (nor.c), this file and every function that calls
 *     them while the chip is out of memory-mapped mode are FK_RAMFUNC
 *     (the callers above fk_flash_* only wait for a return and may stay
 *     in the chip);
 *   - the interrupts whose handlers (or vector table) live in QSPI are
 *     masked: all of them with PRIMASK (config.irq_basepri = 0), or only
 *     those of priority value >= irq_basepri with BASEPRI, so handlers
 *     kept in RAM or internal flash still run. NMI and HardFault cannot
 *     be masked: their handlers and the vector table must not be in the
 *     QSPI chip.
 * When idle() itself fails (BUSY never clears: FK_EIO), the chip stays
 * unmapped with interrupts masked: a caller running from the chip cannot
 * return there, so that error is fatal (reset).
 * Commands run on one data line (1-1-1); the memory-mapped read uses the
 * driver's fast read (0x0B, or 0x0C on parts above 16 MiB). Quad modes
 * are not used.
 *
 * Power loss: the peripheral keeps nothing; see nor.h for the chip.
 */
#ifndef FLASHKIT_PORT_NOR_QSPI_STM32_H
#define FLASHKIT_PORT_NOR_QSPI_STM32_H

#include <stdint.h>

#include "nor_bus.h"

struct fk_nor_qspi_config {
	/* QUADSPI registers: 0x52005000 (H7), 0xA0001000 (F7). */
	uint32_t regs;
	/* QUADSPI clock = kernel clock / (prescaler + 1): at most the
	 * chip's fast-read clock (W25Q128JV: 133 MHz). */
	uint8_t prescaler;
	/* The chip's size, log2 of bytes (24 for 16 MiB, 26 for 64 MiB);
	 * sets DCR.FSIZE, beyond which an access is an error. */
	uint8_t size_log2;
	/* Chip select high time between commands, 1..8 clocks (the chip's
	 * tSHSL: 50 ns on the W25Q128JV; 0 selects 8). */
	uint8_t cs_high_clocks;
	/* 0: PRIMASK masks every interrupt while out of memory-mapped
	 * mode; else the BASEPRI value to raise to (Cortex-M3/4/7). */
	uint8_t irq_basepri;
	/* Status register polls per wait for the peripheral (BUSY, FIFO,
	 * transfer complete) before FK_EIO; 0 selects 1000000. */
	uint32_t timeout;
};

struct fk_nor_qspi {
	struct fk_nor_bus bus; /* what fk_nor_config.bus points to */
	uint32_t regs;
	uint32_t timeout;
	uint32_t saved_mask; /* PRIMASK or BASEPRI while out of mapped mode */
	uint8_t irq_basepri;
	uint8_t mapped; /* memory-mapped mode on */
};

/* Configures the peripheral (prescaler, FSIZE, CS high time, FIFO
 * threshold 1), enables it and leaves it in memory-mapped mode with a
 * 3-byte fast read (0x0B), the command every family here answers; the
 * GPIO pins and the peripheral's clock are the caller's. May run from
 * the QSPI chip only when the chip is already memory-mapped by this same
 * configuration (the function itself is FK_RAMFUNC). Returns 0, FK_EINVAL
 * (NULL, size_log2 out of 1..32) or FK_EIO (the peripheral stays busy). */
int fk_nor_qspi_init(struct fk_nor_qspi *q,
		     const struct fk_nor_qspi_config *config);

#endif
