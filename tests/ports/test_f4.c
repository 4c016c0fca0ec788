/*
 * The STM32F2/F4 driver (ports/stm32/flash_f4.c), compiled for
 * Cortex-M4, run under Unicorn on the F4 flash interface model
 * (models/f4.h): the conformance suite on every part of f4_variants.h,
 * the driver's mapping of every error flag, write and read protection,
 * and, through single bus accesses (shim/probe.h), each rule of the
 * model: a step the manual forbids must fail the test, a step the
 * hardware flags must set the flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "f4_variants.h"
#include "models/f4.h"
#include "uc.h"

#define REGS 0x40023C00u
#define ACR (REGS + 0x00u)
#define KEYR (REGS + 0x04u)
#define SR (REGS + 0x0Cu)
#define CR (REGS + 0x10u)
#define OPTCR (REGS + 0x14u)
#define ARRAY 0x08000000u
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define CR_PG 1u
#define CR_SER 2u
#define CR_SNB(n) ((uint32_t)(n) << 3)
#define CR_PSIZE(p) ((uint32_t)(p) << 8)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_LOCK (1u << 31)
#define ACR_DCEN (1u << 10)
#define ACR_DCRST (1u << 12)

static const char *image;
static const struct f4_variant variants[] = F4_VARIANTS;

struct fx {
	struct uc *uc;
	struct f4_model *m;
	struct uc_flash uf;
	uint32_t variant;
};

static struct fx *open_part(uint32_t variant, uint32_t wrp, uint32_t pcrop)
{
	static struct fx fx;
	const struct f4_variant *v = &variants[variant];
	struct uc_config c = { .elf = image,
			       .cpu = "cortex-m4",
			       .budget = 5000000 };
	struct f4_model_config mc = { .size = v->size,
				      .dual_bank = v->dual_bank,
				      .max_psize = v->vrange,
				      .has_rderr = v->has_rderr,
				      .wrp = wrp,
				      .pcrop = pcrop };

	memset(&fx, 0, sizeof(fx));
	fx.variant = variant;
	fx.uc = uc_create(&c);
	assert_non_null(fx.uc);
	fx.m = f4_model_attach(fx.uc, &mc);
	assert_non_null(fx.m);
	if (uc_flash_open(&fx.uf, fx.uc, f4_model_sim(fx.m), variant) != 0)
		fail_msg("%s: open: %s", v->name, uc_first_violation(fx.uc));
	return &fx;
}

static void close_part(struct fx *fx)
{
	f4_model_free(fx->m);
	uc_destroy(fx->uc);
}

/* The conformance suite's look below the fk_flash. */
static const char *model_verdict(void *ctx)
{
	struct fx *fx = ctx;

	if (uc_violations(fx->uc))
		return uc_first_violation(fx->uc);
	return f4_model_idle(fx->m);
}

static void assert_clean(struct fx *fx)
{
	const char *v = model_verdict(fx);

	if (v)
		fail_msg("%s", v);
}

/* ---- probes ---- */

static enum uc_run call(struct fx *fx, const char *fn, uint32_t a, uint32_t b,
			uint32_t *ret)
{
	uint32_t args[2] = { a, b };

	return uc_call_sym(fx->uc, fn, args, 2, ret);
}

static void wr(struct fx *fx, uint32_t addr, uint32_t v)
{
	assert_int_equal(call(fx, "fk_probe_wr32_ram", addr, v, NULL),
			 UC_RUN_OK);
}

static uint32_t rd(struct fx *fx, uint32_t addr)
{
	uint32_t v = 0;

	assert_int_equal(call(fx, "fk_probe_rd32_ram", addr, 0, &v), UC_RUN_OK);
	return v;
}

static void unlock(struct fx *fx)
{
	wr(fx, KEYR, KEY1);
	wr(fx, KEYR, KEY2);
	assert_int_equal(rd(fx, CR) & CR_LOCK, 0);
}

/* Reads SR until BSY clears (from the host: no fetch rule involved). */
static uint32_t wait_idle(struct fx *fx)
{
	uint32_t sr;

	for (int i = 0; i < 100; i++) {
		sr = rd(fx, SR);
		if (!(sr & F4_SR_BSY))
			return sr;
	}
	fail_msg("BSY never clears");
	return 0;
}

