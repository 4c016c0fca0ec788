/*
 * The QUADSPI model (quadspi.h). A command's life: CCR (and DLR, AR)
 * describe it; it starts on the write the manual names (RM0433 23.3.8:
 * CCR when it has no address and nothing to send, AR when it has an
 * address and nothing to send, the first DR write otherwise); the chip
 * sees it whole when it starts (reads: the data goes to a buffer the
 * FIFO is read from) or when its last data byte arrives (writes); TCF
 * then appears after TC_DELAY status reads, and BUSY clears with it
 * once a read's data has all been taken from DR.
 */
#include <stdlib.h>
#include <string.h>

#include "quadspi.h"

#define CR 0x00u
#define DCR 0x04u
#define SR 0x08u
#define FCR 0x0Cu
#define DLR 0x10u
#define CCR 0x14u
#define AR 0x18u
#define ABR 0x1Cu
#define DR 0x20u
#define REGS_SIZE 0x34u

#define CR_EN (1u << 0)
#define CR_ABORT (1u << 1)
#define CR_HELD_MASK 0xFF0000C0u /* PRESCALER, FSEL, DFM: BUSY = 0 only */
#define SR_TEF (1u << 0)
#define SR_TCF (1u << 1)
#define SR_FTF (1u << 2)
#define SR_BUSY (1u << 5)
#define FIFO 32u
#define TC_DELAY 2u
#define MAX_DATA (16u << 20)

#define FMODE(ccr) (((ccr) >> 26) & 3u)
#define FMODE_WRITE 0u
#define FMODE_READ 1u
#define FMODE_POLL 2u
#define FMODE_MAPPED 3u
#define IMODE(ccr) (((ccr) >> 8) & 3u)
#define ADMODE(ccr) (((ccr) >> 10) & 3u)
#define ADSIZE(ccr) ((((ccr) >> 12) & 3u) + 1u)
#define ABMODE(ccr) (((ccr) >> 14) & 3u)
#define DCYC(ccr) (((ccr) >> 18) & 0x1Fu)
#define DMODE(ccr) (((ccr) >> 24) & 3u)
#define DDRM(ccr) ((ccr) >> 31)

enum phase {
	IDLE,	  /* nothing in flight */
	WRITING,  /* indirect write started, data arriving in DR */
	READING,  /* indirect read: data waiting in the FIFO */
	FINISHING /* sent; TCF after tc_delay SR reads */
};

struct quadspi_model {
	struct uc *uc;
	struct nor_chip *chip;
	uint32_t regs;
	bool code_in_chip;
	uint32_t cr, dcr, dlr, ccr, ar, flags; /* flags: TEF, TCF */
	bool ar_pending;  /* CCR waits for its AR write to start */
	bool window_busy; /* a memory-mapped read kept BUSY set */
	bool abort_seen;  /* ABORT reads back 1 once */
	enum phase phase;
	uint32_t tc_delay;
	uint8_t *data;
	uint32_t len, pos;
};

static const char *const out_of_mapped =
	"RM0433 23.3.9: QUADSPI out of memory-mapped mode: code in the "
	"QSPI chip cannot be fetched; the driver and its callers must be "
	"FK_RAMFUNC and the interrupts living in QSPI masked";

bool quadspi_model_mapped(const struct quadspi_model *m)
{
	return (m->cr & CR_EN) && FMODE(m->ccr) == FMODE_MAPPED;
}

static void update_fetch_rule(struct quadspi_model *m)
{
	if (m->code_in_chip)
		uc_forbid_rom_fetch(
			m->uc, quadspi_model_mapped(m) ? NULL : out_of_mapped);
}

static bool busy(const struct quadspi_model *m)
{
	return m->phase != IDLE || m->window_busy;
}

static uint32_t chip_size(const struct quadspi_model *m)
{
	return nor_chip_size(m->chip);
}

/* Sends the CCR's instruction, address and dummy bytes to the chip. */
static void send_header(struct quadspi_model *m, uint32_t addr)
{
	nor_chip_select(m->chip);
	nor_chip_xfer(m->chip, (uint8_t)m->ccr);
	if (ADMODE(m->ccr))
		for (uint32_t i = ADSIZE(m->ccr); i-- > 0;)
			nor_chip_xfer(m->chip, (uint8_t)(addr >> (8 * i)));
	for (uint32_t i = 0; i < DCYC(m->ccr) / 8; i++)
		nor_chip_xfer(m->chip, 0xFF);
}

/* The modes the model wires the chip for: 1-1-1, SDR, no alternate
 * bytes, whole dummy bytes. */
static bool ccr_supported(struct quadspi_model *m, uint32_t ccr)
{
	const char *why = NULL;

	if (FMODE(ccr) == FMODE_POLL)
		why = "automatic status polling (FMODE=10) is not modelled";
	else if (IMODE(ccr) != 1 || ADMODE(ccr) > 1 || DMODE(ccr) > 1)
		why = "only single-line instruction, address and data are "
		      "modelled";
	else if (DDRM(ccr) || ABMODE(ccr))
		why = "DDR and alternate bytes are not modelled";
	else if (DCYC(ccr) % 8)
		why = "dummy cycles must be whole bytes on one line";
	if (why)
		uc_violation(m->uc, "QUADSPI model: CCR=0x%08X: %s", ccr, why);
	return !why;
}

