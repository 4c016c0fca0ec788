/*
 * The store's API contract on the simulator: values round-trip and
 * survive a remount, deletes and commits, iteration, argument and
 * configuration errors, capacity, sector rotation, and wear levelling
 * over a long run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kv_harness.h"
#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "flashkit/kv_inspect.h"

static const struct kvh_geometry small = {
	"4 x 4 KiB, 1-byte writes", 4096, 4, 1, 0xFF, false,
	{ 16, 40, 128, 0 }, 16, 0, 40, false
};

static void test_set_get_survives_remount(void **state)
{
	struct kvh_store s;
	uint8_t buf[64];
	struct fk_kv kv2;

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_get(&s.kv, 3, buf, sizeof(buf)), FK_ENOENT);
	assert_int_equal(fk_kv_set(&s.kv, 3, "hello", 5), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 4, "", 0), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 3, "world!", 6), FK_OK);
	assert_int_equal(fk_kv_mount(&kv2, &s.area, &small.cfg), FK_OK);
	assert_int_equal(fk_kv_get(&kv2, 3, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "world!", 6);
	assert_int_equal(fk_kv_get(&kv2, 4, buf, sizeof(buf)), 0);
	assert_int_equal(fk_kv_get(&kv2, 3, buf, 5), FK_ENOSPC);
	kvh_close(&s);
}

static void test_delete_and_commit(void **state)
{
	struct kvh_store s;
	uint8_t buf[64];
	struct fk_kv_entry e[3] = {
		{ 1, "one", 3 }, { 2, NULL, 0 }, { 5, "five", 4 },
	};
	struct fk_kv_entry dup[2] = { { 1, "a", 1 }, { 1, "b", 1 } };

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_set(&s.kv, 2, "two", 3), FK_OK);
	assert_int_equal(fk_kv_commit(&s.kv, e, 3), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 1, buf, sizeof(buf)), 3);
	assert_int_equal(fk_kv_get(&s.kv, 2, buf, sizeof(buf)), FK_ENOENT);
	assert_int_equal(fk_kv_get(&s.kv, 5, buf, sizeof(buf)), 4);
	assert_int_equal(fk_kv_delete(&s.kv, 5), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 5, buf, sizeof(buf)), FK_ENOENT);
	assert_int_equal(fk_kv_commit(&s.kv, dup, 2), FK_EINVAL);
	assert_int_equal(fk_kv_commit(&s.kv, e, 0), FK_EINVAL);
	kvh_close(&s);
}

static void test_bad_arguments_are_refused(void **state)
{
	struct kvh_store s;
	uint8_t big[200] = { 0 };
	struct fk_kv_entry e[4];

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_set(&s.kv, 16, "x", 1), FK_EINVAL);
	assert_int_equal(fk_kv_set(&s.kv, 0, big, 41), FK_EINVAL);
	assert_int_equal(fk_kv_get(&s.kv, 16, big, 1), FK_EINVAL);
	for (int i = 0; i < 4; i++) {
		e[i].id = (uint16_t)i;
		e[i].value = big;
		e[i].len = 40;
	}
	/* 6 + 3 * 43 = 135 > record_max 128 */
	assert_int_equal(fk_kv_commit(&s.kv, e, 3), FK_ENOSPC);
	kvh_close(&s);
}

static int count_keys(void *ctx, uint16_t id, const void *value, uint8_t len)
{
	int *n = ctx;

	(void)value;
	assert_int_equal(len, id);
	(*n)++;
	return 0;
}

static void test_iterate_visits_each_live_key_once(void **state)
{
	struct kvh_store s;
	uint8_t v[16] = { 0 };
	int n = 0;

	(void)state;
	kvh_open(&s, &small);
	/* Enough writes to spread the keys over every sector. */
	for (int round = 0; round < 200; round++) {
		for (uint16_t id = 0; id < 12; id++)
			assert_int_equal(fk_kv_set(&s.kv, id, v, (uint8_t)id),
					 FK_OK);
	}
	assert_int_equal(fk_kv_delete(&s.kv, 7), FK_OK);
	assert_int_equal(fk_kv_iterate(&s.kv, count_keys, &n), FK_OK);
	assert_int_equal(n, 11);
	kvh_close(&s);
}

