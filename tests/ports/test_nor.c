/*
 * The SFDP NOR driver (ports/nor/nor.c) run under Unicorn over each of
 * its buses (argv[1]: the QSPI image, on the STM32 QUADSPI model with the
 * code in the chip; argv[2]: the SPI image, on the F205 SPI + GPIO
 * model) on the chip models
 * (models/nor_chip.c): geometry from SFDP on the W25Q128JV and the
 * MX25L51245G, the clear errors for an absent or unknown chip, page
 * splitting, the largest erase block, the poll bound, the conformance
 * suite; then each rule of the chip and bus models caught when the
 * image's raw functions break it. Then the flash loader's tests
 * (test_loader.c, argv[3]): one executable, so that a mutant of a model
 * (tests/ports/mutants/nor.txt) is linked into every test that uses it.
 * With --sweeps (or --full) after the images: only the settings store's
 * power-cut sweep through the QSPI driver (port_nor_kv_sweep); with
 * --boot-sweeps (--boot-sweeps-full) only the boot core's sweeps
 * (port_nor_boot_sweeps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "port_kv_sweep.h"
#include "sweeps.h"
#include "test_nor.h"
#include "models/nor_chip.h"
#include "models/quadspi.h"
#include "models/spi_stm32.h"
#include "uc.h"

#define KIB 1024u
#define MIB (1024u * 1024u)
#define VARIANT_DEFAULT 0
#define VARIANT_64K 1
#define VARIANT_ANY_VENDOR 2
#define VARIANT_ONE_POLL 3

#define RAW_RX (1u << 16)
#define RAW_NO_IDLE (1u << 17)
#define RAW_ADDR(n) ((uint32_t)(n) << 8)

#define QSPI_REGS QUADSPI_H7_REGS
#define SPI_REGS SPI1_F2_REGS
#define GPIO_REGS GPIOA_F2_REGS
#define CS_PIN 4u

static const char *image;
static bool qspi;

struct fixture {
	struct uc *uc;
	struct nor_chip *chip;
	struct quadspi_model *q;
	struct spi_model *s;
	struct fk_sim *sim;
	struct uc_flash uf;
	int open_rc;
};

static struct fixture fx;

static const char *violation(void *ctx)
{
	struct uc *uc = ctx;

	return uc_violations(uc) ? uc_first_violation(uc) : NULL;
}

static void no_violation(void)
{
	if (uc_violations(fx.uc))
		fail_msg("violation: %s", uc_first_violation(fx.uc));
}

static void open_chip(enum nor_chip_part part, uint32_t variant)
{
	struct uc_config cfg = { .elf = image,
				 .cpu = qspi ? "cortex-m7" : "cortex-m3" };

	memset(&fx, 0, sizeof(fx));
	fx.uc = uc_create(&cfg);
	assert_non_null(fx.uc);
	fx.chip = nor_chip_create(fx.uc, part);
	assert_non_null(fx.chip);
	fx.sim = nor_chip_sim(fx.chip);
	if (qspi)
		fx.q = quadspi_model_create(fx.uc, fx.chip, QSPI_REGS, true);
	else
		fx.s = spi_model_create(fx.uc, fx.chip, SPI_REGS, GPIO_REGS,
					CS_PIN);
	assert_true(fx.q || fx.s);
	fx.open_rc = uc_flash_open(&fx.uf, fx.uc, fx.sim, variant);
}

static void open_ok(enum nor_chip_part part, uint32_t variant)
{
	open_chip(part, variant);
	no_violation();
	assert_int_equal(fx.open_rc, FK_OK);
}

static int teardown(void **state)
{
	(void)state;
	uc_destroy(fx.uc);
	quadspi_model_destroy(fx.q);
	spi_model_destroy(fx.s);
	nor_chip_destroy(fx.chip);
	return 0;
}

static uint32_t read_word(const char *sym, uint32_t index)
{
	uint32_t addr, v;

	assert_int_equal(uc_symbol(fx.uc, sym, &addr), 0);
	assert_int_equal(uc_read_mem(fx.uc, addr + 4 * index, &v, 4), 0);
	return v;
}

static enum uc_run call(const char *fn, uint32_t a0, uint32_t a1, uint32_t a2,
			uint32_t *ret)
{
	uint32_t args[3] = { a0, a1, a2 };

	return uc_call_sym(fx.uc, fn, args, 3, ret);
}

/* A raw command through the image's bus (nor_test_raw). */
static enum uc_run raw(uint32_t flags, uint32_t addr, void *data, uint32_t len)
{
	uint32_t ret;
	enum uc_run r;

	if (!(flags & RAW_RX) && len)
		assert_int_equal(uc_write_mem(fx.uc, fx.uf.buf, data, len), 0);
	r = call("nor_test_raw", flags, addr, len, &ret);
	if (r == UC_RUN_OK && (flags & RAW_RX) && len)
		assert_int_equal(uc_read_mem(fx.uc, fx.uf.buf, data, len), 0);
	return r;
}

static void raw_ok(uint32_t flags, uint32_t addr, void *data, uint32_t len)
{
	assert_int_equal(raw(flags, addr, data, len), UC_RUN_OK);
	no_violation();
}

