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

/* The small images' payloads whose every double cut ctest sweeps. */
#define PORT_SWEEP_OLD 300u
#define PORT_SWEEP_NEW 450u

struct port_boot_sweep {
	enum fk_boot_strategy strategy;
	int geo; /* enum rig_geo of tests/boot/rigs.h, one memory */
	enum fk_rig_scenario scenario;
	bool double_cuts; /* also cut every operation of every recovery */
	/* The payloads of the old and new images; 0: the geometry's
	 * (rigs.h's old_payload and new_payload). */
	uint32_t old_payload, new_payload;
};

/* Runs one sweep. Returns 0 when it ran (res->failures says whether it
 * passed), -1 when the rig could not be set up (res->first_failure). */
int port_boot_sweep(struct fk_sim *sim, const struct fk_flash *dev,
		    const struct port_boot_sweep *sw,
		    struct fk_rig_result *res);

/* "swap", "overwrite", "xip" and the scenario's name, for messages. */
const char *port_strategy_name(enum fk_boot_strategy s);
const char *port_scenario_name(enum fk_rig_scenario s);

struct uc;

/* A driver on its model, opened afresh for each sweep. */
struct port_device {
	const char *name; /* in messages: "f4 F407" */
	int geo;	  /* the rig's areas: enum rig_geo */
	/* Creates the emulator, the model and the driver (a uc_flash);
	 * fills *uc, *sim (the model's array) and *flash. Returns 0 or -1. */
	int (*open)(void *ctx, struct uc **uc, struct fk_sim **sim,
		    const struct fk_flash **flash);
	void (*close)(void *ctx); /* frees what open made */
	void *ctx;
};

/* The sweeps of a device, of OVERWRITE's permanent install and SWAP's and
 * XIP's install: every single cut of the geometry's images, and every
 * double cut (every pair of a cut and a cut of the recovery that
 * follows) of small images (PORT_SWEEP_OLD and PORT_SWEEP_NEW bytes of
 * payload); with full, every single and double cut of the geometry's
 * images, and of SWAP's and XIP's revert too. One line per sweep on
 * stdout (and the model's first violation). Returns the number of
 * sweeps that failed. */
int port_boot_sweeps(const struct port_device *d, bool full);

#endif
