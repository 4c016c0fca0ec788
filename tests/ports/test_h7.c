/*
 * The STM32H7 driver (ports/stm32/flash_h7.c) run under Unicorn on its
 * register model (models/h7.c): the conformance suite on the H743 (both
 * banks, Cortex-M7), the H750 and the H745's Cortex-M4 on bank 2; each
 * bank driven through its own registers; ECC double errors as FK_EECC and
 * single ones corrected; the error flags as FK_E* codes; and each rule of
 * the model caught when the image's misuse functions break it.
 *
 * Usage: port_h7 <h7_m7_image.elf> <h7_m4_image.elf>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/h7.h"
#include "stm32_test.h"
#include "uc.h"

#define VARIANT_H743 0
#define VARIANT_H750 1
#define VARIANT_H745_CM4 2
#define VARIANT_H743_BANK1 3
#define MIB (1024u * 1024u)
#define SECTOR 0x20000u

#define SR_WBNE (1u << 1)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_PGSERR (1u << 18)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)

static const char *image_m7, *image_m4;

struct fixture {
	struct uc *uc;
	struct h7_model *model;
	struct fk_sim *sim;
	struct uc_flash uf;
};

static int open_part(void **state, uint32_t variant)
{
	static struct fixture fx;
	bool cm4 = variant == VARIANT_H745_CM4;
	struct uc_config cfg = { .elf = cm4 ? image_m4 : image_m7,
				 .cpu = cm4 ? "cortex-m4" : "cortex-m7" };
	uint32_t size = variant == VARIANT_H750 ? SECTOR : 2 * MIB;

	memset(&fx, 0, sizeof(fx));
	fx.uc = uc_create(&cfg);
	assert_non_null(fx.uc);
	fx.model = h7_model_create(fx.uc, size,
				   variant == VARIANT_H750 ? SECTOR : MIB);
	assert_non_null(fx.model);
	fx.sim = h7_model_sim(fx.model);
	assert_int_equal(uc_flash_open(&fx.uf, fx.uc, fx.sim, variant), FK_OK);
	*state = &fx;
	return 0;
}

static int setup_h743(void **state)
{
	return open_part(state, VARIANT_H743);
}

static int setup_h750(void **state)
{
	return open_part(state, VARIANT_H750);
}

static int setup_h745_cm4(void **state)
{
	return open_part(state, VARIANT_H745_CM4);
}

static int setup_h743_bank1(void **state)
{
	return open_part(state, VARIANT_H743_BANK1);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uc_destroy(fx->uc);
	h7_model_destroy(fx->model);
	return 0;
}

static void test_h743_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "H7 H743 two banks (CM7)", 3);
}

static void test_h745_cm4_bank2_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "H7 H745 bank 2 (CM4)", 3);
}

static void test_h743_bank1_x8_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "H7 H743 bank 1, PSIZE x8 (CM7)", 3);
}

/* The H750: one 128 KiB sector (the checks that need a second sector
 * have none to take). */
static void test_h750_passes_conformance(void **state)
{
	struct fixture *fx = *state;

	stm32_conformance(&fx->uf, "H7 H750 one sector (CM7)", 1);
}

/* The CM4's flash is bank 2: its offset 0 is 0x08100000, driven
 * through KEYR2/CR2/SR2 only. */
static void test_h745_cm4_uses_bank_2_registers(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[64];

	memset(data, 0x3C, sizeof(data));
	assert_int_equal(fx->uf.flash.geo.base, 0x08100000);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, SECTOR, SECTOR), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, SECTOR, data, 64),
			 FK_OK);
	assert_memory_equal(fk_sim_data(fx->sim) + MIB + SECTOR, data, 64);
	assert_int_equal(h7_model_bank_ops(fx->model, 1), 3);
	assert_int_equal(h7_model_bank_ops(fx->model, 0), 0);
	stm32_assert_no_violation(fx->uc);
}

/* A program across the bank boundary: the words below go through bank
 * 1's registers, the rest through bank 2's. */
