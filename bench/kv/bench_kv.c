/*
 * The settings store on the anchor workload of issue 6: 100 keys with
 * 16-byte values, 10,000 random updates (uniform over the keys) after
 * each key got its first value, on the simulated flash of each geometry.
 * Prints one table row per geometry: write amplification (bytes
 * programmed / value bytes written), erases and their spread over the
 * sectors, the worst single update's flash reads and estimated time, the
 * reads of a mount after the run against one pass over the headers plus
 * one sector, and the worst lookup; with format 2's sector headers (key
 * bitmaps), then format 3's (compact). RAM is sizeof(struct fk_kv).
 *
 * Times come from the simulator's datasheet-typical timings below (an
 * estimate, not a measurement on hardware).
 */
#include <stdio.h>
#include <string.h>

#include "flashkit/kv.h"
#include "flashsim.h"

struct geometry {
	const char *name;
	uint32_t sector_size, sectors, write_unit;
	bool program_once;
	struct fk_sim_timing timing;
	uint16_t keys; /* 0: the anchor workload's 100 keys of 16 bytes */
	uint8_t value;
};

static const struct geometry geometries[] = {
	/* SPI/QSPI NOR like the IS25LP064A: 4K erase 45 ms, byte writes. */
	{ "16 x 4 KiB, 1-byte writes (NOR)",
	  4096,
	  16,
	  1,
	  false,
	  { 0, 45000, 1, 10, NULL, 0 },
	  0,
	  0 },
	/* STM32L4-like double words (seed 001), with the NOR timings. */
	{ "16 x 4 KiB, 8-byte program-once",
	  4096,
	  16,
	  8,
	  true,
	  { 0, 45000, 8, 10, NULL, 0 },
	  0,
	  0 },
	{ "16 x 4 KiB, 16-byte program-once",
	  4096,
	  16,
	  16,
	  true,
	  { 0, 45000, 16, 10, NULL, 0 },
	  0,
	  0 },
	{ "16 x 4 KiB, 32-byte program-once",
	  4096,
	  16,
	  32,
	  true,
	  { 0, 45000, 32, 10, NULL, 0 },
	  0,
	  0 },
	/* STM32H7-like bank: 128K sector ~1 s, 256-bit word ~20 us. */
	{ "2 x 128 KiB, 32-byte program-once (ECC)",
	  128 * 1024,
	  2,
	  32,
	  true,
	  { 0, 1000000, 20, 2, NULL, 0 },
	  0,
	  0 },
	/* Not the anchor workload: a nearly full store (live data 84 % of a
	 * sector), where every opening copies almost a sector. */
	{ "nearly full: 3 x 4 KiB, 1-byte writes, 32 keys of 100 bytes",
	  4096,
	  3,
	  1,
	  false,
	  { 0, 45000, 1, 10, NULL, 0 },
	  32,
	  100 },
};

#define UPDATES 10000

static uint64_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* A simulator of g's geometry and timings with a fresh store mounted on
 * it; NULL on failure. runs must outlive the simulator. */
static struct fk_sim *open_store(const struct geometry *g,
				 struct fk_sector_run *runs,
				 struct fk_area *area, struct fk_kv *kv,
				 const struct fk_kv_config *cfg)
{
	struct fk_sim_config sc;
	struct fk_sim *sim;

	runs->count = g->sectors;
	runs->size = g->sector_size;
	memset(&sc, 0, sizeof(sc));
	sc.geo.size = g->sectors * g->sector_size;
	sc.geo.runs = runs;
	sc.geo.run_count = 1;
	sc.geo.write_unit = g->write_unit;
	sc.geo.erased_value = 0xFF;
	sc.geo.program_once = g->program_once;
	sc.timing = g->timing;
	sim = fk_sim_create(&sc);
	if (sim && (fk_area_init(area, fk_sim_flash(sim), 0, sc.geo.size) ||
		    fk_kv_mount(kv, area, cfg))) {
		fk_sim_destroy(sim);
		sim = NULL;
	}
	return sim;
}

