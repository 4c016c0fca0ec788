/*
 * The STM32L4 driver (ports/stm32/flash_l4.c) run under Unicorn on its
 * register model (models/l4.c): the conformance suite on the L476 (two
 * banks) and the L433 (one), the bank selection, a torn double word read
 * as FK_EECC, the error flags as FK_E* codes, and each rule of the model
 * caught when the image's misuse functions break it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/l4.h"
#include "stm32_test.h"
#include "uc.h"

#define VARIANT_L476 0
#define VARIANT_L433 1
#define MIB (1024u * 1024u)

#define SR_PROGERR (1u << 3)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)

static const char *image;

struct fixture {
	struct uc *uc;
	struct l4_model *model;
	struct fk_sim *sim;
	struct uc_flash uf;
};

static void open_part(struct fixture *fx, uint32_t variant)
{
	struct uc_config cfg = { .elf = image, .cpu = "cortex-m4" };
	uint32_t size = variant == VARIANT_L476 ? MIB : MIB / 4;

	memset(fx, 0, sizeof(*fx));
	fx->uc = uc_create(&cfg);
	assert_non_null(fx->uc);
	fx->model = l4_model_create(fx->uc, size,
				    variant == VARIANT_L476 ? size / 2 : size);
	assert_non_null(fx->model);
	fx->sim = l4_model_sim(fx->model);
	assert_int_equal(uc_flash_open(&fx->uf, fx->uc, fx->sim, variant),
			 FK_OK);
}

static int setup_l476(void **state)
{
	static struct fixture fx;

	open_part(&fx, VARIANT_L476);
	*state = &fx;
	return 0;
}

static int setup_l433(void **state)
{
	static struct fixture fx;

	open_part(&fx, VARIANT_L433);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uc_destroy(fx->uc);
	l4_model_destroy(fx->model);
	return 0;
}

static void test_l476_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L4 L476 dual bank", 0);
}

static void test_l433_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "L4 L433 single bank", 0);
}

static void test_geometry_is_2k_pages_of_double_words(void **state)
{
	struct fixture *fx = *state;
	const struct fk_flash_geometry *g = &fx->uf.flash.geo;

	assert_int_equal(g->base, 0x08000000);
	assert_int_equal(g->size, MIB);
	assert_int_equal(g->write_unit, 8);
	assert_int_equal(g->erased_value, 0xFF);
	assert_true(g->program_once);
	assert_int_equal(fk_flash_sector_count(&fx->uf.flash), 512);
}

/* Page 256 is page 0 of bank 2: BKER set, PNB 0. Data across the bank
 * boundary programs and reads back. */
static void test_dual_bank_erase_selects_bank_2(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[64], back[64];
	uint32_t edge = MIB / 2 - 32;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xA0 + i);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, MIB / 2, 2048), FK_OK);
	assert_int_equal(l4_model_bank_erases(fx->model, 1), 1);
	assert_int_equal(l4_model_bank_erases(fx->model, 0), 0);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, MIB / 2 - 2048, 2048),
			 FK_OK);
	assert_int_equal(l4_model_bank_erases(fx->model, 0), 1);
	assert_int_equal(fk_flash_program(&fx->uf.flash, edge, data, 64),
			 FK_OK);
	assert_int_equal(fk_flash_read(&fx->uf.flash, edge, back, 64), FK_OK);
	assert_memory_equal(back, data, 64);
	assert_memory_equal(fk_sim_data(fx->sim) + edge, data, 64);
	stm32_assert_no_violation(fx->uc);
}

/* A cut tears the third double word of a program: reading it gives
 * FK_EECC (ECCR.ECCD, cleared by the driver), its neighbours read fine,
 * and an erase of the page makes it good again. */
static void test_torn_double_word_reads_eecc(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[32], back[32];

	memset(data, 0x5A, sizeof(data));
	fk_sim_schedule_cut(fx->sim, fk_sim_op_index(fx->sim) + 2, FK_CUT_TORN,
			    FK_TEAR_SOME_BITS, 7);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 4096, data, 32),
			 FK_EPOWER);
	fk_sim_reboot(fx->sim);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 4096 + 16, back, 8),
			 FK_EECC);
	assert_int_equal(l4_model_eccr(fx->model) >> 31, 0);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 4096, back, 16), FK_OK);
	assert_memory_equal(back, data, 16);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 4096, back, 32), FK_EECC);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 4096 + 16, data, 8),
			 FK_EPROGONCE);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 4096, 2048), FK_OK);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 4096, back, 32), FK_OK);
	stm32_assert_no_violation(fx->uc);
}

/* The model records the torn double word's bank offset and bank. */
static void test_ecc_address_names_bank_2(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[8];
	uint32_t off = MIB / 2 + 2056 + 4, good = 0, eccr = 0;

	fk_sim_schedule_cut(fx->sim, fk_sim_op_index(fx->sim), FK_CUT_TORN,
			    FK_TEAR_SOME_BITS, 3);
	assert_int_equal(
		fk_flash_program(&fx->uf.flash, MIB / 2 + 2056, data, 8),
		FK_EPOWER);
	fk_sim_reboot(fx->sim);
	/* the first call after the cut reboots the MCU; then the probe */
	assert_int_equal(fk_flash_read(&fx->uf.flash, 0, back, 8), FK_OK);
	assert_int_equal(uc_call_sym(fx->uc, "l4_probe_eccr", &off, 1, &eccr),
			 UC_RUN_OK);
	assert_int_equal(eccr, 0x80000000u | 1u << 19 | 2056u);
	assert_int_equal(uc_call_sym(fx->uc, "l4_probe_eccr", &good, 1, &eccr),
			 UC_RUN_OK);
	assert_int_equal(eccr >> 31, 1); /* stays set until cleared */
	stm32_assert_no_violation(fx->uc);
}

