/*
 * The STM32H750 Daisy Seed's bootloaders (seed 002: boot_stm32h750.elf,
 * XIP from QSPI, and boot_stm32h750_ram_load.elf, the image copied into
 * the AXI SRAM and run there), built by fk_boot_board_program() from
 * examples/stm32h750-qspi and examples/stm32h750-ram-load, run whole
 * under Unicorn (uc_boot.h) from reset: the board's code reaches the
 * IS25LP064A through the QUADSPI model (models/quadspi.h, indirect and
 * memory-mapped modes), and its RCC, GPIO and watchdog as plain memory.
 * Anything else the program touches is a violation.
 *
 * The host side writes what a programmer and the application would: an
 * image in slot A, and updates received through the update API
 * (fk_update_begin/write/finish, fk_boot_set_pending, fk_boot_confirm on
 * the host's configuration of the same layout over the chip's array).
 * Each boot must end in the jump to the expected image's reset handler,
 * with its stack pointer and vector table: XIP in the slot it runs from,
 * the QUADSPI left memory-mapped; ram-load in the AXI SRAM, which must
 * then hold the image byte for byte (and is cleared before every boot,
 * as a power cycle leaves it).
 *
 * Power cuts: every flash operation of the boots that start a trial,
 * revert it, install a permanent update and fall back from a damaged
 * image is cut (before it, after it, torn), and the boot from reset that
 * follows must end in an image the life allows; the life then goes on
 * and must end where the uninterrupted one does. A long life of updates
 * (test and permanent, confirmed and not, images that grow and shrink)
 * takes the boot state log through its fresh starts on the real program.
 *
 * Usage: port_h750_boot <boot.elf> <flashkit> <layout.yaml> <key.pem>
 *        [--life]
 * (the layout's strategy, xip or ram-load, says what a boot ends in;
 * --life adds the long life of updates, which ctest runs on ram-load's
 * program: XIP's runs the same core on the same log).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/update.h"
#include "flashsim.h"
#include "layout/boot_config.h"
#include "layout/layout.h"
#include "models/nor_chip.h"
#include "models/quadspi.h"
#include "uc_boot.h"

#define QSPI_BASE 0x90000000u
#define AXI_SRAM 0x24000000u
#define RCC_BASE 0x58024400u
#define GPIOF_BASE 0x58021400u /* GPIOF and GPIOG: 0x800 bytes */
#define IWDG1_BASE 0x58004800u
#define PAYLOAD 6000u

static const char *boot_elf, *flashkit, *layout_path, *key_path;
static char tmp[64];
static struct fk_layout L;
static const struct fk_layout_partition *boot, *slots[2];
static const struct fk_layout_image *app;
static bool ram_load;
static uint32_t axi_size;
static char after[128]; /* what came before this boot, for messages */
static uint8_t host_ram[0x80000]; /* ram-load: the host's AXI SRAM */

struct board {
	struct uc_boot *b;
	struct uc *uc;
	struct nor_chip *chip;
	struct quadspi_model *qspi;
	uint8_t *axi; /* ram-load: the AXI SRAM the image is copied to */
};

/* An image the test made: its bytes and where its reset handler is. */
struct img {
	uint8_t *data;
	size_t len;
	uint32_t entry;
	int slot; /* where it was written */
};

static void board_open(struct board *bd)
{
	memset(bd, 0, sizeof(*bd));
	bd->b = uc_boot_create_for(boot_elf, "cortex-m7", boot, app);
	assert_non_null(bd->b);
	bd->uc = uc_boot_uc(bd->b);
	bd->chip = nor_chip_create(bd->uc, NOR_CHIP_IS25LP064A);
	assert_non_null(bd->chip);
	bd->qspi = quadspi_model_create(bd->uc, bd->chip, QUADSPI_H7_REGS,
					false);
	assert_non_null(bd->qspi);
	assert_non_null(
		uc_boot_memory(bd->b, "RCC", RCC_BASE, 0x400, NULL, NULL));
	assert_non_null(uc_boot_memory(bd->b, "GPIOF-G", GPIOF_BASE, 0x800,
				       NULL, NULL));
	assert_non_null(
		uc_boot_memory(bd->b, "IWDG1", IWDG1_BASE, 0x400, NULL, NULL));
	if (ram_load) {
		bd->axi = uc_boot_memory(bd->b, "AXI SRAM", AXI_SRAM, axi_size,
					 NULL, NULL);
		assert_non_null(bd->axi);
	}
}

