/*
 * RAM_LOAD (src/boot/strategy_ram_load.c), one rule per test: the image
 * runs from its copy in RAM, validated there; trial, confirm and revert
 * as XIP; images not signed for the RAM, or larger than it, are refused
 * before anything is marked; a copy damaged in RAM after the copy, or a
 * slot changed while it is copied, is never started; the configuration
 * checks of the RAM. Runs on the uniform-4k and dual-image rigs
 * (rigs.h) with images signed by the real signing code; the power-cut
 * sweeps are test_boot_sweep and test_boot_history (strategy ram-load).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashkit/update.h"
#include "rigs.h"

static struct fk_rig rig;

static void make(enum rig_geo geo)
{
	assert_int_equal(rig_build(&rig, FK_BOOT_RAM_LOAD, geo), 0);
	fk_rig_prepare(&rig);
}

static int teardown(void **state)
{
	(void)state;
	fk_rig_destroy(&rig);
	return 0;
}

static struct fk_boot_status status(void)
{
	struct fk_boot_status st;

	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	return st;
}

static void stage(enum fk_boot_mode mode)
{
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, mode), FK_OK);
}

/* The RAM of image i holds img from its first byte. */
static bool ram_holds(uint32_t i, const uint8_t *img, size_t len)
{
	return memcmp(rig.cfg.images[i].ram.mem, img, len) == 0;
}

/* RAM as after a power-up: nothing of an earlier boot left. */
static void clear_ram(void)
{
	for (uint32_t i = 0; i < rig.cfg.image_count; i++)
		memset(rig.cfg.images[i].ram.mem, 0, rig.cfg.images[i].ram.size);
}

static void test_runs_new_image_from_ram_then_reverts_unconfirmed(void **state)
{
	(void)state;
	make(GEO_UNIFORM_4K);
	clear_ram();
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(ram_holds(0, rig.old_img[0], rig.old_len[0]));
	stage(FK_BOOT_TEST);
	/* the rig's jump hook fails any jump that is not into the RAM */
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_true(ram_holds(0, rig.new_img[0], rig.new_len[0]));
	assert_int_equal(status().phase, FK_BOOT_TRIAL);
	assert_int_equal(status().xip_active, 1);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().xip_active, 0);
	assert_true(ram_holds(0, rig.old_img[0], rig.old_len[0]));
}

static uint64_t erases(void)
{
	struct fk_sim_stats st;

	fk_sim_get_stats(rig.mem[0].sim, &st);
	return st.erases;
}

