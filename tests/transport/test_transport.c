/*
 * The update protocol end to end: the host's client and the device's
 * receiver, on the boot core over simulated flash, through a cable that
 * drops, corrupts, duplicates and delays bytes, gets pulled mid-transfer,
 * and a device whose power is cut at every flash operation the receiver
 * makes. Every scenario must end with the new image validated, installed
 * and booted, the resend bounded by what the device had not synced (no
 * restart from zero), and after every reset the bootloader must boot
 * exactly what the boot state calls for: the old image until the new one
 * was validated and marked. The number of scenarios is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/rigs.h"
#include "flashkit/crc.h"
#include "wire.h"

static uint64_t scenarios;
static struct fk_rig rig;

static void build(enum fk_boot_strategy s, enum rig_geo g)
{
	assert_int_equal(rig_build(&rig, s, g), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
}

/* OVERWRITE installs for good; the others try the image first. */
static enum fk_tp_finish_mode install_mode(void)
{
	return rig.cfg.strategy == FK_BOOT_OVERWRITE ? FK_TP_FINISH_PERMANENT :
						       FK_TP_FINISH_TEST;
}

static void assert_wire_ok(const struct wire *w, int rc,
			   const struct fk_tp_upload *u)
{
	if (rc != 0 || w->bad_boots || !u->finished)
		fail_msg("upload rc %d, finished %d: %s (pulls %llu, resets "
			 "%llu, starts %u, resumes %u, done %u, sent %llu)",
			 rc, u->finished, w->why, (unsigned long long)w->pulls,
			 (unsigned long long)w->resets, u->starts, u->resumes,
			 u->stat.done, (unsigned long long)u->stat.data_sent);
}

/* The device boots the new image (installing it if the upload's mark has
 * not been acted on yet) and it confirms. */
static void assert_boots_new(void)
{
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
}

/* A line that never stops carrying bytes, none of them a frame. */
static int garbage_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static long garbage_read(void *ctx, void *buf, size_t cap, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	memset(buf, 0x5a, cap < 16 ? cap : 16);
	return cap < 16 ? (long)cap : 16;
}

/* The reply timeout bounds the wait for a reply, not each read: garbage
 * without end ends in FK_TP_LOST, as silence does. */
static void test_a_line_of_garbage_times_out(void **state)
{
	static struct fk_tp_client c;
	const struct fk_tp_io io = { garbage_write, garbage_read, NULL };
	struct fk_tp_identity id;
	struct fk_diag d = { 0 };

	(void)state;
	fk_tp_client_init(&c, &io);
	c.timeout_ms = 20;
	assert_int_equal(fk_tp_identify(&c, &id, &d), FK_TP_LOST);
	assert_true(c.timeouts > 0);
	assert_int_equal(c.replies, 0);
	assert_true(c.bytes_in > 0);
}