static uint8_t raw_status(void)
{
	uint8_t sr;

	raw_ok(0x05 | RAW_RX, 0, &sr, 1);
	return sr;
}

static void raw_wait_ready(void)
{
	for (int i = 0; i < 20; i++)
		if (!(raw_status() & 1))
			return;
	fail_msg("chip still busy");
}

static enum uc_run poke(uint32_t addr, uint32_t value, uint32_t size)
{
	return call("nor_test_poke", addr, value, size, NULL);
}

static uint32_t peek(uint32_t addr, uint32_t size)
{
	uint32_t v = 0;

	assert_int_equal(call("nor_test_peek", addr, size, 0, &v), UC_RUN_OK);
	return v;
}

static void expect_violation(enum uc_run r, const char *needle)
{
	assert_int_equal(r, UC_RUN_VIOLATION);
	if (!strstr(uc_first_violation(fx.uc), needle))
		fail_msg("violation \"%s\" does not mention \"%s\"",
			 uc_first_violation(fx.uc), needle);
}

static void fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

/* ---- the driver ---- */

static void test_w25q128_geometry_from_sfdp(void **state)
{
	const struct fk_flash_geometry *g = &fx.uf.flash.geo;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(g->size, 16 * MIB);
	assert_int_equal(g->base, qspi ? 0x90000000u : 0);
	assert_int_equal(g->run_count, 1);
	assert_int_equal(g->runs[0].size, 4 * KIB);
	assert_int_equal(g->runs[0].count, 4096);
	assert_int_equal(g->write_unit, 1);
	assert_int_equal(g->erased_value, 0xFF);
	assert_false(g->program_once);
	assert_int_equal(read_word("nor_test_desc", 0), 0xEF4018);
	assert_int_equal(read_word("nor_test_desc", 1), 3);
	assert_int_equal(read_word("nor_test_desc", 2), 0x0B);
	assert_int_equal(read_word("nor_test_desc", 3), 0x02);
	assert_int_equal(read_word("nor_test_desc", 4), 256);
	assert_int_equal(read_word("nor_test_desc", 5), 3);
	assert_int_equal(read_word("nor_test_desc", 6), 4 * KIB);
	assert_int_equal(read_word("nor_test_desc", 7), 0x20);
	assert_int_equal(read_word("nor_test_desc", 8), 32 * KIB);
	assert_int_equal(read_word("nor_test_desc", 9), 0x52);
	assert_int_equal(read_word("nor_test_desc", 10), 64 * KIB);
	assert_int_equal(read_word("nor_test_desc", 11), 0xD8);
}

static void test_mx25l512_uses_4byte_opcodes_above_16mib(void **state)
{
	uint8_t data[300], back[300];
	uint32_t off = 48 * MIB + 100;

	(void)state;
	open_ok(NOR_CHIP_MX25L51245G, VARIANT_DEFAULT);
	assert_int_equal(fx.uf.flash.geo.size, 64 * MIB);
	assert_int_equal(read_word("nor_test_desc", 0), 0xC2201A);
	assert_int_equal(read_word("nor_test_desc", 1), 4);
	assert_int_equal(read_word("nor_test_desc", 2), 0x0C);
	assert_int_equal(read_word("nor_test_desc", 3), 0x12);
	assert_int_equal(read_word("nor_test_desc", 7), 0x21);
	assert_int_equal(read_word("nor_test_desc", 9), 0x5C);
	assert_int_equal(read_word("nor_test_desc", 11), 0xDC);
	fill(data, sizeof(data), 3);
	assert_int_equal(
		fk_flash_program(&fx.uf.flash, off, data, sizeof(data)), FK_OK);
	assert_memory_equal(fk_sim_data(fx.sim) + off, data, sizeof(data));
	assert_int_equal(fk_flash_read(&fx.uf.flash, off, back, sizeof(back)),
			 FK_OK);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(fk_flash_erase(&fx.uf.flash, 48 * MIB, 4 * KIB),
			 FK_OK);
	assert_int_equal(fk_sim_data(fx.sim)[off], 0xFF);
	no_violation();
}

static void test_4byte_mode_when_sfdp_lists_no_4byte_opcodes(void **state)
{
	uint8_t data[16], back[16];
	uint32_t off = 60 * MIB + 4;

	(void)state;
	open_ok(NOR_CHIP_MX25_NO_4BAIT, VARIANT_DEFAULT);
	assert_int_equal(fx.uf.flash.geo.size, 64 * MIB);
	assert_int_equal(read_word("nor_test_desc", 1), 4);
	assert_int_equal(read_word("nor_test_desc", 2), 0x0B);
	assert_int_equal(read_word("nor_test_desc", 3), 0x02);
	assert_int_equal(read_word("nor_test_desc", 7), 0x20);
	fill(data, sizeof(data), 5);
	assert_int_equal(fk_flash_program(&fx.uf.flash, off, data, 16), FK_OK);
	assert_memory_equal(fk_sim_data(fx.sim) + off, data, 16);
	assert_int_equal(fk_flash_read(&fx.uf.flash, off, back, 16), FK_OK);
	assert_memory_equal(back, data, 16);
	assert_int_equal(fk_flash_erase(&fx.uf.flash, 60 * MIB, 4 * KIB),
			 FK_OK);
	assert_int_equal(fk_sim_data(fx.sim)[off], 0xFF);
	no_violation();
}

