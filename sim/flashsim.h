/*
 * A NOR flash simulator that implements struct fk_flash on the host.
 *
 * It enforces what real parts only suffer: erase is per whole sector;
 * program only moves bits from the erased to the programmed state; on
 * program-once (ECC) flash each write unit takes one program per erase
 * and a unit whose program was torn by a power cut reads as an ECC error;
 * write-protected ranges refuse program and erase.
 *
 * Power cuts are scheduled at a flash operation by its index (counted
 * since the simulator was created, reads excluded unless asked): before
 * the operation, after it, or torn in the middle. After a cut every
 * operation fails with FK_EPOWER until fk_sim_reboot(); the contents
 * persist across the reboot, like a real device.
 *
 * It also accounts operations, bytes, erases per sector (wear) and an
 * estimated time from datasheet figures, and can snapshot and restore
 * its whole state so a test replays a scenario with the cut moved to
 * each operation in turn.
 *
 * Host only: it allocates memory. Not thread-safe.
 */
#ifndef FLASHKIT_SIM_FLASHSIM_H
#define FLASHKIT_SIM_FLASHSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/flash.h"

/* Erase time of one sector size, as a datasheet gives it (STM32F4:
 * 16 KiB 400 ms, 64 KiB 1200 ms, 128 KiB 2000 ms typical). */
struct fk_sim_erase_time {
	uint32_t sector_size; /* bytes */
	uint32_t us;	      /* time to erase one sector of that size */
};

/* Datasheet timings used for the duration estimate. A sector whose size
 * is in erase_table takes that time; any other takes the linear model
 * erase_us_fixed + erase_us_per_kib * size / 1024. */
struct fk_sim_timing {
	uint32_t erase_us_per_kib;    /* sector erase time per KiB of sector */
	uint32_t erase_us_fixed;      /* plus this much per sector erase */
	uint32_t program_us_per_unit; /* time to program one write unit */
	uint32_t read_ns_per_byte;    /* read time per byte */
	const struct fk_sim_erase_time *erase_table; /* optional, copied */
	uint32_t erase_table_count; /* entries in erase_table */
};

struct fk_sim_config {
	struct fk_flash_geometry geo; /* copied, runs included */
	struct fk_sim_timing timing;  /* all zero: no duration estimate */
	/* When true, reads count as operations for cut scheduling too.
	 * Cuts never happen inside a read; this only shifts the indices. */
	bool count_reads;
};

enum fk_cut_kind {
	FK_CUT_BEFORE, /* power fails just before operation N: nothing done */
	FK_CUT_AFTER,  /* operation N completes, then power fails */
	FK_CUT_TORN,   /* operation N is interrupted part way */
};

/* How a torn operation is torn; chosen by the seed when FK_TEAR_SEEDED. */
enum fk_tear_mode {
	FK_TEAR_SEEDED,	   /* pick one of the modes below from the seed */
	FK_TEAR_PREFIX,	   /* program: a prefix of the units lands;
			      erase: a prefix of the sector is erased */
	FK_TEAR_SOME_BITS, /* program: random subset of the bits to clear;
			      erase: random bits of the sector set */
	FK_TEAR_GARBAGE,   /* erase only: the sector holds random data */
};

/* A refused operation (protection, program-once, bit set back) changes
 * nothing and is not counted as a program or erase, but it takes its
 * operation index. A torn operation counts as started: one program or
 * erase, its full estimated time, and (erase) one more wear on its sector;
 * bytes_programmed counts only programs that completed. */
struct fk_sim_stats {
	uint64_t ops; /* program + erase (+ reads if counted) */
	uint64_t reads;
	uint64_t programs;
	uint64_t erases;
	uint64_t bytes_read;
	uint64_t bytes_programmed;
	uint64_t est_us;	    /* estimated duration from the timings */
	uint32_t max_sector_erases; /* the most-worn sector's erase count */
	uint32_t max_sector_index;  /* its index */
};

struct fk_sim;

/* Creates a simulator with every byte erased. Returns NULL when the
 * geometry is invalid (fk_flash_check_geometry) or memory runs out. */
struct fk_sim *fk_sim_create(const struct fk_sim_config *config);
void fk_sim_destroy(struct fk_sim *sim);

/* The fk_flash the code under test uses. Valid until fk_sim_destroy. */
struct fk_flash *fk_sim_flash(struct fk_sim *sim);

/* Direct access to the simulated bytes, for tests and for loading an
 * image from a file. Not accounted, not subject to cuts. */
uint8_t *fk_sim_data(struct fk_sim *sim);

/* Marks [off, off+len) as write-protected: program or erase touching it
 * fails with FK_EPROTECT and is counted in fk_sim_violations(). */
int fk_sim_protect(struct fk_sim *sim, uint32_t off, uint32_t len);
uint32_t fk_sim_violations(const struct fk_sim *sim);

/* Schedules one power cut at operation index op (0-based, counted as in
 * fk_sim_stats.ops; a multi-sector fk_flash_erase is one operation per
 * sector). seed drives the torn content and, with FK_TEAR_SEEDED, the
 * tear mode; the same seed tears the same way. Replaces any earlier
 * schedule; a cut at an index already passed never happens. */
void fk_sim_schedule_cut(struct fk_sim *sim, uint64_t op, enum fk_cut_kind kind,
			 enum fk_tear_mode tear, uint64_t seed);
void fk_sim_cancel_cut(struct fk_sim *sim);

/* True once a scheduled cut has happened and until fk_sim_reboot(). */
bool fk_sim_power_lost(const struct fk_sim *sim);

/* Power back on: operations work again, contents unchanged. */
void fk_sim_reboot(struct fk_sim *sim);

/* Operation index the next operation will get. */
uint64_t fk_sim_op_index(const struct fk_sim *sim);

void fk_sim_get_stats(const struct fk_sim *sim, struct fk_sim_stats *out);
/* Erase count of sector index i (wear). 0 past the end. */
uint32_t fk_sim_sector_erases(const struct fk_sim *sim, uint32_t index);
/* Clears the counters and wear, keeps contents and the op index. */
void fk_sim_reset_stats(struct fk_sim *sim);

/* A snapshot holds contents, program-once and torn-unit state, wear,
 * counters, the op index, power state and the scheduled cut. Protected
 * ranges are configuration and stay as they are on restore. */
struct fk_sim_snapshot;
struct fk_sim_snapshot *fk_sim_snapshot_take(const struct fk_sim *sim);
void fk_sim_snapshot_restore(struct fk_sim *sim,
			     const struct fk_sim_snapshot *snap);
void fk_sim_snapshot_free(struct fk_sim_snapshot *snap);

#endif
