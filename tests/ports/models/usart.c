/*
 * The STM32 USART model (usart.h): its registers, the RCC and GPIO
 * register files it reads the clock and pin settings from, and the
 * host's end of the line (a queue of bytes to receive, a buffer of bytes
 * sent). Time advances by one step per status read (tick()).
 */
#include <stdlib.h>
#include <string.h>

#include "usart.h"

/* Status bits, SR and ISR alike; TEACK and REACK in ISR only. */
#define ST_PE (1u << 0)
#define ST_FE (1u << 1)
#define ST_NF (1u << 2)
#define ST_ORE (1u << 3)
#define ST_IDLE (1u << 4)
#define ST_RXNE (1u << 5)
#define ST_TC (1u << 6)
#define ST_TXE (1u << 7)
#define ST_ERRORS (ST_PE | ST_FE | ST_NF | ST_ORE | ST_IDLE)
#define ISR_TEACK (1u << 21)
#define ISR_REACK (1u << 22)

#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_PS (1u << 9)
#define CR1_PCE (1u << 10)
#define CR1_M0 (1u << 12)
#define CR1_OVER8 (1u << 15)
#define CR1_M1 (1u << 28)
#define CR1_UE_SR_DR (1u << 13)
#define CR1_UE_ISR (1u << 0)
#define CR1_FORMAT (CR1_PS | CR1_PCE | CR1_M0 | CR1_OVER8 | CR1_M1)
#define CR2_STOP (3u << 12)

#define WINDOW 0x400u

struct usart_model {
	struct uc *uc;
	struct usart_model_config cfg;
	uint32_t cr1, cr2, cr3, brr, presc, gtpr;
	uint32_t st;	   /* the status flags but TEACK, REACK */
	unsigned ack_wait; /* status reads before TEACK/REACK show */
	uint8_t rdr, tdr;
	bool shifting;	     /* a byte in the transmit shift register */
	uint8_t shift;	     /* that byte */
	unsigned shift_left; /* status reads until it has left */
	uint32_t sr_seen;    /* F2/F4: flags the SR reads since the
			      * last DR access showed (| SR_READ) */
	uint8_t *queue;	     /* host bytes not arrived yet */
	uint32_t q_head, q_len, q_cap;
	unsigned gap, gap_left;
	uint8_t *sent; /* bytes the host received, not taken yet */
	uint32_t sent_len, sent_cap;
	uint32_t rx_lost, tx_lost;
	bool unplugged;
	unsigned hand_back, idle; /* usart_model_hand_back; reads idle */
	bool settle;		  /* handed back: no arrival at next read */
	bool sent_all;		  /* the shift register emptied, TC set */
	uint32_t rcc[WINDOW / 4], gpio[WINDOW / 4];
};

static bool is_isr(const struct usart_model *m)
{
	return m->cfg.kind == USART_MODEL_ISR;
}

static uint32_t ue_bit(const struct usart_model *m)
{
	return is_isr(m) ? CR1_UE_ISR : CR1_UE_SR_DR;
}

static bool on(const struct usart_model *m, uint32_t bits)
{
	return (m->cr1 & (ue_bit(m) | bits)) == (ue_bit(m) | bits);
}

static bool rcc_bit_set(const struct usart_model *m, uint32_t reg, uint32_t bit)
{
	if (!m->cfg.rcc || !reg)
		return true;
	return (m->rcc[(reg - m->cfg.rcc) / 4] & bit) != 0;
}

/* The pin in the USART's alternate function. */
static bool pin_connected(const struct usart_model *m, unsigned pin)
{
	uint32_t mode = m->gpio[0] >> (pin * 2) & 3u;
	uint32_t af = m->gpio[(0x20 + pin / 8 * 4) / 4] >> (pin % 8 * 4) & 15u;

	return mode == 2 && af == m->cfg.af;
}

static bool pulled_up(const struct usart_model *m, unsigned pin)
{
	return (m->gpio[0x0C / 4] >> (pin * 2) & 3u) == 1;
}

/* The USART's frames are the host's: 8N1, oversampling by 16 (no
 * prescaler), baud within 2 %. */
