/*
 * test_boot_api.c's cases for the lite core (its "lite" group: the
 * one-image rules and the lite core's refusals), built on the lite
 * variant of the device library (tests/boot/CMakeLists.txt): the update
 * API is then src/boot/lite_app.c, not upload.c and app.c, so every
 * upload, mark, confirmation and status of those cases goes through it.
 *
 * One case expects what only the full API does and is replaced here by
 * what lite_app.c promises instead: a staged image with a DEPENDENCY TLV
 * is refused by fk_boot_set_pending() itself (FK_EDEPEND, nothing
 * written), where the full API marks it and leaves the refusal to the
 * lite bootloader. Another sets up a two-image rig through the update
 * API, which lite_app.c refuses: it is replaced by the lite API's own
 * refusal (FK_EINVAL, nothing written) before the lite core's. One more:
 * an image staged into a full log (the differential test's "fill" section
 * found it: test_lite_app_diff.c).
 */
#define main test_boot_api_main
#include "test_boot_api.c"
#undef main

static void test_lite_app_refuses_to_mark_image_with_dependency(void **state)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);
	struct fk_boot_status before;
	uint64_t op;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	spec.dep_count = 1;
	spec.deps[0].image_id = 0;
	spec.deps[0].min_version.major = 1;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	before = status();
	op = rig.op;
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_EDEPEND);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_PERMANENT),
			 FK_EDEPEND);
	assert_true(rig.op == op);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().records_used, before.records_used);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
	/* the same image without the dependency is marked and installed */
	replace_new(0, &(struct fk_rig_image_spec){ .payload_len = 15000,
						    .seed = 9,
						    .version = { .major = 2 },
						    .hdr_size = 0x100,
						    .align = 8,
						    .key = &rig_key });
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

/* The lite API takes one image and no RAM_LOAD, as the lite core boots
 * (bl_read()): a two-image or RAM_LOAD configuration is refused with
 * FK_EINVAL before anything is written, and the lite core sends it to
 * the recovery hook. */
static void test_lite_app_refuses_two_images_and_ram_load(void **state)
{
	static const enum fk_boot_strategy strategy[] = { FK_BOOT_SWAP,
							  FK_BOOT_RAM_LOAD };
	static const enum rig_geo geo[] = { GEO_DUAL, GEO_UNIFORM_4K };
	struct fk_boot_status st;
	struct fk_update u;
	uint64_t op;

	(void)state;
	for (int i = 0; i < 2; i++) {
		make(strategy[i], geo[i]);
		op = rig.op;
		assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_EINVAL);
		assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
				 FK_EINVAL);
		assert_int_equal(fk_boot_confirm(&rig.cfg), FK_EINVAL);
		assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_EINVAL);
		assert_true(rig.op == op);
		expect_recovery_without_writing(FK_EINVAL);
		fk_rig_destroy(&rig);
	}
	/* the same geometry boots with one image, without RAM_LOAD */
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* Torn records fill the log while an upload runs: the STAGED record then
 * finds it full and compacts it first, and must still carry the image's
 * digest (set_pending compares it with the staged image). */
static void test_lite_app_stages_image_into_a_full_log(void **state)
{
	struct fk_boot_status st;
	struct fk_update u;
	uint8_t *log;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_OK);
	st = status();
	log = fk_sim_data(rig.mem[0].sim) + rig.cfg.state.off;
	memset(log + st.records_used * 24, 0xA5,
	       (st.records_total - st.records_used) * 24);
	assert_int_equal(status().records_used, st.records_total);
	assert_int_equal(fk_update_write(&u, 0, rig.new_img[0],
					 (uint32_t)rig.new_len[0]),
			 FK_OK);
	assert_int_equal(fk_update_finish(&u), FK_OK);
	assert_true(status().records_used < 10);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase, FK_BOOT_TRIAL);
}

int main(void)
{
	char name[] = "test_lite_app_api", lite[] = "lite";
	char *argv[] = { name, lite, NULL };
	const struct CMUnitTest own[] = {
		cmocka_unit_test_teardown(
			test_lite_app_refuses_to_mark_image_with_dependency,
			teardown),
		cmocka_unit_test_teardown(
			test_lite_app_refuses_two_images_and_ram_load,
			teardown),
		cmocka_unit_test_teardown(
			test_lite_app_stages_image_into_a_full_log, teardown),
	};
	int rc;

	/* test_lite_refuses_image_with_dependency and
	 * test_lite_refuses_two_images_and_ram_load_through_recovery, both
	 * replaced above */
	cmocka_set_skip_filter("test_lite_refuses_*");
	rc = test_boot_api_main(2, argv);
	cmocka_set_skip_filter(NULL);
	return rc | cmocka_run_group_tests_name("lite_app", own, NULL, NULL);
}
