/*
 * The decoder of flashkit's compressed and delta streams (flashkit/delta.h,
 * docs/delta.md): a block walker, an LZMA-style binary range decoder with
 * adaptive 11-bit probabilities, and the four tokens. Input is pushed; a
 * token is decoded only when all the input it may need is held (or the
 * block's last byte is), so no decoding step ever waits in the middle.
 *
 * Invariants: np <= blk_end <= new_size; a copy never runs past blk_end;
 * reads of the old image stay below old_size and reads of the output below
 * flushed (bytes after it come from outbuf). A token needs at most
 * TOKEN_MAX_IN input bytes: the range decoder takes at most one byte per
 * decoded bit, and a JUMP, the longest token, has 3 + 1 + 2 * 48 bits.
 */
#include <string.h>

#include "flashkit/delta.h"

enum { ST_BLKHDR, ST_INIT, ST_TOKENS, ST_SKIP, ST_DONE };
enum { SRC_NONE, SRC_OLD, SRC_OUT };

#define PROB_BITS FK_DELTA_PROB_BITS
#define MOVE_BITS FK_DELTA_MOVE_BITS
#define TOP FK_DELTA_TOP
#define TOKEN_MAX_IN 104
#define RC_INIT_BYTES 5
#define BLKHDR_MAX_SHIFT 28

static int fail(struct fk_delta *d, int err)
{
	if (d->err == FK_OK)
		d->err = err;
	return d->err;
}

static uint8_t in_byte(struct fk_delta *d)
{
	if (d->blk_left == 0 || d->in_pos == d->in_len) {
		fail(d, FK_ECORRUPT);
		return 0;
	}
	d->blk_left--;
	d->in_off++;
	return d->in[d->in_pos++];
}

static unsigned rc_bit(struct fk_delta *d, uint16_t *p)
{
	uint32_t bound;

	if (d->range < TOP) {
		d->range <<= 8;
		d->code = (d->code << 8) | in_byte(d);
	}
	bound = (d->range >> PROB_BITS) * *p;
	if (d->code < bound) {
		d->range = bound;
		*p = (uint16_t)(*p + (((1u << PROB_BITS) - *p) >> MOVE_BITS));
		return 0;
	}
	d->range -= bound;
	d->code -= bound;
	*p = (uint16_t)(*p - (*p >> MOVE_BITS));
	return 1;
}

/* A number v >= 0 as v + 1 in binary: its bit count n - 1 in unary, then
 * its bits below the top one, each with a probability per position. */
static uint32_t rc_number(struct fk_delta *d, unsigned ctx)
{
	uint16_t *unary = d->m.num[ctx][0];
	uint16_t *bits = d->m.num[ctx][1];
	unsigned n = 1;
	uint32_t x = 1;

	while (n < FK_DELTA_NUM_BITS && rc_bit(d, &unary[n - 1]))
		n++;
	while (--n > 0)
		x = (x << 1) | rc_bit(d, &bits[n - 1]);
	return x - 1;
}

void fk_delta_models_reset(struct fk_delta_models *m)
{
	uint16_t *p = (uint16_t *)m;
	size_t i;

	for (i = 0; i < sizeof(*m) / sizeof(*p); i++)
		p[i] = 1u << (PROB_BITS - 1);
}

static int cache_byte(struct fk_delta *d, struct fk_delta_cache *c,
		      uint32_t off, uint32_t limit,
		      int (*rd)(void *, uint32_t, void *, uint32_t),
		      uint8_t *out)
{
	int rc;

	if (c->len == 0 || off < c->off || off - c->off >= c->len) {
		uint32_t n = limit - off;

		if (n > FK_DELTA_CACHE)
			n = FK_DELTA_CACHE;
		c->len = 0;
		rc = rd(d->io.ctx, off, c->buf, n);
		if (rc != FK_OK)
			return fail(d, rc);
		c->off = off;
		c->len = n;
	}
	*out = c->buf[off - c->off];
	return FK_OK;
}

static int old_byte(struct fk_delta *d, uint32_t off, uint8_t *out)
{
	if (off >= d->p.old_size) {
		*out = 0;
		return FK_OK;
	}
	return cache_byte(d, &d->old_cache, off, d->p.old_size, d->io.read_old,
			  out);
}

static int out_byte(struct fk_delta *d, uint32_t off, uint8_t *out)
{
	if (off >= d->flushed) {
		*out = d->outbuf[off - d->flushed];
		return FK_OK;
	}
	return cache_byte(d, &d->out_cache, off, d->flushed, d->io.read_out,
			  out);
}

static int flush(struct fk_delta *d)
{
	int rc;

	if (d->ob_len == 0)
		return FK_OK;
	rc = d->io.write_out(d->io.ctx, d->flushed, d->outbuf, d->ob_len);
	if (rc != FK_OK)
		return fail(d, rc);
	d->flushed += d->ob_len;
	d->ob_len = 0;
	return FK_OK;
}

