/*
 * The STM32H7 flash model (h7.h). Rules from RM0433 chapter 4: "FLASH
 * configuration protection" (the key sequence), "FLASH program
 * operations" (write buffer, QW, FW), "FLASH erase operations" (sector
 * erase), "FLASH error management" (WRPERR, PGSERR, STRBERR, INCERR,
 * SNECCERR, DBECCERR) and the register descriptions (CCRx clears SRx).
 * Each bank has its own registers and write buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "h7.h"
#include "stm32_model.h"

#define ACR 0x00u
#define KEYR 0x04u
#define CR 0x0Cu
#define SR 0x10u
#define CCR 0x14u
#define ECC_FA 0x60u
#define BANK_REGS 0x100u

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define CR_SNB(cr) (((cr) >> 8) & 7u)
#define CR_OPS (CR_PG | CR_SER | CR_BER | CR_FW | CR_START)

#define SR_BSY (1u << 0)
#define SR_WBNE (1u << 1)
#define SR_QW (1u << 2)
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_FLAGS 0x1FEF0000u /* EOP .. CRCRDERR, the bits CCRx clears */

#define WORD 32u
#define SECTOR 0x20000u
#define MAX_SINGLE 8

static const char rule_sequence[] =
	"RM0433 'FLASH configuration protection': wrong FLASH_KEYR "
	"sequence: bus error, bank locked until reset";

struct h7_bank {
	uint32_t cr, sr, ecc_fa;
	unsigned key_step;
	bool key_lockout;
	uint32_t wb_off;  /* array offset of the flash word buffered */
	uint32_t wb_mask; /* bytes of it written (bit per byte) */
	uint8_t wb_data[WORD];
	struct stm32_busy busy;
	uint32_t ops;
};

struct h7_model {
	struct uc *uc;
	struct fk_sim *sim;
	uint32_t size, bank_size, acr;
	struct h7_bank bank[2];
	uint32_t single[MAX_SINGLE];
	unsigned single_count;
};

static void h7_reset(void *ctx)
{
	struct h7_model *m = ctx;

	m->acr = 0x37;
	for (unsigned b = 0; b < 2; b++) {
		struct h7_bank *k = &m->bank[b];

		k->cr = CR_LOCK | 3u << 4;
		k->sr = k->ecc_fa = 0;
		k->key_step = 0;
		k->key_lockout = false;
		k->wb_mask = 0;
		stm32_busy_reset(m->uc, &k->busy);
	}
}

static void h7_keyr(struct h7_model *m, struct h7_bank *k, uint32_t value)
{
	static const uint32_t keys[2] = { KEY1, KEY2 };

	if (k->key_lockout || !(k->cr & CR_LOCK) ||
	    value != keys[k->key_step]) {
		k->key_lockout = true;
		uc_violation(m->uc, "%s (0x%08x)", rule_sequence, value);
		return;
	}
	if (++k->key_step == 2) {
		k->key_step = 0;
		k->cr &= ~CR_LOCK;
	}
}

static void h7_done(struct h7_model *m, struct h7_bank *k)
{
	k->ops++;
	k->sr |= SR_EOP;
	stm32_busy_start(m->uc, &k->busy);
}

/* Programs the buffered flash word, missing bytes erased (FW). */
static void h7_commit(struct h7_model *m, struct h7_bank *k)
{
	uint8_t data[WORD];
	int rc;

	for (unsigned i = 0; i < WORD; i++)
		data[i] = k->wb_mask >> i & 1 ? k->wb_data[i] : 0xFF;
	k->wb_mask = 0;
	rc = stm32_sim_program(m->uc, m->sim, k->wb_off, data, WORD);
	if (rc == FK_EPOWER)
		return;
	if (rc == FK_EPROTECT) {
		k->sr |= SR_WRPERR;
		return;
	}
	if (rc != FK_OK) {
		uc_violation(m->uc,
			     "RM0433 'FLASH program operations': flash word at "
			     "0x%08x programmed again before an erase: its ECC "
			     "is lost (%s)",
			     H7_MODEL_FLASH + k->wb_off, fk_strerror(rc));
		return;
	}
	h7_done(m, k);
}

