/*
 * Boot sweeps through a driver (sweeps.h): a rig with the driver as its
 * one memory, configured by tests/boot/rigs.h, swept by fk_rig_sweep.
 */
#include "sweeps.h"
#include "rigs.h"

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
