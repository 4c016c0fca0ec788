/*
 * Power-cut sweeps of the settings store.
 *
 * For each geometry a random workload of sets, deletes and multi-key
 * commits runs long enough to wrap the ring and collect sectors several
 * times. Before every user operation the simulator is snapshotted; then,
 * for every flash operation that user operation issues, power is cut
 * before it, after it, and in the middle of it (torn), the device
 * reboots, the store is mounted again and must hold either exactly the
 * state before the operation or exactly the state after it (all keys of
 * a commit or none); a different value is then written (over the place
 * the cut may have torn) and the operation retried, and the store must
 * hold both.
 * When the cut operation opened a sector (rotation, collection), every
 * flash operation of the retry after the reboot is cut again too (double
 * cuts) for the first rotations of the run (all of them with --long).
 * The last geometries mix fk_kv_maintain() calls (erase ahead, early
 * openings; a maintenance call changes no value, so after a cut in it
 * the store must hold exactly the state before) and large values
 * (fk_kv_set_large: a cut in any of its chunks or its closing record
 * leaves the whole old value) into the workload.
 *
 *   test_kv_powercut            the sweeps of `make check` (format 2:
 *                               key bitmaps in the sector headers)
 *   test_kv_powercut --compact  the same with compact headers (format 3)
 *   test_kv_powercut --long     10x longer workloads, every double cut
 *                               (make kv-sweep runs it with and without
 *                               --compact)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_harness.h"

struct counts {
	uint64_t user_ops, rotations, flash_ops, cases[3], doubles;
	uint64_t saw_old, saw_new, double_rotations;
};

static int failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                       \
			fprintf(stderr, "\n");                              \
			failures++;                                         \
			return false;                                       \
		}                                                           \
	} while (0)

static const char *kind_name[] = { "before", "after", "torn" };

/* After a cut and a reboot: mount, check old-or-new; then write a
 * different value first (a probe: it lands where the interrupted record
 * was torn, so a store that did not skip the torn bytes fails here),
 * retry the operation and check the result. Leaves the store mounted in
 * *kv. */
static bool recover(struct kvh_store *s, const struct kvh_geometry *g,
		    struct fk_kv *kv, const struct kvh_op *op,
		    const struct kvh_model *before,
		    const struct kvh_model *after, struct counts *n,
		    const char *where)
{
	static struct kvh_model probed;
	static uint32_t probes;
	struct kvh_op probe;
	int rc;
	bool old_ok, new_ok;

	fk_sim_reboot(s->sim);
	rc = fk_kv_mount(kv, &s->area, &g->cfg);
	CHECK(rc == FK_OK, "%s: %s: mount after cut: %s", g->name, where,
	      fk_strerror(rc));
	old_ok = kvh_matches(kv, g->cfg.key_limit, before);
	new_ok = !old_ok && kvh_matches(kv, g->cfg.key_limit, after);
	CHECK(old_ok || new_ok,
	      "%s: %s: store holds neither the old nor the new state",
	      g->name, where);
	n->saw_old += old_ok;
	n->saw_new += new_ok;
	memset(&probe, 0, sizeof(probe));
	probe.count = 1;
	probe.e[0].id = (uint16_t)((op->e[0].id + 1) % g->keys_used);
	probe.e[0].len = (uint8_t)(probes % 4 + 1 <= g->cfg.value_max ?
					   probes % 4 + 1 : 0);
	probe.e[0].value = probe.data[0];
	memset(probe.data[0], (int)(0xA5 ^ probes++), sizeof(probe.data[0]));
	probed = old_ok ? *before : *after;
	kvh_apply(&probed, &probe);
	rc = kvh_run_op(kv, &probe);
	CHECK(rc == FK_OK && kvh_matches(kv, g->cfg.key_limit, &probed),
	      "%s: %s: a new value written after recovery: %s", g->name,
	      where, fk_strerror(rc));
	rc = kvh_run_op(kv, op);
	CHECK(rc == FK_OK, "%s: %s: retry after recovery: %s", g->name, where,
	      fk_strerror(rc));
	probed = *before;
	kvh_apply(&probed, &probe);
	kvh_apply(&probed, op);
	CHECK(kvh_matches(kv, g->cfg.key_limit, &probed),
	      "%s: %s: retry did not give the new state", g->name, where);
	return true;
}

