/*
 * What the simulator counts (operations, bytes, wear per sector, an
 * estimated duration from datasheet timings) and what a snapshot brings
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/fixtures.h"

static void test_stats_count_operations_and_bytes(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_stats st;
	uint8_t buf[64] = {0};

	(void)state;
	assert_int_equal(fk_flash_erase(f, 0, 512), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, buf, 64), FK_OK);
	assert_int_equal(fk_flash_program(f, 256, buf, 8), FK_OK);
	assert_int_equal(fk_flash_read(f, 0, buf, 64), FK_OK);
	assert_int_equal(fk_flash_read(f, 100, buf, 3), FK_OK);
	fk_sim_get_stats(sim, &st);
	assert_int_equal(st.ops, 4); /* 2 erases + 2 programs */
	assert_int_equal(st.erases, 2);
	assert_int_equal(st.programs, 2);
	assert_int_equal(st.bytes_programmed, 72);
	assert_int_equal(st.reads, 2);
	assert_int_equal(st.bytes_read, 67);
	/* Refused operations program nothing. */
	assert_int_equal(fk_flash_program(f, 0, (uint8_t[4]){0xFF}, 4),
			 FK_ENOTERASED);
	fk_sim_get_stats(sim, &st);
	assert_int_equal(st.programs, 2);
	assert_int_equal(st.bytes_programmed, 72);
	fk_sim_destroy(sim);
}

/* Wear is counted per sector index, on the non-uniform STM32F4 map too;
 * the most-worn sector is reported. */
static void test_wear_counts_erases_per_sector(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_stats st;

	(void)state;
	/* Sectors 1..4 (16K, 16K, 16K, 64K) once, sector 5 (128K) 3 times. */
	assert_int_equal(fk_flash_erase(f, 0x4000, 0x1C000), FK_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fk_flash_erase(f, 0x20000, 0x20000), FK_OK);
	assert_int_equal(fk_sim_sector_erases(sim, 0), 0);
	for (uint32_t s = 1; s <= 4; s++)
		assert_int_equal(fk_sim_sector_erases(sim, s), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 5), 3);
	assert_int_equal(fk_sim_sector_erases(sim, 6), 0);
	assert_int_equal(fk_sim_sector_erases(sim, 12), 0); /* past the end */
	fk_sim_get_stats(sim, &st);
	assert_int_equal(st.erases, 7);
	assert_int_equal(st.max_sector_erases, 3);
	assert_int_equal(st.max_sector_index, 5);
	fk_sim_destroy(sim);
}

/* STM32F4-like figures: erase 16K 400 ms, 64K 1200 ms, 128K 2000 ms from
 * the table; program 16 us per byte; read 10 ns per byte. A 32 KiB sector
 * (not in the table) takes the linear model. */
static void test_estimated_time_follows_datasheet_timings(void **state)
{
	static const struct fk_sim_erase_time table[] = {
	    {16 * 1024, 400000},
	    {64 * 1024, 1200000},
	    {128 * 1024, 2000000},
	};
	struct fk_sim_config cfg = {
	    .geo = fk_test_stm32f4_geometry(),
	    .timing = {.program_us_per_unit = 16,
		       .read_ns_per_byte = 10,
		       .erase_table = table,
		       .erase_table_count = 3},
	};
	struct fk_sim *sim = fk_sim_create(&cfg);
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_stats st;
	uint8_t buf[1000] = {0};

	(void)state;
	assert_int_equal(fk_flash_erase(f, 0, 0x40000), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, buf, 1000), FK_OK);
	assert_int_equal(fk_flash_read(f, 0, buf, 1000), FK_OK);
	fk_sim_get_stats(sim, &st);
	/* 4 x 400 ms + 1200 ms + 2000 ms + 1000 x 16 us + 1000 x 10 ns. */
	assert_int_equal(st.est_us,
			 4 * 400000 + 1200000 + 2000000 + 16000 + 10);
	fk_sim_destroy(sim);

	/* Linear model: fixed 1 ms + 20 ms per KiB; 512-byte sectors give
	 * 11 ms each (no rounding of sub-KiB sectors to zero). */
	struct fk_sim_config lin = {
	    .geo = {.size = 4096,
		    .runs = (struct fk_sector_run[]){{8, 512}},
		    .run_count = 1,
		    .write_unit = 8,
		    .erased_value = 0xFF},
	    .timing = {.erase_us_fixed = 1000,
		       .erase_us_per_kib = 20000,
		       .program_us_per_unit = 60},
	};
	sim = fk_sim_create(&lin);
	f = fk_sim_flash(sim);
	assert_int_equal(fk_flash_erase(f, 0, 1024), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, buf, 64), FK_OK);
	fk_sim_get_stats(sim, &st);
	assert_int_equal(st.est_us, 2 * 11000 + 8 * 60);
	fk_sim_destroy(sim);
}

