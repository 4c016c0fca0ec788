/*
 * Applying a patch (or expanding a compressed image) while it arrives,
 * through the update API (flashkit/update.h; docs/delta.md, "On the
 * device"): the old image is read from the image's primary slot, the
 * rebuilt image goes to the staging slot through fk_update_write(), and
 * the decoder reads its own earlier output back from there. The running
 * image is never written.
 *
 * The patch's parameters (FK_DELTA_NEW / FK_DELTA_OLD TLVs: sizes, block
 * size, the old image's SHA-256) are given by the caller, who has them
 * from the patch's TLV area (the sender sends it first). Nothing in them
 * is trusted for more than addressing: the rebuilt image is validated by
 * fk_update_finish() (digest and signature) before it can be staged.
 *
 * Power cuts: the upload's sync points make the output durable; after a
 * reset fk_delta_update_resume() says from which block the sender must
 * resend the stream (docs/delta.md gives where each block starts). The
 * bytes of that block already in flash are rebuilt again and compared,
 * not written. SWAP and OVERWRITE read the old image from the primary
 * slot, XIP from the slot fk_boot_status() reports active (the upload
 * goes to the other one); RAM_LOAD is FK_ENOTSUP.
 */
#ifndef FLASHKIT_DELTA_UPDATE_H
#define FLASHKIT_DELTA_UPDATE_H

#include <stdint.h>

#include "flashkit/delta.h"
#include "flashkit/update.h"

struct fk_delta_update {
	struct fk_update up; /* the upload of the rebuilt image */
	struct fk_delta dec; /* the decoder */
	struct fk_area old;  /* the old image: the primary slot */
	uint32_t keep_below; /* output below this is in flash (a resume) */
	uint8_t check[32];   /* scratch for comparing kept output */
};

/*
 * Starts applying a stream for p to image index: checks that the first
 * p->old_size bytes of the primary slot hash to old_sha256 (NULL for a
 * compressed image, p->old_size 0), then fk_update_begin(). Returns 0,
 * FK_EMISMATCH when the running slot holds another image, FK_ENOTSUP for
 * RAM_LOAD, FK_EINVAL for bad parameters, or fk_update_begin()'s error.
 * Power loss: as fk_update_begin().
 */
int fk_delta_update_begin(struct fk_delta_update *du,
			  const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_delta_params *p,
			  const uint8_t *old_sha256);

/*
 * Continues after a reset: sets *block to the block the sender must
 * resend the stream from (its start offset in the stream is the sum of
 * the earlier blocks' lengths). FK_ENOENT when no upload of image is in
 * progress (start again with fk_delta_update_begin()).
 */
int fk_delta_update_resume(struct fk_delta_update *du,
			   const struct fk_boot_config *cfg, uint32_t image,
			   const struct fk_delta_params *p, uint32_t *block);

/* The next len bytes of the stream. Returns 0, FK_ECORRUPT, or an error
 * of the flash or the upload. Power loss: resume. */
int fk_delta_update_write(struct fk_delta_update *du, const void *data,
			  uint32_t len);

/* The stream has ended: the last output, then fk_update_finish() (the
 * rebuilt image validated and recorded staged). Returns 0 or the error. */
int fk_delta_update_finish(struct fk_delta_update *du);

#endif
