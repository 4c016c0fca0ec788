/*
 * The STM32L476's bootloaders (seed 001, examples/stm32l4-devinfo:
 * boot_stm32l4.elf on the full core, boot_stm32l4_lite.elf on the lite
 * core, boot_stm32l4_bearssl.elf checking its key with BearSSL), each
 * built by fk_boot_board_program() and run whole under Unicorn
 * (uc_boot.h) from reset on the L4 flash model (models/l4.h: 2 KiB
 * pages, 64-bit program-once double words), with images signed by
 * `flashkit image sign` for the layout.
 *
 * The board starts as the production line leaves it (board_boot.h): the
 * factory file `flashkit merge --layout` makes of this very bootloader
 * and a signed v1 in app-a, with one device's record in the devinfo
 * page from `flashkit provision`. The application's side then stages
 * updates through the update API (fk_update_*, fk_boot_set_pending,
 * fk_boot_confirm on the host's configuration of the layout over the
 * model's array), and every boot must end in the jump into the expected
 * image (reset handler, stack pointer, VTOR), app-a holding it byte for
 * byte: v1 from the factory file; a staged v2 installed (swapped in)
 * and kept once confirmed; an unconfirmed one reverted to v1; updates
 * whose payloads hold long runs of 0xFF (erased-looking data) installed
 * and reverted exactly; a staged
 * image damaged after it was checked, or signed with another key,
 * refused (the log says why), v1 still running; and an install cut at
 * every flash operation (before, after, torn) ends in v2 after the next
 * boot, never a mix. Through all of it the devinfo page is never
 * written: the sim protects it (any program or erase would be counted)
 * and its bytes are checked after every boot.
 *
 * Usage: port_l4[_lite|_bearssl]_boot <boot_stm32l4*.elf> <flashkit>
 *        <layout.yaml> <key.pem> [--sweep]
 * (--sweep runs the power-cut sweep alone: ctest's
 * port_l4[_lite|_bearssl]_boot_sweep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board_boot.h"
#include "flashkit/update.h"
#include "models/l4.h"

#define MIB (1024u * 1024u)
#define IWDG_BASE 0x40003000u
#define PAYLOAD 6000u
/* The payload of the factory's v1 and of the update whose install is cut
 * at every operation: the vector table alone (each image within a
 * page). The install still erases the first 16-page group of both
 * slots (program-once pages are erased whatever they read), so 32
 * erases and 64 double words: 288 cuts of some 4 boots each. */
#define SWEEP_PAYLOAD 8u

static const char *boot_elf, *flashkit, *layout_path, *key_path;
static char tmp[64], device_file[128];
static struct fk_layout L;
static const struct fk_layout_partition *boot, *slot_a, *devinfo;
static const struct fk_layout_image *app;
static uint8_t devinfo_bytes[2048]; /* the provisioned page */

struct board {
	struct uc_boot *b;
	struct uc *uc;
	struct l4_model *flash;
};

/* An image the test made: its bytes and its reset handler. */
struct img {
	uint8_t *data;
	size_t len;
	uint32_t entry;
};

static struct fk_sim *sim(struct board *bd)
{
	return l4_model_sim(bd->flash);
}

static const uint8_t *flash_at(struct board *bd, uint32_t addr)
{
	return fk_sim_data(sim(bd)) + (addr - L4_MODEL_FLASH);
}

/* Reset handlers: version v's at its own offset in the image. */
static uint32_t entry(unsigned v)
{
	return slot_a->address + app->header_size + 0x100u + 0x10u * v + 1u;
}

static uint32_t ram_top(void)
{
	return app->ram[0].start + app->ram[0].size;
}

/* Version ver (major v) of the app, payload bytes, signed with key
 * (NULL: the test's key), the payload's ff_count runs ff of 0xFF. */