static bool line_matches(const struct usart_model *m)
{
	uint64_t baud;

	if ((m->cr1 & CR1_FORMAT) || (m->cr2 & CR2_STOP) || m->presc ||
	    m->brr < 16)
		return false;
	baud = m->cfg.kernel_hz / m->brr;
	return baud * 50 >= (uint64_t)m->cfg.baud * 49 &&
	       baud * 50 <= (uint64_t)m->cfg.baud * 51;
}

static void host_gets(struct usart_model *m, uint8_t byte)
{
	if (m->unplugged || !pin_connected(m, m->cfg.tx_pin) ||
	    !line_matches(m)) {
		m->tx_lost++;
		return;
	}
	if (m->sent_len == m->sent_cap) {
		uint32_t cap = m->sent_cap ? m->sent_cap * 2 : 256;
		uint8_t *p = realloc(m->sent, cap);

		if (!p) {
			m->tx_lost++;
			return;
		}
		m->sent = p;
		m->sent_cap = cap;
	}
	m->sent[m->sent_len++] = byte;
}

/* A byte completes on the RX pin now (the host's, or a break on a
 * floating line). */
static void byte_in(struct usart_model *m, uint8_t byte, unsigned err)
{
	if (!on(m, CR1_RE) || !pin_connected(m, m->cfg.rx_pin)) {
		m->rx_lost++;
		return;
	}
	/* RM0351 40.5.5 "Overrun error": while ORE is set RDR is not
	 * updated (L4/H7); a byte completing over an unread RDR is lost */
	if ((is_isr(m) && (m->st & ST_ORE)) || (m->st & ST_RXNE)) {
		m->st |= ST_ORE;
		m->rx_lost++;
		return;
	}
	if (!line_matches(m)) {
		err |= USART_MODEL_FRAMING;
		byte = (uint8_t)(byte ^ 0xA5u);
	}
	m->rdr = byte;
	m->st |= ST_RXNE;
	if (err & USART_MODEL_FRAMING)
		m->st |= ST_FE;
	if (err & USART_MODEL_NOISE)
		m->st |= ST_NF;
}

/* The transmit data register's byte moves to the shift register. */
static void load_shift(struct usart_model *m)
{
	m->shift = m->tdr;
	m->shifting = true;
	m->shift_left = USART_MODEL_TX_READS;
	m->st |= ST_TXE;
}

/* One step of time: the byte being sent, the host's queue, a floating
 * RX line. */
static void tick(struct usart_model *m)
{
	if (m->ack_wait)
		m->ack_wait--;
	if (m->shifting && --m->shift_left == 0) {
		m->shifting = false;
		host_gets(m, m->shift);
		if (!(m->st & ST_TXE))
			load_shift(m);
		else {
			m->st |= ST_TC;
			m->sent_all = true;
		}
	}
	if (m->settle) {
		m->settle = false;
	} else if (m->q_len && --m->gap_left == 0) {
		uint8_t byte = m->queue[m->q_head++];

		m->gap_left = m->gap;
		m->q_len--;
		if (m->unplugged)
			m->rx_lost++; /* sent into a cable that is out */
		else
			byte_in(m, byte, 0);
	}
	if (m->unplugged) {
		if (!pulled_up(m, m->cfg.rx_pin))
			byte_in(m, 0x00, USART_MODEL_FRAMING);
	}
}

static bool clocked(struct usart_model *m)
{
	if (rcc_bit_set(m, m->cfg.clock_reg, m->cfg.clock_bit))
		return true;
	uc_violation(m->uc,
		     "%s: %s register access with its clock off (RCC 0x%08x "
		     "bit mask 0x%x clear): the part reads 0 and drops writes",
		     m->cfg.rm, m->cfg.name, m->cfg.clock_reg,
		     m->cfg.clock_bit);
	return false;
}

/* A status read: hands control back to the test when asked to. The
 * host's answer starts arriving no sooner than the second status read
 * after (settle): it cannot answer in no time, and the read the run
 * stopped in may be executed again when it resumes. */
