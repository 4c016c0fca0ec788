/*
 * The lite core's boot-state log (src/boot/lite_state.c) against the full
 * core's (state.c): the same bytes must replay to the same state of image
 * 0, and a full log must be rewritten to the same bytes.
 *
 * Logs are written slot by slot straight into a simulated state area:
 * seeded random records (any type, image 0, 1, 0xFF or anything, any
 * argument), records that follow an update's life with noise in between
 * (image 1's records, records of another phase, torn slots, erased holes,
 * a duplicated or missing header), torn slots of three kinds (a bad CRC,
 * bits of a record, a program cut by the simulator, which program-once
 * flash reads as an ECC error) and logs with no valid header. Each is
 * replayed by bs_read() and bl_read(), and every field struct bl_state
 * has is compared with its counterpart in struct bs_state for image 0.
 * Then a filled log gets one more record from bs_append() and, on a copy
 * of the same flash, from bl_append(); the two logs must hold the same
 * bytes and replay the same. The geometries: 4K sectors, 128-byte pages
 * (a log over several sectors), program-once 2K sectors, program-once
 * 32-byte units, a flash that erases to 0x00.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/lite.h"
#include "flashsim.h"

#define SEED 0x51A7E5EEDull
#define REC_BYTES 20 /* an encoded record (state.c's REC_BYTES) */
#define LOGS_PER_GEO 1500

struct geo {
	const char *name;
	struct fk_sector_run run;
	uint32_t write_unit;
	bool program_once;
	uint8_t erased;
	uint32_t state_off, state_size;
};

static const struct geo geos[] = {
	{ "uniform-4k", { 16, 4096 }, 8, false, 0xFF, 8192, 4096 },
	{ "small-pages", { 64, 128 }, 4, false, 0xFF, 1024, 2560 },
	{ "stm32l4", { 16, 2048 }, 8, true, 0xFF, 4096, 2048 },
	{ "ecc32", { 8, 8192 }, 32, true, 0xFF, 8192, 8192 },
	{ "erased-zero", { 8, 4096 }, 16, true, 0x00, 4096, 4096 },
};
#define GEO_N (sizeof(geos) / sizeof(geos[0]))

struct log_rig {
	struct fk_sim *sim;
	struct fk_boot_config cfg;
	uint32_t rec;	/* bytes per slot */
	uint32_t slots; /* slots in the log */
	uint64_t x;	/* random state */
};

static uint32_t rnd(struct log_rig *r, uint32_t n)
{
	r->x ^= r->x << 13;
	r->x ^= r->x >> 7;
	r->x ^= r->x << 17;
	return n ? (uint32_t)(r->x % n) : 0;
}

static void rig_open(struct log_rig *r, const struct geo *g,
		     enum fk_boot_strategy strategy, uint64_t seed)
{
	struct fk_sim_config sc = { 0 };

	memset(r, 0, sizeof(*r));
	sc.geo.runs = &g->run;
	sc.geo.run_count = 1;
	sc.geo.size = g->run.count * g->run.size;
	sc.geo.write_unit = g->write_unit;
	sc.geo.program_once = g->program_once;
	sc.geo.erased_value = g->erased;
	r->sim = fk_sim_create(&sc);
	assert_non_null(r->sim);
	assert_int_equal(fk_area_init(&r->cfg.state, fk_sim_flash(r->sim),
				      g->state_off, g->state_size),
			 FK_OK);
	r->cfg.image_count = 1;
	r->cfg.strategy = strategy;
	r->cfg.trial_boots = 2;
	r->rec = bs_record_size(&r->cfg.state);
	r->slots = bs_log_slots(&r->cfg);
	assert_true(r->slots >= 2);
	r->x = seed | 1;
}

static void rig_close(struct log_rig *r)
{
	fk_sim_destroy(r->sim);
}

/* Erases the log (an untracked reset between logs). */
static void wipe(struct log_rig *r)
{
	assert_int_equal(
		fk_area_erase(&r->cfg.state, 0, bs_log_bytes(&r->cfg.state)),
		FK_OK);
}