static void test_program_twice_is_refused_unchanged(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[16], b[16], back[16];

	memset(a, 0x11, sizeof(a));
	memset(b, 0x01, sizeof(b));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 8192, a, 16), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 8192, b, 16),
			 FK_EPROGONCE);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 8192, back, 16), FK_OK);
	assert_memory_equal(back, a, 16);
	stm32_assert_no_violation(fx->uc);
}

/* WRPERR from a protected page becomes FK_EPROTECT, for program and
 * erase, and the next operation elsewhere works. */
static void test_write_protected_page_gives_eprotect(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[8] = { 0 };

	assert_int_equal(fk_sim_protect(fx->sim, 6144, 2048), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 6144, data, 8),
			 FK_EPROTECT);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 6144, 2048),
			 FK_EPROTECT);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 8192, data, 8), FK_OK);
	assert_int_equal(l4_model_sr(fx->model), 0);
	stm32_assert_no_violation(fx->uc);
}

/* ---- the model's rules, broken on purpose by the image ---- */

static void test_model_flags_programming_errors(void **state)
{
	struct fixture *fx = *state;
	struct uc *uc = fx->uc;

	stm32_expect_flags(uc, "l4_misuse_store_without_pg", 0xFF, SR_PGSERR);
	stm32_expect_flags(uc, "l4_misuse_byte_store", 0xFF, SR_SIZERR);
	stm32_expect_flags(uc, "l4_misuse_misaligned", 0xFF, SR_PGAERR);
	stm32_expect_flags(uc, "l4_misuse_second_word_elsewhere", 0xFF,
			   SR_PGAERR);
	stm32_expect_flags(uc, "l4_misuse_reprogram", 0xFF, SR_PROGERR);
	stm32_expect_flags(uc, "l4_misuse_program_with_stale_error", 0xFF,
			   SR_PGAERR | SR_PGSERR);
	/* PGAERR of a bad program, then PGSERR at the erase */
	stm32_expect_flags(uc, "l4_misuse_erase_with_stale_error", 0xFF,
			   SR_PGAERR | SR_PGSERR);
	assert_int_equal(l4_model_bank_erases(fx->model, 0), 0);
	stm32_assert_no_violation(uc);
}

static void test_model_catches_forbidden_steps(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_violation(fx->uc, "l4_misuse_wrong_key", "KEYR");
	stm32_expect_violation(fx->uc, "l4_misuse_wait_in_rom", "RAM");
	stm32_expect_violation(fx->uc, "l4_misuse_start_while_busy", "BSY");
	stm32_expect_violation(fx->uc, "l4_misuse_store_while_busy", "BSY");
	stm32_expect_violation(fx->uc, "l4_misuse_read_after_erase",
			       "data cache");
	stm32_expect_violation(fx->uc, "l4_misuse_dcrst_while_on",
			       "cache reset");
	stm32_expect_violation(fx->uc, "l4_misuse_locked_cr", "locked");
}

/* The L433 has 128 pages: page 200 does not exist. */
static void test_model_refuses_a_page_past_the_bank(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_violation(fx->uc, "l4_misuse_erase_missing_page",
			       "no such page");
}

/* The settings store on three pages across the bank boundary, every
 * double word of every record cut (--full: 10x longer). */
static void test_settings_store_survives_every_cut(void **state)
{
	static const struct kvh_geometry g = {
		.name = "L476 store",
		.cfg = { .key_limit = 16, .value_max = 24, .record_max = 64 },
		.keys_used = 16,
		.vmax = 24,
	};
	struct fixture *fx = *state;
	struct port_kv_sweep s = { .name = "L476 settings store",
				   .uf = &fx->uf,
				   .off = MIB / 2 - 2 * 2048,
				   .size = 3 * 2048,
				   .g = &g,
				   .ops = 200,
				   .seed = 0x5EED };
	struct port_kv_counts n;

	stm32_kv_sweep(&s, 10, &n);
	assert_true(n.erases >= 2); /* the store collected a page */
	stm32_assert_no_violation(fx->uc);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_l476_passes_conformance,
						setup_l476, teardown),
		cmocka_unit_test_setup_teardown(test_l433_passes_conformance,
						setup_l433, teardown),
		cmocka_unit_test_setup_teardown(
			test_geometry_is_2k_pages_of_double_words, setup_l476,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_dual_bank_erase_selects_bank_2, setup_l476,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_torn_double_word_reads_eecc, setup_l476, teardown),
		cmocka_unit_test_setup_teardown(test_ecc_address_names_bank_2,
						setup_l476, teardown),
		cmocka_unit_test_setup_teardown(
			test_program_twice_is_refused_unchanged, setup_l433,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_write_protected_page_gives_eprotect, setup_l433,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_flags_programming_errors, setup_l476,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_catches_forbidden_steps, setup_l476,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_refuses_a_page_past_the_bank, setup_l433,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_settings_store_survives_every_cut, setup_l476,
			teardown),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <l4_image.elf>\n", argv[0]);
		return 2;
	}
	image = argv[1];
	stm32_select_tests(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
