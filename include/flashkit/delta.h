/*
 * Rebuilding an image from a compressed or delta stream (docs/delta.md):
 * the device-side decoder of flashkit's patch format.
 *
 * The stream is a sequence of blocks; each rebuilds 2^block_log2 bytes of
 * the new image (the last one the rest) from range-coded tokens: literal
 * bytes (raw, or added to the old image's byte at the old cursor), runs
 * copied from the old image at the old cursor, jumps of the old cursor,
 * and matches copied from the output already rebuilt. The decoder reads
 * the old image and its own earlier output through callbacks (the primary
 * slot and the staging slot on a device), so its RAM is this struct alone:
 * no window, no heap. Input is pushed in pieces of any size as it arrives.
 *
 * Every block starts from fresh models, a fresh range decoder and the old
 * cursor at the block's own offset, so decoding can start again at any
 * block boundary: fk_delta_init() with first_block > 0 continues a stream
 * whose earlier blocks are in the output already (after a power cut).
 *
 * Hostile input is refused with FK_ECORRUPT and never makes the decoder
 * read outside the old image, read output it has not written, or write
 * outside [0, new_size).
 */
#ifndef FLASHKIT_DELTA_H
#define FLASHKIT_DELTA_H

#include <stdint.h>

#include "flashkit/error.h"

#define FK_DELTA_BLOCK_LOG2_MIN 10
#define FK_DELTA_BLOCK_LOG2_MAX 20
#define FK_DELTA_BLOCK_LOG2_DEFAULT 16

/* The format's constants (docs/delta.md, "The stream"): token kinds,
 * number contexts, and the range coder's probabilities. */
enum fk_delta_kind {
	FK_DELTA_LIT,
	FK_DELTA_OLD,
	FK_DELTA_JUMP,
	FK_DELTA_MATCH,
};
enum fk_delta_num {
	FK_DELTA_NUM_OLD_LEN,
	FK_DELTA_NUM_JUMP_LEN,
	FK_DELTA_NUM_JUMP_DIST,
	FK_DELTA_NUM_MATCH_LEN,
	FK_DELTA_NUM_MATCH_DIST,
};
#define FK_DELTA_PROB_BITS 11	/* probabilities are p / 2^11 */
#define FK_DELTA_MOVE_BITS 4	/* adaptation: 1/16 of the distance */
#define FK_DELTA_TOP (1u << 24) /* normalise below this range */

/* Model sizes. */
#define FK_DELTA_LIT_TREES 5 /* literal bit trees (fk_delta_lit_tree) */
#define FK_DELTA_KINDS 4     /* token kinds: LIT, OLD, JUMP, MATCH */
#define FK_DELTA_NUMS 5	     /* number contexts (see enum in delta.c) */
#define FK_DELTA_NUM_BITS 25 /* a number is below 2^25 - 1 */
#define FK_DELTA_IN_MAX 128  /* input held: more than one token needs */
#define FK_DELTA_CACHE 32    /* bytes of old image / output read at once */
#define FK_DELTA_OUTBUF 64   /* output bytes gathered before a write */

/* Where the decoder reads and writes. Each returns 0 or a negative FK_E*
 * code, which the decoder returns unchanged. */
struct fk_delta_io {
	/* reads len bytes of the old image at off (off + len <= old_size) */
	int (*read_old)(void *ctx, uint32_t off, void *buf, uint32_t len);
	/* reads len bytes of output written before (off + len <= written) */
	int (*read_out)(void *ctx, uint32_t off, void *buf, uint32_t len);
	/* appends len bytes of output at off (always the end of the output
	 * so far: writes are sequential) */
	int (*write_out)(void *ctx, uint32_t off, const void *buf,
			 uint32_t len);
	void *ctx;
};

struct fk_delta_params {
	uint32_t old_size;  /* bytes of the old image (0: compressed only) */
	uint32_t new_size;  /* bytes the stream rebuilds */
	uint8_t block_log2; /* FK_DELTA_BLOCK_LOG2_MIN..MAX */
};

/* Adaptive probabilities, 11-bit. */
struct fk_delta_models {
	uint16_t kind[3][FK_DELTA_KINDS];  /* the token kind's 3 bits, by the
					    * previous token's kind */
	uint16_t lit_mode[FK_DELTA_KINDS]; /* literal: diff or raw */
	uint16_t rep[FK_DELTA_KINDS];	   /* match: at the last distance */
	uint16_t lit[FK_DELTA_LIT_TREES][256]; /* literals' bit trees */
	uint16_t num[FK_DELTA_NUMS][2][32];    /* numbers: bit count, bits */
};

