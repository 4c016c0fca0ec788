/*
 * The update API of a lite build (src/boot/lite_app.c) against the full
 * one (upload.c, app.c), call by call. The two define the same symbols,
 * so this program is built twice (tests/boot/CMakeLists.txt):
 * test_lite_app_diff_full on the full device library, and
 * test_lite_app_diff_lite on the lite variant, where lite_app.c compiled
 * with FK_BOOT_LITE replaces upload.c and app.c. Each prints a trace:
 * every call of the update API (fk_update_*, fk_boot_upload_begin and
 * _resume, fk_boot_set_pending, fk_boot_confirm, fk_boot_status,
 * fk_boot_max_image_size, fk_boot_staging_offset), its arguments, its
 * return code and what it filled, then the status, the flash operations
 * so far and a hash of the boot state area and of every memory.
 * test_lite_app_diff.sh runs both and fails at the first line that
 * differs. Both boot with fk_boot_lite(): only the application side
 * differs between the two programs.
 *
 * The sections (each on rigs of rigs.h, images signed by the real code):
 *
 *   probe   which library is linked: set_pending of a staged image with a
 *           DEPENDENCY TLV is FK_EDEPEND on the lite one, accepted by the
 *           full one (the one difference lite_app.c intends). The full
 *           build answers as the lite one from then on (the call is
 *           undone from a snapshot), so the traces can be compared;
 *   random  seeded sequences of uploads (writes crossing sync spans,
 *           truncated ones, resumes, restarts), set_pending TEST and
 *           PERMANENT, confirmations, boots, power cuts at random
 *           operations (before, after, torn), staged or running images
 *           damaged in flash, images that do not validate (signature,
 *           digest, unknown key, too large, downgrade, dependency), and
 *           hostile calls (image 1, masks and modes out of range, NULL
 *           pointers where the full API answers FK_EINVAL, an upload
 *           finished after the reset that lost it); on every
 *           one-image geometry, program-once and erased-zero included;
 *   refusals each invalid image in turn on one device, refused by finish
 *           (signature, digest, key, size, a truncated upload, one
 *           finished at its sync point with every byte in flash), by
 *           set_pending (dependency, downgrade) or by the bootloader (an
 *           image damaged after set_pending), good ones installed between;
 *           what a trial refuses (begin, resume, set_pending), a revert;
 *   fill    the log filled with torn records up to a few slots from its
 *           end at each point of an update cycle (after begin, mid-upload,
 *           after finish, after set_pending, during the trial): sync
 *           points dropped at the reserve, compaction, fresh logs;
 *   xip     hundreds of XIP updates on one device: the slot alternates,
 *           reverts and permanent installs between, a cut now and then.
 *
 * Not compared: configurations fk_boot_check_config() refuses (the lite
 * API leaves that check to the build), and records_used of a log with no
 * header but written slots (see strict() below; FK_DIFF_STRICT=1
 * compares it too).
 *
 * FK_DIFF_SCALE=n multiplies the sequence lengths (default 1, CI-sized;
 * 10 under FK_SWEEP_FULL, as `make sweep-lite` runs it);
 * FK_DIFF_SEED=n shifts every seed (other sequences, the same kinds);
 * FK_DIFF_DUMP=k prints the boot state area in hex after line k.
 * Exit status: 0 when the trace is complete, 1 when a rig could not be
 * set up or the probe found the wrong library.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_internal.h"
#include "flashkit/update.h"
#include "rigs.h"

#ifndef FK_DIFF_FULL
#error "build with -DFK_DIFF_FULL=1 (full library) or 0 (lite variant)"
#endif

/* The images an update may send (pool[], made for each rig). */
enum pool_image {
	IMG_GOOD,      /* version 2 */
	IMG_BIG,       /* version 3, three quarters of the slot */
	IMG_SMALL,     /* version 4 */
	IMG_CNT5,      /* version 5, security counter 5 */
	IMG_CNT3,      /* version 6, security counter 3: a downgrade
			* once IMG_CNT5 runs */
	IMG_BAD_SIG,   /* signature damaged */
	IMG_BAD_HASH,  /* a payload byte changed after signing */
	IMG_OTHER_KEY, /* signed with a key the device does not have */
	IMG_DEPEND,    /* a DEPENDENCY TLV (on image 0 >= 1.0.0) */
	IMG_TOO_BIG,   /* a payload as large as the smaller slot */
	IMG_COUNT
};

static const char *const img_names[IMG_COUNT] = {
	"good",	   "big",      "small",	    "cnt5",   "cnt3",
	"bad-sig", "bad-hash", "other-key", "depend", "too-big",
};

static struct fk_rig rig;
static uint8_t *pool[IMG_COUNT];
static size_t pool_len[IMG_COUNT];
static struct fk_key other_key;

/* What the application knows: the upload in its RAM (lost at a reset)
 * and, kept across resets as an update agent keeps it in its settings,
 * the image it is sending. */
