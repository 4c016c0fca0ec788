/*
 * The STM32L0/L1 NVM driver (see flash_l0.h), from RM0377 section 3.3
 * and RM0038 section 3.3.
 *
 * Sequence of every operation: wait for BSY to clear, clear FLASH_PECR's
 * PELOCK with the two PEKEYR keys (this unlocks the data EEPROM) and,
 * for the program memory, PRGLOCK with the two PRGKEYR keys; clear the
 * old error flags; set the operation bits in FLASH_PECR; write; wait for
 * BSY; read the flags; clear the operation bits and set PELOCK again
 * (which locks everything). Only the write-and-wait steps run from RAM.
 */
#include "flash_l0.h"
#include "stm32_mmio.h"

/* Register offsets from the FLASH block (same on L0 and L1). */
#define L0_PECR 0x04u
#define L0_PEKEYR 0x0Cu
#define L0_PRGKEYR 0x10u
#define L0_SR 0x18u

#define PEKEY1 0x89ABCDEFu
#define PEKEY2 0x02030405u
#define PRGKEY1 0x8C9DAEBFu
#define PRGKEY2 0x13141516u

#define PECR_PELOCK (1u << 0)
#define PECR_PRGLOCK (1u << 1)
#define PECR_PROG (1u << 3)
#define PECR_DATA (1u << 4)
#define PECR_ERASE (1u << 9)
#define PECR_FPRG (1u << 10)
#define PECR_OPS (PECR_PROG | PECR_DATA | PECR_ERASE | PECR_FPRG)

#define SR_BSY (1u << 0)
#define SR_EOP (1u << 1)
#define SR_WRPERR (1u << 8)
#define SR_PGAERR (1u << 9)
#define SR_SIZERR (1u << 10)
#define SR_OPTVERR (1u << 11)
#define SR_RDERR (1u << 13)
#define SR_NOTZEROERR (1u << 16)
#define SR_FWWERR (1u << 17)
#define SR_ERRORS                                                       \
	(SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_RDERR | SR_NOTZEROERR | \
	 SR_FWWERR)

/* The largest half-page (L1: 32 words). */
#define HALF_PAGE_MAX 128u

static struct fk_l0_flash *l0_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

static int l0_error(uint32_t sr)
{
	if (sr & (SR_WRPERR | SR_RDERR))
		return FK_EPROTECT;
	if (sr & (SR_PGAERR | SR_SIZERR))
		return FK_EALIGN;
	if (sr & SR_NOTZEROERR)
		return FK_EPROGONCE;
	if (sr & SR_FWWERR)
		return FK_EIO;
	return FK_OK;
}

/* One word write (a program-memory word, or the zero word that starts an
 * erase) and the wait for it. Returns FLASH_SR. */
static FK_RAMFUNC uint32_t l0_write_word(uint32_t regs, uint32_t addr,
					 uint32_t word)
{
	fk_stm32_wr(addr, word);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + L0_SR, SR_BSY);
}

/* Fills the half-page buffer at addr from words (in RAM) with interrupts
 * masked, and waits for the program the last word starts. */
static FK_RAMFUNC uint32_t l0_write_half_page(uint32_t regs, uint32_t addr,
					      const uint32_t *words,
					      uint32_t count)
{
	uint32_t primask = fk_stm32_irq_save();
	uint32_t sr;

	for (uint32_t i = 0; i < count; i++)
		fk_stm32_wr(addr + 4 * i, words[i]);
	fk_stm32_barrier();
	sr = fk_stm32_wait_clear(regs + L0_SR, SR_BSY);
	fk_stm32_irq_restore(primask);
	return sr;
}

/* One data EEPROM byte write and the wait for it. */
static FK_RAMFUNC uint32_t l0_write_byte(uint32_t regs, uint32_t addr,
					 uint8_t byte)
{
	*(volatile uint8_t *)addr = byte;
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + L0_SR, SR_BSY);
}

/* Unlocks the data EEPROM (and the program memory when prog), clears the
 * old flags and sets the operation bits ops. FK_EIO when a key does not
 * unlock (a wrong key locked the NVM until reset). */
static int l0_begin(uint32_t regs, int prog, uint32_t ops)
{
	uint32_t pecr;

	fk_stm32_wait_clear(regs + L0_SR, SR_BSY);
	if (fk_stm32_rd(regs + L0_PECR) & PECR_PELOCK) {
		fk_stm32_wr(regs + L0_PEKEYR, PEKEY1);
		fk_stm32_wr(regs + L0_PEKEYR, PEKEY2);
	}
	if (prog && (fk_stm32_rd(regs + L0_PECR) & PECR_PRGLOCK)) {
		fk_stm32_wr(regs + L0_PRGKEYR, PRGKEY1);
		fk_stm32_wr(regs + L0_PRGKEYR, PRGKEY2);
	}
	pecr = fk_stm32_rd(regs + L0_PECR);
	if ((pecr & PECR_PELOCK) || (prog && (pecr & PECR_PRGLOCK)))
		return FK_EIO;
	fk_stm32_wr(regs + L0_SR, SR_ERRORS | SR_OPTVERR | SR_EOP);
	if (ops)
		fk_stm32_wr(regs + L0_PECR, (pecr & ~PECR_OPS) | ops);
	return FK_OK;
}

/* Clears the operation bits, locks, clears sr's flags, returns their
 * code. */