/* Cuts every flash operation of the retry that follows a first cut. */
static bool double_cuts(struct kvh_store *s, const struct kvh_geometry *g,
			const struct kvh_op *op, const struct kvh_model *before,
			const struct kvh_model *after, struct counts *n,
			const char *first)
{
	struct fk_sim_snapshot *snap;
	struct fk_kv kv, saved;
	uint64_t a, b;
	char where[300];

	fk_sim_reboot(s->sim);
	if (fk_kv_mount(&saved, &s->area, &g->cfg) != FK_OK)
		return false;
	snap = fk_sim_snapshot_take(s->sim);
	kv = saved;
	a = fk_sim_op_index(s->sim);
	kvh_run_op(&kv, op);
	b = fk_sim_op_index(s->sim);
	for (uint64_t j = a; j < b; j++) {
		for (int k = 0; k < 3; k++) {
			fk_sim_snapshot_restore(s->sim, snap);
			fk_sim_schedule_cut(s->sim, j, (enum fk_cut_kind)k,
					    FK_TEAR_SEEDED, j * 131 + k);
			kv = saved;
			kvh_run_op(&kv, op);
			snprintf(where, sizeof(where),
				 "%s, then %s flash op %llu of the retry", first,
				 kind_name[k], (unsigned long long)(j - a));
			if (!fk_sim_power_lost(s->sim)) {
				fk_sim_snapshot_free(snap);
				CHECK(false, "%s: %s: cut did not happen",
				      g->name, where);
			}
			if (!recover(s, g, &kv, op, before, after, n, where)) {
				fk_sim_snapshot_free(snap);
				return false;
			}
			n->doubles++;
		}
	}
	fk_sim_snapshot_free(snap);
	return true;
}

static bool sweep(const struct kvh_geometry *g, uint32_t ops,
		  uint32_t double_limit, struct counts *n)
{
	static struct kvh_model before, after;
	struct kvh_store s;
	struct kvh_op op;
	uint64_t rng = 0x5EED0000u + g->sector_size + g->write_unit;
	char where[120];

	kvh_open(&s, g);
	memset(&before, 0, sizeof(before));
	memset(n, 0, sizeof(*n));
	for (uint32_t i = 0; i < ops; i++) {
		struct fk_sim_snapshot *snap = fk_sim_snapshot_take(s.sim);
		struct fk_kv saved = s.kv, kv;
		struct fk_sim_stats st0, st1;
		uint64_t a, b;
		bool rotated, gc;
		int rc;

		kvh_make_op(g, &rng, i, &op);
		after = before;
		kvh_apply(&after, &op);
		fk_sim_get_stats(s.sim, &st0);
		a = fk_sim_op_index(s.sim);
		rc = kvh_run_op(&s.kv, &op);
		b = fk_sim_op_index(s.sim);
		fk_sim_get_stats(s.sim, &st1);
		if (rc != FK_OK) {
			fprintf(stderr, "FAIL %s: op %u: %s\n", g->name, i,
				fk_strerror(rc));
			failures++;
			fk_sim_snapshot_free(snap);
			break;
		}
		rotated = st1.erases > st0.erases;
		n->rotations += rotated;
		/* From the (sectors-1)-th rotation on, the ring is full and
		 * every rotation collects the oldest sector. */
		gc = rotated && n->rotations + 1 >= g->sectors;
		n->user_ops++;
		n->flash_ops += b - a;
		for (uint64_t j = a; j < b; j++) {
			for (int k = 0; k < 3; k++) {
				fk_sim_snapshot_restore(s.sim, snap);
				fk_sim_schedule_cut(s.sim, j, (enum fk_cut_kind)k,
						    FK_TEAR_SEEDED, j * 7 + k);
				kv = saved;
				kvh_run_op(&kv, &op);
				snprintf(where, sizeof(where),
					 "user op %u, %s flash op %llu of %llu",
					 i, kind_name[k],
					 (unsigned long long)(j - a),
					 (unsigned long long)(b - a));
				if (!fk_sim_power_lost(s.sim) ||
				    !recover(&s, g, &kv, &op, &before, &after, n,
					     where)) {
					fprintf(stderr, "FAIL %s: %s\n", g->name,
						where);
					failures++;
					goto out;
				}
				n->cases[k]++;
				if (gc && n->double_rotations < double_limit) {
					fk_sim_snapshot_restore(s.sim, snap);
					fk_sim_schedule_cut(s.sim, j,
							    (enum fk_cut_kind)k,
							    FK_TEAR_SEEDED,
							    j * 7 + k);
					kv = saved;
					kvh_run_op(&kv, &op);
					if (!double_cuts(&s, g, &op, &before,
							 &after, n, where))
						goto out;
				}
			}
		}
		n->double_rotations += gc && n->double_rotations < double_limit;
		fk_sim_snapshot_restore(s.sim, snap);
		fk_sim_snapshot_free(snap);
		s.kv = saved;
		if (kvh_run_op(&s.kv, &op) != FK_OK ||
		    !kvh_matches(&s.kv, g->cfg.key_limit, &after)) {
			fprintf(stderr, "FAIL %s: op %u replay\n", g->name, i);
			failures++;
			break;
		}
		before = after;
		continue;
out:
		fk_sim_snapshot_free(snap);
		break;
	}
	kvh_close(&s);
	return failures == 0;
}

