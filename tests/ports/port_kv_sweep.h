/*
 * The settings-store power-cut sweep run through an emulated driver: the
 * store (src/kv, host build) on a partition of a struct uc_flash, so
 * every record it writes goes through the driver's object code and the
 * register model to the model's fk_sim.
 *
 * The workload is the store tests' own (tests/kv/kv_harness.h): sets,
 * deletes and multi-key commits. Before each user operation the sim is
 * snapshotted; then for every flash operation of the model's sim that
 * the user operation causes (a double word on the L4, a flash word on
 * the H7, ...), power is cut before it, after it and torn in it; the MCU
 * reboots (the driver is opened again), the store is mounted and must
 * hold exactly the state before the operation or after it; a probe value
 * is written and the operation retried, and the store must hold both.
 * Single cuts only (the double cuts of tests/kv run on the simulator).
 *
 * Any family's port test calls it on its driver.
 */
#ifndef FLASHKIT_TESTS_PORT_KV_SWEEP_H
#define FLASHKIT_TESTS_PORT_KV_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "kv_harness.h"
#include "uc.h"

struct port_kv_sweep {
	const char *name;	      /* in messages */
	struct uc_flash *uf;	      /* the driver, with its model's sim */
	uint32_t off, size;	      /* the store's partition on uf */
	const struct kvh_geometry *g; /* workload and store config; its
				       * sector fields are not used */
	uint32_t ops;		      /* user operations to run */
	/* The first warmup of them run without cuts (filling a large
	 * sector quickly, so the cut ones reach its rotation). */
	uint32_t warmup;
	uint64_t seed; /* of the workload */
};

struct port_kv_counts {
	uint64_t user_ops;  /* user operations run */
	uint64_t flash_ops; /* model flash operations they caused */
	uint64_t cases;	    /* cuts, each followed by a recovery */
	uint64_t saw_old;   /* recoveries that found the old state */
	uint64_t saw_new;   /* ... the new state */
	uint64_t erases;    /* sector erases of the uncut run */
};

/* Runs the sweep. Returns 0 when every case passed, -1 with the first
 * failure in msg otherwise. */
int port_kv_sweep(const struct port_kv_sweep *s, struct port_kv_counts *n,
		  char *msg, size_t msg_len);

#endif