static struct {
	struct fk_update u;
	bool open;    /* u is valid: begin or resume returned 0 since the
		       * last reset */
	bool staged;  /* finish returned 0 since the last begin */
	int sending;  /* pool image of the last begin, -1 none */
	uint32_t off; /* next byte to send */
} app;

/* What the last boot did. */
static struct {
	char slot; /* 'A', 'B', or '-' when it did not jump */
	struct fk_image_version ver;
	int recovery;
} booted;

static uint64_t rng;
static uint64_t line_no;
static uint64_t dump_at = UINT64_MAX;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* A 64-bit hash of n bytes, in four independent lanes (fast enough for
 * every memory after every call). */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t lane[4] = { 1, 2, 3, 4 }, w, h = n;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		for (int k = 0; k < 4; k++) {
			memcpy(&w, p + i + 8 * k, 8);
			lane[k] = (lane[k] ^ w) * 0x100000001b3ull +
				  (lane[k] >> 29);
		}
	}
	for (; i < n; i++)
		lane[0] = (lane[0] ^ p[i]) * 0x100000001b3ull;
	for (int k = 0; k < 4; k++)
		h = (h ^ lane[k]) * 0x100000001b3ull;
	return h;
}

/* The hash of every memory, computed again only when a flash operation
 * ran or the test wrote flash itself (memory_touched). */
static uint64_t memory_hash_op = UINT64_MAX;

static void memory_touched(void)
{
	memory_hash_op = UINT64_MAX;
}

static uint64_t hash_memories(void)
{
	static uint64_t h;

	if (rig.op == memory_hash_op)
		return h;
	h = 0;
	for (uint32_t m = 0; m < rig.mem_count; m++)
		h = (h ^ hash_bytes(fk_sim_data(rig.mem[m].sim),
				    rig.mem[m].flash.geo.size)) *
		    0x100000001b3ull;
	memory_hash_op = rig.op;
	return h;
}

static const uint8_t *state_bytes(void)
{
	const struct fk_area *s = &rig.cfg.state;

	return fk_sim_data(rig.mem[fk_rig_memory_of(&rig, s)].sim) + s->off;
}

static void dump_state(void)
{
	const uint8_t *p = state_bytes();

	for (uint32_t i = 0; i < rig.cfg.state.size; i += 32) {
		printf("  %05x:", i);
		for (uint32_t k = 0; k < 32 && i + k < rig.cfg.state.size; k++)
			printf(" %02x", p[i + k]);
		printf("\n");
	}
}

/* Slot 0 of the log holds its header (otherwise the log reads empty). */
static bool log_has_header(void)
{
	struct bs_rec rec;

	return bs_rec_decode(state_bytes(), &rec) && rec.type == BS_REC_HEADER;
}

/*
 * Known difference (reported to the lead, s27): on a log without a
 * header whose slots are not all erased (a torn erase, a torn header),
 * the full fk_boot_status() counts as used every slot up to the last
 * one not erased, lite_app.c's none. Printed as "-" there unless
 * FK_DIFF_STRICT is set, so the rest of the trace is still compared.
 */
static bool strict(void)
{
	return getenv("FK_DIFF_STRICT") != NULL;
}

/* One trace line: what was called and answered, then the state. */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void trace(const char *fmt, ...)
{
	struct fk_boot_status st;
	va_list ap;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = fk_boot_status(&rig.cfg, &st);
	printf("%llu ", (unsigned long long)line_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" | status %d ph %d mo %d ma %u at %u xa %u lr %d", rc,
	       (int)st.phase, (int)st.mode, st.mask, st.attempts, st.xip_active,
	       st.last_refusal);
	if (rc != FK_OK || log_has_header() || strict())
		printf(" rec %u/%u", st.records_used, st.records_total);
	else
		printf(" rec -/%u", st.records_total);
	printf(" | ops %llu log %016llx mem %016llx\n",
	       (unsigned long long)rig.op,
	       (unsigned long long)hash_bytes(state_bytes(),
					      rig.cfg.state.size),
	       (unsigned long long)hash_memories());
	if (line_no == dump_at)
		dump_state();
	line_no++;
}

/* ---- the boot side: fk_boot_lite() with hooks that say what it ran ---- */

static void on_jump(void *ctx, const struct fk_boot_image_ref *refs,
		    uint32_t count)
{
	(void)ctx;
	(void)count;
	booted.slot = refs[0].slot == &rig.cfg.images[0].primary   ? 'A' :
		      refs[0].slot == &rig.cfg.images[0].secondary ? 'B' :
								     '?';
	booted.ver = refs[0].info.hdr.version;
}

static void on_recovery(void *ctx, int reason)
{
	(void)ctx;
	booted.recovery = reason;
}

static void boot_once(void)
{
	int rc;

	booted.slot = '-';
	booted.recovery = 0;
	memset(&booted.ver, 0, sizeof(booted.ver));
	fk_rig_power_on(&rig);
	rc = fk_boot_lite(&rig.cfg);
	app.open = false;
	app.staged = false;
	trace("boot = %d: slot %c version %u.%u recovery %d", rc, booted.slot,
	      booted.ver.major, booted.ver.minor, booted.recovery);
}

