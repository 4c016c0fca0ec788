/*
 * The STM32H7 flash driver (see flash_h7.h), from RM0433 section 4.3.
 *
 * Every operation works on one bank at a time, through that bank's
 * registers: wait until BSY, QW and WBNE are clear, unlock FLASH_CRx with
 * the two keys in FLASH_KEYRx, clear the old flags through FLASH_CCRx,
 * set PG (or SER with the sector number) and PSIZE, write the flash words
 * (or set START), wait for QW, read the flags, clear PG/SER and lock.
 * A range that crosses from bank 1 into bank 2 is done in two parts.
 */
#include "flash_h7.h"
#include "stm32_mmio.h"

/* Register offsets from the FLASH block; bank 2's are 0x100 higher. */
#define H7_KEYR 0x04u
#define H7_CR 0x0Cu
#define H7_SR 0x10u
#define H7_CCR 0x14u
#define H7_BANK_REGS 0x100u

#define H7_KEY1 0x45670123u
#define H7_KEY2 0xCDEF89ABu

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_PSIZE_SHIFT 4
#define CR_START (1u << 7)
#define CR_SNB_SHIFT 8
#define CR_OPS (CR_PG | CR_SER | (3u << CR_PSIZE_SHIFT) | (7u << CR_SNB_SHIFT))

#define SR_BSY (1u << 0)
#define SR_WBNE (1u << 1)
#define SR_QW (1u << 2)
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_RDPERR (1u << 23)
#define SR_RDSERR (1u << 24)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_ERRORS                                                    \
	(SR_WRPERR | SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR | \
	 SR_RDPERR | SR_RDSERR)
#define SR_ECC (SR_SNECCERR | SR_DBECCERR)
#define SR_FLAGS (SR_EOP | SR_ERRORS | SR_ECC)

static struct fk_h7_flash *h7_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

static int h7_error(uint32_t sr)
{
	if (sr & (SR_WRPERR | SR_RDPERR | SR_RDSERR))
		return FK_EPROTECT;
	if (sr & (SR_PGSERR | SR_STRBERR | SR_INCERR))
		return FK_ESTATE;
	if (sr & SR_OPERR)
		return FK_EIO;
	return FK_OK;
}

/* The register block of the bank holding bus address addr. */
static uint32_t h7_bank_regs(const struct fk_h7_flash *h7, uint32_t addr)
{
	return h7->regs +
	       ((addr - h7->flash_base) / h7->bank_size) * H7_BANK_REGS;
}

/* Bytes from addr to the end of its bank. */
static uint32_t h7_bank_left(const struct fk_h7_flash *h7, uint32_t addr)
{
	return h7->bank_size - (addr - h7->flash_base) % h7->bank_size;
}

/* Writes one flash word (PG set) and waits until it is programmed.
 * Returns FLASH_SRx. */
static FK_RAMFUNC uint32_t h7_program_word(uint32_t bank, uint32_t addr,
					   const uint32_t *words)
{
	for (uint32_t i = 0; i < FK_H7_FLASH_WORD / 4; i++)
		fk_stm32_wr(addr + 4 * i, words[i]);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(bank + H7_SR, SR_QW | SR_BSY);
}

/* Selects the sector (cr: SER, SNB, PSIZE), starts the erase and waits.
 * Returns FLASH_SRx. */
static FK_RAMFUNC uint32_t h7_erase_sector(uint32_t bank, uint32_t cr)
{
	fk_stm32_wr(bank + H7_CR, cr);
	fk_stm32_wr(bank + H7_CR, cr | CR_START);
	fk_stm32_barrier();
	return fk_stm32_wait_clear(bank + H7_SR, SR_QW | SR_BSY);
}

/* The bank idle and unlocked, its old flags cleared, cr_ops set. FK_EIO
 * when the keys do not unlock it (a wrong key locked it until reset). */
static int h7_begin(uint32_t bank, uint32_t cr_ops)
{
	uint32_t cr;

	fk_stm32_wait_clear(bank + H7_SR, SR_BSY | SR_QW | SR_WBNE);
	if (fk_stm32_rd(bank + H7_CR) & CR_LOCK) {
		fk_stm32_wr(bank + H7_KEYR, H7_KEY1);
		fk_stm32_wr(bank + H7_KEYR, H7_KEY2);
	}
	cr = fk_stm32_rd(bank + H7_CR);
	if (cr & CR_LOCK)
		return FK_EIO;
	fk_stm32_wr(bank + H7_CCR, SR_FLAGS);
	if (cr_ops)
		fk_stm32_wr(bank + H7_CR, (cr & ~CR_OPS) | cr_ops);
	return FK_OK;
}

/* Clears the operation bits, locks the bank, clears sr's flags and
 * returns their code. */
static int h7_end(uint32_t bank, uint32_t sr)
{
	uint32_t cr = fk_stm32_rd(bank + H7_CR) & ~CR_OPS;

	fk_stm32_wr(bank + H7_CR, cr);
	fk_stm32_wr(bank + H7_CR, cr | CR_LOCK);
	fk_stm32_wr(bank + H7_CCR, sr & SR_FLAGS);
	return h7_error(sr);
}

/* Clears the bank's ECC flags; after a read, h7_ecc_check tells whether
 * a double error happened and counts the corrected ones. */
static void h7_ecc_clear(uint32_t bank)
{
	fk_stm32_wr(bank + H7_CCR, SR_ECC);
}

