/*
 * The boot core's behaviour, one rule per test: trial and confirm,
 * refusals (digest, signature, key, downgrade, dependency, a set with one
 * bad image), the recovery hook, the factory fallback, the configuration
 * checks that keep the bootloader out of reach, and a log that fills up.
 * Runs on the uniform-4k and dual-image rigs (rigs.h) with images signed
 * by the real signing code. With the argument "lite", the rules that hold
 * for one image run against fk_boot_lite (left out: the two-image set,
 * dependencies between images and the run-time configuration check,
 * which the lite core does not make), with what only the lite core does:
 * two images or RAM_LOAD go to recovery (FK_EINVAL), and an image that
 * declares a dependency is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "boot/boot_internal.h"
#include "boot/flags.h"
#include "flashkit/update.h"
#include "rigs.h"

static struct fk_rig rig;
/* The flag state's group: it has no SWAP, so the rules shown on SWAP's
 * trial run on XIP's (which keeps the old image too). */
static bool flags_group;

static void make(enum fk_boot_strategy strategy, enum rig_geo geo)
{
	if (flags_group && strategy == FK_BOOT_SWAP)
		strategy = FK_BOOT_XIP;
	assert_int_equal(rig_build(&rig, strategy, geo), 0);
	fk_rig_prepare(&rig);
}

static int teardown(void **state)
{
	(void)state;
	fk_rig_destroy(&rig);
	return 0;
}

static void stage(enum fk_boot_mode mode)
{
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, mode), FK_OK);
}

static struct fk_boot_status status(void)
{
	struct fk_boot_status st;

	assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_OK);
	return st;
}

static bool area_holds(const struct fk_area *a, const uint8_t *img, size_t len)
{
	uint8_t *buf = malloc(len);
	bool same = fk_area_read(a, 0, buf, (uint32_t)len) == FK_OK &&
		    memcmp(buf, img, len) == 0;

	free(buf);
	return same;
}

/* Replaces new image i by a freshly signed one. */
static void replace_new(uint32_t i, const struct fk_rig_image_spec *spec)
{
	free(rig.new_img[i]);
	assert_int_equal(
		fk_rig_make_image(spec, &rig.new_img[i], &rig.new_len[i]), 0);
}

static struct fk_rig_image_spec spec_of(uint32_t payload, uint8_t major)
{
	struct fk_rig_image_spec s = {
		.payload_len = payload,
		.seed = 9,
		.version = { .major = major },
		.hdr_size = 0x100,
		.align = 8,
		.key = &rig_key,
	};
	return s;
}

/* Flips one byte of the staged copy of image i, in flash. */
static void damage_staged(uint32_t i, uint32_t at)
{
	const struct fk_area *s = &rig.cfg.images[i].secondary;
	uint8_t *mem = fk_sim_data(rig.mem[fk_rig_memory_of(&rig, s)].sim);

	mem[s->off + fk_boot_staging_offset(&rig.cfg, i) + at] ^= 0x01;
}

static void test_boots_running_image_without_writing(void **state)
{
	uint64_t op;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	op = rig.op;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(rig.op, op);
}

static void test_test_image_stays_once_confirmed(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	assert_int_equal(status().phase, FK_BOOT_PENDING);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase, FK_BOOT_TRIAL);
	assert_int_equal(status().attempts, 1);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void test_unconfirmed_image_gets_n_trial_boots_then_reverts(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	rig.cfg.trial_boots = 3;
	stage(FK_BOOT_TEST);
	for (uint32_t i = 1; i <= 3; i++) {
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_int_equal(status().attempts, i);
	}
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
	/* a confirmation after the revert changes nothing */
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* A SWAP revert records each group it puts back (RSTEP): cut before its
 * last record, the log says every group was restored, so the next boot
 * only ends it. */
static void test_swap_revert_records_each_group_restored(void **state)
{
	struct fk_rig_snapshot *trial;
	struct bs_state st;
	uint64_t op;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	trial = fk_rig_snapshot(&rig);
	op = rig.op;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	op = rig.op - op;
	/* the same revert, cut before its last operation (REVERTED) */
	fk_rig_restore(&rig, trial);
	fk_rig_snapshot_free(&rig, trial);
	fk_rig_arm_cut(&rig, rig.op + op - 1, FK_CUT_BEFORE, 0);
	assert_true(fk_rig_boot(&rig) < 0);
	fk_rig_power_on(&rig);
	assert_int_equal(bs_read(&rig.cfg, &st), FK_OK);
	assert_int_equal(st.phase, FK_BOOT_REVERTING);
	assert_true(st.groups[0] > 1);
	assert_int_equal(st.rsteps[0], st.groups[0]);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
}

static void test_permanent_install_skips_the_trial(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_PERMANENT);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void test_xip_boots_new_slot_in_place_and_back(void **state)
{
	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().xip_active, 1);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().xip_active, 0);
	/* the old image never moved */
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
}