static int put(struct fk_delta *d, uint8_t b)
{
	d->outbuf[d->ob_len++] = b;
	d->prev_byte = b;
	d->np++;
	d->op++;
	if (d->ob_len == FK_DELTA_OUTBUF)
		return flush(d);
	return FK_OK;
}

static int run_copy(struct fk_delta *d)
{
	uint8_t b;
	int rc;

	while (d->copy_left > 0) {
		if (d->copy_src == SRC_OLD)
			rc = old_byte(d, d->copy_from, &b);
		else
			rc = out_byte(d, d->copy_from, &b);
		if (rc == FK_OK)
			rc = put(d, b);
		if (rc != FK_OK)
			return rc;
		d->copy_from++;
		d->copy_left--;
	}
	d->copy_src = SRC_NONE;
	return FK_OK;
}

static int literal(struct fk_delta *d)
{
	unsigned mode = rc_bit(d, &d->m.lit_mode[d->prev_kind]);
	uint16_t *tree = d->m.lit[fk_delta_lit_tree(mode, d->np, d->prev_byte)];
	unsigned x = 1;
	uint8_t base = 0;
	int rc = FK_OK;

	while (x < 0x100)
		x = (x << 1) | rc_bit(d, &tree[x]);
	if (mode == 0)
		rc = old_byte(d, d->op, &base);
	if (rc != FK_OK || d->err != FK_OK)
		return fail(d, rc);
	return put(d, (uint8_t)(base + x));
}

/* Sets up a copy of len + 1 bytes; checks it stays in its block and its
 * source stays in what it reads. */
static int start_copy(struct fk_delta *d, unsigned src, uint32_t from,
		      uint32_t len)
{
	len++;
	if (d->err != FK_OK)
		return d->err;
	if (len > d->blk_end - d->np)
		return fail(d, FK_ECORRUPT);
	if (src == SRC_OLD &&
	    (from > d->p.old_size || len > d->p.old_size - from))
		return fail(d, FK_ECORRUPT);
	d->copy_src = (uint8_t)src;
	d->copy_from = from;
	d->copy_left = len;
	return run_copy(d);
}

static int token(struct fk_delta *d)
{
	uint16_t *k = d->m.kind[0];
	unsigned s = d->prev_kind;
	unsigned kind;
	uint32_t dist;

	if (!rc_bit(d, &k[s]))
		kind = FK_DELTA_LIT;
	else if (!rc_bit(d, &d->m.kind[1][s]))
		kind = FK_DELTA_OLD;
	else if (!rc_bit(d, &d->m.kind[2][s]))
		kind = FK_DELTA_JUMP;
	else
		kind = FK_DELTA_MATCH;
	d->prev_kind = (uint8_t)kind;
	switch (kind) {
	case FK_DELTA_LIT:
		return literal(d);
	case FK_DELTA_OLD:
		return start_copy(d, SRC_OLD, d->op,
				  rc_number(d, FK_DELTA_NUM_OLD_LEN));
	case FK_DELTA_JUMP: {
		/* the sign shares the unused top probability of the
		 * distance's bit positions */
		unsigned neg =
			rc_bit(d, &d->m.num[FK_DELTA_NUM_JUMP_DIST][1][31]);
		uint32_t mag = rc_number(d, FK_DELTA_NUM_JUMP_DIST) + 1;
		uint32_t len = rc_number(d, FK_DELTA_NUM_JUMP_LEN);

		if (neg ? mag > d->op : mag > d->p.old_size - d->op)
			return fail(d, FK_ECORRUPT);
		d->op = neg ? d->op - mag : d->op + mag;
		return start_copy(d, SRC_OLD, d->op, len);
	}
	default:
		if (rc_bit(d, &d->m.rep[s]))
			dist = d->last_dist;
		else
			dist = rc_number(d, FK_DELTA_NUM_MATCH_DIST) + 1;
		if (dist == 0 || dist > d->np)
			return fail(d, FK_ECORRUPT);
		d->last_dist = dist;
		return start_copy(d, SRC_OUT, d->np - dist,
				  rc_number(d, FK_DELTA_NUM_MATCH_LEN));
	}
}

static void block_begin(struct fk_delta *d)
{
	unsigned size_log2 = d->p.block_log2;
	uint32_t size = 1u << size_log2;

	d->state = ST_BLKHDR;
	d->blk_in_off = d->in_off;
	d->blk_left = 0;
	d->hdr_shift = 0;
	d->np = d->block << d->p.block_log2;
	if (d->np >= d->p.new_size || d->block >= (1u << (32 - size_log2))) {
		d->np = d->p.new_size;
		d->state = ST_DONE;
	}
	d->blk_end =
		d->p.new_size - d->np > size ? d->np + size : d->p.new_size;
}