static int l0_end(uint32_t regs, uint32_t sr)
{
	uint32_t pecr = fk_stm32_rd(regs + L0_PECR) & ~PECR_OPS;

	fk_stm32_wr(regs + L0_PECR, pecr);
	fk_stm32_wr(regs + L0_PECR, pecr | PECR_PELOCK);
	fk_stm32_wr(regs + L0_SR, sr & (SR_ERRORS | SR_EOP));
	return l0_error(sr);
}

static int l0_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	fk_stm32_copy_in(buf, flash->geo.base + off, len);
	return FK_OK;
}

static uint32_t l0_half_page(const struct fk_flash *flash)
{
	return flash->geo.runs[0].size / 2;
}

/* Programs whole half-pages from [i, len) while they fit; returns the
 * new i, *sr the last FLASH_SR. FPRG and PROG are set around them. */
static uint32_t l0_program_halves(const struct fk_flash *flash, uint32_t addr,
				  const uint8_t *src, uint32_t i, uint32_t len,
				  uint32_t *sr)
{
	uint32_t regs = l0_of(flash)->regs, half = l0_half_page(flash);
	uint32_t words[HALF_PAGE_MAX / 4];
	uint32_t pecr = fk_stm32_rd(regs + L0_PECR);

	fk_stm32_wr(regs + L0_PECR, pecr | PECR_FPRG | PECR_PROG);
	for (; (addr + i) % half == 0 && len - i >= half && !(*sr & SR_ERRORS);
	     i += half) {
		for (uint32_t w = 0; w < half / 4; w++)
			words[w] = fk_stm32_le32(src + i + 4 * w);
		*sr = l0_write_half_page(regs, addr + i, words, half / 4);
	}
	fk_stm32_wr(regs + L0_PECR, pecr);
	return i;
}

static int l0_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	uint32_t regs = l0_of(flash)->regs, addr = flash->geo.base + off;
	uint32_t half = l0_half_page(flash), sr = 0, i = 0;
	const uint8_t *src = buf;
	int rc;

	if (!fk_stm32_words_are(addr, len, 0))
		return FK_EPROGONCE;
	rc = l0_begin(regs, 1, 0);
	if (rc != FK_OK)
		return rc;
	while (i < len && !(sr & SR_ERRORS)) {
		if ((addr + i) % half == 0 && len - i >= half) {
			i = l0_program_halves(flash, addr, src, i, len, &sr);
			continue;
		}
		sr = l0_write_word(regs, addr + i, fk_stm32_le32(src + i));
		i += 4;
	}
	return l0_end(regs, sr);
}

static int l0_erase_sector(const struct fk_flash *flash, uint32_t off,
			   uint32_t sector_size)
{
	uint32_t regs = l0_of(flash)->regs;
	int rc = l0_begin(regs, 1, PECR_ERASE | PECR_PROG);

	(void)sector_size;
	if (rc != FK_OK)
		return rc;
	return l0_end(regs, l0_write_word(regs, flash->geo.base + off, 0));
}

/* Data EEPROM: a byte may only gain bits (erased is 0x00). */
static int ee_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	uint32_t regs = l0_of(flash)->regs, addr = flash->geo.base + off;
	const uint8_t *src = buf;
	uint32_t sr = 0;
	int rc;

	for (uint32_t i = 0; i < len; i++) {
		if (*(volatile uint8_t *)(addr + i) & ~src[i])
			return FK_ENOTERASED;
	}
	rc = l0_begin(regs, 0, 0);
	if (rc != FK_OK)
		return rc;
	for (uint32_t i = 0; i < len && !(sr & SR_ERRORS); i++)
		sr = l0_write_byte(regs, addr + i, src[i]);
	return l0_end(regs, sr);
}

static int ee_erase_sector(const struct fk_flash *flash, uint32_t off,
			   uint32_t sector_size)
{
	uint32_t regs = l0_of(flash)->regs;
	int rc = l0_begin(regs, 0, PECR_ERASE | PECR_DATA);

	(void)sector_size;
	if (rc != FK_OK)
		return rc;
	return l0_end(regs, l0_write_word(regs, flash->geo.base + off, 0));
}

static const struct fk_flash_ops l0_ops = {
	.read = l0_read,
	.program = l0_program,
	.erase_sector = l0_erase_sector,
};

static const struct fk_flash_ops ee_ops = {
	.read = l0_read,
	.program = ee_program,
	.erase_sector = ee_erase_sector,
};

int fk_l0_flash_init(struct fk_l0_flash *l0,
		     const struct fk_l0_flash_config *cfg)
{
	if (!l0 || !cfg ||
	    (cfg->page_size != FK_L0_PAGE_SIZE &&
	     cfg->page_size != FK_L1_PAGE_SIZE) ||
	    !cfg->size || cfg->size % cfg->page_size || cfg->eeprom_size % 4)
		return FK_EINVAL;
	l0->regs = cfg->regs;
	fk_stm32_fill(&l0->flash, &l0->run, cfg->base, cfg->size,
		      cfg->page_size, 4);
	l0->flash.geo.erased_value = 0x00;
	l0->flash.geo.program_once = true;
	l0->flash.ops = &l0_ops;
	l0->flash.ctx = l0;
	fk_stm32_fill(&l0->eeprom, &l0->eeprom_run, cfg->eeprom_base,
		      cfg->eeprom_size, 4, 1);
	l0->eeprom.geo.erased_value = 0x00;
	l0->eeprom.geo.program_once = false;
	l0->eeprom.ops = cfg->eeprom_size ? &ee_ops : 0;
	l0->eeprom.ctx = l0;
	return FK_OK;
}
