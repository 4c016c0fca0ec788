/*
 * The power-cut proof: for one strategy on one geometry (argv), each
 * scenario the strategy has is run with a cut before, after and in the
 * middle of every flash operation of the update's life, and a second cut
 * at every operation of the recovery after each first cut. After every
 * cut the device must boot a valid image set, old or new and nothing
 * else, and settle where the scenario requires. Prints the case counts
 * and what a clean install costs; checks SWAP stays within 2N+2 erases.
 * "lite-<strategy>" runs the same sweeps against fk_boot_lite (one image,
 * no encrypted images; on dual-image only OVERWRITE's factory fallback).
 *
 * Encrypted images take their AES keys from the seeded generator
 * (tests/seeded_rng.c), so every run sweeps the same images and cases.
 *
 * FK_SWEEP_DOUBLE_PAYLOADS=OLD,NEW (a CI-sized run of a long sweep):
 * every single cut of the geometry's images, without double cuts, then
 * every single and every double cut of a smaller workload, images of OLD
 * and NEW bytes of payload on the same areas; FK_SWEEP_FULL=1 overrides
 * it (every double cut of the geometry's images). Nothing is sampled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "flashkit/crc.h"
#include "rigs.h"

static enum fk_boot_strategy strategy;
static enum rig_geo geo;
static const char *strategy_name;
static const char *enc_scheme; /* argv[3]: encrypted images, or NULL */

/* Sectors of area a that the first len bytes cover. */
static uint32_t sectors_covering(const struct fk_area *a, uint32_t len)
{
	uint32_t n = 0, off = 0;
	struct fk_sector s;

	while (off < len && fk_area_sector_at(a, off, &s) == FK_OK) {
		off = s.off + s.size;
		n++;
	}
	return n;
}

/* The CRC-32 of every image the sweep installs: with encrypted images
 * it names the AES keys drawn, so two runs that print the same ran the
 * same cases (test_boot_sweep_enc_repeatable compares two runs). */
static void print_images(const struct fk_rig *rig)
{
	printf("  images:");
	for (uint32_t i = 0; i < rig->cfg.image_count; i++)
		printf(" old 0x%08x new 0x%08x",
		       (unsigned)fk_crc32(0, rig->old_img[i], rig->old_len[i]),
		       (unsigned)fk_crc32(0, rig->new_img[i], rig->new_len[i]));
	printf("\n");
}

/* OVERWRITE's factory slot sits where the dual-image rig keeps its
 * second image. */
static void use_factory_slot(struct fk_rig *rig)
{
	rig->cfg.image_count = 1;
	memset(&rig->cfg.images[1], 0, sizeof(rig->cfg.images[1]));
	assert_int_equal(fk_area_init(&rig->cfg.images[0].factory,
				      &rig->mem[0].flash, 65536, 36864), FK_OK);
}

/* One sweep of the scenario: with doubles, every double cut too; with
 * payloads (old, new) not 0, of images of those payloads. */
static void sweep_once(enum fk_rig_scenario scenario, const char *name,
		       bool doubles, uint32_t old_payload, uint32_t new_payload)
{
	struct fk_rig rig;
	struct fk_rig_sweep sw = { .scenario = scenario,
				   .double_cuts = doubles };
	struct fk_rig_result res;
	uint32_t n = 0, log_sectors;
	char small[48] = "";

	assert_int_equal(rig_build(&rig, strategy, geo), 0);
	if (new_payload) {
		assert_int_equal(rig_resize_images(&rig, geo, old_payload,
						   new_payload),
				 0);
		snprintf(small, sizeof(small), " (payloads %u and %u bytes)",
			 (unsigned)old_payload, (unsigned)new_payload);
	}
	if (enc_scheme)
		assert_int_equal(rig_encrypt(&rig, geo, enc_scheme), 0);
	if (scenario == FK_SCENARIO_FACTORY)
		use_factory_slot(&rig);
	for (uint32_t i = 0; i < rig.cfg.image_count; i++) {
		uint32_t len = (uint32_t)(rig.old_len[i] > rig.new_len[i] ?
						  rig.old_len[i] :
						  rig.new_len[i]);
		uint32_t p = sectors_covering(&rig.cfg.images[i].primary, len);
		uint32_t q = sectors_covering(&rig.cfg.images[i].secondary, len);

		n += p > q ? p : q;
	}
	log_sectors = sectors_covering(&rig.cfg.state, rig.cfg.state.size);
	if (fk_rig_sweep(&rig, &sw, &res) != 0)
		fail_msg("set-up: %s", res.first_failure);
	printf("%s %s%s%s %s%s: %llu cases (%llu single cuts, ",
	       strategy_name, rig_geo_names[geo], enc_scheme ? " encrypted " : "",
	       enc_scheme ? enc_scheme : "", name, small,
	       (unsigned long long)res.cases,
	       (unsigned long long)res.single_cuts);
	if (doubles)
		printf("every one of %llu pairs of double cuts",
		       (unsigned long long)res.double_pairs);
	else
		printf("no double cuts");
	printf("), %llu failures\n", (unsigned long long)res.failures);
	printf("  N=%u sectors; upload %llu erases %llu bytes; life %llu ops, "
	       "%llu erases, %llu bytes programmed, most-worn sector %u "
	       "erases\n",
	       n, (unsigned long long)res.update.erases,
	       (unsigned long long)res.update.bytes_programmed,
	       (unsigned long long)res.life.ops,
	       (unsigned long long)res.life.erases,
	       (unsigned long long)res.life.bytes_programmed,
	       res.life.max_sector_erases);
	print_images(&rig);
	if (res.failures)
		printf("  first failure: %s\n", res.first_failure);
	assert_int_equal(res.failures, 0);
	assert_true(res.single_cuts >= 3 * res.life.ops);
	assert_true(!doubles || res.double_cuts > 0);
	assert_true(!doubles || res.double_cuts == res.double_pairs);
	/* the +2 holds one erase of the log (the room made before the
	 * install); a log over several pages (small-pages) takes more. Of
	 * the geometry's images: a smaller one leaves the slots' trailer
	 * sectors out of the n it covers. */
	if (strategy == FK_BOOT_SWAP && scenario == FK_SCENARIO_INSTALL &&
	    !new_payload)
		assert_true(res.life.erases <= 2 * n + 1 + log_sectors);
	if (strategy == FK_BOOT_XIP || strategy == FK_BOOT_RAM_LOAD)
		assert_int_equal(res.life.erases, 0);
	fk_rig_destroy(&rig);
}

