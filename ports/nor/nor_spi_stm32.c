/*
 * STM32 SPI + GPIO chip select as a NOR bus (see nor_spi_stm32.h).
 *
 * Every byte is a full exchange: wait TXE, write DR, wait RXNE, read DR.
 * Reading each received byte, even while sending, keeps RXNE from
 * overrunning (RM0033 25.4.8); waiting for BSY = 0 before chip select
 * rises keeps the last byte whole (25.3.8).
 */
#include "nor_spi_stm32.h"

#include "flashkit/error.h"

#ifndef FK_RAMFUNC
#define FK_RAMFUNC
#endif

#define SPI_CR1 0x00u
#define SPI_SR 0x08u
#define SPI_DR 0x0Cu

#define CR1_MSTR (1u << 2)
#define CR1_BR_SHIFT 3
#define CR1_SPE (1u << 6)
#define CR1_SSI (1u << 8)
#define CR1_SSM (1u << 9)

#define SR_RXNE (1u << 0)
#define SR_TXE (1u << 1)
#define SR_BSY (1u << 7)

#define GPIO_MODER 0x00u
#define GPIO_OTYPER 0x04u
#define GPIO_BSRR 0x18u

#define DEFAULT_TIMEOUT 100000u

static FK_RAMFUNC volatile uint32_t *reg(uint32_t base, uint32_t off)
{
	return (volatile uint32_t *)(base + off);
}

static FK_RAMFUNC int wait_sr(const struct fk_nor_spi *s, uint32_t mask,
			      uint32_t want)
{
	for (uint32_t i = 0; i < s->timeout; i++)
		if ((*reg(s->spi, SPI_SR) & mask) == want)
			return FK_OK;
	return FK_EIO;
}

/* One byte each way. */
static FK_RAMFUNC int exchange(const struct fk_nor_spi *s, uint8_t out,
			       uint8_t *in)
{
	if (wait_sr(s, SR_TXE, SR_TXE) != FK_OK)
		return FK_EIO;
	*reg(s->spi, SPI_DR) = out;
	if (wait_sr(s, SR_RXNE, SR_RXNE) != FK_OK)
		return FK_EIO;
	*in = (uint8_t)*reg(s->spi, SPI_DR);
	return FK_OK;
}

static FK_RAMFUNC void chip_select(const struct fk_nor_spi *s, int low)
{
	*reg(s->gpio, GPIO_BSRR) = low ? s->cs_mask << 16 : s->cs_mask;
}

static FK_RAMFUNC int send_header(const struct fk_nor_spi *s,
				  const struct fk_nor_cmd *cmd)
{
	uint8_t in;
	int rc = exchange(s, cmd->opcode, &in);

	for (uint32_t i = cmd->addr_len; rc == FK_OK && i-- > 0;)
		rc = exchange(s, (uint8_t)(cmd->addr >> (8 * i)), &in);
	for (uint32_t i = 0; rc == FK_OK && i < cmd->dummy; i++)
		rc = exchange(s, 0xFF, &in);
	return rc;
}

static FK_RAMFUNC int spi_xfer(const struct fk_nor_bus *bus,
			       const struct fk_nor_cmd *cmd, const void *tx,
			       void *rx, uint32_t len)
{
	const struct fk_nor_spi *s = bus->ctx;
	const uint8_t *out = tx;
	uint8_t *in = rx, dummy;
	int rc, end_rc;

	chip_select(s, 1);
	rc = send_header(s, cmd);
	for (uint32_t i = 0; rc == FK_OK && i < len; i++)
		rc = exchange(s, out ? out[i] : 0xFF, in ? &in[i] : &dummy);
	end_rc = wait_sr(s, SR_BSY, 0);
	chip_select(s, 0);
	return rc != FK_OK ? rc : end_rc;
}

FK_RAMFUNC int fk_nor_spi_init(struct fk_nor_spi *s,
			       const struct fk_nor_spi_config *config)
{
	uint32_t pin;

	if (!s || !config || config->cs_pin > 15 || config->br > 7)
		return FK_EINVAL;
	pin = config->cs_pin;
	s->bus.xfer = spi_xfer;
	s->bus.idle = 0;
	s->bus.ctx = s;
	s->spi = config->spi;
	s->gpio = config->gpio;
	s->cs_mask = 1u << pin;
	s->timeout = config->timeout ? config->timeout : DEFAULT_TIMEOUT;
	chip_select(s, 0);
	*reg(s->gpio, GPIO_OTYPER) &= ~s->cs_mask;
	*reg(s->gpio, GPIO_MODER) =
		(*reg(s->gpio, GPIO_MODER) & ~(3u << (2 * pin))) |
		1u << (2 * pin);
	*reg(s->spi, SPI_CR1) = CR1_MSTR | CR1_SSM | CR1_SSI |
				(uint32_t)config->br << CR1_BR_SHIFT;
	*reg(s->spi, SPI_CR1) |= CR1_SPE;
	return FK_OK;
}