static void test_absent_chip_is_enoent(void **state)
{
	(void)state;
	open_chip(NOR_CHIP_ABSENT, VARIANT_DEFAULT);
	no_violation();
	assert_int_not_equal(fx.open_rc, FK_OK);
	assert_int_equal((int32_t)read_word("nor_test_init_rc", 0), FK_ENOENT);
}

static void test_unknown_vendor_refused_unless_any_vendor(void **state)
{
	(void)state;
	open_chip(NOR_CHIP_FOREIGN, VARIANT_DEFAULT);
	no_violation();
	assert_int_not_equal(fx.open_rc, FK_OK);
	assert_int_equal((int32_t)read_word("nor_test_init_rc", 0), FK_ENOTSUP);
	teardown(NULL);
	open_ok(NOR_CHIP_FOREIGN, VARIANT_ANY_VENDOR);
	assert_int_equal(fx.uf.flash.geo.size, 16 * MIB);
}

static void test_program_splits_at_page_boundaries(void **state)
{
	struct nor_chip_stats st;
	uint8_t data[600];

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	fill(data, sizeof(data), 1);
	assert_int_equal(
		fk_flash_program(&fx.uf.flash, 200, data, sizeof(data)), FK_OK);
	no_violation();
	nor_chip_get_stats(fx.chip, &st);
	assert_int_equal(st.page_programs, 4); /* 200-255, 256, 512, 768-799 */
	assert_memory_equal(fk_sim_data(fx.sim) + 200, data, sizeof(data));
	assert_int_equal(fk_sim_data(fx.sim)[199], 0xFF);
	assert_int_equal(fk_sim_data(fx.sim)[800], 0xFF);
}

static void test_program_refuses_setting_bits_back(void **state)
{
	uint8_t a[8] = { 0x0F, 0x0F, 0x0F, 0x0F, 0x0F, 0x0F, 0x0F, 0x0F };
	uint8_t b[8] = { 0x0F, 0x0F, 0x0F, 0xF0, 0x0F, 0x0F, 0x0F, 0x0F };
	struct nor_chip_stats st;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(fk_flash_program(&fx.uf.flash, 4096, a, 8), FK_OK);
	assert_int_equal(fk_flash_program(&fx.uf.flash, 4096, b, 8),
			 FK_ENOTERASED);
	nor_chip_get_stats(fx.chip, &st);
	assert_int_equal(st.page_programs, 1); /* the refused one sent none */
	assert_memory_equal(fk_sim_data(fx.sim) + 4096, a, 8);
	no_violation();
}

static void test_erase_range_uses_largest_blocks(void **state)
{
	struct nor_chip_stats st;
	uint32_t ret, off = 60 * KIB, len = 140 * KIB;
	uint8_t *d;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	d = fk_sim_data(fx.sim);
	memset(d, 0x00, 512 * KIB);
	assert_int_equal(call("nor_test_erase_range", off, len, 0, &ret),
			 UC_RUN_OK);
	no_violation();
	assert_int_equal(ret, FK_OK);
	nor_chip_get_stats(fx.chip, &st);
	/* 60K: 4K; 64K and 128K: 64K; 192K, 196K: 4K */
	assert_int_equal(st.erases_64k, 2);
	assert_int_equal(st.erases_32k, 0);
	assert_int_equal(st.erases_4k, 3);
	assert_int_equal(d[off - 1], 0x00);
	assert_int_equal(d[off], 0xFF);
	assert_int_equal(d[off + len - 1], 0xFF);
	assert_int_equal(d[off + len], 0x00);
	assert_int_equal(
		call("nor_test_erase_range", 256 * KIB, 32 * KIB, 0, &ret),
		UC_RUN_OK);
	nor_chip_get_stats(fx.chip, &st);
	assert_int_equal(st.erases_32k, 1);
	assert_int_equal(call("nor_test_erase_range", 1, 4 * KIB, 0, &ret),
			 UC_RUN_OK);
	assert_int_equal((int32_t)ret, FK_EALIGN);
	assert_int_equal(
		call("nor_test_erase_range", 16 * MIB, 4 * KIB, 0, &ret),
		UC_RUN_OK);
	assert_int_equal((int32_t)ret, FK_ERANGE);
}

static void test_64k_sectors_erase_with_one_block(void **state)
{
	struct nor_chip_stats st;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_64K);
	assert_int_equal(fx.uf.flash.geo.runs[0].size, 64 * KIB);
	assert_int_equal(fx.uf.flash.geo.runs[0].count, 256);
	memset(fk_sim_data(fx.sim), 0, 256 * KIB);
	assert_int_equal(fk_flash_erase(&fx.uf.flash, 64 * KIB, 128 * KIB),
			 FK_OK);
	nor_chip_get_stats(fx.chip, &st);
	assert_int_equal(st.erases_64k, 2);
	assert_int_equal(st.erases_4k, 0);
	assert_int_equal(fk_sim_data(fx.sim)[64 * KIB - 1], 0);
	assert_int_equal(fk_sim_data(fx.sim)[64 * KIB], 0xFF);
	assert_int_equal(fk_sim_data(fx.sim)[192 * KIB], 0);
	no_violation();
}