static const struct kvh_geometry geometries[] = {
	{ "4 KiB sectors x4, 1-byte NOR writes", 4096, 4, 1, 0xFF, false,
	  { 16, 40, 128, 0 }, 16, 0, 40, false },
	{ "128 KiB sectors x2, 32-byte program-once ECC", 128 * 1024, 2, 32,
	  0xFF, true, { 16, 119, 128, 0 }, 16, 40, 119, false },
	{ "exactly 2 sectors of 2 KiB, 8-byte program-once", 2048, 2, 8, 0xFF,
	  true, { 16, 24, 64, 0 }, 16, 0, 24, false },
	{ "nearly full: 3 x 4 KiB, 32 keys of ~100 bytes", 4096, 3, 4, 0xFF,
	  false, { 32, 100, 128, 0 }, 32, 90, 100, true },
	{ "erased value 0x00: 4 x 1 KiB, 16-byte program-once", 1024, 4, 16,
	  0x00, true, { 8, 24, 64, 0 }, 8, 0, 24, false },
	/* examples/stm32h7-qspi-internal-settings: the 'settings' partition */
	{ "STM32H7B0 settings: 7 x 8 KiB, 16-byte program-once ECC", 8192, 7,
	  16, 0xFF, true, { 64, 32, 128, 0 }, 48, 0, 32, false },
	/* With fk_kv_maintain() among the operations (kvh_maintenance):
	 * early erases, early openings (room), openings that find the
	 * sector erased. */
	{ "maintenance: 4 x 4 KiB, 1-byte NOR writes", 4096, 4, 1, 0xFF, false,
	  { 16, 40, 128, 0 }, 16, 0, 40, false },
	{ "maintenance: 2 x 2 KiB, 8-byte program-once", 2048, 2, 8, 0xFF,
	  true, { 16, 24, 64, 0 }, 16, 0, 24, false },
	{ "maintenance: 7 x 1 KiB, 32-byte program-once, erased 0x00", 1024, 7,
	  32, 0x00, true, { 8, 24, 64, 0 }, 8, 0, 24, false },
	/* With large values (kvh_large) among the operations: chunks and
	 * closing records, openings that copy them, openings that carry the
	 * new value of the key they skip. */
	{ "large values: 4 x 8 KiB, 1-byte NOR writes", 8192, 4, 1, 0xFF,
	  false, { 16, 40, 128, 0 }, 16, 0, 40, false },
	{ "large values: 2 x 8 KiB, 32-byte program-once", 8192, 2, 32, 0xFF,
	  true, { 16, 24, 64, 0 }, 16, 0, 24, false },
	{ "large values and maintenance: 3 x 8 KiB, 8-byte program-once",
	  8192, 3, 8, 0xFF, true, { 16, 40, 128, 0 }, 16, 0, 40, false },
};

