/*
 * Geometry: which maps are accepted, sector lookups by address and by
 * index on the non-uniform STM32F4 map, sector boundaries, rounding to the
 * write unit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/fixtures.h"

static void test_geometry_check_accepts_stm32f4_map(void **state)
{
	struct fk_flash_geometry geo = fk_test_stm32f4_geometry();

	(void)state;
	assert_int_equal(fk_flash_check_geometry(&geo), FK_OK);
	geo.write_unit = 256;
	geo.erased_value = 0x00;
	geo.program_once = true;
	assert_int_equal(fk_flash_check_geometry(&geo), FK_OK);
}

static void test_geometry_check_refuses_inconsistent_maps(void **state)
{
	static const struct fk_sector_run odd[] = {{4, 3000}};
	static const struct fk_sector_run empty[] = {{0, 4096}};
	static const struct fk_sector_run small[] = {{4, 128}};
	struct fk_flash_geometry geo = fk_test_stm32f4_geometry();
	struct fk_flash_geometry bad;

	(void)state;
	assert_int_equal(fk_flash_check_geometry(NULL), FK_EINVAL);
	bad = geo, bad.size = 1024 * 1024 - 1;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.write_unit = 0;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.write_unit = 12;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.write_unit = 512;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.erased_value = 0xAA;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.runs = NULL;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.run_count = 0;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.runs = odd, bad.run_count = 1, bad.size = 12000;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad = geo, bad.runs = empty, bad.run_count = 1, bad.size = 0;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	/* Write unit larger than a sector. */
	bad = geo, bad.runs = small, bad.run_count = 1, bad.size = 512;
	bad.write_unit = 256;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	/* The memory would run past the end of the address space. */
	bad = geo, bad.base = 0xFFF80000;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_EINVAL);
	bad.base = 0xFFF00000;
	assert_int_equal(fk_flash_check_geometry(&bad), FK_OK);
}

struct lookup {
	uint32_t addr, off, size, index;
};

static void test_stm32f4_sector_lookup_by_address(void **state)
{
	static const struct lookup cases[] = {
	    {0x00000, 0x00000, 0x4000, 0},   {0x03FFF, 0x00000, 0x4000, 0},
	    {0x04000, 0x04000, 0x4000, 1},   {0x0C000, 0x0C000, 0x4000, 3},
	    {0x0FFFF, 0x0C000, 0x4000, 3},   {0x10000, 0x10000, 0x10000, 4},
	    {0x1FFFF, 0x10000, 0x10000, 4},  {0x20000, 0x20000, 0x20000, 5},
	    {0x5ABCD, 0x40000, 0x20000, 6},  {0xE0000, 0xE0000, 0x20000, 11},
	    {0xFFFFF, 0xE0000, 0x20000, 11},
	};
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sector s;

	(void)state;
	assert_int_equal(fk_flash_sector_count(f), 12);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fk_flash_sector_at(f, cases[i].addr, &s),
				 FK_OK);
		assert_int_equal(s.off, cases[i].off);
		assert_int_equal(s.size, cases[i].size);
		assert_int_equal(s.index, cases[i].index);
	}
	assert_int_equal(fk_flash_sector_at(f, 0x100000, &s), FK_ERANGE);
	assert_int_equal(fk_flash_sector_at(f, 0xFFFFFFFF, &s), FK_ERANGE);
	fk_sim_destroy(sim);
}

static void test_stm32f4_sector_lookup_by_index(void **state)
{
	static const uint32_t starts[12] = {
	    0x00000, 0x04000, 0x08000, 0x0C000, 0x10000, 0x20000,
	    0x40000, 0x60000, 0x80000, 0xA0000, 0xC0000, 0xE0000,
	};
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sector s, t;

	(void)state;
	for (uint32_t i = 0; i < 12; i++) {
		assert_int_equal(fk_flash_sector_by_index(f, i, &s), FK_OK);
		assert_int_equal(s.off, starts[i]);
		assert_int_equal(s.index, i);
		/* The two lookups agree. */
		assert_int_equal(fk_flash_sector_at(f, s.off + s.size - 1, &t),
				 FK_OK);
		assert_int_equal(t.index, i);
		assert_int_equal(t.size, s.size);
	}
	assert_int_equal(fk_flash_sector_by_index(f, 12, &s), FK_ERANGE);
	fk_sim_destroy(sim);
}

static void test_sector_boundaries_follow_the_map(void **state)
{
	struct fk_sim *sim = fk_test_sim_stm32f4();
	struct fk_flash *f = fk_sim_flash(sim);

	(void)state;
	assert_true(fk_flash_is_sector_boundary(f, 0));
	assert_true(fk_flash_is_sector_boundary(f, 0x4000));
	assert_true(fk_flash_is_sector_boundary(f, 0x10000));
	assert_true(fk_flash_is_sector_boundary(f, 0x20000));
	assert_true(fk_flash_is_sector_boundary(f, 0x100000)); /* the end */
	assert_false(fk_flash_is_sector_boundary(f, 0x14000));
	assert_false(fk_flash_is_sector_boundary(f, 0x30000));
	assert_false(fk_flash_is_sector_boundary(f, 1));
	assert_false(fk_flash_is_sector_boundary(f, 0x100001));
	fk_sim_destroy(sim);
}

static void test_align_up_rounds_to_the_write_unit(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc(); /* 8-byte unit */
	struct fk_flash *f = fk_sim_flash(sim);

	(void)state;
	assert_int_equal(fk_flash_align_up(f, 0), 0);
	assert_int_equal(fk_flash_align_up(f, 1), 8);
	assert_int_equal(fk_flash_align_up(f, 8), 8);
	assert_int_equal(fk_flash_align_up(f, 9), 16);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_geometry_check_accepts_stm32f4_map),
	    cmocka_unit_test(test_geometry_check_refuses_inconsistent_maps),
	    cmocka_unit_test(test_stm32f4_sector_lookup_by_address),
	    cmocka_unit_test(test_stm32f4_sector_lookup_by_index),
	    cmocka_unit_test(test_sector_boundaries_follow_the_map),
	    cmocka_unit_test(test_align_up_rounds_to_the_write_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
