/*
 * Serial recovery on the STM32F205 board (seed 003) end to end: its lite
 * bootloader (boot_stm32f205_lite.elf: fk_boot_board_program(... CORE
 * lite) with ports/boot/boot_serial.c and the USART driver) run whole
 * under Unicorn on the board's flash models (f205_board.h: the F2/F4
 * flash for the app slot, a W25Q80DV on SPI1 for the ota, factory and
 * boot-state partitions) and the USART model on USART1 (models/usart.c,
 * TX PA9, RX PA10 as ports/stm32/usart_boards.c sets them up), fed by
 * the host side of `flashkit upload` (usart_line.h).
 *
 * Nothing valid in the flash (no app, no factory image): the bootloader
 * enters recovery mode on USART1; IDENTIFY, the upload of an image
 * signed by `flashkit image sign` (its digest only when the bootloader
 * is built without a key) into the ota slot of the serial flash, FINISH,
 * REBOOT; the next run from reset installs it into the internal app slot
 * and jumps into it. Also: recovery on the application's request (the
 * RAM word) with a valid app, which the upload then replaces; an upload
 * resumed after a reset mid-upload; a loose cable; junk on the line
 * before the frames; and power cuts at the flash operations of the
 * upload (the next boot must enter recovery mode again and take the rest
 * of the upload, or boot the new image when the cut came after the
 * upload was marked for install) and of the install that follows (the
 * next boot must end in the new image).
 *
 * GPIOA holds both the serial flash's chip select (PA4, the SPI model's
 * GPIO window) and USART1's pins (the USART model's): uc_add_periph is
 * wrapped at link time (-Wl,--wrap=uc_add_periph, f205_recovery.cmake)
 * so that the two models' windows on GPIOA become one window that
 * passes every access to both.
 *
 * Usage: port_f205_lite_recovery cases|cuts <boot_stm32f205_lite.elf>
 *        <flashkit> <layout.yaml> [key.pem]
 * (cases: all but the power cuts; cuts: the two sweeps)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "f205_board.h"
#include "usart_line.h"

/* USART1 of the STM32F205 as ports/stm32/usart_boards.c sets it up, with
 * GPIOA's and the RCC's reset values; BRR for 115200 baud from the 16
 * MHz HSI. */
static const struct usart_model_config usart1 = {
	.name = "USART1",
	.kind = USART_MODEL_SR_DR,
	.regs = 0x40011000u,
	.kernel_hz = 16000000u,
	.baud = 115200,
	.rcc = F205_RCC,
	.clock_reg = 0x40023844u, /* APB2ENR.USART1EN */
	.clock_bit = 1u << 4,
	.gpio = GPIOA_F2_REGS,
	.gpio_clock_reg = 0x40023830u, /* AHB1ENR.GPIOAEN */
	.gpio_clock_bit = 1u << 0,
	.moder_reset = 0xA8000000u,
	.pupdr_reset = 0x64000000u,
	.tx_pin = 9,
	.rx_pin = 10,
	.af = 7,
	.rm = "RM0033 ch. 24",
};
#define USART1_BRR 139u
#define CR1_ON 0x200Cu /* UE, TE, RE */

/* ---- GPIOA shared by the SPI model and the USART model ---- */

int __real_uc_add_periph(struct uc *uc, const struct uc_periph *p);

static struct uc_periph gpioa[2]; /* the SPI model's, the USART's */
static unsigned gpioa_count;

static uint32_t gpioa_read(void *ctx, uint32_t off, unsigned size)
{
	uint32_t v[2] = { 0, 0 };

	(void)ctx;
	/* each window that holds off sees the read; the SPI model's
	 * answers where it has the register */
	for (unsigned i = 0; i < 2; i++)
		if (off < gpioa[i].size)
			v[i] = gpioa[i].read(gpioa[i].ctx, off, size);
	return off < gpioa[0].size ? v[0] : v[1];
}

static void gpioa_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	(void)ctx;
	for (unsigned i = 0; i < 2; i++)
		if (off < gpioa[i].size)
			gpioa[i].write(gpioa[i].ctx, off, size, v);
}