/* Each way a configuration can be wrong has its own answer: nonsense
 * (FK_EINVAL), too big for a sector (FK_ENOSPC), or not the one the
 * store on flash was formatted with (FK_EMISMATCH). */
static void test_config_errors_each_have_their_own_code(void **state)
{
	struct kvh_store s;
	struct fk_kv kv;
	struct fk_kv_config too_many = { 128, 40, 128, 0 }; /* 128 x 47 > 4 KiB */
	struct fk_kv_config odd = { 12, 10, 64, 0 };
	struct fk_kv_config other = { 16, 20, 64, 0 };

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_mount(&kv, &s.area, &too_many), FK_ENOSPC);
	assert_int_equal(fk_kv_mount(&kv, &s.area, &odd), FK_EINVAL);
	/* A store formatted with another configuration is not reused. */
	assert_int_equal(fk_kv_mount(&kv, &s.area, &other), FK_EMISMATCH);
	assert_int_equal(fk_kv_set(&kv, 0, "x", 1), FK_ESTATE);
	kvh_close(&s);
}

/* A zero-length value read into no buffer at all: length 0, and no
 * memcpy(NULL, ...) (UBSan in the ASan build catches one). */
static void test_get_of_empty_value_into_null_buffer(void **state)
{
	struct kvh_store s;

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_set(&s.kv, 4, "", 0), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 4, NULL, 0), 0);
	assert_int_equal(fk_kv_set(&s.kv, 5, "ab", 2), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 5, NULL, 0), FK_ENOSPC);
	kvh_close(&s);
}

/* kv.h's FK_KV_VALUE_MAX is what this build really takes: a store with
 * value_max FK_KV_VALUE_MAX and record_max FK_KV_RECORD_MAX mounts and
 * keeps a value of that size; one byte more is refused. */
static void test_value_max_of_the_header_is_what_the_build_takes(void **state)
{
	static const struct kvh_geometry g = {
		"2 x 64 KiB", 64 * 1024, 2, 1, 0xFF, false,
		{ 8, FK_KV_VALUE_MAX, FK_KV_RECORD_MAX, 0 }, 8, 0, 1, false
	};
	struct fk_kv_config over = g.cfg;
	uint8_t v[FK_KV_VALUE_MAX], back[FK_KV_VALUE_MAX + 1];
	struct kvh_store s;
	struct fk_kv kv;

	(void)state;
	assert_true(FK_KV_VALUE_MAX <= 254);
	assert_true(FK_KV_VALUE_MAX + FK_KV_SET_OVERHEAD <= FK_KV_RECORD_MAX);
	memset(v, 0x5A, sizeof(v));
	kvh_open(&s, &g);
	assert_int_equal(fk_kv_set(&s.kv, 7, v, FK_KV_VALUE_MAX), FK_OK);
	assert_int_equal(fk_kv_mount(&kv, &s.area, &g.cfg), FK_OK);
	assert_int_equal(fk_kv_get(&kv, 7, back, sizeof(back)),
			 FK_KV_VALUE_MAX);
	assert_memory_equal(back, v, sizeof(v));
	over.value_max = FK_KV_VALUE_MAX + 1;
	assert_int_equal(fk_kv_mount(&kv, &s.area, &over), FK_EINVAL);
	kvh_close(&s);
}

/* A store of format 1 (magic "FKV1") is refused with FK_EMISMATCH and
 * left as it is, not taken for an empty area and reformatted. */