/* XIP with nothing recorded boots the newer of the two valid slots, A
 * when their versions are equal; an invalid slot does not count. Slot B
 * gets an image of version v (A's is 1; B's payload is another), put
 * there as production would, and the log stays empty. */
static int xip_boot_with_b_at(uint8_t v, bool damage_a)
{
	const struct fk_area *b;
	struct fk_rig_image_spec spec = spec_of(9000, v);
	int rc;

	fk_rig_destroy(&rig);
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	spec.seed = 77;
	replace_new(0, &spec);
	b = &rig.cfg.images[0].secondary;
	fk_rig_program_direct(&rig, b, rig.new_img[0], rig.new_len[0], 0xFF);
	if (damage_a) {
		const struct fk_area *a = &rig.cfg.images[0].primary;
		struct fk_sim *sim = rig.mem[fk_rig_memory_of(&rig, a)].sim;

		fk_sim_data(sim)[a->off + 0x180] ^= 0x01; /* a payload byte */
	}
	rc = fk_rig_boot(&rig);
	assert_int_equal(status().xip_active, rc == FK_RIG_BOOTED_NEW);
	return rc;
}

static void test_xip_empty_log_boots_newer_slot_a_on_a_tie(void **state)
{
	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	assert_int_equal(xip_boot_with_b_at(2, false), FK_RIG_BOOTED_NEW);
	assert_int_equal(xip_boot_with_b_at(1, false), FK_RIG_BOOTED_OLD);
	assert_int_equal(xip_boot_with_b_at(0, false), FK_RIG_BOOTED_OLD);
	assert_int_equal(xip_boot_with_b_at(0, true), FK_RIG_BOOTED_NEW);
}

/* Bytes read from [count_lo, count_hi) of the memory whose reads go
 * through count_read(), which then reads as the rig does. */
static const struct fk_flash_ops *count_ops;
static uint32_t count_lo, count_hi;
static uint64_t counted;
static bool counting; /* until the jump: the rig's own check reads too */
static void (*rig_jump)(void *ctx, const struct fk_boot_image_ref *refs,
			uint32_t count);

static int count_read(const struct fk_flash *f, uint32_t off, void *buf,
		      uint32_t len)
{
	uint32_t lo = off > count_lo ? off : count_lo;
	uint32_t hi = off + len < count_hi ? off + len : count_hi;

	if (counting && lo < hi)
		counted += hi - lo;
	return count_ops->read(f, off, buf, len);
}

static void count_until_jump(void *ctx, const struct fk_boot_image_ref *refs,
			     uint32_t count)
{
	counting = false;
	rig_jump(ctx, refs, count);
}

/* A plain boot reads the image in slot A once, with the log empty (a new
 * device that never took an update: every boot until the first one),
 * though XIP chooses the slot to boot by checking the images: the choice
 * checks slot A last and the boot takes that check (both cores), and
 * marker detection makes no choice when no slot holds a marker (the full
 * core). It read the image three times (full) and twice (lite) before. */
