/*
 * Long update histories (sim/rig_history.h) for one strategy on one
 * geometry (argv): at least 50 consecutive updates on the same device and
 * the same boot-state log, mixing confirmed, reverted, permanent and
 * refused installs, resumed and restarted uploads, with images that
 * shrink and grow, carry erased runs up to several sectors, are padded
 * to the slot or are real linked Cortex-M firmware.
 *
 *   walk   the history once with a power cut in every third step
 *          (during upload, install, revert or resume in turn);
 *   sweep  each step cut before, after and in the middle of each of its
 *          flash operations, from a snapshot at the start of the step,
 *          each recovery followed by two cut-free updates.
 *
 * FK_HISTORY_STEPS sets the history length (default 50), FK_HISTORY_SWEEP
 * which steps the sweep cuts: "all" (default), "kinds" (the first step
 * of each kind, what make check runs) or N (the first N). Prints the
 * counts. FK_SWEEP_FULL=1 sweeps every step whatever FK_HISTORY_SWEEP
 * says (the full run of a CI-sized registration). "lite-<strategy>" runs
 * the history on fk_boot_lite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "history_rig.h"

#define SEED 20241128u

static enum fk_boot_strategy strategy;
static enum rig_geo geo;
static const char *strategy_name;
static uint32_t steps = 50;
static uint32_t swept; /* 0: all */
static bool once_per_kind;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void report(const char *what, const struct fk_history_result *r,
		   double secs)
{
	printf("%s %s %s: %u updates (swept: %s), %llu cases (%llu with a "
	       "cut), %llu failures, %.1f s\n", strategy_name,
	       rig_geo_names[geo], what, steps,
	       strcmp(what, "sweep") ? "none" : once_per_kind ? "one of each "
	       "kind" : swept ? "the first ones" : "all",
	       (unsigned long long)r->cases,
	       (unsigned long long)r->cuts, (unsigned long long)r->failures,
	       secs);
	printf("  kinds run:");
	for (int k = 0; k < FK_HISTORY_KIND_COUNT; k++)
		printf(" %s %llu;", fk_history_kind_name(k),
		       (unsigned long long)r->kinds[k]);
	printf("\n  images: %u shorter, %u same size, %u longer than the "
	       "previous; %u padded to the slot; %u linked firmware; %u "
	       "erased runs, longest %u bytes\n", r->shorter, r->equal,
	       r->longer, r->padded, r->firmware, r->erased_runs,
	       r->longest_run);
	if (r->failures)
		printf("  first failure: %s\n", r->first_failure);
}

static struct fk_history *setup(struct fk_rig *rig, uint32_t cut_every,
				struct fk_history_result *res)
{
	struct fk_history *h;

	assert_int_equal(rig_build(rig, strategy, geo), 0);
	h = hist_create(rig, SEED, steps, cut_every, res);
	if (!h)
		fail_msg("history set-up: %s", res->first_failure);
	return h;
}

static void test_history_of_updates_with_cuts_keeps_device_bootable(
	void **state)
{
	struct fk_history_result res;
	struct fk_rig rig;
	struct fk_history *h;
	double t0 = now();

	(void)state;
	h = setup(&rig, 3, &res);
	fk_history_run(h, &res);
	report("walk", &res, now() - t0);
	assert_int_equal(res.failures, 0);
	assert_int_equal(res.steps, steps);
	/* every kind the strategy has, every size relation, every cut phase
	 * the kinds allow */
	assert_true(res.kinds[FK_HISTORY_PERMANENT] > 0);
	assert_true(res.kinds[FK_HISTORY_BAD_SIG] > 0);
	assert_true(res.kinds[FK_HISTORY_DOWNGRADE] > 0);
	assert_true(res.kinds[FK_HISTORY_CORRUPT] > 0);
	assert_true(res.kinds[FK_HISTORY_RESUMED] > 0);
	assert_true(res.kinds[FK_HISTORY_RESTARTED] > 0);
	if (strategy != FK_BOOT_OVERWRITE) {
		assert_true(res.kinds[FK_HISTORY_INSTALL] > 0);
		assert_true(res.kinds[FK_HISTORY_REVERT] > 0);
		assert_true(res.cut_phases[FK_HISTORY_CUT_REVERT] > 0);
	}
	assert_true(res.cut_phases[FK_HISTORY_CUT_UPLOAD] > 0);
	assert_true(res.cut_phases[FK_HISTORY_CUT_INSTALL] > 0);
	assert_true(res.cut_phases[FK_HISTORY_CUT_RESUME] > 0);
	assert_true(res.shorter > 0 && res.equal > 0 && res.longer > 0);
	assert_true(res.padded > 0 && res.firmware > 0);
	fk_history_free(h);
	fk_rig_destroy(&rig);
}

static void test_every_cut_of_every_update_recovers_and_updates_again(
	void **state)
{
	struct fk_history_sweep sw = { .follow = 2, .count = swept,
				       .once_per_kind = once_per_kind };
	struct fk_history_result res;
	struct fk_rig rig;
	struct fk_history *h;
	double t0 = now();

	(void)state;
	h = setup(&rig, 0, &res);
	fk_history_sweep(h, &sw, &res);
	report("sweep", &res, now() - t0);
	assert_int_equal(res.failures, 0);
	assert_true(res.cuts >= 3 * (once_per_kind ? 6 : swept ? swept : steps));
	fk_history_free(h);
	fk_rig_destroy(&rig);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest walk[] = {
		cmocka_unit_test(
			test_history_of_updates_with_cuts_keeps_device_bootable),
	};
	const struct CMUnitTest sweep[] = {
		cmocka_unit_test(
			test_every_cut_of_every_update_recovers_and_updates_again),
	};
	const char *env = getenv("FK_HISTORY_STEPS");

	if (argc != 4 || (strcmp(argv[3], "walk") && strcmp(argv[3], "sweep"))) {
		fprintf(stderr, "usage: %s [lite-]overwrite|[lite-]swap|"
			"[lite-]xip|ram-load GEOMETRY walk|sweep\n", argv[0]);
		return 2;
	}
	if (env && (steps = (uint32_t)strtoul(env, NULL, 10)) == 0)
		return 2;
	env = getenv("FK_SWEEP_FULL") ? NULL : getenv("FK_HISTORY_SWEEP");
	once_per_kind = env && !strcmp(env, "kinds");
	swept = env && !once_per_kind ? (uint32_t)strtoul(env, NULL, 10) : 0;
	swept = swept < steps ? swept : 0;
	strategy_name = argv[1];
	if (rig_parse_names(argv[1], argv[2], &strategy, &geo) != 0 ||
	    (rig_boot_core && geo == GEO_DUAL) || rig_load_key() != 0)
		return 2;
	if (!strcmp(argv[3], "walk"))
		return _cmocka_run_group_tests("walk", walk, 1, NULL, NULL);
	return _cmocka_run_group_tests("sweep", sweep, 1, NULL, NULL);
}
