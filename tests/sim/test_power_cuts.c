/*
 * Power cuts in the simulator: before, after and torn operations, the
 * three ways a tear looks, power staying off until reboot, contents
 * surviving the reboot, and a sweep that moves the cut over every
 * operation of a small scenario using snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/asserts.h"
#include "sim/fixtures.h"

#define SECTOR 256u
#define UNIT   4u

static void pattern(uint8_t *buf, uint32_t len, uint8_t salt)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37 + salt);
}

/* A byte that a partial program of src moved from old: it differs from
 * old only in bits where src differs from old. */
static bool only_moved_towards(uint8_t old, uint8_t now, uint8_t src)
{
	return ((now ^ old) & ~(old ^ src) & 0xFF) == 0;
}

static void test_cut_before_program_changes_nothing(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[16] = {0};

	(void)state;
	fk_sim_schedule_cut(sim, 0, FK_CUT_BEFORE, FK_TEAR_SEEDED, 0);
	assert_int_equal(fk_flash_program(f, 0, v, 16), FK_EPOWER);
	assert_true(fk_sim_power_lost(sim));
	fk_assert_all(fk_sim_data(sim), 2048, 0xFF);
	fk_sim_destroy(sim);
}

static void test_cut_after_program_completes_it(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[16];

	(void)state;
	pattern(v, 16, 1);
	fk_sim_schedule_cut(sim, 0, FK_CUT_AFTER, FK_TEAR_SEEDED, 0);
	assert_int_equal(fk_flash_program(f, 32, v, 16), FK_EPOWER);
	assert_true(fk_sim_power_lost(sim));
	assert_memory_equal(fk_sim_data(sim) + 32, v, 16);
	fk_assert_all(fk_sim_data(sim), 32, 0xFF);
	fk_assert_all(fk_sim_data(sim) + 48, 2000, 0xFF);
	fk_sim_destroy(sim);
}

/* PREFIX: units 0..k-1 hold the new data, unit k is partly programmed,
 * the rest are untouched. Over many seeds k takes many values. */
static void
test_torn_program_prefix_lands_whole_units_then_part_of_one(void **state)
{
	uint8_t v[64];
	uint32_t seen_first = 0, seen_later = 0;

	(void)state;
	pattern(v, 64, 3);
	for (uint64_t seed = 0; seed < 32; seed++) {
		struct fk_sim *sim = fk_test_sim_nor();
		uint8_t *d = fk_sim_data(sim);
		uint32_t k = 0;

		fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_PREFIX, seed);
		assert_int_equal(fk_flash_program(fk_sim_flash(sim), 0, v, 64),
				 FK_EPOWER);
		while (k < 16 && memcmp(d + k * UNIT, v + k * UNIT, UNIT) == 0)
			k++;
		assert_true(k < 16); /* a torn program never completes */
		for (uint32_t b = k * UNIT; b < (k + 1) * UNIT; b++)
			assert_true(only_moved_towards(0xFF, d[b], v[b]));
		fk_assert_all(d + (k + 1) * UNIT, 2048 - (k + 1) * UNIT, 0xFF);
		if (k == 0)
			seen_first++;
		else
			seen_later++;
		fk_sim_destroy(sim);
	}
	assert_true(seen_first > 0 && seen_later > 0);
}

/* SOME_BITS: every byte of the range moved only part of the way. */
static void test_torn_program_some_bits_moves_a_subset_of_bits(void **state)
{
	struct fk_sim *sim = fk_test_sim_nor();
	uint8_t *d = fk_sim_data(sim);
	uint8_t v[64];
	uint32_t exact = 0, untouched = 0;

	(void)state;
	memset(v, 0x00, sizeof(v));
	fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_SOME_BITS, 11);
	assert_int_equal(fk_flash_program(fk_sim_flash(sim), 64, v, 64),
			 FK_EPOWER);
	for (uint32_t b = 0; b < 64; b++) {
		exact += d[64 + b] == 0x00;
		untouched += d[64 + b] == 0xFF;
	}
	/* 64 random masks: neither all bits landed nor none did. */
	assert_true(exact < 64 && untouched < 64);
	fk_assert_all(d, 64, 0xFF);
	fk_assert_all(d + 128, 1920, 0xFF);
	fk_sim_destroy(sim);
}

static struct fk_sim *sim_with_sector_filled(uint32_t sector, uint8_t salt)
{
	struct fk_sim *sim = fk_test_sim_nor();

	pattern(fk_sim_data(sim) + sector * SECTOR, SECTOR, salt);
	return sim;
}

