/*
 * The STM32L0/L1 NVM model (l0.h). Rules from RM0377 (L0) section 3.3
 * "Flash program memory and data EEPROM" and RM0038 (L1) section 3.3:
 * the unlock sequences ("Unlocking/locking memory"), "Erasing memory"
 * (page erase, data EEPROM word erase), "Programming memory" (word,
 * half-page, data EEPROM), "Error flags" and the register descriptions.
 * The L1 differs here only by its page size (256 bytes), its register
 * base and the lack of NOTZEROERR and FWWERR.
 */
#include <stdlib.h>
#include <string.h>

#include "l0.h"
#include "stm32_model.h"

#define PECR 0x04u
#define PEKEYR 0x0Cu
#define PRGKEYR 0x10u
#define SR 0x18u

#define PEKEY1 0x89ABCDEFu
#define PEKEY2 0x02030405u
#define PRGKEY1 0x8C9DAEBFu
#define PRGKEY2 0x13141516u

#define PECR_PELOCK (1u << 0)
#define PECR_PRGLOCK (1u << 1)
#define PECR_OPTLOCK (1u << 2)
#define PECR_PROG (1u << 3)
#define PECR_DATA (1u << 4)
#define PECR_ERASE (1u << 9)
#define PECR_FPRG (1u << 10)
#define PECR_OPS (PECR_PROG | PECR_DATA | PECR_ERASE | PECR_FPRG)

#define SR_BSY (1u << 0)
#define SR_EOP (1u << 1)
#define SR_READY (1u << 3)
#define SR_WRPERR (1u << 8)
#define SR_PGAERR (1u << 9)
#define SR_SIZERR (1u << 10)
#define SR_NOTZEROERR (1u << 16)
#define SR_FWWERR (1u << 17)
#define SR_W1C 0x00033F02u

struct l0_model {
	struct uc *uc;
	struct l0_model_config cfg;
	struct fk_sim *flash, *eeprom;
	uint32_t page;
	uint32_t pecr, sr;
	unsigned pe_step, prg_step;
	bool lockout;
	struct stm32_busy busy;
	bool filling;	   /* a half-page fill is in progress */
	uint32_t hp_off;   /* its first word */
	uint32_t hp_count; /* words received */
	uint8_t hp_data[128];
	uint32_t half_pages, words;
};

static const char rule_fill[] =
	"RM0377 'Half-page programming': a fetch or read of the NVM "
	"during the half-page fill aborts it (FWWERR): the fill runs from "
	"RAM (FK_RAMFUNC)";

static void l0_reset(void *ctx)
{
	struct l0_model *m = ctx;

	m->pecr = PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK;
	m->sr = SR_READY;
	m->pe_step = m->prg_step = 0;
	m->lockout = false;
	m->filling = false;
	stm32_busy_reset(m->uc, &m->busy);
}

static const char *l0_rm(const struct l0_model *m)
{
	return m->cfg.l1 ? "RM0038" : "RM0377";
}

static void l0_wrong_key(struct l0_model *m, const char *reg, uint32_t v)
{
	m->lockout = true;
	uc_violation(m->uc,
		     "%s 'Unlocking the data EEPROM and FLASH_PECR': wrong "
		     "%s sequence (0x%08x): bus error, locked until reset",
		     l0_rm(m), reg, v);
}

static void l0_pekeyr(struct l0_model *m, uint32_t v)
{
	static const uint32_t keys[2] = { PEKEY1, PEKEY2 };

	if (m->lockout || !(m->pecr & PECR_PELOCK) || v != keys[m->pe_step]) {
		l0_wrong_key(m, "FLASH_PEKEYR", v);
		return;
	}
	if (++m->pe_step == 2) {
		m->pe_step = 0;
		m->pecr &= ~PECR_PELOCK;
	}
}

