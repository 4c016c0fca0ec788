/*
 * The SPI + chip-select model (spi_stm32.h). One byte in flight at a
 * time: `shift` counts the status reads left before it is done (2: TXE
 * is 0; 1: TXE back to 1, BSY still 1; 0: exchanged with the chip, RXNE
 * set). The exchange happens then, with the chip select as it is at
 * that moment.
 */
#include <stdlib.h>

#include "spi_stm32.h"

#define CR1 0x00u
#define CR2 0x04u
#define SR 0x08u
#define DR 0x0Cu
#define SPI_SIZE 0x24u

#define CR1_CPHA (1u << 0)
#define CR1_CPOL (1u << 1)
#define CR1_MSTR (1u << 2)
#define CR1_BR (7u << 3)
#define CR1_SPE (1u << 6)
#define CR1_LSBFIRST (1u << 7)
#define CR1_SSI (1u << 8)
#define CR1_SSM (1u << 9)
#define CR1_DFF (1u << 11)
#define CR1_HELD (CR1_BR | CR1_CPOL | CR1_CPHA | CR1_DFF | CR1_LSBFIRST)

#define SR_RXNE (1u << 0)
#define SR_TXE (1u << 1)
#define SR_OVR (1u << 6)
#define SR_BSY (1u << 7)

#define MODER 0x00u
#define IDR 0x10u
#define ODR 0x14u
#define BSRR 0x18u
#define GPIO_SIZE 0x28u

struct spi_model {
	struct uc *uc;
	struct nor_chip *chip;
	unsigned cs_pin;
	uint32_t cr1, cr2;
	uint32_t moder, odr;
	uint32_t gpio_regs[GPIO_SIZE / 4]; /* the others, kept as written */
	unsigned shift;			   /* status reads left (see top) */
	uint8_t tx, rx;
	bool rxne, ovr;
	bool selected; /* chip select low */
};

static bool spi_busy(const struct spi_model *m)
{
	return m->shift > 0;
}

/* The byte in flight reaches the chip and its answer lands in DR. */
static void exchange(struct spi_model *m)
{
	uint8_t in = m->selected ? nor_chip_xfer(m->chip, m->tx) : 0xFF;

	if (m->rxne) {
		m->ovr = true;
		uc_violation(m->uc, "RM0033 25.4.8: overrun: a byte was "
				    "received before the previous one was "
				    "read from DR (it is lost)");
		return;
	}
	m->rx = in;
	m->rxne = true;
}

static uint32_t read_sr(struct spi_model *m)
{
	uint32_t sr;

	if (m->shift && --m->shift == 0)
		exchange(m);
	sr = (m->shift < 2 ? SR_TXE : 0) | (m->rxne ? SR_RXNE : 0) |
	     (m->ovr ? SR_OVR : 0) | (m->shift ? SR_BSY : 0);
	return sr;
}

static void write_cr1(struct spi_model *m, uint32_t v)
{
	bool spe = v & CR1_SPE;

	if ((m->cr1 & CR1_SPE) && spe && ((v ^ m->cr1) & CR1_HELD))
		uc_violation(m->uc, "RM0033 25.5.1: BR, CPOL, CPHA, DFF and "
				    "LSBFIRST must not change while SPE=1");
	else if ((m->cr1 & CR1_SPE) && !spe && spi_busy(m))
		uc_violation(m->uc, "RM0033 25.3.8: SPI disabled while BSY=1 "
				    "(wait for TXE=1 and BSY=0 first)");
	else if (spe && (v & CR1_MSTR) &&
		 (v & (CR1_SSM | CR1_SSI)) != (CR1_SSM | CR1_SSI))
		uc_violation(m->uc, "RM0033 25.3.10: master with NSS not held "
				    "high (SSM=1, SSI=1): mode fault (MODF)");
	else if (spe && (v & (CR1_DFF | CR1_LSBFIRST)))
		uc_violation(m->uc, "W25Q128JV: the chip takes 8-bit frames, "
				    "MSB first (DFF=0, LSBFIRST=0)");
	else if (spe && ((v & CR1_CPOL) != 0) != ((v & CR1_CPHA) != 0))
		uc_violation(m->uc, "W25Q128JV: the chip supports SPI modes 0 "
				    "and 3 only (CPOL = CPHA)");
	m->cr1 = v;
}

