/*
 * The boot core's power-cut sweeps through the STM32F4 driver on its
 * register model (sweeps.h): F407, 1 MiB, x32, the stm32f4 rig's areas
 * (boot 16K, state 16K, primary 16K+16K+64K, staging 2 x 128K).
 *
 *   test_f4_sweeps <image>          CI subset: every single cut of each
 *                                   strategy's install, 20 double cuts
 *   test_f4_sweeps <image> --full   install and revert, every double
 *                                   cut
 */
#include <stdio.h>
#include <string.h>

#include "models/f4.h"
#include "sweeps.h"
#include "uc.h"

static int run(const char *image, const struct port_boot_sweep *sw)
{
	struct uc_config c = { .elf = image, .cpu = "cortex-m4" };
	struct f4_model_config mc = { .size = 0x100000, .max_psize = 2 };
	struct fk_rig_result res;
	struct uc_flash uf;
	struct uc *uc = uc_create(&c);
	struct f4_model *m = uc ? f4_model_attach(uc, &mc) : NULL;
	int rc = -1;

	if (m && uc_flash_open(&uf, uc, f4_model_sim(m), 0) == 0)
		rc = port_boot_sweep(f4_model_sim(m), &uf.flash, sw, &res);
	printf("f4 %s %s: %llu cases (%llu single, %llu double), %llu "
	       "failures, %.1f s%s%s\n",
	       port_strategy_name(sw->strategy),
	       port_scenario_name(sw->scenario), (unsigned long long)res.cases,
	       (unsigned long long)res.single_cuts,
	       (unsigned long long)res.double_cuts,
	       (unsigned long long)res.failures, res.seconds,
	       res.first_failure[0] ? ": " : "", res.first_failure);
	if (uc && uc_violations(uc)) {
		printf("  the model saw a rule broken: %s\n",
		       uc_first_violation(uc));
		rc = -1;
	}
	f4_model_free(m);
	uc_destroy(uc);
	return rc == 0 && res.failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	bool full = argc > 2 && strcmp(argv[2], "--full") == 0;
	static const enum fk_boot_strategy strategies[] = { FK_BOOT_OVERWRITE,
							    FK_BOOT_SWAP,
							    FK_BOOT_XIP };
	int fails = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <f4_image.elf> [--full]\n", argv[0]);
		return 2;
	}
	for (int s = 0; s < 3; s++) {
		bool overwrite = strategies[s] == FK_BOOT_OVERWRITE;
		struct port_boot_sweep sw = {
			.strategy = strategies[s],
			.geo = 1, /* GEO_STM32F4 */
			/* OVERWRITE installs only permanently */
			.scenario = overwrite ? FK_SCENARIO_PERMANENT :
						FK_SCENARIO_INSTALL,
			.double_cuts = true,
			.double_samples = full ? 0 : 20,
		};

		fails += run(argv[1], &sw);
		if (full && !overwrite) {
			sw.scenario = FK_SCENARIO_REVERT;
			fails += run(argv[1], &sw);
		}
	}
	return fails ? 1 : 0;
}
