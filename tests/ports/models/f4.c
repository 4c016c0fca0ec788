/*
 * The STM32F2/F4 flash interface model (f4.h). Rules are checked in the
 * order the hardware meets them: the lock and busy state on a register
 * write, then the operation's configuration when a program store or STRT
 * starts one. Messages name the manual's section; RM0090 numbers are
 * given, RM0033 (F2) has the same rules in section 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f4.h"

#define REGS_BASE 0x40023C00u
#define REGS_SIZE 0x1Cu /* ACR .. OPTCR1 */
#define ARRAY_BASE 0x08000000u

#define ACR 0x00u
#define KEYR 0x04u
#define OPTKEYR 0x08u
#define SR 0x0Cu
#define CR 0x10u
#define OPTCR 0x14u
#define OPTCR1 0x18u

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_ICRST (1u << 11)
#define ACR_DCRST (1u << 12)

#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB(cr) (((cr) >> 3) & 0x1Fu)
#define CR_PSIZE(cr) (((cr) >> 8) & 3u)
#define CR_MER1 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_LOCK (1u << 31)

#define SR_FLAGS                                                 \
	(F4_SR_EOP | F4_SR_OPERR | F4_SR_WRPERR | F4_SR_PGAERR | \
	 F4_SR_PGPERR | F4_SR_PGSERR | F4_SR_RDERR)

#define MAX_SECTORS 24

struct f4_model {
	struct uc *uc;
	struct f4_model_config cfg;
	struct fk_sim *sim;
	struct fk_sector_run runs[6];
	uint32_t nruns;
	uint32_t sector_off[MAX_SECTORS + 1]; /* by index; [n] = size */
	uint32_t nsectors, bank_sectors;
	/* registers */
	uint32_t acr, cr, sr;
	bool locked;
	int key_stage;	 /* 1 after KEY1 */
	bool keys_dead;	 /* a wrong sequence: locked until reset */
	uint32_t busy;	 /* SR reads left with BSY set */
	int busy_bank;	 /* 0 or 1 while busy */
	bool dstale;	 /* erased since the data cache was reset */
	uint32_t inject; /* flags the next start fails with */
	bool half;	 /* x64: first word of the double word stored */
	uint32_t half_off, half_val;
	char idle_msg[160];
};

/* ---- the part's map ---- */

static uint32_t sector_of(const struct f4_model *m, uint32_t off)
{
	uint32_t i = 0;

	while (i + 1 < m->nsectors && m->sector_off[i + 1] <= off)
		i++;
	return i;
}

static int bank_of(const struct f4_model *m, uint32_t off)
{
	return m->cfg.dual_bank && sector_of(m, off) >= m->bank_sectors;
}

/* RM0090 3.3 table 5/6: per bank, four 16 KiB sectors, one of 64 KiB,
 * then 128 KiB ones. */
static bool build_map(struct f4_model *m)
{
	uint32_t banks = m->cfg.dual_bank ? 2 : 1;
	uint32_t bank = m->cfg.size / banks, n = 0, off = 0;

	if (bank < 0x20000 || bank > 0x100000 || bank % 0x20000)
		return false;
	for (uint32_t b = 0; b < banks; b++) {
		m->runs[n++] = (struct fk_sector_run){ 4, 0x4000 };
		m->runs[n++] = (struct fk_sector_run){ 1, 0x10000 };
		if (bank > 0x20000)
			m->runs[n++] =
				(struct fk_sector_run){ bank / 0x20000 - 1,
							0x20000 };
	}
	m->nruns = n;
	m->nsectors = 0;
	for (uint32_t r = 0; r < n; r++) {
		for (uint32_t k = 0; k < m->runs[r].count; k++) {
			m->sector_off[m->nsectors++] = off;
			off += m->runs[r].size;
		}
	}
	m->sector_off[m->nsectors] = off;
	m->bank_sectors = m->nsectors / banks;
	return true;
}

/* The sector index SNB names, -1 when none (RM0090 3.9.8: 0-11 bank 1,
 * 16-27 bank 2 on dual-bank parts; 12-15 name nothing). */
static int sector_of_snb(const struct f4_model *m, uint32_t snb)
{
	if (snb < m->bank_sectors)
		return (int)snb;
	if (m->cfg.dual_bank && snb >= 16 && snb - 16 < m->bank_sectors)
		return (int)(m->bank_sectors + snb - 16);
	return -1;
}

/* ---- operations ---- */