static void write_dr(struct spi_model *m, uint32_t v)
{
	if (!(m->cr1 & CR1_SPE) || !(m->cr1 & CR1_MSTR)) {
		uc_violation(m->uc, "RM0033 25.3.3: DR written with the SPI "
				    "not enabled as master: nothing is sent");
		return;
	}
	if (m->shift >= 2) {
		uc_violation(m->uc, "RM0033 25.3.3: DR written while TXE=0: "
				    "the byte waiting is overwritten");
		return;
	}
	if (m->shift == 1) /* the byte in flight finishes first */
		exchange(m);
	m->tx = (uint8_t)v;
	m->shift = 2;
}

static uint32_t read_dr(struct spi_model *m)
{
	if (!m->rxne) {
		uc_violation(m->uc, "RM0033 25.3.5: DR read with RXNE=0: no "
				    "byte received (stale data)");
		return 0;
	}
	m->rxne = false;
	return m->rx;
}

static uint32_t spi_read(void *ctx, uint32_t off, unsigned size)
{
	struct spi_model *m = ctx;

	(void)size;
	switch (off) {
	case CR1:
		return m->cr1;
	case CR2:
		return m->cr2;
	case SR:
		return read_sr(m);
	case DR:
		return read_dr(m);
	default:
		return 0;
	}
}

static void spi_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	struct spi_model *m = ctx;

	(void)size;
	switch (off) {
	case CR1:
		write_cr1(m, v);
		break;
	case CR2:
		m->cr2 = v;
		break;
	case SR:
		m->ovr = m->ovr && (v & SR_OVR);
		break;
	case DR:
		write_dr(m, v);
		break;
	default:
		break;
	}
}

/* Chip select follows the pin: low only when it is an output at 0. */
static void update_cs(struct spi_model *m)
{
	bool output = ((m->moder >> (2 * m->cs_pin)) & 3u) == 1u;
	bool low = output && !(m->odr & (1u << m->cs_pin));

	if (low == m->selected)
		return;
	if (spi_busy(m))
		uc_violation(m->uc, "RM0033 25.3.8: chip select moved while "
				    "BSY=1: the chip sees a torn byte (wait "
				    "for BSY=0)");
	m->selected = low;
	if (low)
		nor_chip_select(m->chip);
	else
		nor_chip_deselect(m->chip);
}

static uint32_t gpio_read(void *ctx, uint32_t off, unsigned size)
{
	struct spi_model *m = ctx;

	(void)size;
	switch (off) {
	case MODER:
		return m->moder;
	case ODR:
		return m->odr;
	case IDR:
		return m->odr; /* outputs read back what they drive */
	case BSRR:
		return 0;
	default:
		return m->gpio_regs[off / 4];
	}
}

static void gpio_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	struct spi_model *m = ctx;

	(void)size;
	switch (off) {
	case MODER:
		m->moder = v;
		break;
	case ODR:
		m->odr = v & 0xFFFFu;
		break;
	case BSRR: /* set wins over reset (RM0033 6.4.7) */
		m->odr = (m->odr & ~(v >> 16)) | (v & 0xFFFFu);
		break;
	case IDR:
		break;
	default:
		m->gpio_regs[off / 4] = v;
		break;
	}
	update_cs(m);
}

static void reset(void *ctx)
{
	struct spi_model *m = ctx;

	nor_chip_reset(m->chip);
	m->cr1 = m->cr2 = 0;
	m->moder = m->odr = 0;
	for (unsigned i = 0; i < GPIO_SIZE / 4; i++)
		m->gpio_regs[i] = 0;
	m->shift = 0;
	m->rxne = m->ovr = m->selected = false;
}

struct spi_model *spi_model_create(struct uc *uc, struct nor_chip *chip,
				   uint32_t spi, uint32_t gpio, unsigned cs_pin)
{
	struct spi_model *m = calloc(1, sizeof(*m));
	struct uc_periph s = { .name = "SPI",
			       .base = spi,
			       .size = SPI_SIZE,
			       .read = spi_read,
			       .write = spi_write,
			       .reset = reset };
	struct uc_periph g = { .name = "GPIO",
			       .base = gpio,
			       .size = GPIO_SIZE,
			       .read = gpio_read,
			       .write = gpio_write };

	if (!m)
		return NULL;
	m->uc = uc;
	m->chip = chip;
	m->cs_pin = cs_pin;
	s.ctx = g.ctx = m;
	if (uc_add_periph(uc, &s) || uc_add_periph(uc, &g)) {
		free(m);
		return NULL;
	}
	reset(m);
	return m;
}

void spi_model_destroy(struct spi_model *m)
{
	free(m);
}