/* After a call: a cut that landed in it resets the device, and every
 * reset boots (again, while cuts keep landing in the boots). */
static void after_cut(void)
{
	while (rig.power_lost) {
		trace("power cut");
		boot_once();
	}
}

/* A reset: the boot, and the boots after the cuts that land in it. */
static void boot(void)
{
	boot_once();
	after_cut();
}

/* ---- the application side ---- */

static void update_text(char *out, size_t n, int rc)
{
	snprintf(out, n, "= %d [dest %u+%u prog %u erased %u sync %u/%u]", rc,
		 rc ? 0 : app.u.dest.off, rc ? 0 : app.u.dest.size,
		 rc ? 0 : app.u.programmed, rc ? 0 : app.u.erased_to,
		 rc ? 0 : app.u.last_sync, rc ? 0 : app.u.sync_span);
}

static void op_begin(int img)
{
	char t[160];
	int rc = fk_update_begin(&app.u, &rig.cfg, 0);

	/* the agent remembers the image once begin has returned 0 */
	app.open = rc == FK_OK;
	app.sending = rc == FK_OK ? img : -1;
	app.off = 0;
	app.staged = false;
	update_text(t, sizeof(t), rc);
	trace("fk_update_begin(%s) %s", img_names[img], t);
	after_cut();
}

static void op_resume(void)
{
	uint32_t off = 0;
	char t[160];
	int rc = fk_update_resume(&app.u, &rig.cfg, 0, &off);

	app.open =
		rc == FK_OK && app.sending >= 0 && off <= pool_len[app.sending];
	app.off = rc == FK_OK ? off : 0;
	update_text(t, sizeof(t), rc);
	trace("fk_update_resume %s offset %u", t, rc ? 0 : off);
	after_cut();
}

/* Up to n bytes of the image being sent, from where the upload is. */
static void op_write(uint32_t n)
{
	size_t len = pool_len[app.sending];
	char t[160];
	int rc;

	if (n > len - app.off)
		n = (uint32_t)(len - app.off);
	rc = fk_update_write(&app.u, app.off, pool[app.sending] + app.off, n);
	if (rc == FK_OK)
		app.off += n;
	else
		app.open = false;
	update_text(t, sizeof(t), rc);
	trace("fk_update_write(%u, %u) %s", app.off - (rc ? 0 : n), n, t);
	after_cut();
}

static uint32_t write_size(void)
{
	static const uint32_t sizes[] = { 1, 7, 64, 500, 1000, 4096, 8192 };

	return rnd(3) ? sizes[rnd(7)] : 1 + rnd(6000);
}

static void op_finish(void)
{
	int rc = fk_update_finish(&app.u);

	app.open = false;
	app.staged = rc == FK_OK;
	trace("fk_update_finish(%s, %u of %zu bytes sent) = %d",
	      img_names[app.sending], app.off, pool_len[app.sending], rc);
	after_cut();
}

/* The staged image has a DEPENDENCY TLV (only the full build asks). */
static bool staged_has_dependency(void)
{
	struct fk_boot_upload up;
	struct fk_image_info info;
	uint32_t off;

	return fk_boot_upload_resume(&rig.cfg, 0, &up, &off) == FK_OK &&
	       fk_image_validate(&up.dest, rig.cfg.keys, &info) == FK_OK &&
	       info.dep_count > 0;
}

/* fk_boot_set_pending; the full build answers a staged image with a
 * dependency as the lite one does (FK_EDEPEND, nothing written). */
static int set_pending(uint32_t mask, enum fk_boot_mode mode)
{
	struct fk_rig_snapshot *snap = NULL;
	bool armed = rig.cut_armed;
	uint64_t cut_op = rig.cut_op, cut_seed = rig.cut_seed;
	enum fk_cut_kind cut_kind = rig.cut_kind;
	int rc;

	if (FK_DIFF_FULL && staged_has_dependency())
		snap = fk_rig_snapshot(&rig);
	rc = fk_boot_set_pending(&rig.cfg, mask, mode);
	/* the lite API refuses before it writes: undo the full one's
	 * PENDING, written (0) or cut (FK_EPOWER: power is on at the call,
	 * so only that program can have lost it) */
	if (snap && (rc == FK_OK || rc == FK_EPOWER)) {
		/* undone, the cut still to come as on the lite build */
		fk_rig_restore(&rig, snap);
		memory_touched();
		if (armed)
			fk_rig_arm_cut(&rig, cut_op, cut_kind, cut_seed);
		rc = FK_EDEPEND;
	}
	if (snap)
		fk_rig_snapshot_free(&rig, snap);
	return rc;
}

static void op_set_pending(uint32_t mask, enum fk_boot_mode mode)
{
	int rc = set_pending(mask, mode);

	if (rc == FK_OK)
		app.staged = false;
	trace("fk_boot_set_pending(%u, %d) = %d", mask, (int)mode, rc);
	after_cut();
}