int __wrap_uc_add_periph(struct uc *uc, const struct uc_periph *p);
int __wrap_uc_add_periph(struct uc *uc, const struct uc_periph *p)
{
	struct uc_periph both = { .name = "GPIOA",
				  .base = GPIOA_F2_REGS,
				  .read = gpioa_read,
				  .write = gpioa_write };

	if (p->base != GPIOA_F2_REGS)
		return __real_uc_add_periph(uc, p);
	if (gpioa_count == 2)
		return -1;
	gpioa[gpioa_count++] = *p;
	if (gpioa_count < 2)
		return 0;
	both.size =
		gpioa[0].size > gpioa[1].size ? gpioa[0].size : gpioa[1].size;
	return __real_uc_add_periph(uc, &both);
}

/* ---- the board with its line ---- */

struct board {
	struct f205_board bd;
	struct usart_model *line;
	struct usart_line l;
};

static void power_cycle(void *ctx);

/* A flash of the board lost power (a scheduled cut fired). */
static bool cut(void *ctx)
{
	struct board *r = ctx;

	return fk_sim_power_lost(f4_model_sim(r->bd.flash)) ||
	       fk_sim_power_lost(nor_chip_sim(r->bd.chip));
}

static void board_open(struct board *r)
{
	memset(r, 0, sizeof(*r));
	gpioa_count = 0;
	f205_board_open(&r->bd, false);
	r->line = usart_model_create(r->bd.uc, &usart1);
	assert_non_null(r->line);
	assert_int_equal(gpioa_count, 2);
	r->l = (struct usart_line){ .b = r->bd.b,
				    .uc = r->bd.uc,
				    .m = r->line,
				    .lo = f205.boot->address,
				    .hi = f205.boot->address + f205.boot->size,
				    .power_cycle = power_cycle,
				    .cut = cut,
				    .ctx = r };
}

static void board_close(struct board *r)
{
	usart_model_destroy(r->line);
	f205_board_close(&r->bd);
}

/* From reset with nothing to boot (or asked to): the core polls USART1,
 * on at 115200 baud. */
static void boot_into_recovery(struct board *r)
{
	usart_line_recovery(&r->l);
	assert_string_equal(uc_first_violation(r->bd.uc), "");
	assert_int_equal(usart_model_cr1(r->line) & CR1_ON, CR1_ON);
	assert_int_equal(usart_model_brr(r->line), USART1_BRR);
}

/* The device reset at a hand-back: it boots back into recovery mode. */
static void power_cycle(void *ctx)
{
	struct board *r = ctx;

	uc_reboot(r->bd.uc);
	boot_into_recovery(r);
}

/* A run from reset that must jump into the image with entry e (the line
 * silent: no hand-back), the app slot then holding img. */
static void boot_into(struct board *r, uint32_t e, const uint8_t *img,
		      size_t len)
{
	usart_model_hand_back(r->line, 0);
	f205_boot_into(&r->bd, e);
	assert_memory_equal(f205_internal_at(&r->bd, f205.slot_app->address),
			    img, len);
}

/* The upload over the line: then the ota slot holds img byte for byte. */
static void upload(struct board *r, struct fk_tp_client *c,
		   struct fk_tp_upload *u, const uint8_t *img, size_t len)
{
	usart_line_upload(&r->l, c, u, img, len);
	assert_memory_equal(f205_serial_at(&r->bd, f205.slot_ota->address), img,
			    len);
}

/* REBOOT answered, nothing lost on the line, then the next run from
 * reset installs the uploaded image and jumps into it. */
static void reboot_into(struct board *r, struct fk_tp_client *c, uint32_t e,
			const uint8_t *img, size_t len)
{
	usart_line_reboot(&r->l, c);
	assert_int_equal(usart_model_tx_lost(r->line), 0);
	boot_into(r, e, img, len);
}