static void test_chip_erase(void **state)
{
	struct nor_chip_stats st;
	uint32_t ret;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	memset(fk_sim_data(fx.sim) + 5 * MIB, 0, 4096);
	assert_int_equal(call("nor_test_erase_chip", 0, 0, 0, &ret), UC_RUN_OK);
	no_violation();
	assert_int_equal(ret, FK_OK);
	nor_chip_get_stats(fx.chip, &st);
	assert_int_equal(st.chip_erases, 1);
	assert_int_equal(fk_sim_data(fx.sim)[5 * MIB], 0xFF);
}

static void test_status_poll_bound_gives_eio(void **state)
{
	uint8_t data[4] = { 1, 2, 3, 4 };

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_ONE_POLL);
	/* one status read allowed, the program stays busy for two */
	assert_int_equal(fk_flash_program(&fx.uf.flash, 0, data, 4), FK_EIO);
	assert_int_equal(fx.uf.last_run, UC_RUN_OK);
}

/* max_sectors: 64 KiB sectors cost 16 times the 4 KiB ones per check. */
static void run_conformance(enum nor_chip_part part, uint32_t variant,
			    const char *name, uint32_t max_sectors)
{
	struct conf_target t = { .name = name,
				 .violation = violation,
				 .max_sectors = max_sectors };
	struct conf_result r;

	open_ok(part, variant);
	t.flash = &fx.uf.flash;
	t.sim = fx.sim;
	t.ctx = fx.uc;
	if (conf_run(&t, &r) != 0)
		fail_msg("%s: %u of %u checks failed; first: %s", name,
			 r.failures, r.checks, r.first);
	printf("%s: %u checks passed\n", name, r.checks);
}

static void test_conformance_w25q128(void **state)
{
	(void)state;
	run_conformance(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT,
			qspi ? "QSPI W25Q128JV" : "SPI W25Q128JV", 0);
}

static void test_conformance_w25q128_64k_sectors(void **state)
{
	(void)state;
	run_conformance(NOR_CHIP_W25Q128JV, VARIANT_64K,
			qspi ? "QSPI W25Q128JV 64K" : "SPI W25Q128JV 64K", 2);
}

static void test_conformance_mx25l512(void **state)
{
	(void)state;
	run_conformance(NOR_CHIP_MX25L51245G, VARIANT_DEFAULT,
			qspi ? "QSPI MX25L51245G" : "SPI MX25L51245G", 0);
}

/* ISSI's family (IS25), accepted by its JEDEC manufacturer ID without
 * any_vendor: the same suite on an IS25LP128. */
static void test_conformance_is25lp128(void **state)
{
	(void)state;
	run_conformance(NOR_CHIP_IS25LP128, VARIANT_DEFAULT,
			qspi ? "QSPI IS25LP128" : "SPI IS25LP128", 0);
}

/* The settings store on a 4 x 4 KiB partition of a W25Q16JV over QSPI,
 * every flash operation of every user operation cut (port_kv_sweep.h);
 * values of 60-119 bytes, so the ring rotates every few dozen operations
 * and collects once full. Run with --sweeps (--full: 10 times longer). */
static bool sweeps_full;

static void test_settings_store_survives_every_cut(void **state)
{
	static const struct kvh_geometry g = {
		.name = "QSPI W25Q16JV store",
		.cfg = { .key_limit = 16, .value_max = 119, .record_max = 128 },
		.keys_used = 16,
		.vmin = 60,
		.vmax = 119,
	};
	struct port_kv_sweep s = { .name = "QSPI W25Q16JV settings store",
				   .off = MIB,
				   .size = 4 * 4 * KIB,
				   .g = &g,
				   .ops = sweeps_full ? 2000 : 200,
				   .seed = 0x5EED };
	struct port_kv_counts n;
	char msg[400];

	(void)state;
	open_ok(NOR_CHIP_W25Q16JV, VARIANT_DEFAULT);
	s.uf = &fx.uf;
	if (port_kv_sweep(&s, &n, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	print_message("%s: %llu user ops, %llu flash ops, %llu erases, "
		      "%llu cuts (old %llu, new %llu)\n",
		      s.name, (unsigned long long)n.user_ops,
		      (unsigned long long)n.flash_ops,
		      (unsigned long long)n.erases, (unsigned long long)n.cases,
		      (unsigned long long)n.saw_old,
		      (unsigned long long)n.saw_new);
	assert_true(n.erases >= 4); /* the ring was full and collected */
	no_violation();
}

/* ---- the chip model's rules, over either bus ---- */

static void test_chip_ignores_program_without_write_enable(void **state)
{
	uint8_t data[4] = { 0, 0, 0, 0 };

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	expect_violation(raw(0x02 | RAW_ADDR(3), 0x1000, data, 4),
			 "Write Enable");
	assert_int_equal(fk_sim_data(fx.sim)[0x1000], 0xFF);
}

static void test_chip_ignores_erase_without_write_enable(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	fk_sim_data(fx.sim)[0x2000] = 0;
	expect_violation(raw(0x20 | RAW_ADDR(3), 0x2000, NULL, 0),
			 "Write Enable");
	assert_int_equal(fk_sim_data(fx.sim)[0x2000], 0);
}

static void test_chip_clears_wel_after_program(void **state)
{
	uint8_t data[1] = { 0 };

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	raw_ok(0x06, 0, NULL, 0);
	assert_int_equal(raw_status() & 2, 2);
	raw_ok(0x02 | RAW_ADDR(3), 0, data, 1);
	raw_wait_ready();
	assert_int_equal(raw_status() & 2, 0);
	expect_violation(raw(0x02 | RAW_ADDR(3), 1, data, 1), "Write Enable");
}

static void test_chip_busy_for_some_polls_then_refuses_commands(void **s)
{
	uint8_t data[1] = { 0 }, id[3];

	(void)s;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0x02 | RAW_ADDR(3), 0, data, 1);
	assert_int_equal(raw_status() & 1, 1);
	expect_violation(raw(0x9F | RAW_RX, 0, id, 3), "WIP");
}

static void test_chip_page_program_wraps_inside_the_page(void **state)
{
	uint8_t data[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const uint8_t *d;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	d = fk_sim_data(fx.sim);
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0x02 | RAW_ADDR(3), 0x3000 + 250, data, 10);
	raw_wait_ready();
	assert_memory_equal(d + 0x3000 + 250, data, 6);
	assert_memory_equal(d + 0x3000, data + 6, 4);
	assert_int_equal(d[0x3000 + 256], 0xFF);
}

static void test_chip_page_program_keeps_last_256_bytes(void **state)
{
	uint8_t data[260];
	const uint8_t *d;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	fill(data, sizeof(data), 9);
	d = fk_sim_data(fx.sim);
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0x02 | RAW_ADDR(3), 0x4000, data, sizeof(data));
	raw_wait_ready();
	assert_memory_equal(d + 0x4000, data + 256, 4);
	assert_memory_equal(d + 0x4004, data + 4, 252);
}

