/*
 * The STM32L4 flash model (l4.h). The rules and their sources:
 * RM0351 section 3.3.5 "Flash program and erase operations" (unlock
 * sequence, BSY), 3.3.6 (page erase), 3.3.7 (standard programming and
 * its errors: PROGERR, SIZERR, PGAERR, PGSERR, WRPERR), 3.3.8
 * (read-while-write), 3.3.2 ("Error code correction": ECCD, ADDR_ECC,
 * BK_ECC) and 3.7 (the registers).
 */
#include <stdlib.h>
#include <string.h>

#include "l4.h"
#include "stm32_model.h"

#define ACR 0x00u
#define KEYR 0x08u
#define OPTKEYR 0x0Cu
#define SR 0x10u
#define CR 0x14u
#define ECCR 0x18u
#define OPTR 0x20u

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define SR_W1C                                                                \
	(SR_EOP | SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | \
	 SR_PGSERR | SR_MISERR | SR_FASTERR | SR_RDERR | SR_OPTVERR)
/* Flags a new program or erase finds left over: PGSERR. */
#define SR_PROG_ERRORS                                                \
	(SR_PROGERR | SR_SIZERR | SR_PGAERR | SR_PGSERR | SR_MISERR | \
	 SR_FASTERR)

#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_PNB(cr) (((cr) >> 3) & 0xFFu)
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK (1u << 31)
#define CR_OPS (CR_PG | CR_PER | CR_MER1 | CR_MER2 | CR_STRT)

#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_ICRST (1u << 11)
#define ACR_DCRST (1u << 12)

#define ECCR_ADDR_MASK 0x7FFFFu
#define ECCR_BK_ECC (1u << 19)
#define ECCR_ECCIE (1u << 24)
#define ECCR_ECCC (1u << 30)
#define ECCR_ECCD (1u << 31)

#define PAGE 2048u

struct l4_model {
	struct uc *uc;
	struct fk_sim *sim;
	uint32_t size, bank_size;
	uint32_t acr, sr, cr, eccr;
	unsigned key_step;  /* keys accepted so far of the sequence */
	bool key_lockout;   /* wrong key: CR locked until reset */
	bool half;	    /* first word of a double word received */
	uint32_t half_off;  /* its offset */
	uint32_t half_word; /* its value */
	struct stm32_busy busy;
	uint32_t bank_erases[2];
	bool dcache_stale; /* an erase since the data cache's last reset */
};

static void l4_reset(void *ctx)
{
	struct l4_model *m = ctx;

	m->acr = 0x600;
	m->sr = 0;
	m->cr = CR_LOCK | CR_OPTLOCK;
	m->eccr = 0;
	m->key_step = 0;
	m->key_lockout = false;
	m->half = false;
	m->dcache_stale = false;
	stm32_busy_reset(m->uc, &m->busy);
}

static bool l4_idle(struct l4_model *m, const char *what)
{
	if (!m->busy.reads_left)
		return true;
	uc_violation(m->uc,
		     "RM0351 3.3.5: %s while BSY: check that no flash "
		     "operation is ongoing first",
		     what);
	return false;
}

static void l4_keyr(struct l4_model *m, uint32_t value)
{
	static const uint32_t keys[2] = { KEY1, KEY2 };

	if (m->key_lockout || !(m->cr & CR_LOCK) ||
	    value != keys[m->key_step]) {
		m->key_lockout = true;
		uc_violation(m->uc,
			     "RM0351 3.3.5: wrong FLASH_KEYR sequence "
			     "(0x%08x): bus error, FLASH_CR locked until reset",
			     value);
		return;
	}
	if (++m->key_step == 2) {
		m->key_step = 0;
		m->cr &= ~CR_LOCK;
	}
}

