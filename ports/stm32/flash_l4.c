/*
 * The STM32L4 flash driver (see flash_l4.h), from RM0351 section 3.3.
 *
 * Every operation follows the manual's sequence: wait for BSY to clear,
 * unlock FLASH_CR with the two keys, clear the error flags a previous
 * operation left (else the next program sets PGSERR), set PG or PER,
 * write or start, wait for BSY, read the flags, clear PG/PER and lock
 * again; after an erase, reset the caches. Only the write-and-wait steps
 * run from RAM.
 */
#include "flash_l4.h"
#include "stm32_mmio.h"

/* Register offsets from the FLASH block. */
#define L4_ACR 0x00u
#define L4_KEYR 0x08u
#define L4_SR 0x10u
#define L4_CR 0x14u
#define L4_ECCR 0x18u

#define L4_KEY1 0x45670123u
#define L4_KEY2 0xCDEF89ABu

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
#define SR_ERRORS                                                    \
	(SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | \
	 SR_PGSERR | SR_MISERR | SR_FASTERR | SR_RDERR | SR_OPTVERR)

#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_PNB_SHIFT 3
#define CR_PNB_MASK (0xFFu << CR_PNB_SHIFT)
#define CR_BKER (1u << 11)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_RST_SHIFT 2 /* ICRST, DCRST: two bits above ICEN, DCEN */

#define ECCR_ECCIE (1u << 24)
#define ECCR_ECCC (1u << 30)
#define ECCR_ECCD (1u << 31)

static struct fk_l4_flash *l4_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

/* The code for the first error flag in sr, 0 when none. */
static int l4_error(uint32_t sr)
{
	if (sr & (SR_WRPERR | SR_RDERR))
		return FK_EPROTECT;
	if (sr & SR_PROGERR)
		return FK_EPROGONCE;
	if (sr & (SR_PGAERR | SR_SIZERR))
		return FK_EALIGN;
	if (sr & SR_PGSERR)
		return FK_ESTATE;
	if (sr & (SR_OPERR | SR_MISERR | SR_FASTERR))
		return FK_EIO;
	return FK_OK;
}

/* Writes the double word at addr (PG already set) and waits for the
 * flash: the second write starts the program. Returns FLASH_SR. */
static FK_RAMFUNC uint32_t l4_program_dword(uint32_t regs, uint32_t addr,
					    uint32_t lo, uint32_t hi)
{
	fk_stm32_wr(addr, lo);
	fk_stm32_wr(addr + 4, hi);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + L4_SR, SR_BSY);
}

/* Selects the page (cr: PER, PNB, BKER), starts the erase and waits.
 * Returns FLASH_SR. */
static FK_RAMFUNC uint32_t l4_erase_page(uint32_t regs, uint32_t cr)
{
	fk_stm32_wr(regs + L4_CR, cr);
	fk_stm32_wr(regs + L4_CR, cr | CR_STRT);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + L4_SR, SR_BSY);
}

/* No operation running, FLASH_CR unlocked, old flags cleared. FK_EIO
 * when the keys do not unlock it (a wrong key locked it until reset). */
static int l4_begin(uint32_t regs)
{
	fk_stm32_wait_clear(regs + L4_SR, SR_BSY);
	if (fk_stm32_rd(regs + L4_CR) & CR_LOCK) {
		fk_stm32_wr(regs + L4_KEYR, L4_KEY1);
		fk_stm32_wr(regs + L4_KEYR, L4_KEY2);
		if (fk_stm32_rd(regs + L4_CR) & CR_LOCK)
			return FK_EIO;
	}
	fk_stm32_wr(regs + L4_SR, SR_ERRORS | SR_EOP);
	return FK_OK;
}

/* Clears the operation bits, locks, clears the flags of sr and returns
 * their code. */
static int l4_end(uint32_t regs, uint32_t sr)
{
	uint32_t cr = fk_stm32_rd(regs + L4_CR);

	fk_stm32_wr(regs + L4_CR,
		    (cr & ~(CR_PG | CR_PER | CR_PNB_MASK | CR_BKER)) | CR_LOCK);
	fk_stm32_wr(regs + L4_SR, sr & (SR_ERRORS | SR_EOP));
	return l4_error(sr);
}

/* Clears ECCD (and ECCC), keeping the interrupt enable. */
static void l4_ecc_clear(uint32_t regs)
{
	uint32_t eccr = fk_stm32_rd(regs + L4_ECCR);

	fk_stm32_wr(regs + L4_ECCR,
		    (eccr & ECCR_ECCIE) | ECCR_ECCC | ECCR_ECCD);
}

/* True (and cleared) when a double ECC error happened since the last
 * l4_ecc_clear, seen by the flag or by the NMI handler. */
static int l4_ecc_fault(struct fk_l4_flash *l4)
{
	int fault = l4->ecc_nmi ||
		    (fk_stm32_rd(l4->regs + L4_ECCR) & ECCR_ECCD) != 0;

	if (fault)
		l4_ecc_clear(l4->regs);
	l4->ecc_nmi = 0;
	return fault;
}

