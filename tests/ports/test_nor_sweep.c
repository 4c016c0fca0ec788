/*
 * The settings store's power-cut sweep through the QSPI NOR driver: the
 * store (src/kv) on a 4 x 4 KiB partition of a W25Q16JV, reached only
 * through the emulated driver (ports/nor/nor.c over nor_qspi_stm32.c,
 * Cortex-M7, code in the chip) on the QUADSPI and chip models.
 *
 * A random workload (tests/kv/kv_harness.h) of sets, deletes and
 * multi-key commits runs long enough to rotate and collect sectors.
 * Before each user operation the chip's array is snapshotted; then for
 * every flash operation (page program, 4 KiB erase) that user operation
 * issues, power is cut before it, after it and in the middle of it; the
 * microcontroller reboots (the driver is opened again), the store is
 * mounted again and must hold exactly the state before the operation or
 * exactly the state after it; the operation is then retried and must
 * land. argv[2]: user operations (default 150: the ring rotates and
 * collects sectors several times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_harness.h"
#include "models/nor_chip.h"
#include "models/quadspi.h"
#include "uc.h"

#define PART_OFF (1u << 20) /* the store's partition in the chip */

/* Values of 60-119 bytes: a 4 KiB sector holds about 30 records, so
 * the ring rotates every few dozen operations and collects once full. */
static const struct kvh_geometry geo = {
	.name = "QSPI W25Q16JV, 4 KiB sectors x4",
	.sector_size = 4096,
	.sectors = 4,
	.write_unit = 1,
	.erased_value = 0xFF,
	.cfg = { 16, 119, 128 },
	.keys_used = 16,
	.vmin = 60,
	.vmax = 119,
};

static const char *const kind_name[] = { "before", "after", "torn" };

struct rig {
	struct uc *uc;
	struct nor_chip *chip;
	struct quadspi_model *q;
	struct fk_sim *sim;
	struct uc_flash uf;
	struct fk_area area;
};

static int fail(const struct rig *r, const char *what, const char *where)
{
	fprintf(stderr, "FAIL %s: %s: %s\n", geo.name, where, what);
	if (uc_violations(r->uc))
		fprintf(stderr, "  violation: %s\n", uc_first_violation(r->uc));
	return 0;
}

/* After a cut: power back, mount (the MCU reboots and reopens the
 * driver), old or new state, then the retried operation lands. */
static int recover(struct rig *r, const struct kvh_op *op,
		   const struct kvh_model *before,
		   const struct kvh_model *after, const char *where)
{
	struct fk_kv kv;

	fk_sim_reboot(r->sim);
	if (fk_kv_mount(&kv, &r->area, &geo.cfg) != FK_OK)
		return fail(r, "mount after the cut", where);
	if (!kvh_matches(&kv, geo.cfg.key_limit, before) &&
	    !kvh_matches(&kv, geo.cfg.key_limit, after))
		return fail(r, "neither the old nor the new state", where);
	if (kvh_run_op(&kv, op) != FK_OK ||
	    !kvh_matches(&kv, geo.cfg.key_limit, after))
		return fail(r, "retry after the cut", where);
	return uc_violations(r->uc) ? fail(r, "model rule", where) : 1;
}

/* Every cut of every flash operation of user operation i. */
static int sweep_op(struct rig *r, struct fk_kv *kv, const struct kvh_op *op,
		    const struct kvh_model *before,
		    const struct kvh_model *after, uint32_t i, uint64_t *cases,
		    uint32_t *rotations)
{
	struct fk_sim_snapshot *snap = fk_sim_snapshot_take(r->sim);
	struct fk_kv saved = *kv, tmp;
	uint64_t a = fk_sim_op_index(r->sim), b;
	struct nor_chip_stats st0, st1;
	char where[120];
	int ok;

	nor_chip_get_stats(r->chip, &st0);
	ok = kvh_run_op(kv, op) == FK_OK;
	nor_chip_get_stats(r->chip, &st1);
	*rotations += st1.erases_4k > st0.erases_4k;
	b = fk_sim_op_index(r->sim);
	for (uint64_t j = a; ok && j < b; j++) {
		for (int k = 0; ok && k < 3; k++) {
			snprintf(where, sizeof(where),
				 "user op %u, %s flash op %llu of %llu", i,
				 kind_name[k], (unsigned long long)(j - a),
				 (unsigned long long)(b - a));
			fk_sim_snapshot_restore(r->sim, snap);
			fk_sim_schedule_cut(r->sim, j, (enum fk_cut_kind)k,
					    FK_TEAR_SEEDED, j * 7 + k);
			tmp = saved;
			kvh_run_op(&tmp, op);
			ok = fk_sim_power_lost(r->sim) ?
				     recover(r, op, before, after, where) :
				     fail(r, "the cut did not happen", where);
			(*cases)++;
		}
	}
	fk_sim_snapshot_restore(r->sim, snap);
	fk_sim_snapshot_free(snap);
	*kv = saved;
	if (ok && (kvh_run_op(kv, op) != FK_OK ||
		   !kvh_matches(kv, geo.cfg.key_limit, after)))
		ok = fail(r, "replay", "after the sweep");
	return ok;
}

static int open_rig(struct rig *r, const char *image)
{
	struct uc_config cfg = { .elf = image, .cpu = "cortex-m7" };

	memset(r, 0, sizeof(*r));
	r->uc = uc_create(&cfg);
	r->chip = r->uc ? nor_chip_create(r->uc, NOR_CHIP_W25Q16JV) : NULL;
	if (!r->chip)
		return 0;
	r->sim = nor_chip_sim(r->chip);
	r->q = quadspi_model_create(r->uc, r->chip, QUADSPI_H7_REGS, true);
	return r->q && uc_flash_open(&r->uf, r->uc, r->sim, 0) == FK_OK &&
	       fk_area_init(&r->area, &r->uf.flash, PART_OFF,
			    geo.sectors * geo.sector_size) == FK_OK;
}

int main(int argc, char **argv)
{
	static struct kvh_model before, after;
	uint32_t ops = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 150;
	uint64_t rng = 0x5EED0000u + geo.sector_size, cases = 0;
	uint32_t rotations = 0;
	struct kvh_op op;
	struct fk_kv kv;
	struct rig r;
	int ok;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <qspi image> [user ops]\n", argv[0]);
		return 2;
	}
	ok = open_rig(&r, argv[1]) &&
	     fk_kv_mount(&kv, &r.area, &geo.cfg) == FK_OK;
	for (uint32_t i = 0; ok && i < ops; i++) {
		kvh_make_op(&geo, &rng, i, &op);
		after = before;
		kvh_apply(&after, &op);
		ok = sweep_op(&r, &kv, &op, &before, &after, i, &cases,
			      &rotations);
		before = after;
	}
	printf("%s: %u user ops, %u sector rotations, %llu cut cases, %s\n",
	       geo.name, ops, rotations, (unsigned long long)cases,
	       ok ? "0 failures" : "FAILED");
	uc_destroy(r.uc);
	quadspi_model_destroy(r.q);
	nor_chip_destroy(r.chip);
	return ok ? 0 : 1;
}
