/*
 * Fuzzes mounting and reading the settings store on arbitrary flash.
 *
 * The first input byte picks a geometry (2..5 sectors of 1 or 2 KiB,
 * write unit 1..32, erased 0xFF or 0x00, program-once or not) and the
 * sector header (bit 5: compact, format 3; otherwise the key bitmap of
 * format 2); the second a mode:
 *   - raw: the flash holds the input bytes, repeated;
 *   - corrupted: a real store is written with a history of versioned
 *     values, then the rest of the input flips bytes of it (and with
 *     bits 2 and 3 of the second byte, mounted with the other header
 *     variant).
 * Then the store is mounted, every key read and iterated, and one value
 * written and read back. It must never crash or hang; every value it
 * returns must be one that was written for that key (in raw mode: no
 * longer than value_max); a value it accepted must read back.
 *
 * tests/kv/test_kv_corrupt.c runs this same function on random inputs in
 * `make check`.
 *
 * The simulators are made once, one per geometry, and each input starts
 * from a snapshot: of the fresh memory, or of the history its first two
 * bytes write (which depends on nothing else), remembered for the next
 * input that asks for it. Those are taken in setup() and only ever
 * replaced one for one, so no input leaves more allocations than it
 * found (libFuzzer would stop and look for a leak after each).
 */
#include <stdlib.h>
#include <string.h>

#include "flashkit/kv.h"
#include "flashsim.h"

#define KEYS 8

/* The store's configuration; its header variant is the input's. */
static struct fk_kv_config cfg = { KEYS, 24, 64, FK_KV_HEADER_BITMAP };

/* The value of version v of key id: its length and bytes. */
static uint8_t version_value(uint16_t id, uint32_t v, uint8_t *out)
{
	uint8_t len = (uint8_t)(1 + (id * 7u + v) % cfg.value_max);

	out[0] = (uint8_t)v;
	for (uint8_t i = 1; i < len; i++)
		out[i] = (uint8_t)(id * 31u + v * 17u + i * 13u);
	return len;
}

/* True when value is some version <= newest of key id. */
static int is_a_version(uint16_t id, uint32_t newest, const uint8_t *value,
			int len)
{
	uint8_t want[255];

	for (uint32_t v = value[0]; v <= newest; v += 256) {
		if (version_value(id, v, want) == len &&
		    memcmp(want, value, (size_t)len) == 0)
			return 1;
	}
	return 0;
}

/* Values read and found to be a written version (for the test's report). */
static unsigned long values_verified;

static void check(int cond)
{
	if (!cond)
		abort();
}

static int visit(void *ctx, uint16_t id, const void *value, uint8_t len)
{
	(void)ctx;
	(void)value;
	check(id < KEYS && len <= cfg.value_max);
	return 0;
}

/* Histories remembered per geometry; an input's is looked for in slot
 * history_slot() of its geometry. */
#define HISTORY_SLOTS 8

struct history {
	int key; /* the first two input bytes, data[0] << 8 | data[1];
		  * -1 for none yet */
	uint32_t newest[KEYS];
	struct fk_sim_snapshot *snap;
};

/* A geometry (the first byte but its header bit, and program-once): its
 * simulator, the snapshot of it fresh, and its histories. */
struct geometry {
	struct fk_sector_run run;
	struct fk_sim_config sc;
	struct fk_sim *sim;
	struct fk_sim_snapshot *fresh;
	struct history h[HISTORY_SLOTS];
};

static struct geometry *geos; /* 256 of them, made by setup() */

/* The geometry of an input with first bytes d0, d1: 0..255. */
static uint32_t geometry_index(uint8_t d0, uint8_t d1)
{
	return (uint32_t)((d0 & 0x1F) | (d0 & 0xC0) >> 1) << 1 | (d1 & 1u);
}

static uint32_t history_slot(uint8_t d0, uint8_t d1)
{
	return (uint32_t)(d1 >> 1 ^ d0 >> 5) % HISTORY_SLOTS;
}