int fk_delta_init(struct fk_delta *d, const struct fk_delta_params *p,
		  const struct fk_delta_io *io, uint32_t first_block)
{
	uint32_t blocks;

	if (d == NULL || p == NULL || io == NULL || io->read_old == NULL ||
	    io->read_out == NULL || io->write_out == NULL ||
	    p->block_log2 < FK_DELTA_BLOCK_LOG2_MIN ||
	    p->block_log2 > FK_DELTA_BLOCK_LOG2_MAX)
		return FK_EINVAL;
	blocks = (uint32_t)(((uint64_t)p->new_size + (1u << p->block_log2) -
			     1) >>
			    p->block_log2);
	if (first_block > blocks || (first_block == blocks && blocks > 0))
		return FK_EINVAL;
	memset(d, 0, sizeof(*d));
	d->p = *p;
	d->io = *io;
	d->block = first_block;
	d->flushed = first_block << p->block_log2;
	block_begin(d);
	return FK_OK;
}

/* One step on the input held; returns 1 when it needs more input. */
static int step(struct fk_delta *d)
{
	uint32_t held = d->in_len - d->in_pos;

	switch (d->state) {
	case ST_BLKHDR: {
		uint8_t b;

		if (held == 0)
			return 1;
		b = d->in[d->in_pos++];
		d->in_off++;
		d->blk_left |= (uint32_t)(b & 0x7f) << d->hdr_shift;
		d->hdr_shift += 7;
		if (b & 0x80) {
			if (d->hdr_shift >= BLKHDR_MAX_SHIFT)
				return fail(d, FK_ECORRUPT);
			return 0;
		}
		if (d->blk_left < RC_INIT_BYTES)
			return fail(d, FK_ECORRUPT);
		d->state = ST_INIT;
		return 0;
	}
	case ST_INIT:
		if (held < RC_INIT_BYTES)
			return 1;
		d->range = 0xffffffffu;
		d->code = 0;
		for (int i = 0; i < RC_INIT_BYTES; i++)
			d->code = (d->code << 8) | in_byte(d);
		fk_delta_models_reset(&d->m);
		d->prev_kind = FK_DELTA_LIT;
		d->prev_byte = 0;
		d->last_dist = 0;
		d->op = d->np;
		d->state = ST_TOKENS;
		return 0;
	case ST_TOKENS:
		if (d->np == d->blk_end) {
			d->state = ST_SKIP;
			return flush(d);
		}
		if (held < TOKEN_MAX_IN && held < d->blk_left)
			return 1;
		return token(d);
	case ST_SKIP:
		/* the range coder's flush bytes the tokens did not need: a
		 * few, never more than it starts with */
		if (d->blk_left > RC_INIT_BYTES)
			return fail(d, FK_ECORRUPT);
		if (d->blk_left > 0) {
			uint32_t n = held < d->blk_left ? held : d->blk_left;

			if (n == 0)
				return 1;
			d->in_pos += n;
			d->in_off += n;
			d->blk_left -= n;
			return 0;
		}
		d->block++;
		block_begin(d);
		return 0;
	default:
		if (held > 0)
			return fail(d, FK_ECORRUPT);
		return 1;
	}
}

int fk_delta_feed(struct fk_delta *d, const void *data, uint32_t len)
{
	const uint8_t *src = data;

	if (d == NULL || (data == NULL && len > 0))
		return FK_EINVAL;
	for (;;) {
		uint32_t room;
		int rc;

		if (d->err != FK_OK)
			return d->err;
		if (d->copy_left > 0) {
			if (run_copy(d) != FK_OK)
				return d->err;
			continue;
		}
		if (d->in_pos > 0) {
			/* the unread bytes to the front (a forward copy: the
			 * library links no memmove) */
			d->in_len -= d->in_pos;
			for (uint32_t i = 0; i < d->in_len; i++)
				d->in[i] = d->in[d->in_pos + i];
			d->in_pos = 0;
		}
		room = FK_DELTA_IN_MAX - d->in_len;
		if (room > len)
			room = len;
		memcpy(d->in + d->in_len, src, room);
		d->in_len += room;
		src += room;
		len -= room;
		rc = step(d);
		if (rc < 0)
			return rc;
		if (rc == 1 && len == 0)
			return d->err;
	}
}

int fk_delta_finish(struct fk_delta *d)
{
	if (d == NULL)
		return FK_EINVAL;
	if (d->err != FK_OK)
		return d->err;
	/* tokens wait for TOKEN_MAX_IN bytes unless the block ends sooner;
	 * at the end of input a block whose bytes are missing is corrupt */
	if (d->state != ST_DONE)
		return fail(d, FK_ECORRUPT);
	return flush(d);
}

uint32_t fk_delta_block_start(const struct fk_delta *d, uint32_t *stream_off)
{
	if (stream_off != NULL)
		*stream_off = d->blk_in_off;
	return d->block;
}