/* The most bytes a get of one of keys 0..nkeys-1 read. */
static uint64_t worst_get_bytes(struct fk_sim *sim, struct fk_kv *kv,
				uint16_t nkeys, uint8_t vlen)
{
	struct fk_sim_stats a, b;
	uint8_t value[255];
	uint64_t worst = 0;

	for (uint16_t k = 0; k < nkeys; k++) {
		fk_sim_get_stats(sim, &a);
		if (fk_kv_get(kv, k, value, sizeof(value)) != vlen)
			return UINT64_MAX;
		fk_sim_get_stats(sim, &b);
		if (b.bytes_read - a.bytes_read > worst)
			worst = b.bytes_read - a.bytes_read;
	}
	return worst;
}

static int run(const struct geometry *g, uint8_t header)
{
	const uint16_t nkeys = g->keys ? g->keys : 100;
	const uint8_t vlen = g->keys ? g->value : 16;
	const struct fk_kv_config cfg = { g->keys ? g->keys : 104, vlen,
					  g->keys ? 128 : 64, header };
	struct fk_sector_run runs;
	struct fk_sim_stats st, prev;
	struct fk_sim *sim;
	struct fk_area area;
	static struct fk_kv kv;
	uint8_t value[255];
	uint64_t rng = 1, worst_read = 0, worst_us = 0, worst_get = 0;
	uint64_t mount_reads, mount_bytes, bound, worst_indexed, index_bytes;
	static struct fk_kv_slot slots[FK_KV_MAX_KEYS];
	uint32_t lo = UINT32_MAX, hi = 0;

	sim = open_store(g, &runs, &area, &kv, &cfg);
	if (!sim)
		return 1;
	for (uint16_t k = 0; k < nkeys; k++) {
		memset(value, k, vlen);
		if (fk_kv_set(&kv, k, value, vlen))
			return 1;
	}
	fk_sim_reset_stats(sim);
	fk_sim_get_stats(sim, &prev);
	for (uint32_t i = 0; i < UPDATES; i++) {
		uint16_t k = (uint16_t)(rng_next(&rng) % nkeys);

		for (int b = 0; b < vlen; b++)
			value[b] = (uint8_t)rng_next(&rng);
		if (fk_kv_set(&kv, k, value, vlen))
			return 1;
		fk_sim_get_stats(sim, &st);
		if (st.bytes_read - prev.bytes_read > worst_read)
			worst_read = st.bytes_read - prev.bytes_read;
		if (st.est_us - prev.est_us > worst_us)
			worst_us = st.est_us - prev.est_us;
		prev = st;
	}
	for (uint32_t i = 0; i < g->sectors; i++) {
		uint32_t e = fk_sim_sector_erases(sim, i);

		lo = e < lo ? e : lo;
		hi = e > hi ? e : hi;
	}
	/* Mount after the run, against one pass over the headers plus one
	 * whole sector. */
	bound = (uint64_t)g->sectors *
			(header ? 16u : 22u + cfg.key_limit / 8 + 4) +
		g->sector_size;
	fk_sim_get_stats(sim, &prev);
	if (fk_kv_mount(&kv, &area, &cfg))
		return 1;
	fk_sim_get_stats(sim, &st);
	mount_reads = st.reads - prev.reads;
	mount_bytes = st.bytes_read - prev.bytes_read;
	worst_get = worst_get_bytes(sim, &kv, nkeys, vlen);
	fk_sim_get_stats(sim, &prev);
	if (fk_kv_attach_index(&kv, slots, cfg.key_limit))
		return 1;
	fk_sim_get_stats(sim, &st);
	index_bytes = st.bytes_read - prev.bytes_read;
	worst_indexed = worst_get_bytes(sim, &kv, nkeys, vlen);
	printf("| %s%s | %.3f | %llu (per sector %u..%u) | %llu B (%.2f "
	       "sector) | %.1f ms | %llu B in %llu reads (headers + 1 sector: "
	       "%llu B) | %llu B | %llu B (index built from %llu B) |\n",
	       g->name, header ? ", compact header" : "",
	       (double)(st.bytes_programmed) / (UPDATES * (double)vlen),
	       (unsigned long long)st.erases, lo, hi,
	       (unsigned long long)worst_read,
	       (double)worst_read / g->sector_size, worst_us / 1000.0,
	       (unsigned long long)mount_bytes, (unsigned long long)mount_reads,
	       (unsigned long long)bound, (unsigned long long)worst_get,
	       (unsigned long long)worst_indexed,
	       (unsigned long long)index_bytes);
	fk_sim_destroy(sim);
	return 0;
}