static void board_close(struct board *bd)
{
	uc_boot_destroy(bd->b);
	quadspi_model_destroy(bd->qspi);
	nor_chip_destroy(bd->chip);
}

static struct fk_sim *qspi_sim(struct board *bd)
{
	return nor_chip_sim(bd->chip);
}

static const uint8_t *qspi_at(struct board *bd, uint32_t addr)
{
	return fk_sim_data(qspi_sim(bd)) + (addr - QSPI_BASE);
}

/* Reset handlers: version v's at its own offset in the image, in the
 * slot it runs from (XIP) or in the AXI SRAM copy (ram-load). */
static uint32_t entry(int slot, unsigned v)
{
	uint32_t base = ram_load ? AXI_SRAM : slots[slot]->address;

	return base + app->header_size + 0x100u + 0x10u * v + 1u;
}

static uint32_t ram_top(void)
{
	return app->ram[0].start + app->ram[0].size;
}

/* A signed image of version ver (major v) for slot, payload bytes. */
static struct img make_image(const char *ver, unsigned v, int slot,
			     uint32_t payload)
{
	struct img m = { .entry = entry(slot, v), .slot = slot };
	const struct uc_boot_firmware fw = {
		.flashkit = flashkit,
		.layout = layout_path,
		.key = key_path,
		.dir = tmp,
		.image = "app",
		.version = ver,
		.sp = ram_top(),
		.pc = m.entry,
		.size = payload,
		.mul = 13,
		.add = v,
	};

	m.data = uc_boot_signed_image(&fw, &m.len);
	assert_non_null(m.data);
	return m;
}

/* A programmer writes image m into slot A. */
static struct img place_a(struct board *bd, const char *ver, unsigned v)
{
	struct img m = make_image(ver, v, 0, PAYLOAD);

	assert_int_equal(fk_flash_program(fk_sim_flash(qspi_sim(bd)),
					  slots[0]->address - QSPI_BASE,
					  m.data, (uint32_t)m.len),
			 FK_OK);
	return m;
}

static const struct fk_flash *flash_of(void *ctx, uint32_t mem, char *msg,
				       size_t len)
{
	struct board *bd = ctx;

	if (strcmp(L.memories[mem].name, "qspi") == 0)
		return fk_sim_flash(qspi_sim(bd));
	snprintf(msg, len, "no model for memory %s", L.memories[mem].name);
	return NULL;
}

/* The application's configuration of the same layout, on the chip. */
static void host_config(struct board *bd, struct fk_boot_config *cfg)
{
	static uint8_t buf[1024];
	const struct fk_layout_flashes fl = { flash_of, bd };
	struct fk_diag d = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	if (fk_layout_boot_config(&L, &app, 1, &fl, cfg, &d) != 0)
		fail_msg("host configuration: %s", d.last_error);
	cfg->buf = buf;
	cfg->buf_len = sizeof(buf);
	cfg->port.jump = uc_boot_no_jump;
	/* ram-load: the application's side never copies, but a
	 * configuration names where a copy would go */
	if (ram_load)
		cfg->images[0].ram.mem = host_ram;
}

/* An update of payload bytes received by the application through the
 * update API in pieces of 700 bytes, and marked pending in mode. */