static void test_frames_resynchronise_after_garbage(void **state)
{
	uint8_t stream[4096], buf[FK_TP_OVERHEAD + 64], f[FK_TP_OVERHEAD + 64];
	uint8_t payload[40];
	struct fk_tp_parser p;
	uint32_t n = 0, len, frames = 0, bad = 0;

	(void)state;
	for (uint32_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	/* garbage with false magics, a frame, a broken header, a frame with
	 * a flipped payload bit, a frame cut short, then a good frame */
	for (uint32_t i = 0; i < 100; i++)
		stream[n++] = i % 3 ? FK_TP_MAGIC0 : (uint8_t)i;
	len = fk_tp_frame_encode(f, sizeof(f), FK_TP_WRITE, 1, payload, 40);
	assert_int_equal(len, FK_TP_OVERHEAD + 40);
	memcpy(stream + n, f, len);
	n += len;
	memcpy(stream + n, f, 7);
	stream[n + 5] ^= 0x40; /* length corrupted: header check fails */
	n += 7;
	len = fk_tp_frame_encode(f, sizeof(f), FK_TP_WRITE, 2, payload, 40);
	f[20] ^= 1;
	memcpy(stream + n, f, len);
	n += len;
	len = fk_tp_frame_encode(f, sizeof(f), FK_TP_WRITE, 3, payload, 40);
	memcpy(stream + n, f, 12);
	n += 12;
	len = fk_tp_frame_encode(f, sizeof(f), FK_TP_WRITE, 4, payload, 40);
	memcpy(stream + n, f, len);
	n += len;
	fk_tp_parser_init(&p, buf, sizeof(buf));
	for (uint32_t i = 0; i < n; i++) {
		enum fk_tp_parse r = fk_tp_parse_byte(&p, stream[i]);

		if (r == FK_TP_FRAME) {
			frames++;
			assert_int_equal(fk_tp_frame_len(&p), 40);
			assert_memory_equal(fk_tp_frame_payload(&p), payload,
					    40);
		}
		bad += r == FK_TP_BAD_CRC;
	}
	/* frame 3 cut short swallows the start of frame 4 as its payload and
	 * fails its CRC; 1 and 2 are found, 2 as corrupt */
	assert_int_equal(frames, 1);
	assert_true(bad >= 1);
	/* the same stream without the cut-short frame finds the last one */
	fk_tp_parser_init(&p, buf, sizeof(buf));
	frames = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i >= n - len - 12 && i < n - len)
			continue;
		frames += fk_tp_parse_byte(&p, stream[i]) == FK_TP_FRAME;
	}
	assert_int_equal(frames, 2);
	/* a payload larger than the buffer is refused at the header */
	fk_tp_parser_init(&p, buf, sizeof(buf));
	memset(f, 0, sizeof(f));
	len = fk_tp_frame_encode(stream, sizeof(stream), FK_TP_WRITE, 5, NULL,
				 0);
	stream[4] = 200; /* a length over the buffer, header check redone */
	stream[6] = (uint8_t)fk_crc32(0, stream, 6);
	len = 7;
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(fk_tp_parse_byte(&p, stream[i]), FK_TP_MORE);
	assert_int_equal(fk_tp_frame_encode(f, 8, 1, 1, NULL, 0), 0);
}

static void upload_clean(enum fk_boot_strategy s, enum rig_geo g)
{
	struct fk_tp_upload u = { 0 };
	struct wire w;
	const struct fk_area *pri = &rig.cfg.images[0].primary;
	uint8_t *before;
	int rc;

	build(s, g);
	before = malloc(pri->size);
	assert_non_null(before);
	memcpy(before, fk_sim_data(rig.mem[0].sim) + pri->off, pri->size);
	assert_int_equal(wire_init(&w, &rig, &(struct wire_faults){ 0 }), 0);
	rc = wire_upload(&w, &u, install_mode(), 1);
	assert_wire_ok(&w, rc, &u);
	assert_int_equal(u.stat.data_sent, rig.new_len[0]);
	/* the running image was not touched by the upload */
	if (pri->flash == &rig.mem[0].flash)
		assert_memory_equal(before,
				    fk_sim_data(rig.mem[0].sim) + pri->off,
				    pri->size);
	assert_boots_new();
	wire_free(&w);
	free(before);
	fk_rig_destroy(&rig);
	scenarios++;
}