static void op_confirm(void)
{
	int rc = fk_boot_confirm(&rig.cfg);

	trace("fk_boot_confirm = %d", rc);
	after_cut();
}

/* The sizes and the upload's internals (struct fk_boot_upload), for
 * image 0 and image 1 (which a one-image configuration does not have). */
static void op_plan(void)
{
	struct fk_boot_upload up;
	uint32_t off = 0;
	int rc;

	trace("max_image_size %u %u staging_offset %u %u",
	      fk_boot_max_image_size(&rig.cfg, 0),
	      fk_boot_max_image_size(&rig.cfg, 1),
	      fk_boot_staging_offset(&rig.cfg, 0),
	      fk_boot_staging_offset(&rig.cfg, 1));
	memset(&up, 0, sizeof(up));
	rc = fk_boot_upload_resume(&rig.cfg, 0, &up, &off);
	trace("fk_boot_upload_resume = %d [dest %u+%u erased %u sync %u "
	      "max %u] offset %u",
	      rc, rc ? 0 : up.dest.off, rc ? 0 : up.dest.size,
	      rc ? 0 : up.erased, rc ? 0 : up.sync_span, rc ? 0 : up.max_size,
	      rc ? 0 : off);
}

/* An upload begun below the update layer: what fk_boot_upload_begin()
 * fills. The application then has to resume to send. */
static void op_begin_direct(int img)
{
	struct fk_boot_upload up;
	int rc;

	memset(&up, 0, sizeof(up));
	rc = fk_boot_upload_begin(&rig.cfg, 0, &up);
	app.open = false;
	app.sending = rc == FK_OK ? img : -1;
	trace("fk_boot_upload_begin = %d [dest %u+%u erased %u sync %u "
	      "max %u]",
	      rc, rc ? 0 : up.dest.off, rc ? 0 : up.dest.size,
	      rc ? 0 : up.erased, rc ? 0 : up.sync_span, rc ? 0 : up.max_size);
	after_cut();
}

/* Calls a one-image product must refuse, each FK_EINVAL in the full
 * API too (and nothing written); NULL only where the full API checks
 * it (it dereferences cfg in set_pending, out in status). And an upload
 * finished from a struct the reset should have lost. */
static void op_hostile(void)
{
	struct fk_boot_upload up;
	struct fk_boot_status st;
	struct fk_update u;
	uint32_t off;

	switch (rnd(13)) {
	case 0:
		trace("fk_update_begin(image 1) = %d",
		      fk_update_begin(&u, &rig.cfg, 1));
		break;
	case 1:
		trace("fk_update_resume(image 1) = %d",
		      fk_update_resume(&u, &rig.cfg, 1, &off));
		break;
	case 2:
		trace("fk_boot_set_pending(mask 2) = %d",
		      fk_boot_set_pending(&rig.cfg, 2, FK_BOOT_PERMANENT));
		break;
	case 3:
		trace("fk_boot_set_pending(mask 3) = %d",
		      fk_boot_set_pending(&rig.cfg, 3, FK_BOOT_TEST));
		break;
	case 4:
		trace("fk_boot_set_pending(mask 0) = %d",
		      fk_boot_set_pending(&rig.cfg, 0, FK_BOOT_PERMANENT));
		break;
	case 5:
		trace("fk_boot_set_pending(mode 7) = %d",
		      fk_boot_set_pending(&rig.cfg, 1, (enum fk_boot_mode)7));
		break;
	case 6:
		trace("fk_boot_upload_begin(out NULL) = %d, (cfg NULL) = %d",
		      fk_boot_upload_begin(&rig.cfg, 0, NULL),
		      fk_boot_upload_begin(NULL, 0, &up));
		break;
	case 7:
		trace("fk_boot_upload_resume(out NULL) = %d, (offset NULL) = "
		      "%d, (cfg NULL) = %d, (image 1) = %d",
		      fk_boot_upload_resume(&rig.cfg, 0, NULL, &off),
		      fk_boot_upload_resume(&rig.cfg, 0, &up, NULL),
		      fk_boot_upload_resume(NULL, 0, &up, &off),
		      fk_boot_upload_resume(&rig.cfg, 1, &up, &off));
		break;
	case 8:
		trace("fk_boot_confirm(NULL) = %d, fk_boot_status(NULL) = %d",
		      fk_boot_confirm(NULL), fk_boot_status(NULL, &st));
		break;
	case 9:
		trace("fk_update_begin(u NULL) = %d, (cfg NULL) = %d, "
		      "fk_update_resume(offset NULL) = %d",
		      fk_update_begin(NULL, &rig.cfg, 0),
		      fk_update_begin(&u, NULL, 0),
		      fk_update_resume(&u, &rig.cfg, 0, NULL));
		break;
	case 10:
		trace("fk_boot_upload_begin(image 1) = %d",
		      fk_boot_upload_begin(&rig.cfg, 1, &up));
		break;
	case 11:
		/* an upload the application lost at a reset (or never had),
		 * finished all the same: no upload is open, or another one */
		trace("fk_update_finish(stale) = %d", fk_update_finish(&app.u));
		app.open = false;
		break;
	default:
		op_plan();
		break;
	}
	after_cut();
}

