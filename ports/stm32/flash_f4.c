/*
 * The STM32F2/F4 flash driver (see flash_f4.h), from RM0090 section 3
 * (and RM0033 section 2, the same controller without RDERR).
 *
 * Every operation follows the manual's sequence (RM0090 3.6.2, 3.6.3):
 * wait for BSY to clear, unlock FLASH_CR with the two keys if locked,
 * clear the flags a previous operation left, set PG or SER+SNB with
 * PSIZE, write or start, wait for BSY, read the flags, clear PG/SER and
 * lock again; after an erase, flush the ART caches. Only the
 * write-and-wait steps run from RAM.
 */
#include "flash_f4.h"
#include "stm32_mmio.h"

/* Register offsets from the FLASH block. */
#define F4_ACR 0x00u
#define F4_KEYR 0x04u
#define F4_SR 0x0Cu
#define F4_CR 0x10u

#define F4_KEY1 0x45670123u
#define F4_KEY2 0xCDEF89ABu

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_RDERR (1u << 8)
#define SR_BSY (1u << 16)
#define SR_ERRORS \
	(SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR | SR_RDERR)

#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_ICRST (1u << 11)
#define ACR_DCRST (1u << 12)

#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_SNB_SHIFT 3
#define CR_SNB_MASK (0x1Fu << CR_SNB_SHIFT)
#define CR_PSIZE_SHIFT 8
#define CR_PSIZE_MASK (3u << CR_PSIZE_SHIFT)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

#define F4_BANK2_SNB 16u /* SNB of bank 2's first sector */

static struct fk_f4_flash *f4_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

/* The code for the first error flag in sr, 0 when none. */
static int f4_error(uint32_t sr)
{
	if (sr & (SR_WRPERR | SR_RDERR))
		return FK_EPROTECT;
	if (sr & (SR_PGAERR | SR_PGPERR))
		return FK_EALIGN;
	if (sr & SR_PGSERR)
		return FK_ESTATE;
	if (sr & SR_OPERR)
		return FK_EIO;
	return FK_OK;
}

/* Writes one unit of the program size at addr (PG set) and waits for the
 * flash. The x64 size is two word writes (RM0090 3.6.2). Returns
 * FLASH_SR. */
static FK_RAMFUNC uint32_t f4_program_unit(uint32_t regs, uint32_t addr,
					   const uint8_t *src, uint32_t psize)
{
	switch (psize) {
	case 0:
		*(volatile uint8_t *)addr = src[0];
		break;
	case 1:
		*(volatile uint16_t *)addr =
			(uint16_t)(src[0] | (uint32_t)src[1] << 8);
		break;
	case 2:
		fk_stm32_wr(addr, fk_stm32_le32(src));
		break;
	default:
		fk_stm32_wr(addr, fk_stm32_le32(src));
		fk_stm32_wr(addr + 4, fk_stm32_le32(src + 4));
		break;
	}
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + F4_SR, SR_BSY);
}

/* Selects the sector (cr: SER, SNB, PSIZE), starts the erase and waits.
 * Returns FLASH_SR. */
static FK_RAMFUNC uint32_t f4_erase_start(uint32_t regs, uint32_t cr)
{
	fk_stm32_wr(regs + F4_CR, cr);
	fk_stm32_wr(regs + F4_CR, cr | CR_STRT);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(regs + F4_SR, SR_BSY);
}

/* No operation running, FLASH_CR unlocked, old flags cleared. FK_EIO
 * when the keys do not unlock it (a wrong key locked it until reset). */
static int f4_begin(uint32_t regs)
{
	fk_stm32_wait_clear(regs + F4_SR, SR_BSY);
	if (fk_stm32_rd(regs + F4_CR) & CR_LOCK) {
		fk_stm32_wr(regs + F4_KEYR, F4_KEY1);
		fk_stm32_wr(regs + F4_KEYR, F4_KEY2);
		if (fk_stm32_rd(regs + F4_CR) & CR_LOCK)
			return FK_EIO;
	}
	fk_stm32_wr(regs + F4_SR, SR_ERRORS | SR_EOP);
	return FK_OK;
}

/* Clears the operation bits, locks, clears the flags of sr and returns
 * their code. */
static int f4_end(uint32_t regs, uint32_t sr)
{
	fk_stm32_wr(regs + F4_CR, CR_LOCK);
	fk_stm32_wr(regs + F4_SR, sr & (SR_ERRORS | SR_EOP));
	return f4_error(sr);
}

static int f4_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	uint32_t regs = f4_of(flash)->regs, sr;

	fk_stm32_copy_in(buf, flash->geo.base + off, len);
	sr = fk_stm32_rd(regs + F4_SR);
	if (!(sr & SR_RDERR))
		return FK_OK;
	fk_stm32_wr(regs + F4_SR, SR_RDERR);
	return FK_EPROTECT;
}

/* 0 when every bit the data clears or keeps at 0 can be reached from
 * what [addr, addr+len) holds, i.e. no bit goes from 0 back to 1. */
static int f4_reachable(uint32_t addr, const uint8_t *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if ((uint8_t)(*(volatile uint8_t *)(addr + i) & src[i]) !=
		    src[i])
			return FK_ENOTERASED;
	}
	return FK_OK;
}