static void test_upload_installs_on_every_strategy(void **state)
{
	(void)state;
	upload_clean(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	upload_clean(FK_BOOT_SWAP, GEO_STM32F4);
	upload_clean(FK_BOOT_XIP, GEO_ECC32);
	upload_clean(FK_BOOT_SWAP, GEO_TWO_MEM);
	upload_clean(FK_BOOT_OVERWRITE, GEO_SMALL_PAGES);
}

/* An image already staged is not sent again: the device proves each
 * sector by its digest and skips it. */
static void test_repeated_upload_sends_only_what_differs(void **state)
{
	struct fk_tp_upload u1 = { 0 }, u2 = { 0 };
	struct wire w;

	(void)state;
	build(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	assert_int_equal(wire_init(&w, &rig, &(struct wire_faults){ 0 }), 0);
	assert_wire_ok(&w, wire_upload(&w, &u1, FK_TP_FINISH_STAGE, 1), &u1);
	assert_wire_ok(&w, wire_upload(&w, &u2, install_mode(), 1), &u2);
	assert_int_equal(u2.stat.data_sent, 0);
	assert_true(u2.resumed_from + u2.stat.skipped >= rig.new_len[0]);
	assert_boots_new();
	wire_free(&w);
	fk_rig_destroy(&rig);
	scenarios++;
}

/* A resumed upload whose bytes below the resume point are another
 * image's starts again from zero rather than mixing the two. */
static void test_resume_of_another_image_starts_fresh(void **state)
{
	struct fk_tp_upload u1 = { 0 }, u2 = { 0 };
	struct wire w;
	uint8_t *real = rig.new_img[0];
	uint8_t *other;

	(void)state;
	build(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	real = rig.new_img[0];
	other = malloc(rig.new_len[0]);
	assert_non_null(other);
	memcpy(other, real, rig.new_len[0]);
	other[0x300] ^= 0x5A;
	rig.new_img[0] = other;
	assert_int_equal(
		wire_init(&w, &rig, &(struct wire_faults){ .pull_at = 15000 }),
		0);
	assert_int_equal(wire_upload(&w, &u1, install_mode(), 1), FK_TP_LOST);
	w.f.pull_at = w.pull_base = 0;
	rig.new_img[0] = real;
	assert_wire_ok(&w, wire_upload(&w, &u2, install_mode(), 2), &u2);
	assert_int_equal(u2.resumes, 1);
	assert_int_equal(u2.starts, 2); /* resumed, found the bytes differ */
	/* sector 0 differs and is sent; the others were synced before and
	 * match: skipped */
	assert_true(u2.stat.data_sent >= 4096);
	assert_true(u2.stat.data_sent < rig.new_len[0]);
	assert_true(u2.stat.skipped > 0);
	assert_boots_new();
	wire_free(&w);
	free(other);
	fk_rig_destroy(&rig);
	scenarios++;
}

/* Refusals get a reason and leave the device booting the old image. */
static void test_refusals_leave_the_old_image(void **state)
{
	struct fk_tp_upload u = { 0 };
	struct wire w;
	uint8_t *real;

	(void)state;
	build(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	real = rig.new_img[0];
	rig.new_img[0] = malloc(rig.new_len[0]);
	memcpy(rig.new_img[0], real, rig.new_len[0]);
	rig.new_img[0][0x200] ^= 1; /* payload: digest fails */
	assert_int_equal(wire_init(&w, &rig, &(struct wire_faults){ 0 }), 0);
	assert_int_equal(wire_upload(&w, &u, install_mode(), 1), -1);
	assert_non_null(strstr(w.why, "FK_EDIGEST"));
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	free(rig.new_img[0]);
	/* too large for the slot */
	rig.new_img[0] = malloc(rig.cfg.images[0].secondary.size + 1);
	memset(rig.new_img[0], 0xA5, rig.cfg.images[0].secondary.size + 1);
	rig.new_len[0] = rig.cfg.images[0].secondary.size + 1;
	w.why[0] = 0;
	memset(&u, 0, sizeof(u));
	assert_int_equal(wire_upload(&w, &u, install_mode(), 1), -1);
	assert_non_null(strstr(w.why, "do not fit"));
	free(rig.new_img[0]);
	rig.new_img[0] = real;
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	wire_free(&w);
	fk_rig_destroy(&rig);
	scenarios += 2;
}

/* One faulty-cable scenario per seed. */
static void faulty(const struct wire_faults *f, uint32_t seeds,
		   uint32_t power_cuts)
{
	uint64_t sum[6] = { 0 };

	for (uint32_t seed = 1; seed <= seeds; seed++) {
		struct fk_tp_upload u = { 0 };
		struct wire_faults ff = *f;
		struct wire w;

		ff.seed = seed;
		build(seed % 2 ? FK_BOOT_OVERWRITE : FK_BOOT_SWAP,
		      seed % 2 ? GEO_UNIFORM_4K : GEO_TWO_MEM);
		assert_int_equal(wire_init(&w, &rig, &ff), 0);
		wire_power_cuts(&w, power_cuts, 40);
		u.window = 1 + seed % 16;
		u.chunk = 256 + 128 * (seed % 7);
		assert_wire_ok(&w, wire_upload(&w, &u, install_mode(), 200),
			       &u);
		rig.cut_armed = false; /* cuts left unused */
		assert_boots_new();
		sum[0] += w.dropped;
		sum[1] += w.corrupted;
		sum[2] += w.duplicated;
		sum[3] += w.delayed;
		sum[4] += w.pulls;
		sum[5] += w.resets;
		wire_free(&w);
		fk_rig_destroy(&rig);
		scenarios++;
	}
	print_message("  %u seeds: %llu dropped, %llu corrupted, %llu "
		      "duplicated, %llu delayed bytes, %llu pulls, %llu "
		      "resets\n",
		      seeds, (unsigned long long)sum[0],
		      (unsigned long long)sum[1], (unsigned long long)sum[2],
		      (unsigned long long)sum[3], (unsigned long long)sum[4],
		      (unsigned long long)sum[5]);
	assert_true(sum[0] + sum[1] + sum[2] + sum[3] + sum[4] + sum[5] > 0);
}

static void test_dropped_bytes(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .drop_ppm = 300 }, 12, 0);
}

static void test_corrupted_bytes(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .corrupt_ppm = 300 }, 12, 0);
}