static void program_slot(struct log_rig *r, uint32_t i, const uint8_t *raw)
{
	uint32_t off;

	assert_int_equal(bs_slot_offset(&r->cfg.state, r->rec, i, &off), FK_OK);
	assert_int_equal(fk_area_program(&r->cfg.state, off, raw, r->rec),
			 FK_OK);
}

static void encode(struct log_rig *r, const struct bs_rec *rec, uint8_t *raw)
{
	memset(raw, r->cfg.state.flash->geo.erased_value, FK_BOOT_RECORD_MAX);
	bs_rec_encode(rec, raw);
}

static void put(struct log_rig *r, uint32_t i, const struct bs_rec *rec)
{
	uint8_t raw[FK_BOOT_RECORD_MAX];

	encode(r, rec, raw);
	program_slot(r, i, raw);
}

enum tear { TEAR_CRC, TEAR_BITS, TEAR_CUT };

/* Slot i torn: a record whose CRC fails, some of its bits programmed, or
 * its program cut by the simulator (an ECC error on program-once). */
static void put_torn(struct log_rig *r, uint32_t i, const struct bs_rec *rec,
		     enum tear how)
{
	uint8_t raw[FK_BOOT_RECORD_MAX];
	uint8_t erased = r->cfg.state.flash->geo.erased_value;
	uint32_t off;

	encode(r, rec, raw);
	if (how == TEAR_CRC) {
		raw[rnd(r, REC_BYTES)] ^= (uint8_t)(1u << rnd(r, 8));
	} else if (how == TEAR_BITS) {
		/* a prefix of the record lands, the rest stays erased */
		uint32_t keep = 1 + rnd(r, REC_BYTES - 1);

		memset(raw + keep, erased, REC_BYTES - keep);
	}
	if (how != TEAR_CUT) {
		/* all erased would be an empty slot, not a torn one */
		raw[0] = (uint8_t)(erased ^ 0x5A);
		program_slot(r, i, raw);
		return;
	}
	assert_int_equal(bs_slot_offset(&r->cfg.state, r->rec, i, &off), FK_OK);
	fk_sim_schedule_cut(r->sim, fk_sim_op_index(r->sim), FK_CUT_TORN,
			    FK_TEAR_SEEDED, r->x);
	(void)fk_area_program(&r->cfg.state, off, raw, r->rec);
	fk_sim_reboot(r->sim);
}

static const struct bs_rec header = { .type = BS_REC_HEADER,
				      .image = 0xFF,
				      .arg = BS_FORMAT_VERSION };

static const uint8_t types[] = {
	BS_REC_HEADER,	  BS_REC_UPLOAD,  BS_REC_SYNC,	    BS_REC_STAGED,
	BS_REC_PENDING,	  BS_REC_REFUSED, BS_REC_START,	    BS_REC_STEP,
	BS_REC_INSTALLED, BS_REC_ATTEMPT, BS_REC_CONFIRMED, BS_REC_RSTEP,
	BS_REC_REVERTED,
};
#define TYPE_N (sizeof(types) / sizeof(types[0]))

static bool per_image(uint8_t type)
{
	return type == BS_REC_UPLOAD || type == BS_REC_SYNC ||
	       type == BS_REC_STAGED || type == BS_REC_START ||
	       type == BS_REC_STEP || type == BS_REC_RSTEP;
}

/* A record of type: image 0 mostly, image 1 (to be ignored) or anything
 * else sometimes; arguments in the ranges the code writes, now and then
 * out of them. */
static struct bs_rec make(struct log_rig *r, uint8_t type)
{
	static const uint8_t images[] = { 0, 0, 0, 0, 0, 1, 1, 0xFF, 7 };
	struct bs_rec rec = { .type = type };

