/*
 * The checked wrappers: misaligned, out-of-range and overflowing requests
 * are refused with an error before the driver sees them (the simulator's
 * operation index shows whether it did); multi-sector erases walk the
 * non-uniform map; partitions (fk_area) keep their operations inside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/fixtures.h"

static void test_misaligned_program_is_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc(); /* 8-byte unit */
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[16] = {0};

	(void)state;
	assert_int_equal(fk_flash_program(f, 4, v, 8), FK_EALIGN);
	assert_int_equal(fk_flash_program(f, 0, v, 12), FK_EALIGN);
	assert_int_equal(fk_flash_program(f, 1, v, 1), FK_EALIGN);
	assert_int_equal(fk_sim_op_index(sim), 0);
	assert_int_equal(fk_flash_program(f, 8, v, 16), FK_OK);
	fk_sim_destroy(sim);
}

static void test_out_of_range_calls_are_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor(); /* 2048 bytes */
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t buf[16] = {0};

	(void)state;
	assert_int_equal(fk_flash_read(f, 2048, buf, 1), FK_ERANGE);
	assert_int_equal(fk_flash_read(f, 2040, buf, 16), FK_ERANGE);
	assert_int_equal(fk_flash_program(f, 2044, buf, 8), FK_ERANGE);
	assert_int_equal(fk_flash_program(f, 4096, buf, 4), FK_ERANGE);
	assert_int_equal(fk_flash_erase(f, 1792, 512), FK_ERANGE);
	assert_int_equal(fk_flash_erase(f, 2048, 256), FK_ERANGE);
	assert_int_equal(fk_flash_is_erased(f, 2000, 49, buf, 16), FK_ERANGE);
	/* The last byte and the empty range at the end are inside. */
	assert_int_equal(fk_flash_read(f, 2047, buf, 1), FK_OK);
	assert_int_equal(fk_flash_read(f, 2048, buf, 0), FK_OK);
	assert_int_equal(fk_sim_op_index(sim), 0);
	fk_sim_destroy(sim);
}

/* off + len wrapping around 2^32 must not look small. */
static void test_overflowing_ranges_are_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t buf[16] = {0};

	(void)state;
	assert_int_equal(fk_flash_read(f, 16, buf, 0xFFFFFFF8u), FK_ERANGE);
	assert_int_equal(fk_flash_read(f, 0xFFFFFFF0u, buf, 0x20), FK_ERANGE);
	assert_int_equal(fk_flash_program(f, 0xFFFFFFFCu, buf, 8), FK_ERANGE);
	assert_int_equal(fk_flash_erase(f, 256, 0xFFFFFF00u), FK_ERANGE);
	assert_int_equal(fk_flash_check_range(f, 1, 0xFFFFFFFFu), FK_ERANGE);
	assert_int_equal(fk_flash_check_range(f, 0, 2048), FK_OK);
	fk_sim_destroy(sim);
}

static void test_null_buffer_is_refused(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);

	(void)state;
	assert_int_equal(fk_flash_read(f, 0, NULL, 4), FK_EINVAL);
	assert_int_equal(fk_flash_program(f, 0, NULL, 4), FK_EINVAL);
	assert_int_equal(fk_flash_is_erased(f, 0, 4, NULL, 4), FK_EINVAL);
	assert_int_equal(fk_sim_op_index(sim), 0);
	fk_sim_destroy(sim);
}

/* One erase call over sectors 3..5 of the STM32F4 map erases each of the
 * three sectors once: 16K, 64K and 128K. */
static void test_erase_range_walks_the_non_uniform_map(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t *d = fk_sim_data(sim);

	(void)state;
	memset(d, 0x00, 1024 * 1024);
	assert_int_equal(fk_flash_erase(f, 0xC000, 0x34000), FK_OK);
	assert_int_equal(fk_sim_op_index(sim), 3);
	assert_int_equal(fk_sim_sector_erases(sim, 3), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 4), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 5), 1);
	assert_int_equal(d[0xBFFF], 0x00);
	assert_int_equal(d[0xC000], 0xFF);
	assert_int_equal(d[0x3FFFF], 0xFF);
	assert_int_equal(d[0x40000], 0x00);
	/* Ends inside the 64K sector, or starts inside a 128K one. */
	assert_int_equal(fk_flash_erase(f, 0xC000, 0x8000), FK_EALIGN);
	assert_int_equal(fk_flash_erase(f, 0x30000, 0x10000), FK_EALIGN);
	assert_int_equal(fk_sim_op_index(sim), 3);
	fk_sim_destroy(sim);
}

static void test_is_erased_reads_through_a_small_buffer(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t buf[3];

	(void)state;
	fk_sim_data(sim)[1000] = 0x7F;
	assert_int_equal(fk_flash_is_erased(f, 0, 1000, buf, 3), 1);
	assert_int_equal(fk_flash_is_erased(f, 0, 1001, buf, 3), 0);
	assert_int_equal(fk_flash_is_erased(f, 1000, 1, buf, 3), 0);
	assert_int_equal(fk_flash_is_erased(f, 1001, 1047, buf, 3), 1);
	assert_int_equal(fk_flash_is_erased(f, 0, 8, buf, 0), FK_EINVAL);
	fk_sim_destroy(sim);
}

