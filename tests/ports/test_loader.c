/*
 * The flash loader (ports/loader/) run under Unicorn the way a debugger
 * runs a CMSIS-Pack flash algorithm: the ELF loaded at its link address
 * in RAM, the FlashDevice description read from it, each entry point
 * called with its arguments in r0-r2 and the data in a RAM buffer, its
 * return value checked; on an F205's SPI1 (models/spi_stm32.c) with a
 * W25Q128JV (models/nor_chip.c). Then the chip's content is compared
 * with the image programmed. Run by test_nor.c's main.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_nor.h"

#include "models/nor_chip.h"
#include "models/spi_stm32.h"
#include "uc.h"

#define DEV_ADR 0x90000000u
#define DEV_SIZE (16u << 20)
#define SECTOR 4096u
#define PAGE 4096u	/* FlashDevice.szPage */
#define BUF 0x20020000u /* where the "debugger" puts the data */
#define RCC 0x40023800u
#define EXTSPI 5u

static const char *image;

struct fixture {
	struct uc *uc;
	struct nor_chip *chip;
	struct spi_model *spi;
	uint32_t rcc[0x100];
};

static struct fixture fx;

/* RCC: keeps what is written (the board setup enables the clocks). */
static uint32_t rcc_read(void *ctx, uint32_t off, unsigned size)
{
	(void)size;
	return ((uint32_t *)ctx)[off / 4];
}

static void rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	(void)size;
	((uint32_t *)ctx)[off / 4] = v;
}

static void open_loader(enum nor_chip_part part)
{
	struct uc_config cfg = { .elf = image, .cpu = "cortex-m3" };
	struct uc_periph rcc = { .name = "RCC",
				 .base = RCC,
				 .size = 0x400,
				 .read = rcc_read,
				 .write = rcc_write,
				 .ctx = fx.rcc };

	memset(&fx, 0, sizeof(fx));
	rcc.ctx = fx.rcc;
	fx.uc = uc_create(&cfg);
	assert_non_null(fx.uc);
	fx.chip = nor_chip_create(fx.uc, part);
	assert_non_null(fx.chip);
	fx.spi = spi_model_create(fx.uc, fx.chip, SPI1_F2_REGS, GPIOA_F2_REGS,
				  4);
	assert_non_null(fx.spi);
	assert_int_equal(uc_add_periph(fx.uc, &rcc), 0);
}

static int teardown(void **state)
{
	(void)state;
	uc_destroy(fx.uc);
	spi_model_destroy(fx.spi);
	nor_chip_destroy(fx.chip);
	return 0;
}

/* One entry point, as a debugger calls it; the value of r0. */
static uint32_t entry(const char *name, uint32_t a0, uint32_t a1, uint32_t a2)
{
	uint32_t args[3] = { a0, a1, a2 }, ret = 0xDEAD;
	enum uc_run r = uc_call_sym(fx.uc, name, args, 3, &ret);

	if (r != UC_RUN_OK)
		fail_msg("%s: %s (%s)", name, uc_run_name(r),
			 uc_first_violation(fx.uc));
	return ret;
}

static void test_flash_device_describes_the_chip(void **state)
{
	uint32_t addr;
	uint8_t d[176];
	uint32_t w;

	(void)state;
	open_loader(NOR_CHIP_W25Q128JV);
	assert_int_equal(uc_symbol(fx.uc, "FlashDevice", &addr), 0);
	assert_int_equal(uc_read_mem(fx.uc, addr, d, sizeof(d)), 0);
	assert_int_equal(d[0] | d[1] << 8, 0x0101);	/* Vers */
	assert_int_equal(d[130] | d[131] << 8, EXTSPI); /* DevType */
	memcpy(&w, d + 132, 4);
	assert_int_equal(w, DEV_ADR);
	memcpy(&w, d + 136, 4);
	assert_int_equal(w, DEV_SIZE);
	memcpy(&w, d + 140, 4);
	assert_int_equal(w, PAGE);
	assert_int_equal(d[148], 0xFF); /* valEmpty */
	memcpy(&w, d + 160, 4);
	assert_int_equal(w, SECTOR);
	memcpy(&w, d + 164, 4);
	assert_int_equal(w, 0);
	memcpy(&w, d + 168, 4);
	assert_int_equal(w, 0xFFFFFFFFu);
}

