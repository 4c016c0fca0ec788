/*
 * A plain STM32 SPI (F2/F4: RM0033 chapter 25, RM0090 chapter 28) with
 * the chip select on a GPIO pin, as a NOR bus (nor_bus.h): the seed's
 * STM32F205 with a serial flash.
 *
 * Master, SPI mode 0, 8-bit frames, MSB first, NSS managed by software
 * (SSM = SSI = 1) so the hardware NSS pin stays free; one byte at a time
 * (write DR when TXE, read DR when RXNE), and chip select raised only
 * once BSY has cleared, since the chip acts on the rising edge.
 *
 * The caller enables the SPI's and the GPIO port's clocks and puts SCK,
 * MISO and MOSI in their alternate function; fk_nor_spi_init configures
 * the SPI and makes the chip-select pin a push-pull output driven high.
 * Nothing here needs RAM placement: the bus does not touch the internal
 * flash the code runs from (the functions are FK_RAMFUNC all the same,
 * for the flash loader and for builds that want it).
 *
 * Power loss: the peripheral keeps nothing; see nor.h for the chip.
 */
#ifndef FLASHKIT_PORT_NOR_SPI_STM32_H
#define FLASHKIT_PORT_NOR_SPI_STM32_H

#include <stdint.h>

#include "nor_bus.h"

struct fk_nor_spi_config {
	uint32_t spi;	  /* SPI registers: 0x40013000 (SPI1 on F2/F4) */
	uint32_t gpio;	  /* chip-select port registers: 0x40020000 (GPIOA) */
	uint8_t cs_pin;	  /* chip-select pin, 0..15 */
	uint8_t br;	  /* CR1.BR: SCK = PCLK / 2^(br + 1), 0..7 */
	uint32_t timeout; /* SR reads per wait before FK_EIO; 0: 100000 */
};

struct fk_nor_spi {
	struct fk_nor_bus bus; /* what fk_nor_config.bus points to */
	uint32_t spi;
	uint32_t gpio;
	uint32_t cs_mask; /* BSRR bit that drives the pin high */
	uint32_t timeout;
};

/* Configures the SPI and the chip-select pin (high) and enables the SPI.
 * Returns 0 or FK_EINVAL (NULL, pin or br out of range). */
int fk_nor_spi_init(struct fk_nor_spi *s,
		    const struct fk_nor_spi_config *config);

#endif
