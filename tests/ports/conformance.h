/*
 * The conformance suite every struct fk_flash passes: the simulator, and
 * each driver on its register model (through struct uc_flash).
 *
 * It checks, through the checked fk_flash_* wrappers (what flashkit
 * code uses): the geometry is valid; the memory reads as the erased value
 * after an erase of each sector; program then read gives the data back,
 * at every write-unit size and at the first and last unit of a sector;
 * erase touches exactly its sector; bits only move from the erased value
 * (a program that would move one back is refused or leaves the cell as
 * the AND/OR of old and new: never the new value alone); a program-once
 * unit refuses a second program (FK_EPROGONCE) when geo.program_once;
 * ranges past the end give FK_ERANGE, misaligned ones FK_EALIGN, an erase
 * not on sector boundaries FK_EALIGN; a power cut before, after and torn
 * during a program and an erase leaves what flash.h's contract says
 * (before: nothing changed; after: done; torn: only that range or that
 * sector changed, and a re-erase then program works after the reboot).
 *
 * The suite writes everywhere: run it on a memory whose contents do not
 * matter. Each check runs at most `sectors` sectors (spread over the
 * sector map: first, last, each size) to keep a run short.
 */
#ifndef FLASHKIT_TESTS_PORTS_CONFORMANCE_H
#define FLASHKIT_TESTS_PORTS_CONFORMANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/flash.h"
#include "flashsim.h"

struct conf_target {
	const char *name;	      /* in messages */
	const struct fk_flash *flash; /* under test */
	/* The array behind it, when there is one: the cut checks schedule
	 * their cuts on it (fk_sim_schedule_cut, fk_sim_reboot); NULL
	 * skips them. */
	struct fk_sim *sim;
	/* Called after every operation: a message when something below the
	 * fk_flash saw a rule broken (a model's uc_first_violation), NULL
	 * when all is well. May be NULL. */
	const char *(*violation)(void *ctx);
	void *ctx;
	uint32_t max_sectors; /* sectors exercised per check; 0: 6 */
};

struct conf_result {
	uint32_t checks;   /* checks run */
	uint32_t failures; /* checks failed */
	char first[512];   /* the first failure, "" when none */
};

/* Runs every check. Returns 0 when all passed, -1 otherwise (details in
 * *res, which also counts the checks). */
int conf_run(const struct conf_target *t, struct conf_result *res);

#endif