	rec.image = per_image(type) ? images[rnd(r, sizeof(images))] : 0xFF;
	rec.arg = (uint16_t)rnd(r, 6);
	rec.value = rnd(r, 4);
	for (uint32_t k = 0; k < BS_DIGEST_PREFIX; k++)
		rec.payload[k] = (uint8_t)rnd(r, 256);
	if (type == BS_REC_PENDING) {
		rec.arg = (uint16_t)rnd(r, 3); /* TEST, PERMANENT, other */
		rec.value = rnd(r, 4);	       /* image masks 0..3 */
	}
	if (type == BS_REC_START) {
		rec.arg = (uint16_t)rnd(r, 40);
		rec.value = rnd(r, 300000);
	}
	if (rnd(r, 20) == 0) { /* far out of range */
		rec.arg = (uint16_t)rnd(r, 65536);
		rec.value = (uint32_t)r->x;
	}
	if (rnd(r, 40) == 0)
		rec.image = (uint8_t)rnd(r, 256);
	return rec;
}

/* The records the lite core writes for the strategy in place of type:
 * OVERWRITE writes no STEP or RSTEP, XIP no START either (the summaries
 * leave them out too). The logs of the replay test are SWAP's: every
 * type. */
static uint8_t for_strategy(const struct log_rig *r, uint8_t type)
{
	if (r->cfg.strategy == FK_BOOT_SWAP)
		return type;
	if (type == BS_REC_RSTEP)
		return BS_REC_REVERTED;
	if (type == BS_REC_STEP ||
	    (type == BS_REC_START && r->cfg.strategy == FK_BOOT_XIP))
		return BS_REC_INSTALLED;
	return type;
}

/* Any type, sometimes one no code writes. */
static struct bs_rec random_rec(struct log_rig *r)
{
	uint8_t type = types[rnd(r, TYPE_N)];

	if (rnd(r, 30) == 0)
		type = (uint8_t)rnd(r, 256);
	return make(r, for_strategy(r, type));
}

/* The next record of an update's life after type (what the code would
 * write next), so that random walks reach every phase and go deep. */
static uint8_t next_in_life(struct log_rig *r, uint8_t type)
{
	switch (type) {
	case BS_REC_UPLOAD:
		return rnd(r, 3) ? BS_REC_SYNC : BS_REC_STAGED;
	case BS_REC_SYNC:
		return rnd(r, 2) ? BS_REC_SYNC : BS_REC_STAGED;
	case BS_REC_STAGED:
		return rnd(r, 8) ? BS_REC_PENDING : BS_REC_UPLOAD;
	case BS_REC_PENDING:
		return rnd(r, 6) ? BS_REC_START :
		       rnd(r, 2) ? BS_REC_REFUSED :
				   BS_REC_INSTALLED;
	case BS_REC_START:
	case BS_REC_STEP:
		return rnd(r, 5) ? BS_REC_STEP : BS_REC_INSTALLED;
	case BS_REC_INSTALLED:
	case BS_REC_ATTEMPT:
		return rnd(r, 3) == 0 ? BS_REC_ATTEMPT :
		       rnd(r, 2)      ? BS_REC_CONFIRMED :
					BS_REC_RSTEP;
	case BS_REC_RSTEP:
		return rnd(r, 4) ? BS_REC_RSTEP : BS_REC_REVERTED;
	default: /* CONFIRMED, REVERTED, REFUSED, HEADER */
		return BS_REC_UPLOAD;
	}
}

enum style { RANDOM, LIFE, LIFE_STEPS_IN_ORDER };

/* Writes a log of n slots from slot 0 in the given style; head: slot 0
 * holds a header (else a record, a torn slot or a header of another
 * version). Returns the slots written. */
