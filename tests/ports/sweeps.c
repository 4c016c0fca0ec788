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
	};
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&rig, 0, sizeof(rig));
	if (rig_geos[sw->geo].mem_count != 1 ||
	    fk_rig_add_device(&rig, sim, dev) != 0 ||
	    rig_configure(&rig, sw->strategy, (enum rig_geo)sw->geo) != 0 ||
	    (sw->new_payload &&
	     rig_resize_images(&rig, (enum rig_geo)sw->geo, sw->old_payload,
			       sw->new_payload) != 0)) {
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
	printf("%s %s %s, payloads of %u and %u bytes: %llu cases (every "
	       "one of %llu single cuts; ",
	       d->name, port_strategy_name(sw->strategy),
	       port_scenario_name(sw->scenario),
	       sw->new_payload ? sw->old_payload : rig_geos[sw->geo].old_payload,
	       sw->new_payload ? sw->new_payload : rig_geos[sw->geo].new_payload,
	       (unsigned long long)res.cases,
	       (unsigned long long)res.single_cuts);
	if (sw->double_cuts)
		printf("%llu double cuts, every one of %llu pairs",
		       (unsigned long long)res.double_cuts,
		       (unsigned long long)res.double_pairs);
	else
		printf("no double cuts");
	printf("), %llu failures, %.1f s%s%s\n",
	       (unsigned long long)res.failures, res.seconds,
	       res.first_failure[0] ? ": " : "", res.first_failure);
	if (sw->double_cuts && res.double_cuts != res.double_pairs &&
	    rc == 0) {
		printf("  %llu double cuts of %llu pairs: not every one\n",
		       (unsigned long long)res.double_cuts,
		       (unsigned long long)res.double_pairs);
		rc = -1;
	}
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
			.double_cuts = full,
		};

		fails += sweep_once(d, &sw);
		if (!full) {
			sw.double_cuts = true;
			sw.old_payload = PORT_SWEEP_OLD;
			sw.new_payload = PORT_SWEEP_NEW;
			fails += sweep_once(d, &sw);
		} else if (!overwrite) {
			sw.scenario = FK_SCENARIO_REVERT;
			fails += sweep_once(d, &sw);
		}
	}
	return fails;
}