static void test_confirmed_image_stays_and_installs_write_no_slot(void **state)
{
	uint64_t before;

	(void)state;
	make(GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	before = erases();
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(erases(), before);
}

/* Replaces new image 0 by one signed for load_addr (0: no RAM_LOAD). */
static void resign_new(uint32_t load_addr)
{
	free(rig.new_img[0]);
	assert_int_equal(rig_image_at(19000, 7, 2, 8, load_addr,
				      &rig.new_img[0], &rig.new_len[0]),
			 0);
}

static void test_refuses_image_signed_for_another_ram(void **state)
{
	(void)state;
	make(GEO_UNIFORM_4K);
	resign_new(RIG_RAM_ADDR(0) + 0x1000);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_EMISMATCH);
	resign_new(0); /* an image for XIP: no RAM_LOAD flag */
	assert_int_equal(fk_rig_upload(&rig, 0), FK_EMISMATCH);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_ESTATE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_refuses_image_larger_than_its_ram(void **state)
{
	(void)state;
	make(GEO_UNIFORM_4K);
	rig.cfg.images[0].ram.size = (uint32_t)rig.new_len[0] - 1;
	assert_int_equal(fk_boot_max_image_size(&rig.cfg, 0),
			 rig.cfg.images[0].ram.size);
	assert_int_not_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	/* and an image already in a slot that outgrew the RAM never runs */
	rig.cfg.images[0].ram.size = (uint32_t)rig.old_len[0] - 1;
	assert_int_equal(fk_rig_boot(&rig), FK_ENOSPC);
	assert_int_equal(rig.jumped, 0);
	assert_int_equal(rig.recovery_reason, FK_ENOSPC);
}

/*
 * The kick hook plays the attacker or the fault: once, when the copy
 * reaches a point, it damages the RAM copy (after the copy ended, before
 * the validation) or the slot being copied (after the first buffer).
 */
enum tamper { TAMPER_RAM, TAMPER_SLOT };
static enum tamper tamper;
static const struct fk_area *tamper_slot;
static bool tampered;

static void tamper_kick(void *ctx)
{
	struct fk_rig *r = ctx;
	uint8_t *ram = r->cfg.images[0].ram.mem;
	const struct fk_area *s = tamper_slot;
	uint8_t head[64];

	if (tampered || fk_area_read(s, 0, head, sizeof(head)) != FK_OK)
		return;
	if (tamper == TAMPER_RAM) {
		uint32_t len = (uint32_t)r->old_len[0];
		uint8_t *img = malloc(len);

		/* the whole image is in RAM: the copy is over */
		if (fk_area_read(s, 0, img, len) == FK_OK &&
		    memcmp(ram, img, len) == 0) {
			ram[len / 2] ^= 0x40;
			tampered = true;
		}
		free(img);
	} else if (memcmp(ram, head, sizeof(head)) == 0) {
		/* the first buffer is copied; change a byte further on */
		uint8_t *mem = fk_sim_data(r->mem[0].sim);

		mem[s->off + 3 * r->cfg.buf_len] ^= 0x40;
		tampered = true;
	}
}

static void arm_tamper(enum tamper t, const struct fk_area *slot)
{
	tamper = t;
	tamper_slot = slot;
	tampered = false;
	rig.cfg.port.kick = tamper_kick;
	clear_ram();
}

static void test_ram_copy_damaged_after_the_copy_is_never_started(void **state)
{
	(void)state;
	make(GEO_UNIFORM_4K);
	arm_tamper(TAMPER_RAM, &rig.cfg.images[0].primary);
	/* only slot A holds an image: nothing to fall back to */
	assert_int_equal(fk_rig_boot(&rig), FK_EDIGEST);
	assert_true(tampered);
	assert_int_equal(rig.jumped, 0);
	assert_int_equal(rig.recovery_reason, FK_EDIGEST);
	/* the slot is intact: the next boot copies it again and runs it */
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_slot_changed_during_the_copy_is_never_started(void **state)
{
	(void)state;
	make(GEO_UNIFORM_4K);
	stage(FK_BOOT_PERMANENT);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	/* slot B (the new image) changes while it is copied: the copy fails
	 * its digest, slot A's image is started instead, from RAM */
	arm_tamper(TAMPER_SLOT, &rig.cfg.images[0].secondary);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(tampered);
	assert_true(ram_holds(0, rig.old_img[0], rig.old_len[0]));
	assert_int_equal(status().xip_active, 0);
}

static void test_two_images_run_from_their_own_ram(void **state)
{
	(void)state;
	make(GEO_DUAL);
	clear_ram();
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_rig_upload(&rig, 1), FK_OK);
	/* both images switch together: a mask of one is refused */
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_EINVAL);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 3, FK_BOOT_TEST),
			 FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_true(ram_holds(0, rig.new_img[0], rig.new_len[0]));
	assert_true(ram_holds(1, rig.new_img[1], rig.new_len[1]));
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void expect_why(enum fk_boot_config_problem p, int rc, uint32_t image)
{
	struct fk_boot_config_why why;

	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), rc);
	assert_int_equal(why.problem, p);
	if (p != FK_BOOT_CONFIG_OK) {
		assert_int_equal(why.area, FK_BOOT_AREA_RAM);
		assert_int_equal(why.image, image);
		assert_string_equal(fk_boot_area_name(why.area), "RAM");
	}
	assert_true(strlen(fk_boot_config_problem_text(p)) > 10);
}

static void test_config_refuses_missing_shared_or_wrapping_ram(void **state)
{
	struct fk_boot_ram ram1;

	(void)state;
	make(GEO_DUAL);
	expect_why(FK_BOOT_CONFIG_OK, FK_OK, 0);
	ram1 = rig.cfg.images[1].ram;
	rig.cfg.images[1].ram.size = 0;
	expect_why(FK_BOOT_CONFIG_RAM_MISSING, FK_EINVAL, 1);
	rig.cfg.images[1].ram = ram1;
	rig.cfg.images[1].ram.mem = NULL;
	expect_why(FK_BOOT_CONFIG_RAM_MISSING, FK_EINVAL, 1);
	rig.cfg.images[1].ram = ram1;
	rig.cfg.images[1].ram.addr = RIG_RAM_ADDR(0) + 0x100;
	expect_why(FK_BOOT_CONFIG_RAM_OVERLAP, FK_EINVAL, 1);
	rig.cfg.images[1].ram.addr = RIG_RAM_ADDR(0) - 0x100;
	expect_why(FK_BOOT_CONFIG_RAM_OVERLAP, FK_EINVAL, 1);
	rig.cfg.images[1].ram.addr = 0xFFFFF000u;
	expect_why(FK_BOOT_CONFIG_RAM_OUTSIDE, FK_ERANGE, 1);
	rig.cfg.images[1].ram = ram1;
	expect_why(FK_BOOT_CONFIG_OK, FK_OK, 0);
	/* a refused configuration never boots */
	rig.cfg.images[0].ram.size = 0;
	assert_int_equal(fk_rig_boot(&rig), FK_EINVAL);
	assert_int_equal(rig.jumped, 0);
	/* the other strategies ignore the field */
	rig.cfg.strategy = FK_BOOT_XIP;
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_OK);
	rig.cfg.strategy = (enum fk_boot_strategy)(FK_BOOT_RAM_LOAD + 1);
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_runs_new_image_from_ram_then_reverts_unconfirmed),
		T(test_confirmed_image_stays_and_installs_write_no_slot),
		T(test_refuses_image_signed_for_another_ram),
		T(test_refuses_image_larger_than_its_ram),
		T(test_ram_copy_damaged_after_the_copy_is_never_started),
		T(test_slot_changed_during_the_copy_is_never_started),
		T(test_two_images_run_from_their_own_ram),
		T(test_config_refuses_missing_shared_or_wrapping_ram),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