static void test_cut_before_erase_changes_nothing(void **state)
{
	struct fk_sim *sim = sim_with_sector_filled(3, 5);
	uint8_t want[SECTOR];

	(void)state;
	pattern(want, SECTOR, 5);
	fk_sim_schedule_cut(sim, 0, FK_CUT_BEFORE, FK_TEAR_SEEDED, 0);
	assert_int_equal(fk_flash_erase(fk_sim_flash(sim), 3 * SECTOR, SECTOR),
			 FK_EPOWER);
	assert_memory_equal(fk_sim_data(sim) + 3 * SECTOR, want, SECTOR);
	fk_sim_destroy(sim);
}

static void test_cut_after_erase_completes_it(void **state)
{
	struct fk_sim *sim = sim_with_sector_filled(3, 5);

	(void)state;
	fk_sim_schedule_cut(sim, 0, FK_CUT_AFTER, FK_TEAR_SEEDED, 0);
	assert_int_equal(fk_flash_erase(fk_sim_flash(sim), 3 * SECTOR, SECTOR),
			 FK_EPOWER);
	fk_assert_all(fk_sim_data(sim) + 3 * SECTOR, SECTOR, 0xFF);
	fk_sim_destroy(sim);
}

/* PREFIX erase: bytes [0, p) erased, [p, SECTOR) as before, 0 < p. */
static void test_torn_erase_prefix_erases_the_start_of_the_sector(void **state)
{
	uint8_t want[SECTOR];
	uint32_t partial = 0;

	(void)state;
	pattern(want, SECTOR, 9);
	for (uint64_t seed = 0; seed < 16; seed++) {
		struct fk_sim *sim = sim_with_sector_filled(2, 9);
		uint8_t *d = fk_sim_data(sim) + 2 * SECTOR;
		uint32_t p = 0;

		fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_PREFIX, seed);
		assert_int_equal(
		    fk_flash_erase(fk_sim_flash(sim), 2 * SECTOR, SECTOR),
		    FK_EPOWER);
		while (p < SECTOR && d[p] == 0xFF)
			p++;
		assert_true(p < SECTOR); /* a torn erase never completes */
		assert_memory_equal(d + p + 1, want + p + 1, SECTOR - p - 1);
		partial += p > 8;
		fk_sim_destroy(sim);
	}
	assert_true(partial > 0);
}

/* SOME_BITS erase: bits only move towards erased, some but not all. */
static void test_torn_erase_some_bits_sets_only_some_bits(void **state)
{
	struct fk_sim *sim = sim_with_sector_filled(1, 0);
	uint8_t *d = fk_sim_data(sim) + SECTOR;
	uint8_t want[SECTOR];
	uint32_t changed = 0, erased = 0;

	(void)state;
	pattern(want, SECTOR, 0);
	fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_SOME_BITS, 4);
	assert_int_equal(fk_flash_erase(fk_sim_flash(sim), SECTOR, SECTOR),
			 FK_EPOWER);
	for (uint32_t i = 0; i < SECTOR; i++) {
		assert_int_equal(d[i] & want[i], want[i]);
		changed += d[i] != want[i];
		erased += d[i] == 0xFF;
	}
	assert_true(changed > 0 && erased < SECTOR);
	fk_sim_destroy(sim);
}

/* GARBAGE erase: the sector holds data that is neither the old content
 * nor erased, in most bytes; the neighbours are untouched. */
static void test_torn_erase_garbage_leaves_random_data(void **state)
{
	struct fk_sim *sim = sim_with_sector_filled(1, 0);
	uint8_t *d = fk_sim_data(sim);
	uint8_t want[SECTOR];
	uint32_t odd = 0;

	(void)state;
	pattern(want, SECTOR, 0);
	fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_GARBAGE, 4);
	assert_int_equal(fk_flash_erase(fk_sim_flash(sim), SECTOR, SECTOR),
			 FK_EPOWER);
	for (uint32_t i = 0; i < SECTOR; i++)
		odd += d[SECTOR + i] != want[i] && d[SECTOR + i] != 0xFF;
	assert_true(odd > SECTOR / 2);
	fk_assert_all(d, SECTOR, 0xFF);
	fk_assert_all(d + 2 * SECTOR, 6 * SECTOR, 0xFF);
	fk_sim_destroy(sim);
}

/* With FK_TEAR_SEEDED the seed picks the tear: over a few seeds an erase
 * shows all three shapes. */