/* Expects the last probe to have been stopped by a violation about what. */
static void expect_violation(struct fx *fx, enum uc_run r, const char *what)
{
	assert_int_equal(r, UC_RUN_VIOLATION);
	if (!strstr(uc_first_violation(fx->uc), what))
		fail_msg("expected a violation about '%s', got '%s'", what,
			 uc_first_violation(fx->uc));
}

/* ---- the driver ---- */

static void test_conformance_on_every_part(void **state)
{
	(void)state;
	for (uint32_t v = 0; v < F4_VARIANT_COUNT; v++) {
		struct fx *fx = open_part(v, 0, 0);
		struct conf_target t = { .name = variants[v].name,
					 .flash = &fx->uf.flash,
					 .sim = f4_model_sim(fx->m),
					 .violation = model_verdict,
					 .ctx = fx };
		struct conf_result r;

		if (conf_run(&t, &r) != 0)
			fail_msg("%s (%u checks, %u failed)", r.first, r.checks,
				 r.failures);
		print_message("%s: %u checks passed\n", variants[v].name,
			      r.checks);
		close_part(fx);
	}
}

static void test_geometry_of_each_part(void **state)
{
	static const uint32_t sectors[F4_VARIANT_COUNT] = { 12, 8, 5, 24, 16 };
	static const uint32_t units[F4_VARIANT_COUNT] = { 4, 1, 2, 4, 8 };

	(void)state;
	for (uint32_t v = 0; v < F4_VARIANT_COUNT; v++) {
		struct fx *fx = open_part(v, 0, 0);
		struct fk_sector s;

		assert_int_equal(fk_flash_sector_count(&fx->uf.flash),
				 sectors[v]);
		assert_int_equal(fx->uf.flash.geo.write_unit, units[v]);
		assert_int_equal(fx->uf.flash.geo.size, variants[v].size);
		assert_int_equal(fk_flash_sector_by_index(&fx->uf.flash, 4, &s),
				 0);
		assert_int_equal(s.off, 0x10000);
		assert_int_equal(s.size, 0x10000);
		close_part(fx);
	}
}

static void test_bank2_sector_erased_by_its_snb(void **state)
{
	struct fx *fx = open_part(3, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));
	uint8_t data[16];

	(void)state;
	memset(mem + 0x100000 - 4, 0x11, 4);  /* bank 1's last sector */
	memset(mem + 0x100000, 0x22, 0x4000); /* bank 2's sector 12 */
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 0x100000, 0x4000), 0);
	assert_int_equal(mem[0x100000], 0xFF);
	assert_int_equal(mem[0x100000 + 0x3FFF], 0xFF);
	assert_int_equal(mem[0x100000 - 1], 0x11);
	memset(data, 0x33, sizeof(data));
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0x1FFFF0, data, 16),
			 0);
	assert_memory_equal(mem + 0x1FFFF0, data, 16);
	assert_clean(fx);
	close_part(fx);
}

static void test_driver_maps_every_error_flag(void **state)
{
	static const struct {
		uint32_t flag;
		int code;
	} map[] = {
		{ F4_SR_WRPERR, FK_EPROTECT }, { F4_SR_PGAERR, FK_EALIGN },
		{ F4_SR_PGPERR, FK_EALIGN },   { F4_SR_PGSERR, FK_ESTATE },
		{ F4_SR_OPERR, FK_EIO },
	};
	struct fx *fx = open_part(0, 0, 0);
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		f4_model_inject(fx->m, map[i].flag);
		assert_int_equal(
			fk_flash_program(&fx->uf.flash, 0x20000, data, 8),
			map[i].code);
		assert_clean(fx);
		f4_model_inject(fx->m, map[i].flag);
		assert_int_equal(
			fk_flash_erase(&fx->uf.flash, 0x20000, 0x20000),
			map[i].code);
		assert_clean(fx);
	}
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0x20000, data, 8), 0);
	assert_clean(fx);
	close_part(fx);
}

static void test_write_protected_sector_is_eprotect(void **state)
{
	struct fx *fx = open_part(0, 1u << 2, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));
	uint8_t data[4] = { 0 };

	(void)state;
	mem[0x8000] = 0x12;
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 0x8000, 0x4000),
			 FK_EPROTECT);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0x8004, data, 4),
			 FK_EPROTECT);
	assert_int_equal(mem[0x8000], 0x12);
	assert_int_equal(mem[0x8004], 0xFF);
	assert_clean(fx);
	assert_int_equal(fk_flash_erase(&fx->uf.flash, 0xC000, 0x4000), 0);
	close_part(fx);
}