/*
 * The anchor workload with fk_kv_maintain(kv, room) after every set
 * (maintain false: never): the worst set's estimated time and flash
 * operations, the worst maintenance call's time, and the write
 * amplification.
 */
static int run_maintained(const struct geometry *g, bool maintain,
			  uint32_t room)
{
	const struct fk_kv_config cfg = { 104, 16, 64, 0 };
	struct fk_sector_run runs;
	struct fk_sim_stats a, b, m;
	struct fk_sim *sim;
	struct fk_area area;
	static struct fk_kv kv;
	uint8_t value[16];
	uint64_t rng = 1, worst_us = 0, worst_maint_us = 0, worst_erases = 0;
	uint64_t worst_programs = 0, value_bytes = 0, programmed = 0;

	sim = open_store(g, &runs, &area, &kv, &cfg);
	if (!sim)
		return 1;
	for (uint32_t i = 0; i < 100 + UPDATES; i++) {
		uint16_t k = (uint16_t)(i < 100 ? i : rng_next(&rng) % 100);

		for (int n = 0; n < 16; n++)
			value[n] = (uint8_t)rng_next(&rng);
		fk_sim_get_stats(sim, &a);
		if (fk_kv_set(&kv, k, value, sizeof(value)))
			return 1;
		fk_sim_get_stats(sim, &b);
		if (maintain && fk_kv_maintain(&kv, room) < (int)room)
			return 1;
		fk_sim_get_stats(sim, &m);
		if (i < 100)
			continue;
		value_bytes += sizeof(value);
		programmed += m.bytes_programmed - a.bytes_programmed;
		if (b.est_us - a.est_us > worst_us)
			worst_us = b.est_us - a.est_us;
		if (b.erases - a.erases > worst_erases)
			worst_erases = b.erases - a.erases;
		if (b.programs - a.programs > worst_programs)
			worst_programs = b.programs - a.programs;
		if (m.est_us - b.est_us > worst_maint_us)
			worst_maint_us = m.est_us - b.est_us;
	}
	printf("| %s | %s | %.2f ms (%llu erase%s, %llu program%s) | %.2f ms "
	       "| %.3f |\n",
	       g->name,
	       !maintain ? "none" :
	       room	 ? "after every set, room 256" :
			   "after every set, room 0",
	       worst_us / 1000.0, (unsigned long long)worst_erases,
	       worst_erases == 1 ? "" : "s", (unsigned long long)worst_programs,
	       worst_programs == 1 ? "" : "s", worst_maint_us / 1000.0,
	       (double)programmed / (double)value_bytes);
	fk_sim_destroy(sim);
	return 0;
}

/*
 * Large values (seed 002's presets): 8 keys of 4 KiB, 2,000 updates
 * uniform over them after each got its first value, with 20 small keys
 * of 16 bytes updated in between (one small update per large one).
 * Write amplification counts the large values' bytes and the small.
 */