static void test_duplicated_bytes(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .dup_ppm = 300 }, 12, 0);
}

static void test_delayed_bytes(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .delay_ppm = 2000, .delay_rounds = 8 },
	       12, 0);
}

static void test_cable_pulled(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .pull_at = 6000 }, 12, 0);
	faulty(&(struct wire_faults){ .pull_at = 6000, .pull_resets = true },
	       12, 0);
}

static void test_everything_at_once(void **state)
{
	(void)state;
	faulty(&(struct wire_faults){ .drop_ppm = 100,
				      .corrupt_ppm = 100,
				      .dup_ppm = 100,
				      .delay_ppm = 500,
				      .delay_rounds = 6,
				      .pull_at = 9000 },
	       16, 3);
}

static uint32_t largest_sector(const struct fk_area *a)
{
	struct fk_sector sec = { 0 };
	uint32_t max = 0;

	for (uint32_t off = 0; off < a->size; off = sec.off + sec.size) {
		assert_int_equal(fk_area_sector_at(a, off, &sec), FK_OK);
		max = sec.size > max ? sec.size : max;
	}
	return max;
}

static uint32_t smallest_sector(const struct fk_area *a)
{
	struct fk_sector sec = { 0 };
	uint32_t min = UINT32_MAX;

	for (uint32_t off = 0; off < a->size; off = sec.off + sec.size) {
		assert_int_equal(fk_area_sector_at(a, off, &sec), FK_OK);
		min = sec.size < min ? sec.size : min;
	}
	return min;
}

static const enum fk_cut_kind cut_kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
					      FK_CUT_TORN };

/*
 * After the cut just after operation `at` left bytes that the resumed
 * upload keeps (fk_update_keep programs them again), a second cut at each
 * of the first `more` flash operations of the resumed session, each kind:
 * the upload still completes and the new image boots. Returns the cases.
 */
