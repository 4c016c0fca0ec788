/*
 * Updates written by other tools (src/boot/marker.c): an image placed in
 * the staging window by "a programmer" (fk_rig_program_direct, no
 * fk_update_* call, no fk_boot_set_pending) with MCUboot's trailer at the
 * window's end installs at the next boot: swap test (confirmed, or
 * reverted and never reinstalled), swap permanent, overwrite, xip; the
 * imgtool --pad reference files; a tampered or oversized marked image is
 * refused and the old image keeps booting; and a power cut at every
 * flash operation of a marker-driven life never bricks the device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rigs.h"

static struct fk_rig rig;

static const uint8_t magic8[16] = {
	0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
	0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
static const uint8_t magic_tail[14] = {
	0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
	0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

static void make(enum fk_boot_strategy s, enum rig_geo g)
{
	fk_rig_destroy(&rig);
	assert_int_equal(rig_build(&rig, s, g), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* Where image i's marked image goes, as the bootloader sees it. */
static void window(uint32_t i, uint32_t slot_b, struct fk_area *out)
{
	const struct fk_boot_slots *sl = &rig.cfg.images[i];
	uint32_t off = fk_boot_staging_offset(&rig.cfg, i);

	if (rig.cfg.strategy == FK_BOOT_XIP ||
	    rig.cfg.strategy == FK_BOOT_RAM_LOAD) {
		*out = slot_b ? sl->secondary : sl->primary;
		return;
	}
	*out = sl->secondary;
	out->off += off;
	out->size -= off;
}

/* What `imgtool sign --pad [--confirm]` writes for a window of `size`
 * bytes on flash of write unit wu: the image, erased fill, image_ok and
 * the magic for max-align max(8, wu). */
static uint8_t *padded(const uint8_t *img, size_t len, uint32_t size,
		       uint32_t wu, bool confirm)
{
	uint32_t align = wu > 8 ? wu : 8;
	uint32_t magic_units = (16 + align - 1) / align * align;
	uint8_t *p = malloc(size);

	memset(p, 0xFF, size);
	memcpy(p, img, len);
	if (align == 8) {
		memcpy(p + size - 16, magic8, 16);
	} else {
		p[size - 16] = (uint8_t)align;
		p[size - 15] = 0;
		memcpy(p + size - 14, magic_tail, 14);
	}
	if (confirm)
		p[size - magic_units - align] = 0x01;
	return p;
}

static uint32_t unit(void)
{
	const struct fk_area *s = &rig.cfg.images[0].secondary;

	return s->flash->geo.write_unit;
}

/* Whether every new image ends below the sector of its window's trailer
 * (stm32f4's window is one 128K sector, ecc32's 27000-byte image reaches
 * its last 8K sector: there a marker is refused, FK_ENOSPC). */
static bool markers_fit(void)
{
	for (uint32_t i = 0; i < rig.cfg.image_count; i++) {
		struct fk_area win;
		struct fk_sector last;

		window(i, 1, &win);
		assert_int_equal(fk_area_sector_at(&win, win.size - 1, &last),
				 0);
		if (rig.new_len[i] > last.off)
			return false;
	}
	return true;
}

/* "Programs" new image i (or img) with a marker into its window. */
static void place(uint32_t i, const uint8_t *img, size_t len, bool confirm,
		  uint32_t slot_b)
{
	struct fk_area win;
	uint8_t *p;

	window(i, slot_b, &win);
	p = padded(img ? img : rig.new_img[i], img ? len : rig.new_len[i],
		   win.size, unit(), confirm);
	fk_rig_program_direct(&rig, &win, p, win.size, 0xFF);
	free(p);
}

static void expect_refused(int why);

static struct fk_boot_status status(void)
{
	struct fk_boot_status st;

	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	return st;
}

/* A boot that writes nothing and jumps to `want`. */
static void boots_quietly(int want)
{
	uint64_t before = rig.op;

	assert_int_equal(fk_rig_boot(&rig), want);
	assert_true(rig.op == before);
}