static void l0_prgkeyr(struct l0_model *m, uint32_t v)
{
	static const uint32_t keys[2] = { PRGKEY1, PRGKEY2 };

	if (m->lockout || (m->pecr & PECR_PELOCK) ||
	    !(m->pecr & PECR_PRGLOCK) || v != keys[m->prg_step]) {
		l0_wrong_key(m, "FLASH_PRGKEYR (PELOCK first)", v);
		return;
	}
	if (++m->prg_step == 2) {
		m->prg_step = 0;
		m->pecr &= ~PECR_PRGLOCK;
	}
}

static void l0_pecr(struct l0_model *m, uint32_t v)
{
	if (m->busy.reads_left) {
		uc_violation(m->uc,
			     "%s 'Programming memory': FLASH_PECR written "
			     "while BSY: wait for the operation to end",
			     l0_rm(m));
		return;
	}
	if ((m->pecr & PECR_PELOCK) && (v & PECR_OPS)) {
		uc_violation(m->uc,
			     "%s: FLASH_PECR written (0x%08x) while PELOCK",
			     l0_rm(m), v);
		return;
	}
	if ((m->pecr & PECR_PRGLOCK) && (v & (PECR_PROG | PECR_FPRG))) {
		uc_violation(m->uc,
			     "%s: PROG/FPRG set (0x%08x) while PRGLOCK: "
			     "unlock the program memory with FLASH_PRGKEYR",
			     l0_rm(m), v);
		return;
	}
	if (v & PECR_PELOCK)
		v |= PECR_PRGLOCK | PECR_OPTLOCK;
	else
		v |= m->pecr & (PECR_PRGLOCK | PECR_OPTLOCK);
	m->pecr = v;
	m->filling = false;
}

static void l0_done(struct l0_model *m)
{
	m->sr |= SR_EOP;
	stm32_busy_start(m->uc, &m->busy);
}

/* The words of [off, off+len) of the program memory are all zero. When
 * not: NOTZEROERR on the L0, a violation on the L1. */
static bool l0_zero(struct l0_model *m, uint32_t off, uint32_t len)
{
	const uint8_t *p = fk_sim_data(m->flash) + off;

	for (uint32_t i = 0; i < len; i++) {
		if (p[i] == 0)
			continue;
		if (m->cfg.l1)
			uc_violation(m->uc,
				     "RM0038 'Programming memory': word at "
				     "0x%08x programmed without an erase",
				     L0_MODEL_FLASH + off);
		else
			m->sr |= SR_NOTZEROERR;
		return false;
	}
	return true;
}

static void l0_program(struct l0_model *m, uint32_t off, const void *data,
		       uint32_t len)
{
	int rc;

	if (!l0_zero(m, off, len))
		return;
	rc = stm32_sim_program(m->uc, m->flash, off, data, len);
	if (rc == FK_EPROTECT)
		m->sr |= SR_WRPERR;
	else if (rc == FK_OK)
		l0_done(m);
}

static void l0_fill(struct l0_model *m, uint32_t off, uint32_t value)
{
	uint32_t half = m->page / 2;

	if (!m->filling && off % half == 0) {
		m->filling = true;
		m->hp_off = off;
		m->hp_count = 0;
		uc_forbid_rom_fetch(m->uc, rule_fill);
	}
	if (!m->filling || off != m->hp_off + 4 * m->hp_count) {
		m->sr |= SR_PGAERR;
		m->filling = false;
		uc_forbid_rom_fetch(m->uc, NULL);
		return;
	}
	memcpy(m->hp_data + 4 * m->hp_count++, &value, 4);
	if (4 * m->hp_count < half)
		return;
	m->filling = false;
	uc_forbid_rom_fetch(m->uc, NULL);
	m->half_pages++;
	l0_program(m, m->hp_off, m->hp_data, half);
}