static uint64_t sweep_keep(const struct fk_rig_snapshot *start, uint64_t at,
			   uint32_t more)
{
	uint64_t cases = 0;
	bool fired = true;

	for (uint32_t j = 1; j <= more && fired; j++) {
		for (int kind = 0; kind < 3; kind++) {
			struct fk_tp_upload u = { 0 };
			struct wire w;

			fk_rig_restore(&rig, start);
			assert_int_equal(
				wire_init(&w, &rig, &(struct wire_faults){ 0 }),
				0);
			fk_rig_arm_cut(&rig, at, FK_CUT_AFTER, at);
			wire_cut_after_reset(&w, j, cut_kinds[kind]);
			assert_wire_ok(
				&w, wire_upload(&w, &u, install_mode(), 4), &u);
			assert_true(w.resets >= 1);
			/* a session shorter than j operations: no second cut */
			fired = w.resets == 2;
			rig.cut_armed = false;
			assert_boots_new();
			wire_free(&w);
			cases += fired;
		}
	}
	return cases;
}

/*
 * The device's power cut at every flash operation the receiver makes
 * (before it, after it, torn), on a clean cable: the device resets, its
 * bootloader boots the old image (or installs the new one when the mark
 * had landed), and the host resumes from what the flash says. It keeps
 * what the sector at the sync point holds, so where sync points are a
 * sector apart a cut between two operations costs only the window in
 * flight (a torn program reads wrong: its sector is sent again); a
 * second cut during that keep is swept too (sweep_keep).
 */
static void sweep(enum fk_boot_strategy s, enum rig_geo g)
{
	const enum fk_cut_kind *kinds = cut_kinds;
	struct fk_tp_upload u0 = { 0 };
	struct fk_rig_snapshot *start;
	uint64_t op0, ops, cases = 0, resumed = 0, kept = 0, twice = 0;
	uint64_t kept_after = 0; /* of the kept: cut after an operation */
	uint64_t worst = 0;
	uint32_t span, sector, first_sector, more;
	struct fk_sector first;
	bool fine;
	struct wire w;

	build(s, g);
	start = fk_rig_snapshot(&rig);
	assert_non_null(start);
	op0 = rig.op;
	assert_int_equal(wire_init(&w, &rig, &(struct wire_faults){ 0 }), 0);
	assert_wire_ok(&w, wire_upload(&w, &u0, install_mode(), 1), &u0);
	span = w.dev.up.sync_span;
	sector = largest_sector(&w.dev.up.dest);
	assert_int_equal(fk_area_sector_at(&w.dev.up.dest, 0, &first), FK_OK);
	first_sector = first.size;
	/* sync points a sector apart, and sectors that can be kept */
	fine = span <= smallest_sector(&w.dev.up.dest);
	/* the keep's programs: one per copy buffer, a sector's worth */
	more = sector / rig.cfg.buf_len + 2;
	more = more > 12 ? 12 : more;
	wire_free(&w);
	ops = rig.op - op0;
	for (uint64_t k = 0; k < ops; k++) {
		for (int kind = 0; kind < 3; kind++) {
			struct fk_tp_upload u = { 0 };
			uint64_t limit;

			fk_rig_restore(&rig, start);
			assert_int_equal(
				wire_init(&w, &rig, &(struct wire_faults){ 0 }),
				0);
			fk_rig_arm_cut(&rig, op0 + k, kinds[kind], k);
			assert_wire_ok(
				&w, wire_upload(&w, &u, install_mode(), 4), &u);
			assert_int_equal(w.resets, 1);
			/* no restart from zero: what is resent is at most
			 * what had not reached a sync point (they are
			 * recorded as a sector is opened, span bytes apart
			 * at least), plus the window in flight */
			limit = rig.new_len[0] + FK_TP_PAYLOAD_MAX * 16ull;
			if (!fine || kinds[kind] == FK_CUT_TORN)
				limit += span + sector;
			if (u.stat.data_sent > limit)
				fail_msg("cut %llu kind %d: %llu bytes sent "
					 "for %zu, "
					 "span %u, resumed from %u (%u), "
					 "starts %u finish_sent %d of %llu ops",
					 (unsigned long long)k, kind,
					 (unsigned long long)u.stat.data_sent,
					 rig.new_len[0], span, u.resumed_from,
					 u.resumes, u.starts, u.finish_sent,
					 (unsigned long long)ops);
			resumed += u.resumes > 0 && u.resumed_from > 0;
			if (kinds[kind] != FK_CUT_TORN &&
			    u.stat.data_sent - rig.new_len[0] > worst)
				worst = u.stat.data_sent - rig.new_len[0];
			assert_boots_new();
			wire_free(&w);
			cases++;
			if (u.resumes == 0 || u.stat.skipped == 0)
				continue;
			kept++;
			if (kinds[kind] == FK_CUT_AFTER) {
				kept_after++;
				twice += sweep_keep(start, op0 + k, more);
			}
		}
	}
	print_message("  %s %s: %llu receiver flash operations, %llu cuts, "
		      "%llu resumed past 0, %llu skipped or kept, %llu second "
		      "cuts (every kind at each of the first (up to) %u "
		      "operations of the keep after every one of the %llu "
		      "cuts after an operation that kept bytes), at most %llu "
		      "bytes sent again (cuts between operations), sync span "
		      "%u, sectors up to %u\n",
		      s == FK_BOOT_SWAP ? "swap" :
		      s == FK_BOOT_XIP	? "xip" :
					  "overwrite",
		      rig_geo_names[g], (unsigned long long)ops,
		      (unsigned long long)cases, (unsigned long long)resumed,
		      (unsigned long long)kept, (unsigned long long)twice, more,
		      (unsigned long long)kept_after,
		      (unsigned long long)worst, span, sector);
	/* a cut between two operations sends no sector again */
	if (fine)
		assert_true(kept > 0);
	cases += twice;
	/* an image within one sector of the staging window is never synced
	 * part way: a cut there starts it again (stm32f4's 128 KiB) */
	if (rig.new_len[0] > first_sector)
		assert_true(resumed > 0);
	fk_rig_snapshot_free(&rig, start);
	fk_rig_destroy(&rig);
	scenarios += cases;
}