static void test_swap_test_marker_installs_and_stays_when_confirmed(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++) {
		make(FK_BOOT_SWAP, g);
		for (uint32_t i = 0; i < rig.cfg.image_count; i++)
			place(i, NULL, 0, false, 1);
		if (!markers_fit()) {
			expect_refused(FK_ENOSPC);
			continue;
		}
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_int_equal(status().phase, FK_BOOT_TRIAL);
		assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
		boots_quietly(FK_RIG_BOOTED_NEW);
		assert_int_equal(status().phase, FK_BOOT_IDLE);
	}
}

static void test_swap_test_marker_reverts_and_is_not_reinstalled(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++) {
		make(FK_BOOT_SWAP, g);
		for (uint32_t i = 0; i < rig.cfg.image_count; i++)
			place(i, NULL, 0, false, 1);
		if (!markers_fit()) {
			expect_refused(FK_ENOSPC);
			continue;
		}
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
		boots_quietly(FK_RIG_BOOTED_OLD);
		boots_quietly(FK_RIG_BOOTED_OLD);
		assert_int_equal(status().phase, FK_BOOT_IDLE);
	}
}

static void test_swap_permanent_marker_installs_for_good(void **s)
{
	(void)s;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	place(0, NULL, 0, true, 1);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	boots_quietly(FK_RIG_BOOTED_NEW);
}

/* OVERWRITE has no trial: a test marker (what imgtool --overwrite-only
 * writes) installs for good, like a permanent one. */
static void test_overwrite_marker_installs_permanently(void **s)
{
	(void)s;
	for (int confirm = 0; confirm < 2; confirm++) {
		make(FK_BOOT_OVERWRITE, GEO_ECC32);
		place(0, NULL, 0, confirm, 1);
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_int_equal(status().phase, FK_BOOT_IDLE);
		boots_quietly(FK_RIG_BOOTED_NEW);
	}
}

static void test_xip_marker_in_the_other_slot_boots_it_on_trial(void **s)
{
	(void)s;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	place(0, NULL, 0, false, 1);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase, FK_BOOT_TRIAL);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	boots_quietly(FK_RIG_BOOTED_OLD);
	/* again, confirmed this time */
	place(0, NULL, 0, false, 1);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	boots_quietly(FK_RIG_BOOTED_NEW);
	assert_int_equal(status().xip_active, 1);
}

/* The reference files of imgtool 2.4.0 (-S 0x8000 --pad --confirm
 * --align 4, and --pad --test --align 8) placed as they are into a
 * 32 KiB staging window. */
static void reference_install(const char *name, bool confirmed)
{
	char path[1024];
	struct fk_boot_config *cfg = &rig.cfg;
	struct fk_image_info info;
	struct fk_area win;
	uint8_t *file;
	FILE *f;

	fk_rig_destroy(&rig);
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_DUAL), 0);
	cfg->image_count = 1;
	memset(&cfg->images[1], 0, sizeof(cfg->images[1]));
	assert_int_equal(fk_area_init(&cfg->images[0].primary,
				      &rig.mem[0].flash, 12288, 0x8000), 0);
	assert_int_equal(fk_area_init(&cfg->images[0].secondary,
				      &rig.mem[0].flash, 12288 + 0x8000,
				      0x9000), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	window(0, 1, &win);
	assert_int_equal(win.size, 0x8000);
	snprintf(path, sizeof(path), "%s/tests/data/mcuboot-images/%s",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	file = malloc(0x8000);
	assert_int_equal(fread(file, 1, 0x8000, f), 0x8000);
	fclose(f);
	fk_rig_program_direct(&rig, &win, file, 0x8000, 0xFF);
	assert_int_equal(fk_image_parse(&win, &info), FK_OK);
	free(rig.new_img[0]);
	rig.new_img[0] = file;
	rig.new_len[0] = info.end;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase,
			 confirmed ? FK_BOOT_IDLE : FK_BOOT_TRIAL);
}