/* STRT: a page erase, or PGSERR. */
static void l4_start(struct l4_model *m, uint32_t cr)
{
	uint32_t bank = cr & CR_BKER ? 1 : 0;
	uint32_t banks = m->size / m->bank_size;
	int rc;

	if ((m->sr & SR_PROG_ERRORS) || (cr & CR_PG) ||
	    !(cr & (CR_PER | CR_MER1 | CR_MER2))) {
		m->sr |= SR_PGSERR;
		return;
	}
	if (!(cr & CR_PER) || CR_PNB(cr) >= m->bank_size / PAGE ||
	    bank >= banks) {
		uc_violation(m->uc,
			     "RM0351 3.3.6: erase of page %u of bank %u: no "
			     "such page (mass erase not modelled)",
			     CR_PNB(cr), bank + 1);
		return;
	}
	rc = stm32_sim_erase(m->uc, m->sim,
			     bank * m->bank_size + CR_PNB(cr) * PAGE, PAGE);
	if (rc == FK_EPOWER)
		return;
	if (rc == FK_EPROTECT) {
		m->sr |= SR_WRPERR;
		return;
	}
	m->bank_erases[bank]++;
	m->dcache_stale |= (m->acr & ACR_DCEN) != 0;
	stm32_busy_start(m->uc, &m->busy);
	if (cr & CR_EOPIE)
		m->sr |= SR_EOP;
}

static void l4_cr(struct l4_model *m, uint32_t value)
{
	if (m->cr & CR_LOCK) {
		if (value & CR_OPS)
			uc_violation(m->uc,
				     "RM0351 3.3.5: FLASH_CR written (0x%08x) "
				     "while locked: unlock with FLASH_KEYR",
				     value);
		return;
	}
	m->cr = value & ~CR_STRT;
	if (value & CR_STRT)
		l4_start(m, value);
	if (!(m->cr & CR_PG))
		m->half = false;
}

/* The second word of a double word arrived: program it. */
static void l4_commit(struct l4_model *m, uint32_t hi)
{
	uint8_t *cur = fk_sim_data(m->sim) + m->half_off;
	uint8_t data[8];
	static const uint8_t erased[8] = { 0xFF, 0xFF, 0xFF, 0xFF,
					   0xFF, 0xFF, 0xFF, 0xFF };
	int rc;

	memcpy(data, &m->half_word, 4);
	memcpy(data + 4, &hi, 4);
	m->half = false;
	if (memcmp(cur, erased, 8) != 0) {
		if (m->half_word == 0 && hi == 0)
			memset(cur, 0, 8); /* zeros may go over data */
		else
			m->sr |= SR_PROGERR;
		return;
	}
	rc = stm32_sim_program(m->uc, m->sim, m->half_off, data, 8);
	if (rc == FK_EPOWER)
		return;
	if (rc == FK_EPROTECT) {
		m->sr |= SR_WRPERR;
		return;
	}
	if (rc != FK_OK) {
		uc_violation(m->uc,
			     "RM0351 3.3.7: double word at 0x%08x programmed "
			     "twice since its erase: its ECC is lost (%s)",
			     L4_MODEL_FLASH + m->half_off, fk_strerror(rc));
		return;
	}
	stm32_busy_start(m->uc, &m->busy);
	if (m->cr & CR_EOPIE)
		m->sr |= SR_EOP;
}

static void l4_array_write(void *ctx, uint32_t off, unsigned size,
			   uint32_t value)
{
	struct l4_model *m = ctx;

	if (!l4_idle(m, "store to the flash"))
		return;
	if (!(m->cr & CR_PG) || (m->cr & (CR_PER | CR_MER1 | CR_MER2)) ||
	    (m->sr & SR_PROG_ERRORS)) {
		m->sr |= SR_PGSERR;
		m->half = false;
		return;
	}
	if (size != 4) {
		m->sr |= SR_SIZERR;
		m->half = false;
		return;
	}
	if (m->half && off == m->half_off + 4) {
		l4_commit(m, value);
		return;
	}
	if (m->half || off % 8) {
		m->sr |= SR_PGAERR;
		m->half = false;
		return;
	}
	m->half = true;
	m->half_off = off;
	m->half_word = value;
}

static uint32_t l4_array_read(void *ctx, uint32_t off, unsigned size)
{
	struct l4_model *m = ctx;
	bool ecc;
	uint32_t v;

	if (m->dcache_stale && (m->acr & ACR_DCEN)) {
		uc_violation(m->uc,
			     "RM0351 3.3.4: read of 0x%08x through the data "
			     "cache after an erase: it may return the page's "
			     "old bytes (reset it with DCRST first)",
			     L4_MODEL_FLASH + off);
		return 0;
	}
	v = stm32_sim_load(m->uc, m->sim, off, size, &ecc);

	if (ecc && !(m->eccr & ECCR_ECCD)) {
		uint32_t dw = off & ~7u;

		m->eccr = (m->eccr & ECCR_ECCIE) | ECCR_ECCD |
			  ((dw % m->bank_size) & ECCR_ADDR_MASK) |
			  (dw >= m->bank_size ? ECCR_BK_ECC : 0);
	}
	return v;
}