static struct img stage(struct board *bd, const char *ver, unsigned v,
			uint32_t payload, enum fk_boot_mode mode)
{
	struct fk_boot_config cfg;
	struct fk_update u;
	struct img m;
	int slot;

	host_config(bd, &cfg);
	assert_int_equal(fk_update_begin(&u, &cfg, 0), FK_OK);
	slot = u.dest.off == cfg.images[0].primary.off ? 0 : 1;
	m = make_image(ver, v, slot, payload);
	for (uint32_t off = 0; off < m.len; off += 700) {
		uint32_t n = m.len - off < 700 ? (uint32_t)m.len - off : 700;

		assert_int_equal(fk_update_write(&u, off, m.data + off, n),
				 FK_OK);
	}
	assert_int_equal(fk_update_finish(&u), FK_OK);
	assert_int_equal(fk_boot_set_pending(&cfg, 1u, mode), FK_OK);
	return m;
}

/* Records of the boot state log in use, as the application reads it. */
static uint32_t records_used(struct board *bd)
{
	struct fk_boot_config cfg;
	struct fk_boot_status st;

	host_config(bd, &cfg);
	assert_int_equal(fk_boot_status(&cfg, &st), FK_OK);
	return st.records_used;
}

static void confirm(struct board *bd)
{
	struct fk_boot_config cfg;

	host_config(bd, &cfg);
	assert_int_equal(fk_boot_confirm(&cfg), FK_OK);
}

/* A run from reset (the AXI SRAM cleared, as a power cycle leaves it
 * unknown) until the program jumps out of itself. */
static enum uc_run run(struct board *bd, struct uc_boot_exit *x)
{
	if (bd->axi)
		memset(bd->axi, 0, axi_size);
	uc_reboot(bd->uc);
	return uc_boot_run(bd->b, boot->address, boot->address,
			   boot->address + boot->size, 0, x);
}

/* The jump of x is into image m: its reset handler, stack and table,
 * the image where it runs from byte for byte. */
static bool ran(struct board *bd, const struct uc_boot_exit *x,
		const struct img *m)
{
	uint32_t base = ram_load ? AXI_SRAM : slots[m->slot]->address;
	const uint8_t *at = ram_load ? bd->axi : qspi_at(bd, base);

	return x->run == UC_RUN_EXIT && x->pc == (m->entry & ~1u) &&
	       x->msp == ram_top() && x->vtor == base + app->header_size &&
	       memcmp(at, m->data, m->len) == 0;
}

/* A boot from reset that must end in one of the images of set (n of
 * them); returns the index of the one it ran. */
static int boot_one_of(struct board *bd, const struct img *const *set,
		       int n)
{
	struct uc_boot_exit x;

	run(bd, &x);
	if (x.run != UC_RUN_EXIT)
		fail_msg("boot%s: %s at 0x%08x (%s)", after, uc_run_name(x.run),
			 x.pc, uc_first_violation(bd->uc));
	assert_string_equal(uc_first_violation(bd->uc), "");
	if (!ram_load && !quadspi_model_mapped(bd->qspi))
		fail_msg("boot%s: the QUADSPI is not memory-mapped at the "
			 "jump into QSPI",
			 after);
	for (int i = 0; i < n; i++)
		if (ran(bd, &x, set[i]))
			return i;
	fail_msg("boot%s: jumped to 0x%08x (MSP 0x%08x, VTOR 0x%08x), not "
		 "into an expected image",
		 after, x.pc, x.msp, x.vtor);
	return -1;
}

static void boot_into(struct board *bd, const struct img *m)
{
	boot_one_of(bd, &m, 1);
}

/* ---- power cuts ---- */

/*
 * A life step: the boot swept, the images it may end in after a cut
 * (allowed[0] being the one an uninterrupted boot ends in), and where the
 * life must end after one more unconfirmed boot (settled).
 */
struct sweep {
	const char *what;
	const struct img *allowed[2];
	int n_allowed;
	const struct img *settled;
	unsigned cuts;
	uint64_t ops;
};

/* Every operation the boot makes on the chip, cut three ways; after
 * each, a boot that ends in an allowed image, then one that ends in the
 * settled one. The board is left as the uninterrupted boot leaves it. */
