/*
 * The STM32L0/L1 port test image (l0.cmake), built for the Cortex-M0+ of
 * the L0 and the Cortex-M3 of the L1: the driver (ports/stm32/
 * flash_l0.c) in the configurations the tests open by variant, and
 * functions that break the manual's rules on purpose so the tests can
 * show the model (tests/ports/models/l0.c) catches each one. The misuse
 * functions use the L0's register base.
 */
#include <stdint.h>

#include "shim/shim.h"
#include "stm32/flash_l0.h"

#define REG(off) (*(volatile uint32_t *)(FK_L0_FLASH_REGS + (off)))
#define PECR REG(0x04)
#define PEKEYR REG(0x0C)
#define PRGKEYR REG(0x10)
#define SR REG(0x18)
#define ARRAY(off) (*(volatile uint32_t *)(FK_L0_FLASH_BASE + (off)))
#define PECR_PROG (1u << 3)
#define PECR_ERASE (1u << 9)
#define PECR_FPRG (1u << 10)
#define SR_BSY 1u

/*
 * 0: L0 (L053: 64 KiB in 128-byte pages), its program memory; 1: its
 * 2 KiB data EEPROM; 2: L1 (L151x8: 64 KiB in 256-byte pages), program
 * memory; 3: its 4 KiB data EEPROM.
 */
const struct fk_flash *fk_shim_open(uint32_t variant)
{
	static const struct fk_l0_flash_config parts[] = {
		{ FK_L0_FLASH_REGS, FK_L0_FLASH_BASE, 0x10000, FK_L0_PAGE_SIZE,
		  FK_L0_EEPROM_BASE, 2048 },
		{ FK_L1_FLASH_REGS, FK_L0_FLASH_BASE, 0x10000, FK_L1_PAGE_SIZE,
		  FK_L0_EEPROM_BASE, 4096 },
	};
	static struct fk_l0_flash l0;

	if (variant >= 4 || fk_l0_flash_init(&l0, &parts[variant / 2]) != 0)
		return 0;
	return variant % 2 ? &l0.eeprom : &l0.flash;
}

static void unlock(void)
{
	PEKEYR = 0x89ABCDEFu;
	PEKEYR = 0x02030405u;
	PRGKEYR = 0x8C9DAEBFu;
	PRGKEYR = 0x13141516u;
}

/* PRGKEYR before PEKEYR. */
void l0_misuse_prgkey_first(void)
{
	PRGKEYR = 0x8C9DAEBFu;
}

/* A half-page filled from ROM. */
void l0_misuse_half_page_from_rom(void)
{
	unlock();
	PECR = PECR_FPRG | PECR_PROG;
	for (uint32_t i = 0; i < 64; i += 4)
		ARRAY(i) = i;
}

/* A half-page whose second store skips a word. */
FK_RAMFUNC uint32_t l0_misuse_half_page_gap(void)
{
	unlock();
	PECR = PECR_FPRG | PECR_PROG;
	ARRAY(0) = 1;
	ARRAY(8) = 2;
	return SR;
}

/* A half-word store to the program memory. */
uint32_t l0_misuse_half_word(void)
{
	unlock();
	*(volatile uint16_t *)FK_L0_FLASH_BASE = 1;
	return SR;
}

/* A word programmed over a word that is not zero. */
FK_RAMFUNC uint32_t l0_misuse_not_zero(void)
{
	unlock();
	ARRAY(0) = 0x0Fu;
	while (SR & SR_BSY)
		;
	ARRAY(0) = 0xF0u;
	return SR;
}

/* A store to the program memory with PRGLOCK still set. */
uint32_t l0_misuse_locked_store(void)
{
	PEKEYR = 0x89ABCDEFu;
	PEKEYR = 0x02030405u;
	ARRAY(0) = 1;
	return SR;
}

/* PECR changed while an erase runs. */
FK_RAMFUNC void l0_misuse_pecr_while_busy(void)
{
	unlock();
	PECR = PECR_ERASE | PECR_PROG;
	ARRAY(0) = 0;
	PECR = 0;
}

/* An erase whose wait runs from ROM. */
void l0_misuse_wait_in_rom(void)
{
	unlock();
	PECR = PECR_ERASE | PECR_PROG;
	ARRAY(0) = 0;
	while (SR & SR_BSY)
		;
}

/* PECR operation bits set with PELOCK still set. */
void l0_misuse_pecr_locked(void)
{
	PECR = PECR_ERASE | PECR_PROG;
}

/* PROG and FPRG set with only PELOCK cleared (PRGLOCK still set). */
void l0_misuse_prog_without_prgkey(void)
{
	PEKEYR = 0x89ABCDEFu;
	PEKEYR = 0x02030405u;
	PECR = PECR_FPRG | PECR_PROG;
}

/* A half-page fill that starts in the middle of a half-page. */
FK_RAMFUNC uint32_t l0_misuse_half_page_mid(void)
{
	unlock();
	PECR = PECR_FPRG | PECR_PROG;
	ARRAY(4) = 1;
	return SR;
}

/* A read of the NVM during a half-page fill (from RAM). */
FK_RAMFUNC uint32_t l0_misuse_read_during_fill(void)
{
	unlock();
	PECR = PECR_FPRG | PECR_PROG;
	ARRAY(0) = 1;
	return ARRAY(64);
}

#define EEPROM(off) (*(volatile uint8_t *)(FK_L0_EEPROM_BASE + (off)))

/* A data EEPROM byte written 0x0F then 0x01: the part erases the word
 * in between. Returns the byte read back. */
FK_RAMFUNC uint32_t l0_misuse_eeprom_overwrite(void)
{
	PEKEYR = 0x89ABCDEFu;
	PEKEYR = 0x02030405u;
	EEPROM(1) = 0x0F;
	while (SR & SR_BSY)
		;
	EEPROM(1) = 0x01;
	while (SR & SR_BSY)
		;
	return EEPROM(1);
}

/* A data EEPROM store with PELOCK set. */
uint32_t l0_misuse_eeprom_locked(void)
{
	EEPROM(0) = 1;
	return SR;
}

/* PEKEY2 first. */
void l0_misuse_wrong_pekey(void)
{
	PEKEYR = 0x02030405u;
}

/* A data EEPROM word erase started by a byte store. */
uint32_t l0_misuse_eeprom_wrong_size_erase(void)
{
	PEKEYR = 0x89ABCDEFu;
	PEKEYR = 0x02030405u;
	PECR = PECR_ERASE | (1u << 4);
	EEPROM(0) = 0;
	return SR;
}