static uint32_t write_log(struct log_rig *r, enum style style, uint32_t n,
			  bool head)
{
	uint8_t type = BS_REC_CONFIRMED;
	uint16_t step = 0;
	uint32_t i;

	if (n > r->slots)
		n = r->slots;
	if (head) {
		put(r, 0, &header);
	} else {
		struct bs_rec bad = header;

		switch (rnd(r, 3)) {
		case 0:
			bad.arg = BS_FORMAT_VERSION + 1;
			put(r, 0, &bad);
			break;
		case 1:
			put_torn(r, 0, &header, (enum tear)rnd(r, 3));
			break;
		default:
			bad = random_rec(r);
			if (bad.type == BS_REC_HEADER)
				bad.arg = 0;
			put(r, 0, &bad);
		}
	}
	for (i = 1; i < n; i++) {
		struct bs_rec rec;
		uint32_t noise = rnd(r, 100);

		if (style == RANDOM || noise < 8) {
			rec = random_rec(r);
		} else {
			type = for_strategy(r, next_in_life(r, type));
			rec = make(r, type);
			if (per_image(type) && rnd(r, 6))
				rec.image = 0;
			if (type == BS_REC_START)
				step = 0;
			if (type == BS_REC_STEP &&
			    style == LIFE_STEPS_IN_ORDER) {
				rec.arg = step / 2;
				rec.value = step++ % 2;
			}
			if (type == BS_REC_ATTEMPT)
				rec.value = 1 + rnd(r, 3);
		}
		if (noise < 3) {
			put_torn(r, i, &rec, (enum tear)rnd(r, 3));
		} else if (noise == 3 && i + 1 < n) {
			i++; /* an erased hole: the log ends before it */
			put(r, i, &rec);
		} else {
			put(r, i, &rec);
		}
	}
	return n;
}

/* Every field bl_read() keeps, against bs_read()'s for image 0. The
 * START fields (flags, groups, length) only while its install is started
 * when not replayed (replay: always): a state in memory after a
 * compaction keeps them only there. */