static void maybe_hand_back(struct usart_model *m)
{
	bool quiet = !m->q_len && !(m->st & ST_RXNE) && !m->shifting &&
		     (m->st & ST_TXE);

	if (!m->hand_back)
		return;
	if ((m->sent_all && !m->q_len) ||
	    (quiet && ++m->idle >= m->hand_back)) {
		m->sent_all = false;
		m->idle = 0;
		m->settle = true;
		uc_power_lost(m->uc);
	} else if (!quiet) {
		m->idle = 0;
	}
}

static uint32_t status(struct usart_model *m)
{
	uint32_t v = m->st;

	if (is_isr(m) && !m->ack_wait) {
		if (on(m, CR1_TE))
			v |= ISR_TEACK;
		if (on(m, CR1_RE))
			v |= ISR_REACK;
	}
	return v;
}

static uint8_t read_data(struct usart_model *m)
{
	m->st &= ~ST_RXNE;
	return m->rdr;
}

/* RM0033 24.6.1, RM0090 30.6.1: the error flags clear on a read of DR
 * after a read of SR that showed them, TC on a write of DR after a read
 * of SR; sr_seen keeps what the SR reads since the last DR access
 * showed. */
#define SR_READ 0x80000000u
static uint32_t sr_dr_read(struct usart_model *m, uint32_t off)
{
	switch (off) {
	case 0x00:
		tick(m);
		maybe_hand_back(m);
		m->sr_seen |= status(m) | SR_READ;
		return status(m);
	case 0x04:
		m->st &= ~(m->sr_seen & ST_ERRORS);
		m->sr_seen = 0;
		return read_data(m);
	case 0x08:
		return m->brr;
	case 0x0C:
		return m->cr1;
	case 0x10:
		return m->cr2;
	case 0x14:
		return m->cr3;
	case 0x18:
		return m->gtpr;
	}
	return 0;
}

static uint32_t isr_read(struct usart_model *m, uint32_t off)
{
	switch (off) {
	case 0x00:
		return m->cr1;
	case 0x04:
		return m->cr2;
	case 0x08:
		return m->cr3;
	case 0x0C:
		return m->brr;
	case 0x10:
		return m->gtpr;
	case 0x1C:
		tick(m);
		maybe_hand_back(m);
		return status(m);
	case 0x24:
		return read_data(m);
	case 0x28:
		return m->tdr;
	case 0x2C:
		return m->presc;
	}
	return 0;
}

static uint32_t reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct usart_model *m = ctx;

	(void)size;
	if (!clocked(m))
		return 0;
	return is_isr(m) ? isr_read(m, off) : sr_dr_read(m, off);
}

/* A byte for the transmitter. */
static void transmit(struct usart_model *m, uint8_t byte, bool clears_tc)
{
	if (!on(m, CR1_TE)) {
		uc_violation(m->uc,
			     "%s: %s data register written with the "
			     "transmitter off (UE or TE 0): the byte is "
			     "never sent",
			     m->cfg.rm, m->cfg.name);
		return;
	}
	if (!(m->st & ST_TXE))
		m->tx_lost++; /* the byte waiting is overwritten */
	m->tdr = byte;
	m->st &= ~ST_TXE;
	if (clears_tc)
		m->st &= ~ST_TC;
	if (!m->shifting)
		load_shift(m);
}

/* UE cleared: transfers stop, the status is back to reset (RM0351
 * 40.8.1 UE). */
static void disable(struct usart_model *m)
{
	m->shifting = false;
	m->st = ST_TXE | ST_TC;
}

static void write_cr1(struct usart_model *m, uint32_t value)
{
	bool was_on = (m->cr1 & ue_bit(m)) != 0;

	if (is_isr(m) && was_on && ((m->cr1 ^ value) & CR1_FORMAT)) {
		uc_violation(m->uc,
			     "%s: %s CR1 frame format (M, OVER8, PCE, PS) "
			     "changed while UE is 1: it is written only while "
			     "the USART is disabled",
			     m->cfg.rm, m->cfg.name);
		return;
	}
	m->cr1 = value;
	if (was_on && !(value & ue_bit(m)))
		disable(m);
	if (!was_on && (value & ue_bit(m)))
		m->ack_wait = 2;
}