static void test_format_1_store_is_refused_not_reformatted(void **state)
{
	static const uint8_t fixed[10] = { 4, 0, 16, 0, 128, 0, 40, 0x20,
					   0xFF, 0 };
	struct kvh_store s;
	uint8_t *flash, hdr[22 + 16 / 8], copy[4096];
	struct fk_kv kv;

	(void)state;
	kvh_open(&s, &small);
	flash = fk_sim_data(s.sim);
	memset(flash, 0xFF, 4 * 4096);
	memset(hdr, 0, sizeof(hdr));
	fk_put_le32(hdr, 0x31564B46u);
	fk_put_le32(hdr + 4, 1);
	memcpy(hdr + 8, fixed, sizeof(fixed));
	fk_put_le32(hdr + 20, fk_crc32(0, hdr, 20));
	memcpy(flash, hdr, sizeof(hdr));
	memcpy(copy, flash, sizeof(copy));
	assert_int_equal(fk_kv_mount(&kv, &s.area, &small.cfg), FK_EMISMATCH);
	assert_memory_equal(flash, copy, sizeof(copy));
	/* The same header with format 2's magic is a store of this build. */
	fk_put_le32(flash, 0x32564B46u);
	fk_put_le32(flash + 20, fk_crc32(0, flash, 20));
	assert_int_equal(fk_kv_mount(&kv, &s.area, &small.cfg), FK_OK);
	kvh_close(&s);
}

/* The framing of format 2: a set of a 16-byte value programs 23 bytes
 * on 1-byte NOR and 24 on 8-byte program-once units; a deletion 6 and
 * 8 (format 1 took 25/32 and 9/16). */
static void test_a_set_costs_seven_bytes_of_framing(void **state)
{
	static const uint32_t units[] = { 1, 8 };
	static const uint64_t set_bytes[] = { 23, 24 }, del_bytes[] = { 6, 8 };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct kvh_geometry g = small;
		struct fk_sim_stats a, b;
		struct kvh_store s;

		g.write_unit = units[i];
		g.program_once = units[i] > 1;
		kvh_open(&s, &g);
		fk_sim_get_stats(s.sim, &a);
		assert_int_equal(fk_kv_set(&s.kv, 9, "0123456789abcdef", 16),
				 FK_OK);
		fk_sim_get_stats(s.sim, &b);
		assert_int_equal(b.bytes_programmed - a.bytes_programmed,
				 set_bytes[i]);
		assert_int_equal(fk_kv_delete(&s.kv, 9), FK_OK);
		fk_sim_get_stats(s.sim, &a);
		assert_int_equal(a.bytes_programmed - b.bytes_programmed,
				 del_bytes[i]);
		kvh_close(&s);
	}
}

static void test_one_sector_is_refused(void **state)
{
	struct kvh_store s;
	struct fk_area one;
	struct fk_kv kv;

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_area_init(&one, s.area.flash, 0, 4096), FK_OK);
	assert_int_equal(fk_kv_mount(&kv, &one, &small.cfg), FK_EINVAL);
	kvh_close(&s);
}

/* The ring opens sectors in turn, so erase counts differ by at most one
 * across sectors however long the run. */
static void test_wear_is_level_over_a_long_run(void **state)
{
	static const struct kvh_geometry g = {
		"16 x 4 KiB", 4096, 16, 1, 0xFF, false,
		{ 128, 16, 64, 0 }, 100, 16, 16, false
	};
	static struct kvh_model m;
	struct kvh_store s;
	struct kvh_op op;
	uint64_t rng = 42;
	uint32_t lo = UINT32_MAX, hi = 0;

	(void)state;
	kvh_open(&s, &g);
	memset(&m, 0, sizeof(m));
	for (uint32_t i = 0; i < 100000; i++) {
		kvh_make_op(&g, &rng, i, &op);
		assert_int_equal(kvh_run_op(&s.kv, &op), FK_OK);
		kvh_apply(&m, &op);
	}
	/* And every value is right after a remount (lookups walk the
	 * header bitmaps of all 16 sectors). */
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
	assert_true(kvh_matches(&s.kv, g.cfg.key_limit, &m));
	for (uint32_t i = 0; i < g.sectors; i++) {
		uint32_t e = fk_sim_sector_erases(s.sim, i);

		lo = e < lo ? e : lo;
		hi = e > hi ? e : hi;
	}
	printf("kv wear after 100000 operations on 16 x 4 KiB: erases per "
	       "sector min %u, max %u\n", lo, hi);
	assert_true(lo > 10);
	assert_true(hi - lo <= 1);
	kvh_close(&s);
}

