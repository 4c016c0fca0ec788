/*
 * The flag state (docs/boot-state.md, "The flag state"): the boot state
 * of a one-image product on OVERWRITE or XIP as units at fixed places in
 * the state area, erased once per update cycle by the update API and then
 * each programmed at most once. Shared by the flag bootloader
 * (flags_boot.c, fk_boot_flags()) and the update API of a product built
 * with FK_BOOT_FLAGS (flags_app.c).
 *
 * A unit is U = max(write unit, 16) bytes. From the start of the area:
 *
 *   HEADER          the cycle: its target slot (XIP), written after the
 *                   erase; without a valid one the state is empty
 *   SYNC[8]         bytes of the upload known programmed
 *   STAGED[4]       the staged image: length and digest prefix
 *   PENDING_TEST, PENDING_PERMANENT
 *   REFUSED         the refusal's code
 *   STARTED         OVERWRITE: the checks passed, the copy begins
 *   DONE            OVERWRITE installed; XIP: the target is the active
 *                   slot (confirmed, or installed permanently)
 *   REVERTED        XIP: the trial is over, the old slot is active
 *   SWITCH[4]       XIP: each set one flips the active slot (the
 *                   bootloader's fallback when the active image is bad)
 *   ATTEMPT[n]      XIP: trial boots started (n = trial_boots)
 *
 * Reading: a unit is set when any of its bytes is not erased or the read
 * fails with an ECC error (a torn program). A unit that holds a value
 * (HEADER, SYNC, STAGED, REFUSED) has it only when its check matches.
 *
 * Power-loss invariant: every change programs one unit (STAGED: one
 * record) into erased space after what it describes is done, so a cut
 * leaves it set or clear, and either answer is safe: a torn flag reads
 * set (an attempt counted, a refusal or a confirmation kept), a torn
 * value reads as none (SYNC: an earlier sync point; STAGED: not staged;
 * HEADER: an empty state). The state is erased only by
 * fk_boot_upload_begin() with nothing installing or on trial, XIP after
 * invalidating the slot it is about to fill, so an empty state's choice
 * (the newest valid image) never picks that slot.
 */
#ifndef FLASHKIT_SRC_BOOT_FLAGS_H
#define FLASHKIT_SRC_BOOT_FLAGS_H

#include "flashkit/image_lite.h"

#include "lite.h"

enum {
	BF_SYNCS = 8,
	BF_STAGES = 4,
	BF_SWITCHES = 4,
};

/* The state as read (bf_read()). */
struct bf_state {
	uint32_t unit;	  /* U */
	uint32_t units;	  /* in the state area's flag region */
	bool header;	  /* a valid HEADER: a cycle is open */
	uint8_t target;	  /* XIP: the slot the cycle's upload fills; with
			   * no header, nothing but header is read */
	uint8_t syncs;	  /* SYNC units used */
	uint8_t stages;	  /* STAGED records used */
	bool staged;	  /* the last used STAGED record is valid */
	uint8_t set;	  /* bit f: flag f (BF_PENDING_TEST..BF_REVERTED) */
	uint8_t switches; /* SWITCH units set */
	uint8_t attempts; /* ATTEMPT units set */
	uint32_t sync;	  /* the highest valid SYNC value */
	int32_t reason;	  /* REFUSED: the FK_E* code, FK_ECORRUPT torn */
	uint32_t len;	  /* STAGED: the image's bytes */
	uint8_t digest[BS_DIGEST_PREFIX];
};

/* Unit indexes. */
enum {
	BF_HEADER = 0,
	BF_SYNC = 1,
	BF_STAGED = BF_SYNC + BF_SYNCS,
};

/* Reads the state: 0, FK_EINVAL for a configuration the flag state does
 * not take (not one image, a strategy other than OVERWRITE or XIP or
 * left out of the build, a write unit over 32 bytes, more ATTEMPT units
 * than the state area's first 2 KiB hold), or a flash error. */
int bf_read(const struct fk_boot_config *cfg, struct bf_state *st);
/* bf_read()'s checks and an empty state's geometry, without reading. */
int bf_geometry(const struct fk_boot_config *cfg, struct bf_state *st);

/* Programs unit u with value and its check (a flag: any value). Only st's
 * geometry is read; the caller updates st. */
int bf_put(const struct fk_boot_config *cfg, struct bf_state *st, uint32_t u,
	   uint32_t value);
/* Programs the next STAGED record (st->stages < BF_STAGES). */
int bf_put_staged(const struct fk_boot_config *cfg, struct bf_state *st,
		  uint32_t len, const uint8_t *digest);
/* The unit of flag f. */
#define BF_AT(f) (BF_STAGED + BF_STAGES + (f))
enum {
	BF_PENDING_TEST,
	BF_PENDING_PERMANENT,
	BF_REFUSED,
	BF_STARTED,
	BF_DONE,
	BF_REVERTED,
	BF_SWITCH,
	BF_ATTEMPT = BF_SWITCH + BF_SWITCHES,
};
typedef char bf_flags_fit_set[BF_SWITCH <= 8 ? 1 : -1];

/* Flag f (BF_PENDING_TEST to BF_REVERTED) is set in st. */
#define BF_HAS(st, f) (((st)->set >> (f)) & 1u)

/* The phase the state is in (enum fk_boot_phase). */
enum fk_boot_phase bf_phase(const struct fk_boot_config *cfg,
			    const struct bf_state *st);

/* XIP: the active slot (0 = A, 1 = B): with a cycle open, the target
 * once DONE, the other before, each set SWITCH flipping it; in an empty
 * state the newer valid image (A when equal or neither is valid).
 * Reads images only in an empty state: bf_pick() into *info, its answer
 * with BL_FRESH set as bl_newest()'s. */
int bf_pick(const struct fk_boot_config *cfg, const struct bf_state *st,
	    struct fk_image_lite *info);
int bf_active(const struct fk_boot_config *cfg, const struct bf_state *st);

/* The slot the cycle's upload fills: XIP's target, OVERWRITE's staging
 * slot. */
const struct fk_area *bf_staging(const struct fk_boot_config *cfg,
				 const struct bf_state *st);

/* The largest image an install takes: the smaller slot. */
uint32_t bf_max_size(const struct fk_boot_config *cfg);

/* The checks of the staged image before its install: valid, fits, the
 * STAGED digest, not older than the running one (security counter), no
 * DEPENDENCY TLVs. 0 or the refusal's FK_E*, or a flash error. */
int bf_check_pending(const struct fk_boot_config *cfg,
		     const struct bf_state *st);

/* bl_valid() (lite.h), one copy for the flag core's files. */
int bf_valid(const struct fk_boot_config *cfg, const struct fk_area *slot,
	     struct fk_image_lite *info);

#endif
