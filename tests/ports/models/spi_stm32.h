/*
 * Register model of an STM32F2/F4 SPI in master mode (RM0033 chapter 25,
 * RM0090 chapter 28: CR1, CR2, SR, DR) and of the GPIO port whose pin is
 * the NOR chip's chip select (MODER, ODR, BSRR), with a NOR chip model
 * (nor_chip.h) on the bus.
 *
 * A byte written to DR shifts out while SR shows TXE = 0 then BSY = 1
 * for a status read each; the chip's answer then sits in DR with RXNE.
 * The chip is selected while the pin is an output (MODER = 01) driven
 * low; a pin that is not an output floats high (pull-up).
 *
 * What the model refuses (uc_violation, naming the manual's rule): SPE
 * with MSTR and NSS not held high by software (SSM = SSI = 1, else a mode
 * fault); changing BR, CPOL, CPHA, DFF or LSBFIRST while SPE = 1; DR
 * written while SPE = 0 or TXE = 0; a received byte overwriting one not
 * read (overrun); DR read with RXNE = 0; the chip select moving or SPE
 * cleared while BSY = 1; 16-bit frames, LSB first, or SPI modes 1 and 2,
 * which the chip does not speak.
 */
#ifndef FLASHKIT_TESTS_SPI_STM32_H
#define FLASHKIT_TESTS_SPI_STM32_H

#include <stdint.h>

#include "nor_chip.h"
#include "uc.h"

#define SPI1_F2_REGS 0x40013000u
#define GPIOA_F2_REGS 0x40020000u

struct spi_model;

/* Registers the SPI window at spi and the GPIO port window at gpio; the
 * chip select is pin cs_pin (0..15) of that port. NULL on failure. */
struct spi_model *spi_model_create(struct uc *uc, struct nor_chip *chip,
				   uint32_t spi, uint32_t gpio,
				   unsigned cs_pin);
void spi_model_destroy(struct spi_model *m);

#endif
