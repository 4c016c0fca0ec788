/*
 * The STM32 USART driver (ports/stm32/usart.c) run under Unicorn on its
 * register model (models/usart.c), on each seed board's line
 * (usart_boards.c): F205 USART1 (the F2/F4 register set), L476 USART2,
 * H750 USART1 and H745 USART3 (the L4/H7 one). Bytes both ways, BRR for
 * the clocks the parts reset with, overruns, framing errors and noise
 * reported and cleared, nothing waiting read as -1, an unplugged cable
 * read as an idle line; then each rule of the model caught when the
 * image's misuse functions break it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/error.h"
#include "models/usart.h"
#include "uc.h"

static const char *image;

/* The boards' lines as the model sees them, in the image's variant
 * order; brr is what the driver must compute for the reset clocks. */
struct line {
	struct usart_model_config model;
	uint32_t brr;
};

static const struct line lines[] = {
	{ { "F205 USART1", USART_MODEL_SR_DR, 0x40011000u, 16000000u, 115200,
	    0x40023800u, 0x40023844u, 1u << 4, 0x40020000u, 0x40023830u,
	    1u << 0, 0xA8000000u, 0x64000000u, 9, 10, 7, "RM0033 ch. 24" },
	  139 },
	{ { "L476 USART2", USART_MODEL_ISR, 0x40004400u, 4000000u, 115200,
	    0x40021000u, 0x40021058u, 1u << 17, 0x48000000u, 0x4002104Cu,
	    1u << 0, 0xABFFFFFFu, 0x64000000u, 2, 3, 7, "RM0351 ch. 40" },
	  35 },
	{ { "H750 USART1", USART_MODEL_ISR, 0x40011000u, 64000000u, 115200,
	    0x58024400u, 0x580244F0u, 1u << 4, 0x58020400u, 0x580244E0u,
	    1u << 1, 0xFFFFFEBFu, 0x00000100u, 6, 7, 7, "RM0433 ch. 48" },
	  556 },
	{ { "H745 USART3", USART_MODEL_ISR, 0x40004800u, 64000000u, 115200,
	    0x58024400u, 0x580244E8u, 1u << 18, 0x58020C00u, 0x580244E0u,
	    1u << 3, 0xFFFFFFFFu, 0x00000000u, 8, 9, 7, "RM0399 (USART)" },
	  556 },
};
#define LINES (sizeof(lines) / sizeof(lines[0]))
#define F205 0u
#define L476 1u

struct fixture {
	struct uc *uc;
	struct usart_model *m;
	unsigned line;
};

static void start(struct fixture *fx, unsigned line)
{
	struct uc_config cfg = { .elf = image, .cpu = "cortex-m4" };
	uint32_t v = line;

	memset(fx, 0, sizeof(*fx));
	fx->line = line;
	fx->uc = uc_create(&cfg);
	assert_non_null(fx->uc);
	fx->m = usart_model_create(fx->uc, &lines[line].model);
	assert_non_null(fx->m);
	assert_int_equal(uc_call_sym(fx->uc, "usart_test_load", &v, 1, NULL),
			 UC_RUN_OK);
}

static void stop(struct fixture *fx)
{
	uc_destroy(fx->uc);
	usart_model_destroy(fx->m);
}

/* Calls fn(args), which must return normally; returns r0. */
static uint32_t call(struct fixture *fx, const char *fn, uint32_t a0,
		     uint32_t a1)
{
	const uint32_t args[] = { a0, a1 };
	uint32_t r = 0;
	enum uc_run run = uc_call_sym(fx->uc, fn, args, 2, &r);

	if (run != UC_RUN_OK)
		fail_msg("%s on %s: %s (%s)", fn, lines[fx->line].model.name,
			 uc_run_name(run), uc_first_violation(fx->uc));
	return r;
}

static void open_line(struct fixture *fx)
{
	assert_int_equal(call(fx, "usart_test_open", 0, 0), 0);
}

static int read_byte(struct fixture *fx)
{
	return (int)call(fx, "usart_test_read", 0, 0);
}

static uint32_t stat(struct fixture *fx, uint32_t which)
{
	return call(fx, "usart_test_stat", which, 0);
}

static void put_buf(struct fixture *fx, const uint8_t *data, uint32_t n)
{
	uint32_t buf;

	assert_int_equal(uc_symbol(fx->uc, "usart_test_buf", &buf), 0);
	assert_int_equal(uc_write_mem(fx->uc, buf, data, n), 0);
}