static int l4_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	struct fk_l4_flash *l4 = l4_of(flash);

	l4_ecc_clear(l4->regs);
	l4->ecc_nmi = 0;
	fk_stm32_copy_in(buf, flash->geo.base + off, len);
	return l4_ecc_fault(l4) ? FK_EECC : FK_OK;
}

/* Program-once: every double word of the range must read erased (a torn
 * one reads as an ECC fault and is not erased either). */
static int l4_range_erased(struct fk_l4_flash *l4, uint32_t addr, uint32_t len)
{
	int erased;

	l4_ecc_clear(l4->regs);
	l4->ecc_nmi = 0;
	erased = fk_stm32_words_are(addr, len, 0xFFFFFFFFu);
	return !l4_ecc_fault(l4) && erased;
}

static int l4_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	struct fk_l4_flash *l4 = l4_of(flash);
	uint32_t regs = l4->regs, addr = flash->geo.base + off;
	const uint8_t *src = buf;
	uint32_t sr = 0;
	int rc;

	if (!l4_range_erased(l4, addr, len))
		return FK_EPROGONCE;
	rc = l4_begin(regs);
	if (rc != FK_OK)
		return rc;
	fk_stm32_wr(regs + L4_CR, fk_stm32_rd(regs + L4_CR) | CR_PG);
	for (uint32_t i = 0; i < len && !(sr & SR_ERRORS); i += 8) {
		sr = l4_program_dword(regs, addr + i, fk_stm32_le32(src + i),
				      fk_stm32_le32(src + i + 4));
	}
	return l4_end(regs, sr);
}

/* The instruction and data caches are not told of an erase and may hold
 * the page's old bytes (RM0351 3.3.4): those that are on are turned off,
 * reset (a reset bit may be written only while its cache is off) and
 * turned on again. */
static void l4_flush_caches(uint32_t regs)
{
	uint32_t acr = fk_stm32_rd(regs + L4_ACR);
	uint32_t on = acr & (ACR_ICEN | ACR_DCEN);

	if (!on)
		return;
	fk_stm32_wr(regs + L4_ACR, acr & ~on);
	fk_stm32_wr(regs + L4_ACR, (acr & ~on) | on << ACR_RST_SHIFT);
	fk_stm32_wr(regs + L4_ACR, acr & ~on);
	fk_stm32_wr(regs + L4_ACR, acr);
}

static int l4_erase_sector(const struct fk_flash *flash, uint32_t off,
			   uint32_t sector_size)
{
	struct fk_l4_flash *l4 = l4_of(flash);
	uint32_t page = off / FK_L4_PAGE_SIZE;
	uint32_t bank = page / l4->bank_pages;
	uint32_t cr;
	int rc;

	(void)sector_size;
	rc = l4_begin(l4->regs);
	if (rc != FK_OK)
		return rc;
	cr = fk_stm32_rd(l4->regs + L4_CR) & ~(CR_PNB_MASK | CR_BKER);
	cr |= CR_PER | (page % l4->bank_pages) << CR_PNB_SHIFT;
	if (bank)
		cr |= CR_BKER;
	rc = l4_end(l4->regs, l4_erase_page(l4->regs, cr));
	l4_flush_caches(l4->regs);
	return rc;
}

static const struct fk_flash_ops l4_ops = {
	.read = l4_read,
	.program = l4_program,
	.erase_sector = l4_erase_sector,
};

int fk_l4_flash_init(struct fk_l4_flash *l4,
		     const struct fk_l4_flash_config *cfg)
{
	if (!l4 || !cfg || !cfg->size || !cfg->bank_size ||
	    cfg->size % FK_L4_PAGE_SIZE || cfg->bank_size % FK_L4_PAGE_SIZE ||
	    cfg->size % cfg->bank_size || cfg->size / cfg->bank_size > 2 ||
	    cfg->bank_size / FK_L4_PAGE_SIZE > 256)
		return FK_EINVAL;
	fk_stm32_fill(&l4->flash, &l4->run, cfg->base, cfg->size,
		      FK_L4_PAGE_SIZE, 8);
	l4->flash.geo.erased_value = 0xFF;
	l4->flash.geo.program_once = true;
	l4->flash.ops = &l4_ops;
	l4->flash.ctx = l4;
	l4->regs = cfg->regs;
	l4->bank_pages = cfg->bank_size / FK_L4_PAGE_SIZE;
	l4->ecc_nmi = 0;
	return FK_OK;
}

int fk_l4_flash_nmi(struct fk_l4_flash *l4)
{
	if (!(fk_stm32_rd(l4->regs + L4_ECCR) & ECCR_ECCD))
		return 0;
	l4_ecc_clear(l4->regs);
	l4->ecc_nmi = 1;
	return 1;
}