static void write_brr(struct usart_model *m, uint32_t value)
{
	if (is_isr(m) && (m->cr1 & CR1_UE_ISR)) {
		uc_violation(m->uc,
			     "%s: %s BRR written while UE is 1: it is "
			     "written only while the USART is disabled",
			     m->cfg.rm, m->cfg.name);
		return;
	}
	m->brr = value & 0xFFFFu;
}

static void sr_dr_write(struct usart_model *m, uint32_t off, uint32_t value)
{
	uint32_t seen = m->sr_seen;

	if (off == 0x04)
		m->sr_seen = 0;
	switch (off) {
	case 0x00: /* TC, RXNE (and CTS, LBD): rc_w0 */
		m->st &= value | ~(ST_TC | ST_RXNE);
		break;
	case 0x04: /* TC clears on the SR read then DR write */
		transmit(m, (uint8_t)value, seen != 0);
		break;
	case 0x08:
		write_brr(m, value);
		break;
	case 0x0C:
		write_cr1(m, value);
		break;
	case 0x10:
		m->cr2 = value;
		break;
	case 0x14:
		m->cr3 = value;
		break;
	case 0x18:
		m->gtpr = value;
		break;
	}
}

static void isr_write(struct usart_model *m, uint32_t off, uint32_t value)
{
	switch (off) {
	case 0x00:
		write_cr1(m, value);
		break;
	case 0x04:
		m->cr2 = value;
		break;
	case 0x08:
		m->cr3 = value;
		break;
	case 0x0C:
		write_brr(m, value);
		break;
	case 0x10:
		m->gtpr = value;
		break;
	case 0x20: /* ICR: PECF FECF NCF ORECF IDLECF, TCCF */
		m->st &= ~(value & (ST_ERRORS | ST_TC));
		break;
	case 0x28:
		transmit(m, (uint8_t)value, true);
		break;
	case 0x2C:
		m->presc = value & 15u;
		break;
	}
}

static void reg_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct usart_model *m = ctx;

	(void)size;
	if (!clocked(m))
		return;
	if (is_isr(m))
		isr_write(m, off, value);
	else
		sr_dr_write(m, off, value);
}

/* The RCC and GPIO blocks: plain registers, accessed by any width. */
static uint32_t file_read(uint32_t *file, uint32_t off, unsigned size)
{
	uint32_t w = file[off / 4] >> (off % 4 * 8);

	return size == 4 ? w : w & ((1u << (size * 8)) - 1);
}

static void file_write(uint32_t *file, uint32_t off, unsigned size,
		       uint32_t value)
{
	uint32_t shift = off % 4 * 8;
	uint32_t mask =
		size == 4 ? 0xFFFFFFFFu : ((1u << (size * 8)) - 1) << shift;

	file[off / 4] = (file[off / 4] & ~mask) | (value << shift & mask);
}

static uint32_t rcc_read(void *ctx, uint32_t off, unsigned size)
{
	struct usart_model *m = ctx;

	return file_read(m->rcc, off, size);
}

static void rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct usart_model *m = ctx;

	file_write(m->rcc, off, size, value);
}

static bool gpio_clocked(struct usart_model *m)
{
	if (rcc_bit_set(m, m->cfg.gpio_clock_reg, m->cfg.gpio_clock_bit))
		return true;
	uc_violation(m->uc,
		     "%s: GPIO port 0x%08x accessed with its clock off (RCC "
		     "0x%08x bit mask 0x%x clear): the part reads 0 and drops "
		     "writes",
		     m->cfg.rm, m->cfg.gpio, m->cfg.gpio_clock_reg,
		     m->cfg.gpio_clock_bit);
	return false;
}

static uint32_t gpio_read(void *ctx, uint32_t off, unsigned size)
{
	struct usart_model *m = ctx;

	return gpio_clocked(m) ? file_read(m->gpio, off, size) : 0;
}

static void gpio_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct usart_model *m = ctx;

	if (gpio_clocked(m))
		file_write(m->gpio, off, size, value);
}