static struct img make_image_ff(const char *ver, unsigned v, uint32_t payload,
				const char *key, const struct uc_boot_ff *ff,
				unsigned ff_count)
{
	struct img m = { .entry = entry(v) };
	const struct uc_boot_firmware fw = {
		.flashkit = flashkit,
		.layout = layout_path,
		.key = key ? key : key_path,
		.dir = tmp,
		.image = "app",
		.version = ver,
		.sp = ram_top(),
		.pc = m.entry,
		.size = payload,
		.mul = 11,
		.add = v,
		.ff = ff,
		.ff_count = ff_count,
	};

	m.data = uc_boot_signed_image(&fw, &m.len);
	assert_non_null(m.data);
	return m;
}

static struct img make_image(const char *ver, unsigned v, uint32_t payload,
			     const char *key)
{
	return make_image_ff(ver, v, payload, key, NULL, 0);
}

/* The board as it leaves the production line: the device's file
 * (factory file and devinfo record) written into the flash. */
static void board_open(struct board *bd)
{
	memset(bd, 0, sizeof(*bd));
	bd->b = uc_boot_create_for(boot_elf, "cortex-m4", boot, app);
	assert_non_null(bd->b);
	bd->uc = uc_boot_uc(bd->b);
	bd->flash = l4_model_create(bd->uc, MIB, MIB / 2);
	assert_non_null(bd->flash);
	assert_non_null(
		uc_boot_memory(bd->b, "IWDG", IWDG_BASE, 0x400, NULL, NULL));
	board_program_file(bd->b, fk_sim_flash(sim(bd)), boot->address,
			   boot->address + boot->size, device_file);
	assert_memory_equal(flash_at(bd, devinfo->address), devinfo_bytes,
			    devinfo->size);
	assert_int_equal(fk_sim_protect(sim(bd),
					devinfo->address - L4_MODEL_FLASH,
					devinfo->size),
			 0);
}

static void board_close(struct board *bd)
{
	l4_model_destroy(bd->flash);
	uc_boot_destroy(bd->b);
}

/* The application's configuration of the layout, on the model. */
static void host_config(struct board *bd, struct fk_boot_config *cfg)
{
	static uint8_t buf[1024];
	struct board_memories m = { &L,
				    { "flash" },
				    { fk_sim_flash(sim(bd)) } };
	const struct fk_layout_flashes fl = { board_flash_of, &m };

	board_host_config(&L, &app, 1, &fl, cfg, buf, sizeof(buf));
}

/* An update received by the application in pieces of 700 bytes and
 * marked pending in mode. */
static void stage(struct board *bd, const struct img *m, enum fk_boot_mode mode)
{
	struct fk_boot_config cfg;

	host_config(bd, &cfg);
	board_stage(&cfg, 0, m->data, m->len, 700, mode);
}

static struct fk_boot_status status(struct board *bd)
{
	struct fk_boot_config cfg;
	struct fk_boot_status st;

	host_config(bd, &cfg);
	assert_int_equal(fk_boot_status(&cfg, &st), FK_OK);
	return st;
}

static void confirm(struct board *bd)
{
	struct fk_boot_config cfg;

	host_config(bd, &cfg);
	assert_int_equal(fk_boot_confirm(&cfg), FK_OK);
}

/* A run from reset until the program jumps out of itself. */
static enum uc_run run(void *ctx, struct uc_boot_exit *x)
{
	struct board *bd = ctx;

	uc_reboot(bd->uc);
	return uc_boot_run(bd->b, boot->address, boot->address,
			   boot->address + boot->size, 0, x);
}

/* Run x jumped into image m, app-a holding it byte for byte; the
 * devinfo page as provisioned, never programmed or erased. */
static void assert_ran(struct board *bd, const struct uc_boot_exit *x,
		       const struct img *m, const char *after)
{
	if (x->run != UC_RUN_EXIT)
		fail_msg("boot%s: %s at 0x%08x (%s)", after,
			 uc_run_name(x->run), x->pc,
			 uc_first_violation(bd->uc));
	assert_string_equal(uc_first_violation(bd->uc), "");
	if (x->pc != (m->entry & ~1u))
		fail_msg("boot%s: jumped to 0x%08x, not 0x%08x", after, x->pc,
			 m->entry & ~1u);
	assert_int_equal(x->msp, ram_top());
	assert_int_equal(x->vtor, slot_a->address + app->header_size);
	assert_int_equal(x->control, 0);
	if (memcmp(flash_at(bd, slot_a->address), m->data, m->len) != 0)
		fail_msg("boot%s: app-a does not hold the image it runs",
			 after);
	assert_int_equal(fk_sim_violations(sim(bd)), 0);
	assert_memory_equal(flash_at(bd, devinfo->address), devinfo_bytes,
			    devinfo->size);
}