static void test_chip_programs_only_ones_to_zeros(void **state)
{
	uint8_t data[1] = { 0x0F };

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	fk_sim_data(fx.sim)[0x5000] = 0xF0;
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0x02 | RAW_ADDR(3), 0x5000, data, 1);
	raw_wait_ready();
	assert_int_equal(fk_sim_data(fx.sim)[0x5000], 0x00);
}

static void test_chip_erase_sizes(void **state)
{
	uint8_t *d;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	d = fk_sim_data(fx.sim);
	memset(d, 0, 256 * KIB);
	raw_ok(0x06, 0, NULL, 0);
	/* an address inside the block: the block holding it is erased */
	raw_ok(0x52 | RAW_ADDR(3), 40 * KIB + 5, NULL, 0); /* 32K block */
	raw_wait_ready();
	assert_int_equal(d[32 * KIB - 1], 0);
	assert_int_equal(d[32 * KIB], 0xFF);
	assert_int_equal(d[64 * KIB - 1], 0xFF);
	assert_int_equal(d[64 * KIB], 0);
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0xD8 | RAW_ADDR(3), 128 * KIB, NULL, 0); /* 64K block */
	raw_wait_ready();
	assert_int_equal(d[128 * KIB - 1], 0);
	assert_int_equal(d[192 * KIB - 1], 0xFF);
	assert_int_equal(d[192 * KIB], 0);
	raw_ok(0x06, 0, NULL, 0);
	raw_ok(0x20 | RAW_ADDR(3), 200 * KIB, NULL, 0); /* 4K sector */
	raw_wait_ready();
	assert_int_equal(d[200 * KIB - 1], 0);
	assert_int_equal(d[204 * KIB - 1], 0xFF);
	assert_int_equal(d[204 * KIB], 0);
}

static void test_chip_erase_needs_cs_after_last_address_byte(void **state)
{
	uint8_t extra[1] = { 0 };

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	fk_sim_data(fx.sim)[0] = 0;
	raw_ok(0x06, 0, NULL, 0);
	expect_violation(raw(0x20 | RAW_ADDR(3), 0, extra, 1), "chip select");
	assert_int_equal(fk_sim_data(fx.sim)[0], 0);
}

static void test_chip_refuses_unknown_opcode(void **state)
{
	uint8_t sr2[1];

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	expect_violation(raw(0x35 | RAW_RX, 0, sr2, 1), "command set");
}

static void test_chip_w25q_has_no_4byte_opcodes(void **state)
{
	uint8_t b[4];

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	expect_violation(raw(0x13 | RAW_ADDR(4) | RAW_RX, 0, b, 4),
			 "command set");
}

static void test_chip_4byte_mode_takes_4_address_bytes(void **state)
{
	uint8_t b[4];
	uint32_t off = 40 * MIB + 16;

	(void)state;
	open_ok(NOR_CHIP_MX25L51245G, VARIANT_DEFAULT);
	memcpy(fk_sim_data(fx.sim) + off, "nor!", 4);
	raw_ok(0xB7, 0, NULL, 0);
	raw_ok(0x03 | RAW_ADDR(4) | RAW_RX, off, b, 4);
	assert_memory_equal(b, "nor!", 4);
	raw_ok(0xE9, 0, NULL, 0);
	raw_ok(0x03 | RAW_ADDR(3) | RAW_RX, off & 0xFFFFFFu, b, 4);
	assert_memory_equal(b, fk_sim_data(fx.sim) + (off & 0xFFFFFFu), 4);
}