static void test_seeded_erase_tear_shows_every_mode(void **state)
{
	uint8_t want[SECTOR];
	uint32_t prefix = 0, some_bits = 0, garbage = 0;

	(void)state;
	pattern(want, SECTOR, 0);
	for (uint64_t seed = 0; seed < 30; seed++) {
		struct fk_sim *sim = sim_with_sector_filled(0, 0);
		uint8_t *d = fk_sim_data(sim);
		uint32_t p = 0;
		bool superset = true;

		fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_SEEDED, seed);
		assert_int_equal(fk_flash_erase(fk_sim_flash(sim), 0, SECTOR),
				 FK_EPOWER);
		while (p < SECTOR && d[p] == 0xFF)
			p++;
		for (uint32_t i = 0; i < SECTOR; i++)
			superset = superset && (d[i] & want[i]) == want[i];
		if (p == SECTOR ||
		    memcmp(d + p + 1, want + p + 1, SECTOR - p - 1) == 0)
			prefix++;
		else if (superset)
			some_bits++;
		else
			garbage++;
		fk_sim_destroy(sim);
	}
	assert_true(prefix > 0 && some_bits > 0 && garbage > 0);
}

static void test_same_seed_tears_the_same_way(void **state)
{
	uint8_t v[64] = {0};
	uint8_t first[2048];

	(void)state;
	for (int run = 0; run < 2; run++) {
		struct fk_sim *sim = sim_with_sector_filled(1, 2);

		fk_sim_schedule_cut(sim, 0, FK_CUT_TORN, FK_TEAR_SEEDED, 99);
		fk_flash_program(fk_sim_flash(sim), 0, v, 64);
		fk_sim_reboot(sim);
		fk_sim_schedule_cut(sim, 1, FK_CUT_TORN, FK_TEAR_SEEDED, 42);
		fk_flash_erase(fk_sim_flash(sim), SECTOR, SECTOR);
		if (run == 0)
			memcpy(first, fk_sim_data(sim), sizeof(first));
		else
			assert_memory_equal(first, fk_sim_data(sim),
					    sizeof(first));
		fk_sim_destroy(sim);
	}
}

static void test_every_operation_fails_after_cut_until_reboot(void **state)
{
	enum fk_cut_kind kinds[] = {FK_CUT_BEFORE, FK_CUT_AFTER, FK_CUT_TORN};

	(void)state;
	for (int k = 0; k < 3; k++) {
		struct fk_sim *sim = fk_test_sim_nor();
		struct fk_flash *f = fk_sim_flash(sim);
		uint8_t v[4] = {0}, buf[4];

		fk_sim_schedule_cut(sim, 0, kinds[k], FK_TEAR_SEEDED, 1);
		assert_int_equal(fk_flash_erase(f, 0, SECTOR), FK_EPOWER);
		for (int again = 0; again < 3; again++) {
			assert_int_equal(fk_flash_read(f, 512, buf, 4),
					 FK_EPOWER);
			assert_int_equal(fk_flash_program(f, 512, v, 4),
					 FK_EPOWER);
			assert_int_equal(fk_flash_erase(f, 512, SECTOR),
					 FK_EPOWER);
			assert_true(fk_sim_power_lost(sim));
		}
		fk_assert_all(fk_sim_data(sim) + 512, 1536, 0xFF);
		fk_sim_reboot(sim);
		assert_false(fk_sim_power_lost(sim));
		assert_int_equal(fk_flash_program(f, 512, v, 4), FK_OK);
		assert_int_equal(fk_flash_read(f, 512, buf, 4), FK_OK);
		assert_memory_equal(buf, v, 4);
		assert_int_equal(fk_flash_erase(f, 512, SECTOR), FK_OK);
		fk_sim_destroy(sim);
	}
}

static void test_contents_persist_across_reboot(void **state)
{
	struct fk_sim *sim = fk_test_sim_ecc();
	struct fk_flash *f = fk_sim_flash(sim);
	uint8_t v[64], buf[64];

	(void)state;
	pattern(v, 64, 7);
	assert_int_equal(fk_flash_program(f, 0, v, 64), FK_OK);
	fk_sim_schedule_cut(sim, fk_sim_op_index(sim), FK_CUT_BEFORE,
			    FK_TEAR_SEEDED, 0);
	assert_int_equal(fk_flash_erase(f, 0, SECTOR), FK_EPOWER);
	fk_sim_reboot(sim);
	assert_int_equal(fk_flash_read(f, 0, buf, 64), FK_OK);
	assert_memory_equal(buf, v, 64);
	/* Program-once state persists too: the units stay used. */
	assert_int_equal(fk_flash_program(f, 0, v, 8), FK_EPROGONCE);
	fk_sim_destroy(sim);
}