static void finish(struct quadspi_model *m)
{
	m->phase = FINISHING;
	m->tc_delay = TC_DELAY;
}

static bool address_ok(struct quadspi_model *m)
{
	uint32_t fsize = (m->dcr >> 16) & 0x1Fu;

	if (!ADMODE(m->ccr) || fsize == 31 || m->ar < (2u << fsize))
		return true;
	m->flags |= SR_TEF; /* 23.5.3: address beyond FSIZE */
	m->phase = IDLE;
	return false;
}

/* The command starts: reads and data-less commands run on the chip. */
static void start(struct quadspi_model *m)
{
	bool has_data = DMODE(m->ccr) != 0;

	if (!(m->cr & CR_EN)) {
		uc_violation(m->uc, "RM0433 23.3.8: indirect command with "
				    "QUADSPI disabled (CR.EN=0): nothing is "
				    "sent");
		return;
	}
	if (!address_ok(m))
		return;
	m->len = has_data ? m->dlr + 1 : 0;
	m->pos = 0;
	if (m->len > MAX_DATA) {
		uc_violation(m->uc,
			     "QUADSPI model: DLR=0x%08X: transfer too "
			     "long for the model",
			     m->dlr);
		return;
	}
	free(m->data);
	m->data = m->len ? malloc(m->len) : NULL;
	if (FMODE(m->ccr) == FMODE_WRITE && has_data) {
		m->phase = WRITING;
		return;
	}
	send_header(m, m->ar);
	for (uint32_t i = 0; i < m->len; i++)
		m->data[i] = nor_chip_xfer(m->chip, 0xFF);
	nor_chip_deselect(m->chip);
	if (m->len) {
		m->phase = READING;
		m->tc_delay = TC_DELAY;
	} else {
		finish(m);
	}
}

static void write_done(struct quadspi_model *m)
{
	send_header(m, m->ar);
	for (uint32_t i = 0; i < m->len; i++)
		nor_chip_xfer(m->chip, m->data[i]);
	nor_chip_deselect(m->chip);
	finish(m);
}

static void do_abort(struct quadspi_model *m)
{
	if (nor_chip_selected(m->chip))
		nor_chip_deselect(m->chip);
	m->phase = IDLE;
	m->window_busy = false;
	m->ar_pending = false;
	m->tc_delay = 0;
	m->abort_seen = true;
	m->flags |= SR_TCF; /* 23.5.3: TCF is also set by an abort */
}

static bool check_not_busy(struct quadspi_model *m, const char *reg)
{
	if (!busy(m))
		return true;
	uc_violation(m->uc,
		     "RM0433 23.5: %s written while BUSY=1 (it can "
		     "be modified only when BUSY = 0)",
		     reg);
	return false;
}

static void write_ccr(struct quadspi_model *m, uint32_t v)
{
	if (!check_not_busy(m, "CCR") || !ccr_supported(m, v))
		return;
	m->ccr = v;
	m->ar_pending = false;
	update_fetch_rule(m);
	if (FMODE(v) == FMODE_MAPPED)
		return;
	if (!ADMODE(v) && (FMODE(v) == FMODE_READ || !DMODE(v)))
		start(m);
	else if (ADMODE(v) && (FMODE(v) == FMODE_READ || !DMODE(v)))
		m->ar_pending = true;
}

static void write_dr(struct quadspi_model *m, unsigned size, uint32_t v)
{
	if (m->phase == IDLE && FMODE(m->ccr) == FMODE_WRITE && DMODE(m->ccr) &&
	    !m->ar_pending)
		start(m);
	if (m->phase != WRITING) {
		if (!uc_violations(m->uc))
			uc_violation(m->uc, "RM0433 23.3.8: DR written with "
					    "no indirect write waiting for "
					    "data");
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		if (m->pos == m->len) {
			uc_violation(m->uc, "RM0433 23.3.8: more bytes "
					    "written to DR than DLR + 1");
			return;
		}
		m->data[m->pos++] = (uint8_t)(v >> (8 * i));
	}
	if (m->pos == m->len)
		write_done(m);
}

static uint32_t read_dr(struct quadspi_model *m, unsigned size)
{
	uint32_t v = 0;

	if (m->phase != READING || m->pos + size > m->len) {
		uc_violation(m->uc, "RM0433 23.3.8: DR read with no data left "
				    "in an indirect read (the bus stalls)");
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)m->data[m->pos++] << (8 * i);
	if (m->pos == m->len && m->tc_delay == 0)
		m->phase = IDLE;
	return v;
}