static void boot_into(struct board *bd, const struct img *m)
{
	struct uc_boot_exit x;

	run(bd, &x);
	assert_ran(bd, &x, m, "");
}

static void free_img(struct img *m)
{
	free(m->data);
}

/* The factory's v1, as production() signed it into the factory file. */
static struct img v1_factory;

static struct img factory_v1(void)
{
	struct img m = v1_factory;

	m.data = malloc(m.len);
	assert_non_null(m.data);
	memcpy(m.data, v1_factory.data, m.len);
	return m;
}

/* ---- tests ---- */

static void test_boots_v1_from_the_factory_file(void **state)
{
	struct board bd;
	struct img v1 = factory_v1();

	(void)state;
	board_open(&bd);
	boot_into(&bd, &v1);
	boot_into(&bd, &v1);
	assert_int_equal(status(&bd).phase, FK_BOOT_IDLE);
	free_img(&v1);
	board_close(&bd);
}

/* A test update: installed, on trial, confirmed by the application,
 * then kept. */
static void test_installs_a_staged_update_kept_once_confirmed(void **state)
{
	struct board bd;
	struct img v1 = factory_v1(),
		   v2 = make_image("2.0.0", 2, PAYLOAD + 1500, NULL);

	(void)state;
	board_open(&bd);
	boot_into(&bd, &v1);
	stage(&bd, &v2, FK_BOOT_TEST);
	/* received in app-b: app-a still holds v1 */
	assert_memory_equal(flash_at(&bd, slot_a->address), v1.data, v1.len);
	boot_into(&bd, &v2);
	assert_int_equal(status(&bd).phase, FK_BOOT_TRIAL);
	confirm(&bd);
	boot_into(&bd, &v2);
	boot_into(&bd, &v2);
	assert_int_equal(status(&bd).phase, FK_BOOT_IDLE);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* A test update the application never confirms: the next reset
 * restores v1. */
static void test_unconfirmed_update_is_reverted(void **state)
{
	struct board bd;
	struct img v1 = factory_v1(),
		   v2 = make_image("2.0.0", 2, PAYLOAD - 2000, NULL);

	(void)state;
	board_open(&bd);
	stage(&bd, &v2, FK_BOOT_TEST);
	boot_into(&bd, &v2);
	boot_into(&bd, &v1);
	boot_into(&bd, &v1);
	assert_int_equal(status(&bd).phase, FK_BOOT_IDLE);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* Twelve updates in a row on one board, the images growing and
 * shrinking (1,200 bytes to 120 KB of payload): by turns a test update
 * the application confirms, one it never confirms (reverted: the one
 * before runs on), and a permanent one. After each, the image that
 * should run runs, app-a holding it byte for byte, the devinfo page
 * untouched (assert_ran). */
static void test_a_life_of_updates_growing_and_shrinking(void **state)
{
	static const uint32_t sizes[] = { 40000, 3000,	90000, 90000,
					  1200,	 60000, 1500,  120000,
					  5000,	 30000, 30000, 8000 };
	struct board bd;
	struct img cur = factory_v1();

	(void)state;
	board_open(&bd);
	boot_into(&bd, &cur);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char ver[16];
		struct img next;

		snprintf(ver, sizeof(ver), "%u.0.0", k + 2);
		next = make_image(ver, k + 2, sizes[k], NULL);
		stage(&bd, &next,
		      k % 3 == 2 ? FK_BOOT_PERMANENT : FK_BOOT_TEST);
		boot_into(&bd, &next);
		if (k % 3 == 0)
			confirm(&bd);
		if (k % 3 == 1) {
			/* never confirmed: the next reset puts cur back */
			boot_into(&bd, &cur);
			free_img(&next);
		} else {
			boot_into(&bd, &next);
			free_img(&cur);
			cur = next;
		}
		boot_into(&bd, &cur);
		assert_int_equal(status(&bd).phase, FK_BOOT_IDLE);
	}
	free_img(&cur);
	board_close(&bd);
}

/* The flash's page and write unit (layout.yaml: 2K pages, 8-byte double
 * words), for the runs of 0xFF below. */
#define PAGE 2048u
#define UNIT 8u
#define HEADER 0x200u /* the app's header (layout.yaml) */
#define RUNS_MAX 8u

/* An update whose payload holds runs of 0xFF, given as offsets in the
 * slot (the image's header first, so whole pages are whole pages). */
static struct img make_image_erased_runs(const char *ver, unsigned v,
					 uint32_t payload,
					 const struct uc_boot_ff *in_slot,
					 unsigned n)
{
	struct uc_boot_ff ff[RUNS_MAX];

	assert_true(n <= RUNS_MAX);
	for (unsigned k = 0; k < n; k++) {
		assert_true(in_slot[k].off >= app->header_size + 8u);
		assert_true(in_slot[k].off + in_slot[k].len <=
			    app->header_size + payload);
		ff[k].off = in_slot[k].off - app->header_size;
		ff[k].len = in_slot[k].len;
	}
	return make_image_ff(ver, v, payload, NULL, ff, n);
}

/* app-a holds 0xFF over each run (the image made them where meant). */
static void assert_runs_erased(struct board *bd, const struct uc_boot_ff *run,
			       unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		const uint8_t *p = flash_at(bd, slot_a->address + run[k].off);

		for (uint32_t i = 0; i < run[k].len; i++)
			assert_int_equal(p[i], 0xFF);
	}
}