/* The maintenance share and room of each geometry (0: none). */
static const struct kvh_maintenance maintenance[] = {
	{ 0, 0 },   { 0, 0 }, { 0, 0 },	  { 0, 0 }, { 0, 0 }, { 0, 0 },
	{ 25, 600 }, { 25, 300 }, { 30, 200 }, { 0, 0 }, { 0, 0 }, { 20, 3000 },
};

/* The large-value share, keys and sizes of each geometry (0: none). */
static const struct kvh_large large[] = {
	{ 0, 0, 0, 0 },	      { 0, 0, 0, 0 },	    { 0, 0, 0, 0 },
	{ 0, 0, 0, 0 },	      { 0, 0, 0, 0 },	    { 0, 0, 0, 0 },
	{ 0, 0, 0, 0 },	      { 0, 0, 0, 0 },	    { 0, 0, 0, 0 },
	{ 15, 2, 200, 2500 }, { 15, 2, 100, 800 },  { 15, 2, 200, 2000 },
};

static const uint32_t check_ops[] = { 1400, 3000, 700, 400, 500, 2000,
				      1200, 700, 600,  250, 250, 250 };

int main(int argc, char **argv)
{
	bool compact = false;
	int scale = 1;
	uint64_t total = 0;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--long") == 0) {
			scale = 10;
		} else if (strcmp(argv[a], "--compact") == 0) {
			compact = true;
		} else {
			fprintf(stderr, "usage: %s [--long] [--compact]\n",
				argv[0]);
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof(geometries) / sizeof(geometries[0]); i++) {
		struct kvh_geometry g = geometries[i];
		char name[160];
		struct counts n;
		bool ok;

		if (compact) {
			snprintf(name, sizeof(name), "%s, compact header",
				 g.name);
			g.name = name;
			g.cfg.header = FK_KV_HEADER_COMPACT;
		}
		kvh_maintenance = maintenance[i];
		kvh_large = large[i];
		ok = sweep(&g, check_ops[i] * scale, scale > 1 ? UINT32_MAX : 2,
			   &n);

		printf("kv power cuts, %s: %llu user ops (%llu rotations), "
		       "%llu flash ops cut before/after/torn: %llu + %llu + "
		       "%llu cases, %llu double cuts in %llu collections; "
		       "recovered old %llu, new %llu: %s\n",
		       g.name, (unsigned long long)n.user_ops,
		       (unsigned long long)n.rotations,
		       (unsigned long long)n.flash_ops,
		       (unsigned long long)n.cases[0],
		       (unsigned long long)n.cases[1],
		       (unsigned long long)n.cases[2],
		       (unsigned long long)n.doubles,
		       (unsigned long long)n.double_rotations,
		       (unsigned long long)n.saw_old,
		       (unsigned long long)n.saw_new, ok ? "ok" : "FAILED");
		total += n.cases[0] + n.cases[1] + n.cases[2] + n.doubles;
		if (!ok)
			return 1;
	}
	printf("kv power cuts%s%s: %llu cases, every one recovered\n",
	       compact ? ", compact headers (format 3)" :
			 ", bitmap headers (format 2)",
	       scale > 1 ? ", long" : ", CI-sized (--long: 10x)",
	       (unsigned long long)total);
	return 0;
}
