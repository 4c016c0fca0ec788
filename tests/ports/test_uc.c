/*
 * Tests of the harness itself (uc.h) on selftest_image.c: a call returns
 * its value, a hang spends the budget, a stray access is a violation, a
 * toy flash controller model (below) is driven through uc_flash, a power
 * cut in the model reaches the host as FK_EPOWER and the next operation
 * reboots, code fetched from ROM while the toy flash is busy fails, and
 * code in RAM that the CPU rewrites runs as rewritten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "uc.h"

static const char *image;

/* ---- the toy model: CR (PG, STRT), SR (BSY for 3 reads), AR ---- */

struct toy {
	struct uc *uc;
	struct fk_sim *sim;
	uint32_t cr, ar, busy_reads;
};

static uint32_t toy_reg_read(void *ctx, uint32_t off, unsigned size)
{
	struct toy *t = ctx;

	(void)size;
	if (off == 4) {
		if (t->busy_reads && --t->busy_reads == 0)
			uc_forbid_rom_fetch(t->uc, NULL);
		return t->busy_reads ? 1 : 0;
	}
	return off == 0 ? t->cr : t->ar;
}

static void toy_reg_write(void *ctx, uint32_t off, unsigned size,
			  uint32_t value)
{
	struct toy *t = ctx;

	(void)size;
	if (off == 8) {
		t->ar = value;
		return;
	}
	if (off != 0)
		return;
	t->cr = value;
	if (value & 2) {
		if (fk_flash_erase(fk_sim_flash(t->sim), t->ar, 4096) ==
		    FK_EPOWER) {
			uc_power_lost(t->uc);
			return;
		}
		t->busy_reads = 3;
		uc_forbid_rom_fetch(t->uc, "toy: busy");
	}
}

static uint32_t toy_array_read(void *ctx, uint32_t off, unsigned size)
{
	struct toy *t = ctx;
	uint32_t v = 0;

	memcpy(&v, fk_sim_data(t->sim) + off, size);
	return v;
}

static void toy_array_write(void *ctx, uint32_t off, unsigned size,
			    uint32_t value)
{
	struct toy *t = ctx;
	uint8_t b[4];
	int rc;

	memcpy(b, &value, 4);
	if (!(t->cr & 1) || size != 4) {
		uc_violation(t->uc, "toy: store to the array without PG");
		return;
	}
	rc = fk_flash_program(fk_sim_flash(t->sim), off, b, 4);
	if (rc == FK_EPOWER)
		uc_power_lost(t->uc);
	else if (rc != FK_OK)
		uc_violation(t->uc, "toy: program refused: %s",
			     fk_strerror(rc));
}

static void toy_reset(void *ctx)
{
	struct toy *t = ctx;

	t->cr = t->ar = t->busy_reads = 0;
}

struct fixture {
	struct uc *uc;
	struct fk_sim *sim;
	struct toy toy;
};

static int setup(void **state)
{
	static const struct fk_sector_run runs[] = { { 4, 4096 } };
	struct fk_sim_config sc = {
		.geo = { .base = 0x08000000,
			 .size = 4 * 4096,
			 .runs = runs,
			 .run_count = 1,
			 .write_unit = 4,
			 .erased_value = 0xFF },
	};
	struct uc_config cfg = { .elf = image, .budget = 200000 };
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	fx.uc = uc_create(&cfg);
	fx.sim = fk_sim_create(&sc);
	assert_non_null(fx.uc);
	assert_non_null(fx.sim);
	fx.toy = (struct toy){ .uc = fx.uc, .sim = fx.sim };
	struct uc_periph regs = { "TOY",	0x40000000,    12,
				  toy_reg_read, toy_reg_write, toy_reset,
				  &fx.toy };
	struct uc_periph array = { "TOY array",	   0x08000000,	    4 * 4096,
				   toy_array_read, toy_array_write, NULL,
				   &fx.toy };

	assert_int_equal(uc_add_periph(fx.uc, &regs), 0);
	assert_int_equal(uc_add_periph(fx.uc, &array), 0);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uc_destroy(fx->uc);
	fk_sim_destroy(fx->sim);
	return 0;
}

static void test_call_returns_r0(void **state)
{
	struct fixture *fx = *state;
	uint32_t args[2] = { 40, 2 }, r = 0;

	assert_int_equal(uc_call_sym(fx->uc, "selftest_add", args, 2, &r),
			 UC_RUN_OK);
	assert_int_equal(r, 42);
	assert_int_equal(uc_violations(fx->uc), 0);
}

static void test_hang_spends_the_budget(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(uc_call_sym(fx->uc, "selftest_hang", NULL, 0, NULL),
			 UC_RUN_BUDGET);
	assert_non_null(strstr(uc_first_violation(fx->uc), "no return"));
}