static void start_busy(struct f4_model *m, uint32_t off)
{
	m->busy = m->cfg.busy_reads ? m->cfg.busy_reads : 3;
	m->busy_bank = bank_of(m, off);
	/* The code runs from bank 1 (ROM is its boot alias). */
	if (m->busy_bank == 0)
		uc_forbid_rom_fetch(m->uc,
				    "RM0090 3.5: bank 1 is busy (BSY): a fetch "
				    "stalls until the operation ends; the code "
				    "waiting for it must run from RAM "
				    "(FK_RAMFUNC)");
}

static void end_busy(struct f4_model *m)
{
	m->busy = 0;
	uc_forbid_rom_fetch(m->uc, NULL);
	if (m->cr & CR_EOPIE)
		m->sr |= F4_SR_EOP;
}

/* Checks shared by program and erase starts; returns false (with the
 * flag or violation recorded) when the operation must not run. */
static bool may_start(struct f4_model *m, uint32_t sector)
{
	if (CR_PSIZE(m->cr) > m->cfg.max_psize) {
		uc_violation(m->uc,
			     "RM0090 3.5.1 table 7: PSIZE x%u needs a higher "
			     "supply range than the board's (max x%u)",
			     8u << CR_PSIZE(m->cr), 8u << m->cfg.max_psize);
		return false;
	}
	if (m->inject) {
		m->sr |= m->inject;
		m->inject = 0;
		return false;
	}
	if (m->cfg.wrp >> sector & 1u) {
		m->sr |= F4_SR_WRPERR;
		return false;
	}
	return true;
}

static void model_reset(void *ctx);

/* After the sim took the operation: on a power loss the part goes dark,
 * its registers back to their reset values; a range the test protected
 * in the sim (fk_sim_protect) refuses as a write-protected sector. */
static void commit(struct f4_model *m, int rc)
{
	if (rc == FK_EPOWER) {
		model_reset(m);
		uc_forbid_rom_fetch(m->uc, NULL);
		uc_power_lost(m->uc);
	} else if (rc == FK_EPROTECT) { /* a range a test protects */
		m->sr |= F4_SR_WRPERR;
	} else if (rc != FK_OK) {
		uc_violation(m->uc, "f4 model: the sim refused: %s",
			     fk_strerror(rc));
	}
}

static void erase_start(struct f4_model *m)
{
	int sector;

	if (m->cr & (CR_MER | CR_MER1)) {
		uc_violation(m->uc, "f4 model: mass erase is not modelled");
		return;
	}
	if (!(m->cr & CR_SER) || (m->cr & CR_PG)) {
		m->sr |= F4_SR_PGSERR; /* RM0090 3.7.5 */
		return;
	}
	sector = sector_of_snb(m, CR_SNB(m->cr));
	if (sector < 0) {
		uc_violation(m->uc, "RM0090 3.9.8: SNB %u names no sector",
			     CR_SNB(m->cr));
		return;
	}
	if (!may_start(m, (uint32_t)sector))
		return;
	uint32_t off = m->sector_off[sector];

	start_busy(m, off);
	if (m->acr & ACR_DCEN)
		m->dstale = true;
	commit(m, fk_flash_erase(fk_sim_flash(m->sim), off,
				 m->sector_off[sector + 1] - off));
}

/* A program of n bytes of value at off: the cells become old AND new. */
static void program(struct f4_model *m, uint32_t off, uint64_t value,
		    unsigned n)
{
	uint8_t *cell = fk_sim_data(m->sim) + off, next[8];

	for (unsigned i = 0; i < n; i++)
		next[i] = cell[i] & (uint8_t)(value >> (8 * i));
	if (!may_start(m, sector_of(m, off)))
		return;
	start_busy(m, off);
	commit(m, fk_flash_program(fk_sim_flash(m->sim), off, next, n));
}

/* x64: two word stores, the first at a double-word boundary, make one
 * double word program (RM0090 3.6.2). A first word off its boundary
 * is PGAERR (the model's reading of "cannot be contained in the same
 * row"); a store of another width, or a second word elsewhere, PGPERR.
 * Narrower program sizes cannot see a misaligned store: the Cortex-M
 * bus splits it into aligned ones of a smaller width (PGPERR). */
static void store_x64(struct f4_model *m, uint32_t off, unsigned size,
		      uint32_t value)
{
	if (size != 4) {
		m->half = false;
		m->sr |= F4_SR_PGPERR;
	} else if (!m->half && off % 8) {
		m->sr |= F4_SR_PGAERR;
	} else if (!m->half) {
		m->half = true;
		m->half_off = off;
		m->half_val = value;
	} else if (off != m->half_off + 4) {
		m->half = false;
		m->sr |= F4_SR_PGPERR;
	} else {
		m->half = false;
		program(m, m->half_off, m->half_val | (uint64_t)value << 32, 8);
	}
}

