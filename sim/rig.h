/*
 * The power-cut rig of the boot core: the real fk_boot() (or another boot
 * entry: rig->boot, fk_boot_lite), fk_update_*() and fk_boot_confirm()
 * running on simulated memories, with a power cut placed at every flash
 * operation of an update's life (before it, after it, torn), and a second
 * cut at operations of the recovery that follows each first cut: all of
 * them, or a seeded sample within a time budget. `flashkit sim` and the
 * tests in tests/boot/ both drive it; there is one sweep.
 *
 * A rig is one or two simulated memories behind one power domain (a cut
 * on either memory stops both, as on a real board) and a boot
 * configuration whose areas live on them. A scenario starts from a device
 * running the old images, confirmed, with new ones uploaded through the
 * update API and marked pending; its life is a series of boots, each
 * followed by what the application does (confirm, or not), until the
 * device settles. Every boot must jump to a set of valid images that is
 * entirely old or entirely new, and the device must settle on the set the
 * scenario and the cut positions call for (docs/boot.md, "Proof").
 *
 * A case costs its recovery, not a replay of the life up to its cut: the
 * sweep records one forward run (every operation, snapshots of the rig at
 * a stride that keeps them within a fixed memory budget) and starts each
 * cut from the nearest snapshot, replaying the few recorded operations
 * in between straight into the simulators.
 */
#ifndef FLASHKIT_SIM_RIG_H
#define FLASHKIT_SIM_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkit/boot.h"
#include "flashsim.h"

#define FK_RIG_MAX_MEMORIES 2

/* One memory of the rig as the code under test sees it: the simulator
 * behind a wrapper that shares the power domain. */
struct fk_rig_memory {
	struct fk_flash flash; /* what the boot config's areas point to */
	struct fk_sim *sim;
	struct fk_rig *rig;
	/* NULL, or the driver the memory is reached through (whose array
	 * is sim): fk_rig_add_device */
	const struct fk_flash *dev;
	bool cut_pending; /* its operation in progress carries the cut */
};

struct fk_rig {
	struct fk_rig_memory mem[FK_RIG_MAX_MEMORIES];
	uint32_t mem_count;
	/* the power domain */
	uint64_t op; /* program/erase operations that reached a
		      * memory, all memories; none are counted
		      * while the power is off */
	bool cut_armed;
	uint64_t cut_op;
	enum fk_cut_kind cut_kind;
	uint64_t cut_seed;
	bool power_lost;
	/* the boot configuration under test; areas on mem[].flash */
	struct fk_boot_config cfg;
	/* the boot core under test: NULL for fk_boot(), or another entry
	 * with its contract (fk_boot_lite) */
	int (*boot)(const struct fk_boot_config *cfg);
	struct fk_image_keys memo_keys; /* cfg.keys behind a memo (rig.c) */
	uint8_t *buf;
	/* RAM_LOAD: the bytes of each image's RAM (cfg.images[i].ram.mem),
	 * freed by fk_rig_destroy; not in snapshots: every boot copies the
	 * image again, whatever an earlier boot left there */
	uint8_t *ram[FK_BOOT_MAX_IMAGES];
	/* the images: old (installed at the start) and new (uploaded) */
	uint8_t *old_img[FK_BOOT_MAX_IMAGES];
	size_t old_len[FK_BOOT_MAX_IMAGES];
	uint8_t *new_img[FK_BOOT_MAX_IMAGES];
	size_t new_len[FK_BOOT_MAX_IMAGES];
	/* encrypted images: each as a primary slot holds it, its payload
	 * decrypted (the same length); NULL when the image is not
	 * encrypted. Freed by fk_rig_destroy. */
	uint8_t *old_plain[FK_BOOT_MAX_IMAGES];
	uint8_t *new_plain[FK_BOOT_MAX_IMAGES];
	/* filled by the hooks during one boot */
	int jumped;		    /* 0 none, 1 old set, 2 new set, -1 a mix or
				     * an unknown image */
	int recovery_reason;	    /* 0 when recovery was not called */
	struct fk_rig_trace *trace; /* the run being recorded (rig.c) */
};

/* Creates memory i of the rig. Returns 0 or -1. */
int fk_rig_add_memory(struct fk_rig *rig, const struct fk_sim_config *config);
/* Adds memory i reached through a driver, dev, that keeps its array in
 * sim (tests/ports: a flash driver on its register model); the rig owns
 * neither. A cut scheduled at one of its operations lands among the
 * driver's own operations on sim: before the first, torn in one of them
 * (picked by the seed among the program's write units), or once the
 * driver returns; when the driver reaches sim fewer times than that, the
 * power fails as it returns. Replays of recorded operations and costs go
 * straight to sim. Returns 0 or -1. */
int fk_rig_add_device(struct fk_rig *rig, struct fk_sim *sim,
		      const struct fk_flash *dev);
/* Frees everything the rig owns. */
void fk_rig_destroy(struct fk_rig *rig);
/* Index of the memory an area lives on. */
uint32_t fk_rig_memory_of(const struct fk_rig *rig, const struct fk_area *a);

enum fk_rig_scenario {
	FK_SCENARIO_INSTALL,   /* TEST install, the app confirms it */
	FK_SCENARIO_REVERT,    /* TEST install, never confirmed: reverted */
	FK_SCENARIO_PERMANENT, /* PERMANENT install (the only kind OVERWRITE
				  has) */
	FK_SCENARIO_FACTORY,   /* OVERWRITE: the primary image is damaged and
				* the factory image (the old one) is installed */
};