static void test_read_of_pcrop_sector_is_eprotect(void **state)
{
	struct fx *fx = open_part(3, 0, 1u << 1);
	uint8_t buf[16];

	(void)state;
	assert_int_equal(fk_flash_read(&fx->uf.flash, 0x4000, buf, 16),
			 FK_EPROTECT);
	assert_clean(fx);
	assert_int_equal(fk_flash_read(&fx->uf.flash, 0x8000, buf, 16), 0);
	close_part(fx);
}

static void test_program_moving_a_bit_back_is_refused(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));
	uint8_t a[4] = { 0x0F, 0xFF, 0xFF, 0xFF }, b[4] = { 0xF0, 0, 0, 0 };

	(void)state;
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0x100, a, 4), 0);
	assert_int_equal(fk_flash_program(&fx->uf.flash, 0x100, b, 4),
			 FK_ENOTERASED);
	assert_int_equal(mem[0x100], 0x0F);
	assert_int_equal(mem[0x101], 0xFF);
	assert_clean(fx);
	close_part(fx);
}

/* ---- the model's rules ---- */

static void test_wrong_first_key_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	expect_violation(fx, call(fx, "fk_probe_wr32", KEYR, KEY2, NULL),
			 "first key");
	close_part(fx);
}

static void test_wrong_second_key_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	wr(fx, KEYR, KEY1);
	expect_violation(fx, call(fx, "fk_probe_wr32", KEYR, KEY1, NULL),
			 "second key");
	close_part(fx);
}

static void test_key_while_unlocked_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	unlock(fx);
	expect_violation(fx, call(fx, "fk_probe_wr32", KEYR, KEY1, NULL),
			 "unlocked");
	close_part(fx);
}

static void test_cr_write_while_locked_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	expect_violation(fx, call(fx, "fk_probe_wr32", CR, CR_PG, NULL),
			 "while locked");
	close_part(fx);
}

/* Unlocked, SER and sector 5 selected with x32, STRT stored from RAM:
 * an erase is running on bank 1. */
static void start_erase(struct fx *fx)
{
	unlock(fx);
	wr(fx, CR, CR_SER | CR_SNB(5) | CR_PSIZE(2));
	assert_int_equal(call(fx, "fk_probe_wr32_ram", CR,
			      CR_SER | CR_SNB(5) | CR_PSIZE(2) | CR_STRT, NULL),
			 UC_RUN_OK);
}

static void test_cr_write_while_busy_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	start_erase(fx);
	expect_violation(fx, call(fx, "fk_probe_wr32_ram", CR, CR_LOCK, NULL),
			 "while BSY");
	close_part(fx);
}

static void test_store_while_busy_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	start_erase(fx);
	expect_violation(
		fx, call(fx, "fk_probe_wr32_ram", ARRAY + 0x40000, 0, NULL),
		"while BSY");
	close_part(fx);
}

static void test_read_of_busy_bank_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	start_erase(fx);
	expect_violation(fx, call(fx, "fk_probe_rd32_ram", ARRAY, 0, NULL),
			 "bank is busy");
	close_part(fx);
}

static void test_rom_fetch_while_busy_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint32_t args[4] = { CR, CR_SER | CR_SNB(5) | CR_PSIZE(2) | CR_STRT, SR,
			     F4_SR_BSY };

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_SER | CR_SNB(5) | CR_PSIZE(2));
	expect_violation(
		fx,
		uc_call_sym(fx->uc, "fk_probe_start_wait_rom", args, 4, NULL),
		"FK_RAMFUNC");
	close_part(fx);
}

static void test_bank2_busy_lets_bank1_run(void **state)
{
	struct fx *fx = open_part(3, 0, 0);
	uint32_t args[4] = { CR, CR_SER | CR_SNB(16) | CR_PSIZE(2) | CR_STRT,
			     SR, F4_SR_BSY };
	uint32_t sr = 0;

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_SER | CR_SNB(16) | CR_PSIZE(2));
	assert_int_equal(
		uc_call_sym(fx->uc, "fk_probe_start_wait_rom", args, 4, &sr),
		UC_RUN_OK);
	assert_int_equal(sr & F4_SR_BSY, 0);
	assert_int_equal(uc_violations(fx->uc), 0);
	close_part(fx);
}

static void test_busy_lasts_a_few_status_reads(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	start_erase(fx);
	for (int i = 0; i < 3; i++)
		assert_true(rd(fx, SR) & F4_SR_BSY);
	assert_false(rd(fx, SR) & F4_SR_BSY);
	assert_int_equal(rd(fx, SR) & F4_SR_EOP, 0);
	close_part(fx);
}