static void
test_reset_stats_clears_counters_and_wear_keeps_contents(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_stats st;
	uint8_t v[4] = {1, 2, 3, 4};

	(void)state;
	assert_int_equal(fk_flash_erase(f, 256, 256), FK_OK);
	assert_int_equal(fk_flash_program(f, 256, v, 4), FK_OK);
	fk_sim_reset_stats(sim);
	fk_sim_get_stats(sim, &st);
	assert_int_equal(st.erases + st.programs + st.bytes_programmed, 0);
	assert_int_equal(st.max_sector_erases, 0);
	assert_int_equal(fk_sim_sector_erases(sim, 1), 0);
	assert_memory_equal(fk_sim_data(sim) + 256, v, 4);
	assert_int_equal(fk_sim_op_index(sim), 2);
	fk_sim_destroy(sim);
}

/* A snapshot brings back contents, program-once and torn units, wear,
 * counters, the operation index, the power state and the scheduled cut. */
static void test_snapshot_restore_brings_back_the_whole_state(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_snapshot *snap;
	struct fk_sim_stats before, after;
	uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, buf[8];
	uint8_t image[2048];

	(void)state;
	assert_int_equal(fk_flash_erase(f, 0, 256), FK_OK);
	assert_int_equal(fk_flash_program(f, 0, v, 8), FK_OK);
	fk_sim_schedule_cut(sim, 2, FK_CUT_TORN, FK_TEAR_SOME_BITS, 5);
	assert_int_equal(fk_flash_program(f, 8, v, 8), FK_EPOWER);
	fk_sim_schedule_cut(sim, 3, FK_CUT_BEFORE, FK_TEAR_SEEDED, 0);
	snap = fk_sim_snapshot_take(sim);
	assert_non_null(snap);
	memcpy(image, fk_sim_data(sim), sizeof(image));
	fk_sim_get_stats(sim, &before);

	/* Change everything. */
	fk_sim_reboot(sim);
	fk_sim_cancel_cut(sim);
	assert_int_equal(fk_flash_erase(f, 0, 512), FK_OK);
	assert_int_equal(fk_flash_program(f, 16, v, 8), FK_OK);

	fk_sim_snapshot_restore(sim, snap);
	assert_memory_equal(fk_sim_data(sim), image, sizeof(image));
	fk_sim_get_stats(sim, &after);
	assert_memory_equal(&after, &before, sizeof(before));
	assert_int_equal(fk_sim_sector_erases(sim, 0), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 1), 0);
	assert_true(fk_sim_power_lost(sim));
	fk_sim_reboot(sim);
	assert_int_equal(fk_flash_read(f, 8, buf, 8), FK_EECC);
	/* The scheduled cut came back: operation 3 is cut. */
	assert_int_equal(fk_flash_program(f, 16, v, 8), FK_EPOWER);
	fk_sim_reboot(sim);
	assert_int_equal(fk_flash_program(f, 0, v, 8), FK_EPROGONCE);
	fk_sim_snapshot_free(snap);
	fk_sim_destroy(sim);
}

/* Protected ranges are configuration: a restore keeps them. */
static void test_snapshot_restore_keeps_protection(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_sim_snapshot *snap = fk_sim_snapshot_take(sim);

	(void)state;
	assert_int_equal(fk_sim_protect(sim, 0, 256), FK_OK);
	fk_sim_snapshot_restore(sim, snap);
	assert_int_equal(fk_flash_erase(fk_sim_flash(sim), 0, 256),
			 FK_EPROTECT);
	fk_sim_snapshot_free(snap);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_count_operations_and_bytes),
	    cmocka_unit_test(test_wear_counts_erases_per_sector),
	    cmocka_unit_test(test_estimated_time_follows_datasheet_timings),
	    cmocka_unit_test(
		test_reset_stats_clears_counters_and_wear_keeps_contents),
	    cmocka_unit_test(test_snapshot_restore_brings_back_the_whole_state),
	    cmocka_unit_test(test_snapshot_restore_keeps_protection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
