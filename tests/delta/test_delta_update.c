/*
 * Applying a patch through the update API under power cuts
 * (flashkit/delta_update.h): the sweep of host/delta/delta_rig.h (the one
 * `flashkit sim --patch` runs) on four rigs: the patch from the rig's old
 * image to a new version of it (code inserted, addresses moved, a new part
 * appended) applied in 700-byte pieces and marked pending, a cut before,
 * after and in the middle of every flash operation of that, each followed
 * by a resume from the block fk_delta_update_resume() names and the new
 * image installed. Also: XIP's second patch reads slot B, a patch for
 * another old image is refused before anything is written, and a damaged
 * patch is never staged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/rigs.h"
#include "delta/delta.h"
#include "delta/delta_rig.h"
#include "flashkit/delta_update.h"
#include "image/sign.h"

/* 8 KiB blocks: several per image, and larger than the sync span, so a
 * resume rebuilds bytes already in flash */
#define LOG2 13

static struct fk_rig rig;
static uint8_t *stream;
static size_t stream_len;
static struct fk_delta_params params;
static uint8_t old_sha[32];
static enum fk_boot_mode mark; /* OVERWRITE cannot revert: PERMANENT */

/* The new version: ins bytes inserted, addresses moved, tail appended
 * (fk_delta_changed_image), signed as the rig's images are. */
static void make_new_image(uint32_t wu, uint32_t ins, uint32_t tail)
{
	struct fk_sign_opts o;
	struct fk_diag diag = { 0 };
	uint8_t *img;
	size_t len;

	fk_sign_opts_init(&o);
	o.version.major = 2;
	o.pad_header = true;
	o.align = wu;
	o.key = &rig_key;
	assert_int_equal(fk_delta_changed_image(rig.old_img[0], rig.old_len[0],
						ins, tail, &o, &img, &len,
						&diag),
			 0);
	free(rig.new_img[0]);
	rig.new_img[0] = img;
	rig.new_len[0] = len;
}

static void make_patch(void)
{
	union fk_sha256_state st;
	struct fk_diag diag = { 0 };

	assert_int_equal(fk_delta_encode(rig.old_img[0], rig.old_len[0],
					 rig.new_img[0], rig.new_len[0], LOG2,
					 &stream, &stream_len, NULL, &diag),
			 0);
	params.old_size = (uint32_t)rig.old_len[0];
	params.new_size = (uint32_t)rig.new_len[0];
	params.block_log2 = LOG2;
	fk_builtin_sha256_init(&st);
	fk_builtin_sha256_update(&st, rig.old_img[0], rig.old_len[0]);
	fk_builtin_sha256_finish(&st, old_sha);
}

static int send_all(struct fk_delta_update *du)
{
	size_t off = 0;
	int rc = FK_OK;

	while (rc == FK_OK && off < stream_len) {
		size_t n = stream_len - off < 700 ? stream_len - off : 700;

		rc = fk_delta_update_write(du, stream + off, (uint32_t)n);
		off += n;
	}
	return rc == FK_OK ? fk_delta_update_finish(du) : rc;
}

static int apply_and_mark(void)
{
	static struct fk_delta_update du;
	int rc = fk_delta_update_begin(&du, &rig.cfg, 0, &params, old_sha);

	if (rc == FK_OK)
		rc = send_all(&du);
	return rc == FK_OK ? fk_boot_set_pending(&rig.cfg, 1, mark) : rc;
}

static void setup_rig(enum fk_boot_strategy strategy, enum rig_geo geo)
{
	assert_int_equal(rig_build(&rig, strategy, geo), 0);
	mark = strategy == FK_BOOT_OVERWRITE ? FK_BOOT_PERMANENT : FK_BOOT_TEST;
	make_new_image(rig.cfg.images[0].secondary.flash->geo.write_unit, 300,
		       4000);
	make_patch();
	fk_rig_prepare(&rig);
}