static int h7_ecc_check(struct fk_h7_flash *h7, uint32_t bank)
{
	uint32_t sr = fk_stm32_rd(bank + H7_SR) & SR_ECC;

	if (sr & SR_SNECCERR)
		h7->corrected++;
	h7_ecc_clear(bank);
	return sr & SR_DBECCERR ? FK_EECC : FK_OK;
}

static int h7_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	struct fk_h7_flash *h7 = h7_of(flash);
	uint32_t addr = flash->geo.base + off;
	uint8_t *dst = buf;
	int rc = FK_OK;

	while (len) {
		uint32_t bank = h7_bank_regs(h7, addr);
		uint32_t n = h7_bank_left(h7, addr);
		int ecc;

		n = n < len ? n : len;
		h7_ecc_clear(bank);
		fk_stm32_copy_in(dst, addr, n);
		ecc = h7_ecc_check(h7, bank);
		rc = rc != FK_OK ? rc : ecc;
		addr += n;
		dst += n;
		len -= n;
	}
	return rc;
}

/* Every flash word of [addr, addr+len) reads erased, without an ECC
 * double error (a torn word is not erased). */
static int h7_range_erased(struct fk_h7_flash *h7, uint32_t addr, uint32_t len)
{
	uint32_t bank = h7_bank_regs(h7, addr);
	int erased;

	h7_ecc_clear(bank);
	erased = fk_stm32_words_are(addr, len, 0xFFFFFFFFu);
	return h7_ecc_check(h7, bank) == FK_OK && erased;
}

/* Programs [addr, addr+len), all in one bank. */
static int h7_program_bank(struct fk_h7_flash *h7, uint32_t addr,
			   const uint8_t *src, uint32_t len)
{
	uint32_t bank = h7_bank_regs(h7, addr), sr = 0;
	uint32_t words[FK_H7_FLASH_WORD / 4];
	int rc = h7_begin(bank, CR_PG | h7->psize << CR_PSIZE_SHIFT);

	if (rc != FK_OK)
		return rc;
	for (uint32_t i = 0; i < len && !(sr & SR_ERRORS);
	     i += FK_H7_FLASH_WORD) {
		for (uint32_t w = 0; w < FK_H7_FLASH_WORD / 4; w++)
			words[w] = fk_stm32_le32(src + i + 4 * w);
		sr = h7_program_word(bank, addr + i, words);
	}
	return h7_end(bank, sr);
}

static int h7_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	struct fk_h7_flash *h7 = h7_of(flash);
	uint32_t addr = flash->geo.base + off;
	const uint8_t *src = buf;
	int rc = FK_OK;

	for (uint32_t i = 0; i < len; i += FK_H7_FLASH_WORD) {
		if (!h7_range_erased(h7, addr + i, FK_H7_FLASH_WORD))
			return FK_EPROGONCE;
	}
	while (len && rc == FK_OK) {
		uint32_t n = h7_bank_left(h7, addr);

		n = n < len ? n : len;
		rc = h7_program_bank(h7, addr, src, n);
		addr += n;
		src += n;
		len -= n;
	}
	return rc;
}

static int h7_erase(const struct fk_flash *flash, uint32_t off,
		    uint32_t sector_size)
{
	struct fk_h7_flash *h7 = h7_of(flash);
	uint32_t addr = flash->geo.base + off;
	uint32_t bank = h7_bank_regs(h7, addr);
	uint32_t snb =
		(addr - h7->flash_base) % h7->bank_size / FK_H7_SECTOR_SIZE;
	uint32_t cr;
	int rc;

	(void)sector_size;
	rc = h7_begin(bank, 0);
	if (rc != FK_OK)
		return rc;
	cr = fk_stm32_rd(bank + H7_CR) & ~CR_OPS;
	cr |= CR_SER | snb << CR_SNB_SHIFT | h7->psize << CR_PSIZE_SHIFT;
	return h7_end(bank, h7_erase_sector(bank, cr));
}

static const struct fk_flash_ops h7_ops = {
	.read = h7_read,
	.program = h7_program,
	.erase_sector = h7_erase,
};

int fk_h7_flash_init(struct fk_h7_flash *h7,
		     const struct fk_h7_flash_config *cfg)
{
	if (!h7 || !cfg || !cfg->size || !cfg->bank_size ||
	    cfg->bank_size % FK_H7_SECTOR_SIZE ||
	    cfg->bank_size / FK_H7_SECTOR_SIZE > 8 ||
	    cfg->size % FK_H7_SECTOR_SIZE || cfg->base < cfg->flash_base ||
	    (cfg->base - cfg->flash_base) % FK_H7_SECTOR_SIZE ||
	    cfg->base - cfg->flash_base + cfg->size > 2 * cfg->bank_size ||
	    cfg->psize > FK_H7_PSIZE_X64)
		return FK_EINVAL;
	fk_stm32_fill(&h7->flash, &h7->run, cfg->base, cfg->size,
		      FK_H7_SECTOR_SIZE, FK_H7_FLASH_WORD);
	h7->flash.geo.erased_value = 0xFF;
	h7->flash.geo.program_once = true;
	h7->flash.ops = &h7_ops;
	h7->flash.ctx = h7;
	h7->regs = cfg->regs;
	h7->flash_base = cfg->flash_base;
	h7->bank_size = cfg->bank_size;
	h7->psize = cfg->psize;
	h7->corrected = 0;
	return FK_OK;
}