static void test_eop_set_when_eopie(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_SER | CR_SNB(5) | CR_PSIZE(2) | CR_EOPIE);
	assert_int_equal(
		call(fx, "fk_probe_wr32_ram", CR,
		     CR_SER | CR_SNB(5) | CR_PSIZE(2) | CR_EOPIE | CR_STRT,
		     NULL),
		UC_RUN_OK);
	assert_true(wait_idle(fx) & F4_SR_EOP);
	close_part(fx);
}

static void test_psize_above_supply_is_a_violation(void **state)
{
	struct fx *fx = open_part(1, 0, 0); /* 1.8 V: x8 only */

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_PG | CR_PSIZE(2));
	expect_violation(fx, call(fx, "fk_probe_wr32", ARRAY, 0, NULL),
			 "table 7");
	close_part(fx);
}

static void test_snb_naming_no_sector_is_a_violation(void **state)
{
	struct fx *fx = open_part(3, 0, 0);

	(void)state;
	unlock(fx);
	expect_violation(fx,
			 call(fx, "fk_probe_wr32_ram", CR,
			      CR_SER | CR_SNB(12) | CR_PSIZE(2) | CR_STRT,
			      NULL),
			 "SNB 12");
	close_part(fx);
}

static void test_option_byte_write_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	expect_violation(fx, call(fx, "fk_probe_wr32", OPTCR, 0, NULL),
			 "option bytes");
	close_part(fx);
}

static void test_stale_data_cache_read_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	start_erase(fx); /* the image's startup turned DCEN on */
	wait_idle(fx);
	expect_violation(fx,
			 call(fx, "fk_probe_rd32", ARRAY + 0x20000, 0, NULL),
			 "DCRST");
	close_part(fx);
}

static void test_cache_reset_after_erase_allows_reads(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint32_t acr;

	(void)state;
	start_erase(fx);
	wait_idle(fx);
	acr = rd(fx, ACR);
	wr(fx, ACR, acr & ~ACR_DCEN);
	wr(fx, ACR, (acr & ~ACR_DCEN) | ACR_DCRST);
	wr(fx, ACR, acr);
	assert_int_equal(rd(fx, ARRAY + 0x20000), 0xFFFFFFFF);
	close_part(fx);
}

static void test_dcrst_while_dcen_is_a_violation(void **state)
{
	struct fx *fx = open_part(0, 0, 0);

	(void)state;
	expect_violation(
		fx,
		call(fx, "fk_probe_wr32", ACR, rd(fx, ACR) | ACR_DCRST, NULL),
		"cache reset");
	close_part(fx);
}

static void test_store_without_pg_sets_pgserr(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));

	(void)state;
	unlock(fx);
	wr(fx, ARRAY + 0x100, 0);
	assert_true(rd(fx, SR) & F4_SR_PGSERR);
	assert_int_equal(mem[0x100], 0xFF);
	close_part(fx);
}

static void test_strt_without_ser_sets_pgserr(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));

	(void)state;
	mem[0x20000] = 0;
	unlock(fx);
	wr(fx, CR, CR_SNB(5) | CR_PSIZE(2) | CR_STRT);
	assert_true(wait_idle(fx) & F4_SR_PGSERR);
	assert_int_equal(mem[0x20000], 0);
	close_part(fx);
}

static void test_store_of_wrong_width_sets_pgperr(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_PG | CR_PSIZE(2));
	assert_int_equal(call(fx, "fk_probe_wr16", ARRAY + 0x100, 0, NULL),
			 UC_RUN_OK);
	assert_true(wait_idle(fx) & F4_SR_PGPERR);
	assert_int_equal(mem[0x100], 0xFF);
	close_part(fx);
}

static void test_misaligned_double_word_sets_pgaerr(void **state)
{
	struct fx *fx = open_part(4, 0, 0); /* VPP: x64 */
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));
	uint32_t args[3] = { ARRAY + 0x104, 0, 0 };

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_PG | CR_PSIZE(3));
	assert_int_equal(uc_call_sym(fx->uc, "fk_probe_wr64", args, 3, NULL),
			 UC_RUN_OK);
	assert_true(wait_idle(fx) & F4_SR_PGAERR);
	assert_int_equal(mem[0x104], 0xFF);
	close_part(fx);
}