static void test_chip_reads_sfdp_signature_and_jedec_id(void **state)
{
	uint8_t b[8], id[3];

	(void)state;
	open_ok(NOR_CHIP_MX25L51245G, VARIANT_DEFAULT);
	/* 0x5A: 3-byte address and 8 dummy clocks; nor_test_raw sends no
	 * dummy, so the first byte read is the dummy slot's */
	raw_ok(0x5A | RAW_ADDR(3) | RAW_RX, 0, b, 8);
	assert_memory_equal(b + 1, "SFDP", 4);
	raw_ok(0x9F | RAW_RX, 0, id, 3);
	assert_int_equal(id[0], 0xC2);
	assert_int_equal(id[1], 0x20);
	assert_int_equal(id[2], 0x1A);
}

/* A cut in a page program tears only that page's bytes of the request. */
static void test_cut_in_page_program_leaves_earlier_pages(void **state)
{
	uint8_t data[512];
	const uint8_t *d;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	d = fk_sim_data(fx.sim);
	memset(data, 0, sizeof(data));
	fk_sim_schedule_cut(fx.sim, fk_sim_op_index(fx.sim) + 1, FK_CUT_TORN,
			    FK_TEAR_PREFIX, 1);
	assert_int_equal(fk_flash_program(&fx.uf.flash, 0x8000, data, 512),
			 FK_EPOWER);
	assert_int_equal(fx.uf.last_run, UC_RUN_POWER);
	assert_memory_equal(d + 0x8000, data, 256);
	fk_sim_reboot(fx.sim);
	assert_int_equal(fk_flash_erase(&fx.uf.flash, 0x8000, 4 * KIB), FK_OK);
	assert_int_equal(fk_flash_program(&fx.uf.flash, 0x8000, data, 512),
			 FK_OK);
	no_violation();
}

/* ---- the QUADSPI model's rules ---- */

#define Q(off) (QSPI_REGS + (off))
#define CCR_READ_0B \
	(0x0Bu | 1u << 8 | 1u << 10 | 2u << 12 | 8u << 18 | 1u << 24 | 1u << 26)

static void qspi_abort(void)
{
	assert_int_equal(poke(Q(0x00), peek(Q(0x00), 4) | 2u, 4), UC_RUN_OK);
	while (peek(Q(0x08), 4) & (1u << 5))
		;
}

static void test_qspi_window_reads_in_mapped_mode(void **state)
{
	uint8_t data[8] = { 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4 };
	uint32_t v;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(fk_flash_program(&fx.uf.flash, 0x100, data, 8), FK_OK);
	assert_true(quadspi_model_mapped(fx.q));
	assert_int_equal(call("nor_test_read_window", 0x100, 0, 0, &v),
			 UC_RUN_OK);
	assert_int_equal(v, 0xEFBEADDEu);
	/* the driver's next command aborts the window's read first */
	assert_int_equal(fk_flash_read(&fx.uf.flash, 0x100, &v, 4), FK_OK);
	assert_int_equal(v, 0xEFBEADDEu);
	no_violation();
}

static void test_qspi_interrupts_masked_while_unmapped(void **state)
{
	uint32_t mask;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(call("nor_test_irq_mask", 0, 0, 0, &mask), UC_RUN_OK);
	assert_int_equal(mask, 2); /* off, masked, off again */
	no_violation();
}

static void test_qspi_window_read_outside_mapped_mode(void **state)
{
	uint32_t v;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	raw_ok(0x05 | RAW_RX | RAW_NO_IDLE, 0, &v, 1);
	expect_violation(call("nor_test_peek", QUADSPI_WINDOW, 4, 0, &v),
			 "outside memory-mapped mode");
}

static void test_qspi_code_in_chip_not_run_outside_mapped_mode(void **s)
{
	uint32_t v;

	(void)s;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	raw_ok(0x05 | RAW_RX | RAW_NO_IDLE, 0, &v, 1);
	expect_violation(call("nor_test_read_window", 0, 0, 0, &v),
			 "FK_RAMFUNC");
}

static void test_qspi_window_is_read_only(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	expect_violation(poke(QUADSPI_WINDOW, 0, 4), "read-only");
}

static void test_qspi_ccr_write_while_busy(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x10), 15, 4), UC_RUN_OK);
	assert_int_equal(poke(Q(0x14), CCR_READ_0B, 4), UC_RUN_OK);
	assert_int_equal(poke(Q(0x18), 0, 4), UC_RUN_OK); /* starts */
	no_violation();
	expect_violation(poke(Q(0x14), CCR_READ_0B, 4), "BUSY");
}

static void test_qspi_ccr_write_while_mapped_busy(void **state)
{
	uint32_t v;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(call("nor_test_peek", QUADSPI_WINDOW, 4, 0, &v),
			 UC_RUN_OK);
	expect_violation(poke(Q(0x14), CCR_READ_0B, 4), "BUSY");
}

static void test_qspi_dr_read_without_transfer(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x14), 0x06u | 1u << 8, 4), UC_RUN_OK);
	expect_violation(call("nor_test_peek", Q(0x20), 1, 0, NULL), "DR");
}

