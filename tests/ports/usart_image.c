/*
 * The USART port test image (usart.cmake): the driver (ports/stm32/
 * usart.c) on the seed boards' lines (usart_boards.c), entry points the
 * host test calls (test_usart.c), and functions that break the manuals'
 * rules on purpose, so the tests can show that the model
 * (tests/ports/models/usart.c) catches each one. It has no flash: the
 * shim's fk_shim_open finds none.
 */
#include <stdint.h>

#include "shim/shim.h"
#include "stm32/usart.h"

/* Lines by variant: 0 F205 USART1, 1 L476 USART2, 2 H750 USART1, 3 H745
 * USART3. */
static const struct fk_usart_config *const lines[] = {
	&fk_usart_f205_usart1,
	&fk_usart_l476_usart2,
	&fk_usart_h750_usart1,
	&fk_usart_h745_usart3,
};

static struct fk_usart_config cfg;
static struct fk_usart u;
uint8_t usart_test_buf[1024];

const struct fk_flash *fk_shim_open(uint32_t variant)
{
	(void)variant;
	return 0;
}

/* Takes line variant's configuration for the next usart_test_open. */
int usart_test_load(uint32_t variant)
{
	if (variant >= sizeof(lines) / sizeof(lines[0]))
		return -1;
	cfg = *lines[variant];
	return 0;
}

/* The configuration told another kernel clock and baud. */
void usart_test_set_clock(uint32_t kernel_hz, uint32_t baud)
{
	cfg.kernel_hz = kernel_hz;
	cfg.baud = baud;
}

/* The configuration without its clock enables (what = 1), its pins
 * (what = 2), or its GPIO port's clock enable alone (what = 3: the
 * lines list it first). */
void usart_test_drop(uint32_t what)
{
	if (what == 1)
		for (unsigned i = 0; i < 3; i++)
			cfg.clocks[i].reg = 0;
	if (what == 2)
		cfg.tx.gpio = cfg.rx.gpio = 0;
	if (what == 3)
		cfg.clocks[0].reg = 0;
}

/* fk_usart_init's result; then open when it succeeded. */
int usart_test_open(void)
{
	int rc = fk_usart_init(&u, &cfg);

	if (rc == 0)
		fk_usart_open(&u);
	return rc;
}

int usart_test_read(void)
{
	return fk_usart_read(&u);
}

/* Reads into usart_test_buf until n bytes came or tries reads in a row
 * returned -1; returns the bytes read. */
uint32_t usart_test_read_n(uint32_t n, uint32_t tries)
{
	uint32_t got = 0, idle = 0;

	while (got < n && idle < tries) {
		int c = fk_usart_read(&u);

		if (c < 0) {
			idle++;
		} else {
			usart_test_buf[got++] = (uint8_t)c;
			idle = 0;
		}
	}
	return got;
}

void usart_test_write(uint32_t n)
{
	fk_usart_write(&u, usart_test_buf, n);
}

/* 0 overruns, 1 framing, 2 noise, 3 the BRR value. */
uint32_t usart_test_stat(uint32_t which)
{
	const uint32_t v[] = { u.overruns, u.framing, u.noise, u.brr };

	return which < 4 ? v[which] : 0;
}

/* ---- misuses: each breaks one rule the model enforces ---- */

#define REG(off) (*(volatile uint32_t *)(cfg.regs + (off)))
#define ISR_SET (cfg.kind == FK_USART_ISR)
#define CR1 REG(ISR_SET ? 0x00u : 0x0Cu)
#define BRR REG(ISR_SET ? 0x0Cu : 0x08u)
#define STATUS REG(ISR_SET ? 0x1Cu : 0x00u)
#define RXD REG(ISR_SET ? 0x24u : 0x04u)
#define TXD REG(ISR_SET ? 0x28u : 0x04u)
#define UE (ISR_SET ? 1u : 1u << 13)
#define ST_TC (1u << 6)
#define ST_TXE (1u << 7)

/* BRR written while the USART is on (open first). */
void usart_misuse_brr_while_on(void)
{
	BRR = 35;
}

/* CR1's word length changed while the USART is on (open first). */
void usart_misuse_format_while_on(void)
{
	CR1 |= 1u << 12;
}

/* UE cleared, then a byte written. */
void usart_misuse_write_while_off(void)
{
	CR1 &= ~UE;
	TXD = 0x55;
}

/* n bytes of usart_test_buf written without waiting for TXE, then
 * waits for TC. */
void usart_misuse_write_without_txe(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		(void)STATUS;
		TXD = usart_test_buf[i];
	}
	while (!(STATUS & ST_TC))
		;
}

/* n bytes, each after TXE, and returns without waiting for TC. */
void usart_misuse_write_without_tc(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		while (!(STATUS & ST_TXE))
			;
		TXD = usart_test_buf[i];
	}
}

/* Reads a byte the way a driver that never clears the error flags
 * would: on L4/H7 the data register when ISR shows RXNE, but no ICR
 * write (-1 when none); on F2/F4 the data register without the read of
 * SR before it. */
int usart_misuse_read_without_clearing(void)
{
	if (ISR_SET && !(STATUS & (1u << 5)))
		return -1;
	return (int)(RXD & 0xFFu);
}

/* The receive pin's pull-up taken away (open first). */
void usart_misuse_no_pull_up(void)
{
	volatile uint32_t *pupdr = (volatile uint32_t *)(cfg.rx.gpio + 0x0Cu);

	*pupdr &= ~(3u << (cfg.rx.pin * 2u));
}
