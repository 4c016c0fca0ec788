/*
 * The STM32L4 port test image (l4.cmake): the driver (ports/stm32/
 * flash_l4.c) in the configurations the tests open by variant, and a few
 * functions that break the manual's rules on purpose, so the tests can
 * show that the model (tests/ports/models/l4.c) catches each one.
 */
#include <stdint.h>

#include "shim/shim.h"
#include "stm32/flash_l4.h"

#define REG(off) (*(volatile uint32_t *)(FK_L4_FLASH_REGS + (off)))
#define KEYR REG(0x08)
#define SR REG(0x10)
#define CR REG(0x14)
#define ARRAY(off) (*(volatile uint32_t *)(FK_L4_FLASH_BASE + (off)))
#define CR_PG 1u
#define CR_PER 2u
#define CR_STRT (1u << 16)

/* Variant 0: L476 (1 MiB, two banks of 512 KiB); 1: L433 (256 KiB). */
const struct fk_flash *fk_shim_open(uint32_t variant)
{
	static const struct fk_l4_flash_config parts[] = {
		{ FK_L4_FLASH_REGS, FK_L4_FLASH_BASE, 1024 * 1024, 512 * 1024 },
		{ FK_L4_FLASH_REGS, FK_L4_FLASH_BASE, 256 * 1024, 256 * 1024 },
	};
	static struct fk_l4_flash l4;

	if (variant >= sizeof(parts) / sizeof(parts[0]) ||
	    fk_l4_flash_init(&l4, &parts[variant]) != FK_OK)
		return 0;
	return &l4.flash;
}

static void unlock(void)
{
	KEYR = 0x45670123u;
	KEYR = 0xCDEF89ABu;
}

/* KEY2 first. */
void l4_misuse_wrong_key(void)
{
	KEYR = 0xCDEF89ABu;
}

/* A store to the flash without PG. Returns FLASH_SR. */
uint32_t l4_misuse_store_without_pg(void)
{
	unlock();
	ARRAY(0) = 0x12345678u;
	return SR;
}

/* A byte store while PG is set. */
uint32_t l4_misuse_byte_store(void)
{
	unlock();
	CR = CR_PG;
	*(volatile uint8_t *)FK_L4_FLASH_BASE = 0x12;
	return SR;
}

/* The first word of a double word at an odd word. */
uint32_t l4_misuse_misaligned(void)
{
	unlock();
	CR = CR_PG;
	ARRAY(4) = 0x12345678u;
	return SR;
}

/* A program over data that is not erased, then reads SR. */
FK_RAMFUNC uint32_t l4_misuse_reprogram(void)
{
	unlock();
	CR = CR_PG;
	ARRAY(0) = 0x12345678u;
	ARRAY(4) = 0x12345678u;
	while (SR & (1u << 16))
		;
	ARRAY(0) = 0x1u;
	ARRAY(4) = 0x1u;
	return SR;
}

/* An erase started with PGAERR of an earlier program still set. */
uint32_t l4_misuse_erase_with_stale_error(void)
{
	l4_misuse_misaligned();
	CR = CR_PER;
	CR = CR_PER | CR_STRT;
	return SR;
}

/* An erase whose busy wait runs from ROM (no FK_RAMFUNC). */
void l4_misuse_wait_in_rom(void)
{
	unlock();
	CR = CR_PER;
	CR = CR_PER | CR_STRT;
	while (SR & (1u << 16))
		;
}

/* A second erase started while the first is busy. */
FK_RAMFUNC void l4_misuse_start_while_busy(void)
{
	unlock();
	CR = CR_PER;
	CR = CR_PER | CR_STRT;
	CR = CR_PER | CR_STRT;
}

/* PG set while FLASH_CR is locked. */
void l4_misuse_locked_cr(void)
{
	CR = CR_PG;
}

/* Reads the word at off of the flash and returns FLASH_ECCR as left. */
uint32_t l4_probe_eccr(uint32_t off)
{
	(void)ARRAY(off);
	return REG(0x18);
}

/* The second word of a double word stored into another double word. */
uint32_t l4_misuse_second_word_elsewhere(void)
{
	unlock();
	CR = CR_PG;
	ARRAY(0) = 0x12345678u;
	ARRAY(12) = 0x12345678u;
	return SR;
}

/* A double word programmed, then a store before BSY clears. */
FK_RAMFUNC void l4_misuse_store_while_busy(void)
{
	unlock();
	CR = CR_PG;
	ARRAY(0) = 0x12345678u;
	ARRAY(4) = 0x12345678u;
	ARRAY(8) = 0x12345678u;
}

/* A correct double word stored while PGAERR of a bad one is still set. */
uint32_t l4_misuse_program_with_stale_error(void)
{
	l4_misuse_misaligned();
	ARRAY(0) = 0x12345678u;
	ARRAY(4) = 0x12345678u;
	return SR;
}

/* An erase of page 200: past the 128 pages of an L433. */
FK_RAMFUNC void l4_misuse_erase_missing_page(void)
{
	unlock();
	CR = CR_PER | 200u << 3;
	CR = CR_PER | 200u << 3 | CR_STRT;
	while (SR & (1u << 16))
		;
}

/* A page erased with the data cache on (its reset value), then read
 * without a cache reset. */
FK_RAMFUNC uint32_t l4_misuse_read_after_erase(void)
{
	unlock();
	CR = CR_PER;
	CR = CR_PER | CR_STRT;
	while (SR & (1u << 16))
		;
	return ARRAY(0);
}

/* DCRST written with the data cache on. */
void l4_misuse_dcrst_while_on(void)
{
	REG(0x00) = 0x600u | 1u << 12;
}