static void test_xip_plain_boot_reads_the_image_once(void **state)
{
	const struct fk_area *a;
	struct fk_rig_memory *m;
	struct fk_flash_ops ops;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	a = &rig.cfg.images[0].primary;
	m = &rig.mem[fk_rig_memory_of(&rig, a)];
	count_ops = m->flash.ops;
	ops = *count_ops;
	ops.read = count_read;
	m->flash.ops = &ops;
	count_lo = a->off;
	count_hi = a->off + (uint32_t)rig.old_len[0];
	counted = 0;
	counting = true;
	rig_jump = rig.cfg.port.jump;
	rig.cfg.port.jump = count_until_jump;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	rig.cfg.port.jump = rig_jump;
	m->flash.ops = count_ops;
	/* whole reads of the image; parsing adds a few header bytes each */
	assert_true(counted >= rig.old_len[0]);
	assert_true(counted < 2 * rig.old_len[0]);
}

static void test_refuses_image_with_bad_digest(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	rig.new_img[0][0x180] ^= 0x40; /* payload byte after signing */
	assert_int_equal(fk_rig_upload(&rig, 0), FK_EDIGEST);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_ESTATE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_refuses_staged_image_damaged_before_boot(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	damage_staged(0, 0x300);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().last_refusal, FK_EDIGEST);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
}

static void test_refuses_image_with_bad_signature(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	/* the last TLV is the ECDSA signature: damage its s integer */
	rig.new_img[0][rig.new_len[0] - 8] ^= 0x01;
	assert_int_equal(fk_rig_upload(&rig, 0), FK_ESIG);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_refuses_image_signed_with_unknown_key(void **state)
{
	struct fk_rig_image_spec spec;
	struct fk_key other;
	char path[] = "/tmp/fk-boot-key-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fk_key_generate_p256(path, 0, NULL), 0);
	assert_int_equal(fk_key_load(&other, path), 0);
	unlink(path);
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	spec = spec_of(15000, 2);
	spec.key = &other;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_EKEY);
	fk_key_free(&other);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_refuses_lower_security_counter(void **state)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);
	struct fk_boot_config lax;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	spec.has_sec_cnt = true;
	spec.sec_cnt = 5;
	free(rig.old_img[0]);
	assert_int_equal(
		fk_rig_make_image(&spec, &rig.old_img[0], &rig.old_len[0]), 0);
	fk_rig_prepare(&rig);
	spec.sec_cnt = 4;
	spec.seed = 10;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_EDOWNGRADE);
	/* marked by an application that does not check: the bootloader
	 * still refuses it */
	lax = rig.cfg;
	lax.check_security_counter = false;
	assert_int_equal(fk_boot_set_pending(&lax, 1, FK_BOOT_TEST), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().last_refusal, FK_EDOWNGRADE);
	/* the same counter is not a downgrade */
	spec.sec_cnt = 5;
	replace_new(0, &spec);
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void dual_with_dependency(uint8_t min_major)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);

	make(FK_BOOT_SWAP, GEO_DUAL);
	spec.dep_count = 1;
	spec.deps[0].image_id = 1;
	spec.deps[0].min_version.major = min_major;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_rig_upload(&rig, 1), FK_OK);
}

static void test_refuses_unmet_dependency(void **state)
{
	(void)state;
	/* image 0 needs image 1 >= 3.0.0; the new image 1 is 2.0.0 */
	dual_with_dependency(3);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 3, FK_BOOT_TEST),
			 FK_EDEPEND);
	fk_rig_destroy(&rig);
	/* needs >= 2.0.0: met only when image 1 is installed with it */
	dual_with_dependency(2);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_EDEPEND);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 3, FK_BOOT_TEST), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void test_installs_both_images_or_neither(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_DUAL);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_rig_upload(&rig, 1), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 3, FK_BOOT_TEST), FK_OK);
	damage_staged(1, 0x200);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
	assert_true(area_holds(&rig.cfg.images[1].primary, rig.old_img[1],
			       rig.old_len[1]));
	assert_int_equal(status().last_refusal, FK_EDIGEST);
}

static void test_calls_recovery_instead_of_jumping_to_garbage(void **state)
{
	const struct fk_area *p;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	p = &rig.cfg.images[0].primary;
	fk_rig_program_direct(&rig, p, rig.old_img[0], 64, 0xFF);
	assert_true(fk_rig_boot(&rig) < 0);
	assert_int_equal(rig.jumped, 0);
	assert_int_equal(rig.recovery_reason, FK_EBADIMG);
}