static void test_program_across_banks_uses_each_bank(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[128], back[128];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	assert_int_equal(fk_flash_program(&fx->uf.flash, MIB - 64, data, 128),
			 FK_OK);
	assert_int_equal(h7_model_bank_ops(fx->model, 0), 2);
	assert_int_equal(h7_model_bank_ops(fx->model, 1), 2);
	assert_int_equal(fk_flash_read(&fx->uf.flash, MIB - 64, back, 128),
			 FK_OK);
	assert_memory_equal(back, data, 128);
	stm32_assert_no_violation(fx->uc);
}

/* A torn flash word: DBECCERR, the read returns FK_EECC and the driver
 * clears the flag; ECC_FA2R names the word. */
static void test_torn_flash_word_reads_eecc(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[96], back[96];
	uint32_t off = MIB + SECTOR + 64 + 4, sr = 0;

	memset(data, 0x42, sizeof(data));
	fk_sim_schedule_cut(fx->sim, fk_sim_op_index(fx->sim) + 2, FK_CUT_TORN,
			    FK_TEAR_SOME_BITS, 11);
	assert_int_equal(
		fk_flash_program(&fx->uf.flash, MIB + SECTOR, data, 96),
		FK_EPOWER);
	fk_sim_reboot(fx->sim);
	assert_int_equal(fk_flash_read(&fx->uf.flash, MIB + SECTOR, back, 64),
			 FK_OK);
	assert_memory_equal(back, data, 64);
	assert_int_equal(fk_flash_read(&fx->uf.flash, MIB + SECTOR, back, 96),
			 FK_EECC);
	assert_int_equal(h7_model_sr(fx->model, 1) & SR_DBECCERR, 0);
	assert_int_equal(uc_call_sym(fx->uc, "h7_probe_sr", &off, 1, &sr),
			 UC_RUN_OK);
	assert_int_equal(sr & SR_DBECCERR, SR_DBECCERR);
	assert_int_equal(h7_model_ecc_fa(fx->model, 1), (SECTOR + 64) / 32);
	assert_int_equal(
		fk_flash_program(&fx->uf.flash, MIB + SECTOR + 64, data, 32),
		FK_EPROGONCE);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, MIB + SECTOR, SECTOR),
			 FK_OK);
	assert_int_equal(fk_flash_read(&fx->uf.flash, MIB + SECTOR, back, 96),
			 FK_OK);
	stm32_assert_no_violation(fx->uc);
}

/* A single-bit error is corrected: the read succeeds with the data and
 * the driver clears SNECCERR. */
static void test_single_ecc_error_is_corrected(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[32], back[32];

	memset(data, 0x99, sizeof(data));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 4096, data, 32),
			 FK_OK);
	h7_model_single_error(fx->model, 4096);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 4096, back, 32), FK_OK);
	assert_memory_equal(back, data, 32);
	assert_int_equal(h7_model_sr(fx->model, 0) & SR_SNECCERR, 0);
	assert_int_equal(h7_model_ecc_fa(fx->model, 0), 4096 / 32);
	stm32_assert_no_violation(fx->uc);
}

static void test_program_twice_is_refused_unchanged(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[32], b[32], back[32];

	memset(a, 0x77, sizeof(a));
	memset(b, 0x33, sizeof(b));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0, a, 32), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0, b, 32),
			 FK_EPROGONCE);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 0, back, 32), FK_OK);
	assert_memory_equal(back, a, 32);
	stm32_assert_no_violation(fx->uc);
}

static void test_write_protected_sector_gives_eprotect(void **state)
{
	struct fixture *fx = *state;
	uint8_t data[32] = { 0 };

	assert_int_equal(fk_sim_protect(fx->sim, 0, SECTOR), FK_OK);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0, data, 32),
			 FK_EPROTECT);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 0, SECTOR), FK_EPROTECT);
	assert_int_equal(h7_model_sr(fx->model, 0), 0);
	stm32_assert_no_violation(fx->uc);
}

/* ---- the model's rules, broken on purpose by the image ---- */

static void test_model_flags_programming_errors(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_flags(fx->uc, "h7_misuse_store_without_pg", 0x1FEF0000u,
			   SR_PGSERR);
	stm32_expect_flags(fx->uc, "h7_misuse_two_flash_words", 0x1FEF0000u,
			   SR_INCERR);
	stm32_expect_flags(fx->uc, "h7_misuse_same_byte_twice", 0x1FEF0000u,
			   SR_STRBERR);
	stm32_expect_flags(fx->uc, "h7_misuse_erase_with_buffer",
			   0x1FEF0000u | SR_WBNE, SR_PGSERR | SR_WBNE);
	assert_int_equal(h7_model_bank_ops(fx->model, 0), 0);
	stm32_assert_no_violation(fx->uc);
}

