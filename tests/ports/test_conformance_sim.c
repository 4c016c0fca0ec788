/*
 * The conformance suite (conformance.h) on the simulator itself, in the
 * shapes the drivers have: F4 sectors with byte and word units, L4-like
 * program-once double words, H7-like 32-byte flash words, a flash erased
 * to 0x00, and a NOR with 4 KiB sectors; and drivers broken on purpose
 * that it must reject.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"

static void run(const char *name, const struct fk_sector_run *runs,
		uint32_t nruns, uint32_t unit, uint8_t erased, bool once)
{
	struct fk_sim_config sc = {
		.geo = { .base = 0x08000000,
			 .runs = runs,
			 .run_count = nruns,
			 .write_unit = unit,
			 .erased_value = erased,
			 .program_once = once },
	};
	struct conf_result r;
	struct fk_sim *sim;

	for (uint32_t i = 0; i < nruns; i++)
		sc.geo.size += runs[i].count * runs[i].size;
	sim = fk_sim_create(&sc);
	assert_non_null(sim);
	struct conf_target t = { .name = name,
				 .flash = fk_sim_flash(sim),
				 .sim = sim };
	if (conf_run(&t, &r) != 0)
		fail_msg("%s (%u checks, %u failed)", r.first, r.checks,
			 r.failures);
	assert_true(r.checks > 10);
	fk_sim_destroy(sim);
}

static void test_sim_f4_sectors_passes(void **state)
{
	static const struct fk_sector_run f4[] = { { 4, 16384 },
						   { 1, 65536 },
						   { 7, 131072 } };

	(void)state;
	run("sim F4 x32", f4, 3, 4, 0xFF, false);
	run("sim F4 x8", f4, 3, 1, 0xFF, false);
}

static void test_sim_program_once_passes(void **state)
{
	static const struct fk_sector_run l4[] = { { 16, 2048 } };
	static const struct fk_sector_run h7[] = { { 4, 131072 } };

	(void)state;
	run("sim L4-like", l4, 1, 8, 0xFF, true);
	run("sim H7-like", h7, 1, 32, 0xFF, true);
}

static void test_sim_erased_zero_passes(void **state)
{
	static const struct fk_sector_run l1[] = { { 32, 256 } };
	static const struct fk_sector_run nor[] = { { 64, 4096 } };

	(void)state;
	run("sim erased 0x00", l1, 1, 4, 0x00, false);
	run("sim NOR", nor, 1, 1, 0xFF, false);
}

/* ---- broken drivers the suite must reject ---- */

static struct fk_sim *broken_sim;

static int broken_read(const struct fk_flash *f, uint32_t off, void *buf,
		       uint32_t len)
{
	(void)f;
	return fk_flash_read(fk_sim_flash(broken_sim), off, buf, len);
}

/* Programs by overwriting: ignores program-once and bits moving back. */
static int overwrite_program(const struct fk_flash *f, uint32_t off,
			     const void *buf, uint32_t len)
{
	(void)f;
	memcpy(fk_sim_data(broken_sim) + off, buf, len);
	return FK_OK;
}

static int good_program(const struct fk_flash *f, uint32_t off, const void *buf,
			uint32_t len)
{
	(void)f;
	return fk_flash_program(fk_sim_flash(broken_sim), off, buf, len);
}

static int half_erase(const struct fk_flash *f, uint32_t off, uint32_t size)
{
	(void)f;
	memset(fk_sim_data(broken_sim) + off, 0xFF, size / 2);
	return FK_OK;
}

static int good_erase(const struct fk_flash *f, uint32_t off, uint32_t size)
{
	(void)f;
	return fk_flash_erase(fk_sim_flash(broken_sim), off, size);
}

static void expect_rejected(const struct fk_flash_ops *ops, bool once,
			    const char *why)
{
	static const struct fk_sector_run runs[] = { { 8, 4096 } };
	struct fk_sim_config sc = {
		.geo = { .base = 0,
			 .size = 8 * 4096,
			 .runs = runs,
			 .run_count = 1,
			 .write_unit = 8,
			 .erased_value = 0xFF,
			 .program_once = once },
	};
	struct conf_result r;

	broken_sim = fk_sim_create(&sc);
	assert_non_null(broken_sim);
	struct fk_flash f = { .geo = fk_sim_flash(broken_sim)->geo,
			      .ops = ops };
	struct conf_target t = { .name = "broken", .flash = &f };

	assert_int_equal(conf_run(&t, &r), -1);
	if (!strstr(r.first, why))
		fail_msg("expected a failure about '%s', got: %s", why,
			 r.first);
	fk_sim_destroy(broken_sim);
}

static void test_half_erase_rejected(void **state)
{
	static const struct fk_flash_ops ops = { broken_read, good_program,
						 half_erase };

	(void)state;
	expect_rejected(&ops, false, "erased: byte");
}

static void test_overwriting_program_rejected(void **state)
{
	static const struct fk_flash_ops ops = { broken_read, overwrite_program,
						 good_erase };

	(void)state;
	expect_rejected(&ops, false, "after a program over programmed bits");
	expect_rejected(&ops, true, "second program of a unit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_f4_sectors_passes),
		cmocka_unit_test(test_sim_program_once_passes),
		cmocka_unit_test(test_sim_erased_zero_passes),
		cmocka_unit_test(test_half_erase_rejected),
		cmocka_unit_test(test_overwriting_program_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
