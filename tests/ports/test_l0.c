/*
 * The STM32L0/L1 driver (ports/stm32/flash_l0.c) run under Unicorn on its
 * register model (models/l0.c): the conformance suite on the program
 * memory and the data EEPROM of an L0 and an L1; half-pages where a range
 * covers them and words elsewhere; the data EEPROM's byte writes and
 * word erase; the error flags; and each rule of the model caught when the
 * image's misuse functions break it.
 *
 * Usage: port_l0 <l0_image.elf> <l1_image.elf>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/l0.h"
#include "stm32_test.h"
#include "uc.h"

#define VARIANT_L0 0
#define VARIANT_L0_EEPROM 1
#define VARIANT_L1 2
#define VARIANT_L1_EEPROM 3

#define SR_WRPERR (1u << 8)
#define SR_PGAERR (1u << 9)
#define SR_SIZERR (1u << 10)
#define SR_NOTZEROERR (1u << 16)
#define SR_ERRORS 0x00033F00u

static const char *image_l0, *image_l1;

struct fixture {
	struct uc *uc;
	struct l0_model *model;
	struct uc_flash uf;
};

static int open_part(void **state, uint32_t variant)
{
	static struct fixture fx;
	bool l1 = variant >= VARIANT_L1;
	struct uc_config cfg = { .elf = l1 ? image_l1 : image_l0,
				 .cpu = "cortex-m3" };
	struct l0_model_config mc = { .l1 = l1,
				      .flash_size = 0x10000,
				      .eeprom_size = l1 ? 4096 : 2048 };

	memset(&fx, 0, sizeof(fx));
	fx.uc = uc_create(&cfg);
	assert_non_null(fx.uc);
	fx.model = l0_model_create(fx.uc, &mc);
	assert_non_null(fx.model);
	assert_int_equal(uc_flash_open(&fx.uf, fx.uc,
				       variant % 2 ?
					       l0_model_eeprom_sim(fx.model) :
					       l0_model_flash_sim(fx.model),
				       variant),
			 FK_OK);
	*state = &fx;
	return 0;
}

static int setup_l0(void **state)
{
	return open_part(state, VARIANT_L0);
}

static int setup_l0_eeprom(void **state)
{
	return open_part(state, VARIANT_L0_EEPROM);
}

static int setup_l1(void **state)
{
	return open_part(state, VARIANT_L1);
}

static int setup_l1_eeprom(void **state)
{
	return open_part(state, VARIANT_L1_EEPROM);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uc_destroy(fx->uc);
	l0_model_destroy(fx->model);
	return 0;
}

static void test_l0_program_memory_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L0 program memory", 0);
}

static void test_l0_data_eeprom_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L0 data EEPROM", 0);
}

static void test_l1_program_memory_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L1 program memory", 0);
}

static void test_l1_data_eeprom_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L1 data EEPROM", 0);
}

static void test_geometry_erases_to_zero(void **state)
{
	struct fixture *fx = *state;
	const struct fk_flash_geometry *g = &fx->uf.flash.geo;

	assert_int_equal(g->erased_value, 0x00);
	assert_int_equal(g->write_unit, 4);
	assert_int_equal(g->runs[0].size, 128);
	assert_true(g->program_once);
}

/* A program of [60, 60+200): one word up to the half-page at 64, then
 * three half-pages (64..255), then the word at 256. */
static void test_program_uses_half_pages_where_they_fit(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[200], back[200];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 60, data, 200), FK_OK);
	assert_int_equal(l0_model_half_pages(fx->model), 3);
	assert_int_equal(l0_model_words(fx->model), 2);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 60, back, 200), FK_OK);
	assert_memory_equal(back, data, 200);
	stm32_assert_no_violation(fx->uc);
}

static void test_l1_half_page_is_128_bytes(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[256];

	memset(data, 0xC3, sizeof(data));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 256, data, 256),
			 FK_OK);
	assert_int_equal(l0_model_half_pages(fx->model), 2);
	assert_int_equal(l0_model_words(fx->model), 0);
	assert_memory_equal(fk_sim_data(l0_model_flash_sim(fx->model)) + 256,
			    data, 256);
	stm32_assert_no_violation(fx->uc);
}

static void test_program_twice_is_refused_unchanged(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8], back[8];

	memset(b, 0xFF, sizeof(b));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 512, a, 8), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 512, b, 8),
			 FK_EPROGONCE);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 512, back, 8), FK_OK);
	assert_memory_equal(back, a, 8);
	stm32_assert_no_violation(fx->uc);
}