static void test_qspi_dr_write_past_dlr(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x10), 0, 4), UC_RUN_OK); /* one byte */
	assert_int_equal(poke(Q(0x14), 0x06u | 1u << 8 | 1u << 24, 4),
			 UC_RUN_OK);
	expect_violation(poke(Q(0x20), 0x12345678u, 4), "DLR");
}

static void test_qspi_command_while_disabled(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x00), peek(Q(0x00), 4) & ~1u, 4), UC_RUN_OK);
	expect_violation(poke(Q(0x14), 0x06u | 1u << 8, 4), "EN=0");
}

static void test_qspi_address_beyond_fsize_sets_tef(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x04), 23u << 16, 4), UC_RUN_OK); /* 16 MiB */
	assert_int_equal(poke(Q(0x10), 3, 4), UC_RUN_OK);
	assert_int_equal(poke(Q(0x14), CCR_READ_0B, 4), UC_RUN_OK);
	assert_int_equal(poke(Q(0x18), 16 * MIB, 4), UC_RUN_OK);
	assert_int_equal(peek(Q(0x08), 4) & 1u, 1u);
	no_violation();
}

static void test_qspi_tcf_comes_after_status_reads(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	qspi_abort();
	assert_int_equal(poke(Q(0x0C), 3, 4), UC_RUN_OK);
	assert_int_equal(poke(Q(0x14), 0x06u | 1u << 8, 4), UC_RUN_OK);
	assert_int_equal(peek(Q(0x08), 4) & 0x22u, 0x20u); /* BUSY, no TCF */
	assert_int_equal(peek(Q(0x08), 4) & 0x22u, 0x02u); /* TCF, idle */
	no_violation();
}

/* ---- the SPI model's rules ---- */

#define S(off) (SPI_REGS + (off))
#define G(off) (GPIO_REGS + (off))

static void test_spi_dr_write_while_txe_clear(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x0C), 0x9F, 4), UC_RUN_OK);
	expect_violation(poke(S(0x0C), 0x00, 4), "TXE=0");
}

static void test_spi_chip_select_moved_while_busy(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(G(0x18), 1u << (16 + CS_PIN), 4), UC_RUN_OK);
	assert_int_equal(poke(S(0x0C), 0x9F, 4), UC_RUN_OK);
	expect_violation(poke(G(0x18), 1u << CS_PIN, 4), "BSY=1");
}

static void test_spi_busy_while_the_byte_shifts(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x0C), 0x05, 4), UC_RUN_OK);
	assert_int_equal(peek(S(0x08), 4) & 0x83u, 0x82u); /* BSY, TXE */
	assert_int_equal(peek(S(0x08), 4) & 0x83u, 0x03u); /* TXE, RXNE */
	peek(S(0x0C), 4);
	no_violation();
}

static void test_spi_dr_read_without_rxne(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	expect_violation(call("nor_test_peek", S(0x0C), 4, 0, NULL), "RXNE=0");
}

static void test_spi_overrun(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x0C), 0x05, 4), UC_RUN_OK);
	peek(S(0x08), 4);
	peek(S(0x08), 4); /* done: RXNE */
	assert_int_equal(poke(S(0x0C), 0x05, 4), UC_RUN_OK);
	peek(S(0x08), 4);
	expect_violation(call("nor_test_peek", S(0x08), 4, 0, NULL), "overrun");
}

static void test_spi_mode_fault_without_software_nss(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x00), 0, 4), UC_RUN_OK);
	expect_violation(poke(S(0x00), 1u << 2 | 1u << 6, 4), "MODF");
}

static void test_spi_config_change_while_enabled(void **state)
{
	uint32_t cr1;

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	cr1 = peek(S(0x00), 4);
	expect_violation(poke(S(0x00), cr1 ^ (7u << 3), 4), "SPE=1");
}

static void test_spi_frames_the_chip_cannot_take(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x00), 0, 4), UC_RUN_OK);
	expect_violation(poke(S(0x00), 0x344u | 1u << 11, 4), "8-bit");
	teardown(NULL);
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x00), 0, 4), UC_RUN_OK);
	expect_violation(poke(S(0x00), 0x344u | 1u, 4), "modes 0");
}

static void test_spi_dr_write_while_disabled(void **state)
{
	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(S(0x00), 0x304u, 4), UC_RUN_OK);
	expect_violation(poke(S(0x0C), 0x9F, 4), "not enabled");
}

static void test_spi_chip_select_not_an_output(void **state)
{
	uint8_t id[3];

	(void)state;
	open_ok(NOR_CHIP_W25Q128JV, VARIANT_DEFAULT);
	assert_int_equal(poke(G(0x00), 0, 4), UC_RUN_OK); /* input */
	raw_ok(0x9F | RAW_RX, 0, id, 3);
	assert_int_equal(id[0], 0xFF); /* never selected: pulled up */
}

/* The boot core's sweeps (sweeps.h) through the QSPI driver on a
 * W25Q16JV: the uniform-4k rig's areas (boot, state, primary and
 * secondary in the first 64 KiB) on the chip's 4 KiB sectors. */
#define GEO_UNIFORM_4K 0 /* enum rig_geo of tests/boot/rigs.h */