static void setup(void)
{
	static const uint32_t units[] = { 1, 2, 4, 8, 16, 32, 1, 4 };

	geos = calloc(256, sizeof(*geos));
	check(geos != NULL);
	for (uint32_t d0 = 0; d0 < 256; d0++) {
		for (uint32_t once = 0; once < 2; once++) {
			struct geometry *g = &geos[geometry_index(
				(uint8_t)d0, (uint8_t)once)];

			if (g->sim)
				continue; /* d0 with the other header bit */
			g->run.count = 2 + d0 % 4;
			g->run.size = d0 & 0x80 ? 2048 : 1024;
			g->sc.geo.size = g->run.count * g->run.size;
			g->sc.geo.runs = &g->run;
			g->sc.geo.run_count = 1;
			g->sc.geo.write_unit = units[(d0 >> 2) % 8];
			g->sc.geo.erased_value = d0 & 0x40 ? 0x00 : 0xFF;
			g->sc.geo.program_once = once;
			g->sim = fk_sim_create(&g->sc);
			check(g->sim != NULL);
			g->fresh = fk_sim_snapshot_take(g->sim);
			check(g->fresh != NULL);
			for (int k = 0; k < HISTORY_SLOTS; k++) {
				g->h[k].key = -1;
				g->h[k].snap = fk_sim_snapshot_take(g->sim);
				check(g->h[k].snap != NULL);
			}
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

/* A history long enough to wrap the ring a few times, written on the
 * fresh store: the one the first two input bytes d0, d1 (the geometry,
 * the header, the seed and the length) call for. */
static void write_history(struct fk_area *area, uint8_t d1,
			  uint32_t newest[KEYS])
{
	struct fk_kv kv;
	uint8_t value[255];
	uint64_t rng = d1;
	uint32_t ops = 40 + d1 * 3u;

	check(fk_kv_mount(&kv, area, &cfg) == FK_OK);
	for (uint32_t n = 0; n < ops; n++) {
		uint16_t id;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		id = (uint16_t)(rng >> 33) % KEYS;
		if ((rng >> 40) % 10 == 0) {
			check(fk_kv_delete(&kv, id) == FK_OK);
			continue;
		}
		newest[id]++;
		check(fk_kv_set(&kv, id, value,
				version_value(id, newest[id], value)) == FK_OK);
	}
}

/* The input's history on g's simulator: restored when remembered, else
 * written and remembered in place of the slot's older one. */
static void history(struct geometry *g, struct fk_area *area, uint8_t d0,
		    uint8_t d1, uint32_t newest[KEYS])
{
	struct history *h = &g->h[history_slot(d0, d1)];
	int key = d0 << 8 | d1;

	if (h->key == key) {
		fk_sim_snapshot_restore(g->sim, h->snap);
		memcpy(newest, h->newest, sizeof(h->newest));
		return;
	}
	fk_sim_snapshot_restore(g->sim, g->fresh);
	write_history(area, d1, newest);
	fk_sim_snapshot_free(h->snap);
	h->snap = fk_sim_snapshot_take(g->sim);
	check(h->snap != NULL);
	h->key = key;
	memcpy(h->newest, newest, sizeof(h->newest));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geometry *g;
	struct fk_sim *sim;
	struct fk_area area;
	struct fk_kv kv;
	uint32_t newest[KEYS] = { 0 };
	uint8_t got[255];
	int raw, rc;

	if (size < 2)
		return 0;
	if (!geos)
		setup(); /* tests/kv/test_kv_corrupt.c calls no initializer */
	g = &geos[geometry_index(data[0], data[1])];
	sim = g->sim;
	cfg.header =
		data[0] & 0x20 ? FK_KV_HEADER_COMPACT : FK_KV_HEADER_BITMAP;
	raw = data[1] & 2;
	fk_area_init(&area, fk_sim_flash(sim), 0, g->sc.geo.size);
	if (raw) {
		uint8_t *flash = fk_sim_data(sim);

		fk_sim_snapshot_restore(sim, g->fresh);
		for (uint32_t i = 0; i < g->sc.geo.size; i++)
			flash[i] =
				size > 2 ? data[2 + i % (size - 2)] : data[0];
	} else {
		history(g, &area, data[0], data[1], newest);
		for (size_t i = 2; i + 3 <= size; i += 3) {
			uint32_t off = (uint32_t)(data[i] | data[i + 1] << 8) %
				       g->sc.geo.size;

			fk_sim_data(sim)[off] ^= data[i + 2] ? data[i + 2] : 1;
		}
	}
	/* Bits 2 and 3 of the second byte: mount a written store with the
	 * other header variant, which must refuse it (or format an area
	 * where no header survived the flips). */
	if (!raw && (data[1] & 0x0C) == 0x0C)
		cfg.header ^= 1;
	rc = fk_kv_mount(&kv, &area, &cfg);
	check(raw || (data[1] & 0x0C) != 0x0C || size > 2 ||
	      rc == FK_EMISMATCH);
	if (rc == FK_OK) {
		for (uint16_t id = 0; id < KEYS; id++) {
			rc = fk_kv_get(&kv, id, got, sizeof(got));
			if (rc < 0)
				continue;
			check(rc <= cfg.value_max);
			check(raw || is_a_version(id, newest[id], got, rc));
			values_verified += !raw;
		}
		fk_kv_iterate(&kv, visit, NULL);
		rc = fk_kv_set(&kv, 3, "fuzz", 4);
		if (rc == FK_OK) {
			check(fk_kv_get(&kv, 3, got, sizeof(got)) == 4);
			check(memcmp(got, "fuzz", 4) == 0);
		}
	}
	return 0;
}