/* The cut hits operation N exactly: N operations succeed first. A
 * multi-sector erase is one operation per sector. */
static void test_cut_hits_exactly_operation_n(void **state)
{
	(void)state;
	for (uint64_t n = 0; n < 6; n++) {
		struct fk_sim *sim = fk_test_sim_nor();
		struct fk_flash *f = fk_sim_flash(sim);
		uint8_t v[4] = {0};
		uint64_t ok = 0;

		fk_sim_schedule_cut(sim, n, FK_CUT_BEFORE, FK_TEAR_SEEDED, 0);
		if (fk_flash_erase(f, 0, 4 * SECTOR) == FK_OK)
			ok += 4;
		else
			ok = fk_sim_op_index(sim) - 1;
		while (ok >= 4 &&
		       fk_flash_program(f, (uint32_t)ok * 4, v, 4) == FK_OK)
			ok++;
		assert_int_equal(ok, n);
		assert_int_equal(fk_sim_op_index(sim), n + 1);
		/* The first n-4 programs landed, the n-th did not. */
		for (uint64_t i = 4; i < n; i++)
			assert_int_equal(fk_sim_data(sim)[i * 4], 0x00);
		assert_int_equal(fk_sim_data(sim)[(n < 4 ? 4 : n) * 4], 0xFF);
		fk_sim_destroy(sim);
	}
}

static void test_reads_count_as_operations_only_when_asked(void **state)
{
	struct fk_sector_run run = {8, SECTOR};
	struct fk_sim_config cfg = {
	    .geo = {.size = 8 * SECTOR,
		    .runs = &run,
		    .run_count = 1,
		    .write_unit = UNIT,
		    .erased_value = 0xFF},
	};
	uint8_t buf[4], v[4] = {0};

	(void)state;
	for (int counted = 0; counted < 2; counted++) {
		struct fk_sim *sim;

		cfg.count_reads = counted;
		sim = fk_sim_create(&cfg);
		fk_sim_schedule_cut(sim, 1, FK_CUT_BEFORE, FK_TEAR_SEEDED, 0);
		assert_int_equal(fk_flash_read(fk_sim_flash(sim), 0, buf, 4),
				 FK_OK);
		assert_int_equal(fk_flash_program(fk_sim_flash(sim), 0, v, 4),
				 counted ? FK_EPOWER : FK_OK);
		assert_int_equal(fk_sim_op_index(sim), counted ? 2 : 1);
		fk_sim_destroy(sim);
	}
}

/* The scenario the sweep replays: erase, programs, a second erase and a
 * program on a plain NOR. Returns how many steps returned FK_OK before
 * the first failure (all of them: SCENARIO_STEPS), and that failure. */
#define SCENARIO_STEPS 6

static int run_scenario(struct fk_flash *f, uint32_t *done)
{
	uint8_t a[16], b[64];
	int rc = FK_OK;

	pattern(a, 16, 0x10);
	pattern(b, 64, 0x20);
	*done = 0;
	for (uint32_t step = 0; step < SCENARIO_STEPS && rc == FK_OK; step++) {
		switch (step) {
		case 0:
			rc = fk_flash_erase(f, SECTOR, SECTOR);
			break;
		case 1:
			rc = fk_flash_program(f, SECTOR, a, 16);
			break;
		case 2:
			rc = fk_flash_program(f, SECTOR + 16, a, 16);
			break;
		case 3:
			rc = fk_flash_erase(f, 2 * SECTOR, SECTOR);
			break;
		case 4:
			rc = fk_flash_program(f, 2 * SECTOR, b, 64);
			break;
		default:
			rc = fk_flash_erase(f, SECTOR, SECTOR);
			break;
		}
		if (rc == FK_OK)
			(*done)++;
	}
	return rc;
}

/* Cut before, after and torn (several seeds) at every operation of the
 * scenario, replayed from one snapshot. Before N must equal the state
 * after N-1 operations; after N the state after N operations; a torn
 * operation only changes the range it works on. */