static void run(enum fk_rig_scenario scenario, const char *name)
{
	const char *small = getenv("FK_SWEEP_DOUBLE_PAYLOADS");
	unsigned old_payload, new_payload;

	if (small && !getenv("FK_SWEEP_FULL")) {
		assert_int_equal(sscanf(small, "%u,%u", &old_payload,
					&new_payload),
				 2);
		sweep_once(scenario, name, false, 0, 0);
		sweep_once(scenario, name, true, old_payload, new_payload);
	} else {
		sweep_once(scenario, name, true, 0, 0);
	}
}

static void test_install_confirmed_survives_every_cut(void **state)
{
	(void)state;
	run(FK_SCENARIO_INSTALL, "install");
}

static void test_unconfirmed_install_reverts_across_every_cut(void **state)
{
	(void)state;
	run(FK_SCENARIO_REVERT, "revert");
}

static void test_permanent_overwrite_survives_every_cut(void **state)
{
	(void)state;
	run(FK_SCENARIO_PERMANENT, "permanent install");
}

static void test_factory_fallback_survives_every_cut(void **state)
{
	(void)state;
	run(FK_SCENARIO_FACTORY, "factory fallback");
}

int main(int argc, char **argv)
{
	/* The scenarios each strategy has; nothing is skipped. */
	const struct CMUnitTest trial[] = {
		cmocka_unit_test(test_install_confirmed_survives_every_cut),
		cmocka_unit_test(test_unconfirmed_install_reverts_across_every_cut),
	};
	const struct CMUnitTest overwrite[] = {
		cmocka_unit_test(test_permanent_overwrite_survives_every_cut),
		cmocka_unit_test(test_factory_fallback_survives_every_cut),
	};

	if (argc != 3 && argc != 4) {
		fprintf(stderr,
			"usage: %s [lite-]overwrite|[lite-]swap|[lite-]xip|"
			"ram-load GEOMETRY [ecies-p256|x25519|rsa-oaep]\n",
			argv[0]);
		return 2;
	}
	strategy_name = argv[1];
	enc_scheme = argc == 4 ? argv[3] : NULL;
	if (rig_parse_names(argv[1], argv[2], &strategy, &geo) != 0 ||
	    (rig_boot_core && enc_scheme))
		return 2;
	/* the lite core boots one image: on the dual-image rig only the
	 * factory fallback, whose slot takes the second image's room */
	if (rig_boot_core && geo == GEO_DUAL)
		return strategy == FK_BOOT_OVERWRITE ?
			       _cmocka_run_group_tests("overwrite",
						       overwrite + 1, 1, NULL,
						       NULL) :
			       2;
	if (strategy != FK_BOOT_OVERWRITE)
		return cmocka_run_group_tests(trial, NULL, NULL);
	/* the factory slot needs the room of the dual-image rig */
	if (geo == GEO_DUAL)
		return _cmocka_run_group_tests("overwrite", overwrite, 2, NULL,
					       NULL);
	return _cmocka_run_group_tests("overwrite", overwrite, 1, NULL, NULL);
}
