/*
 * The swap plan's group walk (src/boot/plan.c) against a count made from
 * bp_group() alone: bp_groups_for(len) must be the number of groups that
 * start below len, for every len at, just below and just after each
 * group's start and end, and for 0 and past the slot. An image that ends
 * exactly on a group boundary takes no group past it (one too many would
 * copy, save and restore a group of no image's bytes). Geometries:
 * uniform 4 KiB sectors, 128-byte pages, and sectors of three sizes
 * with a staging slot cut differently from the primary (16 KiB and 64 KiB
 * sectors against 64 KiB ones).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot/boot_internal.h"
#include "flashsim.h"

struct geo {
	const char *name;
	struct fk_sector_run runs[3];
	uint32_t run_count;
	uint32_t primary_off, secondary_off, slot_size, secondary_size;
	uint32_t state_off, state_size;
};

static const struct geo geos[] = {
	{ "uniform-4k",
	  { { 64, 4096 } },
	  1,
	  0,
	  96 * 1024,
	  96 * 1024,
	  96 * 1024,
	  240 * 1024,
	  4096 },
	{ "mixed-sectors",
	  { { 8, 16384 }, { 4, 65536 }, { 2, 131072 } },
	  3,
	  16384,
	  196608,
	  180224,
	  196608,
	  0,
	  16384 },
	{ "small-pages",
	  { { 512, 128 } },
	  1,
	  2048,
	  32768,
	  16384,
	  16384,
	  0,
	  2048 },
};

/* Groups whose p_off lies below len, from bp_group() one by one. */
static uint32_t count_below(const struct fk_boot_config *cfg,
			    const struct bp_plan *plan, uint32_t len)
{
	struct bp_group g;
	uint32_t n = 0;

	while (bp_group(cfg, 0, plan, n, &g) == FK_OK && g.p_off < len)
		n++;
	return n;
}

static void check_len(const struct fk_boot_config *cfg,
		      const struct bp_plan *plan, uint32_t len, const char *geo)
{
	uint32_t got = UINT32_MAX, want = count_below(cfg, plan, len);

	assert_int_equal(bp_groups_for(cfg, 0, plan, len, &got), FK_OK);
	if (got != want)
		fail_msg("%s: bp_groups_for(%u) = %u, %u groups start below it",
			 geo, len, got, want);
}

static void test_groups_for_counts_groups_starting_below_len(void **state)
{
	uint32_t lens = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(geos) / sizeof(geos[0]); k++) {
		const struct geo *g = &geos[k];
		struct fk_sim_config sc = { 0 };
		struct fk_boot_config cfg = { .image_count = 1,
					      .strategy = FK_BOOT_SWAP,
					      .trial_boots = 1 };
		struct bp_plan plan;
		struct bp_group grp;
		struct fk_sim *sim;
		uint32_t groups = 0;

		sc.geo.runs = g->runs;
		sc.geo.run_count = g->run_count;
		for (uint32_t r = 0; r < g->run_count; r++)
			sc.geo.size += g->runs[r].count * g->runs[r].size;
		sc.geo.write_unit = 4;
		sc.geo.erased_value = 0xFF;
		sim = fk_sim_create(&sc);
		assert_non_null(sim);
		assert_int_equal(fk_area_init(&cfg.images[0].primary,
					      fk_sim_flash(sim), g->primary_off,
					      g->slot_size),
				 FK_OK);
		assert_int_equal(fk_area_init(&cfg.images[0].secondary,
					      fk_sim_flash(sim),
					      g->secondary_off,
					      g->secondary_size),
				 FK_OK);
		assert_int_equal(fk_area_init(&cfg.state, fk_sim_flash(sim),
					      g->state_off, g->state_size),
				 FK_OK);
		assert_int_equal(bp_plan(&cfg, 0, &plan), FK_OK);
		check_len(&cfg, &plan, 0, g->name);
		check_len(&cfg, &plan, UINT32_MAX, g->name);
		while (bp_group(&cfg, 0, &plan, groups, &grp) == FK_OK) {
			uint32_t at[] = { grp.p_off, grp.p_off + 1,
					  grp.p_end - 1, grp.p_end,
					  grp.p_end + 1 };

			for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
				check_len(&cfg, &plan, at[i], g->name);
			lens += 5;
			groups++;
		}
		/* an image ending on a group boundary takes exactly the
		 * groups before it */
		assert_true(groups >= 2);
		assert_int_equal(bp_group(&cfg, 0, &plan, 1, &grp), FK_OK);
		check_len(&cfg, &plan, grp.p_end, g->name);
		printf("%s: %u groups of at least %u bytes\n", g->name, groups,
		       plan.span);
		fk_sim_destroy(sim);
	}
	printf("%u lengths checked\n", lens);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_groups_for_counts_groups_starting_below_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
