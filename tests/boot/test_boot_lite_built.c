/*
 * A lite bootloader built for OVERWRITE alone (FK_BOOT_NO_SWAP,
 * FK_BOOT_NO_XIP, FK_BOOT_NO_RAM_LOAD, as a product leaves them out)
 * refuses a configuration that asks for another strategy: FK_EINVAL to
 * the recovery hook, before anything is read or written, instead of
 * running the overwrite code on an XIP or SWAP layout. This file compiles
 * lite.c itself with those switches; the rest comes from the library.
 */
#define FK_BOOT_NO_SWAP
#define FK_BOOT_NO_XIP
#define FK_BOOT_NO_RAM_LOAD
#include "boot/lite.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

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

/* No memory behind the areas: any access would crash the test. */
static void test_left_out_strategies_go_to_recovery(void **state)
{
	static const enum fk_boot_strategy others[] = { FK_BOOT_SWAP,
							FK_BOOT_XIP,
							FK_BOOT_RAM_LOAD, 7 };
	struct fk_boot_config cfg = { .image_count = 1,
				      .trial_boots = 1,
				      .port = { .jump = jump,
						.recovery = recovery } };

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cfg.strategy = others[i];
		reason = 0;
		assert_int_equal(fk_boot_lite(&cfg), FK_EINVAL);
		assert_int_equal(reason, FK_EINVAL);
	}
	cfg.strategy = FK_BOOT_OVERWRITE;
	cfg.image_count = 2;
	assert_int_equal(fk_boot_lite(&cfg), FK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_left_out_strategies_go_to_recovery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