static void
test_overwrite_installs_factory_image_when_primary_is_bad(void **state)
{
	struct fk_area factory;

	(void)state;
	assert_int_equal(rig_build(&rig, FK_BOOT_OVERWRITE, GEO_DUAL), 0);
	rig.cfg.image_count = 1;
	memset(&rig.cfg.images[1], 0, sizeof(rig.cfg.images[1]));
	assert_int_equal(
		fk_area_init(&factory, &rig.mem[0].flash, 65536, 36864), FK_OK);
	rig.cfg.images[0].factory = factory;
	fk_rig_prepare(&rig);
	fk_rig_program_direct(&rig, &factory, rig.old_img[0], rig.old_len[0],
			      0xFF);
	fk_rig_program_direct(&rig, &rig.cfg.images[0].primary, NULL, 0, 0x00);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

static void test_overwrite_refuses_test_installs(void **state)
{
	(void)state;
	make(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_ENOTSUP);
}

static void test_config_keeps_bootloader_out_of_every_slot(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_OK);
	rig.cfg.bootloader.size += 4096; /* now overlaps the state sector */
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_EINVAL);
	assert_int_equal(fk_rig_boot(&rig), FK_EINVAL);
	assert_int_equal(rig.recovery_reason, FK_EINVAL);
	rig.cfg.bootloader.size -= 4096;
	/* not on a sector boundary */
	rig.cfg.images[0].secondary.off += 100;
	rig.cfg.images[0].secondary.size -= 4096;
	assert_int_equal(fk_boot_check_config(&rig.cfg), FK_EALIGN);
}

/* Each refusal names its rule, its area and what to change. */
static void expect_why(enum fk_boot_config_problem p, int rc,
		       enum fk_boot_area_kind area)
{
	struct fk_boot_config_why why;

	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), rc);
	assert_int_equal(why.problem, p);
	assert_int_equal(why.area, area);
	assert_int_equal(fk_boot_check_config(&rig.cfg), rc);
	assert_true(strlen(fk_boot_config_problem_text(p)) > 10);
}

static void test_config_refusals_each_give_their_reason(void **state)
{
	const struct fk_image_keys *keys;
	struct fk_boot_config_why why;
	uint8_t *buf;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	expect_why(FK_BOOT_CONFIG_OK, FK_OK, FK_BOOT_AREA_NONE);
	keys = rig.cfg.keys;
	rig.cfg.keys = &(struct fk_image_keys){ .crypto = NULL,
						.keys = NULL,
						.count = 0 };
	expect_why(FK_BOOT_CONFIG_NO_CRYPTO, FK_EINVAL, FK_BOOT_AREA_NONE);
	rig.cfg.keys = NULL; /* digest only, built-in SHA-256 */
	expect_why(FK_BOOT_CONFIG_OK, FK_OK, FK_BOOT_AREA_NONE);
	rig.cfg.keys = keys;
	rig.cfg.trial_boots = 0;
	expect_why(FK_BOOT_CONFIG_TRIAL_BOOTS, FK_EINVAL, FK_BOOT_AREA_NONE);
	rig.cfg.trial_boots = 1;
	rig.cfg.bootloader.size += 4096;
	expect_why(FK_BOOT_CONFIG_OVERLAP, FK_EINVAL, FK_BOOT_AREA_STATE);
	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), FK_EINVAL);
	assert_int_equal(why.other, FK_BOOT_AREA_BOOTLOADER);
	assert_string_equal(fk_boot_area_name(why.other), "bootloader");
	rig.cfg.bootloader.size -= 4096;
	rig.cfg.images[0].secondary.off += 100;
	expect_why(FK_BOOT_CONFIG_AREA_OUTSIDE, FK_ERANGE,
		   FK_BOOT_AREA_SECONDARY);
	rig.cfg.images[0].secondary.size -= 4096;
	expect_why(FK_BOOT_CONFIG_AREA_UNALIGNED, FK_EALIGN,
		   FK_BOOT_AREA_SECONDARY);
	rig.cfg.images[0].secondary.off -= 100;
	rig.cfg.images[0].secondary.size += 4096;
	/* a buffer of one 32-byte unit is enough (boot.h's promise) */
	buf = rig.cfg.buf;
	rig.cfg.buf_len = 24;
	expect_why(FK_BOOT_CONFIG_BUFFER_SMALL, FK_EINVAL, FK_BOOT_AREA_NONE);
	rig.cfg.buf_len = 36;
	expect_why(FK_BOOT_CONFIG_BUFFER_UNIT, FK_EALIGN, FK_BOOT_AREA_STATE);
	rig.cfg.buf_len = 32;
	expect_why(FK_BOOT_CONFIG_OK, FK_OK, FK_BOOT_AREA_NONE);
	rig.cfg.buf = buf;
	/* too many trial boots leave the log no room for an update */
	rig.cfg.trial_boots = 200;
	expect_why(FK_BOOT_CONFIG_LOG_SMALL, FK_ENOSPC, FK_BOOT_AREA_STATE);
	assert_int_equal(fk_boot_config_why(&rig.cfg, &why), FK_ENOSPC);
	assert_true(why.need > why.have);
}