/* A store to the memory (RM0090 3.6.2). */
static void array_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct f4_model *m = ctx;
	unsigned width = 1u << CR_PSIZE(m->cr);

	if (m->busy) {
		uc_violation(m->uc,
			     "RM0090 3.6.2: store to the flash at 0x%08x "
			     "while BSY",
			     ARRAY_BASE + off);
		return;
	}
	if (m->locked || !(m->cr & CR_PG) || (m->cr & CR_SER)) {
		m->sr |= F4_SR_PGSERR;
		return;
	}
	if (width == 8) {
		store_x64(m, off, size, value);
		return;
	}
	if (size != width) {
		m->sr |= F4_SR_PGPERR;
		return;
	}
	if (off % size) {
		m->sr |= F4_SR_PGAERR;
		return;
	}
	program(m, off, value, size);
}

static uint32_t array_read(void *ctx, uint32_t off, unsigned size)
{
	struct f4_model *m = ctx;
	uint32_t v = 0;

	if (m->busy && bank_of(m, off) == m->busy_bank) {
		uc_violation(m->uc,
			     "RM0090 3.5: read of 0x%08x while its bank is "
			     "busy: the bus stalls until the program/erase "
			     "ends",
			     ARRAY_BASE + off);
		return 0;
	}
	if ((m->acr & ACR_DCEN) && m->dstale) {
		uc_violation(m->uc,
			     "RM0090 3.5.2: read of 0x%08x through the data "
			     "cache after an erase: reset it (DCRST) first, "
			     "it may hold the erased bytes",
			     ARRAY_BASE + off);
		return 0;
	}
	if (m->cfg.has_rderr && (m->cfg.pcrop >> sector_of(m, off) & 1u)) {
		m->sr |= F4_SR_RDERR;
		return 0;
	}
	memcpy(&v, fk_sim_data(m->sim) + off, size);
	return v;
}

/* ---- registers ---- */

static void key_write(struct f4_model *m, unsigned size, uint32_t value)
{
	const char *why = NULL;

	if (m->keys_dead)
		why = "KEYR written after a wrong sequence";
	else if (!m->locked)
		why = "KEYR written while FLASH_CR is unlocked";
	else if (size != 4)
		why = "KEYR written with a partial store";
	else if (value != (m->key_stage ? KEY2 : KEY1))
		why = m->key_stage ? "second key is not KEY2" :
				     "first key is not KEY1";
	if (why) {
		m->keys_dead = true;
		uc_violation(m->uc,
			     "RM0090 3.5.1: wrong unlock sequence (%s): bus "
			     "error, FLASH_CR locked until reset",
			     why);
		return;
	}
	if (m->key_stage) {
		m->locked = false;
		m->key_stage = 0;
	} else {
		m->key_stage = 1;
	}
}

/* Merges a 1, 2 or 4-byte store at off into the register value reg. */
static uint32_t merge(uint32_t reg, uint32_t off, unsigned size, uint32_t value)
{
	unsigned shift = (off & 3u) * 8;
	uint32_t mask = size == 4 ? 0xFFFFFFFFu : ((1u << size * 8) - 1u);

	return (reg & ~(mask << shift)) | (value & mask) << shift;
}

static void cr_write(struct f4_model *m, uint32_t off, unsigned size,
		     uint32_t value)
{
	uint32_t next =
		merge(m->cr | (m->locked ? CR_LOCK : 0), off, size, value);

	if (m->busy) {
		uc_violation(m->uc, "RM0090 3.9.7: FLASH_CR written while BSY");
		return;
	}
	if (m->locked) {
		if (next != CR_LOCK)
			uc_violation(m->uc,
				     "RM0090 3.5.1: FLASH_CR written while "
				     "locked (the write is ignored)");
		return;
	}
	m->half = false;
	m->cr = next & ~(CR_LOCK | CR_STRT);
	if (next & CR_LOCK) {
		m->locked = true;
		return;
	}
	if (next & CR_STRT)
		erase_start(m);
}

