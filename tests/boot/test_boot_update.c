/*
 * The update API under power cuts: an upload (fk_update_begin/write/
 * finish and fk_boot_set_pending) is cut before, after and in the middle
 * of each of its flash operations. After each cut the device must boot
 * its old image (or the new one when the pending mark had landed), and
 * the application must be able to resume the upload from the offset
 * fk_update_resume() gives and end with the new image installed. Also:
 * the API's argument and order checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashkit/update.h"
#include "rigs.h"

static struct fk_rig rig;

/* Sends new image 0 from offset off in 700-byte pieces and finishes. */
static int send_from(struct fk_update *u, uint32_t off)
{
	int rc = FK_OK;

	while (rc == FK_OK && off < rig.new_len[0]) {
		uint32_t n = (uint32_t)rig.new_len[0] - off;

		n = n < 700 ? n : 700;
		rc = fk_update_write(u, off, rig.new_img[0] + off, n);
		off += n;
	}
	return rc == FK_OK ? fk_update_finish(u) : rc;
}

static int upload_and_mark(void)
{
	struct fk_update u;
	int rc = fk_update_begin(&u, &rig.cfg, 0);

	if (rc == FK_OK)
		rc = send_from(&u, 0);
	return rc == FK_OK ? fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST) :
			     rc;
}

static void sweep(enum fk_boot_strategy strategy, enum rig_geo geo)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_rig_snapshot *start;
	uint64_t op0, end, cases = 0, resumed = 0;

	assert_int_equal(rig_build(&rig, strategy, geo), 0);
	fk_rig_prepare(&rig);
	start = fk_rig_snapshot(&rig);
	assert_non_null(start);
	op0 = rig.op;
	assert_int_equal(upload_and_mark(), FK_OK);
	end = rig.op;
	for (uint64_t op = op0; op < end; op++) {
		for (int k = 0; k < 3; k++) {
			struct fk_update u;
			uint32_t off = 0;
			int booted, rc;

			fk_rig_restore(&rig, start);
			fk_rig_arm_cut(&rig, op, kinds[k], op * 7 + (uint64_t)k);
			assert_int_not_equal(upload_and_mark(), FK_OK);
			assert_true(rig.power_lost);
			booted = fk_rig_boot(&rig);
			cases++;
			if (booted == FK_RIG_BOOTED_NEW)
				continue; /* the pending mark had landed */
			assert_int_equal(booted, FK_RIG_BOOTED_OLD);
			rc = fk_update_resume(&u, &rig.cfg, 0, &off);
			if (rc == FK_ENOENT)
				rc = fk_update_begin(&u, &rig.cfg, 0);
			assert_int_equal(rc, FK_OK);
			resumed += off > 0;
			assert_int_equal(send_from(&u, off), FK_OK);
			assert_int_equal(fk_boot_set_pending(&rig.cfg, 1,
							     FK_BOOT_TEST),
					 FK_OK);
			assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		}
	}
	printf("upload %s: %llu ops, %llu cut cases, %llu resumed mid-image\n",
	       rig_geo_names[geo], (unsigned long long)(end - op0),
	       (unsigned long long)cases, (unsigned long long)resumed);
	assert_int_equal(cases, 3 * (end - op0));
	assert_true(resumed > 0);
	fk_rig_snapshot_free(&rig, start);
	fk_rig_destroy(&rig);
}

static void test_upload_cut_anywhere_resumes_swap_external_nor(void **state)
{
	(void)state;
	sweep(FK_BOOT_SWAP, GEO_TWO_MEM);
}

static void test_upload_cut_anywhere_resumes_program_once(void **state)
{
	(void)state;
	sweep(FK_BOOT_SWAP, GEO_ECC32);
}

static void test_upload_cut_anywhere_resumes_xip(void **state)
{
	(void)state;
	sweep(FK_BOOT_XIP, GEO_UNIFORM_4K);
}

static void test_write_must_continue_where_upload_is(void **state)
{
	struct fk_update u;

	(void)state;
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_OK);
	assert_int_equal(fk_update_write(&u, 0, rig.new_img[0], 10), FK_OK);
	assert_int_equal(fk_update_write(&u, 20, rig.new_img[0] + 20, 10),
			 FK_EINVAL);
	assert_int_equal(fk_update_write(&u, 10, rig.new_img[0] + 10, 0xFFFFF),
			 FK_ENOSPC);
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 5), FK_EINVAL);
	/* an image cut short does not validate and is not staged */
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_OK);
	assert_int_equal(fk_update_write(&u, 0, rig.new_img[0], 4000), FK_OK);
	assert_int_not_equal(fk_update_finish(&u), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_ESTATE);
	fk_rig_destroy(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_cut_anywhere_resumes_swap_external_nor),
		cmocka_unit_test(test_upload_cut_anywhere_resumes_program_once),
		cmocka_unit_test(test_upload_cut_anywhere_resumes_xip),
		cmocka_unit_test(test_write_must_continue_where_upload_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