/* No keys: the digest is checked with the built-in SHA-256 and a damaged
 * staged image is still refused. */
static void test_no_keys_checks_digests_with_builtin_sha256(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	rig.cfg.keys = NULL;
	stage(FK_BOOT_TEST);
	damage_staged(0, 0x300);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().last_refusal, FK_EDIGEST);
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void test_buffer_of_one_32_byte_unit_installs(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_ECC32);
	rig.cfg.buf_len = 32;
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_PERMANENT),
			 FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

static void test_no_new_upload_while_a_trial_runs(void **state)
{
	struct fk_update u;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_ESTATE);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_OK);
}

static uint64_t last_kick_op, kicks, longest_stretch;

static void count_kick(void *ctx)
{
	(void)ctx;
	if (rig.op - last_kick_op > longest_stretch)
		longest_stretch = rig.op - last_kick_op;
	last_kick_op = rig.op;
	kicks++;
}

/* The port's watchdog hook runs before every erase and program of an
 * install and a revert: never two flash operations without a kick. */
static void test_watchdog_is_kicked_between_flash_operations(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_STM32F4);
	stage(FK_BOOT_TEST);
	rig.cfg.port.kick = count_kick;
	last_kick_op = rig.op;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	count_kick(NULL);
	printf("%llu kicks, at most %llu flash operation between two\n",
	       (unsigned long long)kicks, (unsigned long long)longest_stretch);
	assert_true(kicks > 10);
	assert_true(longest_stretch <= 1);
}

/* Torn records use up log slots; a full log is rewritten as a summary
 * and the install goes on. */
static void test_full_log_is_compacted_and_install_completes(void **state)
{
	const struct fk_area *log;
	struct fk_boot_status st;
	uint8_t *mem;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	stage(FK_BOOT_TEST);
	st = status();
	log = &rig.cfg.state;
	mem = fk_sim_data(rig.mem[0].sim) + log->off;
	/* leave two free slots, each other one looking like a torn record */
	memset(mem + st.records_used * 24, 0x00,
	       (st.records_total - st.records_used - 2) * 24);
	assert_int_equal(status().records_used, st.records_total - 2);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	st = status();
	assert_int_equal(st.phase, FK_BOOT_TRIAL);
	assert_true(st.records_used < 40);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
}

/* The lite core boots one image and does not ram-load: such a
 * configuration goes to the recovery hook with FK_EINVAL, before any
 * flash operation, whatever the log says. */
static void expect_recovery_without_writing(int reason)
{
	uint64_t op = rig.op;

	assert_int_equal(fk_rig_boot(&rig), reason);
	assert_int_equal(rig.recovery_reason, reason);
	assert_int_equal(rig.jumped, 0);
	assert_true(rig.op == op);
}