static void acr_write(struct f4_model *m, uint32_t off, unsigned size,
		      uint32_t value)
{
	uint32_t next = merge(m->acr, off, size, value);

	if (((next & ACR_DCRST) && (m->acr & ACR_DCEN)) ||
	    ((next & ACR_ICRST) && (m->acr & ACR_ICEN))) {
		uc_violation(m->uc,
			     "RM0090 3.9.1: a cache reset bit written while "
			     "that cache is enabled");
		return;
	}
	if (next & ACR_DCRST)
		m->dstale = false;
	m->acr = next;
}

static uint32_t reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct f4_model *m = ctx;
	uint32_t v = 0;

	switch (off & ~3u) {
	case ACR:
		v = m->acr;
		break;
	case SR:
		v = m->sr | (m->busy ? F4_SR_BSY : 0);
		if (m->busy && --m->busy == 0)
			end_busy(m);
		break;
	case CR:
		v = m->cr | (m->locked ? CR_LOCK : 0);
		break;
	case OPTCR:
		/* RDP level 0 (0xAA), nWRP: 1 = not protected */
		v = 0x0000AAEDu | (~m->cfg.wrp & 0xFFFu) << 16;
		break;
	case OPTCR1:
		v = (~(m->cfg.wrp >> 12) & 0xFFFu) << 16;
		break;
	default: /* KEYR, OPTKEYR: write-only, read as 0 */
		break;
	}
	return size == 4 ? v : (v >> (off & 3u) * 8) & ((1u << size * 8) - 1u);
}

static void reg_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct f4_model *m = ctx;

	switch (off & ~3u) {
	case ACR:
		acr_write(m, off, size, value);
		break;
	case KEYR:
		key_write(m, size, value);
		break;
	case SR:
		m->sr &= ~(merge(0, off, size, value) & SR_FLAGS);
		break;
	case CR:
		cr_write(m, off, size, value);
		break;
	default:
		uc_violation(m->uc,
			     "f4 model: write to 0x%08x: the option bytes are "
			     "not the flash driver's",
			     REGS_BASE + off);
		break;
	}
}

static void model_reset(void *ctx)
{
	struct f4_model *m = ctx;

	m->acr = m->cr = m->sr = 0;
	m->locked = true;
	m->key_stage = 0;
	m->keys_dead = false;
	m->busy = 0;
	m->dstale = false;
	m->half = false;
}

/* ---- the model's API ---- */

struct f4_model *f4_model_attach(struct uc *uc,
				 const struct f4_model_config *cfg)
{
	static const struct fk_sim_erase_time erase_ms[] = {
		{ 0x4000, 400000 }, { 0x10000, 1200000 }, { 0x20000, 2000000 }
	};
	struct f4_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->uc = uc;
	m->cfg = *cfg;
	if (cfg->max_psize > 3 || !build_map(m)) {
		free(m);
		return NULL;
	}
	struct fk_sim_config sc = {
		.geo = { .base = ARRAY_BASE,
			 .size = cfg->size,
			 .runs = m->runs,
			 .run_count = m->nruns,
			 .write_unit = 1,
			 .erased_value = 0xFF },
		.timing = { .program_us_per_unit = 4,
			    .erase_table = erase_ms,
			    .erase_table_count = 3 },
	};
	m->sim = fk_sim_create(&sc);
	model_reset(m);
	struct uc_periph regs = { "FLASH",   REGS_BASE,	  REGS_SIZE, reg_read,
				  reg_write, model_reset, m };
	struct uc_periph array = {
		"flash memory", ARRAY_BASE, cfg->size, array_read,
		array_write,	NULL,	    m
	};

	if (!m->sim || uc_add_periph(uc, &regs) != 0 ||
	    uc_add_periph(uc, &array) != 0) {
		f4_model_free(m);
		return NULL;
	}
	return m;
}

void f4_model_free(struct f4_model *m)
{
	if (!m)
		return;
	fk_sim_destroy(m->sim);
	free(m);
}

struct fk_sim *f4_model_sim(struct f4_model *m)
{
	return m->sim;
}

const char *f4_model_idle(struct f4_model *m)
{
	if (m->busy)
		return "an operation is still running (BSY)";
	if (!m->locked)
		return "FLASH_CR left unlocked";
	if (m->cr & (CR_PG | CR_SER))
		return "PG or SER left set";
	if (m->sr & (SR_FLAGS & ~F4_SR_EOP)) {
		snprintf(m->idle_msg, sizeof(m->idle_msg),
			 "error flags left in FLASH_SR: 0x%x", m->sr);
		return m->idle_msg;
	}
	return NULL;
}

void f4_model_inject(struct f4_model *m, uint32_t sr_flags)
{
	m->inject = sr_flags;
}