/* Bytes only gain bits; a word erase (ERASE + DATA) clears one word. */
static void test_eeprom_bytes_and_word_erase(void **state)
{
	struct fixture *fx = *state;
	uint8_t v = 0x0F, back[8];
	const uint8_t *ee = fk_sim_data(l0_model_eeprom_sim(fx->model));

	assert_int_equal(fk_flash_program(&fx->uf.flash, 5, &v, 1), FK_OK);
	v = 0xFF;
	assert_int_equal(fk_flash_program(&fx->uf.flash, 5, &v, 1), FK_OK);
	v = 0x01;
	assert_int_equal(fk_flash_program(&fx->uf.flash, 5, &v, 1),
			 FK_ENOTERASED);
	v = 0x80;
	assert_int_equal(fk_flash_program(&fx->uf.flash, 3, &v, 1), FK_OK);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 0, back, 8), FK_OK);
	assert_int_equal(back[5], 0xFF);
	assert_int_equal(back[3], 0x80);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 4, 4), FK_OK);
	assert_int_equal(ee[5], 0);
	assert_int_equal(ee[3], 0x80);
	stm32_assert_no_violation(fx->uc);
}

/* WRPERR from a protected page becomes FK_EPROTECT, for program and
 * erase; the flag cleared, the next program elsewhere works; the driver
 * leaves PELOCK and PRGLOCK set. */
static void test_write_protected_page_gives_eprotect(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[64];

	memset(data, 0x5A, sizeof(data));
	assert_int_equal(
		fk_sim_protect(l0_model_flash_sim(fx->model), 1024, 128),
		FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 1024, data, 64),
			 FK_EPROTECT);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 1024, 128), FK_EPROTECT);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 2048, data, 64),
			 FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 2048 + 64, data, 8),
			 FK_OK);
	assert_int_equal(l0_model_pecr(fx->model) & 3, 3);
	stm32_assert_no_violation(fx->uc);
}

static void test_model_flags_programming_errors(void **state)
{
	struct fixture *fx = *state;
	struct uc *uc = fx->uc;

	stm32_expect_flags(uc, "l0_misuse_half_page_gap", SR_ERRORS, SR_PGAERR);
	stm32_expect_flags(uc, "l0_misuse_half_word", SR_ERRORS, SR_SIZERR);
	stm32_expect_flags(uc, "l0_misuse_not_zero", SR_ERRORS, SR_NOTZEROERR);
	stm32_expect_flags(uc, "l0_misuse_locked_store", SR_ERRORS, SR_WRPERR);
	stm32_expect_flags(uc, "l0_misuse_half_page_mid", SR_ERRORS, SR_PGAERR);
	stm32_expect_flags(uc, "l0_misuse_eeprom_locked", SR_ERRORS, SR_WRPERR);
	stm32_expect_flags(uc, "l0_misuse_eeprom_overwrite", 0xFF, 0x01);
	stm32_expect_flags(uc, "l0_misuse_eeprom_wrong_size_erase", SR_ERRORS,
			   SR_SIZERR);
	stm32_assert_no_violation(uc);
}

static void test_model_catches_forbidden_steps(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_violation(fx->uc, "l0_misuse_prgkey_first", "PRGKEYR");
	stm32_expect_violation(fx->uc, "l0_misuse_wrong_pekey", "PEKEYR");
	stm32_expect_violation(fx->uc, "l0_misuse_half_page_from_rom",
			       "half-page");
	stm32_expect_violation(fx->uc, "l0_misuse_pecr_while_busy", "BSY");
	stm32_expect_violation(fx->uc, "l0_misuse_wait_in_rom", "RAM");
	stm32_expect_violation(fx->uc, "l0_misuse_pecr_locked", "PELOCK");
	stm32_expect_violation(fx->uc, "l0_misuse_prog_without_prgkey",
			       "PRGLOCK");
	stm32_expect_violation(fx->uc, "l0_misuse_read_during_fill",
			       "half-page");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_l0_program_memory_passes_conformance, setup_l0,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_l0_data_eeprom_passes_conformance, setup_l0_eeprom,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_l1_program_memory_passes_conformance, setup_l1,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_l1_data_eeprom_passes_conformance, setup_l1_eeprom,
			teardown),
		cmocka_unit_test_setup_teardown(test_geometry_erases_to_zero,
						setup_l0, teardown),
		cmocka_unit_test_setup_teardown(
			test_program_uses_half_pages_where_they_fit, setup_l0,
			teardown),
		cmocka_unit_test_setup_teardown(test_l1_half_page_is_128_bytes,
						setup_l1, teardown),
		cmocka_unit_test_setup_teardown(
			test_program_twice_is_refused_unchanged, setup_l0,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_eeprom_bytes_and_word_erase, setup_l0_eeprom,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_write_protected_page_gives_eprotect, setup_l0,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_flags_programming_errors, setup_l0,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_catches_forbidden_steps, setup_l0, teardown),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s <l0_image.elf> <l1_image.elf>\n",
			argv[0]);
		return 2;
	}
	image_l0 = argv[1];
	image_l1 = argv[2];
	stm32_select_tests(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