static void h7_start(struct h7_model *m, unsigned b, uint32_t cr)
{
	struct h7_bank *k = &m->bank[b];
	uint32_t off;
	int rc;

	if ((cr & CR_PG) || k->wb_mask || !(cr & (CR_SER | CR_BER))) {
		k->sr |= SR_PGSERR;
		return;
	}
	if (!(cr & CR_SER) || CR_SNB(cr) >= m->bank_size / SECTOR) {
		uc_violation(
			m->uc,
			"RM0433 'FLASH erase operations': sector %u of "
			"bank %u: no such sector (bank erase not modelled)",
			CR_SNB(cr), b + 1);
		return;
	}
	off = b * m->bank_size + CR_SNB(cr) * SECTOR;
	rc = stm32_sim_erase(m->uc, m->sim, off, SECTOR);
	if (rc == FK_EPOWER)
		return;
	if (rc == FK_EPROTECT) {
		k->sr |= SR_WRPERR;
		return;
	}
	h7_done(m, k);
}

static void h7_cr(struct h7_model *m, unsigned b, uint32_t value)
{
	struct h7_bank *k = &m->bank[b];

	if (k->busy.reads_left) {
		uc_violation(m->uc,
			     "RM0433 'FLASH program operations': FLASH_CR%u "
			     "written while QW: wait for the operation to end",
			     b + 1);
		return;
	}
	if (k->cr & CR_LOCK) {
		if (value & CR_OPS)
			uc_violation(m->uc,
				     "RM0433 'FLASH configuration protection'"
				     ": FLASH_CR%u written (0x%08x) while "
				     "locked",
				     b + 1, value);
		return;
	}
	k->cr = value & ~(CR_START | CR_FW);
	if ((value & CR_FW) && k->wb_mask)
		h7_commit(m, k);
	if (value & CR_START)
		h7_start(m, b, value);
}

static void h7_array_write(void *ctx, uint32_t off, unsigned size,
			   uint32_t value)
{
	struct h7_model *m = ctx;
	struct h7_bank *k = &m->bank[off / m->bank_size];
	uint32_t word = off & ~(WORD - 1), bytes = ((1u << size) - 1)
						   << (off % WORD);

	if (k->busy.reads_left) /* the write queue: it waits */
		stm32_busy_reset(m->uc, &k->busy);
	if (!(k->cr & CR_PG) || (k->cr & CR_LOCK)) {
		k->sr |= SR_PGSERR;
		return;
	}
	if (k->wb_mask && word != k->wb_off) {
		k->sr |= SR_INCERR;
		k->wb_mask = 0;
		return;
	}
	if (k->wb_mask & bytes) {
		k->sr |= SR_STRBERR;
		k->wb_mask = 0;
		return;
	}
	k->wb_off = word;
	k->wb_mask |= bytes;
	memcpy(k->wb_data + off % WORD, &value, size);
	if (k->wb_mask == 0xFFFFFFFFu)
		h7_commit(m, k);
}

static bool h7_is_single(const struct h7_model *m, uint32_t word)
{
	for (unsigned i = 0; i < m->single_count; i++) {
		if (m->single[i] == word)
			return true;
	}
	return false;
}

static uint32_t h7_array_read(void *ctx, uint32_t off, unsigned size)
{
	struct h7_model *m = ctx;
	struct h7_bank *k = &m->bank[off / m->bank_size];
	uint32_t word = off & ~(WORD - 1);
	bool ecc;
	uint32_t v = stm32_sim_load(m->uc, m->sim, off, size, &ecc);

	if (ecc && !(k->sr & SR_DBECCERR)) {
		k->sr |= SR_DBECCERR;
		k->ecc_fa = word % m->bank_size / WORD;
	} else if (!ecc && h7_is_single(m, word) && !(k->sr & SR_SNECCERR)) {
		k->sr |= SR_SNECCERR;
		k->ecc_fa = word % m->bank_size / WORD;
	}
	return v;
}