static void sweep(struct board *bd, struct sweep *sw)
{
	struct fk_sim *sim = qspi_sim(bd);
	struct fk_sim_snapshot *saved = fk_sim_snapshot_take(sim), *done;
	uint64_t start = fk_sim_op_index(sim);
	struct uc_boot_exit x;

	assert_non_null(saved);
	snprintf(after, sizeof(after), " (%s, uninterrupted)", sw->what);
	boot_into(bd, sw->allowed[0]);
	sw->ops = fk_sim_op_index(sim) - start;
	done = fk_sim_snapshot_take(sim);
	assert_non_null(done);
	for (uint64_t op = 0; op < sw->ops; op++) {
		for (int k = FK_CUT_BEFORE; k <= FK_CUT_TORN; k++) {
			fk_sim_snapshot_restore(sim, saved);
			fk_sim_schedule_cut(sim, fk_sim_op_index(sim) + op,
					    (enum fk_cut_kind)k, FK_TEAR_SEEDED,
					    op * 3u + (uint64_t)k);
			run(bd, &x);
			if (x.run != UC_RUN_POWER)
				fail_msg("%s, cut at operation %llu: %s at "
					 "0x%08x (%s)",
					 sw->what, (unsigned long long)op,
					 uc_run_name(x.run), x.pc,
					 uc_first_violation(bd->uc));
			fk_sim_cancel_cut(sim);
			fk_sim_reboot(sim);
			snprintf(after, sizeof(after),
				 " after %s cut at operation %llu (kind %d)",
				 sw->what, (unsigned long long)op, k);
			boot_one_of(bd, sw->allowed, sw->n_allowed);
			boot_into(bd, sw->settled);
			sw->cuts++;
		}
	}
	/* back to the flash the uninterrupted boot left */
	fk_sim_snapshot_restore(sim, done);
	fk_sim_snapshot_free(done);
	fk_sim_snapshot_free(saved);
	after[0] = '\0';
	printf("%s: %u cuts (of %llu operations), each followed by the "
	       "expected boots\n",
	       sw->what, sw->cuts, (unsigned long long)sw->ops);
	assert_true(sw->ops > 0);
}

static void free_img(struct img *m)
{
	free(m->data);
}

/* ---- tests ---- */

static void test_boots_the_image_in_slot_a(void **state)
{
	struct board bd;
	struct img v1;

	(void)state;
	board_open(&bd);
	v1 = place_a(&bd, "1.0.0", 1);
	boot_into(&bd, &v1);
	boot_into(&bd, &v1);
	free_img(&v1);
	board_close(&bd);
}

/* Nothing to boot: the run ends in recovery mode, the serial line's
 * setup its first step (the USART is not on this board's bus here). */
static void test_no_image_enters_recovery(void **state)
{
	struct board bd;
	struct uc_boot_exit x;
	uint32_t recovery;

	(void)state;
	board_open(&bd);
	assert_int_equal(uc_symbol(bd.uc, "recovery_loop", &recovery), 0);
	uc_run_stop_at(bd.uc, recovery);
	run(&bd, &x);
	assert_string_equal(uc_first_violation(bd.uc), "");
	assert_int_equal(x.run, UC_RUN_EXIT);
	assert_int_equal(x.pc, recovery & ~1u);
	board_close(&bd);
}

/* A test update: its trial boot, then, unconfirmed, the revert; every
 * operation of both boots cut. */
