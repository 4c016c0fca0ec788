/*
 * Applying a patch through the update API under power cuts
 * (flashkit/delta_update.h): the patch from the rig's old image to a new
 * version of it (code inserted, addresses moved, a new part appended) is
 * applied while it arrives in 700-byte pieces, then marked pending; a cut
 * is placed before, after and in the middle of every flash operation of
 * that. After each cut the device must boot its old image (or the new one
 * when the pending mark had landed), and the application must resume from
 * the block fk_delta_update_resume() names, resent from that block's
 * stream offset, and end with the new image installed. Also: a patch for
 * another old image is refused before anything is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/rigs.h"
#include "delta/delta.h"
#include "flashkit/bytes.h"
#include "flashkit/delta_update.h"
#include "image/memflash.h"
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

/* The new version: the old payload with ins bytes inserted at 5000, the
 * words after it that look like flash addresses moved by ins, and tail
 * new bytes at the end; signed as the rig's images are. */
static void make_new_image(uint32_t wu, uint32_t ins, uint32_t tail)
{
	struct fk_image_info info;
	struct fk_memflash mf;
	struct fk_sign_opts o;
	struct fk_sign_result res;
	const uint8_t *old_pl;
	uint8_t *pl;
	uint32_t n, at = 5000;

	fk_memflash_init(&mf, rig.old_img[0], rig.old_len[0]);
	assert_int_equal(fk_image_parse(&mf.area, &info), 0);
	old_pl = rig.old_img[0] + info.hdr.hdr_size;
	n = info.hdr.img_size + ins + tail;
	pl = malloc(n);
	memcpy(pl, old_pl, at);
	for (uint32_t i = 0; i < ins; i++)
		pl[at + i] = (uint8_t)(i * 37 + 11);
	memcpy(pl + at + ins, old_pl + at, info.hdr.img_size - at);
	for (uint32_t i = at + ins; i + 4 <= info.hdr.img_size + ins; i += 4)
		if ((pl[i + 3] & 0xf0) == 0x00 && pl[i + 2] < 0x40) {
			uint32_t v = fk_le32(pl + i) + ins;

			fk_put_le32(pl + i, v);
		}
	/* a part repeating every 80 bytes: matches reaching back past the
	 * decoder's 64 buffered bytes, into the upload's partial unit */
	for (uint32_t i = 0; i < tail; i++)
		pl[info.hdr.img_size + ins + i] =
			(uint8_t)((i % 80) * 151 + (i % 80) / 7 + i / 997);
	fk_sign_opts_init(&o);
	o.version.major = 2;
	o.hdr_size = info.hdr.hdr_size;
	o.pad_header = true;
	o.align = wu;
	o.key = &rig_key;
	assert_int_equal(fk_sign_image(&o, pl, n, &res), 0);
	free(pl);
	free(rig.new_img[0]);
	rig.new_img[0] = res.data;
	rig.new_len[0] = res.image_len;
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

/* Where block k's data starts in the stream: what a sender computes. */
static size_t block_offset(uint32_t k)
{
	size_t off = 0;

	while (k-- > 0) {
		size_t len = 0;
		unsigned shift = 0;
		uint8_t b;

		do {
			b = stream[off++];
			len |= (size_t)(b & 0x7f) << shift;
			shift += 7;
		} while (b & 0x80);
		off += len;
	}
	return off;
}

static int send_from(struct fk_delta_update *du, size_t off)
{
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
		rc = send_from(&du, 0);
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
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_rig_snapshot *start;
	uint64_t op0, end, cases = 0, resumed = 0;

	setup_rig(strategy, geo);
	start = fk_rig_snapshot(&rig);
	assert_non_null(start);
	op0 = rig.op;
	assert_int_equal(apply_and_mark(), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	end = rig.op;
	fk_rig_restore(&rig, start);
	assert_int_equal(apply_and_mark(), FK_OK);
	end = rig.op;
	for (uint64_t op = op0; op < end; op++) {
		for (int k = 0; k < 3; k++) {
			static struct fk_delta_update du;
			uint32_t block = 0;
			int booted, rc;

			fk_rig_restore(&rig, start);
			fk_rig_arm_cut(&rig, op, kinds[k],
				       op * 7 + (uint64_t)k);
			assert_int_not_equal(apply_and_mark(), FK_OK);
			assert_true(rig.power_lost);
			booted = fk_rig_boot(&rig);
			cases++;
			if (booted == FK_RIG_BOOTED_NEW)
				continue; /* the pending mark had landed */
			assert_int_equal(booted, FK_RIG_BOOTED_OLD);
			rc = fk_delta_update_resume(&du, &rig.cfg, 0, &params,
						    &block);
			if (rc == FK_ENOENT)
				rc = fk_delta_update_begin(&du, &rig.cfg, 0,
							   &params, old_sha);
			assert_int_equal(rc, FK_OK);
			resumed += block > 0;
			assert_int_equal(send_from(&du, block_offset(block)),
					 FK_OK);
			assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, mark),
					 FK_OK);
			assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		}
	}
	printf("patch %s: %zu-byte stream for a %zu-byte image, %llu ops, "
	       "%llu cut cases, %llu resumed mid-image\n",
	       rig_geo_names[geo], stream_len, rig.new_len[0],
	       (unsigned long long)(end - op0), (unsigned long long)cases,
	       (unsigned long long)resumed);
	assert_int_equal(cases, 3 * (end - op0));
	assert_true(resumed > 0);
	fk_rig_snapshot_free(&rig, start);
	free(stream);
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
	assert_int_not_equal(send_from(&du, 0), FK_OK);
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
