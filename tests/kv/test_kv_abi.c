/*
 * An application built with other FK_KV_MAX_KEYS / FK_KV_RECORD_MAX than
 * the library (this file is compiled with -DFK_KV_MAX_KEYS=64
 * -DFK_KV_RECORD_MAX=64, the library with the defaults) has a smaller
 * struct fk_kv than the library thinks: mount must refuse it with
 * FK_EABI and write nothing into it, rather than run past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/kv.h"
#include "flashsim.h"

#if FK_KV_MAX_KEYS != 64 || FK_KV_RECORD_MAX != 64
#error "build this test with -DFK_KV_MAX_KEYS=64 -DFK_KV_RECORD_MAX=64"
#endif

static void test_mount_refuses_a_caller_built_with_other_sizes(void **state)
{
	static const struct fk_sector_run run = { 4, 4096 };
	static struct {
		struct fk_kv kv;
		uint8_t after[1024];
	} app;
	const struct fk_kv_config cfg = { 16, 16, 64 , 0 };
	struct fk_sim_config c;
	struct fk_sim *sim;
	struct fk_area area;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.geo.size = 4 * 4096;
	c.geo.runs = &run;
	c.geo.run_count = 1;
	c.geo.write_unit = 1;
	c.geo.erased_value = 0xFF;
	sim = fk_sim_create(&c);
	assert_non_null(sim);
	assert_int_equal(fk_area_init(&area, fk_sim_flash(sim), 0, c.geo.size),
			 FK_OK);
	memset(&app, 0xA5, sizeof(app));
	assert_int_equal(fk_kv_mount(&app.kv, &area, &cfg), FK_EABI);
	for (size_t i = 0; i < sizeof(app.after); i++)
		assert_int_equal(app.after[i], 0xA5);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_mount_refuses_a_caller_built_with_other_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