static void l0_flash_write(void *ctx, uint32_t off, unsigned size,
			   uint32_t value)
{
	struct l0_model *m = ctx;
	uint32_t ops = m->pecr & PECR_OPS;
	int rc;

	if (m->busy.reads_left) /* the bus stalls until BSY clears */
		stm32_busy_reset(m->uc, &m->busy);
	if (m->pecr & PECR_PRGLOCK) {
		m->sr |= SR_WRPERR;
		return;
	}
	if (size != 4) {
		m->sr |= SR_SIZERR;
		return;
	}
	if (ops == (PECR_FPRG | PECR_PROG)) {
		l0_fill(m, off, value);
	} else if (ops == (PECR_ERASE | PECR_PROG)) {
		rc = stm32_sim_erase(m->uc, m->flash, off - off % m->page,
				     m->page);
		if (rc == FK_EPROTECT)
			m->sr |= SR_WRPERR;
		else if (rc == FK_OK)
			l0_done(m);
	} else if (ops) {
		uc_violation(m->uc, "%s: store with PECR operation bits 0x%x",
			     l0_rm(m), ops);
	} else if (off % 4) {
		m->sr |= SR_PGAERR;
	} else {
		m->words++;
		l0_program(m, off, &value, 4);
	}
}

static uint32_t l0_flash_read(void *ctx, uint32_t off, unsigned size)
{
	struct l0_model *m = ctx;
	bool ecc;

	if (m->filling) {
		uc_violation(m->uc, "read of 0x%08x: %s", L0_MODEL_FLASH + off,
			     rule_fill);
		return 0;
	}
	return stm32_sim_load(m->uc, m->flash, off, size, &ecc);
}

/* A data EEPROM store: the bytes program; where a bit must clear, the
 * part erases the word first. */
static void l0_eeprom_store(struct l0_model *m, uint32_t off, unsigned size,
			    uint32_t value)
{
	uint8_t *cur = fk_sim_data(m->eeprom) + off;
	uint8_t word[4], bytes[4];
	uint32_t w = off & ~3u;
	bool clear = false;
	int rc;

	memcpy(bytes, &value, size);
	for (unsigned i = 0; i < size; i++)
		clear |= (cur[i] & ~bytes[i]) != 0;
	if (!clear) {
		rc = stm32_sim_program(m->uc, m->eeprom, off, bytes, size);
	} else {
		memcpy(word, fk_sim_data(m->eeprom) + w, 4);
		memcpy(word + off - w, bytes, size);
		rc = stm32_sim_erase(m->uc, m->eeprom, w, 4);
		if (rc == FK_OK)
			rc = stm32_sim_program(m->uc, m->eeprom, w, word, 4);
	}
	if (rc == FK_EPROTECT)
		m->sr |= SR_WRPERR;
	else if (rc == FK_OK)
		l0_done(m);
}

static void l0_eeprom_write(void *ctx, uint32_t off, unsigned size,
			    uint32_t value)
{
	struct l0_model *m = ctx;
	uint32_t ops = m->pecr & PECR_OPS;
	int rc;

	if (m->busy.reads_left)
		stm32_busy_reset(m->uc, &m->busy);
	if (m->pecr & PECR_PELOCK) {
		m->sr |= SR_WRPERR;
		return;
	}
	if (ops == (PECR_ERASE | PECR_DATA)) {
		if (size != 4 || off % 4 || value != 0) {
			m->sr |= size != 4 ? SR_SIZERR : SR_PGAERR;
			return;
		}
		rc = stm32_sim_erase(m->uc, m->eeprom, off, 4);
		if (rc == FK_EPROTECT)
			m->sr |= SR_WRPERR;
		else if (rc == FK_OK)
			l0_done(m);
	} else if (ops) {
		uc_violation(m->uc,
			     "%s: data EEPROM store with PECR operation bits "
			     "0x%x",
			     l0_rm(m), ops);
	} else if (off % size) {
		m->sr |= SR_PGAERR;
	} else {
		l0_eeprom_store(m, off, size, value);
	}
}