/* One byte flipped in flash: mostly in the staging slot's first sectors
 * past the staging offset, sometimes anywhere in either slot (a running
 * image too: the device then boots its other slot, its factory image or
 * recovery mode, where the update API goes on as serial recovery). */
static void op_damage(void)
{
	const struct fk_boot_slots *sl = &rig.cfg.images[0];
	uint32_t r = rnd(8);
	const struct fk_area *a = r ? &sl->secondary : &sl->primary;
	uint32_t at = r > 1 ? fk_boot_staging_offset(&rig.cfg, 0) + rnd(8192) :
			      rnd(a->size);
	uint8_t bit = (uint8_t)(1u << rnd(8));

	at %= a->size;
	fk_sim_data(rig.mem[fk_rig_memory_of(&rig, a)].sim)[a->off + at] ^= bit;
	memory_touched();
	trace("damage %s+%u ^%02x", a == &sl->primary ? "primary" : "secondary",
	      at, bit);
}

static void op_arm_cut(uint32_t within)
{
	uint64_t op = rig.op + rnd(within);
	enum fk_cut_kind kind = (enum fk_cut_kind)rnd(3);

	fk_rig_arm_cut(&rig, op, kind, rng);
	trace("cut armed at op %llu kind %d", (unsigned long long)op,
	      (int)kind);
}

/* ---- the rigs and their images ---- */

static uint32_t slot_unit(void)
{
	const struct fk_boot_slots *sl = &rig.cfg.images[0];
	uint32_t a = sl->primary.flash->geo.write_unit;
	uint32_t b = sl->secondary.flash->geo.write_unit;

	return a > b ? a : b;
}

static int make_image(enum pool_image i, uint32_t payload, uint8_t major,
		      uint32_t seed)
{
	struct fk_rig_image_spec s = {
		.payload_len = payload,
		.seed = seed,
		.version = { .major = major },
		.hdr_size = 0x100,
		.align = slot_unit(),
		.key = &rig_key,
	};

	if (i == IMG_CNT5 || i == IMG_CNT3) {
		s.has_sec_cnt = true;
		s.sec_cnt = i == IMG_CNT5 ? 5 : 3;
	}
	if (i == IMG_OTHER_KEY)
		s.key = &other_key;
	if (i == IMG_DEPEND) {
		s.dep_count = 1;
		s.deps[0].image_id = 0;
		s.deps[0].min_version.major = 1;
	}
	free(pool[i]);
	pool[i] = NULL;
	return fk_rig_make_image(&s, &pool[i], &pool_len[i]);
}

/* The images for the rig's slots (kept while the geometry stays). Sizes
 * come from the geometry alone, so that both builds make the same ones. */
static int make_pool(enum rig_geo geo)
{
	static int made_for = -1;
	const struct rig_geo_spec *g = &rig_geos[geo];
	uint32_t p = g->primary.size, s = g->secondary.size;
	uint32_t slot = p < s ? p : s;
	int rc = 0;

	if (made_for == (int)geo)
		return 0;
	made_for = -1;

	rc |= make_image(IMG_GOOD, g->new_payload, 2, 11);
	rc |= make_image(IMG_BIG, slot / 4 * 3 - 0x200, 3, 12);
	rc |= make_image(IMG_SMALL, g->old_payload / 3, 4, 13);
	rc |= make_image(IMG_CNT5, g->new_payload - 100, 5, 14);
	rc |= make_image(IMG_CNT3, g->new_payload + 100, 6, 15);
	rc |= make_image(IMG_BAD_SIG, g->new_payload, 7, 16);
	rc |= make_image(IMG_BAD_HASH, g->new_payload, 7, 17);
	rc |= make_image(IMG_OTHER_KEY, g->new_payload, 7, 18);
	rc |= make_image(IMG_DEPEND, g->new_payload, 8, 19);
	rc |= make_image(IMG_TOO_BIG, slot, 9, 20);
	if (rc)
		return -1;
	pool[IMG_BAD_SIG][pool_len[IMG_BAD_SIG] - 8] ^= 0x01;
	pool[IMG_BAD_HASH][0x100 + g->new_payload / 2] ^= 0x40;
	made_for = (int)geo;
	return 0;
}

static const char *const strategy_names[] = { "", "overwrite", "swap", "xip" };