static void test_imgtool_padded_confirmed_file_installs_permanently(void **s)
{
	(void)s;
	reference_install("ecdsa-p256-padded-confirmed-align4.bin", true);
	boots_quietly(FK_RIG_BOOTED_NEW);
}

static void test_imgtool_padded_test_file_installs_on_trial(void **s)
{
	(void)s;
	reference_install("ecdsa-p256-padded-test-align8.bin", false);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	boots_quietly(FK_RIG_BOOTED_OLD);
}

static void expect_refused(int why)
{
	struct fk_boot_status st;

	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	st = status();
	assert_int_equal(st.phase, FK_BOOT_IDLE);
	assert_int_equal(st.last_refusal, why);
	/* the marker is gone: nothing is tried again */
	boots_quietly(FK_RIG_BOOTED_OLD);
}

static void test_tampered_marked_image_is_refused_old_keeps_booting(void **s)
{
	uint8_t *img;

	(void)s;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	img = malloc(rig.new_len[0]);
	memcpy(img, rig.new_img[0], rig.new_len[0]);
	img[0x400] ^= 0x01;
	place(0, img, rig.new_len[0], true, 1);
	free(img);
	expect_refused(FK_EDIGEST);
}

static void test_marked_image_reaching_the_trailer_sector_is_refused(void **s)
{
	struct fk_area win;
	struct fk_sector last;

	(void)s;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	window(0, 1, &win);
	assert_int_equal(fk_area_sector_at(&win, win.size - 1, &last), 0);
	free(rig.new_img[0]);
	/* an image ending 8 bytes into the trailer's sector */
	assert_int_equal(rig_image(last.off + 8 - 0x100, 9, 2, 8,
				   &rig.new_img[0], &rig.new_len[0]), 0);
	assert_true(rig.new_len[0] > last.off &&
		    rig.new_len[0] <= fk_boot_max_image_size(&rig.cfg, 0));
	place(0, NULL, 0, true, 1);
	expect_refused(FK_ENOSPC);
}

/* One life of a marker-driven update: boots (the app confirming when
 * `confirm`) until a boot writes nothing; returns the set it settled on,
 * or -1 when a boot jumped to anything else. A boot or a confirmation
 * that a power cut stops is followed by the next boot. */
static int live(bool confirm, int *boots)
{
	for (*boots = 0; *boots < 12; (*boots)++) {
		bool cut = rig.power_lost;
		uint64_t before = rig.op;
		int rc = fk_rig_boot(&rig);

		if (rig.power_lost)
			continue;
		if (rc != FK_RIG_BOOTED_OLD && rc != FK_RIG_BOOTED_NEW)
			return -1;
		if (rc == FK_RIG_BOOTED_NEW && confirm &&
		    fk_boot_confirm(&rig.cfg) != FK_OK && !rig.power_lost)
			return -1;
		if (rig.op == before && !cut && !rig.power_lost)
			return rc;
	}
	return -1;
}

/* Cuts before, after and in the middle of every flash operation of a
 * marker-driven life. want: where the life without a cut settles; with
 * a cut, a confirmed trial may also settle on the old images (a cut
 * after the trial boot was counted, before the app confirmed: that boot
 * is used up), an unconfirmed one only on the old. Where the geometry
 * cannot carry a marker the life is one refusal, cut everywhere too. */
