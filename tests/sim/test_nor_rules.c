/*
 * The NOR rules the simulator enforces: erase granularity, program moving
 * bits only away from the erased value (for both 0xFF and 0x00 parts),
 * program-once units on ECC flash, ECC faults on torn units, and write
 * protection. Power cuts, accounting and snapshots are in their own files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/asserts.h"
#include "sim/fixtures.h"

static void fill(uint8_t *buf, uint32_t len, uint8_t value)
{
	memset(buf, value, len);
}

static void test_new_simulator_reads_as_erased(void **state)
{
	uint8_t erased[] = {0xFF, 0x00};

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct fk_sim *sim =
		    fk_test_sim_uniform(4, 256, 4, erased[k], false);
		uint8_t buf[1024];

		assert_non_null(sim);
		assert_int_equal(fk_flash_read(fk_sim_flash(sim), 0, buf, 1024),
				 FK_OK);
		fk_assert_all(buf, sizeof(buf), erased[k]);
		fk_sim_destroy(sim);
	}
}

/* Program everything to 0x5A, erase sector 1: exactly its 256 bytes go
 * back to the erased value; both neighbours keep every byte. */
static void check_erase_one_sector(uint8_t erased)
{
	struct fk_sim *sim = fk_test_sim_uniform(4, 256, 4, erased, false);
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t buf[1024];

	fill(buf, sizeof(buf), 0x5A);
	assert_int_equal(fk_flash_program(f, 0, buf, 1024), FK_OK);
	assert_int_equal(fk_flash_erase(f, 256, 256), FK_OK);
	assert_int_equal(fk_flash_read(f, 0, buf, 1024), FK_OK);
	fk_assert_all(buf, 256, 0x5A);
	fk_assert_all(buf + 256, 256, erased);
	fk_assert_all(buf + 512, 512, 0x5A);
	fk_sim_destroy(sim);
}

static void test_erase_sets_exactly_one_sector_to_0xff(void **state)
{
	(void)state;
	check_erase_one_sector(0xFF);
}

static void test_erase_sets_exactly_one_sector_to_0x00(void **state)
{
	(void)state;
	check_erase_one_sector(0x00);
}

/* The last sector too (the erase must not stop short at the end). */
static void test_erase_of_last_sector_covers_all_of_it(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t *data = fk_sim_data(sim);

	(void)state;
	memset(data + 0xE0000, 0x00, 0x20000);
	assert_int_equal(fk_flash_erase(f, 0xE0000, 0x20000), FK_OK);
	fk_assert_all(data + 0xE0000, 0x20000, 0xFF);
	fk_sim_destroy(sim);
}

static void test_erase_inside_a_sector_is_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t *data = fk_sim_data(sim);

	(void)state;
	memset(data, 0x00, 512);
	assert_int_equal(fk_flash_erase(f, 128, 128), FK_EALIGN);
	assert_int_equal(fk_flash_erase(f, 0, 128), FK_EALIGN);
	assert_int_equal(fk_flash_erase(f, 0, 384), FK_EALIGN);
	fk_assert_all(data, 512, 0x00);
	assert_int_equal(fk_sim_op_index(sim), 0);
	fk_sim_destroy(sim);
}

/* 0xFF part: program clears bits (1 -> 0); setting one back is refused
 * and the whole program leaves the flash as it was. */
static void test_program_cannot_set_bit_back_to_erased_0xff(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t a[8] = {0xF0, 0xF0, 0xF0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF};
	uint8_t b[8] = {0x30, 0x30, 0x30, 0x30, 0xFF, 0xFF, 0xFF, 0xFF};
	uint8_t bad[8] = {0x30, 0x30, 0x30, 0x38, 0x00, 0x00, 0x00, 0x00};
	uint8_t buf[8];

	(void)state;
	assert_int_equal(fk_flash_program(f, 0, a, 8), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, b, 8), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, bad, 8), FK_ENOTERASED);
	assert_int_equal(fk_flash_read(f, 0, buf, 8), FK_OK);
	assert_memory_equal(buf, b, 8);
	fk_sim_destroy(sim);
}

/* 0x00 part: the mirror image, program sets bits (0 -> 1) and clearing
 * one is the move back to the erased state. */
static void test_program_cannot_set_bit_back_to_erased_0x00(void **state)
{
	struct fk_sim *sim = fk_test_sim_uniform(8, 256, 4, 0x00, false);
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t a[4] = {0x0F, 0x0F, 0x00, 0x00};
	uint8_t b[4] = {0x1F, 0x0F, 0x80, 0x00};
	uint8_t bad[4] = {0x1F, 0x0E, 0x80, 0xFF};
	uint8_t buf[4];

	(void)state;
	assert_int_equal(fk_flash_program(f, 4, a, 4), FK_OK);
	assert_int_equal(fk_flash_program(f, 4, b, 4), FK_OK);
	assert_int_equal(fk_flash_program(f, 4, bad, 4), FK_ENOTERASED);
	assert_int_equal(fk_flash_read(f, 4, buf, 4), FK_OK);
	assert_memory_equal(buf, b, 4);
	fk_sim_destroy(sim);
}