/* A rig running its old image, nothing in the log, the pool made. */
static int setup(enum fk_boot_strategy strategy, enum rig_geo geo,
		 uint32_t trial_boots)
{
	fk_rig_destroy(&rig);
	if (rig_build(&rig, strategy, geo) != 0 || make_pool(geo) != 0) {
		printf("cannot build the %s rig on %s\n",
		       strategy_names[strategy], rig_geo_names[geo]);
		return -1;
	}
	rig.cfg.trial_boots = trial_boots;
	fk_rig_prepare(&rig);
	memory_touched();
	rig.cfg.port.jump = on_jump;
	rig.cfg.port.recovery = on_recovery;
	memset(&app, 0, sizeof(app));
	app.sending = -1;
	printf("== %s %s, %u trial boots, old image %zu bytes\n",
	       strategy_names[strategy], rig_geo_names[geo], trial_boots,
	       rig.old_len[0]);
	op_plan();
	return 0;
}

/* An upload of img, whole, in pieces of random sizes. */
static void send_all(int img)
{
	op_begin(img);
	while (app.open && app.off < pool_len[img])
		op_write(write_size());
	if (app.open)
		op_finish();
}

/* ---- probe ---- */

static int probe(void)
{
	int rc;

	if (setup(FK_BOOT_SWAP, GEO_UNIFORM_4K, 1) != 0)
		return -1;
	send_all(IMG_DEPEND);
	rc = fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST);
	if (rc != (FK_DIFF_FULL ? FK_OK : FK_EDEPEND)) {
		printf("probe: set_pending of an image with a dependency gave "
		       "%d: this is not the %s library\n",
		       rc, FK_DIFF_FULL ? "full" : "lite");
		return -1;
	}
	printf("probe: set_pending of an image with a dependency answers as "
	       "this build's library should\n");
	return 0;
}

/* ---- random ---- */

static int pick_image(void)
{
	static const int weights[IMG_COUNT] = { 6, 4, 4, 2, 2, 1, 1, 1, 1, 1 };
	uint32_t r = rnd(23);

	for (int i = 0; i < IMG_COUNT; i++) {
		if (r < (uint32_t)weights[i])
			return i;
		r -= (uint32_t)weights[i];
	}
	return IMG_GOOD;
}

static enum fk_boot_mode any_mode(void)
{
	return rnd(2) ? FK_BOOT_TEST : FK_BOOT_PERMANENT;
}

/* One step of the application while it sends. */
static void step_sending(void)
{
	uint32_t r = rnd(100);

	if (app.off == pool_len[app.sending] && r < 70)
		op_finish();
	else if (r < 78)
		op_write(write_size());
	else if (r < 80)
		op_finish();
	else if (r < 83)
		op_arm_cut(40);
	else if (r < 86)
		boot();
	else if (r < 89)
		op_resume();
	else if (r < 90)
		op_begin(pick_image());
	else if (r < 94)
		op_hostile();
	else if (r < 95)
		op_damage();
	else if (r < 98)
		op_set_pending(1, any_mode());
	else
		op_confirm();
}

/* One step during a trial: mostly confirm or boot again (count a trial
 * boot, revert), sometimes what a trial refuses. */
static void step_trial(void)
{
	uint32_t r = rnd(100);

	if (r < 35)
		op_confirm();
	else if (r < 65)
		boot();
	else if (r < 75)
		op_begin(pick_image());
	else if (r < 80)
		op_resume();
	else if (r < 85)
		op_set_pending(1, any_mode());
	else if (r < 92)
		op_arm_cut(30);
	else
		op_hostile();
}

/* One step with no upload in hand; `staged` when the last upload was
 * finished (the application marks it next, most of the time). */
static void step_idle(bool staged)
{
	uint32_t r = rnd(100);

	if (staged && r < 45)
		op_set_pending(1, any_mode());
	else if (r < 22)
		op_begin(pick_image());
	else if (r < 25)
		op_begin_direct(pick_image());
	else if (r < 37)
		op_resume();
	else if (r < 50)
		op_set_pending(1, any_mode());
	else if (r < 72)
		boot();
	else if (r < 80)
		op_confirm();
	else if (r < 87)
		op_arm_cut(60);
	else if (r < 97)
		op_hostile();
	else
		op_damage();
}

static int random_run(enum fk_boot_strategy strategy, enum rig_geo geo,
		      uint32_t trial_boots, uint32_t steps, uint64_t seed)
{
	if (setup(strategy, geo, trial_boots) != 0)
		return -1;
	rng = seed;
	for (uint32_t i = 0; i < steps; i++) {
		struct fk_boot_status st;

		if (app.open)
			step_sending();
		else if (fk_boot_status(&rig.cfg, &st) == FK_OK &&
			 st.phase == FK_BOOT_TRIAL)
			step_trial();
		else
			step_idle(app.staged);
	}
	return 0;
}

/* ---- refusals ---- */

/* Flips a byte of the image staged in the open upload's window. */
static void damage_window(void)
{
	struct fk_boot_upload up;
	uint32_t off;
	int rc = fk_boot_upload_resume(&rig.cfg, 0, &up, &off);

	if (rc == FK_OK) {
		fk_sim_data(rig.mem[fk_rig_memory_of(&rig, &up.dest)]
				    .sim)[up.dest.off + 0x300] ^= 0x10;
		memory_touched();
	}
	trace("damage the staged image = %d", rc);
}