static void
test_lite_refuses_two_images_and_ram_load_through_recovery(void **state)
{
	(void)state;
	make(FK_BOOT_SWAP, GEO_DUAL);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST), FK_OK);
	expect_recovery_without_writing(FK_EINVAL);
	fk_rig_destroy(&rig);
	make(FK_BOOT_RAM_LOAD, GEO_UNIFORM_4K);
	expect_recovery_without_writing(FK_EINVAL);
	/* and the same rigs boot with one image, without RAM_LOAD */
	fk_rig_destroy(&rig);
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* With one image there is nothing to depend on: a staged image with a
 * DEPENDENCY TLV is refused (REFUSED, FK_EDEPEND) and the old one boots. */
static void test_lite_refuses_image_with_dependency(void **state)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);
	int rc;

	(void)state;
	make(FK_BOOT_SWAP, GEO_UNIFORM_4K);
	spec.dep_count = 1;
	spec.deps[0].image_id = 0;
	spec.deps[0].min_version.major = 1;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	rc = fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST);
	assert_int_equal(rc, FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().last_refusal, FK_EDEPEND);
	assert_true(area_holds(&rig.cfg.images[0].primary, rig.old_img[0],
			       rig.old_len[0]));
}

/* The flag state's own cases (test_flags_api). */

/* Its update API refuses what its bootloader does not take: no state is
 * read, so nothing is staged, and the bootloader goes to recovery
 * without writing. */
static void test_flags_refuse_two_images_swap_and_ram_load(void **state)
{
	static const struct {
		enum fk_boot_strategy strategy;
		enum rig_geo geo;
	} no[] = { { FK_BOOT_XIP, GEO_DUAL },
		   { FK_BOOT_RAM_LOAD, GEO_UNIFORM_4K } };
	struct fk_boot_status st;

	(void)state;
	for (size_t k = 0; k < sizeof(no) / sizeof(no[0]); k++) {
		make(no[k].strategy, no[k].geo);
		assert_int_equal(fk_boot_status(&rig.cfg, &st), FK_EINVAL);
		assert_int_equal(fk_rig_upload(&rig, 0), FK_EINVAL);
		expect_recovery_without_writing(FK_EINVAL);
		fk_rig_destroy(&rig);
	}
	/* SWAP (make() would give XIP) */
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	fk_rig_prepare(&rig);
	expect_recovery_without_writing(FK_EINVAL);
}

/* The API refuses an image with a DEPENDENCY TLV at set_pending; one
 * marked pending all the same (the flag programmed directly) is refused
 * by the bootloader, which records why and boots the old image. */
static void test_flags_bootloader_refuses_image_with_dependency(void **state)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);
	struct bf_state st;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	spec.dep_count = 1;
	spec.deps[0].image_id = 0;
	spec.deps[0].min_version.major = 1;
	replace_new(0, &spec);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
			 FK_EDEPEND);
	assert_int_equal(bf_read(&rig.cfg, &st), FK_OK);
	assert_int_equal(bf_put(&rig.cfg, &st, BF_AT(BF_PENDING_TEST), 1),
			 FK_OK);
	assert_int_equal(status().phase, FK_BOOT_PENDING);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().last_refusal, FK_EDEPEND);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* The staged image is the one the upload recorded (STAGED's digest):
 * another valid image of the same length put in its place before the
 * boot (by anything but the update API) is refused, FK_ECORRUPT. */
static void test_flags_refuses_image_replaced_after_staging(void **state)
{
	struct fk_rig_image_spec spec = spec_of(15000, 2);
	const struct fk_area *b;
	uint8_t *other = NULL;
	size_t len = 0;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	replace_new(0, &spec);
	for (spec.seed = 100; len != rig.new_len[0]; spec.seed++) {
		free(other);
		assert_int_equal(fk_rig_make_image(&spec, &other, &len), 0);
	}
	assert_true(memcmp(other, rig.new_img[0], len) != 0);
	stage(FK_BOOT_TEST);
	b = &rig.cfg.images[0].secondary;
	memcpy(fk_sim_data(rig.mem[fk_rig_memory_of(&rig, b)].sim) + b->off,
	       other, len);
	free(other);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().last_refusal, FK_ECORRUPT);
}