static int run_large(const char *name, uint32_t sector_size, uint32_t sectors,
		     uint32_t write_unit, bool program_once)
{
	const struct geometry g = { name,
				    sector_size,
				    sectors,
				    write_unit,
				    program_once,
				    { 0, 45000, write_unit, 10, NULL, 0 },
				    0,
				    0 };
	const struct fk_kv_config cfg = { 32, 16, 128, 0 };
	static uint8_t preset[4096];
	struct fk_sector_run runs;
	struct fk_sim_stats a, b;
	struct fk_area area;
	struct fk_sim *sim;
	static struct fk_kv kv;
	uint64_t rng = 5, value_bytes = 0;

	sim = open_store(&g, &runs, &area, &kv, &cfg);
	if (!sim)
		return 1;
	for (uint32_t i = 0; i < 8 + 2000; i++) {
		uint16_t k = (uint16_t)(i < 8 ? i : rng_next(&rng) % 8);
		uint8_t small[16];

		for (size_t n = 0; n < sizeof(preset); n++)
			preset[n] = (uint8_t)rng_next(&rng);
		memset(small, (int)i, sizeof(small));
		if (i == 8)
			fk_sim_get_stats(sim, &a);
		if (fk_kv_set_large(&kv, k, preset, sizeof(preset)) ||
		    fk_kv_set(&kv, (uint16_t)(8 + i % 20), small, 16))
			return 1;
		value_bytes += i >= 8 ? sizeof(preset) + 16 : 0;
	}
	fk_sim_get_stats(sim, &b);
	printf("| %s | %.3f | %llu |\n", name,
	       (double)(b.bytes_programmed - a.bytes_programmed) /
		       (double)value_bytes,
	       (unsigned long long)(b.erases - a.erases));
	fk_sim_destroy(sim);
	return 0;
}

int main(void)
{
	printf("| geometry | write amplification | erases | worst update: "
	       "flash read | worst update: est. time | mount reads | worst "
	       "get reads | worst get reads, RAM index (4 B/key) |\n"
	       "|---|---|---|---|---|---|---|---|\n");
	/* Format 2 (the default: key bitmaps in the sector headers), then
	 * format 3 (compact headers). */
	for (uint8_t header = 0; header < 2; header++) {
		for (size_t i = 0;
		     i < sizeof(geometries) / sizeof(geometries[0]); i++) {
			if (run(&geometries[i], header)) {
				fprintf(stderr, "bench_kv: %s failed\n",
					geometries[i].name);
				return 1;
			}
		}
	}
	printf("\n| geometry | fk_kv_maintain | worst set: est. time "
	       "(flash operations) | worst maintenance call | write "
	       "amplification |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < 5; i++) {
		if (i == 2 || i == 3)
			continue;
		for (int mode = 0; mode < 3; mode++) {
			if (run_maintained(&geometries[i], mode > 0,
					   mode == 2 ? 256 : 0)) {
				fprintf(stderr, "bench_kv: %s failed\n",
					geometries[i].name);
				return 1;
			}
		}
	}
	printf("\nLarge values: 8 keys of 4 KiB and 20 of 16 bytes, 2,000 "
	       "updates of each kind\n\n| geometry | write amplification | "
	       "erases |\n|---|---|---|\n");
	if (run_large("8 x 64 KiB, 1-byte writes (NOR)", 65536, 8, 1, false) ||
	    run_large("4 x 128 KiB, 32-byte program-once (ECC)", 131072, 4, 32,
		      true) ||
	    run_large("2 x 128 KiB, 32-byte program-once (ECC)", 131072, 2, 32,
		      true)) {
		fprintf(stderr, "bench_kv: large values failed\n");
		return 1;
	}
	printf("\nRAM: sizeof(struct fk_kv) = %zu bytes (FK_KV_MAX_KEYS %d, "
	       "FK_KV_RECORD_MAX %d)\n",
	       sizeof(struct fk_kv), FK_KV_MAX_KEYS, FK_KV_RECORD_MAX);
	return 0;
}