static void get_buf(struct fixture *fx, uint8_t *data, uint32_t n)
{
	uint32_t buf;

	assert_int_equal(uc_symbol(fx->uc, "usart_test_buf", &buf), 0);
	assert_int_equal(uc_read_mem(fx->uc, buf, data, n), 0);
}

static void pattern(uint8_t *p, uint32_t n, unsigned seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static void test_brr_is_kernel_clock_over_baud_for_each_board(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		start(&fx, l);
		open_line(&fx);
		assert_int_equal(stat(&fx, 3), lines[l].brr);
		assert_int_equal(usart_model_brr(fx.m), lines[l].brr);
		stop(&fx);
	}
}

/* BRR under 16 (1 Mbaud from 4 MHz) or over 0xFFFF (300 baud from
 * 64 MHz), or no baud at all: FK_EINVAL, and no register touched. */
static void test_unreachable_baud_is_refused(void **state)
{
	const uint32_t bad[][2] = { { 4000000u, 1000000u },
				    { 64000000u, 300u },
				    { 16000000u, 0u } };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct fixture fx;

		start(&fx, L476);
		call(&fx, "usart_test_set_clock", bad[i][0], bad[i][1]);
		assert_int_equal((int)call(&fx, "usart_test_open", 0, 0),
				 FK_EINVAL);
		assert_int_equal(usart_model_cr1(fx.m), 0);
		stop(&fx);
	}
}

static void test_bytes_go_out_whole_before_write_returns(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;
		uint8_t out[300], got[300];

		start(&fx, l);
		open_line(&fx);
		pattern(out, sizeof(out), l);
		put_buf(&fx, out, sizeof(out));
		call(&fx, "usart_test_write", sizeof(out), 0);
		/* all of them on the line when write returned (TC) */
		assert_int_equal(usart_model_take(fx.m, got, sizeof(got)),
				 sizeof(out));
		assert_memory_equal(got, out, sizeof(out));
		assert_int_equal(usart_model_tx_lost(fx.m), 0);
		stop(&fx);
	}
}

/* The host's bytes arrive one per gap status reads: every one read, in
 * order; with a gap over 1 the reads in between return -1. */
static void test_bytes_come_in_in_order(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		for (unsigned gap = 1; gap <= 5; gap += 4) {
			struct fixture fx;
			uint8_t in[500], got[500];

			start(&fx, l);
			open_line(&fx);
			pattern(in, sizeof(in), 3 * l + gap);
			usart_model_queue(fx.m, in, sizeof(in), gap);
			assert_int_equal(
				call(&fx, "usart_test_read_n", sizeof(in), 10),
				sizeof(in));
			get_buf(&fx, got, sizeof(got));
			assert_memory_equal(got, in, sizeof(in));
			assert_int_equal(usart_model_rx_lost(fx.m), 0);
			assert_int_equal(stat(&fx, 0) + stat(&fx, 1), 0);
			stop(&fx);
		}
	}
}

static void test_nothing_waiting_reads_minus_one(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		start(&fx, l);
		open_line(&fx);
		for (int i = 0; i < 5; i++)
			assert_int_equal(read_byte(&fx), -1);
		usart_model_arrive(fx.m, "k", 1, 0);
		assert_int_equal(read_byte(&fx), 'k');
		assert_int_equal(read_byte(&fx), -1);
		stop(&fx);
	}
}

/* Three bytes while the CPU was busy: the first is read, the two after
 * it were lost (ORE), the overrun is counted, its flag cleared, and the
 * next byte gets through (on L4/H7 ORE left set would stop reception). */
static void test_overrun_is_reported_and_cleared(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		start(&fx, l);
		open_line(&fx);
		usart_model_arrive(fx.m, "abc", 3, 0);
		assert_int_equal(usart_model_rx_lost(fx.m), 2);
		assert_int_equal(read_byte(&fx), 'a');
		assert_int_equal(stat(&fx, 0), 1);
		assert_int_equal(read_byte(&fx), -1);
		assert_false(usart_model_status(fx.m) & (1u << 3));
		usart_model_arrive(fx.m, "d", 1, 0);
		assert_int_equal(read_byte(&fx), 'd');
		assert_int_equal(stat(&fx, 0), 1);
		stop(&fx);
	}
}

