/*
 * Long update histories on one device, on top of the power-cut rig
 * (rig.h): the same boot-state log lives through every update, never
 * reset between them, as it does in the field.
 *
 * A history is a seeded, deterministic plan of updates. Each step is one
 * kind of update (confirmed, reverted and permanent installs, refusals,
 * uploads interrupted and resumed, uploads abandoned and restarted) of a
 * new image whose size shrinks, stays or grows against the previous
 * one, whose payload holds runs of erased-value bytes of many lengths
 * (aligned and not to write units and sectors), that is sometimes padded
 * to the slot with the erased value (as `imgtool --pad` does) and
 * sometimes is a real linked firmware the caller provides.
 *
 * The application is modelled as a real one behaves: it uploads through
 * fk_update_*, marks the images with fk_boot_set_pending and resets; after
 * any reset it asks fk_update_resume where to continue (once its own
 * fk_update_begin has returned: an upload an earlier refused update left
 * open is not its to resume), restarts with fk_update_begin when no
 * upload is open and it had not marked the images yet, and confirms a
 * TEST image it runs; it remembers across resets what it began and
 * marked, as an update agent keeps that in its settings. After every
 * step the
 * device must have booted only complete valid image sets, never called
 * the recovery hook, settled on the set the step (and the cut position)
 * calls for, boot it again without writing, and say FK_ENOENT to
 * fk_update_resume when the step's upload was consumed by an install or
 * a refusal at boot.
 *
 * The engine signs nothing itself (signing is the host library's): the
 * caller passes a signing function. It prints nothing and never exits;
 * failures land in struct fk_history_result with the step, its kind, the
 * cut and what was expected and seen. Host only: it allocates memory.
 */
#ifndef FLASHKIT_SIM_RIG_HISTORY_H
#define FLASHKIT_SIM_RIG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rig.h"

enum fk_history_kind {
	FK_HISTORY_INSTALL,   /* TEST install, confirmed by the app */
	FK_HISTORY_REVERT,    /* TEST install never confirmed: reverted */
	FK_HISTORY_PERMANENT, /* PERMANENT install */
	FK_HISTORY_BAD_SIG,   /* signature does not verify: finish refuses */
	FK_HISTORY_DOWNGRADE, /* lower security counter: set_pending refuses */
	FK_HISTORY_CORRUPT,   /* staged image damaged after marking: the
			       * bootloader refuses it (REFUSED) */
	FK_HISTORY_RESUMED,   /* upload interrupted by a reset, resumed with
			       * fk_update_resume, installed */
	FK_HISTORY_RESTARTED, /* upload of another image abandoned part way,
			       * restarted with fk_update_begin, installed */
	FK_HISTORY_KIND_COUNT
};

/* Where a planned power cut of the history walk falls. */
enum fk_history_cut {
	FK_HISTORY_CUT_NONE,
	FK_HISTORY_CUT_UPLOAD,	/* fk_update_begin/write/finish, set_pending */
	FK_HISTORY_CUT_INSTALL, /* the boots that install */
	FK_HISTORY_CUT_REVERT,	/* the boot that reverts (REVERT steps) */
	FK_HISTORY_CUT_RESUME,	/* the upload after the resume (RESUMED) */
	FK_HISTORY_CUT_COUNT
};

/* What the signing function gets: make an image of this payload. */
struct fk_history_sign_req {
	const uint8_t *payload;
	size_t payload_len;
	uint32_t image;	    /* image index (0, 1) */
	uint32_t sequence;  /* grows along the history: use it as version */
	uint32_t sec_cnt;   /* security counter to put in the image */
	uint32_t align;	    /* write unit of the slots */
	uint8_t erased;	    /* erased value of the slots' flash */
	uint32_t hdr_size;  /* header bytes before the payload (0x100) */
	uint32_t load_addr; /* RAM_LOAD: the image's RAM address, else 0 */
};

/* Returns 0 and a malloc'd image (header, payload, TLVs; no padding), or
 * -1. */
typedef int (*fk_history_sign_fn)(void *ctx,
				  const struct fk_history_sign_req *req,
				  uint8_t **out, size_t *len);