/* Updates whose payloads hold long runs of 0xFF, as real firmware has
 * (padding, unused tables, imgtool-padded images): a copy that skips
 * "erased" units must never lose or shift the bytes around them. Runs
 * over whole pages, starting and ending mid double word, from and to a
 * page boundary, of whole double words, and at the payload's end, the
 * signature right after. v2 (7.9 KB of 0xFF in 20 KB) is installed and
 * confirmed; v3 (8.3 KB of 0xFF in 14 KB) is installed and never
 * confirmed, so the next reset swaps v2 back. Each boot checks that
 * app-a holds the image it runs byte for byte (assert_ran). */
static void test_updates_with_erased_runs_install_exactly(void **state)
{
	static const struct uc_boot_ff runs2[] = {
		{ 2 * PAGE - 3, 2 * PAGE + 8 }, /* pages 2-3, mid-unit ends */
		{ 5 * PAGE, 1500 + 3 },		/* from a page start */
		{ 7 * PAGE + 700, PAGE - 700 }, /* to a page end */
		{ 8 * PAGE + 5, UNIT - 5 },	/* a unit's tail */
		{ 9 * PAGE + UNIT, 3 * UNIT },	/* whole units */
		{ HEADER + 20000 - 900, 900 },	/* the payload's end */
	};
	static const struct uc_boot_ff runs3[] = {
		{ PAGE, 2 * PAGE },	    /* pages 1-2 exactly */
		{ 4 * PAGE - 5, 2000 + 1 }, /* mid-unit to mid-unit */
		{ 6 * PAGE + 3, HEADER + 14000 - 6 * PAGE - 3 }, /* the end */
	};
	struct board bd;
	struct img v1 = factory_v1(), v2, v3;

	(void)state;
	assert_int_equal(app->header_size, HEADER);
	v2 = make_image_erased_runs("2.0.0", 2, 20000, runs2,
				    sizeof(runs2) / sizeof(runs2[0]));
	v3 = make_image_erased_runs("3.0.0", 3, 14000, runs3,
				    sizeof(runs3) / sizeof(runs3[0]));
	board_open(&bd);
	boot_into(&bd, &v1);
	stage(&bd, &v2, FK_BOOT_TEST);
	boot_into(&bd, &v2);
	assert_runs_erased(&bd, runs2, sizeof(runs2) / sizeof(runs2[0]));
	confirm(&bd);
	boot_into(&bd, &v2);
	stage(&bd, &v3, FK_BOOT_TEST);
	boot_into(&bd, &v3);
	assert_runs_erased(&bd, runs3, sizeof(runs3) / sizeof(runs3[0]));
	/* never confirmed: v2 swapped back, runs and all */
	boot_into(&bd, &v2);
	boot_into(&bd, &v2);
	assert_int_equal(status(&bd).phase, FK_BOOT_IDLE);
	free_img(&v1);
	free_img(&v2);
	free_img(&v3);
	board_close(&bd);
}