struct fk_rig_cost {
	uint64_t ops;
	uint64_t erases;
	uint64_t bytes_programmed;
	uint64_t est_us;
	uint32_t max_sector_erases; /* the most-worn sector */
	uint32_t max_sector_memory; /* its memory */
	uint32_t max_sector_index;  /* its index in that memory */
};

struct fk_rig_result {
	uint64_t cases; /* lives run, one per cut position */
	uint64_t single_cuts;
	uint64_t double_cuts;  /* double-cut cases run */
	uint64_t double_pairs; /* every (first cut, second cut) pair there
				* is: the space double_cuts was drawn from
				* (0 when double cuts were not asked) */
	uint64_t failures;
	char first_failure[400];   /* what went wrong first, "" when none */
	struct fk_rig_cost update; /* the upload, measured once without cuts */
	struct fk_rig_cost life;   /* the boots until settled, without cuts */
	double seconds;		   /* wall time of the sweep */
	double single_seconds;	   /* of which the life and the single cuts */
	bool budget_spent;	   /* sampling stopped at budget_s */
};

/* What a progress callback sees; called after every case. */
struct fk_rig_progress {
	const struct fk_rig_result *res; /* the counts so far */
	bool doubles;	  /* false: single cuts, true: double cuts */
	uint64_t done;	  /* cases of this phase run */
	uint64_t total;	  /* cases of this phase, 0 when only the
			   * budget bounds it */
	double elapsed_s; /* since the sweep started */
};

struct fk_rig_sweep {
	enum fk_rig_scenario scenario;
	bool no_cuts;	  /* only the life without a cut (its cost) */
	bool double_cuts; /* also cut at operations of each recovery:
			   * every one, unless double_sample */
	/* Draws the double cuts at random, the order fixed by seed (the
	 * same seed gives the same sequence; a longer run extends a shorter
	 * one), until max_samples have run or the sweep has taken budget_s
	 * seconds, whichever comes first (0: no such bound). Single cuts
	 * always all run, even past the budget. */
	bool double_sample;
	uint64_t seed;
	uint64_t max_samples;
	double budget_s;
	void (*progress)(void *ctx, const struct fk_rig_progress *p);
	void *progress_ctx;
};

/*
 * Prepares the start of the scenario (old images installed and confirmed,
 * new ones uploaded through fk_update_* and marked pending), then runs the
 * life once without a cut, then with a cut at every operation of it, and
 * with double cuts when asked. Counts every case in *res; returns 0 when
 * the sweep ran (res->failures says whether it passed), -1 when the
 * scenario could not be set up or memory ran out (message in
 * res->first_failure). The rig's memories are left in an unspecified
 * state.
 */
int fk_rig_sweep(struct fk_rig *rig, const struct fk_rig_sweep *sweep,
		 struct fk_rig_result *res);

/* Image i as a primary slot holds it: old_plain/new_plain when the image
 * is encrypted, else the image itself. */
static inline const uint8_t *fk_rig_old_plain(const struct fk_rig *rig,
					      uint32_t i)
{
	return rig->old_plain[i] ? rig->old_plain[i] : rig->old_img[i];
}
static inline const uint8_t *fk_rig_new_plain(const struct fk_rig *rig,
					      uint32_t i)
{
	return rig->new_plain[i] ? rig->new_plain[i] : rig->new_img[i];
}

/* The pieces of a scenario, for tests that script their own. */

/* Points the configuration's jump and recovery hooks at the rig. */
void fk_rig_hooks(struct fk_rig *rig);
/* Hooks on, old images programmed as production would (not counted),
 * stale bytes in the staging slots, an empty boot state. */
void fk_rig_prepare(struct fk_rig *rig);
/* Fills area a with fill, then data (production programming). */
void fk_rig_program_direct(struct fk_rig *rig, const struct fk_area *a,
			   const uint8_t *data, size_t len, uint8_t fill);
/* Sends new image i through fk_update_begin/write/finish. */
int fk_rig_upload(struct fk_rig *rig, uint32_t image);

enum {
	FK_RIG_BOOTED_OLD = 1,	 /* jumped to the old set */
	FK_RIG_BOOTED_NEW = 2,	 /* jumped to the new set */
	FK_RIG_BOOTED_OTHER = 3, /* jumped to something else (a failure) */
};
/* Powers on if needed and runs the boot core (rig->boot, else fk_boot()):
 * FK_RIG_BOOTED_* or the FK_E* code it returned (recovery_reason tells if
 * recovery ran). */
int fk_rig_boot(struct fk_rig *rig);
/* Cuts power at global operation op (counted over all memories). */
void fk_rig_arm_cut(struct fk_rig *rig, uint64_t op, enum fk_cut_kind kind,
		    uint64_t seed);
void fk_rig_power_on(struct fk_rig *rig);
/* The state of every memory and of the power domain. */
struct fk_rig_snapshot;
struct fk_rig_snapshot *fk_rig_snapshot(const struct fk_rig *rig);
void fk_rig_restore(struct fk_rig *rig, const struct fk_rig_snapshot *snap);
void fk_rig_snapshot_free(const struct fk_rig *rig,
			  struct fk_rig_snapshot *snap);

#endif