/* A byte with a framing error is dropped and counted, the next one read;
 * a noisy one is delivered and counted; no flag stays set. */
static void test_framing_error_dropped_noise_delivered(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		start(&fx, l);
		open_line(&fx);
		usart_model_arrive(fx.m, "x", 1, USART_MODEL_FRAMING);
		assert_int_equal(read_byte(&fx), -1);
		assert_int_equal(stat(&fx, 1), 1);
		usart_model_arrive(fx.m, "y", 1, USART_MODEL_NOISE);
		assert_int_equal(read_byte(&fx), 'y');
		assert_int_equal(stat(&fx, 2), 1);
		assert_int_equal(usart_model_status(fx.m) & 0x0Fu, 0);
		usart_model_arrive(fx.m, "z", 1, 0);
		assert_int_equal(read_byte(&fx), 'z');
		assert_int_equal(stat(&fx, 1), 1);
		assert_int_equal(stat(&fx, 2), 1);
		stop(&fx);
	}
}

/* The loose cable of seed 004: the RX pin is pulled up, so the line
 * reads idle, no break; plugged back, bytes come through. */
static void test_unplugged_cable_reads_as_idle_line(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		start(&fx, l);
		open_line(&fx);
		usart_model_unplug(fx.m, true);
		for (int i = 0; i < 20; i++)
			assert_int_equal(read_byte(&fx), -1);
		assert_int_equal(stat(&fx, 1), 0);
		usart_model_unplug(fx.m, false);
		usart_model_arrive(fx.m, "ok", 1, 0);
		assert_int_equal(read_byte(&fx), 'o');
		stop(&fx);
	}
}

/* ---- the model's rules, each caught when broken ---- */

static void expect_violation(struct fixture *fx, const char *fn,
			     const char *words)
{
	enum uc_run run = uc_call_sym(fx->uc, fn, NULL, 0, NULL);

	assert_int_equal(run, UC_RUN_VIOLATION);
	if (!strstr(uc_first_violation(fx->uc), words))
		fail_msg("%s: violation \"%s\" does not say \"%s\"", fn,
			 uc_first_violation(fx->uc), words);
}

/* L4/H7: BRR and the frame format only while UE is 0. */
static void test_model_refuses_brr_and_format_while_enabled(void **state)
{
	struct fixture fx;

	(void)state;
	start(&fx, L476);
	open_line(&fx);
	expect_violation(&fx, "usart_misuse_brr_while_on", "BRR written");
	stop(&fx);
	start(&fx, L476);
	open_line(&fx);
	expect_violation(&fx, "usart_misuse_format_while_on", "frame format");
	stop(&fx);
	/* F2/F4 take a new BRR at any time */
	start(&fx, F205);
	open_line(&fx);
	call(&fx, "usart_misuse_brr_while_on", 0, 0);
	stop(&fx);
}

static void test_model_refuses_unclocked_access(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;
		uint32_t r;

		start(&fx, l);
		call(&fx, "usart_test_drop", 1, 0);
		assert_int_equal(
			uc_call_sym(fx.uc, "usart_test_open", NULL, 0, &r),
			UC_RUN_VIOLATION);
		assert_non_null(strstr(uc_first_violation(fx.uc),
				       "register access with its clock off"));
		stop(&fx);
		/* the USART clocked, its pins' port not */
		start(&fx, l);
		call(&fx, "usart_test_drop", 3, 0);
		assert_int_equal(
			uc_call_sym(fx.uc, "usart_test_open", NULL, 0, &r),
			UC_RUN_VIOLATION);
		assert_non_null(
			strstr(uc_first_violation(fx.uc), "GPIO port 0x"));
		stop(&fx);
	}
}

static void test_model_refuses_a_byte_while_disabled(void **state)
{
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;

		(void)state;
		start(&fx, l);
		open_line(&fx);
		expect_violation(&fx, "usart_misuse_write_while_off",
				 "transmitter off");
		stop(&fx);
	}
}

/* Bytes written over a full TDR are lost; returning before TC leaves
 * the last byte on its way. */