static void test_model_catches_forbidden_steps(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_violation(fx->uc, "h7_misuse_wrong_key", "KEYR");
	stm32_expect_violation(fx->uc, "h7_misuse_reprogram",
			       "programmed again");
	stm32_expect_violation(fx->uc, "h7_misuse_wait_in_rom", "RAM");
	stm32_expect_violation(fx->uc, "h7_misuse_cr_while_busy", "QW");
	stm32_expect_violation(fx->uc, "h7_misuse_locked_cr", "locked");
}

/* FW programs a partly filled flash word, the missing bytes erased. */
static void test_force_write_pads_with_erased_bytes(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *a = fk_sim_data(fx->sim);

	assert_int_equal(
		stm32_misuse(fx->uc, "h7_misuse_force_write", UC_RUN_OK),
		0xFFFFFFFFu);
	assert_int_equal(a[0], 0x11);
	assert_int_equal(a[31], 0xFF);
	assert_int_equal(h7_model_bank_ops(fx->model, 0), 1);
	stm32_assert_no_violation(fx->uc);
}

/* The H750 has one sector: sector 3 does not exist. */
static void test_model_refuses_a_sector_past_the_bank(void **state)
{
	struct fixture *fx = *state;

	stm32_expect_violation(fx->uc, "h7_misuse_erase_missing_sector",
			       "no such sector");
}

/* The settings store on bank 2's last two sectors: 1370 operations
 * without cuts fill the first sector, then every flash word of the next
 * 30 (which open the second sector: its erase, the live keys copied, the
 * header) is cut. With --full, 2800 operations, all of them cut (two
 * rotations: the second collects the first sector). */
static void test_settings_store_survives_every_cut(void **state)
{
	static const struct kvh_geometry g = {
		.name = "H743 store",
		.cfg = { .key_limit = 16, .value_max = 119, .record_max = 128 },
		.keys_used = 16,
		.vmin = 40,
		.vmax = 119,
	};
	struct fixture *fx = *state;
	struct port_kv_sweep s = { .name = "H743 settings store (bank 2)",
				   .uf = &fx->uf,
				   .off = MIB + 6 * SECTOR,
				   .size = 2 * SECTOR,
				   .g = &g,
				   .ops = 1400,
				   .warmup = 1370,
				   .seed = 0x5EED7 };
	struct port_kv_counts n;

	stm32_kv_sweep(&s, 2, &n);
	assert_true(n.erases >= 1); /* the store opened its second sector */
	stm32_assert_no_violation(fx->uc);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_h743_passes_conformance,
						setup_h743, teardown),
		cmocka_unit_test_setup_teardown(
			test_h745_cm4_bank2_passes_conformance, setup_h745_cm4,
			teardown),
		cmocka_unit_test_setup_teardown(test_h750_passes_conformance,
						setup_h750, teardown),
		cmocka_unit_test_setup_teardown(
			test_h743_bank1_x8_passes_conformance, setup_h743_bank1,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_h745_cm4_uses_bank_2_registers, setup_h745_cm4,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_program_across_banks_uses_each_bank, setup_h743,
			teardown),
		cmocka_unit_test_setup_teardown(test_torn_flash_word_reads_eecc,
						setup_h743, teardown),
		cmocka_unit_test_setup_teardown(
			test_single_ecc_error_is_corrected, setup_h743,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_program_twice_is_refused_unchanged, setup_h750,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_write_protected_sector_gives_eprotect, setup_h750,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_flags_programming_errors, setup_h743,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_catches_forbidden_steps, setup_h743,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_force_write_pads_with_erased_bytes, setup_h743,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_model_refuses_a_sector_past_the_bank, setup_h750,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_settings_store_survives_every_cut, setup_h743,
			teardown),
	};

	if (argc < 3) {
		fprintf(stderr,
			"usage: %s <h7_m7_image.elf> <h7_m4_image.elf>\n",
			argv[0]);
		return 2;
	}
	image_m7 = argv[1];
	image_m4 = argv[2];
	stm32_select_tests(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