/* A staged image refused at boot: v1 keeps running, nothing installed,
 * the log names the refusal (want, or any error when want is 0). */
static void assert_refused(struct board *bd, const struct img *v1, int want)
{
	struct fk_boot_status st;

	boot_into(bd, v1);
	st = status(bd);
	if (want)
		assert_int_equal(st.last_refusal, want);
	else
		assert_true(st.last_refusal < 0);
	assert_int_equal(st.phase, FK_BOOT_IDLE);
	boot_into(bd, v1);
}

/* A byte of the staged v2's payload changed after the application
 * checked and marked it (a flash read out and rewritten, a bit gone
 * bad): the bootloader refuses it. */
static void test_tampered_update_is_refused(void **state)
{
	struct board bd;
	struct fk_boot_config cfg;
	struct img v1 = factory_v1(),
		   v2 = make_image("2.0.0", 2, PAYLOAD, NULL);
	uint32_t at;

	(void)state;
	board_open(&bd);
	stage(&bd, &v2, FK_BOOT_PERMANENT);
	host_config(&bd, &cfg);
	at = cfg.images[0].secondary.off + fk_boot_staging_offset(&cfg, 0) +
	     app->header_size + 0x400u;
	fk_sim_data(sim(&bd))[at] ^= 0x10u;
	assert_refused(&bd, &v1, FK_EDIGEST);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* An update signed with a key the bootloader does not hold (its digest
 * intact, so the application's digest-only check takes it): refused. */
static void test_update_signed_with_another_key_is_refused(void **state)
{
	char other[96];
	struct board bd;
	struct img v1 = factory_v1(), v2;

	(void)state;
	snprintf(other, sizeof(other), "%s/other.pem", tmp);
	assert_int_equal(board_sh("'%s' key generate -o '%s'", flashkit, other),
			 0);
	v2 = make_image("2.0.0", 2, PAYLOAD, other);
	board_open(&bd);
	stage(&bd, &v2, FK_BOOT_PERMANENT);
	assert_refused(&bd, &v1, 0);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* ---- power cuts ---- */

struct sweep_ctx {
	struct board *bd;
	const struct img *v2;
};

static enum uc_run sweep_run(void *ctx, struct uc_boot_exit *x)
{
	return run(((struct sweep_ctx *)ctx)->bd, x);
}

/* Every boot of the sweep ends in v2, installed for good: nothing left
 * to do at the next reset. */
static void sweep_check(void *ctx, const struct uc_boot_exit *x,
			const char *after)
{
	struct sweep_ctx *c = ctx;

	assert_ran(c->bd, x, c->v2, after);
	if (status(c->bd).phase != FK_BOOT_IDLE)
		fail_msg("boot%s: the install is not complete", after);
}

/* A permanent update (a page of image): every flash operation of its
 * install cut, each cut followed by a boot that ends in v2. */
static void test_install_survives_a_cut_at_every_operation(void **state)
{
	struct board bd;
	struct img v1 = factory_v1(),
		   v2 = make_image("2.0.0", 2, SWEEP_PAYLOAD, NULL);
	struct sweep_ctx c = { &bd, &v2 };
	struct board_sweep sw = { .what = "install",
				  .run = sweep_run,
				  .check = sweep_check,
				  .ctx = &c };

	(void)state;
	board_open(&bd);
	boot_into(&bd, &v1);
	stage(&bd, &v2, FK_BOOT_PERMANENT);
	sw.sim = sim(&bd);
	board_sweep_run(&sw);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* ---- the production files ---- */

/* v1 signed, merged with the bootloader into the factory file, and one
 * device provisioned from it: device_file. */
static int production(void)
{
	char factory[96], tpl[96];
	struct fk_segs s;
	FILE *f;
	long i;
	int rc;

	v1_factory = make_image("1.0.0", 1, SWEEP_PAYLOAD, NULL);
	snprintf(factory, sizeof(factory), "%s/factory.hex", tmp);
	snprintf(tpl, sizeof(tpl), "%s/devices.yaml", tmp);
	f = fopen(tpl, "w");
	if (!f)
		return -1;
	fprintf(f,
		"counter: { state: %s/serials.state, start: 1 }\n"
		"fields:\n"
		"  serial: { type: serial, format: \"L476-%%05u\" }\n"
		"  secret: { type: random, size: 32 }\n",
		tmp);
	if (fclose(f) != 0 ||
	    board_sh("'%s' merge --layout '%s' '%s' '%s/app-1.0.0.img@app-a' "
		     "-o '%s'",
		     flashkit, layout_path, boot_elf, tmp, factory) != 0 ||
	    board_sh("'%s' provision --layout '%s' --template '%s' --count 1 "
		     "-o '%s/devices' --factory '%s/factory-flash.hex'",
		     flashkit, layout_path, tpl, tmp, tmp) != 0)
		return -1;
	snprintf(device_file, sizeof(device_file), "%s/devices/L476-00001.hex",
		 tmp);
	/* the device's record, as the page must keep it */
	if (board_read_hex(device_file, &s) != 0)
		return -1;
	memset(devinfo_bytes, 0xFF, sizeof(devinfo_bytes));
	rc = -1;
	i = fk_segs_find(&s, devinfo->address);
	if (i >= 0 && s.v[i].addr == devinfo->address &&
	    s.v[i].len <= devinfo->size) {
		memcpy(devinfo_bytes, s.v[i].data, s.v[i].len);
		rc = 0;
	}
	fk_segs_free(&s);
	return rc;
}

static int load_layout(void **state)
{
	(void)state;
	if (uc_boot_fixture_open(&L, layout_path, tmp, "l4_boot") != 0)
		return -1;
	boot = fk_layout_find_partition(&L, "boot");
	slot_a = fk_layout_find_partition(&L, "app-a");
	devinfo = fk_layout_find_partition(&L, "devinfo");
	app = fk_layout_find_image(&L, "app");
	if (!boot || !slot_a || !devinfo || !app || !app->ram_count ||
	    devinfo->size > sizeof(devinfo_bytes))
		return -1;
	return production();
}

static int unload_layout(void **state)
{
	(void)state;
	free_img(&v1_factory);
	return uc_boot_fixture_close(&L, tmp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boots_v1_from_the_factory_file),
		cmocka_unit_test(
			test_installs_a_staged_update_kept_once_confirmed),
		cmocka_unit_test(test_unconfirmed_update_is_reverted),
		cmocka_unit_test(test_tampered_update_is_refused),
		cmocka_unit_test(
			test_update_signed_with_another_key_is_refused),
		cmocka_unit_test(test_a_life_of_updates_growing_and_shrinking),
		cmocka_unit_test(test_updates_with_erased_runs_install_exactly),
		cmocka_unit_test(
			test_install_survives_a_cut_at_every_operation),
	};

	const size_t n = sizeof(tests) / sizeof(tests[0]);
	/* --sweep: the power-cut sweep alone (its own ctest test); --full,
	 * which `make sweep-ports` adds, changes nothing */
	bool sweep = argc >= 6 && strcmp(argv[5], "--sweep") == 0;

	if (argc < 5 || (argc > 5 && !sweep) || argc > 7) {
		fprintf(stderr,
			"usage: %s boot_stm32l4*.elf flashkit layout.yaml "
			"key.pem [--sweep]\n",
			argv[0]);
		return 2;
	}
	boot_elf = argv[1];
	flashkit = argv[2];
	layout_path = argv[3];
	key_path = argv[4];
	return _cmocka_run_group_tests(
		sweep ? "port_l4_boot_sweep" : "port_l4_boot",
		sweep ? tests + n - 1 : tests, sweep ? 1 : n - 1, load_layout,
		unload_layout);
}