static int nor_device_open(void *ctx, struct uc **uc, struct fk_sim **sim,
			   const struct fk_flash **flash)
{
	(void)ctx;
	open_chip(NOR_CHIP_W25Q16JV, VARIANT_DEFAULT);
	*uc = fx.uc;
	*sim = fx.sim;
	*flash = &fx.uf.flash;
	return fx.open_rc == FK_OK ? 0 : -1;
}

static void nor_device_close(void *ctx)
{
	(void)ctx;
	teardown(NULL);
}

static int boot_sweeps(bool full)
{
	struct port_device dev = { "nor QSPI W25Q16JV", GEO_UNIFORM_4K,
				   nor_device_open, nor_device_close, NULL };

	qspi = true;
	return port_boot_sweeps(&dev, full) ? 1 : 0;
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest common[] = {
		T(test_w25q128_geometry_from_sfdp),
		T(test_mx25l512_uses_4byte_opcodes_above_16mib),
		T(test_4byte_mode_when_sfdp_lists_no_4byte_opcodes),
		T(test_absent_chip_is_enoent),
		T(test_unknown_vendor_refused_unless_any_vendor),
		T(test_program_splits_at_page_boundaries),
		T(test_program_refuses_setting_bits_back),
		T(test_erase_range_uses_largest_blocks),
		T(test_64k_sectors_erase_with_one_block),
		T(test_chip_erase),
		T(test_status_poll_bound_gives_eio),
		T(test_conformance_w25q128),
		T(test_conformance_w25q128_64k_sectors),
		T(test_conformance_mx25l512),
		T(test_conformance_is25lp128),
		T(test_chip_ignores_program_without_write_enable),
		T(test_chip_ignores_erase_without_write_enable),
		T(test_chip_clears_wel_after_program),
		T(test_chip_busy_for_some_polls_then_refuses_commands),
		T(test_chip_page_program_wraps_inside_the_page),
		T(test_chip_page_program_keeps_last_256_bytes),
		T(test_chip_programs_only_ones_to_zeros),
		T(test_chip_erase_sizes),
		T(test_chip_erase_needs_cs_after_last_address_byte),
		T(test_chip_refuses_unknown_opcode),
		T(test_chip_w25q_has_no_4byte_opcodes),
		T(test_chip_4byte_mode_takes_4_address_bytes),
		T(test_chip_reads_sfdp_signature_and_jedec_id),
		T(test_cut_in_page_program_leaves_earlier_pages),
	};
	const struct CMUnitTest quadspi[] = {
		T(test_qspi_window_reads_in_mapped_mode),
		T(test_qspi_interrupts_masked_while_unmapped),
		T(test_qspi_window_read_outside_mapped_mode),
		T(test_qspi_code_in_chip_not_run_outside_mapped_mode),
		T(test_qspi_window_is_read_only),
		T(test_qspi_ccr_write_while_busy),
		T(test_qspi_ccr_write_while_mapped_busy),
		T(test_qspi_dr_read_without_transfer),
		T(test_qspi_dr_write_past_dlr),
		T(test_qspi_command_while_disabled),
		T(test_qspi_address_beyond_fsize_sets_tef),
		T(test_qspi_tcf_comes_after_status_reads),
	};
	const struct CMUnitTest spi[] = {
		T(test_spi_dr_write_while_txe_clear),
		T(test_spi_chip_select_moved_while_busy),
		T(test_spi_busy_while_the_byte_shifts),
		T(test_spi_dr_read_without_rxne),
		T(test_spi_overrun),
		T(test_spi_mode_fault_without_software_nss),
		T(test_spi_config_change_while_enabled),
		T(test_spi_frames_the_chip_cannot_take),
		T(test_spi_dr_write_while_disabled),
		T(test_spi_chip_select_not_an_output),
	};
	const struct CMUnitTest sweeps[] = {
		T(test_settings_store_survives_every_cut),
	};
	int failed = 0;
	bool full;

	if (argc < 4) {
		fprintf(stderr,
			"usage: %s <qspi image> <spi image> <loader.elf> "
			"[--sweeps|--full|--boot-sweeps|--boot-sweeps-full] "
			"[--full]\n",
			argv[0]);
		return 2;
	}
	image = argv[1];
	qspi = true;
	/* make sweep-ports appends --full to the ctest command line */
	full = argc > 5 && strcmp(argv[5], "--full") == 0;
	if (argc > 4 && strncmp(argv[4], "--boot-sweeps", 13) == 0)
		return boot_sweeps(full ||
				   strcmp(argv[4], "--boot-sweeps-full") == 0);
	if (argc > 4) { /* the sweeps alone, so the mutants stay quick */
		sweeps_full = full || strcmp(argv[4], "--full") == 0;
		return cmocka_run_group_tests_name("sweeps", sweeps, NULL,
						   NULL);
	}
	failed += cmocka_run_group_tests_name("nor over quadspi", common, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("quadspi", quadspi, NULL, NULL);
	image = argv[2];
	qspi = false;
	failed +=
		cmocka_run_group_tests_name("nor over spi", common, NULL, NULL);
	failed += cmocka_run_group_tests_name("spi", spi, NULL, NULL);
	failed += nor_loader_tests(argv[3]);
	return failed ? 1 : 0;
}
