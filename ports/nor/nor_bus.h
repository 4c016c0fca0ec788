/*
 * The bus under the NOR driver: how one serial-flash command reaches the
 * chip, whatever carries it (a plain SPI peripheral with a GPIO chip
 * select, an STM32 QUADSPI in indirect mode, a debugger's loader).
 *
 * A command is the sequence every SPI NOR datasheet draws: chip select
 * low, one opcode byte, 0, 3 or 4 address bytes (most significant
 * first), some dummy bytes, then data bytes in one direction, chip
 * select high. All of it on one data line (1-1-1): the driver needs no
 * more to program and erase, and a memory-mapped read path (QUADSPI) may
 * use wider modes on its own.
 *
 * What does not live here: the chip's command set (nor.c) and the
 * registers of a peripheral (nor_qspi_stm32.c, nor_spi_stm32.c).
 *
 * The function pointers are in the bus struct itself, not in a constant
 * table: the NOR driver calls them while a QSPI chip is out of
 * memory-mapped mode, when no constant in that chip can be read. The
 * struct therefore lives in RAM (the caller's).
 */
#ifndef FLASHKIT_PORT_NOR_BUS_H
#define FLASHKIT_PORT_NOR_BUS_H

#include <stdint.h>

/* One command's header: what goes out before the data phase. */
struct fk_nor_cmd {
	uint8_t opcode;
	uint8_t addr_len; /* address bytes after the opcode: 0, 3 or 4 */
	uint8_t dummy;	  /* dummy bytes (8 clocks each) after the address */
	uint32_t addr;	  /* sent most significant byte first */
};

struct fk_nor_bus {
	/* Runs one command: the header, then len data bytes written from tx
	 * (tx != NULL) or read into rx (rx != NULL); at most one of them is
	 * non-NULL, and len is 0 when both are NULL. Chip select rises at
	 * the end, which is when the chip starts a program or erase.
	 * Returns 0, or FK_EIO when the peripheral fails (timeout, error
	 * flag). */
	int (*xfer)(const struct fk_nor_bus *bus, const struct fk_nor_cmd *cmd,
		    const void *tx, void *rx, uint32_t len);
	/* Called once the driver has finished an operation (read, program,
	 * erase, init) and the chip is idle: a QUADSPI goes back to
	 * memory-mapped mode here, reading with read (its addr unused: the
	 * opcode, address length and dummy bytes the chip now answers).
	 * NULL when the bus has no resting state. Returns 0 or FK_EIO. */
	int (*idle)(const struct fk_nor_bus *bus,
		    const struct fk_nor_cmd *read);
	void *ctx; /* the bus driver's state */
};

#endif
