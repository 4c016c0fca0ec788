/*
 * Boot sweeps through a driver (sweeps.h): a rig with the driver as its
 * one memory, configured by tests/boot/rigs.h, swept by fk_rig_sweep;
 * and the set of sweeps every port runs.
 */
#include "sweeps.h"
#include "rigs.h"
#include "uc.h"

const char *port_strategy_name(enum fk_boot_strategy s)
{
	return s == FK_BOOT_SWAP ? "swap" :
	       s == FK_BOOT_XIP	 ? "xip" :
				   "overwrite";
}

const char *port_scenario_name(enum fk_rig_scenario s)
{
	static const char *const names[] = { "install", "revert", "permanent",
					     "factory" };

	return (unsigned)s < 4 ? names[s] : "?";
}

int port_boot_sweep(struct fk_sim *sim, const struct fk_flash *dev,
		    const struct port_boot_sweep *sw, struct fk_rig_result *res)
{
	struct fk_rig rig;
	struct fk_rig_sweep rs = {
		.scenario = sw->scenario,
		.double_cuts = sw->double_cuts,
		.double_sample = sw->double_samples != 0,
		.max_samples = sw->double_samples,
		.seed = 1,
	};
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&rig, 0, sizeof(rig));
	if (rig_geos[sw->geo].mem_count != 1 ||
	    fk_rig_add_device(&rig, sim, dev) != 0 ||
	    rig_configure(&rig, sw->strategy, (enum rig_geo)sw->geo) != 0) {
		snprintf(res->first_failure, sizeof(res->first_failure),
			 "the rig cannot be set up on this driver");
		fk_rig_destroy(&rig);
		return -1;
	}
	rc = fk_rig_sweep(&rig, &rs, res);
	fk_rig_destroy(&rig);
	return rc;
}

/* One sweep on a freshly opened device; prints its line. 0 when it
 * passed. */
static int sweep_once(const struct port_device *d,
		      const struct port_boot_sweep *sw)
{
	struct fk_rig_result res;
	const struct fk_flash *flash;
	struct fk_sim *sim;
	struct uc *uc = NULL;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (d->open(d->ctx, &uc, &sim, &flash) == 0)
		rc = port_boot_sweep(sim, flash, sw, &res);
	printf("%s %s %s: %llu cases (%llu single, %llu double), %llu "
	       "failures, %.1f s%s%s\n",
	       d->name, port_strategy_name(sw->strategy),
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
	d->close(d->ctx);
	return rc == 0 && res.failures == 0 ? 0 : 1;
}

int port_boot_sweeps(const struct port_device *d, bool full)
{
	static const enum fk_boot_strategy strategies[] = { FK_BOOT_OVERWRITE,
							    FK_BOOT_SWAP,
							    FK_BOOT_XIP };
	int fails = 0;

	for (int s = 0; s < 3; s++) {
		bool overwrite = strategies[s] == FK_BOOT_OVERWRITE;
		struct port_boot_sweep sw = {
			.strategy = strategies[s],
			.geo = d->geo,
			/* OVERWRITE installs only permanently */
			.scenario = overwrite ? FK_SCENARIO_PERMANENT :
						FK_SCENARIO_INSTALL,
			.double_cuts = true,
			.double_samples = full ? 0 : 20,
		};

		fails += sweep_once(d, &sw);
		if (full && !overwrite) {
			sw.scenario = FK_SCENARIO_REVERT;
			fails += sweep_once(d, &sw);
		}
	}
	return fails;
}
