/*
 * The harness's own test image (test_uc.c): a toy flash controller
 * driver (one register window at 0x40000000: CR, SR, AR; the array at
 * 0x08000000, programmed by plain stores while CR.PG is set, erased by
 * AR and CR.STRT) and a few functions that misbehave on purpose.
 * Variant 0 waits for the erase from RAM, variant 1 from ROM (wrong).
 */
#include <stdint.h>

#include "shim/shim.h"

#define TOY_CR (*(volatile uint32_t *)0x40000000u)
#define TOY_SR (*(volatile uint32_t *)0x40000004u)
#define TOY_AR (*(volatile uint32_t *)0x40000008u)
#define TOY_ARRAY 0x08000000u
#define CR_PG 1u
#define CR_STRT 2u
#define SR_BSY 1u

static const struct fk_sector_run toy_runs[] = { { 4, 4096 } };

static int toy_read(const struct fk_flash *f, uint32_t off, void *buf,
		    uint32_t len)
{
	const volatile uint8_t *a = (const volatile uint8_t *)(TOY_ARRAY + off);
	uint8_t *b = buf;

	(void)f;
	while (len--)
		*b++ = *a++;
	return FK_OK;
}

static int toy_program(const struct fk_flash *f, uint32_t off, const void *buf,
		       uint32_t len)
{
	volatile uint32_t *a = (volatile uint32_t *)(TOY_ARRAY + off);
	const uint8_t *b = buf;

	(void)f;
	TOY_CR = CR_PG;
	for (uint32_t i = 0; i < len; i += 4, b += 4)
		*a++ = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	TOY_CR = 0;
	return FK_OK;
}

FK_RAMFUNC static void toy_erase_ram(uint32_t off)
{
	TOY_AR = off;
	TOY_CR = CR_STRT;
	while (TOY_SR & SR_BSY)
		;
}

static void toy_erase_rom(uint32_t off)
{
	TOY_AR = off;
	TOY_CR = CR_STRT;
	while (TOY_SR & SR_BSY)
		;
}

static int toy_erase_ram_op(const struct fk_flash *f, uint32_t off,
			    uint32_t size)
{
	(void)f;
	(void)size;
	toy_erase_ram(off);
	return FK_OK;
}

static int toy_erase_rom_op(const struct fk_flash *f, uint32_t off,
			    uint32_t size)
{
	(void)f;
	(void)size;
	toy_erase_rom(off);
	return FK_OK;
}

static const struct fk_flash_ops toy_ops[2] = {
	{ toy_read, toy_program, toy_erase_ram_op },
	{ toy_read, toy_program, toy_erase_rom_op },
};

static struct fk_flash toy;

const struct fk_flash *fk_shim_open(uint32_t variant)
{
	if (variant > 1)
		return 0;
	toy.geo = (struct fk_flash_geometry){
		.base = TOY_ARRAY,
		.size = 4 * 4096,
		.runs = toy_runs,
		.run_count = 1,
		.write_unit = 4,
		.erased_value = 0xFF,
	};
	toy.ops = &toy_ops[variant];
	return &toy;
}

uint32_t selftest_add(uint32_t a, uint32_t b)
{
	return a + b;
}

void selftest_hang(void)
{
	for (;;)
		__asm__ volatile("");
}

uint32_t selftest_read_nowhere(void)
{
	return *(volatile uint32_t *)0x60000000u;
}

/* Code in RAM that the CPU rewrites (test_uc.c: the emulator must throw
 * away what it translated of RAM that a store changed). */
FK_RAMFUNC uint32_t selftest_ram_answer(void)
{
	return 1;
}

void selftest_store16(uint32_t addr, uint32_t value)
{
	*(volatile uint16_t *)addr = (uint16_t)value;
}