/* Each image that must be refused, in turn, on one device: by finish
 * (signature, digest, key, size, a truncated upload), by set_pending
 * (dependency, downgrade once IMG_CNT5 runs) or by the bootloader (an
 * image damaged after set_pending); each followed by a boot, and the
 * good images installed between. */
static int refusal_run(enum fk_boot_strategy strategy, enum rig_geo geo)
{
	static const int imgs[] = { IMG_BAD_SIG, IMG_BAD_HASH, IMG_OTHER_KEY,
				    IMG_TOO_BIG, IMG_DEPEND,   IMG_GOOD,
				    IMG_CNT5,	 IMG_CNT3,     IMG_SMALL };
	enum fk_boot_mode mode = strategy == FK_BOOT_OVERWRITE ?
					 FK_BOOT_PERMANENT :
					 FK_BOOT_TEST;

	if (setup(strategy, geo, 1) != 0)
		return -1;
	for (uint32_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
		send_all(imgs[i]);
		op_set_pending(1, mode);
		boot();
		op_confirm();
	}
	op_begin(IMG_BIG);
	op_write((uint32_t)pool_len[IMG_BIG] / 2);
	op_finish();
	op_set_pending(1, mode);
	/* staged, then resumed at its last sync point and finished there
	 * again: every byte is in flash, but not of this upload's sending
	 * (FK_EBADIMG, nothing recorded) */
	send_all(IMG_SMALL);
	boot();
	op_resume();
	op_finish();
	rig.cfg.check_security_counter = false;
	send_all(IMG_BIG);
	op_set_pending(1, mode);
	damage_window();
	boot();
	op_confirm();
	boot();
	if (mode == FK_BOOT_TEST) {
		/* what a trial refuses (FK_ESTATE, FK_ENOENT), its revert,
		 * a confirmation after it, then a trial confirmed */
		send_all(IMG_GOOD);
		op_set_pending(1, mode);
		boot();
		op_begin(IMG_SMALL);
		op_begin_direct(IMG_SMALL);
		op_resume();
		op_set_pending(1, mode);
		boot();
		op_confirm();
		send_all(IMG_SMALL);
		op_set_pending(1, mode);
		boot();
		op_confirm();
		boot();
	}
	rig.cfg.check_security_counter = true;
	return 0;
}

/* ---- fill ---- */

/* Programs torn records (bytes that are neither erased nor a record
 * with its CRC) into the free slots of the log, leaving `free` of them,
 * as cuts in earlier cycles would. */
static void fill_log(uint32_t free_slots)
{
	struct fk_boot_status st;
	uint32_t rec = bs_record_size(&rig.cfg.state), off;
	uint8_t *p = (uint8_t *)state_bytes();

	if (fk_boot_status(&rig.cfg, &st) != FK_OK || !st.records_used)
		return;
	for (uint32_t i = st.records_used; i + free_slots < st.records_total;
	     i++) {
		if (bs_slot_offset(&rig.cfg.state, rec, i, &off) == FK_OK)
			memset(p + off, 0xA5, rec);
	}
	memory_touched();
	trace("log filled to %u free slots", free_slots);
}

/* One update cycle with the log filled at point `at`. */
static void fill_case(uint32_t at, uint32_t free_slots, bool cut)
{
	int img = rnd(2) ? IMG_GOOD : IMG_SMALL;
	enum fk_boot_mode mode = rig.cfg.strategy == FK_BOOT_OVERWRITE ?
					 FK_BOOT_PERMANENT :
					 FK_BOOT_TEST;

	op_begin(img);
	if (at == 0)
		fill_log(free_slots);
	if (cut)
		op_arm_cut(400);
	while (app.open && app.off < pool_len[img]) {
		op_write(write_size());
		if (at == 1 && app.off >= pool_len[img] / 2) {
			fill_log(free_slots);
			at = 99;
		}
	}
	if (!app.open) {
		op_resume();
		while (app.open && app.off < pool_len[img])
			op_write(write_size());
	}
	if (app.open)
		op_finish();
	if (at == 2)
		fill_log(free_slots);
	op_set_pending(1, mode);
	if (at == 3)
		fill_log(free_slots);
	boot();
	if (at == 4)
		fill_log(free_slots);
	if (rnd(2))
		op_confirm();
	boot();
	boot();
	/* the upload the install consumed, finished again from the struct
	 * a reset should have lost: its image is still in the window */
	trace("fk_update_finish(stale) = %d", fk_update_finish(&app.u));
}