/* FLASH_ACR: a cache reset bit may be written only while that cache is
 * off; DCRST makes the data cache forget what an erase left stale. */
static void l4_acr(struct l4_model *m, uint32_t value)
{
	if (((value & ACR_DCRST) && ((m->acr | value) & ACR_DCEN)) ||
	    ((value & ACR_ICRST) && ((m->acr | value) & ACR_ICEN))) {
		uc_violation(m->uc,
			     "RM0351 3.7.1: FLASH_ACR 0x%08x: a cache reset "
			     "bit written while that cache is on",
			     value);
		return;
	}
	if (value & ACR_DCRST)
		m->dcache_stale = false;
	m->acr = value & ~(ACR_ICRST | ACR_DCRST);
}

static uint32_t l4_reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct l4_model *m = ctx;

	(void)size;
	switch (off) {
	case ACR:
		return m->acr;
	case SR:
		return m->sr | (stm32_busy_poll(m->uc, &m->busy) ? SR_BSY : 0);
	case CR:
		return m->cr;
	case ECCR:
		return m->eccr;
	case OPTR:
		return 0xFFEFF8AAu; /* RDP level 0, DUALBANK etc. */
	default:
		return 0;
	}
}

static void l4_reg_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct l4_model *m = ctx;

	if (!stm32_word_access(m->uc, size,
			       "RM0351 3.7: the FLASH registers are written "
			       "as 32-bit words"))
		return;
	switch (off) {
	case ACR:
		l4_acr(m, value);
		break;
	case KEYR:
		if (l4_idle(m, "FLASH_KEYR write"))
			l4_keyr(m, value);
		break;
	case SR:
		m->sr &= ~(value & SR_W1C);
		break;
	case CR:
		if (l4_idle(m, "FLASH_CR write"))
			l4_cr(m, value);
		break;
	case ECCR:
		m->eccr = (m->eccr & ~(value & (ECCR_ECCC | ECCR_ECCD)) &
			   ~ECCR_ECCIE) |
			  (value & ECCR_ECCIE);
		break;
	case OPTKEYR:
	default:
		uc_violation(m->uc,
			     "FLASH register +0x%02x written: not modelled "
			     "(option bytes, power-down keys)",
			     off);
	}
}

struct l4_model *l4_model_create(struct uc *uc, uint32_t size,
				 uint32_t bank_size)
{
	struct l4_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->uc = uc;
	m->size = size;
	m->bank_size = bank_size;
	m->busy.why = "RM0351 3.3.8: a fetch from the flash while BSY stalls "
		      "until the operation ends: the code that waits runs "
		      "from RAM (FK_RAMFUNC)";
	m->sim = stm32_sim_make(L4_MODEL_FLASH, size, PAGE, 8, 0xFF, true);
	struct uc_periph regs = {
		"FLASH",      L4_MODEL_REGS, 0x400, l4_reg_read,
		l4_reg_write, l4_reset,	     m
	};
	struct uc_periph array = {
		"L4 flash",	L4_MODEL_FLASH, size, l4_array_read,
		l4_array_write, NULL,		m
	};

	if (!m->sim || uc_add_periph(uc, &regs) != 0 ||
	    uc_add_periph(uc, &array) != 0) {
		l4_model_destroy(m);
		return NULL;
	}
	l4_reset(m);
	return m;
}

void l4_model_destroy(struct l4_model *m)
{
	if (!m)
		return;
	fk_sim_destroy(m->sim);
	free(m);
}

struct fk_sim *l4_model_sim(struct l4_model *m)
{
	return m->sim;
}

uint32_t l4_model_sr(const struct l4_model *m)
{
	return m->sr;
}

uint32_t l4_model_cr(const struct l4_model *m)
{
	return m->cr;
}

uint32_t l4_model_eccr(const struct l4_model *m)
{
	return m->eccr;
}

uint32_t l4_model_bank_erases(const struct l4_model *m, unsigned bank)
{
	return bank < 2 ? m->bank_erases[bank] : 0;
}