static void test_unconfirmed_update_reverts_through_cuts(void **state)
{
	struct board bd;
	struct img v1, v2;
	struct sweep trial = { .what = "trial boot", .n_allowed = 2 };
	struct sweep back = { .what = "revert", .n_allowed = 1 };

	(void)state;
	board_open(&bd);
	v1 = place_a(&bd, "1.0.0", 1);
	boot_into(&bd, &v1);
	v2 = stage(&bd, "2.0.0", 2, PAYLOAD + 1500, FK_BOOT_TEST);
	trial.allowed[0] = &v2;
	trial.allowed[1] = &v1;
	trial.settled = &v1;
	sweep(&bd, &trial);
	back.allowed[0] = &v1;
	back.settled = &v1;
	sweep(&bd, &back);
	boot_into(&bd, &v1);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* The board after v1 was programmed into slot A and booted, then v2
 * (payload bytes) updated on trial, booted and confirmed. */
static void confirmed_v2(struct board *bd, struct img *v1, struct img *v2,
			 uint32_t payload)
{
	*v1 = place_a(bd, "1.0.0", 1);
	boot_into(bd, v1);
	*v2 = stage(bd, "2.0.0", 2, payload, FK_BOOT_TEST);
	boot_into(bd, v2);
	confirm(bd);
}

/* A test update confirmed by the application stays. */
static void test_confirmed_update_stays(void **state)
{
	struct board bd;
	struct img v1, v2;

	(void)state;
	board_open(&bd);
	confirmed_v2(&bd, &v1, &v2, PAYLOAD - 2000);
	boot_into(&bd, &v2);
	boot_into(&bd, &v2);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* A permanent update: every operation of its boot cut, and the board
 * ends in it whatever the cut. */
static void test_permanent_update_through_cuts(void **state)
{
	struct board bd;
	struct img v1, v3;
	struct sweep sw = { .what = "permanent install", .n_allowed = 1 };

	(void)state;
	board_open(&bd);
	v1 = place_a(&bd, "1.0.0", 1);
	boot_into(&bd, &v1);
	v3 = stage(&bd, "3.0.0", 3, PAYLOAD + 3000, FK_BOOT_PERMANENT);
	sw.allowed[0] = &v3;
	sw.settled = &v3;
	sweep(&bd, &sw);
	free_img(&v1);
	free_img(&v3);
	board_close(&bd);
}

/* The confirmed image damaged (a bit of its payload flips to 0): the
 * other slot's valid image boots instead, every operation of that boot
 * cut. */
static void test_damaged_image_falls_back_through_cuts(void **state)
{
	struct board bd;
	struct img v1, v2;
	struct sweep sw = { .what = "fallback", .n_allowed = 1 };
	uint8_t zero = 0;

	(void)state;
	board_open(&bd);
	confirmed_v2(&bd, &v1, &v2, PAYLOAD);
	boot_into(&bd, &v2);
	assert_int_equal(fk_flash_program(fk_sim_flash(qspi_sim(&bd)),
					  slots[v2.slot]->address - QSPI_BASE +
						  app->header_size + 0x400u,
					  &zero, 1),
			 FK_OK);
	sw.allowed[0] = &v1;
	sw.settled = &v1;
	sweep(&bd, &sw);
	free_img(&v1);
	free_img(&v2);
	board_close(&bd);
}

/* The boot state area filled with what a flash can hold after it was
 * damaged (random bytes; all zeros: every bit programmed): the program
 * must still start a valid image, the newest (the log then tells it
 * nothing), and the application must be able to update again. */
static void test_damaged_boot_state_still_boots(void **state)
{
	static const int fills[] = { -1, 0x00 };

	(void)state;
	for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		struct board bd;
		struct fk_boot_config cfg;
		struct img v1, v2, v3;
		uint8_t *at;
		uint32_t seed = 12345u;

		board_open(&bd);
		confirmed_v2(&bd, &v1, &v2, PAYLOAD);
		host_config(&bd, &cfg);
		at = fk_sim_data(qspi_sim(&bd)) + cfg.state.off;
		for (uint32_t i = 0; i < cfg.state.size; i++) {
			seed = seed * 1103515245u + 12345u;
			at[i] = fills[f] < 0 ? (uint8_t)(seed >> 16) :
					       (uint8_t)fills[f];
		}
		snprintf(after, sizeof(after), " (boot state filled with %s)",
			 fills[f] < 0 ? "random bytes" : "zeros");
		boot_into(&bd, &v2);
		boot_into(&bd, &v2);
		after[0] = '\0';
		v3 = stage(&bd, "3.0.0", 3, PAYLOAD, FK_BOOT_PERMANENT);
		boot_into(&bd, &v3);
		boot_into(&bd, &v3);
		free_img(&v1);
		free_img(&v2);
		free_img(&v3);
		board_close(&bd);
	}
}

/*
 * Many updates in a row on the real program: test installs confirmed or
 * left to revert, permanent ones, images that grow and shrink; each boot
 * must end in the image the update API's life says. On the way the boot
 * state log runs short of room for an update cycle and the update API
 * starts it afresh (at least once: checked), as it does on a device.
 */
static void test_many_updates_in_a_row(void **state)
{
	static const uint32_t sizes[] = { 6000, 9000, 2500, 12000, 4000 };
	struct board bd;
	struct img cur, next;
	unsigned updates = 0, reverted = 0, fresh = 0;
	uint32_t used = 0;

	(void)state;
	board_open(&bd);
	cur = place_a(&bd, "1.0.0", 1);
	boot_into(&bd, &cur);
	for (unsigned i = 0; i < 12; i++) {
		char ver[16];
		unsigned kind = i % 3, v = 2 + i % 9;

		snprintf(ver, sizeof(ver), "%u.0.%u", v, i);
		if (records_used(&bd) < used)
			fresh++;
		used = records_used(&bd);
		next = stage(&bd, ver, v, sizes[i % 5],
			     kind == 2 ? FK_BOOT_PERMANENT : FK_BOOT_TEST);
		boot_into(&bd, &next);
		if (kind == 1) {
			/* left unconfirmed: the next boot reverts */
			boot_into(&bd, &cur);
			free_img(&next);
			reverted++;
		} else {
			if (kind == 0)
				confirm(&bd);
			boot_into(&bd, &next);
			free_img(&cur);
			cur = next;
		}
		updates++;
	}
	printf("%u updates (%u reverted), each booted as expected; the boot "
	       "state log started afresh %u times\n",
	       updates, reverted, fresh);
	assert_true(fresh >= 1);
	free_img(&cur);
	board_close(&bd);
}

static int load_layout(void **state)
{
	(void)state;
	if (uc_boot_fixture_open(&L, layout_path, tmp, "h750_boot") != 0)
		return -1;
	boot = fk_layout_find_partition(&L, "boot");
	slots[0] = fk_layout_find_partition(&L, "app-a");
	slots[1] = fk_layout_find_partition(&L, "app-b");
	app = fk_layout_find_image(&L, "app");
	if (!boot || !slots[0] || !slots[1] || !app || !app->ram_count)
		return -1;
	ram_load = app->strategy == FK_STRATEGY_RAM_LOAD;
	axi_size = 0x80000u;
	return 0;
}

static int unload_layout(void **state)
{
	(void)state;
	return uc_boot_fixture_close(&L, tmp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boots_the_image_in_slot_a),
		cmocka_unit_test(test_no_image_enters_recovery),
		cmocka_unit_test(test_unconfirmed_update_reverts_through_cuts),
		cmocka_unit_test(test_confirmed_update_stays),
		cmocka_unit_test(test_permanent_update_through_cuts),
		cmocka_unit_test(test_damaged_image_falls_back_through_cuts),
		cmocka_unit_test(test_damaged_boot_state_still_boots),
		cmocka_unit_test(test_many_updates_in_a_row),
	};

	size_t n = sizeof(tests) / sizeof(tests[0]);
	bool life = argc == 6 && strcmp(argv[5], "--life") == 0;

	if (argc != 5 && !life) {
		fprintf(stderr,
			"usage: %s boot_stm32h750[_ram_load].elf flashkit "
			"layout.yaml key.pem [--life]\n",
			argv[0]);
		return 2;
	}
	boot_elf = argv[1];
	flashkit = argv[2];
	layout_path = argv[3];
	key_path = argv[4];
	/* the long life (the last test) only when asked */
	return _cmocka_run_group_tests("port_h750_boot", tests,
				       life ? n : n - 1, load_layout,
				       unload_layout);
}