/* A payload the caller provides (a linked firmware's .bin). */
struct fk_history_payload {
	const uint8_t *data;
	size_t len;
	const char *name; /* for messages */
};

struct fk_history_config {
	uint64_t seed;	/* everything follows from it */
	uint32_t steps; /* updates in the history, >= 1 */
	fk_history_sign_fn sign;
	void *sign_ctx;
	/* Real firmware payloads, used for some steps when they fit. */
	const struct fk_history_payload *firmware;
	uint32_t firmware_count;
	/* The walk (fk_history_run) cuts power once in every n-th step, in
	 * a phase the step has; 0: never. */
	uint32_t cut_every;
};

/* One planned step (the images it sends are the engine's). */
struct fk_history_step {
	enum fk_history_kind kind;
	enum fk_history_cut cut; /* the walk's planned cut */
	uint32_t payload_len[FK_BOOT_MAX_IMAGES];
	size_t image_len[FK_BOOT_MAX_IMAGES]; /* signed image */
	size_t send_len[FK_BOOT_MAX_IMAGES];  /* with the slot padding */
	uint32_t erased_runs; /* erased-value runs in its payloads */
	uint32_t longest_run; /* the longest, bytes */
	bool padded;	      /* sent padded to the slot */
	int firmware;	      /* index of the firmware used, -1 none */
};

struct fk_history_result {
	uint64_t steps; /* steps run, follow-ups included */
	uint64_t cases; /* lives run: steps, and cut cases */
	uint64_t cuts;	/* cases with a power cut */
	uint64_t failures;
	uint64_t kinds[FK_HISTORY_KIND_COUNT];	   /* steps run of each kind */
	uint64_t cut_phases[FK_HISTORY_CUT_COUNT]; /* walk cuts per phase */
	uint64_t ops;			 /* flash operations, all cases */
	uint32_t shorter, equal, longer; /* image sizes against previous */
	uint32_t padded, firmware;	 /* planned steps that were so */
	uint32_t erased_runs, longest_run;
	char first_failure[1000]; /* "" when none */
};

struct fk_history;

/*
 * Plans a history for the rig (strategy, areas and geometry from
 * rig->cfg; the rig's own images are set aside and given back by
 * fk_history_free), signs all its images and programs the first one as
 * production would (fk_rig_prepare). Returns NULL with the reason in
 * res->first_failure.
 */
struct fk_history *fk_history_create(struct fk_rig *rig,
				     const struct fk_history_config *cfg,
				     struct fk_history_result *res);
void fk_history_free(struct fk_history *h);

uint32_t fk_history_steps(const struct fk_history *h);
const struct fk_history_step *fk_history_step(const struct fk_history *h,
					      uint32_t i);
const char *fk_history_kind_name(enum fk_history_kind kind);
const char *fk_history_cut_name(enum fk_history_cut cut);

/*
 * The walk: every step in order from the production state, with the
 * planned cuts. Counts into *res (not cleared); returns the number of
 * failures it added. It stops at the first failure (the device is no
 * longer in a known state).
 */
uint64_t fk_history_run(struct fk_history *h, struct fk_history_result *res);

struct fk_history_sweep {
	uint32_t first;	 /* first step swept */
	uint32_t count;	 /* steps swept from there; 0: to the end */
	uint32_t follow; /* cut-free steps run after each recovery */
	/* Sweep only the first step of each kind in that range (every kind
	 * cut everywhere, for a fraction of the time). */
	bool once_per_kind;
	/* Called after each swept step with the totals so far; return
	 * false to stop. May be NULL. */
	bool (*progress)(void *ctx, uint32_t step,
			 const struct fk_history_result *res);
	void *progress_ctx;
};

/*
 * The sweep: walks the history cut-free; at each swept step, from a
 * snapshot of the device at the start of the step, runs the step with a
 * cut before, after and in the middle of every flash operation it does,
 * lets the device and the application recover, checks the outcome, then
 * runs the next `follow` steps cut-free to show the device still
 * updates. Counts into *res; returns the failures it added.
 */
uint64_t fk_history_sweep(struct fk_history *h,
			  const struct fk_history_sweep *sw,
			  struct fk_history_result *res);

#endif
