/*
 * Register model of an STM32 USART, both register sets (the F2/F4 one,
 * RM0033 ch. 24 / RM0090 ch. 30: SR DR BRR CR1..3; the L4/H7 one,
 * RM0351 ch. 40 / RM0433 ch. 48: CR1..3 BRR ISR ICR RDR TDR), with the
 * far end of its serial line on the host, for the port tests
 * (ports/stm32/usart.c). It also keeps, as plain register files, the
 * RCC block and the GPIO port the USART's pins are on, and reads them to
 * know whether the USART is clocked and its pins connected.
 *
 * Time: a byte's time on the line is a number of reads of the status
 * register (SR or ISR): the transmitter's shift register sends a byte in
 * USART_MODEL_TX_READS of them, and bytes the host queued with
 * usart_model_queue() arrive one per gap reads. Bytes the host sends with
 * usart_model_arrive() arrive at once, between two calls into the
 * emulated CPU: the CPU was busy elsewhere meanwhile.
 *
 * What it enforces, as the part does:
 * - An access to the USART with its RCC enable bit clear, or to the GPIO
 *   port with its own clear, is a violation (the part reads 0 and drops
 *   writes).
 * - L4/H7: BRR written, or CR1's frame format (M0, M1, OVER8, PCE, PS)
 *   changed, while UE is 1, is a violation (RM0351 40.8.1/40.8.4).
 * - A byte written to TDR/DR while UE or TE is 0 is a violation (it
 *   would never be sent); one written while TXE is 0 overwrites the
 *   byte waiting, which is lost (counted, never sent).
 * - Receiving: a byte that completes while RXNE is set is lost and sets
 *   ORE; on L4/H7, while ORE is set no byte reaches RDR (lost too) until
 *   ICR.ORECF clears it; on F2/F4 the error flags (ORE, FE, NF) clear
 *   only by a read of SR followed by a read of DR.
 * - A byte reaches the host only once its frame is over (TC), and only
 *   through a TX pin in its alternate function (MODER 10, AFR the
 *   USART's); the host's bytes reach RDR only through an RX pin so set
 *   and with RE and UE on; otherwise they are lost.
 * - The line is 8N1 at the host's baud: a USART whose kernel clock / BRR
 *   is more than 2 % off, or whose frame format is not 8N1 with
 *   oversampling by 16, garbles every byte: the host gets none, the
 *   USART receives each with FE set.
 * - An unplugged cable (usart_model_unplug) loses what both ends send,
 *   and leaves RX floating unless its pin is pulled up (PUPDR 01): then
 *   each status read brings a break (0x00 with FE).
 *
 * Host only (C11).
 */
#ifndef FLASHKIT_TESTS_MODEL_USART_H
#define FLASHKIT_TESTS_MODEL_USART_H

#include <stdbool.h>
#include <stdint.h>

#include "uc.h"

#define USART_MODEL_TX_READS 3u

enum usart_model_kind {
	USART_MODEL_SR_DR = 1, /* F2/F4 */
	USART_MODEL_ISR = 2,   /* L4/H7 */
};

struct usart_model_config {
	const char *name; /* "USART2", in messages */
	enum usart_model_kind kind;
	uint32_t regs;		       /* the USART's base */
	uint32_t kernel_hz;	       /* its kernel clock */
	uint32_t baud;		       /* the host's end of the line */
	uint32_t rcc;		       /* RCC block base (0x400 bytes kept) */
	uint32_t clock_reg, clock_bit; /* the USART's enable bit */
	uint32_t gpio;		       /* the pins' port (0x400 bytes) */
	uint32_t gpio_clock_reg, gpio_clock_bit;
	uint32_t moder_reset, pupdr_reset; /* the port's reset values */
	unsigned tx_pin, rx_pin, af;
	/* The manual section quoted in violations, e.g. "RM0351 40.8". */
	const char *rm;
};

/* Errors the host's end can put on a byte (usart_model_arrive). */
#define USART_MODEL_FRAMING 1u /* its stop bit 0 */
#define USART_MODEL_NOISE 2u   /* noise while it was sampled */

struct usart_model;

/* Attaches the USART, RCC and GPIO windows to uc. NULL on error. */
struct usart_model *usart_model_create(struct uc *uc,
				       const struct usart_model_config *cfg);
void usart_model_destroy(struct usart_model *m);

/* The host sends n bytes that complete now, one after the other, each
 * with the errors err (USART_MODEL_*). */
void usart_model_arrive(struct usart_model *m, const void *data, uint32_t n,
			unsigned err);
/* The host sends n bytes that arrive one per gap status reads (gap >=
 * 1). */
void usart_model_queue(struct usart_model *m, const void *data, uint32_t n,
		       unsigned gap);
/* Bytes of the queue not arrived yet. */
uint32_t usart_model_queued(const struct usart_model *m);
/* The cable is pulled out (true) or plugged back: meanwhile the bytes
 * either end sends are lost. A reset of the device (uc_reboot) loses the
 * host's bytes not arrived yet. */
void usart_model_unplug(struct usart_model *m, bool out);

/*
 * For a whole program under test (a bootloader's recovery mode, which
 * never returns): the model hands control back to the test by ending
 * the run as a power loss does (uc_power_lost, the one way a model has
 * to stop it; the test resumes the core where it stopped, uc_run_code
 * with sp 0): once the transmitter has sent everything (the status read
 * that shows TC) with no byte of the host's left to arrive, or after
 * idle_reads status reads with nothing to receive or send. 0: never.
 * The host's bytes queued meanwhile start arriving at the second status
 * read after the resume (the read the run stopped in may run again).
 */
void usart_model_hand_back(struct usart_model *m, unsigned idle_reads);

/* Bytes the host received since the last take (up to cap into buf;
 * returns how many were taken). */
uint32_t usart_model_take(struct usart_model *m, void *buf, uint32_t cap);
/* Bytes waiting for the host to take them. */
uint32_t usart_model_sent(const struct usart_model *m);

/* Counters: bytes of the host's lost on the way in (overrun, receiver
 * off, pin not connected) and of the USART's lost on the way out
 * (overwritten, pin not connected, garbled). */
uint32_t usart_model_rx_lost(const struct usart_model *m);
uint32_t usart_model_tx_lost(const struct usart_model *m);

/* Registers, for tests: BRR, CR1, the status (SR or ISR). */
uint32_t usart_model_brr(const struct usart_model *m);
uint32_t usart_model_cr1(const struct usart_model *m);
uint32_t usart_model_status(const struct usart_model *m);

#endif