/* Flips one byte of slot k's image, in flash. */
static void damage_slot(int k, uint32_t at)
{
	const struct fk_area *a =
		k ? &rig.cfg.images[0].secondary : &rig.cfg.images[0].primary;

	fk_sim_data(rig.mem[fk_rig_memory_of(&rig, a)].sim)[a->off + at] ^= 1;
}

/* A trial image that stops validating after its first boot is reverted
 * (REVERTED) and the old one boots, for good. */
static void test_flags_trial_image_gone_bad_is_reverted(void **state)
{
	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	rig.cfg.trial_boots = 3;
	stage(FK_BOOT_TEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	damage_slot(1, 0x200);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	assert_int_equal(status().xip_active, 0);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* XIP: when the active image stops validating, the other slot's boots
 * (a SWITCH), the next boots take it without writing again, and the
 * next update goes to the bad slot. */
static void test_flags_xip_bad_active_image_gives_way_to_the_other(void **state)
{
	uint64_t op;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	stage(FK_BOOT_PERMANENT);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(status().xip_active, 1);
	damage_slot(1, 0x200);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().xip_active, 0);
	op = rig.op;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(rig.op, op);
	/* and an update goes to the bad slot, not the running one */
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

/* An upload cut half way resumes past what its SYNC units recorded, not
 * from the start, and the image it then finishes installs. */
static void test_flags_interrupted_upload_resumes_from_its_sync(void **state)
{
	struct fk_update u;
	uint32_t half, off = 0;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	half = (uint32_t)rig.new_len[0] / 2;
	assert_int_equal(fk_update_begin(&u, &rig.cfg, 0), FK_OK);
	assert_int_equal(fk_update_write(&u, 0, rig.new_img[0], half), FK_OK);
	/* a reset: the update object is gone */
	assert_int_equal(fk_update_resume(&u, &rig.cfg, 0, &off), FK_OK);
	printf("resumed at %u of %u bytes sent\n", off, half);
	assert_true(off > 0 && off <= half);
	assert_int_equal(fk_update_write(&u, off, rig.new_img[0] + off,
					 (uint32_t)rig.new_len[0] - off),
			 FK_OK);
	assert_int_equal(fk_update_finish(&u), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

/* OVERWRITE's install kicks the watchdog before every flash operation. */
static void test_flags_overwrite_kicks_between_flash_operations(void **state)
{
	(void)state;
	make(FK_BOOT_OVERWRITE, GEO_STM32F4);
	stage(FK_BOOT_PERMANENT);
	rig.cfg.port.kick = count_kick;
	last_kick_op = rig.op;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	count_kick(NULL);
	printf("%llu kicks, at most %llu flash operation between two\n",
	       (unsigned long long)kicks, (unsigned long long)longest_stretch);
	assert_true(kicks > 10);
	assert_true(longest_stretch <= 1);
}

/* Trial boots up to the most the state area holds: 2 KiB of 8-byte
 * units less the fixed ones; one more is FK_EINVAL. */
static void test_flags_trial_boots_up_to_what_the_area_holds(void **state)
{
	struct bf_state st;
	uint32_t most;

	(void)state;
	make(FK_BOOT_XIP, GEO_UNIFORM_4K);
	rig.cfg.trial_boots = 1;
	assert_int_equal(bf_read(&rig.cfg, &st), FK_OK);
	most = FK_BOOT_LOG_MIN / st.unit - BF_AT(BF_ATTEMPT);
	rig.cfg.trial_boots = most;
	assert_int_equal(bf_read(&rig.cfg, &st), FK_OK);
	stage(FK_BOOT_TEST);
	for (uint32_t k = 1; k <= most; k++) {
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_int_equal(status().attempts, k);
	}
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(status().phase, FK_BOOT_IDLE);
	rig.cfg.trial_boots = most + 1;
	assert_int_equal(bf_read(&rig.cfg, &st), FK_EINVAL);
}

int main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
/* The rules for one image, whichever core boots it. */
#define ONE_IMAGE_TESTS                                                       \
	T(test_boots_running_image_without_writing),                          \
		T(test_test_image_stays_once_confirmed),                      \
		T(test_unconfirmed_image_gets_n_trial_boots_then_reverts),    \
		T(test_swap_revert_records_each_group_restored),              \
		T(test_permanent_install_skips_the_trial),                    \
		T(test_xip_boots_new_slot_in_place_and_back),                 \
		T(test_xip_empty_log_boots_newer_slot_a_on_a_tie),            \
		T(test_xip_plain_boot_reads_the_image_once),                  \
		T(test_refuses_image_with_bad_digest),                        \
		T(test_refuses_staged_image_damaged_before_boot),             \
		T(test_refuses_image_with_bad_signature),                     \
		T(test_refuses_image_signed_with_unknown_key),                \
		T(test_refuses_lower_security_counter),                       \
		T(test_calls_recovery_instead_of_jumping_to_garbage),         \
		T(test_overwrite_installs_factory_image_when_primary_is_bad), \
		T(test_overwrite_refuses_test_installs),                      \
		T(test_buffer_of_one_32_byte_unit_installs),                  \
		T(test_no_keys_checks_digests_with_builtin_sha256),           \
		T(test_no_new_upload_while_a_trial_runs),                     \
		T(test_full_log_is_compacted_and_install_completes),          \
		T(test_watchdog_is_kicked_between_flash_operations)
	const struct CMUnitTest lite[] = {
		ONE_IMAGE_TESTS,
		T(test_lite_refuses_two_images_and_ram_load_through_recovery),
		T(test_lite_refuses_image_with_dependency),
	};
	const struct CMUnitTest tests[] = {
		ONE_IMAGE_TESTS,
		T(test_refuses_unmet_dependency),
		T(test_installs_both_images_or_neither),
		T(test_config_keeps_bootloader_out_of_every_slot),
		T(test_config_refusals_each_give_their_reason),
	};
	/* The flag state (program test_flags_api, linked with its update
	 * API): the one-image rules but SWAP's and the log's. */
	const struct CMUnitTest flags[] = {
		T(test_boots_running_image_without_writing),
		T(test_test_image_stays_once_confirmed),
		T(test_unconfirmed_image_gets_n_trial_boots_then_reverts),
		T(test_permanent_install_skips_the_trial),
		T(test_xip_boots_new_slot_in_place_and_back),
		T(test_xip_empty_log_boots_newer_slot_a_on_a_tie),
		T(test_xip_plain_boot_reads_the_image_once),
		T(test_refuses_image_with_bad_digest),
		T(test_refuses_staged_image_damaged_before_boot),
		T(test_refuses_image_with_bad_signature),
		T(test_refuses_image_signed_with_unknown_key),
		T(test_refuses_lower_security_counter),
		T(test_calls_recovery_instead_of_jumping_to_garbage),
		T(test_overwrite_installs_factory_image_when_primary_is_bad),
		T(test_overwrite_refuses_test_installs),
		T(test_buffer_of_one_32_byte_unit_installs),
		T(test_no_keys_checks_digests_with_builtin_sha256),
		T(test_no_new_upload_while_a_trial_runs),
		T(test_flags_refuse_two_images_swap_and_ram_load),
		T(test_flags_bootloader_refuses_image_with_dependency),
		T(test_flags_refuses_image_replaced_after_staging),
		T(test_flags_trial_image_gone_bad_is_reverted),
		T(test_flags_xip_bad_active_image_gives_way_to_the_other),
		T(test_flags_interrupted_upload_resumes_from_its_sync),
		T(test_flags_overwrite_kicks_between_flash_operations),
		T(test_flags_trial_boots_up_to_what_the_area_holds),
	};
#undef ONE_IMAGE_TESTS
#undef T

	if (argc > 1 && !strcmp(argv[1], "flags")) {
		rig_boot_core = fk_boot_flags;
		flags_group = true;
		return cmocka_run_group_tests_name("flags", flags, NULL, NULL);
	}
	if (argc > 1 && !strcmp(argv[1], "lite")) {
		rig_boot_core = fk_boot_lite;
		return cmocka_run_group_tests_name("lite", lite, NULL, NULL);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