static void test_cut_sweep_over_every_operation_with_snapshots(void **state)
{
	struct fk_sim *sim = sim_with_sector_filled(1, 0x44);
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_snapshot *start = fk_sim_snapshot_take(sim);
	static uint8_t ref[SCENARIO_STEPS + 1][8 * SECTOR];
	uint32_t lo[SCENARIO_STEPS] = {SECTOR,	   SECTOR,     SECTOR + 16,
				       2 * SECTOR, 2 * SECTOR, SECTOR};
	uint32_t hi[SCENARIO_STEPS] = {2 * SECTOR, SECTOR + 16,	    SECTOR + 32,
				       3 * SECTOR, 2 * SECTOR + 64, 2 * SECTOR};
	bool is_program[SCENARIO_STEPS] = {false, true, true,
					   false, true, false};
	uint32_t done, cases = 0, torn_visible = 0;

	(void)state;
	assert_non_null(start);
	/* Reference states: after 0, 1, ... SCENARIO_STEPS operations. */
	for (uint32_t n = 0; n <= SCENARIO_STEPS; n++) {
		fk_sim_snapshot_restore(sim, start);
		if (n < SCENARIO_STEPS)
			fk_sim_schedule_cut(sim, n, FK_CUT_BEFORE,
					    FK_TEAR_SEEDED, 0);
		run_scenario(f, &done);
		assert_int_equal(done, n);
		memcpy(ref[n], fk_sim_data(sim), 8 * SECTOR);
	}
	for (uint32_t n = 0; n < SCENARIO_STEPS; n++) {
		for (uint64_t seed = 0; seed < 8; seed++) {
			enum fk_cut_kind kind = seed == 0   ? FK_CUT_BEFORE
						: seed == 1 ? FK_CUT_AFTER
							    : FK_CUT_TORN;
			const uint8_t *d = fk_sim_data(sim);

			fk_sim_snapshot_restore(sim, start);
			fk_sim_schedule_cut(sim, n, kind, FK_TEAR_SEEDED, seed);
			assert_int_equal(run_scenario(f, &done), FK_EPOWER);
			assert_int_equal(done, n);
			assert_true(fk_sim_power_lost(sim));
			fk_sim_reboot(sim);
			if (kind == FK_CUT_BEFORE)
				assert_memory_equal(d, ref[n], 8 * SECTOR);
			else if (kind == FK_CUT_AFTER)
				assert_memory_equal(d, ref[n + 1], 8 * SECTOR);
			else {
				assert_memory_equal(d, ref[n], lo[n]);
				assert_memory_equal(d + hi[n], ref[n] + hi[n],
						    8 * SECTOR - hi[n]);
				for (uint32_t i = lo[n];
				     is_program[n] && i < hi[n]; i++)
					assert_true(only_moved_towards(
					    ref[n][i], d[i], ref[n + 1][i]));
				torn_visible +=
				    memcmp(d, ref[n], 8 * SECTOR) != 0 &&
				    memcmp(d, ref[n + 1], 8 * SECTOR) != 0;
			}
			/* After the reboot the rest of the scenario runs. */
			fk_sim_cancel_cut(sim);
			cases++;
		}
	}
	printf("cut sweep: %u operations x 8 cuts = %u cases\n", SCENARIO_STEPS,
	       cases);
	assert_int_equal(cases, SCENARIO_STEPS * 8);
	/* Most torn cases leave a state no complete sequence gives. */
	assert_true(torn_visible > SCENARIO_STEPS * 6 / 2);
	fk_sim_snapshot_free(start);
	fk_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cut_before_program_changes_nothing),
	    cmocka_unit_test(test_cut_after_program_completes_it),
	    cmocka_unit_test(
		test_torn_program_prefix_lands_whole_units_then_part_of_one),
	    cmocka_unit_test(
		test_torn_program_some_bits_moves_a_subset_of_bits),
	    cmocka_unit_test(test_cut_before_erase_changes_nothing),
	    cmocka_unit_test(test_cut_after_erase_completes_it),
	    cmocka_unit_test(
		test_torn_erase_prefix_erases_the_start_of_the_sector),
	    cmocka_unit_test(test_torn_erase_some_bits_sets_only_some_bits),
	    cmocka_unit_test(test_torn_erase_garbage_leaves_random_data),
	    cmocka_unit_test(test_seeded_erase_tear_shows_every_mode),
	    cmocka_unit_test(test_same_seed_tears_the_same_way),
	    cmocka_unit_test(test_every_operation_fails_after_cut_until_reboot),
	    cmocka_unit_test(test_contents_persist_across_reboot),
	    cmocka_unit_test(test_cut_hits_exactly_operation_n),
	    cmocka_unit_test(test_reads_count_as_operations_only_when_asked),
	    cmocka_unit_test(
		test_cut_sweep_over_every_operation_with_snapshots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