static void reset(void *ctx)
{
	struct usart_model *m = ctx;

	m->cr1 = m->cr2 = m->cr3 = m->brr = m->presc = m->gtpr = 0;
	m->st = ST_TXE | ST_TC;
	m->ack_wait = 0;
	m->rdr = m->tdr = 0;
	m->shifting = false;
	m->sr_seen = 0;
	m->sent_all = m->settle = false;
	m->idle = 0;
	m->rx_lost += m->q_len; /* on the line while the device reset */
	m->q_len = m->q_head = 0;
	memset(m->rcc, 0, sizeof(m->rcc));
	memset(m->gpio, 0, sizeof(m->gpio));
	m->gpio[0] = m->cfg.moder_reset;
	m->gpio[0x0C / 4] = m->cfg.pupdr_reset;
}

struct usart_model *usart_model_create(struct uc *uc,
				       const struct usart_model_config *cfg)
{
	struct usart_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->uc = uc;
	m->cfg = *cfg;
	struct uc_periph regs = { cfg->name, cfg->regs, WINDOW, reg_read,
				  reg_write, reset,	m };
	struct uc_periph rcc = { "RCC",	    cfg->rcc, WINDOW, rcc_read,
				 rcc_write, NULL,     m };
	struct uc_periph gpio = { "GPIO",     cfg->gpio, WINDOW, gpio_read,
				  gpio_write, NULL,	 m };

	if (uc_add_periph(uc, &regs) != 0 ||
	    (cfg->rcc && uc_add_periph(uc, &rcc) != 0) ||
	    (cfg->gpio && uc_add_periph(uc, &gpio) != 0)) {
		usart_model_destroy(m);
		return NULL;
	}
	reset(m);
	return m;
}

void usart_model_destroy(struct usart_model *m)
{
	if (!m)
		return;
	free(m->queue);
	free(m->sent);
	free(m);
}

void usart_model_arrive(struct usart_model *m, const void *data, uint32_t n,
			unsigned err)
{
	const uint8_t *p = data;

	for (uint32_t i = 0; i < n; i++) {
		if (m->unplugged)
			m->rx_lost++;
		else
			byte_in(m, p[i], err);
	}
}

void usart_model_queue(struct usart_model *m, const void *data, uint32_t n,
		       unsigned gap)
{
	if (m->q_head) {
		memmove(m->queue, m->queue + m->q_head, m->q_len);
		m->q_head = 0;
	}
	if (m->q_len + n > m->q_cap) {
		uint32_t cap = (m->q_len + n) * 2;
		uint8_t *q = realloc(m->queue, cap);

		if (!q) {
			m->rx_lost += n;
			return;
		}
		m->queue = q;
		m->q_cap = cap;
	}
	memcpy(m->queue + m->q_len, data, n);
	m->q_len += n;
	m->gap = gap ? gap : 1;
	if (!m->gap_left)
		m->gap_left = m->gap;
}

uint32_t usart_model_queued(const struct usart_model *m)
{
	return m->q_len;
}

void usart_model_hand_back(struct usart_model *m, unsigned idle_reads)
{
	m->hand_back = idle_reads;
	m->idle = 0;
	m->sent_all = false;
}

void usart_model_unplug(struct usart_model *m, bool out)
{
	m->unplugged = out;
}

uint32_t usart_model_take(struct usart_model *m, void *buf, uint32_t cap)
{
	uint32_t n = m->sent_len < cap ? m->sent_len : cap;

	if (!n)
		return 0;
	memcpy(buf, m->sent, n);
	memmove(m->sent, m->sent + n, m->sent_len - n);
	m->sent_len -= n;
	return n;
}

uint32_t usart_model_sent(const struct usart_model *m)
{
	return m->sent_len;
}

uint32_t usart_model_rx_lost(const struct usart_model *m)
{
	return m->rx_lost;
}

uint32_t usart_model_tx_lost(const struct usart_model *m)
{
	return m->tx_lost;
}

uint32_t usart_model_brr(const struct usart_model *m)
{
	return m->brr;
}

uint32_t usart_model_cr1(const struct usart_model *m)
{
	return m->cr1;
}

uint32_t usart_model_status(const struct usart_model *m)
{
	return m->st;
}