static void sweep(enum fk_boot_strategy strategy, enum rig_geo geo)
{
	struct fk_delta_sweep sw = { .image = 0,
				     .block_log2 = LOG2,
				     .piece = 700 };
	struct fk_delta_sweep_result res;

	setup_rig(strategy, geo);
	free(stream); /* the sweep encodes its own */
	sw.mark = mark;
	assert_int_equal(fk_delta_sweep(&rig, &sw, &res), 0);
	printf("patch %s: %zu-byte stream for a %zu-byte image, %llu ops, "
	       "%llu cut cases, %llu resumed mid-image, %llu failures%s%s\n",
	       rig_geo_names[geo], res.stream_len, rig.new_len[0],
	       (unsigned long long)res.ops, (unsigned long long)res.cases,
	       (unsigned long long)res.resumed,
	       (unsigned long long)res.failures, res.failures ? ": " : "",
	       res.first_failure);
	assert_int_equal(res.failures, 0);
	assert_true(res.ops > 0);
	assert_int_equal(res.cases, 3 * res.ops);
	assert_true(res.resumed > 0);
	fk_rig_destroy(&rig);
}

static void test_patch_cut_anywhere_resumes_swap(void **state)
{
	(void)state;
	sweep(FK_BOOT_SWAP, GEO_UNIFORM_4K);
}

static void test_patch_cut_anywhere_resumes_program_once(void **state)
{
	(void)state;
	sweep(FK_BOOT_SWAP, GEO_ECC32);
}

static void test_patch_cut_anywhere_resumes_overwrite(void **state)
{
	(void)state;
	sweep(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
}

static void test_patch_cut_anywhere_resumes_xip(void **state)
{
	(void)state;
	sweep(FK_BOOT_XIP, GEO_UNIFORM_4K);
}

/* XIP runs the new image from slot B after the first update: the next
 * patch reads its old image there and rebuilds into slot A. */
static void test_xip_second_patch_reads_slot_b(void **state)
{
	struct fk_boot_status st;

	(void)state;
	setup_rig(FK_BOOT_XIP, GEO_UNIFORM_4K);
	assert_int_equal(apply_and_mark(), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	assert_int_equal(st.xip_active, 1);
	free(stream);
	free(rig.old_img[0]);
	rig.old_img[0] = rig.new_img[0];
	rig.old_len[0] = rig.new_len[0];
	rig.new_img[0] = NULL;
	make_new_image(rig.cfg.images[0].secondary.flash->geo.write_unit, 100,
		       0);
	make_patch();
	assert_int_equal(apply_and_mark(), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	assert_int_equal(st.xip_active, 0);
	free(stream);
	fk_rig_destroy(&rig);
}

static void test_patch_for_another_image_is_refused(void **state)
{
	static struct fk_delta_update du;
	uint64_t op0;

	(void)state;
	setup_rig(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	old_sha[0] ^= 1;
	op0 = rig.op;
	assert_int_equal(
		fk_delta_update_begin(&du, &rig.cfg, 0, &params, old_sha),
		FK_EMISMATCH);
	assert_true(rig.op == op0); /* nothing written */
	old_sha[0] ^= 1;
	params.old_size = rig.cfg.images[0].primary.size + 1;
	assert_int_equal(
		fk_delta_update_begin(&du, &rig.cfg, 0, &params, old_sha),
		FK_EMISMATCH);
	free(stream);
	fk_rig_destroy(&rig);
}

static void test_damaged_patch_is_never_staged(void **state)
{
	static struct fk_delta_update du;
	int rc;

	(void)state;
	setup_rig(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stream[stream_len / 2] ^= 0x10;
	rc = fk_delta_update_begin(&du, &rig.cfg, 0, &params, old_sha);
	assert_int_equal(rc, FK_OK);
	assert_int_not_equal(send_all(&du), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_ESTATE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	free(stream);
	fk_rig_destroy(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_cut_anywhere_resumes_swap),
		cmocka_unit_test(test_patch_cut_anywhere_resumes_program_once),
		cmocka_unit_test(test_patch_cut_anywhere_resumes_overwrite),
		cmocka_unit_test(test_patch_cut_anywhere_resumes_xip),
		cmocka_unit_test(test_xip_second_patch_reads_slot_b),
		cmocka_unit_test(test_patch_for_another_image_is_refused),
		cmocka_unit_test(test_damaged_patch_is_never_staged),
	};

	assert_int_equal(rig_load_key(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