static void test_model_loses_bytes_written_too_early(void **state)
{
	(void)state;
	for (unsigned l = 0; l < LINES; l++) {
		struct fixture fx;
		uint8_t out[16], got[16];

		start(&fx, l);
		open_line(&fx);
		pattern(out, sizeof(out), 1);
		put_buf(&fx, out, sizeof(out));
		call(&fx, "usart_misuse_write_without_txe", sizeof(out), 0);
		assert_true(usart_model_take(fx.m, got, sizeof(got)) <
			    sizeof(out));
		assert_true(usart_model_tx_lost(fx.m) > 0);
		call(&fx, "usart_misuse_write_without_tc", sizeof(out), 0);
		assert_true(usart_model_take(fx.m, got, sizeof(got)) <
			    sizeof(out));
		stop(&fx);
	}
}

/* No pin in its alternate function: nothing reaches the line either
 * way. A wrong kernel clock: the bytes are garbled both ways. */
static void test_model_needs_pins_and_baud(void **state)
{
	(void)state;
	for (unsigned what = 0; what < 2; what++) {
		struct fixture fx;

		start(&fx, L476);
		if (what == 0)
			call(&fx, "usart_test_drop", 2, 0);
		else /* the driver told 8 MHz, the USART runs from 4 */
			call(&fx, "usart_test_set_clock", 8000000u, 115200u);
		open_line(&fx);
		put_buf(&fx, (const uint8_t *)"hi", 2);
		call(&fx, "usart_test_write", 2, 0);
		assert_int_equal(usart_model_sent(fx.m), 0);
		assert_int_equal(usart_model_tx_lost(fx.m), 2);
		usart_model_arrive(fx.m, "q", 1, 0);
		assert_int_equal(read_byte(&fx), -1);
		stop(&fx);
	}
}

/* An overrun left uncleared: on L4/H7 no byte reaches RDR any more; on
 * F2/F4 ORE stays set when DR is read without SR before it. */
static void test_model_keeps_overrun_until_cleared(void **state)
{
	struct fixture fx;

	(void)state;
	start(&fx, L476);
	open_line(&fx);
	usart_model_arrive(fx.m, "ab", 2, 0);
	assert_int_equal(call(&fx, "usart_misuse_read_without_clearing", 0, 0),
			 'a');
	usart_model_arrive(fx.m, "c", 1, 0);
	assert_int_equal(
		(int)call(&fx, "usart_misuse_read_without_clearing", 0, 0), -1);
	assert_int_equal(usart_model_rx_lost(fx.m), 2);
	stop(&fx);

	start(&fx, F205);
	open_line(&fx);
	usart_model_arrive(fx.m, "ab", 2, 0);
	assert_int_equal(call(&fx, "usart_misuse_read_without_clearing", 0, 0),
			 'a');
	assert_true(usart_model_status(fx.m) & (1u << 3));
	/* the driver's read clears it, though no byte is waiting */
	assert_int_equal(read_byte(&fx), -1);
	assert_false(usart_model_status(fx.m) & (1u << 3));
	assert_int_equal(stat(&fx, 0), 1);
	stop(&fx);
}

/* Without the pull-up an unplugged cable floats: breaks come in. */
static void test_model_floats_rx_without_pull_up(void **state)
{
	struct fixture fx;

	(void)state;
	start(&fx, L476);
	open_line(&fx);
	call(&fx, "usart_misuse_no_pull_up", 0, 0);
	usart_model_unplug(fx.m, true);
	for (int i = 0; i < 4; i++)
		read_byte(&fx);
	assert_true(stat(&fx, 1) > 0);
	stop(&fx);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_brr_is_kernel_clock_over_baud_for_each_board),
		cmocka_unit_test(test_unreachable_baud_is_refused),
		cmocka_unit_test(test_bytes_go_out_whole_before_write_returns),
		cmocka_unit_test(test_bytes_come_in_in_order),
		cmocka_unit_test(test_nothing_waiting_reads_minus_one),
		cmocka_unit_test(test_overrun_is_reported_and_cleared),
		cmocka_unit_test(test_framing_error_dropped_noise_delivered),
		cmocka_unit_test(test_unplugged_cable_reads_as_idle_line),
		cmocka_unit_test(
			test_model_refuses_brr_and_format_while_enabled),
		cmocka_unit_test(test_model_refuses_unclocked_access),
		cmocka_unit_test(test_model_refuses_a_byte_while_disabled),
		cmocka_unit_test(test_model_loses_bytes_written_too_early),
		cmocka_unit_test(test_model_needs_pins_and_baud),
		cmocka_unit_test(test_model_keeps_overrun_until_cleared),
		cmocka_unit_test(test_model_floats_rx_without_pull_up),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <usart_image.elf>\n", argv[0]);
		return 2;
	}
	image = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
