/*
 * Applying a patch under power cuts, on the power-cut rig (sim/rig.h):
 * the sweep that `flashkit sim --patch` and tests/delta/test_delta_update
 * both run. The patch from the rig's old image to its new one (made here
 * by the host encoder, delta.h) is applied through the update API
 * (flashkit/delta_update.h) while it arrives in pieces, then marked
 * pending; a cut is placed before, after and in the middle of every flash
 * operation of that. After each cut the device must boot its old image
 * (or the new one when the pending mark had landed), and the application
 * must resume from the block fk_delta_update_resume() names, resent from
 * that block's stream offset, and end with the new image installed.
 * Nothing here prints or exits: the counts and the first failure are in
 * the result.
 */
#ifndef FLASHKIT_HOST_DELTA_RIG_H
#define FLASHKIT_HOST_DELTA_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/boot.h"
#include "image/sign.h"
#include "rig.h"

struct fk_delta_sweep {
	uint32_t image;		/* the image index patched (the other, if
				 * any, is not updated) */
	unsigned block_log2;	/* the stream's block size */
	uint32_t piece;		/* bytes per fk_delta_update_write() */
	enum fk_boot_mode mark; /* TEST, or PERMANENT (OVERWRITE) */
};

struct fk_delta_sweep_result {
	size_t stream_len; /* the patch's delta stream, bytes */
	uint64_t ops;	   /* flash operations of applying and marking */
	uint64_t cases;	   /* cuts run: 3 per operation */
	uint64_t resumed;  /* of which resumed from a block after the first */
	uint64_t landed;   /* of which the pending mark had landed */
	uint64_t failures;
	char first_failure[400]; /* "" when none */
};

/*
 * Encodes the patch from rig->old_img[image] to rig->new_img[image]
 * (neither encrypted), prepares the rig (fk_rig_prepare: old images
 * installed, an empty boot state), applies the patch once without a cut
 * (it must boot the new image), then once per cut position and kind as
 * above. Returns 0 when the sweep ran (res->failures says whether it
 * passed), -1 when it could not be set up (no memory, the encoder
 * refused; res->first_failure says why). The rig's memories are left in
 * an unspecified state; prepare it again before another scenario.
 */
int fk_delta_sweep(struct fk_rig *rig, const struct fk_delta_sweep *sw,
		   struct fk_delta_sweep_result *res);

/*
 * A new version of image old (old_len bytes) as a firmware update looks
 * to a diff: its payload with ins bytes inserted at 5000 (or the middle
 * of a shorter payload), the words after that point that look like flash
 * addresses moved by ins, and tail new bytes appended (a part repeating
 * every 80 bytes). Signed with o (its hdr_size taken from old). Returns
 * 0 with *out malloc'd (*len bytes), or -1 (not an image, no memory, the
 * signer refused: diag says which).
 */
int fk_delta_changed_image(const uint8_t *old, size_t old_len, uint32_t ins,
			   uint32_t tail, struct fk_sign_opts *o, uint8_t **out,
			   size_t *len, struct fk_diag *diag);

#endif