/*
 * A flash that forwards to the simulator and notes which sectors were
 * read beyond their header, to check where mount and updates read.
 */
struct read_spy {
	struct fk_flash flash;
	const struct fk_flash *under;
	uint32_t sector_size, header_size;
	uint32_t body_reads[16]; /* reads past the header, per sector */
};

static int spy_read(const struct fk_flash *f, uint32_t off, void *buf,
		    uint32_t len)
{
	struct read_spy *spy = f->ctx;

	if (off % spy->sector_size + len > spy->header_size)
		spy->body_reads[off / spy->sector_size]++;
	return spy->under->ops->read(spy->under, off, buf, len);
}

static int spy_program(const struct fk_flash *f, uint32_t off,
		       const void *buf, uint32_t len)
{
	struct read_spy *spy = f->ctx;

	return spy->under->ops->program(spy->under, off, buf, len);
}

static int spy_erase(const struct fk_flash *f, uint32_t off, uint32_t size)
{
	struct read_spy *spy = f->ctx;

	return spy->under->ops->erase_sector(spy->under, off, size);
}

static const struct fk_flash_ops spy_ops = { spy_read, spy_program,
					     spy_erase };

static uint32_t sectors_read(struct read_spy *spy)
{
	uint32_t n = 0;

	for (int i = 0; i < 16; i++)
		n += spy->body_reads[i] != 0;
	memset(spy->body_reads, 0, sizeof(spy->body_reads));
	return n;
}

/* Mount reads the sector headers and the records of one sector; an
 * update, even one that opens a sector and collects the oldest, reads
 * the records of one sector at most. */
static void test_mount_and_updates_read_one_sector(void **state)
{
	static const struct kvh_geometry g = {
		"16 x 4 KiB", 4096, 16, 1, 0xFF, false,
		{ 128, 16, 64, 0 }, 100, 16, 16, false
	};
	struct kvh_store s;
	struct read_spy spy;
	struct fk_area area;
	struct fk_kv kv;
	struct kvh_op op;
	uint64_t rng = 9;
	uint32_t worst = 0, rotations = 0;

	(void)state;
	kvh_open(&s, &g);
	memset(&spy, 0, sizeof(spy));
	spy.under = fk_sim_flash(s.sim);
	spy.flash = *spy.under;
	spy.flash.ops = &spy_ops;
	spy.flash.ctx = &spy;
	spy.sector_size = 4096;
	spy.header_size = 22 + 128 / 8 + 4;
	assert_int_equal(fk_area_init(&area, &spy.flash, 0, 16 * 4096), FK_OK);
	assert_int_equal(fk_kv_mount(&kv, &area, &g.cfg), FK_OK);
	for (uint32_t i = 0; i < 20000; i++) {
		uint16_t head = kv.head;
		uint32_t n;

		kvh_make_op(&g, &rng, i, &op);
		assert_int_equal(kvh_run_op(&kv, &op), FK_OK);
		n = sectors_read(&spy);
		worst = n > worst ? n : worst;
		rotations += kv.head != head;
		if (i % 5000 == 4999) {
			assert_int_equal(fk_kv_mount(&kv, &area, &g.cfg), FK_OK);
			assert_int_equal(sectors_read(&spy), 1);
		}
	}
	printf("kv reads: %u rotations; an update read the records of at "
	       "most %u sector, a mount of 1\n", rotations, worst);
	assert_true(rotations > 50);
	assert_int_equal(worst, 1);
	kvh_close(&s);
}

/* Sets of the anchor workload on g, each followed by fk_kv_maintain(room)
 * when maintain: the most erases and programs a single set issued. */
static void worst_set(const struct kvh_geometry *g, bool maintain,
		      uint32_t room, uint64_t *erases, uint64_t *programs)
{
	struct kvh_store s;
	uint8_t v[16];
	uint64_t rng = 3;

	kvh_open(&s, g);
	*erases = *programs = 0;
	for (uint32_t i = 0; i < 6000; i++) {
		struct fk_sim_stats a, b;
		uint16_t id = (uint16_t)(kvh_rand(&rng) % g->keys_used);

		memset(v, (int)i, sizeof(v));
		fk_sim_get_stats(s.sim, &a);
		assert_int_equal(fk_kv_set(&s.kv, id, v, sizeof(v)), FK_OK);
		fk_sim_get_stats(s.sim, &b);
		if (b.erases - a.erases > *erases)
			*erases = b.erases - a.erases;
		if (b.programs - a.programs > *programs)
			*programs = b.programs - a.programs;
		if (maintain)
			assert_true(fk_kv_maintain(&s.kv, room) >= (int)room);
	}
	kvh_close(&s);
}