/* A byte cache over the old image or the output. */
struct fk_delta_cache {
	uint32_t off; /* first cached byte */
	uint32_t len; /* 0: empty */
	uint8_t buf[FK_DELTA_CACHE];
};

/* All decoder state; fields are private to src/delta/. */
struct fk_delta {
	struct fk_delta_params p;
	struct fk_delta_io io;
	int err;	     /* sticky: once set, every call returns it */
	uint8_t state;	     /* where in the stream (delta.c) */
	uint8_t prev_kind;   /* the last token's kind */
	uint8_t prev_byte;   /* the last output byte of this block, or 0 */
	uint8_t hdr_shift;   /* block header varint: bits read */
	uint8_t copy_src;    /* 0 none, 1 old image, 2 output */
	uint32_t block;	     /* current block index */
	uint32_t blk_left;   /* coded bytes of this block not consumed */
	uint32_t blk_end;    /* output offset where this block ends */
	uint32_t in_off;     /* stream bytes consumed, in all */
	uint32_t blk_in_off; /* stream offset where this block starts */
	uint32_t np;	     /* output bytes produced (written or in outbuf) */
	uint32_t last_dist;  /* the last match's distance in this block */
	uint32_t op;	     /* old cursor */
	uint32_t copy_from;  /* next source byte of the copy in progress */
	uint32_t copy_left;  /* bytes of it still to copy */
	uint32_t range;	     /* range decoder */
	uint32_t code;
	uint32_t flushed; /* output bytes handed to write_out */
	uint32_t ob_len;  /* bytes in outbuf */
	uint32_t in_pos;  /* next byte of in */
	uint32_t in_len;  /* bytes held in in */
	struct fk_delta_models m;
	struct fk_delta_cache old_cache;
	struct fk_delta_cache out_cache;
	uint8_t outbuf[FK_DELTA_OUTBUF];
	uint8_t in[FK_DELTA_IN_MAX];
};

/* The tree that codes a literal of mode (0 add, 1 raw) at output offset
 * np after the byte prev (0 at a block's start): the add mode has one, the
 * raw mode one per offset parity (Thumb code is in halfwords) and top bit
 * of the byte before. */
static inline unsigned fk_delta_lit_tree(unsigned mode, uint32_t np,
					 uint8_t prev)
{
	return mode == 0 ? 0 : 1 + (np & 1) + ((unsigned)(prev >> 7) << 1);
}

/* Sets every probability to one half (each block starts so). */
void fk_delta_models_reset(struct fk_delta_models *m);

/*
 * Prepares to decode a stream for p, starting at block first_block (0 for
 * a fresh start; after a power cut, a block whose predecessors are all in
 * the output: the caller then pushes the stream from that block's offset,
 * which fk_delta_block_start() reported). Returns 0, or FK_EINVAL for bad
 * parameters (block_log2 out of range, first_block past the end).
 */
int fk_delta_init(struct fk_delta *d, const struct fk_delta_params *p,
		  const struct fk_delta_io *io, uint32_t first_block);

/*
 * Decodes len more bytes of the stream, writing output as it is rebuilt
 * (possibly holding the last few bytes until more input comes). Returns 0,
 * FK_ECORRUPT for a stream that is not valid for p (also for bytes after
 * the end), or an error from the callbacks. Errors are sticky. On power
 * loss: output written so far stays as written; start again with
 * fk_delta_init() at a block whose start was reached.
 */
int fk_delta_feed(struct fk_delta *d, const void *data, uint32_t len);

/*
 * The stream has ended: writes the last held bytes and checks the output
 * is complete. Returns 0, FK_ECORRUPT for a stream that stopped short, or
 * a callback's error.
 */
int fk_delta_finish(struct fk_delta *d);

/*
 * The last block boundary reached whose output is entirely written: its
 * block index and the stream offset where that block's data starts. A
 * caller that makes the written output durable up to block << block_log2
 * may record (block, *stream_off) and restart there after a power cut.
 */
uint32_t fk_delta_block_start(const struct fk_delta *d, uint32_t *stream_off);

#endif