static void compare_state(const struct bs_state *f, const struct bl_state *l,
			  const char *what, bool replayed)
{
	char msg[160];

#define SAME(a, b)                                                          \
	do {                                                                \
		if ((long long)(a) != (long long)(b)) {                     \
			snprintf(msg, sizeof(msg),                          \
				 "%s: %s is %lld, state.c says %lld", what, \
				 #b, (long long)(b), (long long)(a));       \
			fail_msg("%s", msg);                                \
		}                                                           \
	} while (0)
	SAME(f->log.header, l->header);
	SAME(f->log.rec_size, l->rec);
	SAME(f->log.slots, l->slots);
	if (f->log.header)
		SAME(f->log.next, l->next);
	SAME(f->phase, l->phase);
	SAME(f->mode, l->mode);
	SAME(f->mask, l->mask);
	SAME(f->attempts, l->attempts);
	SAME(f->xip_active, l->active);
	SAME(f->xip_target[0], l->target);
	SAME(f->upload_mask & 1u, l->upload);
	SAME(f->staged_mask & 1u, l->staged);
	SAME(f->start_mask & 1u, l->started);
	if (replayed || l->started) {
		SAME(f->flags[0], l->flags);
		SAME(f->groups[0], l->groups);
		SAME(f->length[0], l->length);
	}
	SAME(f->saved[0], l->saved);
	SAME(f->placed[0], l->placed);
	SAME(f->rsteps[0], l->rsteps);
	SAME(f->sync[0], l->sync);
	SAME(f->last_refusal, -(int)l->refused);
#undef SAME
	if (memcmp(f->digest[0], l->digest, BS_DIGEST_PREFIX))
		fail_msg("%s: digest differs", what);
}

static void compare(const struct bs_state *f, const struct bl_state *l,
		    const char *what)
{
	compare_state(f, l, what, true);
}

static void replay_both(struct log_rig *r, const char *what)
{
	struct bs_state f;
	struct bl_state l;

	assert_int_equal(bs_read(&r->cfg, &f), FK_OK);
	assert_int_equal(bl_read(&r->cfg, &l), FK_OK);
	compare(&f, &l, what);
}

/* Phases reached by the logs, so the test proves it went deep. */
static uint32_t phases_seen[FK_BOOT_REVERTING + 1];

static void count_phase(struct log_rig *r)
{
	struct bl_state l;

	assert_int_equal(bl_read(&r->cfg, &l), FK_OK);
	phases_seen[l.phase]++;
}

static void
test_replay_matches_state_c_on_random_and_adversarial_logs(void **state)
{
	(void)state;
	memset(phases_seen, 0, sizeof(phases_seen));
	for (uint32_t g = 0; g < GEO_N; g++) {
		struct log_rig r;

		rig_open(&r, &geos[g], FK_BOOT_SWAP, SEED + g);
		for (uint32_t k = 0; k < LOGS_PER_GEO; k++) {
			char what[96];
			enum style style = (enum style)(k % 3);
			uint32_t n = 2 + rnd(&r, k % 5 ? 60 : r.slots);

			snprintf(what, sizeof(what), "%s log %u (style %d)",
				 geos[g].name, k, (int)style);
			wipe(&r);
			write_log(&r, style, n, rnd(&r, 10) != 0);
			replay_both(&r, what);
			count_phase(&r);
		}
		/* an erased log */
		wipe(&r);
		replay_both(&r, "erased log");
		rig_close(&r);
	}
	printf("replayed %u logs on %u geometries; phases reached: idle %u, "
	       "pending %u, installing %u, trial %u, reverting %u\n",
	       (unsigned)(LOGS_PER_GEO * GEO_N), (unsigned)GEO_N,
	       phases_seen[FK_BOOT_IDLE], phases_seen[FK_BOOT_PENDING],
	       phases_seen[FK_BOOT_INSTALLING], phases_seen[FK_BOOT_TRIAL],
	       phases_seen[FK_BOOT_REVERTING]);
	for (uint32_t p = 0; p <= FK_BOOT_REVERTING; p++)
		assert_true(phases_seen[p] > 20);
}

/* The records the lite core appends, with the essential flag state.c
 * gets from its callers (RSTEP is progress, dropped near the end). */
static const uint8_t appended[] = {
	BS_REC_START,	  BS_REC_STEP,	   BS_REC_INSTALLED, BS_REC_ATTEMPT,
	BS_REC_CONFIRMED, BS_REC_REVERTED, BS_REC_REFUSED,   BS_REC_RSTEP,
};

/* Compares the log with other, the bytes state.c left; prints the
 * first slot that differs, decoded. */
static bool log_bytes_equal(struct log_rig *r, const uint8_t *other)
{
	const uint8_t *now = fk_sim_data(r->sim) + r->cfg.state.off;

	for (uint32_t i = 0; i < r->slots; i++) {
		uint32_t off;
		struct bs_rec a = { 0 }, b = { 0 };

		assert_int_equal(bs_slot_offset(&r->cfg.state, r->rec, i, &off),
				 FK_OK);
		if (!memcmp(now + off, other + off, r->rec))
			continue;
		bs_rec_decode(other + off, &a);
		bs_rec_decode(now + off, &b);
		printf("slot %u: state.c 0x%02x/%u arg %u value %u flags %u, "
		       "lite 0x%02x/%u arg %u value %u flags %u\n",
		       i, a.type, a.image, a.arg, a.value, a.payload[0], b.type,
		       b.image, b.arg, b.value, b.payload[0]);
		return false;
	}
	return true;
}

/* One filled log, one record appended by each core on the same bytes. */
static void append_both(struct log_rig *r, uint8_t type, const char *what)
{
	struct fk_sim_snapshot *snap = fk_sim_snapshot_take(r->sim);
	uint32_t bytes = bs_log_bytes(&r->cfg.state);
	struct bs_rec rec = make(r, type);
	uint8_t *full_log = malloc(bytes);
	struct bs_state f;
	struct bl_state l;
	int rc_f, rc_l;

	assert_non_null(snap);
	assert_non_null(full_log);
	rec.image = per_image(type) ? 0 : 0xFF;
	/* START's payload is its flags byte; other appended records have
	 * none */
	memset(rec.payload + (type == BS_REC_START), 0,
	       sizeof(rec.payload) - (type == BS_REC_START));
	assert_int_equal(bs_read(&r->cfg, &f), FK_OK);
	rc_f = bs_append(&r->cfg, &f, &rec, type != BS_REC_RSTEP);
	memcpy(full_log, fk_sim_data(r->sim) + r->cfg.state.off, bytes);

	fk_sim_snapshot_restore(r->sim, snap);
	assert_int_equal(bl_read(&r->cfg, &l), FK_OK);
	if (type == BS_REC_START) /* START carries st->flags */
		l.flags = rec.payload[0];
	rc_l = bl_append(&r->cfg, &l, type, rec.arg, rec.value);
	assert_int_equal(rc_f, rc_l);
	/* what each thinks it wrote, then what the bytes say */
	compare_state(&f, &l, what, false);
	if (!log_bytes_equal(r, full_log))
		fail_msg("%s: the logs' bytes differ after the append", what);
	replay_both(r, what);
	free(full_log);
	fk_sim_snapshot_free(snap);
}

/* Each strategy's logs on each geometry, filled, then one more record
 * appended by each core. */
static void test_full_log_compacts_to_the_same_bytes_and_state(void **state)
{
	static const enum fk_boot_strategy strategies[] = { FK_BOOT_SWAP,
							    FK_BOOT_OVERWRITE,
							    FK_BOOT_XIP };
	uint32_t compacted = 0, cases = 0;

	(void)state;
	for (uint32_t c = 0; c < 3 * GEO_N; c++) {
		const struct geo *g = &geos[c % GEO_N];
		struct log_rig r;

		rig_open(&r, g, strategies[c / GEO_N], SEED * 3 + c);
		for (uint32_t k = 0; k < 120; k++) {
			char what[96];
			uint8_t type = for_strategy(
				&r, appended[k % sizeof(appended)]);
			struct bl_state l;
			/* full, one short of full, or down to the reserve */
			uint32_t n = r.slots - (k % 4 == 3 ? rnd(&r, 12) : 0);

			snprintf(what, sizeof(what),
				 "%s strategy %d log %u, append 0x%02x",
				 g->name, (int)r.cfg.strategy, k, type);
			/* START where the lite core appends it: in PENDING */
			for (uint32_t t = 0; t < 200; t++) {
				wipe(&r);
				write_log(&r, (enum style)(1 + k % 2), n, true);
				assert_int_equal(bl_read(&r.cfg, &l), FK_OK);
				if (type != BS_REC_START ||
				    l.phase == FK_BOOT_PENDING)
					break;
			}
			if (type == BS_REC_START)
				assert_int_equal(l.phase, FK_BOOT_PENDING);
			compacted += l.next == l.slots;
			append_both(&r, type, what);
			cases++;
		}
		rig_close(&r);
	}
	printf("%u appends on full or nearly full logs (SWAP, OVERWRITE, "
	       "XIP), %u of them compactions: same bytes, same state\n",
	       cases, compacted);
	assert_true(compacted > 300);
}

/* bl_make_room() against bs_make_room() before an install. */
static void test_make_room_rewrites_as_state_c_does(void **state)
{
	uint32_t cases = 0;

	(void)state;
	for (uint32_t g = 0; g < GEO_N; g++) {
		struct log_rig r;

		rig_open(&r, &geos[g], FK_BOOT_SWAP, SEED * 7 + g);
		for (uint32_t k = 0; k < 60; k++) {
			struct fk_sim_snapshot *snap;
			uint32_t bytes = bs_log_bytes(&r.cfg.state);
			uint32_t need = bs_install_slots(&r.cfg);
			uint8_t *full_log = malloc(bytes);
			struct bs_state f;
			struct bl_state l;
			char what[80];

			snprintf(what, sizeof(what), "%s make_room %u",
				 geos[g].name, k);
			wipe(&r);
			write_log(&r, LIFE, r.slots - rnd(&r, need + 8), true);
			snap = fk_sim_snapshot_take(r.sim);
			assert_int_equal(bs_read(&r.cfg, &f), FK_OK);
			assert_int_equal(bs_make_room(&r.cfg, &f, need), FK_OK);
			memcpy(full_log, fk_sim_data(r.sim) + r.cfg.state.off,
			       bytes);
			fk_sim_snapshot_restore(r.sim, snap);
			assert_int_equal(bl_read(&r.cfg, &l), FK_OK);
			assert_int_equal(bl_make_room(&r.cfg, &l, need), FK_OK);
			compare_state(&f, &l, what, false);
			if (!log_bytes_equal(&r, full_log))
				fail_msg("%s: the logs' bytes differ", what);
			replay_both(&r, what);
			fk_sim_snapshot_free(snap);
			free(full_log);
			cases++;
		}
		rig_close(&r);
	}
	printf("%u make_room cases: same bytes, same state\n", cases);
}

/* Sectors of two sizes under the log: the lite core refuses the log
 * (FK_EINVAL, lite.h; cmake/boot_program.cmake refuses such a layout for
 * a lite bootloader), where the full core reads it. And a state area
 * smaller than FK_BOOT_LOG_MIN over several pages: the log is all of it,
 * as state.c says. */
static void test_log_geometry_edges(void **state)
{
	static const struct fk_sector_run mixed[] = { { 1, 1024 },
						      { 8, 4096 } };
	struct fk_sim_config sc = { 0 };
	struct fk_boot_config cfg = { 0 };
	struct bs_state f;
	struct bl_state l;
	struct fk_sim *sim;
	struct log_rig r;

	(void)state;
	sc.geo.runs = mixed;
	sc.geo.run_count = 2;
	sc.geo.size = 1024 + 8 * 4096;
	sc.geo.write_unit = 4;
	sc.geo.erased_value = 0xFF;
	sim = fk_sim_create(&sc);
	assert_non_null(sim);
	assert_int_equal(fk_area_init(&cfg.state, fk_sim_flash(sim), 0, 5120),
			 FK_OK);
	cfg.image_count = 1;
	cfg.strategy = FK_BOOT_SWAP;
	cfg.trial_boots = 2;
	assert_int_equal(bs_read(&cfg, &f), FK_OK);
	assert_true(f.log.slots > 2);
	assert_int_equal(bl_read(&cfg, &l), FK_EINVAL);
	assert_int_equal(fk_boot_lite(&cfg), FK_EINVAL);
	fk_sim_destroy(sim);

	/* three 128-byte pages: 18 slots of 20 bytes */
	rig_open(&r, &geos[1], FK_BOOT_SWAP, SEED);
	assert_int_equal(
		fk_area_init(&r.cfg.state, fk_sim_flash(r.sim), 1024, 384),
		FK_OK);
	r.rec = bs_record_size(&r.cfg.state);
	r.slots = bs_log_slots(&r.cfg);
	assert_int_equal(r.slots, 18);
	for (uint32_t n = 0; n < 18; n++) {
		struct bs_rec rec = { .type = n ? BS_REC_ATTEMPT :
						  BS_REC_HEADER,
				      .image = 0xFF,
				      .arg = n ? 0 : BS_FORMAT_VERSION,
				      .value = n };

		if (n == 1)
			rec.type = BS_REC_PENDING, rec.arg = FK_BOOT_TEST,
			rec.value = 1;
		if (n == 2)
			rec.type = BS_REC_INSTALLED;
		put(&r, n, &rec);
		assert_int_equal(bl_read(&r.cfg, &l), FK_OK);
		assert_int_equal(l.slots, 18);
		assert_int_equal(l.next, n + 1);
		replay_both(&r, "three pages");
	}
	assert_int_equal(l.phase, FK_BOOT_TRIAL);
	assert_int_equal(l.attempts, 17);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_replay_matches_state_c_on_random_and_adversarial_logs),
		cmocka_unit_test(
			test_full_log_compacts_to_the_same_bytes_and_state),
		cmocka_unit_test(test_make_room_rewrites_as_state_c_does),
		cmocka_unit_test(test_log_geometry_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
