/*
 * Polled USART driver for the STM32 seed families (usart.h): the two
 * register sets behind one set of functions, each register reached by
 * the offset its set gives it. No buffer, no interrupt.
 *
 * Invariants: read reads the status once and the data register at most
 * once, so it never waits; every error flag it sees is cleared before it
 * returns (on FK_USART_ISR parts an ORE left set would stop reception for
 * good); write returns only with TC set after its last byte.
 */
#include <stdint.h>

#include "flashkit/error.h"
#include "stm32_mmio.h"
#include "usart.h"

/* Status bits, the same in SR (F2/F4) and ISR (L4/H7). */
#define ST_PE (1u << 0)
#define ST_FE (1u << 1)
#define ST_NF (1u << 2)
#define ST_ORE (1u << 3)
#define ST_RXNE (1u << 5)
#define ST_TC (1u << 6)
#define ST_TXE (1u << 7)
#define ST_ERRORS (ST_PE | ST_FE | ST_NF | ST_ORE)
#define ISR_TEACK (1u << 21)
#define ISR_REACK (1u << 22)

/* CR1 bits: RE and TE at 2 and 3 in both sets, UE at 13 or 0. */
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_UE_SR_DR (1u << 13)
#define CR1_UE_ISR (1u << 0)

/* Offsets of the registers a set has. */
struct usart_regs {
	uint32_t cr1, brr, status, rx, tx, clear; /* clear: ICR, or none */
};

static const struct usart_regs sr_dr = { 0x0C, 0x08, 0x00, 0x04, 0x04, 0 };
static const struct usart_regs isr = { 0x00, 0x0C, 0x1C, 0x24, 0x28, 0x20 };

static const struct usart_regs *regs_of(const struct fk_usart *u)
{
	return u->cfg.kind == FK_USART_ISR ? &isr : &sr_dr;
}

static uint32_t rd(const struct fk_usart *u, uint32_t off)
{
	return fk_stm32_rd(u->cfg.regs + off);
}

static void wr(const struct fk_usart *u, uint32_t off, uint32_t value)
{
	fk_stm32_wr(u->cfg.regs + off, value);
}

static uint32_t wait_set(const struct fk_usart *u, uint32_t off, uint32_t mask)
{
	uint32_t v;

	do {
		v = rd(u, off);
	} while ((v & mask) != mask);
	return v;
}

static int pin_ok(const struct fk_usart_pin *p)
{
	return p->pin < 16 && p->af < 16;
}

int fk_usart_init(struct fk_usart *u, const struct fk_usart_config *cfg)
{
	uint32_t brr;

	if (!u || !cfg || !cfg->baud ||
	    (cfg->kind != FK_USART_SR_DR && cfg->kind != FK_USART_ISR) ||
	    !pin_ok(&cfg->tx) || !pin_ok(&cfg->rx))
		return FK_EINVAL;
	/* kernel_hz / baud rounded to nearest, (k + b/2) / b, without
	 * 64-bit arithmetic (libgcc's division is 752 bytes on Cortex-M) */
	brr = cfg->kernel_hz / cfg->baud;
	brr += cfg->kernel_hz % cfg->baud >= cfg->baud - cfg->baud / 2;
	if (brr < 16 || brr > 0xFFFFu)
		return FK_EINVAL;
	u->cfg = *cfg;
	u->brr = brr;
	u->overruns = u->framing = u->noise = 0;
	return FK_OK;
}

/* The pin in its alternate function; the receive pin pulled up. The
 * function is chosen before the mode, so the pin never drives another
 * one. */
static void pin_af(const struct fk_usart_pin *p, int pull_up)
{
	uint32_t afr = p->gpio + 0x20u + (p->pin / 8u) * 4u;
	uint32_t shift4 = (p->pin % 8u) * 4u, shift2 = p->pin * 2u;
	uint32_t pupdr = p->gpio + 0x0Cu;

	if (!p->gpio)
		return;
	fk_stm32_wr(afr, (fk_stm32_rd(afr) & ~(0xFu << shift4)) |
				 (uint32_t)p->af << shift4);
	if (pull_up)
		fk_stm32_wr(pupdr, (fk_stm32_rd(pupdr) & ~(3u << shift2)) |
					   1u << shift2);
	fk_stm32_wr(p->gpio,
		    (fk_stm32_rd(p->gpio) & ~(3u << shift2)) | 2u << shift2);
}

void fk_usart_open(struct fk_usart *u)
{
	const struct usart_regs *r = regs_of(u);
	uint32_t ue = u->cfg.kind == FK_USART_ISR ? CR1_UE_ISR : CR1_UE_SR_DR;

	for (unsigned i = 0; i < 3; i++) {
		const struct fk_usart_clock *c = &u->cfg.clocks[i];

		if (!c->reg)
			continue;
		fk_stm32_wr(c->reg, fk_stm32_rd(c->reg) | c->bit);
		/* RM0033 6.3.x, RM0351 6.2.x: the first access to the
		 * peripheral comes two clock cycles after; a read waits */
		(void)fk_stm32_rd(c->reg);
	}
	/* BRR and the frame format only while the USART is off (L4/H7) */
	wr(u, r->cr1, 0);
	wr(u, r->brr, u->brr);
	wr(u, r->cr1, CR1_TE | CR1_RE);
	wr(u, r->cr1, CR1_TE | CR1_RE | ue);
	if (u->cfg.kind == FK_USART_ISR)
		wait_set(u, r->status, ISR_TEACK | ISR_REACK);
	pin_af(&u->cfg.tx, 0);
	pin_af(&u->cfg.rx, 1);
	u->overruns = u->framing = u->noise = 0;
}

/* Counts the errors in status st and clears them (ICR on L4/H7; on
 * F2/F4 the data register read that follows the status read does). */
static void take_errors(struct fk_usart *u, const struct usart_regs *r,
			uint32_t st)
{
	if (st & ST_ORE)
		u->overruns++;
	if (st & (ST_FE | ST_PE))
		u->framing++;
	else if ((st & ST_NF) && (st & ST_RXNE))
		u->noise++;
	if (r->clear && (st & ST_ERRORS))
		wr(u, r->clear, st & ST_ERRORS);
}

int fk_usart_read(struct fk_usart *u)
{
	const struct usart_regs *r = regs_of(u);
	uint32_t st = rd(u, r->status), byte;

	if (!(st & (ST_RXNE | ST_ERRORS)))
		return -1;
	take_errors(u, r, st);
	/* flags without a byte: F2/F4 clear them on the read of DR after
	 * the read of SR */
	if (!(st & ST_RXNE)) {
		if (!r->clear)
			(void)rd(u, r->rx);
		return -1;
	}
	byte = rd(u, r->rx) & 0xFFu;
	return st & (ST_FE | ST_PE) ? -1 : (int)byte;
}

void fk_usart_write(struct fk_usart *u, const void *data, uint32_t len)
{
	const struct usart_regs *r = regs_of(u);
	const uint8_t *p = data;

	if (!len)
		return;
	for (uint32_t i = 0; i < len; i++) {
		wait_set(u, r->status, ST_TXE);
		wr(u, r->tx, p[i]);
	}
	wait_set(u, r->status, ST_TC);
}