static uint32_t h7_bank_sr(struct h7_model *m, struct h7_bank *k)
{
	uint32_t sr = k->sr | (k->wb_mask ? SR_WBNE : 0);

	if (stm32_busy_poll(m->uc, &k->busy))
		sr |= SR_QW | SR_BSY;
	return sr;
}

static uint32_t h7_reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct h7_model *m = ctx;
	unsigned b = off / BANK_REGS;
	struct h7_bank *k = &m->bank[b < 2 ? b : 0];

	(void)size;
	switch (off % BANK_REGS) {
	case ACR:
		return m->acr;
	case CR:
		return k->cr;
	case SR:
		return h7_bank_sr(m, k);
	case ECC_FA:
		return k->ecc_fa;
	default:
		return 0;
	}
}

static void h7_reg_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct h7_model *m = ctx;
	unsigned b = off / BANK_REGS;
	struct h7_bank *k = &m->bank[b];

	if (!stm32_word_access(m->uc, size,
			       "RM0433 'FLASH registers': 32-bit accesses"))
		return;
	switch (off % BANK_REGS) {
	case ACR:
		m->acr = value;
		break;
	case KEYR:
		h7_keyr(m, k, value);
		break;
	case CR:
		h7_cr(m, b, value);
		break;
	case CCR:
		k->sr &= ~(value & SR_FLAGS);
		break;
	default:
		uc_violation(m->uc,
			     "FLASH register +0x%03x written: not modelled "
			     "(option bytes, CRC, protection)",
			     off);
	}
}

struct h7_model *h7_model_create(struct uc *uc, uint32_t size,
				 uint32_t bank_size)
{
	struct h7_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->uc = uc;
	m->size = size;
	m->bank_size = bank_size;
	for (unsigned b = 0; b < 2; b++)
		m->bank[b].busy.why =
			"RM0433 'FLASH read operations': a read of a bank "
			"while it programs or erases stalls until QW clears: "
			"the code that waits runs from RAM (FK_RAMFUNC)";
	m->sim = stm32_sim_make(H7_MODEL_FLASH, size, SECTOR, WORD, 0xFF, true);
	struct uc_periph regs = { "FLASH",
				  H7_MODEL_REGS,
				  2 * BANK_REGS,
				  h7_reg_read,
				  h7_reg_write,
				  h7_reset,
				  m };
	struct uc_periph array = {
		"H7 flash",	H7_MODEL_FLASH, size, h7_array_read,
		h7_array_write, NULL,		m
	};

	if (!m->sim || uc_add_periph(uc, &regs) != 0 ||
	    uc_add_periph(uc, &array) != 0) {
		h7_model_destroy(m);
		return NULL;
	}
	h7_reset(m);
	return m;
}

void h7_model_destroy(struct h7_model *m)
{
	if (!m)
		return;
	fk_sim_destroy(m->sim);
	free(m);
}

struct fk_sim *h7_model_sim(struct h7_model *m)
{
	return m->sim;
}

void h7_model_single_error(struct h7_model *m, uint32_t off)
{
	if (m->single_count < MAX_SINGLE)
		m->single[m->single_count++] = off & ~(WORD - 1);
}

uint32_t h7_model_sr(const struct h7_model *m, unsigned bank)
{
	return m->bank[bank].sr;
}

uint32_t h7_model_ecc_fa(const struct h7_model *m, unsigned bank)
{
	return m->bank[bank].ecc_fa;
}

uint32_t h7_model_bank_ops(const struct h7_model *m, unsigned bank)
{
	return m->bank[bank].ops;
}