/* With fk_kv_maintain() between sets, no set erases or copies: each is
 * one program, on a ring of several sectors and on two sectors (where
 * an opening copies every live value). Without it, some set erases (and
 * on two sectors copies every live value). */
static void test_with_maintenance_a_set_never_erases_or_copies(void **state)
{
	static const struct kvh_geometry rings[] = {
		{ "16 x 4 KiB, 1-byte", 4096, 16, 1, 0xFF, false,
		  { 104, 16, 64, 0 }, 100, 16, 16, false },
		{ "2 x 4 KiB, 8-byte program-once", 4096, 2, 8, 0xFF, true,
		  { 32, 16, 64, 0 }, 30, 16, 16, false },
	};
	uint64_t erases, programs;

	(void)state;
	for (int i = 0; i < 2; i++) {
		worst_set(&rings[i], false, 0, &erases, &programs);
		assert_int_equal(erases, 1);
		/* the header and the record, plus copies on two sectors */
		assert_true(programs >= (i ? 30u : 2u));
		worst_set(&rings[i], true, 64, &erases, &programs);
		assert_int_equal(erases, 0);
		assert_int_equal(programs, 1);
	}
	/* With room 0 the sets still open sectors, but the erase was done
	 * ahead: on 16 sectors (nothing left to copy) the worst set is the
	 * header and the record. */
	worst_set(&rings[0], true, 0, &erases, &programs);
	assert_int_equal(erases, 0);
	assert_int_equal(programs, 2);
}

/* Maintenance after a remount finds the next sector erased by reading
 * it, and erases it only when it is not. */
static void test_maintenance_erases_only_what_is_not_erased(void **state)
{
	struct kvh_store s;
	struct fk_sim_stats a, b;
	uint8_t v[40] = { 0 };

	(void)state;
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_set(&s.kv, 1, v, 10), FK_OK);
	fk_sim_get_stats(s.sim, &a);
	assert_true(fk_kv_maintain(&s.kv, 0) > 0);
	fk_sim_get_stats(s.sim, &b);
	assert_int_equal(b.erases, a.erases); /* a fresh area reads erased */
	/* Fill the ring until it wraps: the sector after the head then holds
	 * old data, and maintenance erases it, once. */
	for (int i = 0; i < 400; i++)
		assert_int_equal(fk_kv_set(&s.kv, (uint16_t)(i % 16), v, 40),
				 FK_OK);
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &small.cfg), FK_OK);
	fk_sim_get_stats(s.sim, &a);
	assert_true(fk_kv_maintain(&s.kv, 0) > 0);
	assert_true(fk_kv_maintain(&s.kv, 0) > 0);
	fk_sim_get_stats(s.sim, &b);
	assert_int_equal(b.erases - a.erases, 1);
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &small.cfg), FK_OK);
	fk_sim_get_stats(s.sim, &a);
	assert_true(fk_kv_maintain(&s.kv, 0) > 0);
	fk_sim_get_stats(s.sim, &b);
	assert_int_equal(b.erases, a.erases);
	assert_int_equal(fk_kv_get(&s.kv, 3, v, sizeof(v)), 40);
	/* More room than any sector offers: one early opening, then no
	 * more (an open sector holding only copies is not replaced). */
	fk_sim_get_stats(s.sim, &a);
	for (int i = 0; i < 5; i++)
		assert_true(fk_kv_maintain(&s.kv, 4096) > 0);
	fk_sim_get_stats(s.sim, &b);
	assert_int_equal(b.erases - a.erases, 1);
	assert_int_equal(fk_kv_get(&s.kv, 3, v, sizeof(v)), 40);
	kvh_close(&s);
}