static void test_power_cut_at_every_receiver_operation(void **state)
{
	(void)state;
	sweep(FK_BOOT_OVERWRITE, GEO_UNIFORM_4K);
	sweep(FK_BOOT_SWAP, GEO_STM32F4);
	sweep(FK_BOOT_XIP, GEO_ECC32);
	sweep(FK_BOOT_SWAP, GEO_TWO_MEM);
	sweep(FK_BOOT_OVERWRITE, GEO_SMALL_PAGES);
}

/* `test_transport` runs the protocol and cable tests; `test_transport
 * sweep` the power-cut sweep (label slow), with second cuts during the
 * keep after every first cut after an operation that kept bytes (no
 * sample; `sweep full`, its former name for this, runs the same). */
int main(int argc, char **argv)
{
	const struct CMUnitTest sweeps[] = {
		cmocka_unit_test(test_power_cut_at_every_receiver_operation),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_resynchronise_after_garbage),
		cmocka_unit_test(test_a_line_of_garbage_times_out),
		cmocka_unit_test(test_upload_installs_on_every_strategy),
		cmocka_unit_test(test_repeated_upload_sends_only_what_differs),
		cmocka_unit_test(test_resume_of_another_image_starts_fresh),
		cmocka_unit_test(test_refusals_leave_the_old_image),
		cmocka_unit_test(test_dropped_bytes),
		cmocka_unit_test(test_corrupted_bytes),
		cmocka_unit_test(test_duplicated_bytes),
		cmocka_unit_test(test_delayed_bytes),
		cmocka_unit_test(test_cable_pulled),
		cmocka_unit_test(test_everything_at_once),
	};
	int rc;

	rc = argc > 1 && !strcmp(argv[1], "sweep") ?
		     cmocka_run_group_tests(sweeps, NULL, NULL) :
		     cmocka_run_group_tests(tests, NULL, NULL);

	print_message("transport: %llu scenarios\n",
		      (unsigned long long)scenarios);
	return rc;
}