static bool app_slot_erased(struct board *r)
{
	const uint8_t *p = f205_internal_at(&r->bd, f205.slot_app->address);

	for (uint32_t i = 0; i < f205.slot_app->size; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/* An empty board in recovery mode and the image v1.0.0 for the host to
 * upload (entry f205_entry(1)). */
struct empty {
	struct board r;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	uint8_t *img;
	size_t len;
};

static void empty_open(struct empty *e)
{
	e->img = f205_image("1.0.0", f205_entry(1), &e->len);
	board_open(&e->r);
	boot_into_recovery(&e->r);
}

/* The upload over the line (after what the test did to the line). */
static void empty_upload(struct empty *e)
{
	upload(&e->r, &e->c, &e->u, e->img, e->len);
}

/* REBOOT, the install at the next reset, the jump into v1.0.0. */
static void empty_close(struct empty *e)
{
	reboot_into(&e->r, &e->c, f205_entry(1), e->img, e->len);
	board_close(&e->r);
	free(e->img);
}

static void
test_empty_board_takes_an_image_over_usart1_and_boots_it(void **state)
{
	struct empty e;

	(void)state;
	empty_open(&e);
	empty_upload(&e);
	assert_int_equal(e.u.stat.data_sent, e.len);
	/* staged in the serial flash: the app slot is still erased */
	assert_true(app_slot_erased(&e.r));
	assert_int_equal(usart_model_rx_lost(e.r.line), 0);
	printf("recovery: %u bytes uploaded, %llu bytes of frames sent, "
	       "%u hand-backs\n",
	       (unsigned)e.len, (unsigned long long)e.c.bytes_out,
	       e.r.l.resumes);
	/* installed for good: the same image at the next reset too */
	usart_line_reboot(&e.r.l, &e.c);
	boot_into(&e.r, f205_entry(1), e.img, e.len);
	boot_into(&e.r, f205_entry(1), e.img, e.len);
	board_close(&e.r);
	free(e.img);
}

/* The application's request (boot_port.h): the recovery word set to
 * FK_BOOT_RECOVERY_MAGIC, then a reset. */
static void ask_for_recovery(struct board *r)
{
	const uint32_t magic = 0x4B52464Bu; /* FK_BOOT_RECOVERY_MAGIC */
	uint32_t word;

	assert_int_equal(uc_symbol(r->bd.uc, "fk_boot_recovery_word", &word),
			 0);
	uc_reboot(r->bd.uc);
	assert_int_equal(uc_write_mem(r->bd.uc, word, &magic, 4), 0);
}

/* A valid app that asks for recovery: the bootloader answers on USART1
 * instead of starting it, for that reset only; an upload then replaces
 * it. */
static void test_recovery_on_request_replaces_a_valid_app(void **state)
{
	struct board r;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	size_t len1, len2;
	uint8_t *v1, *v2;

	(void)state;
	board_open(&r);
	v1 = f205_place_app(&r.bd, "1.0.0", 1, &len1);
	boot_into(&r, f205_entry(1), v1, len1);
	/* asked, then not asked: recovery once, then v1 again */
	ask_for_recovery(&r);
	boot_into_recovery(&r);
	usart_line_identify(&r.l, &c);
	reboot_into(&r, &c, f205_entry(1), v1, len1);
	/* asked again: v2 over the line replaces v1 */
	v2 = f205_image("2.0.0", f205_entry(2), &len2);
	ask_for_recovery(&r);
	boot_into_recovery(&r);
	upload(&r, &c, &u, v2, len2);
	/* v1 still in the app slot until the reset */
	assert_memory_equal(f205_internal_at(&r.bd, f205.slot_app->address), v1,
			    len1);
	reboot_into(&r, &c, f205_entry(2), v2, len2);
	board_close(&r);
	free(v1);
	free(v2);
}

/* The device resets in the middle of the upload (a power cycle): it
 * comes back in recovery mode, the client's START resumes the upload the
 * device kept in the serial flash, and the sectors already whole are
 * kept by digest, not sent again. */
static void test_upload_resumes_after_a_reset_mid_upload(void **state)
{
	struct empty e;

	(void)state;
	empty_open(&e);
	e.r.l.reset_at = e.r.l.resumes + 8; /* IDENTIFY, START, WRITEs */
	empty_upload(&e);
	assert_int_equal(e.r.l.resets, 1);
	assert_int_equal(e.u.resumes, 1);
	assert_true(e.u.stat.skipped > 0);
	assert_true(e.u.stat.data_sent < 2 * e.len);
	printf("reset mid-upload: %u bytes kept, %llu sent for %u\n",
	       (unsigned)e.u.stat.skipped,
	       (unsigned long long)e.u.stat.data_sent, (unsigned)e.len);
	empty_close(&e);
}

/* The cable is out for a frame: the client's read times out, it sends
 * the frame again, and the upload completes. */
static void test_upload_survives_a_loose_cable(void **state)
{
	struct empty e;

	(void)state;
	empty_open(&e);
	e.r.l.unplug_at = 4; /* IDENTIFY, START, a WRITE, then the next */
	empty_upload(&e);
	assert_true(e.c.timeouts >= 1);
	assert_true(usart_model_rx_lost(e.r.line) > 0);
	empty_close(&e);
}

/* Garbage on the line before the host's frames: a byte with a framing
 * error, noise, and the start of a frame cut short (a cable plugged in
 * mid-frame) whose header then takes in the first bytes of the host's
 * frame: the receiver drops the garbage, finds the frame in what it
 * took (no retry needed) and takes the upload that follows. */
static void test_garbage_before_the_frames_is_skipped(void **state)
{
	struct empty e;
	static const uint8_t junk[] = { 0x00, 0xFF, 0x7E, 0x55,
					0xF5, 0x4B, 0x01, 0x00 };

	(void)state;
	empty_open(&e);
	usart_model_arrive(e.r.line, "\x42", 1, USART_MODEL_FRAMING);
	usart_model_queue(e.r.line, junk, sizeof(junk), 1);
	empty_upload(&e);
	/* the first frame after the garbage was taken: no retry */
	assert_int_equal(e.c.timeouts, 0);
	empty_close(&e);
}

/*
 * Power cuts in the upload: the board empty, both arrays saved; for each
 * cut, the arrays restored, one cut scheduled at an operation of the
 * recovery session (entering recovery mode, the upload, REBOOT) on one
 * memory, the session run until the power fails. Then the board is
 * powered again and must either enter recovery mode (the client's next
 * upload completes, REBOOT, and the next boot installs and runs the
 * image) or, when the cut came after the image was marked for install,
 * install and run it at once. Never anything else: no other image, no
 * board stuck outside recovery mode.
 */
struct upload_sweep {
	struct board r;
	struct fk_sim *sims[2];
	struct fk_sim_snapshot *saved[2];
	uint64_t ops[2];
	const uint8_t *img;
	size_t len;
	unsigned cuts, recovered, booted;
};

static void upload_sweep_restore(struct upload_sweep *sw)
{
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_restore(sw->sims[m], sw->saved[m]);
	nor_chip_reset(sw->r.bd.chip);
	uc_reboot(sw->r.bd.uc);
}

/* The session from reset: recovery mode, the upload, REBOOT. Returns
 * true when it ran to its end, false when a flash lost power. */
static bool session(struct upload_sweep *sw)
{
	struct board *r = &sw->r;
	struct uc_boot_exit x;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	struct fk_diag d = { 0 };

	if (usart_line_enter(&r->l, &x) != UC_RUN_POWER)
		fail_msg("session: %s at 0x%08x (%s)", uc_run_name(x.run), x.pc,
			 uc_first_violation(r->bd.uc));
	if (cut(r))
		return false;
	if (usart_line_try_upload(&r->l, &c, &u, sw->img, sw->len, &d) == 0 &&
	    fk_tp_reboot(&c, &d) == 0)
		return true;
	if (!cut(r))
		fail_msg("session: %s (core: %s, %s)", d.last_error,
			 uc_run_name(r->l.last), uc_first_violation(r->bd.uc));
	return false;
}

/* After the cut: recovery mode again, or the new image at once. */
static void after_upload_cut(struct upload_sweep *sw, const char *what)
{
	struct board *r = &sw->r;
	struct uc_boot_exit x;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	struct fk_diag d = { 0 };

	f205_power_back(&r->bd, what);
	uc_reboot(r->bd.uc);
	switch (usart_line_enter(&r->l, &x)) {
	case UC_RUN_POWER:
		sw->recovered++;
		if (usart_line_try_upload(&r->l, &c, &u, sw->img, sw->len,
					  &d) != 0)
			fail_msg("upload after a cut at %s: %s", what,
				 d.last_error);
		reboot_into(r, &c, f205_entry(1), sw->img, sw->len);
		break;
	case UC_RUN_EXIT:
		sw->booted++;
		assert_int_equal(x.pc, f205_entry(1) & ~1u);
		assert_memory_equal(
			f205_internal_at(&r->bd, f205.slot_app->address),
			sw->img, sw->len);
		break;
	default:
		fail_msg("boot after a cut at %s: %s at 0x%08x (%s)", what,
			 uc_run_name(x.run), x.pc,
			 uc_first_violation(r->bd.uc));
	}
	assert_string_equal(uc_first_violation(r->bd.uc), "");
	f205_cut_done();
}

static void upload_cut_at(struct upload_sweep *sw, int m, uint64_t op,
			  enum fk_cut_kind kind)
{
	char what[96];

	snprintf(what, sizeof(what),
		 "%s operation %llu (kind %d) of the upload",
		 m ? "serial flash" : "internal flash", (unsigned long long)op,
		 (int)kind);
	upload_sweep_restore(sw);
	fk_sim_schedule_cut(sw->sims[m], fk_sim_op_index(sw->sims[m]) + op,
			    kind, FK_TEAR_SEEDED, op * 3u + (uint64_t)kind);
	if (session(sw))
		fail_msg("cut at %s: the session ran to its end", what);
	after_upload_cut(sw, what);
	sw->cuts++;
}

static void test_upload_survives_power_cuts(void **state)
{
	struct upload_sweep sw = { 0 };
	size_t len;
	uint8_t *img;

	(void)state;
	f205.payload = f205_sweep_payload();
	img = f205_image("1.0.0", f205_entry(1), &len);
	board_open(&sw.r);
	sw.img = img;
	sw.len = len;
	sw.sims[0] = f4_model_sim(sw.r.bd.flash);
	sw.sims[1] = nor_chip_sim(sw.r.bd.chip);
	for (int m = 0; m < 2; m++) {
		sw.saved[m] = fk_sim_snapshot_take(sw.sims[m]);
		assert_non_null(sw.saved[m]);
		sw.ops[m] = fk_sim_op_index(sw.sims[m]);
	}
	assert_true(session(&sw));
	for (int m = 0; m < 2; m++)
		sw.ops[m] = fk_sim_op_index(sw.sims[m]) - sw.ops[m];
	for (int m = 0; m < 2; m++)
		for (uint64_t op = 0; op < sw.ops[m]; op++)
			for (int k = FK_CUT_BEFORE; k <= FK_CUT_TORN; k++)
				upload_cut_at(&sw, m, op, (enum fk_cut_kind)k);
	printf("upload (%zu-byte image): %u cuts of %llu operations (%llu "
	       "internal + %llu serial flash), every one before, after and "
	       "torn: %u back in recovery mode, %u booted the new image at "
	       "once\n",
	       len, sw.cuts, (unsigned long long)(sw.ops[0] + sw.ops[1]),
	       (unsigned long long)sw.ops[0], (unsigned long long)sw.ops[1],
	       sw.recovered, sw.booted);
	assert_true(sw.recovered > 0);
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_free(sw.saved[m]);
	board_close(&sw.r);
	free(img);
	f205.payload = 0;
}

/* The image received in recovery mode, then its install cut at flash
 * operations (f205_board.h, "Power cuts"): the next boot ends in it. */
static void test_install_after_recovery_survives_power_cuts(void **state)
{
	struct empty e;
	struct f205_sweep sw = { .bd = &e.r.bd };

	(void)state;
	f205.payload = f205_sweep_payload();
	empty_open(&e);
	empty_upload(&e);
	usart_line_reboot(&e.r.l, &e.c);
	usart_model_hand_back(e.r.line, 0);
	f205_sweep_open(&sw, f205_entry(1), e.img, e.len);
	f205_sweep_run(&sw, "install after recovery");
	f205_sweep_close(&sw);
	board_close(&e.r);
	free(e.img);
	f205.payload = 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest cases[] = {
		cmocka_unit_test(
			test_empty_board_takes_an_image_over_usart1_and_boots_it),
		cmocka_unit_test(test_recovery_on_request_replaces_a_valid_app),
		cmocka_unit_test(test_upload_resumes_after_a_reset_mid_upload),
		cmocka_unit_test(test_upload_survives_a_loose_cable),
		cmocka_unit_test(test_garbage_before_the_frames_is_skipped),
	};
	const struct CMUnitTest cuts[] = {
		cmocka_unit_test(test_upload_survives_power_cuts),
		cmocka_unit_test(
			test_install_after_recovery_survives_power_cuts),
	};
	bool sweep = argc >= 2 && strcmp(argv[1], "cuts") == 0;

	if ((argc != 5 && argc != 6) ||
	    (!sweep && strcmp(argv[1], "cases") != 0)) {
		fprintf(stderr,
			"usage: %s cases|cuts boot_stm32f205_lite.elf flashkit "
			"layout.yaml [key.pem]\n",
			argv[0]);
		return 2;
	}
	f205.elf = argv[2];
	f205.flashkit = argv[3];
	f205.layout = argv[4];
	f205.name = "f205_recovery";
	f205.key = argc == 6 ? argv[5] : NULL;
	if (sweep)
		return cmocka_run_group_tests(cuts, f205_setup, f205_teardown);
	return cmocka_run_group_tests(cases, f205_setup, f205_teardown);
}