/* The runs of fk_flash_data_run() over buf (6 units of wu bytes, unit u
 * programmed when bit u of mask is set) from unit first: those a plain
 * walk over the units finds, each from where it starts, then 0 at the
 * end. */
static void expect_runs(const struct fk_flash *f, const uint8_t *buf,
			uint32_t mask, uint32_t first)
{
	uint32_t wu = f->geo.write_unit, pos = first * wu, u = first, run;

	do {
		uint32_t start;

		while (u < 6 && !(mask & (1u << u)))
			u++;
		start = u;
		while (u < 6 && (mask & (1u << u)))
			u++;
		run = fk_flash_data_run(f, buf, 6 * wu, &pos);
		assert_int_equal(run, (u - start) * wu);
		assert_int_equal(pos, start * wu);
		pos += run;
	} while (run > 0);
}

/* Every pattern of erased and programmed units (6 of them, one byte of a
 * programmed unit off the erased value, its place varied), for each
 * write unit and erased value, from every starting unit. */
static void test_data_run_finds_every_run_of_programmed_units(void **state)
{
	static const uint32_t wus[] = { 1, 2, 4, 8 };
	struct fk_flash f;
	uint8_t buf[6 * 8];

	(void)state;
	memset(&f, 0, sizeof(f));
	for (uint32_t k = 0; k < 8; k++) {
		uint32_t wu = wus[k / 2];

		f.geo.write_unit = wu;
		f.geo.erased_value = k % 2 ? 0x00 : 0xFF;
		for (uint32_t mask = 0; mask < 64; mask++) {
			memset(buf, f.geo.erased_value, sizeof(buf));
			for (uint32_t u = 0; u < 6; u++) {
				if (mask & (1u << u))
					buf[u * wu + (mask + u) % wu] ^= 0x5A;
			}
			for (uint32_t first = 0; first <= 6; first++)
				expect_runs(&f, buf, mask, first);
		}
	}
}

static void test_area_must_cover_whole_sectors(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_area a;

	(void)state;
	assert_int_equal(fk_area_init(&a, f, 0x10000, 0x30000), FK_OK);
	assert_int_equal(fk_area_init(&a, f, 0x10000, 0x8000), FK_EALIGN);
	assert_int_equal(fk_area_init(&a, f, 0x2000, 0x2000), FK_EALIGN);
	assert_int_equal(fk_area_init(&a, f, 0xE0000, 0x40000), FK_ERANGE);
	assert_int_equal(fk_area_init(&a, f, 0x4000, 0), FK_EINVAL);
	fk_sim_destroy(sim);
}

static void test_area_operations_stay_inside_the_partition(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t *d = fk_sim_data(sim);
	uint8_t v[4] = {1, 2, 3, 4}, buf[4];
	struct fk_area a;
	struct fk_sector s;

	(void)state;
	/* Sectors 4 (64K) and 5 (128K). */
	assert_int_equal(fk_area_init(&a, f, 0x10000, 0x30000), FK_OK);
	assert_int_equal(fk_area_program(&a, 0x100, v, 4), FK_OK);
	assert_memory_equal(d + 0x10100, v, 4);
	assert_int_equal(fk_area_read(&a, 0x100, buf, 4), FK_OK);
	assert_memory_equal(buf, v, 4);
	assert_int_equal(fk_area_is_erased(&a, 0x100, 4, buf, 4), 0);
	assert_int_equal(fk_area_is_erased(&a, 0x104, 0x2FEFC, buf, 4), 1);
	assert_int_equal(fk_area_sector_at(&a, 0x10000, &s), FK_OK);
	assert_int_equal(s.off, 0x10000);
	assert_int_equal(s.size, 0x20000);
	assert_int_equal(s.index, 5);
	/* Leaving the area is refused even where the memory goes on. */
	assert_int_equal(fk_area_read(&a, 0x2FFFF, buf, 2), FK_ERANGE);
	assert_int_equal(fk_area_program(&a, 0x30000, v, 4), FK_ERANGE);
	assert_int_equal(fk_area_erase(&a, 0x10000, 0x40000), FK_ERANGE);
	assert_int_equal(fk_area_read(&a, 4, buf, 0xFFFFFFFFu), FK_ERANGE);
	assert_int_equal(fk_area_sector_at(&a, 0x30000, &s), FK_ERANGE);
	/* Erase of the whole area: two sectors. */
	assert_int_equal(fk_area_erase(&a, 0, 0x30000), FK_OK);
	assert_int_equal(d[0x10100], 0xFF);
	assert_int_equal(fk_sim_sector_erases(sim, 4), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 5), 1);
	assert_int_equal(fk_sim_sector_erases(sim, 6), 0);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_misaligned_program_is_refused),
	    cmocka_unit_test(test_out_of_range_calls_are_refused),
	    cmocka_unit_test(test_overflowing_ranges_are_refused),
	    cmocka_unit_test(test_null_buffer_is_refused),
	    cmocka_unit_test(test_erase_range_walks_the_non_uniform_map),
	    cmocka_unit_test(test_is_erased_reads_through_a_small_buffer),
	    cmocka_unit_test(test_data_run_finds_every_run_of_programmed_units),
	    cmocka_unit_test(test_area_must_cover_whole_sectors),
	    cmocka_unit_test(test_area_operations_stay_inside_the_partition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
