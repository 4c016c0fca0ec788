/*
 * A lite bootloader built for OVERWRITE alone (FK_BOOT_NO_SWAP,
 * FK_BOOT_NO_XIP, FK_BOOT_NO_RAM_LOAD, as a product leaves them out)
 * refuses a configuration that asks for another strategy, or two images:
 * fk_boot_lite() with FK_EINVAL to the recovery hook, and the lite update
 * API (lite_app.c) with FK_EINVAL, before anything is read or written,
 * instead of running the overwrite code on an XIP or SWAP layout (lite.h's
 * IS_* are constants in such a build). This file compiles lite.c,
 * lite_state.c and lite_app.c itself with those switches; the rest comes
 * from the library. The configuration is otherwise sound: the same one
 * with OVERWRITE reads the (blank) log and boots nothing.
 */
#define FK_BOOT_NO_SWAP
#define FK_BOOT_NO_XIP
#define FK_BOOT_NO_RAM_LOAD
#define FK_BOOT_LITE
#include "boot/lite.c"
#include "boot/lite_app.c"
#include "boot/lite_state.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "flashsim.h"

static int reason;

static void recovery(void *ctx, int why)
{
	(void)ctx;
	reason = why;
}

static void jump(void *ctx, const struct fk_boot_image_ref *refs,
		 uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
	fail_msg("jumped");
}

/* Every entry of the lite API answers rc for cfg. */
static void api_answers(const struct fk_boot_config *cfg, int rc)
{
	struct fk_boot_upload up;
	struct fk_boot_status st;
	uint32_t off;

	assert_int_equal(fk_boot_upload_begin(cfg, 0, &up), rc);
	assert_int_equal(fk_boot_status(cfg, &st), rc);
	assert_int_equal(fk_boot_confirm(cfg), rc);
	assert_int_equal(fk_boot_upload_sync(cfg, 0, 0), rc);
	if (rc != FK_OK) {
		assert_int_equal(fk_boot_upload_resume(cfg, 0, &up, &off), rc);
		assert_int_equal(fk_boot_set_pending(cfg, 1, FK_BOOT_PERMANENT),
				 rc);
	}
}

static void test_left_out_strategies_are_refused(void **state)
{
	static const struct fk_sector_run run = { 32, 4096 };
	static const enum fk_boot_strategy others[] = { FK_BOOT_SWAP,
							FK_BOOT_XIP,
							FK_BOOT_RAM_LOAD, 7 };
	struct fk_sim_config sc = { 0 };
	struct fk_boot_config cfg = { .image_count = 1,
				      .trial_boots = 1,
				      .port = { .jump = jump,
						.recovery = recovery } };
	struct fk_sim_stats stats;
	uint8_t buf[256];
	struct fk_sim *sim;

	(void)state;
	sc.geo.runs = &run;
	sc.geo.run_count = 1;
	sc.geo.size = 32 * 4096;
	sc.geo.write_unit = 4;
	sc.geo.erased_value = 0xFF;
	sim = fk_sim_create(&sc);
	assert_non_null(sim);
	assert_int_equal(fk_area_init(&cfg.images[0].primary, fk_sim_flash(sim),
				      4096, 12 * 4096),
			 FK_OK);
	assert_int_equal(fk_area_init(&cfg.images[0].secondary,
				      fk_sim_flash(sim), 16 * 4096, 12 * 4096),
			 FK_OK);
	assert_int_equal(
		fk_area_init(&cfg.state, fk_sim_flash(sim), 28 * 4096, 4096),
		FK_OK);
	cfg.buf = buf;
	cfg.buf_len = sizeof(buf);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cfg.strategy = others[i];
		reason = 0;
		assert_int_equal(fk_boot_lite(&cfg), FK_EINVAL);
		assert_int_equal(reason, FK_EINVAL);
		api_answers(&cfg, FK_EINVAL);
	}
	cfg.strategy = FK_BOOT_OVERWRITE;
	cfg.image_count = 2;
	assert_int_equal(fk_boot_lite(&cfg), FK_EINVAL);
	api_answers(&cfg, FK_EINVAL);
	fk_sim_get_stats(sim, &stats);
	assert_int_equal(stats.programs + stats.erases, 0);
	/* the same flash and slots with the strategy built: a blank log,
	 * nothing to boot */
	cfg.image_count = 1;
	reason = 0;
	assert_int_equal(fk_boot_lite(&cfg), FK_EBADIMG);
	assert_int_equal(reason, FK_EBADIMG);
	api_answers(&cfg, FK_OK);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_left_out_strategies_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