static void test_unmapped_read_is_a_violation(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(
		uc_call_sym(fx->uc, "selftest_read_nowhere", NULL, 0, NULL),
		UC_RUN_VIOLATION);
	assert_non_null(strstr(uc_first_violation(fx->uc), "0x60000000"));
}

static void test_window_overlap_refused(void **state)
{
	struct fixture *fx = *state;
	struct uc_periph p = { "dup",	      0x40000008, 4,	   toy_reg_read,
			       toy_reg_write, NULL,	  &fx->toy };

	assert_int_equal(uc_add_periph(fx->uc, &p), -1);
}

static void test_uc_flash_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct uc_flash uf;
	uint8_t data[6000], back[6000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(uc_flash_open(&uf, fx->uc, fx->sim, 0), FK_OK);
	assert_int_equal(uf.flash.geo.size, 4 * 4096);
	assert_int_equal(uf.flash.geo.write_unit, 4);
	assert_int_equal(fk_flash_program(&uf.flash, 4096, data, 6000), FK_OK);
	assert_memory_equal(fk_sim_data(fx->sim) + 4096, data, 6000);
	assert_int_equal(fk_flash_read(&uf.flash, 4096, back, 6000), FK_OK);
	assert_memory_equal(back, data, 6000);
	assert_int_equal(fk_flash_erase(&uf.flash, 4096, 4096), FK_OK);
	assert_int_equal(fk_sim_data(fx->sim)[4096], 0xFF);
	assert_int_equal(fk_sim_data(fx->sim)[8192], data[4096]);
	assert_int_equal(uc_violations(fx->uc), 0);
}

static void test_power_cut_then_reboot(void **state)
{
	struct fixture *fx = *state;
	struct uc_flash uf;
	uint8_t data[64];

	memset(data, 0x5A, sizeof(data));
	assert_int_equal(uc_flash_open(&uf, fx->uc, fx->sim, 0), FK_OK);
	fk_sim_schedule_cut(fx->sim, fk_sim_op_index(fx->sim) + 3,
			    FK_CUT_BEFORE, FK_TEAR_PREFIX, 1);
	assert_int_equal(fk_flash_program(&uf.flash, 0, data, 64), FK_EPOWER);
	assert_int_equal(fk_sim_data(fx->sim)[11], 0x5A);
	assert_int_equal(fk_sim_data(fx->sim)[12], 0xFF);
	assert_int_equal(fk_flash_read(&uf.flash, 0, data, 4), FK_EPOWER);
	fk_sim_reboot(fx->sim);
	assert_int_equal(fk_flash_erase(&uf.flash, 0, 4096), FK_OK);
	assert_int_equal(fk_sim_data(fx->sim)[0], 0xFF);
	assert_int_equal(uc_violations(fx->uc), 0);
}

static void test_rom_fetch_while_busy_fails(void **state)
{
	struct fixture *fx = *state;
	struct uc_flash uf;

	assert_int_equal(uc_flash_open(&uf, fx->uc, fx->sim, 1), FK_OK);
	assert_int_equal(fk_flash_erase(&uf.flash, 0, 4096), FK_EIO);
	assert_int_equal(uf.last_run, UC_RUN_VIOLATION);
	assert_non_null(strstr(uc_first_violation(fx->uc), "toy: busy"));
}

/* A function in RAM, run, then changed by a store of the CPU (its
 * "movs r0, #1" made "movs r0, #2"), then run again: the new code runs,
 * not what was translated of the old. */
static void test_code_in_ram_rewritten_by_the_cpu(void **state)
{
	struct fixture *fx = *state;
	uint32_t fn, r = 0, at = 0, args[2];
	uint16_t insn[8];

	assert_int_equal(uc_symbol(fx->uc, "selftest_ram_answer", &fn), 0);
	assert_int_equal(uc_call(fx->uc, fn, NULL, 0, &r), UC_RUN_OK);
	assert_int_equal(r, 1);
	assert_int_equal(uc_read_mem(fx->uc, fn, insn, sizeof(insn)), 0);
	for (uint32_t i = 0; i < 8 && !at; i++)
		at = insn[i] == 0x2001 ? fn + 2 * i : 0; /* movs r0, #1 */
	assert_int_not_equal(at, 0);
	args[0] = at;
	args[1] = 0x2002; /* movs r0, #2 */
	assert_int_equal(uc_call_sym(fx->uc, "selftest_store16", args, 2, NULL),
			 UC_RUN_OK);
	assert_int_equal(uc_call(fx->uc, fn, NULL, 0, &r), UC_RUN_OK);
	assert_int_equal(r, 2);
	assert_int_equal(uc_violations(fx->uc), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call_returns_r0, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hang_spends_the_budget,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unmapped_read_is_a_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_overlap_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_uc_flash_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_power_cut_then_reboot,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rom_fetch_while_busy_fails,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_code_in_ram_rewritten_by_the_cpu, setup, teardown),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <uc_selftest.elf>\n", argv[0]);
		return 2;
	}
	image = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
