/*
 * The host side of flashkit's compressed and delta streams
 * (docs/delta.md): the encoder, which parses the new image into the
 * tokens the device decoder (src/delta/, flashkit/delta.h) understands,
 * and a decoder in memory that runs that same device code. The patch
 * image around a stream (TLVs, signature) is delta_image.h.
 */
#ifndef FLASHKIT_HOST_DELTA_H
#define FLASHKIT_HOST_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

/* What the encoder chose, for reports and benchmarks. */
struct fk_delta_stats {
	size_t lit_diff; /* literals added to the old byte */
	size_t lit_raw;	 /* raw literals */
	size_t old_runs; /* runs at the old cursor */
	size_t jumps;	 /* runs after a jump of the old cursor */
	size_t matches;	 /* copies from the output */
	size_t blocks;
};

/*
 * Encodes new_img (new_len bytes) against old (old_len bytes; 0 and NULL
 * for a compressed stream with no old image) in blocks of 2^block_log2
 * output bytes. On success *out is a malloc'd stream of *out_len bytes and
 * stats (may be NULL) says what it holds. Returns 0, or -1 with diag
 * saying why (bad block size, sizes over 2^31, no memory).
 */
int fk_delta_encode(const uint8_t *old, size_t old_len, const uint8_t *new_img,
		    size_t new_len, unsigned block_log2, uint8_t **out,
		    size_t *out_len, struct fk_delta_stats *stats,
		    struct fk_diag *diag);

/*
 * Rebuilds new_len bytes from old and the stream through the device
 * decoder, feeding it chunk bytes at a time (1 and up: a test's way of
 * proving the stream can arrive in any pieces). *out is malloc'd.
 * Returns 0, or -1 with diag naming the decoder's error and the stream
 * offset it was found at.
 */
int fk_delta_decode(const uint8_t *old, size_t old_len, const uint8_t *stream,
		    size_t stream_len, size_t new_len, unsigned block_log2,
		    size_t chunk, uint8_t **out, struct fk_diag *diag);

#endif
