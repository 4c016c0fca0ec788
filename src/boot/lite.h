/*
 * The lite boot core's view of the boot state (lite_state.c), shared with
 * its bootloader (lite.c) and the tests that compare it with state.c.
 *
 * The lite core boots one image and installs only what the update API
 * staged (no marker, no factory slot, no modules, no decryption). It keeps
 * the same log as the full core (docs/boot-state.md) and replays it with
 * the same rules, restricted to image 0: the application side
 * (fk_update_*, fk_boot_confirm) is the same code whichever core boots.
 */
#ifndef FLASHKIT_SRC_BOOT_LITE_H
#define FLASHKIT_SRC_BOOT_LITE_H

#include "flashkit/image_lite.h"

#include "boot_internal.h"

/* The strategy, a constant in a build that leaves the others out
 * (FK_BOOT_NO_<STRATEGY>): every entry of the lite core and of its update
 * API reads the log first (bl_read(), bl_geometry()), which refuses a
 * configuration whose strategy the build left out, so the constant is
 * cfg's wherever these are read. */
#if defined(FK_BOOT_NO_OVERWRITE) && defined(FK_BOOT_NO_SWAP)
#define IS_XIP(cfg) true
#elif !defined(FK_BOOT_NO_XIP)
#define IS_XIP(cfg) ((cfg)->strategy == FK_BOOT_XIP)
#else
#define IS_XIP(cfg) false
#endif
#if defined(FK_BOOT_NO_OVERWRITE) && defined(FK_BOOT_NO_XIP)
#define IS_SWAP(cfg) true
#elif !defined(FK_BOOT_NO_SWAP)
#define IS_SWAP(cfg) ((cfg)->strategy == FK_BOOT_SWAP)
#else
#define IS_SWAP(cfg) false
#endif
#ifndef FK_BOOT_NO_OVERWRITE
#define IS_OVERWRITE(cfg) (!IS_XIP(cfg) && !IS_SWAP(cfg))
#else
#define IS_OVERWRITE(cfg) false
#endif

/* The log as found on flash and image 0's state replayed from it: the
 * fields of struct bs_state that a one-image boot reads. */
struct bl_state {
	/* The log's geometry (bl_read()): its sectors are all ssize bytes,
	 * each holding per slots of rec bytes. */
	uint32_t rec;	/* bytes per record slot */
	uint32_t slots; /* record slots in the log */
	uint32_t per;	/* record slots per sector */
	uint32_t ssize; /* bytes per sector */
	uint32_t next;	/* first free slot: the state from here on */
	bool header;	/* slot 0 holds a valid header */
	uint8_t phase;	/* enum fk_boot_phase */
	uint8_t mode;	/* FK_BOOT_TEST or FK_BOOT_PERMANENT */
	uint8_t mask;	/* images of the pending set (bit 0) */
	uint8_t attempts;
	int8_t active;	/* XIP: confirmed slot 0/1, -1 unknown */
	uint8_t target; /* XIP: the slot the upload went to */
	bool upload;	/* an upload of image 0 is open */
	bool staged;	/* and was received and checked */
	bool started;	/* its install has started (START) */
	uint8_t flags;	/* START flags */
	uint16_t groups, saved, placed, rsteps;
	uint32_t length;  /* START: the new image's bytes */
	uint32_t sync;	  /* SYNC: bytes of the open upload programmed */
	uint32_t refused; /* -FK_E* of the last REFUSED, 0 for none */
	uint8_t digest[BS_DIGEST_PREFIX];
};

/* Replays the log: 0, FK_EINVAL for a configuration the lite core does
 * not take (not one image, or a strategy the build left out: RAM_LOAD
 * always), a log of fewer than 2 slots, slots
 * larger than FK_BOOT_RECORD_MAX or sectors of different sizes (the full
 * core reads such a log; cmake/boot_program.cmake refuses a lite
 * bootloader's layout with one), or a flash read error (an ECC error in a
 * slot is a torn record, skipped). Reads only. */