static int fill_run(enum fk_boot_strategy strategy, enum rig_geo geo,
		    uint64_t seed)
{
	struct fk_rig_snapshot *start;
	static const uint32_t frees[] = {
		0, 1, 2, 3, 5, 8, 11, 12, 13, 16, 30
	};

	if (setup(strategy, geo, 1) != 0)
		return -1;
	rng = seed;
	start = fk_rig_snapshot(&rig);
	if (!start)
		return -1;
	for (uint32_t at = 0; at < 5; at++) {
		for (uint32_t f = 0; f < sizeof(frees) / sizeof(frees[0]);
		     f++) {
			fk_rig_restore(&rig, start);
			memory_touched();
			memset(&app, 0, sizeof(app));
			app.sending = -1;
			printf("-- fill at point %u, %u free\n", at, frees[f]);
			fill_case(at, frees[f], rnd(3) == 0);
		}
	}
	fk_rig_snapshot_free(&rig, start);
	return 0;
}

/* ---- xip ---- */

/* Hundreds of updates through the slots in turn; fails (in both builds)
 * when the slot did not alternate with the confirmed and permanent
 * installs, which would make the section prove nothing. */
static int xip_run(enum rig_geo geo, uint32_t updates, uint64_t seed)
{
	static const int imgs[] = { IMG_GOOD, IMG_BIG, IMG_SMALL };
	uint32_t flips = 0, kept = 0;
	char last = 'A';

	if (setup(FK_BOOT_XIP, geo, 1 + (uint32_t)(seed & 1)) != 0)
		return -1;
	rng = seed;
	for (uint32_t n = 0; n < updates; n++) {
		uint32_t r = rnd(10);

		if (r == 0)
			op_arm_cut(300);
		send_all(imgs[n % 3]);
		op_set_pending(1, r < 7 ? FK_BOOT_TEST : FK_BOOT_PERMANENT);
		boot();
		if (r < 5)
			op_confirm();
		boot();
		boot();
		if (booted.slot != last)
			flips++;
		else
			kept++;
		last = booted.slot;
	}
	printf("xip: %u updates, the slot changed %u times, stayed %u\n",
	       updates, flips, kept);
	if (flips < updates / 3) {
		printf("xip: the slot alternated too rarely\n");
		return -1;
	}
	return 0;
}

/* FK_DIFF_SCALE, or 10 for `make sweep-lite` (FK_SWEEP_FULL). */
static uint32_t scale(void)
{
	const char *s = getenv("FK_DIFF_SCALE");
	int n = s ? atoi(s) : getenv("FK_SWEEP_FULL") ? 10 : 1;

	return n > 0 ? (uint32_t)n : 1;
}

/* The device's key, and another P-256 key it does not know (the test
 * encryption key, a fixed file: both builds sign the same bytes). */
static int load_keys(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/data/mcuboot-images/%s",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".",
		 "enc-ecies-p256.pem");
	return rig_load_key() == 0 && fk_key_load(&other_key, path) == 0 ? 0 :
									   -1;
}

int main(void)
{
	static const enum rig_geo geos[] = {
		GEO_UNIFORM_4K,	 GEO_ECC32,   GEO_SMALL_PAGES, GEO_TWO_MEM,
		GEO_ERASED_ZERO, GEO_STM32L4, GEO_STM32F4,
	};
	uint32_t k = scale();
	uint64_t seed = getenv("FK_DIFF_SEED") ?
				strtoull(getenv("FK_DIFF_SEED"), NULL, 0) :
				0;
	int rc = 0;

	if (getenv("FK_DIFF_DUMP"))
		dump_at = strtoull(getenv("FK_DIFF_DUMP"), NULL, 10);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (load_keys() != 0) {
		printf("cannot load the test keys (FK_ROOT?)\n");
		return 1;
	}
	rc |= probe();
	for (uint32_t g = 0; rc == 0 && g < 7; g++) {
		for (uint32_t s = FK_BOOT_OVERWRITE;
		     rc == 0 && s <= FK_BOOT_XIP; s++) {
			uint32_t steps =
				geos[g] == GEO_STM32L4 ||
						geos[g] == GEO_STM32F4 ?
					100 :
					300;

			rc |= random_run((enum fk_boot_strategy)s, geos[g],
					 1 + g % 2, steps * k,
					 seed + 1000 + 10 * s + g);
		}
	}
	for (uint32_t g = 0; rc == 0 && g < 2; g++) {
		for (uint32_t s = FK_BOOT_OVERWRITE;
		     rc == 0 && s <= FK_BOOT_XIP; s++) {
			rc |= refusal_run((enum fk_boot_strategy)s, geos[g]);
			rc |= fill_run((enum fk_boot_strategy)s, geos[g],
				       seed + 77 + 11 * g + s);
		}
	}
	if (rc == 0)
		rc |= xip_run(GEO_UNIFORM_4K, 200 * k, seed + 5);
	if (rc == 0)
		rc |= xip_run(GEO_ERASED_ZERO, 60 * k, seed + 6);
	fk_rig_destroy(&rig);
	for (int i = 0; i < IMG_COUNT; i++)
		free(pool[i]);
	fk_key_free(&other_key);
	printf(rc ? "incomplete\n" : "complete: %llu lines\n",
	       (unsigned long long)line_no);
	return rc ? 1 : 0;
}
