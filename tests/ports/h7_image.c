/*
 * The STM32H7 port test image (h7.cmake), built twice: for the Cortex-M7
 * (H743, H750) and for the Cortex-M4 of the H745 (bank 2 only). The
 * driver (ports/stm32/flash_h7.c) in the configurations the tests open by
 * variant, and functions that break the manual's rules on purpose so the
 * tests can show the model (tests/ports/models/h7.c) catches each one.
 */
#include <stdint.h>

#include "shim/shim.h"
#include "stm32/flash_h7.h"

#define REG(off) (*(volatile uint32_t *)(FK_H7_FLASH_REGS + (off)))
#define KEYR1 REG(0x04)
#define CR1 REG(0x0C)
#define SR1 REG(0x10)
#define ARRAY(off) (*(volatile uint32_t *)(FK_H7_FLASH_BASE + (off)))
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define SR_QW (1u << 2)

/*
 * 0: H743 (2 MiB, two banks of 1 MiB, both covered); 1: H750 (one
 * 128 KiB sector); 2: H745 CM4 (bank 2 only); 3: H743 bank 1 only.
 */
const struct fk_flash *fk_shim_open(uint32_t variant)
{
	static const struct fk_h7_flash_config parts[] = {
		{ FK_H7_FLASH_REGS, FK_H7_FLASH_BASE, 0x100000,
		  FK_H7_FLASH_BASE, 0x200000, FK_H7_PSIZE_X64 },
		{ FK_H7_FLASH_REGS, FK_H7_FLASH_BASE, 0x20000, FK_H7_FLASH_BASE,
		  0x20000, FK_H7_PSIZE_X32 },
		{ FK_H7_FLASH_REGS, FK_H7_FLASH_BASE, 0x100000,
		  FK_H7_BANK2_BASE, 0x100000, FK_H7_PSIZE_X64 },
		{ FK_H7_FLASH_REGS, FK_H7_FLASH_BASE, 0x100000,
		  FK_H7_FLASH_BASE, 0x100000, FK_H7_PSIZE_X8 },
	};
	static struct fk_h7_flash h7;

	if (variant >= sizeof(parts) / sizeof(parts[0]) ||
	    fk_h7_flash_init(&h7, &parts[variant]) != FK_OK)
		return 0;
	return &h7.flash;
}

static void unlock(void)
{
	KEYR1 = 0x45670123u;
	KEYR1 = 0xCDEF89ABu;
}

void h7_misuse_wrong_key(void)
{
	KEYR1 = 0x12345678u;
}

uint32_t h7_misuse_store_without_pg(void)
{
	unlock();
	ARRAY(0) = 0x12345678u;
	return SR1;
}

/* A word of flash word 0, then one of flash word 1. */
uint32_t h7_misuse_two_flash_words(void)
{
	unlock();
	CR1 = CR_PG;
	ARRAY(0) = 1;
	ARRAY(32) = 2;
	return SR1;
}

/* The same word of the buffer twice. */
uint32_t h7_misuse_same_byte_twice(void)
{
	unlock();
	CR1 = CR_PG;
	ARRAY(8) = 1;
	ARRAY(8) = 2;
	return SR1;
}

/* An erase started with half a flash word in the buffer. */
uint32_t h7_misuse_erase_with_buffer(void)
{
	unlock();
	CR1 = CR_PG;
	ARRAY(0) = 1;
	CR1 = CR_SER;
	CR1 = CR_SER | CR_START;
	return SR1;
}

/* A flash word programmed twice, the waits in RAM. */
FK_RAMFUNC void h7_misuse_reprogram(void)
{
	unlock();
	CR1 = CR_PG;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < 32; i += 4)
			ARRAY(i) = 0x0F0F0F0Fu >> pass;
		while (SR1 & SR_QW)
			;
	}
}

/* An erase whose wait runs from ROM. */
void h7_misuse_wait_in_rom(void)
{
	unlock();
	CR1 = CR_SER;
	CR1 = CR_SER | CR_START;
	while (SR1 & SR_QW)
		;
}

/* CR1 written while the erase runs. */
FK_RAMFUNC void h7_misuse_cr_while_busy(void)
{
	unlock();
	CR1 = CR_SER;
	CR1 = CR_SER | CR_START;
	CR1 = 0;
}

void h7_misuse_locked_cr(void)
{
	CR1 = CR_SER;
}

/* Reads the word at off of the flash; returns the SR of its bank. */
uint32_t h7_probe_sr(uint32_t off)
{
	(void)ARRAY(off);
	return REG(off >= 0x100000 ? 0x110 : 0x10);
}

/* One word then FW: the flash word programs with the rest erased.
 * Returns the second word as read back. */
FK_RAMFUNC uint32_t h7_misuse_force_write(void)
{
	unlock();
	CR1 = CR_PG;
	ARRAY(0) = 0x11111111u;
	CR1 = CR_PG | CR_FW;
	while (SR1 & SR_QW)
		;
	return ARRAY(4);
}

/* An erase of sector 3: past the single sector of an H750. */
FK_RAMFUNC void h7_misuse_erase_missing_sector(void)
{
	unlock();
	CR1 = CR_SER | 3u << 8;
	CR1 = CR_SER | 3u << 8 | CR_START;
	while (SR1 & SR_QW)
		;
}