/* The most flash reads and bytes one get of each key of m took. */
static void worst_get(struct kvh_store *s, const struct kvh_geometry *g,
		      const struct kvh_model *m, uint64_t *reads,
		      uint64_t *bytes)
{
	uint8_t buf[KVH_MAX_VALUE];

	*reads = *bytes = 0;
	for (uint16_t id = 0; id < g->cfg.key_limit; id++) {
		struct fk_sim_stats a, b;
		int rc;

		fk_sim_get_stats(s->sim, &a);
		rc = fk_kv_get(&s->kv, id, buf, sizeof(buf));
		fk_sim_get_stats(s->sim, &b);
		assert_int_equal(rc, m->has[id] ? (int)m->len[id] : FK_ENOENT);
		if (b.reads - a.reads > *reads)
			*reads = b.reads - a.reads;
		if (b.bytes_read - a.bytes_read > *bytes)
			*bytes = b.bytes_read - a.bytes_read;
	}
}

/* With a RAM index every get reads one record (its first 3 bytes, then
 * the record: at most 3 + record_max bytes), through openings and
 * collections; the index agrees with the store read without it. Without
 * it, a get reads up to a sector. */
static void test_ram_index_makes_a_get_read_one_record(void **state)
{
	static const struct kvh_geometry g = {
		"16 x 4 KiB", 4096, 16, 1, 0xFF, false,
		{ 128, 16, 64, 0 }, 100, 0, 16, false
	};
	static struct kvh_model m;
	static struct fk_kv_slot slots[128];
	struct kvh_store s;
	struct kvh_op op;
	uint64_t rng = 11, reads, bytes;

	(void)state;
	kvh_open(&s, &g);
	memset(&m, 0, sizeof(m));
	assert_int_equal(fk_kv_attach_index(&s.kv, slots, 128), FK_OK);
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < 20000; i++) {
			kvh_make_op(&g, &rng, i, &op);
			assert_int_equal(kvh_run_op(&s.kv, &op), FK_OK);
			kvh_apply(&m, &op);
		}
		assert_true(kvh_matches(&s.kv, g.cfg.key_limit, &m));
		worst_get(&s, &g, &m, &reads, &bytes);
		assert_true(reads <= 2 && bytes <= 3 + 64);
		/* A fresh index, and the store without one, agree. */
		assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
		worst_get(&s, &g, &m, &reads, &bytes);
		assert_true(bytes > 1000);
		assert_int_equal(fk_kv_attach_index(&s.kv, slots, 127),
				 FK_EINVAL);
		assert_int_equal(fk_kv_attach_index(&s.kv, slots, 128), FK_OK);
		worst_get(&s, &g, &m, &reads, &bytes);
		assert_true(reads <= 2 && bytes <= 3 + 64);
	}
	kvh_close(&s);
}

static void fill_large(uint8_t *v, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		v[i] = (uint8_t)((i * 2654435761u + seed * 40503u) >> 13);
}

static int visit_large(void *ctx, uint16_t id, const void *value, uint8_t len)
{
	int *large = ctx;

	if (id == 3 && value == NULL && len == 0)
		(*large)++;
	return 0;
}

/* Values above value_max, up to 64 KiB: they round-trip, survive a
 * remount, outlive the openings that copy them, and are refused when
 * they would not fit the room a sector has for them. */
