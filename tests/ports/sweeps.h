/*
 * The boot core's power-cut sweep (sim/rig.h) run through a flash driver
 * on its register model: the rig's memory is the driver (a uc_flash,
 * tests/ports/uc/uc.h) whose array is the model's fk_sim, added with
 * fk_rig_add_device, and the areas, keys and images are those of one of
 * tests/boot/rigs.h's geometries (its first memory's areas must lie on
 * sector boundaries of the driver's map). Every cut lands among the
 * driver's own register-level operations.
 */
#ifndef FLASHKIT_TESTS_PORTS_SWEEPS_H
#define FLASHKIT_TESTS_PORTS_SWEEPS_H

#include "flashkit/boot.h"
#include "rig.h"

struct port_boot_sweep {
	enum fk_boot_strategy strategy;
	int geo; /* enum rig_geo of tests/boot/rigs.h, one memory */
	enum fk_rig_scenario scenario;
	bool double_cuts;	 /* also cut the recoveries */
	uint64_t double_samples; /* 0: every double cut; else a sample */
};

/* Runs one sweep. Returns 0 when it ran (res->failures says whether it
 * passed), -1 when the rig could not be set up (res->first_failure). */
int port_boot_sweep(struct fk_sim *sim, const struct fk_flash *dev,
		    const struct port_boot_sweep *sw,
		    struct fk_rig_result *res);

/* "swap", "overwrite", "xip" and the scenario's name, for messages. */
const char *port_strategy_name(enum fk_boot_strategy s);
const char *port_scenario_name(enum fk_rig_scenario s);

#endif