static void test_plain_nor_allows_programming_a_unit_again(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[4] = {0x12, 0x34, 0x56, 0x78};

	(void)state;
	assert_int_equal(fk_flash_program(f, 8, v, 4), FK_OK);
	assert_int_equal(fk_flash_program(f, 8, v, 4), FK_OK);
	fk_sim_destroy(sim);
}

static void
test_program_once_refuses_second_program_with_same_data(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t ones[8];
	uint8_t two[16];
	uint8_t long_run[8 * 16];
	uint8_t buf[8];

	(void)state;
	fill(long_run, sizeof(long_run), 0x00);
	fill(ones, 8, 0xFF);
	fill(two, 16, 0x00);
	assert_int_equal(fk_flash_program(f, 16, v, 8), FK_OK);
	assert_int_equal(fk_flash_program(f, 16, v, 8), FK_EPROGONCE);
	/* Programming the erased value still uses the unit up. */
	assert_int_equal(fk_flash_program(f, 24, ones, 8), FK_OK);
	assert_int_equal(fk_flash_program(f, 24, ones, 8), FK_EPROGONCE);
	/* A range that only touches one used unit is refused whole. */
	assert_int_equal(fk_flash_program(f, 8, two, 16), FK_EPROGONCE);
	assert_int_equal(fk_flash_read(f, 8, buf, 8), FK_OK);
	fk_assert_all(buf, 8, 0xFF);
	/* So is a long one whose used units come first (the simulator
	 * checks eight units at a time, then the rest). */
	assert_int_equal(fk_flash_program(f, 16, long_run, sizeof(long_run)),
			 FK_EPROGONCE);
	assert_int_equal(fk_flash_read(f, 40, buf, 8), FK_OK);
	fk_assert_all(buf, 8, 0xFF);
	/* The neighbours are independent units. */
	assert_int_equal(fk_flash_program(f, 32, v, 8), FK_OK);
	fk_sim_destroy(sim);
}

static void
test_program_once_unit_is_programmable_again_after_erase(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	(void)state;
	assert_int_equal(fk_flash_program(f, 256, v, 8), FK_OK);
	assert_int_equal(fk_flash_erase(f, 256, 256), FK_OK);
	assert_int_equal(fk_flash_program(f, 256, v, 8), FK_OK);
	fk_sim_destroy(sim);
}

static void test_torn_program_once_unit_reads_as_ecc_error(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t buf[8];

	(void)state;
	assert_int_equal(fk_flash_program(f, 0, v, 8), FK_OK);
	fk_sim_schedule_cut(sim, fk_sim_op_index(sim), FK_CUT_TORN,
			    FK_TEAR_SOME_BITS, 7);
	assert_int_equal(fk_flash_program(f, 8, v, 8), FK_EPOWER);
	fk_sim_reboot(sim);
	assert_int_equal(fk_flash_read(f, 8, buf, 8), FK_EECC);
	/* One torn byte spoils any read that touches its unit... */
	assert_int_equal(fk_flash_read(f, 15, buf, 1), FK_EECC);
	assert_int_equal(fk_flash_read(f, 4, buf, 8), FK_EECC);
	/* ...but not its neighbours. */
	assert_int_equal(fk_flash_read(f, 0, buf, 8), FK_OK);
	assert_memory_equal(buf, v, 8);
	assert_int_equal(fk_flash_read(f, 16, buf, 8), FK_OK);
	/* A torn unit cannot be programmed; erase heals it. */
	assert_int_equal(fk_flash_program(f, 8, v, 8), FK_EPROGONCE);
	assert_int_equal(fk_flash_erase(f, 0, 256), FK_OK);
	assert_int_equal(fk_flash_read(f, 8, buf, 8), FK_OK);
	fk_assert_all(buf, 8, 0xFF);
	fk_sim_destroy(sim);
}

static void
test_torn_erase_of_program_once_sector_reads_as_ecc_error(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t buf[8];

	(void)state;
	fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_GARBAGE, 3);
	assert_int_equal(fk_flash_erase(f, 512, 256), FK_EPOWER);
	fk_sim_reboot(sim);
	for (uint32_t off = 512; off < 768; off += 8)
		assert_int_equal(fk_flash_read(f, off, buf, 8), FK_EECC);
	assert_int_equal(fk_flash_read(f, 504, buf, 8), FK_OK);
	assert_int_equal(fk_flash_read(f, 768, buf, 8), FK_OK);
	fk_sim_destroy(sim);
}