int bl_read(const struct fk_boot_config *cfg, struct bl_state *st);

/*
 * Appends one record (image 0 for per-image types; START carries
 * st->flags, STAGED st->digest) and replays it into st. Called only with a
 * header in the log (every phase but IDLE has one). RSTEP is a progress record:
 * it is dropped, returning 0, when no more than the reserve is left. Any other
 * record that finds the log full rewrites it first as the summary of st
 * (compaction, as state.c does: docs/boot-state.md, "Capacity"). On power
 * loss the record is written or not; a torn one is skipped by the next
 * bl_read().
 */
int bl_append(const struct fk_boot_config *cfg, struct bl_state *st,
	      uint8_t type, uint16_t arg, uint32_t value);

/* An empty log's state with the log's geometry (bl_read() without the
 * reading): 0 or bl_read()'s FK_EINVAL. */
int bl_geometry(const struct fk_boot_config *cfg, struct bl_state *st);

/* bs_max_groups(), bs_cycle_slots() and bs_install_slots() (slots an
 * install needs, cuts included) for the one image, from st's geometry. */
uint32_t bl_max_groups(const struct fk_boot_config *cfg,
		       const struct bl_state *st);
uint32_t bl_cycle_slots(const struct fk_boot_config *cfg,
			const struct bl_state *st);
uint32_t bl_install_slots(const struct fk_boot_config *cfg,
			  const struct bl_state *st);

/* Rewrites the log as the summary of st when fewer than need slots are
 * free, and starts one (erase, header) when it has no header. Only where
 * every boot slot holds a complete image (PENDING, IDLE). */
int bl_make_room(const struct fk_boot_config *cfg, struct bl_state *st,
		 uint32_t need);

/* Erases the log and writes its header: st is then an empty log's. A cut
 * leaves an empty log or one without a header, which reads empty. */
int bl_reset(const struct fk_boot_config *cfg, struct bl_state *st);

/* lite.c's decisions, which the update API (lite_app.c) shares. */

/* XIP: the slot (0 = A, 1 = B) to boot in state st. Only reads. */
int bl_xip_active(const struct fk_boot_config *cfg, const struct bl_state *st);

/* Where image 0 is staged in state st (XIP: st->target's slot), and the
 * largest image an install takes (plan->max_size, plan->offset). */
int bl_staging(const struct fk_boot_config *cfg, const struct bl_state *st,
	       struct fk_area *win, struct bp_plan *plan);

/* The checks of the pending image (st->mask bit 0) before its install:
 * the staged image is recorded STAGED, valid, fits, has the recorded
 * digest, is not older than the running one (security counter) and has
 * no DEPENDENCY TLVs; *len is its length. 0 or the refusal's FK_E*, or a
 * flash error. Only reads. */
int bl_check_pending(const struct fk_boot_config *cfg,
		     const struct bl_state *st, uint32_t *len);

/* What the lite and the flag cores and their update APIs share: */

/* bl_valid(): fk_image_check_lite() on slot after a kick of the
 * watchdog; a torn unit is damage (FK_ECORRUPT).
 * bl_slot(): slot k of image 0, 0 the primary (XIP's A), 1 the
 * secondary (B).
 * bl_newest(): XIP with nothing recorded, the newer of the two valid
 * images, A when equal or when neither is. The slots are checked B
 * first, then A, into *info; the answer has BL_FRESH set when it is A
 * and *info is A's check, just made, which a boot then takes instead of
 * checking A again (a new device that never took an update reads its
 * image once).
 * bl_check_staged(): the update API's check of an image received into
 * dest: valid, fits (fk_boot_max_image_size()), no longer than the
 * programmed bytes (FK_EBADIMG).
 * bl_start(): the jump, with the reference the port's hook takes: the
 * slot and the header (the only part of info a lite boot fills; the
 * hooks read hdr_size).
 * bl_finish(): a boot's end: rc to the recovery hook (and returned), or,
 * with 0, the jump into slot's image. */
#define BL_FRESH 2
#include "lite_common.h"

#endif
