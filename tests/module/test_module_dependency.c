/*
 * The bootloader refuses an app whose library module is missing or too
 * old: the app image carries a DEPENDENCY TLV on the module's image id
 * (image_count + its index in cfg.modules), and the boot core checks
 * the module's area in flash, read only, before anything is installed.
 * A uniform-4k rig (tests/boot/rigs.h) plus a second flash holding the
 * module, images signed by the real signing code.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/rigs.h"

static struct fk_rig rig;

/* The rig, a 16K module flash (memory 1) and the module's area. */
static void make(enum fk_boot_strategy strategy)
{
	static const struct fk_sector_run runs[] = { { 4, 4096 } };
	struct fk_sim_config sc = { 0 };

	assert_int_equal(rig_build(&rig, strategy, GEO_UNIFORM_4K), 0);
	sc.geo.runs = runs;
	sc.geo.run_count = 1;
	sc.geo.size = 4 * 4096;
	sc.geo.write_unit = 8;
	sc.geo.erased_value = 0xFF;
	sc.timing.erase_us_per_kib = 6700;
	sc.timing.erase_us_fixed = 20000;
	sc.timing.program_us_per_unit = 16;
	assert_int_equal(fk_rig_add_memory(&rig, &sc), 0);
	rig.cfg.module_count = 1;
	rig.cfg.modules[0] = (struct fk_area){ &rig.mem[1].flash, 0, 16384 };
	fk_rig_prepare(&rig);
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_OK);
}

static int teardown(void **state)
{
	(void)state;
	fk_rig_destroy(&rig);
	return 0;
}

/* Programs a module image of version major.minor (production). */
static void put_module(uint8_t major, uint8_t minor)
{
	struct fk_rig_image_spec spec = {
		.payload_len = 3000,
		.seed = 77,
		.version = { .major = major, .minor = minor },
		.hdr_size = 0x200,
		.align = 8,
		.key = &rig_key,
	};
	uint8_t *img;
	size_t len;

	assert_int_equal(fk_rig_make_image(&spec, &img, &len), 0);
	fk_rig_program_direct(&rig, &rig.cfg.modules[0], img, len, 0xFF);
	free(img);
}

/* Stages a new app that needs module 0 (image id 1) >= major.minor. */
static int stage_app_needing(uint8_t major, uint8_t minor, uint8_t image_id)
{
	struct fk_rig_image_spec spec = {
		.payload_len = 15000,
		.seed = 5,
		.version = { .major = 2 },
		.hdr_size = 0x100,
		.align = 8,
		.key = &rig_key,
		.dep_count = 1,
	};

	spec.deps[0].image_id = image_id;
	spec.deps[0].min_version.major = major;
	spec.deps[0].min_version.minor = minor;
	free(rig.new_img[0]);
	assert_int_equal(
		fk_rig_make_image(&spec, &rig.new_img[0], &rig.new_len[0]), 0);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	return fk_boot_set_pending(&rig.cfg, 1,
				   rig.cfg.strategy == FK_BOOT_OVERWRITE ?
					   FK_BOOT_PERMANENT :
					   FK_BOOT_TEST);
}

static void test_app_refused_when_its_module_is_missing(void **state)
{
	(void)state;
	make(FK_BOOT_OVERWRITE);
	assert_int_equal(stage_app_needing(1, 0, 1), FK_EDEPEND);
}

static void test_app_refused_when_its_module_is_too_old(void **state)
{
	(void)state;
	make(FK_BOOT_OVERWRITE);
	put_module(1, 1);
	assert_int_equal(stage_app_needing(1, 2, 1), FK_EDEPEND);
}

static void test_app_refused_when_its_module_is_damaged(void **state)
{
	uint8_t *mem;

	(void)state;
	make(FK_BOOT_SWAP);
	put_module(1, 2);
	mem = fk_sim_data(rig.mem[1].sim);
	mem[0x200 + 100] ^= 0x01; /* a payload byte: the digest fails */
	assert_int_equal(stage_app_needing(1, 2, 1), FK_EDEPEND);
}

static void test_app_refused_naming_no_module(void **state)
{
	(void)state;
	make(FK_BOOT_OVERWRITE);
	put_module(1, 2);
	/* image id 2: neither an image nor a module of this config */
	assert_int_equal(stage_app_needing(1, 0, 2), FK_EDEPEND);
}

static void test_app_installed_when_module_is_new_enough(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP);
	put_module(1, 2);
	assert_int_equal(stage_app_needing(1, 2, 1), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	/* a newer module still meets it: updated alone, the app stays */
	put_module(1, 5);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

/* The check runs again when the bootloader installs: a module erased
 * after the app was marked pending stops the install. */
static void test_install_refused_when_module_erased_after_marking(void **state)
{
	struct fk_boot_status st;

	(void)state;
	make(FK_BOOT_OVERWRITE);
	put_module(1, 2);
	assert_int_equal(stage_app_needing(1, 2, 1), FK_OK);
	fk_rig_program_direct(&rig, &rig.cfg.modules[0], NULL, 0, 0xFF);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	assert_int_equal(st.last_refusal, FK_EDEPEND);
}

static void test_config_refuses_bad_module_areas(void **state)
{
	struct fk_boot_config_why why;

	(void)state;
	make(FK_BOOT_OVERWRITE);
	rig.cfg.module_count = FK_BOOT_MAX_MODULES + 1;
	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), FK_EINVAL);
	assert_int_equal(why.problem, FK_BOOT_CONFIG_MODULE_COUNT);
	rig.cfg.module_count = 1;
	rig.cfg.modules[0] = rig.cfg.images[0].primary;
	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), FK_EINVAL);
	assert_int_equal(why.problem, FK_BOOT_CONFIG_OVERLAP);
	assert_int_equal(why.area, FK_BOOT_AREA_MODULE);
	assert_string_equal(fk_boot_area_name(why.area), "module");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_app_refused_when_its_module_is_missing, teardown),
		cmocka_unit_test_teardown(
			test_app_refused_when_its_module_is_too_old, teardown),
		cmocka_unit_test_teardown(
			test_app_refused_when_its_module_is_damaged, teardown),
		cmocka_unit_test_teardown(test_app_refused_naming_no_module,
					  teardown),
		cmocka_unit_test_teardown(
			test_app_installed_when_module_is_new_enough, teardown),
		cmocka_unit_test_teardown(
			test_install_refused_when_module_erased_after_marking,
			teardown),
		cmocka_unit_test_teardown(test_config_refuses_bad_module_areas,
					  teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