static void test_large_values_round_trip_through_openings(void **state)
{
	static const struct kvh_geometry g = {
		"4 x 32 KiB", 32 * 1024, 4, 1, 0xFF, false,
		{ 16, 40, 128, 0 }, 16, 0, 40, false
	};
	static uint8_t v[FK_KV_LARGE_MAX + 1], back[FK_KV_LARGE_MAX];
	struct kvh_store s;
	struct fk_sim_stats st;
	int large = 0;

	(void)state;
	kvh_open(&s, &g);
	for (uint32_t round = 0; round < 40; round++) {
		fill_large(v, 9000 + round, round);
		assert_int_equal(fk_kv_set_large(&s.kv, 3, v, 9000 + round),
				 FK_OK);
		assert_int_equal(fk_kv_set(&s.kv, 4, "small", 5), FK_OK);
	}
	fk_sim_get_stats(s.sim, &st);
	assert_true(st.erases >= 8); /* openings copied the value on */
	assert_int_equal(fk_kv_get(&s.kv, 3, back, sizeof(back)), 9039);
	assert_memory_equal(back, v, 9039);
	assert_int_equal(fk_kv_get(&s.kv, 3, back, 9038), FK_ENOSPC);
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
	memset(back, 0, sizeof(back));
	assert_int_equal(fk_kv_get(&s.kv, 3, back, sizeof(back)), 9039);
	assert_memory_equal(back, v, 9039);
	assert_int_equal(fk_kv_iterate(&s.kv, visit_large, &large), FK_OK);
	assert_int_equal(large, 1);
	/* At or below value_max it is a plain set. */
	assert_int_equal(fk_kv_set_large(&s.kv, 3, v, 40), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 3, back, sizeof(back)), 40);
	/* The room for large values: about 32 KiB less every key at its
	 * largest and one commit; two values of 16 KiB do not fit. */
	assert_int_equal(fk_kv_set_large(&s.kv, 5, v, 16000), FK_OK);
	assert_int_equal(fk_kv_set_large(&s.kv, 6, v, 16000), FK_ENOSPC);
	assert_int_equal(fk_kv_delete(&s.kv, 5), FK_OK);
	assert_int_equal(fk_kv_set_large(&s.kv, 6, v, 16000), FK_OK);
	assert_int_equal(fk_kv_set_large(&s.kv, 6, v, FK_KV_LARGE_MAX + 1),
			 FK_EINVAL);
	assert_int_equal(fk_kv_delete(&s.kv, 6), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 6, back, sizeof(back)), FK_ENOENT);
	kvh_close(&s);
}

/* A 64 KiB value on two 128 KiB sectors of 32-byte program-once ECC
 * words, through the openings that copy it from sector to sector. */
static void test_a_64k_value_on_two_128k_sectors(void **state)
{
	static const struct kvh_geometry g = {
		"2 x 128 KiB", 128 * 1024, 2, 32, 0xFF, true,
		{ 16, 40, 128, 0 }, 16, 0, 40, false
	};
	static uint8_t v[FK_KV_LARGE_MAX], back[FK_KV_LARGE_MAX];
	struct kvh_store s;
	struct fk_sim_stats st;

	(void)state;
	kvh_open(&s, &g);
	for (uint32_t round = 0; round < 5; round++) {
		fill_large(v, sizeof(v), round);
		assert_int_equal(fk_kv_set_large(&s.kv, 0, v, sizeof(v)),
				 FK_OK);
	}
	fk_sim_get_stats(s.sim, &st);
	assert_true(st.erases >= 3);
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
	assert_int_equal(fk_kv_get(&s.kv, 0, back, sizeof(back)),
			 FK_KV_LARGE_MAX);
	assert_memory_equal(back, v, sizeof(v));
	kvh_close(&s);
}

struct inspect_tally {
	int data_sectors, free_sectors;
	int live[4], superseded[4], deleted_live[4];
};

static int tally_sector(void *ctx, const struct fk_kv_sector_info *info)
{
	struct inspect_tally *t = ctx;

	t->data_sectors += info->state == FK_KV_SECTOR_DATA;
	t->free_sectors += info->state == FK_KV_SECTOR_FREE;
	return 0;
}

static int tally_record(void *ctx, const struct fk_kv_record_info *r)
{
	struct inspect_tally *t = ctx;

	if (r->id < 4) {
		t->live[r->id] += r->live && !r->deleted;
		t->deleted_live[r->id] += r->live && r->deleted;
		t->superseded[r->id] += !r->live;
	}
	return 0;
}

/* What `flashkit kv dump` shows: live and superseded entries, sector
 * states, and the configuration read back from the headers. */