static uint32_t read_sr(struct quadspi_model *m)
{
	uint32_t level = 0, sr;

	if (m->tc_delay && --m->tc_delay == 0) {
		m->flags |= SR_TCF;
		if (m->phase == FINISHING ||
		    (m->phase == READING && m->pos == m->len))
			m->phase = IDLE;
	}
	if (m->phase == READING) {
		level = m->len - m->pos;
		level = level > FIFO ? FIFO : level;
	}
	sr = m->flags | level << 8 | (busy(m) ? SR_BUSY : 0);
	if (level || m->phase == WRITING ||
	    (m->phase == IDLE && FMODE(m->ccr) == FMODE_WRITE))
		sr |= SR_FTF; /* threshold 1: a byte to read, room to write */
	return sr;
}

static void write_cr(struct quadspi_model *m, uint32_t v)
{
	if (v & CR_ABORT) {
		do_abort(m);
		v &= ~CR_ABORT;
	}
	if (((v ^ m->cr) & CR_HELD_MASK) && !check_not_busy(m, "CR.PRESCALER"))
		return;
	m->cr = v;
	update_fetch_rule(m);
}

static uint32_t reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct quadspi_model *m = ctx;

	(void)size;
	switch (off) {
	case CR:
		if (m->abort_seen) {
			m->abort_seen = false;
			return m->cr | CR_ABORT;
		}
		return m->cr;
	case DCR:
		return m->dcr;
	case SR:
		return read_sr(m);
	case DLR:
		return m->dlr;
	case CCR:
		return m->ccr;
	case AR:
		return m->ar;
	case DR:
		return read_dr(m, size);
	default:
		return 0;
	}
}

static void reg_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	struct quadspi_model *m = ctx;

	switch (off) {
	case CR:
		write_cr(m, v);
		break;
	case DCR:
		if (check_not_busy(m, "DCR"))
			m->dcr = v;
		break;
	case FCR:
		m->flags &= ~(v & (SR_TEF | SR_TCF));
		break;
	case DLR:
		if (check_not_busy(m, "DLR"))
			m->dlr = v;
		break;
	case CCR:
		write_ccr(m, v);
		break;
	case AR:
		if (!check_not_busy(m, "AR"))
			break;
		m->ar = v;
		if (m->ar_pending) {
			m->ar_pending = false;
			start(m);
		}
		break;
	case DR:
		write_dr(m, size, v);
		break;
	default:
		break;
	}
}

static uint32_t window_read(void *ctx, uint32_t off, unsigned size)
{
	struct quadspi_model *m = ctx;
	uint32_t v = 0;

	if (!quadspi_model_mapped(m)) {
		uc_violation(m->uc,
			     "RM0433 23.3.9: read of the QSPI window "
			     "at offset 0x%X outside memory-mapped "
			     "mode (a bus error on the part)",
			     off);
		return 0;
	}
	send_header(m, off);
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)nor_chip_xfer(m->chip, 0xFF) << (8 * i);
	nor_chip_deselect(m->chip);
	m->window_busy = true; /* prefetching until ABORT or timeout */
	return v;
}

static void window_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	struct quadspi_model *m = ctx;

	(void)size;
	(void)v;
	uc_violation(m->uc,
		     "RM0433 23.3.9: store to the QSPI window at "
		     "offset 0x%X: memory-mapped mode is read-only",
		     off);
}

/* Power-on: as a boot stage leaves it when the code is in the chip
 * (enabled, memory-mapped 3-byte fast read), else the reset values. */
static void reset(void *ctx)
{
	struct quadspi_model *m = ctx;
	uint32_t log2 = (uint32_t)__builtin_ctz(chip_size(m));

	nor_chip_reset(m->chip);
	free(m->data);
	m->data = NULL;
	m->phase = IDLE;
	m->flags = m->dlr = m->ar = 0;
	m->ar_pending = m->window_busy = m->abort_seen = false;
	m->tc_delay = 0;
	m->cr = m->dcr = m->ccr = 0;
	if (m->code_in_chip) {
		m->cr = CR_EN | 1u << 24;
		m->dcr = (log2 - 1) << 16;
		m->ccr = 0x0Bu | 1u << 8 | 1u << 10 | 2u << 12 | 8u << 18 |
			 1u << 24 | (uint32_t)FMODE_MAPPED << 26;
	}
	update_fetch_rule(m);
}

struct quadspi_model *quadspi_model_create(struct uc *uc, struct nor_chip *chip,
					   uint32_t regs, bool code_in_chip)
{
	struct quadspi_model *m = calloc(1, sizeof(*m));
	struct uc_periph p = { .name = "QUADSPI",
			       .base = regs,
			       .size = REGS_SIZE,
			       .read = reg_read,
			       .write = reg_write,
			       .reset = reset };
	struct uc_periph w = { .name = "QSPI window",
			       .base = QUADSPI_WINDOW,
			       .read = window_read,
			       .write = window_write };

	if (!m)
		return NULL;
	m->uc = uc;
	m->chip = chip;
	m->regs = regs;
	m->code_in_chip = code_in_chip;
	p.ctx = w.ctx = m;
	w.size = nor_chip_size(chip);
	if (uc_add_periph(uc, &p) || uc_add_periph(uc, &w)) {
		free(m);
		return NULL;
	}
	reset(m);
	return m;
}

void quadspi_model_destroy(struct quadspi_model *m)
{
	if (!m)
		return;
	free(m->data);
	free(m);
}