static void test_x64_program_takes_two_word_stores(void **state)
{
	struct fx *fx = open_part(4, 0, 0); /* VPP: x64 */
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));
	uint32_t args[3] = { ARRAY + 0x200, 0x03020100, 0x07060504 };

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_PG | CR_PSIZE(3));
	assert_int_equal(uc_call_sym(fx->uc, "fk_probe_wr64", args, 3, NULL),
			 UC_RUN_OK);
	wait_idle(fx);
	for (int i = 0; i < 8; i++)
		assert_int_equal(mem[0x200 + i], i);
	wr(fx, ARRAY + 0x208, 0); /* a lone word: no program yet */
	assert_int_equal(call(fx, "fk_probe_wr16", ARRAY + 0x20C, 0, NULL),
			 UC_RUN_OK);
	assert_true(wait_idle(fx) & F4_SR_PGPERR);
	assert_int_equal(mem[0x208], 0xFF);
	wr(fx, SR, F4_SR_PGPERR);
	wr(fx, ARRAY + 0x210, 0); /* the second word not next to the first */
	wr(fx, ARRAY + 0x220, 0);
	assert_true(wait_idle(fx) & F4_SR_PGPERR);
	assert_int_equal(mem[0x210], 0xFF);
	assert_int_equal(mem[0x220], 0xFF);
	close_part(fx);
}

static void test_program_only_clears_bits(void **state)
{
	struct fx *fx = open_part(0, 0, 0);
	uint8_t *mem = fk_sim_data(f4_model_sim(fx->m));

	(void)state;
	unlock(fx);
	wr(fx, CR, CR_PG | CR_PSIZE(2));
	assert_int_equal(call(fx, "fk_probe_start_wait_ram", ARRAY + 0x300,
			      0x0000FFFF, NULL),
			 UC_RUN_OK);
	wait_idle(fx);
	wr(fx, ARRAY + 0x300, 0xFFFF00F0);
	wait_idle(fx);
	assert_int_equal(mem[0x300], 0xF0);
	assert_int_equal(mem[0x301], 0x00);
	assert_int_equal(mem[0x302], 0x00);
	assert_int_equal(mem[0x303], 0x00);
	close_part(fx);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_on_every_part),
		cmocka_unit_test(test_geometry_of_each_part),
		cmocka_unit_test(test_bank2_sector_erased_by_its_snb),
		cmocka_unit_test(test_driver_maps_every_error_flag),
		cmocka_unit_test(test_write_protected_sector_is_eprotect),
		cmocka_unit_test(test_read_of_pcrop_sector_is_eprotect),
		cmocka_unit_test(test_program_moving_a_bit_back_is_refused),
		cmocka_unit_test(test_wrong_first_key_is_a_violation),
		cmocka_unit_test(test_wrong_second_key_is_a_violation),
		cmocka_unit_test(test_key_while_unlocked_is_a_violation),
		cmocka_unit_test(test_cr_write_while_locked_is_a_violation),
		cmocka_unit_test(test_cr_write_while_busy_is_a_violation),
		cmocka_unit_test(test_store_while_busy_is_a_violation),
		cmocka_unit_test(test_read_of_busy_bank_is_a_violation),
		cmocka_unit_test(test_rom_fetch_while_busy_is_a_violation),
		cmocka_unit_test(test_bank2_busy_lets_bank1_run),
		cmocka_unit_test(test_busy_lasts_a_few_status_reads),
		cmocka_unit_test(test_eop_set_when_eopie),
		cmocka_unit_test(test_psize_above_supply_is_a_violation),
		cmocka_unit_test(test_snb_naming_no_sector_is_a_violation),
		cmocka_unit_test(test_option_byte_write_is_a_violation),
		cmocka_unit_test(test_stale_data_cache_read_is_a_violation),
		cmocka_unit_test(test_cache_reset_after_erase_allows_reads),
		cmocka_unit_test(test_dcrst_while_dcen_is_a_violation),
		cmocka_unit_test(test_store_without_pg_sets_pgserr),
		cmocka_unit_test(test_strt_without_ser_sets_pgserr),
		cmocka_unit_test(test_store_of_wrong_width_sets_pgperr),
		cmocka_unit_test(test_misaligned_double_word_sets_pgaerr),
		cmocka_unit_test(test_x64_program_takes_two_word_stores),
		cmocka_unit_test(test_program_only_clears_bits),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <f4_image.elf>\n", argv[0]);
		return 2;
	}
	image = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