static void test_debugger_erases_programs_and_verifies(void **state)
{
	const uint32_t len = 20000, at = DEV_ADR + 3 * SECTOR;
	uint8_t *img = malloc(len);
	const uint8_t *chip;

	(void)state;
	assert_non_null(img);
	for (uint32_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 37u + (i >> 9));
	open_loader(NOR_CHIP_W25Q128JV);
	chip = fk_sim_data(nor_chip_sim(fx.chip));
	memset(fk_sim_data(nor_chip_sim(fx.chip)), 0x5A, 64 * 1024);

	assert_int_equal(entry("Init", DEV_ADR, 16000000, 1), 0);
	for (uint32_t a = at; a < at + len; a += SECTOR)
		assert_int_equal(entry("EraseSector", a, 0, 0), 0);
	assert_int_equal(entry("UnInit", 1, 0, 0), 0);
	assert_int_equal(chip[3 * SECTOR - 1], 0x5A);
	assert_int_equal(entry("Init", DEV_ADR, 16000000, 2), 0);
	assert_int_equal(entry("BlankCheck", at, len, 0xFF), 0);
	for (uint32_t done = 0; done < len; done += PAGE) {
		uint32_t n = len - done < PAGE ? len - done : PAGE;

		assert_int_equal(uc_write_mem(fx.uc, BUF, img + done, n), 0);
		assert_int_equal(entry("ProgramPage", at + done, n, BUF), 0);
	}
	assert_int_equal(entry("UnInit", 2, 0, 0), 0);
	assert_memory_equal(chip + 3 * SECTOR, img, len);
	assert_int_equal(chip[3 * SECTOR + 5 * SECTOR], 0x5A);

	assert_int_equal(entry("Init", DEV_ADR, 16000000, 3), 0);
	assert_int_equal(uc_write_mem(fx.uc, BUF, img, 4096), 0);
	assert_int_equal(entry("Verify", at, 4096, BUF), at + 4096);
	img[1000] ^= 1;
	assert_int_equal(uc_write_mem(fx.uc, BUF, img, 4096), 0);
	assert_int_equal(entry("Verify", at, 4096, BUF), at + 1000);
	assert_int_equal(entry("BlankCheck", at, len, 0xFF), 1);
	assert_int_equal(entry("UnInit", 3, 0, 0), 0);
	assert_int_equal(uc_violations(fx.uc), 0);
	assert_int_equal(fx.rcc[0x44 / 4] & (1u << 12), 1u << 12); /* SPI1EN */
	free(img);
}

static void test_erase_chip(void **state)
{
	(void)state;
	open_loader(NOR_CHIP_W25Q128JV);
	memset(fk_sim_data(nor_chip_sim(fx.chip)) + DEV_SIZE - 10, 0, 10);
	assert_int_equal(entry("Init", DEV_ADR, 0, 1), 0);
	assert_int_equal(entry("EraseChip", 0, 0, 0), 0);
	assert_int_equal(fk_sim_data(nor_chip_sim(fx.chip))[DEV_SIZE - 1],
			 0xFF);
	assert_int_equal(uc_violations(fx.uc), 0);
}

static void test_refuses_addresses_outside_the_chip(void **state)
{
	(void)state;
	open_loader(NOR_CHIP_W25Q128JV);
	assert_int_equal(entry("Init", DEV_ADR, 0, 2), 0);
	assert_int_equal(entry("EraseSector", DEV_ADR - SECTOR, 0, 0), 1);
	assert_int_equal(entry("EraseSector", DEV_ADR + DEV_SIZE, 0, 0), 1);
	assert_int_equal(entry("ProgramPage", DEV_ADR + DEV_SIZE - 4, 8, BUF),
			 1);
	assert_int_equal(uc_violations(fx.uc), 0);
}

static void test_init_fails_without_a_chip(void **state)
{
	(void)state;
	open_loader(NOR_CHIP_ABSENT);
	assert_int_equal(entry("Init", DEV_ADR, 0, 1), 1);
	assert_int_equal(entry("EraseSector", DEV_ADR, 0, 0), 1);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int nor_loader_tests(const char *elf)
{
	const struct CMUnitTest tests[] = {
		T(test_flash_device_describes_the_chip),
		T(test_debugger_erases_programs_and_verifies),
		T(test_erase_chip),
		T(test_refuses_addresses_outside_the_chip),
		T(test_init_fails_without_a_chip),
	};

	image = elf;
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