/* True when the unit at src is all 0xFF: programming it changes nothing. */
static bool f4_blank_unit(const uint8_t *src, uint32_t unit)
{
	for (uint32_t i = 0; i < unit; i++) {
		if (src[i] != 0xFF)
			return false;
	}
	return true;
}

static int f4_verify(uint32_t addr, const uint8_t *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (*(volatile uint8_t *)(addr + i) != src[i])
			return FK_EIO;
	}
	return FK_OK;
}

static int f4_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	struct fk_f4_flash *f4 = f4_of(flash);
	uint32_t regs = f4->regs, addr = flash->geo.base + off;
	uint32_t unit = flash->geo.write_unit, sr = 0;
	const uint8_t *src = buf;
	int rc = f4_reachable(addr, src, len);

	if (rc == FK_OK)
		rc = f4_begin(regs);
	if (rc != FK_OK)
		return rc;
	fk_stm32_wr(regs + F4_CR, CR_PG | f4->psize << CR_PSIZE_SHIFT);
	for (uint32_t i = 0; i < len && !(sr & SR_ERRORS); i += unit) {
		if (!f4_blank_unit(src + i, unit))
			sr = f4_program_unit(regs, addr + i, src + i,
					     f4->psize);
	}
	rc = f4_end(regs, sr);
	return rc != FK_OK ? rc : f4_verify(addr, src, len);
}

uint32_t fk_f4_flash_snb(const struct fk_f4_flash *f4, uint32_t index)
{
	if (f4->dual_bank && index >= f4->bank_sectors)
		return F4_BANK2_SNB + index - f4->bank_sectors;
	return index;
}

/* After an erase the ART caches may hold the sector's old bytes: each
 * enabled cache is disabled, reset (its reset bit may be written only
 * while it is off) and enabled again (RM0090 3.5.2). */
static void f4_flush_caches(uint32_t regs)
{
	uint32_t acr = fk_stm32_rd(regs + F4_ACR);
	uint32_t off = acr & ~(ACR_ICEN | ACR_DCEN);
	uint32_t rst = (acr & ACR_ICEN ? ACR_ICRST : 0) |
		       (acr & ACR_DCEN ? ACR_DCRST : 0);

	if (!rst)
		return;
	fk_stm32_wr(regs + F4_ACR, off);
	fk_stm32_wr(regs + F4_ACR, off | rst);
	fk_stm32_wr(regs + F4_ACR, off);
	fk_stm32_wr(regs + F4_ACR, acr);
}

static int f4_erase_sector(const struct fk_flash *flash, uint32_t off,
			   uint32_t sector_size)
{
	struct fk_f4_flash *f4 = f4_of(flash);
	struct fk_sector s;
	uint32_t cr;
	int rc;

	(void)sector_size;
	rc = fk_flash_sector_at(flash, off, &s);
	if (rc == FK_OK)
		rc = f4_begin(f4->regs);
	if (rc != FK_OK)
		return rc;
	cr = CR_SER | fk_f4_flash_snb(f4, s.index) << CR_SNB_SHIFT |
	     f4->psize << CR_PSIZE_SHIFT;
	rc = f4_end(f4->regs, f4_erase_start(f4->regs, cr));
	f4_flush_caches(f4->regs);
	return rc;
}

static const struct fk_flash_ops f4_ops = {
	.read = f4_read,
	.program = f4_program,
	.erase_sector = f4_erase_sector,
};

/* One bank's map: four 16 KiB, one 64 KiB, the rest 128 KiB sectors.
 * Returns the runs written (2 or 3), 0 when bank is not such a size. */
static uint32_t f4_bank_runs(struct fk_sector_run *runs, uint32_t bank)
{
	if (bank < 128u * 1024 || bank > 1024u * 1024 ||
	    bank % (128u * 1024) != 0)
		return 0;
	runs[0] = (struct fk_sector_run){ 4, 16u * 1024 };
	runs[1] = (struct fk_sector_run){ 1, 64u * 1024 };
	if (bank == 128u * 1024)
		return 2;
	runs[2] =
		(struct fk_sector_run){ bank / (128u * 1024) - 1, 128u * 1024 };
	return 3;
}

int fk_f4_flash_init(struct fk_f4_flash *f4,
		     const struct fk_f4_flash_config *cfg)
{
	uint32_t banks, n;

	if (!f4 || !cfg || (unsigned)cfg->vrange > FK_F4_VRANGE_VPP)
		return FK_EINVAL;
	banks = cfg->dual_bank ? 2 : 1;
	n = f4_bank_runs(f4->runs, cfg->size / banks);
	if (n == 0 || cfg->size % banks != 0)
		return FK_EINVAL;
	f4->bank_sectors = 0;
	for (uint32_t i = 0; i < n; i++)
		f4->bank_sectors += f4->runs[i].count;
	if (banks == 2) {
		for (uint32_t i = 0; i < n; i++)
			f4->runs[n + i] = f4->runs[i];
	}
	f4->flash.geo = (struct fk_flash_geometry){
		.base = cfg->base,
		.size = cfg->size,
		.runs = f4->runs,
		.run_count = n * banks,
		.write_unit = 1u << cfg->vrange,
		.erased_value = 0xFF,
		.program_once = false,
	};
	f4->flash.ops = &f4_ops;
	f4->flash.ctx = f4;
	f4->regs = cfg->regs;
	f4->psize = (uint32_t)cfg->vrange;
	f4->dual_bank = cfg->dual_bank;
	return FK_OK;
}