static uint32_t l0_eeprom_read(void *ctx, uint32_t off, unsigned size)
{
	struct l0_model *m = ctx;
	bool ecc;

	return stm32_sim_load(m->uc, m->eeprom, off, size, &ecc);
}

static uint32_t l0_reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct l0_model *m = ctx;

	(void)size;
	if (off == PECR)
		return m->pecr;
	if (off == SR)
		return stm32_busy_poll(m->uc, &m->busy) ?
			       (m->sr & ~SR_READY) | SR_BSY :
			       m->sr | SR_READY;
	return 0;
}

static void l0_reg_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	struct l0_model *m = ctx;

	if (!stm32_word_access(m->uc, size,
			       "the FLASH registers are written as words"))
		return;
	if (off == PEKEYR)
		l0_pekeyr(m, v);
	else if (off == PRGKEYR)
		l0_prgkeyr(m, v);
	else if (off == PECR)
		l0_pecr(m, v);
	else if (off == SR)
		m->sr &= ~(v & SR_W1C);
	else
		uc_violation(m->uc,
			     "FLASH register +0x%02x written: not modelled "
			     "(option bytes, power-down keys)",
			     off);
}

struct l0_model *l0_model_create(struct uc *uc,
				 const struct l0_model_config *cfg)
{
	struct l0_model *m = calloc(1, sizeof(*m));
	uint32_t regs = cfg->l1 ? 0x40023C00u : 0x40022000u;

	if (!m)
		return NULL;
	m->uc = uc;
	m->cfg = *cfg;
	m->page = cfg->l1 ? 256 : 128;
	m->busy.why = cfg->l1 ? "RM0038 'Programming memory': the CPU "
				"stalls on a fetch while BSY: the wait runs "
				"from RAM (FK_RAMFUNC)" :
				"RM0377 'Programming memory': the CPU "
				"stalls on a fetch while BSY: the wait runs "
				"from RAM (FK_RAMFUNC)";
	m->flash = stm32_sim_make(L0_MODEL_FLASH, cfg->flash_size, m->page, 4,
				  0x00, false);
	m->eeprom = stm32_sim_make(L0_MODEL_EEPROM, cfg->eeprom_size, 4, 1,
				   0x00, false);
	struct uc_periph regs_p = { "FLASH",	  regs,	    0x400, l0_reg_read,
				    l0_reg_write, l0_reset, m };
	struct uc_periph flash_p = { "L0 program memory",
				     L0_MODEL_FLASH,
				     cfg->flash_size,
				     l0_flash_read,
				     l0_flash_write,
				     NULL,
				     m };
	struct uc_periph eeprom_p = { "L0 data EEPROM",
				      L0_MODEL_EEPROM,
				      cfg->eeprom_size,
				      l0_eeprom_read,
				      l0_eeprom_write,
				      NULL,
				      m };

	if (!m->flash || !m->eeprom || uc_add_periph(uc, &regs_p) != 0 ||
	    uc_add_periph(uc, &flash_p) != 0 ||
	    uc_add_periph(uc, &eeprom_p) != 0) {
		l0_model_destroy(m);
		return NULL;
	}
	l0_reset(m);
	return m;
}

void l0_model_destroy(struct l0_model *m)
{
	if (!m)
		return;
	fk_sim_destroy(m->flash);
	fk_sim_destroy(m->eeprom);
	free(m);
}

struct fk_sim *l0_model_flash_sim(struct l0_model *m)
{
	return m->flash;
}

struct fk_sim *l0_model_eeprom_sim(struct l0_model *m)
{
	return m->eeprom;
}

uint32_t l0_model_sr(const struct l0_model *m)
{
	return m->sr;
}

uint32_t l0_model_pecr(const struct l0_model *m)
{
	return m->pecr;
}

uint32_t l0_model_half_pages(const struct l0_model *m)
{
	return m->half_pages;
}

uint32_t l0_model_words(const struct l0_model *m)
{
	return m->words;
}