static void test_inspect_tells_live_from_superseded(void **state)
{
	struct kvh_store s;
	struct inspect_tally t;
	struct fk_kv_config cfg;

	(void)state;
	memset(&t, 0, sizeof(t));
	kvh_open(&s, &small);
	assert_int_equal(fk_kv_set(&s.kv, 1, "a", 1), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 1, "bb", 2), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 2, "c", 1), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 1, "ddd", 3), FK_OK);
	assert_int_equal(fk_kv_delete(&s.kv, 2), FK_OK);
	assert_int_equal(fk_kv_set(&s.kv, 3, "e", 1), FK_OK);
	assert_int_equal(fk_kv_inspect(&s.kv, tally_sector, tally_record, &t),
			 FK_OK);
	assert_int_equal(t.data_sectors, 1);
	assert_int_equal(t.free_sectors, 3);
	assert_int_equal(t.live[1], 1);
	assert_int_equal(t.superseded[1], 2);
	assert_int_equal(t.live[2], 0);
	assert_int_equal(t.deleted_live[2], 1);
	assert_int_equal(t.superseded[2], 1);
	assert_int_equal(t.live[3], 1);
	assert_int_equal(fk_kv_probe(&s.area, &cfg), FK_OK);
	assert_int_equal(cfg.key_limit, small.cfg.key_limit);
	assert_int_equal(cfg.value_max, small.cfg.value_max);
	assert_int_equal(cfg.record_max, small.cfg.record_max);
	memset(fk_sim_data(s.sim), 0xFF, 4 * 4096);
	assert_int_equal(fk_kv_probe(&s.area, &cfg), FK_ENOENT);
	kvh_close(&s);
}

/* 256 KiB sectors with 1-byte writes: records are aligned to 4 bytes so
 * their offsets fit the 16-bit RAM index; the ring still rotates and
 * collects correctly. */
static void test_256k_sectors_rotate_and_keep_values(void **state)
{
	static const struct kvh_geometry g = {
		"2 x 256 KiB", 256 * 1024, 2, 1, 0xFF, false,
		{ 16, 100, 128, 0 }, 16, 50, 100, false
	};
	static struct kvh_model m;
	struct kvh_store s;
	struct kvh_op op;
	struct fk_sim_stats st;
	uint64_t rng = 7;

	(void)state;
	kvh_open(&s, &g);
	memset(&m, 0, sizeof(m));
	assert_int_equal(s.kv.align, 4);
	for (uint32_t i = 0; i < 12000; i++) {
		kvh_make_op(&g, &rng, i, &op);
		assert_int_equal(kvh_run_op(&s.kv, &op), FK_OK);
		kvh_apply(&m, &op);
	}
	fk_sim_get_stats(s.sim, &st);
	assert_true(st.erases >= 4);
	assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
	assert_true(kvh_matches(&s.kv, g.cfg.key_limit, &m));
	kvh_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_get_survives_remount),
		cmocka_unit_test(test_delete_and_commit),
		cmocka_unit_test(test_bad_arguments_are_refused),
		cmocka_unit_test(test_iterate_visits_each_live_key_once),
		cmocka_unit_test(test_config_errors_each_have_their_own_code),
		cmocka_unit_test(test_get_of_empty_value_into_null_buffer),
		cmocka_unit_test(
			test_value_max_of_the_header_is_what_the_build_takes),
		cmocka_unit_test(test_format_1_store_is_refused_not_reformatted),
		cmocka_unit_test(test_a_set_costs_seven_bytes_of_framing),
		cmocka_unit_test(
			test_with_maintenance_a_set_never_erases_or_copies),
		cmocka_unit_test(
			test_maintenance_erases_only_what_is_not_erased),
		cmocka_unit_test(test_ram_index_makes_a_get_read_one_record),
		cmocka_unit_test(test_large_values_round_trip_through_openings),
		cmocka_unit_test(test_a_64k_value_on_two_128k_sectors),
		cmocka_unit_test(test_one_sector_is_refused),
		cmocka_unit_test(test_wear_is_level_over_a_long_run),
		cmocka_unit_test(test_256k_sectors_rotate_and_keep_values),
		cmocka_unit_test(test_inspect_tells_live_from_superseded),
		cmocka_unit_test(test_mount_and_updates_read_one_sector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