static void sweep(enum fk_boot_strategy strat, enum rig_geo g, bool confirm,
		  bool permanent, int want)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_rig_snapshot *start;
	uint64_t ops, cases = 0, settled_new = 0;
	int boots, rc;

	make(strat, g);
	for (uint32_t i = 0; i < rig.cfg.image_count; i++)
		place(i, NULL, 0, permanent, 1);
	if (!markers_fit())
		want = FK_RIG_BOOTED_OLD;
	start = fk_rig_snapshot(&rig);
	ops = rig.op;
	assert_int_equal(live(confirm, &boots), want);
	ops = rig.op - ops;
	assert_true(ops > 3);
	for (uint64_t n = 0; n < ops; n++) {
		for (size_t k = 0; k < 3; k++) {
			fk_rig_restore(&rig, start);
			fk_rig_arm_cut(&rig, rig.op + n, kinds[k], n * 7 + k);
			rc = live(confirm, &boots);
			settled_new += rc == FK_RIG_BOOTED_NEW;
			if (rc == want || (rc == FK_RIG_BOOTED_OLD && confirm &&
					   !permanent))
				rc = want;
			if (rc != want) {
				struct fk_boot_status st = status();

				fail_msg("%s cut at op %llu kind %zu: settled "
					 "on %d, not %d, after %d boots (phase "
					 "%d, last refusal %d)",
					 rig_geo_names[g],
					 (unsigned long long)n, k, rc, want,
					 boots, st.phase, st.last_refusal);
			}
			cases++;
		}
	}
	printf("%s %s %s: %llu operations, %llu cut cases (%llu settled on "
	       "the new images), 0 failures\n",
	       strat == FK_BOOT_SWAP ? "swap" :
	       strat == FK_BOOT_XIP	    ? "xip" :
	       strat == FK_BOOT_RAM_LOAD ? "ram-load" :
					   "overwrite",
	       rig_geo_names[g], confirm ? "confirmed" : "unconfirmed",
	       (unsigned long long)ops, (unsigned long long)cases,
	       (unsigned long long)settled_new);
	fk_rig_snapshot_free(&rig, start);
}

static void test_swap_marker_install_survives_every_cut(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++)
		sweep(FK_BOOT_SWAP, g, true, false, FK_RIG_BOOTED_NEW);
}

static void test_swap_marker_revert_survives_every_cut(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++)
		sweep(FK_BOOT_SWAP, g, false, false, FK_RIG_BOOTED_OLD);
}

static void test_overwrite_and_xip_marker_survive_every_cut(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++) {
		sweep(FK_BOOT_OVERWRITE, g, false, true, FK_RIG_BOOTED_NEW);
		sweep(FK_BOOT_XIP, g, true, false, FK_RIG_BOOTED_NEW);
		sweep(FK_BOOT_XIP, g, false, false, FK_RIG_BOOTED_OLD);
	}
}

/* ram-load detects markers as xip does; the image is then copied into
 * its RAM at every boot (the rig's jump hook requires the copy). */
static void test_ram_load_marker_survives_every_cut(void **s)
{
	(void)s;
	for (enum rig_geo g = 0; g < GEO_COUNT; g++) {
		sweep(FK_BOOT_RAM_LOAD, g, true, false, FK_RIG_BOOTED_NEW);
		sweep(FK_BOOT_RAM_LOAD, g, false, false, FK_RIG_BOOTED_OLD);
	}
}

static int teardown(void **s)
{
	(void)s;
	fk_rig_destroy(&rig);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_test_marker_installs_and_stays_when_confirmed),
		cmocka_unit_test(test_swap_test_marker_reverts_and_is_not_reinstalled),
		cmocka_unit_test(test_swap_permanent_marker_installs_for_good),
		cmocka_unit_test(test_overwrite_marker_installs_permanently),
		cmocka_unit_test(test_xip_marker_in_the_other_slot_boots_it_on_trial),
		cmocka_unit_test(test_imgtool_padded_confirmed_file_installs_permanently),
		cmocka_unit_test(test_imgtool_padded_test_file_installs_on_trial),
		cmocka_unit_test(test_tampered_marked_image_is_refused_old_keeps_booting),
		cmocka_unit_test(test_marked_image_reaching_the_trailer_sector_is_refused),
		cmocka_unit_test(test_swap_marker_install_survives_every_cut),
		cmocka_unit_test(test_swap_marker_revert_survives_every_cut),
		cmocka_unit_test(test_overwrite_and_xip_marker_survive_every_cut),
		cmocka_unit_test(test_ram_load_marker_survives_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