/* Plain NOR has no ECC: a torn unit reads back whatever landed. */
static void test_torn_program_on_plain_nor_reads_without_error(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[4] = {0, 0, 0, 0};
	uint8_t buf[4];

	(void)state;
	fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_SOME_BITS, 1);
	assert_int_equal(fk_flash_program(f, 0, v, 4), FK_EPOWER);
	fk_sim_reboot(sim);
	assert_int_equal(fk_flash_read(f, 0, buf, 4), FK_OK);
	fk_sim_destroy(sim);
}

static void test_program_inside_protected_range_is_a_violation(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[8];
	uint8_t buf[8];

	(void)state;
	fill(v, 8, 0x00);
	assert_int_equal(fk_sim_protect(sim, 0, 512), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, v, 4), FK_EPROTECT);
	/* Straddling the end of the protected range counts too. */
	assert_int_equal(fk_flash_program(f, 508, v, 8), FK_EPROTECT);
	assert_int_equal(fk_sim_violations(sim), 2);
	assert_int_equal(fk_flash_read(f, 504, buf, 8), FK_OK);
	fk_assert_all(buf, 8, 0xFF);
	/* Just past it is fine. */
	assert_int_equal(fk_flash_program(f, 512, v, 8), FK_OK);
	assert_int_equal(fk_sim_violations(sim), 2);
	fk_sim_destroy(sim);
}

static void test_erase_of_protected_sector_is_a_violation(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t *data = fk_sim_data(sim);

	(void)state;
	memset(data, 0x00, 2048);
	/* Protecting a single byte of sector 2 protects the sector. */
	assert_int_equal(fk_sim_protect(sim, 600, 1), FK_OK);
	assert_int_equal(fk_flash_erase(f, 512, 256), FK_EPROTECT);
	assert_int_equal(fk_sim_violations(sim), 1);
	fk_assert_all(data + 512, 256, 0x00);
	/* A multi-sector erase stops at the protected sector. */
	assert_int_equal(fk_flash_erase(f, 256, 768), FK_EPROTECT);
	fk_assert_all(data + 256, 256, 0xFF);
	fk_assert_all(data + 512, 512, 0x00);
	assert_int_equal(fk_flash_erase(f, 768, 256), FK_OK);
	assert_int_equal(fk_sim_violations(sim), 2);
	fk_sim_destroy(sim);
}

static void test_protect_outside_the_memory_is_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();

	(void)state;
	assert_int_equal(fk_sim_protect(sim, 2000, 100), FK_ERANGE);
	assert_int_equal(fk_sim_protect(sim, 0xFFFFFF00u, 0x200), FK_ERANGE);
	fk_sim_destroy(sim);
}

static void test_invalid_geometry_creates_no_simulator(void **state)
{
	(void)state;
	assert_null(fk_test_sim_uniform(8, 256, 3, 0xFF, false));
	assert_null(fk_test_sim_uniform(8, 256, 4, 0x55, false));
	assert_null(fk_test_sim_uniform(8, 100, 4, 0xFF, false));
	assert_null(fk_sim_create(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_simulator_reads_as_erased),
	    cmocka_unit_test(test_erase_sets_exactly_one_sector_to_0xff),
	    cmocka_unit_test(test_erase_sets_exactly_one_sector_to_0x00),
	    cmocka_unit_test(test_erase_of_last_sector_covers_all_of_it),
	    cmocka_unit_test(test_erase_inside_a_sector_is_refused),
	    cmocka_unit_test(test_program_cannot_set_bit_back_to_erased_0xff),
	    cmocka_unit_test(test_program_cannot_set_bit_back_to_erased_0x00),
	    cmocka_unit_test(test_plain_nor_allows_programming_a_unit_again),
	    cmocka_unit_test(
		test_program_once_refuses_second_program_with_same_data),
	    cmocka_unit_test(
		test_program_once_unit_is_programmable_again_after_erase),
	    cmocka_unit_test(test_torn_program_once_unit_reads_as_ecc_error),
	    cmocka_unit_test(
		test_torn_erase_of_program_once_sector_reads_as_ecc_error),
	    cmocka_unit_test(
		test_torn_program_on_plain_nor_reads_without_error),
	    cmocka_unit_test(
		test_program_inside_protected_range_is_a_violation),
	    cmocka_unit_test(test_erase_of_protected_sector_is_a_violation),
	    cmocka_unit_test(test_protect_outside_the_memory_is_refused),
	    cmocka_unit_test(test_invalid_geometry_creates_no_simulator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
