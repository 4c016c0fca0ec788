/*
 * The encoder of flashkit's compressed and delta streams (docs/delta.md).
 *
 * A greedy parse, block by block, with the decoder's own models so that
 * the choices can use the real costs: at each output position it takes
 * the run at the old cursor when the bytes agree there; else the longest
 * exact match it finds (hash chains of 3-byte prefixes over the old image
 * and over the output so far, and the last match distance), priced with
 * the models, when that is cheaper than staying at the old cursor and
 * paying for the differing bytes, and a literal first does not lead to a
 * better one; else one literal, added to the old byte or raw. Staying aligned
 * through a few differing bytes is what makes moved code cheap: the addresses
 * that changed become small differences the literal model learns.
 *
 * The range coder is LZMA's (carry through a cached byte); the decoder in
 * src/delta/delta.c is its exact inverse, and every test decodes through
 * it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "flashkit/delta.h"

#define PROB_BITS FK_DELTA_PROB_BITS
#define MOVE_BITS FK_DELTA_MOVE_BITS
#define TOP FK_DELTA_TOP
/* The parse's knobs, tuned on bench/delta's firmware pairs. Matches and
 * jumps are priced with the current models; what staying aligned would
 * cost is part priced, part estimated (the bits below). */
#define HASH_BITS 18	/* hash chains: heads */
#define MIN_MATCH 3	/* bytes hashed; shortest match searched */
#define CHAIN 256	/* candidates tried per position */
#define ALIGNED_MIN 2	/* of the 8 bytes before, agreeing = aligned */
#define MODE_BIAS 0.5	/* bits the add mode must save otherwise */
#define LAZY_MARGIN 4.0 /* bits a match one byte on must save more */
#define REP_MIN 2	/* shortest match at the last distance */
#define ADD_SMALL 1	/* differences the add mode always takes */
#define STAY_LIT 7.0	/* bits of a literal, beyond its kind */
#define STAY_RUN 3.0	/* bits of a run's length */
#define NONE UINT32_MAX
#define MAX_NUM ((1u << (FK_DELTA_NUM_BITS - 1)) - 1)

struct outbuf {
	uint8_t *data;
	size_t len, cap;
	bool nomem;
};

struct rc_enc {
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	struct outbuf *out;
};

/* Hash chains over one buffer: head[hash] is the latest position, prev[pos]
 * the one before with the same hash. */
struct chains {
	uint32_t *head;
	uint32_t *prev;
};

struct enc {
	const uint8_t *old;
	uint32_t old_len;
	const uint8_t *cur;
	uint32_t new_len;
	uint32_t np, op, blk_start, blk_end;
	uint32_t last_dist;
	unsigned prev_kind;
	unsigned prev_kind_before; /* before the token being coded */
	struct fk_delta_models m;
	struct rc_enc rc;
	struct chains oldc, newc;
	struct fk_delta_stats st;
	double cost[(1u << PROB_BITS) + 1]; /* -log2(p / 2^11) */
};

/* log2(x) for x >= 1 by repeated squaring (no libm in the host library). */
static double log2_of(double x)
{
	double r = 0, f = 0.5;

	while (x >= 2) {
		x /= 2;
		r += 1;
	}
	for (int i = 0; i < 30; i++, f /= 2) {
		x *= x;
		if (x >= 2) {
			x /= 2;
			r += f;
		}
	}
	return r;
}

static void put_byte(struct outbuf *b, uint8_t v)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		uint8_t *n = realloc(b->data, cap);

		if (n == NULL) {
			b->nomem = true;
			return;
		}
		b->data = n;
		b->cap = cap;
	}
	b->data[b->len++] = v;
}

static void rc_shift_low(struct rc_enc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32) != 0) {
		uint8_t carry = (uint8_t)(e->low >> 32);
		uint8_t temp = e->cache;

		do {
			put_byte(e->out, (uint8_t)(temp + carry));
			temp = 0xff;
		} while (--e->cache_size != 0);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffffu) << 8;
}

static void rc_init(struct rc_enc *e, struct outbuf *out)
{
	e->low = 0;
	e->range = 0xffffffffu;
	e->cache = 0;
	e->cache_size = 1;
	e->out = out;
}

static void rc_flush(struct rc_enc *e)
{
	for (int i = 0; i < 5; i++)
		rc_shift_low(e);
}

static void rc_bit(struct rc_enc *e, uint16_t *p, unsigned bit)
{
	uint32_t bound = (e->range >> PROB_BITS) * *p;

	if (bit == 0) {
		e->range = bound;
		*p = (uint16_t)(*p + (((1u << PROB_BITS) - *p) >> MOVE_BITS));
	} else {
		e->low += bound;
		e->range -= bound;
		*p = (uint16_t)(*p - (*p >> MOVE_BITS));
	}
	while (e->range < TOP) {
		e->range <<= 8;
		rc_shift_low(e);
	}
}

static unsigned bit_count(uint32_t x)
{
	unsigned n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static void rc_number(struct enc *e, unsigned ctx, uint32_t v)
{
	uint16_t *unary = e->m.num[ctx][0];
	uint16_t *bits = e->m.num[ctx][1];
	uint32_t x = v + 1;
	unsigned n = bit_count(x);

	for (unsigned i = 1; i < n; i++)
		rc_bit(&e->rc, &unary[i - 1], 1);
	if (n < FK_DELTA_NUM_BITS)
		rc_bit(&e->rc, &unary[n - 1], 0);
	for (unsigned i = n - 1; i > 0; i--)
		rc_bit(&e->rc, &bits[i - 1], (x >> (i - 1)) & 1);
}

/* The byte before the output position within its block, as the decoder
 * knows it. */
static uint8_t prev_byte(const struct enc *e)
{
	return e->np == e->blk_start ? 0 : e->cur[e->np - 1];
}

static double bit_cost(const struct enc *e, uint16_t p, unsigned bit)
{
	return e->cost[bit ? (1u << PROB_BITS) - p : p];
}

/* What a literal costs in bits, in one mode, with the current models. */
static double literal_cost(const struct enc *e, unsigned mode, uint8_t v)
{
	const uint16_t *tree =
		e->m.lit[fk_delta_lit_tree(mode, e->np, prev_byte(e))];
	double c = bit_cost(e, e->m.lit_mode[e->prev_kind], mode);
	unsigned x = 1;

	for (int i = 7; i >= 0; i--) {
		unsigned b = (v >> i) & 1;

		c += bit_cost(e, tree[x], b);
		x = (x << 1) | b;
	}
	return c;
}

static void kind_bits(struct enc *e, unsigned kind)
{
	unsigned s = e->prev_kind;

	rc_bit(&e->rc, &e->m.kind[0][s], kind != FK_DELTA_LIT);
	if (kind != FK_DELTA_LIT) {
		rc_bit(&e->rc, &e->m.kind[1][s], kind != FK_DELTA_OLD);
		if (kind != FK_DELTA_OLD)
			rc_bit(&e->rc, &e->m.kind[2][s], kind != FK_DELTA_JUMP);
	}
	e->prev_kind_before = s;
	e->prev_kind = kind;
}

static uint32_t hash_at(const uint8_t *p)
{
	uint32_t v =
		(uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static int chains_init(struct chains *c, const uint8_t *buf, uint32_t len,
		       bool fill)
{
	c->head = malloc(sizeof(uint32_t) << HASH_BITS);
	c->prev = malloc(sizeof(uint32_t) * (len ? len : 1));
	if (c->head == NULL || c->prev == NULL)
		return -1;
	memset(c->head, 0xff, sizeof(uint32_t) << HASH_BITS);
	for (uint32_t i = 0; fill && i + MIN_MATCH <= len; i++) {
		uint32_t h = hash_at(buf + i);

		c->prev[i] = c->head[h];
		c->head[h] = i;
	}
	return 0;
}

static void chains_free(struct chains *c)
{
	free(c->head);
	free(c->prev);
}

/* Output positions become match sources as they are passed. */
static void insert_new(struct enc *e, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to && i + MIN_MATCH <= e->new_len; i++) {
		uint32_t h = hash_at(e->cur + i);

		e->newc.prev[i] = e->newc.head[h];
		e->newc.head[h] = i;
	}
}

static uint32_t common(const uint8_t *a, const uint8_t *b, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && a[n] == b[n])
		n++;
	return n;
}

struct choice {
	unsigned kind;
	uint32_t from; /* old offset or output offset */
	uint32_t len;
	double saving; /* bits saved against staying aligned */
};

static uint32_t room(const struct enc *e)
{
	uint32_t left = e->blk_end - e->np;

	return left > MAX_NUM + 1 ? MAX_NUM + 1 : left;
}

static double kind_price(const struct enc *e, unsigned kind);

/* What staying at the old cursor would cost over the next len bytes with
 * the current models: a literal for each differing byte, a run token for
 * each run of agreeing ones (rough bits for what is not priced). */
static double stay_price(const struct enc *e, uint32_t len)
{
	double lit = kind_price(e, FK_DELTA_LIT) + STAY_LIT;
	double run = kind_price(e, FK_DELTA_OLD) + STAY_RUN;
	double c = 0;
	bool in_run = false;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = e->op + i;

		if (o < e->old_len && e->old[o] == e->cur[e->np + i]) {
			c += in_run ? 0 : run;
			in_run = true;
		} else {
			c += lit;
			in_run = false;
		}
	}
	return c;
}

static void consider(struct enc *e, struct choice *best, unsigned kind,
		     uint32_t from, uint32_t len, double price)
{
	double saving = stay_price(e, len) - price;

	if (saving > best->saving) {
		best->kind = kind;
		best->from = from;
		best->len = len;
		best->saving = saving;
	}
}

/* What coding number v in context ctx costs now, in bits. */
static double number_price(const struct enc *e, unsigned ctx, uint32_t v)
{
	const uint16_t *unary = e->m.num[ctx][0];
	const uint16_t *bits = e->m.num[ctx][1];
	uint32_t x = v + 1;
	unsigned n = bit_count(x);
	double c = 0;

	for (unsigned i = 1; i < n; i++)
		c += bit_cost(e, unary[i - 1], 1);
	if (n < FK_DELTA_NUM_BITS)
		c += bit_cost(e, unary[n - 1], 0);
	for (unsigned i = n - 1; i > 0; i--)
		c += bit_cost(e, bits[i - 1], (x >> (i - 1)) & 1);
	return c;
}

/* What the kind bits of a token cost now. */
static double kind_price(const struct enc *e, unsigned kind)
{
	unsigned s = e->prev_kind;
	double c = bit_cost(e, e->m.kind[0][s], kind != FK_DELTA_LIT);

	if (kind != FK_DELTA_LIT) {
		c += bit_cost(e, e->m.kind[1][s], kind != FK_DELTA_OLD);
		if (kind != FK_DELTA_OLD)
			c += bit_cost(e, e->m.kind[2][s],
				      kind != FK_DELTA_JUMP);
	}
	return c;
}

static double match_price(const struct enc *e, uint32_t dist, uint32_t len)
{
	double c = kind_price(e, FK_DELTA_MATCH) +
		   number_price(e, FK_DELTA_NUM_MATCH_LEN, len - 1);
	const uint16_t rep = e->m.rep[e->prev_kind];

	if (dist == e->last_dist)
		return c + bit_cost(e, rep, 1);
	return c + bit_cost(e, rep, 0) +
	       number_price(e, FK_DELTA_NUM_MATCH_DIST, dist - 1);
}

static double jump_price(const struct enc *e, uint32_t to, uint32_t len)
{
	uint32_t mag = to > e->op ? to - e->op : e->op - to;

	return kind_price(e, FK_DELTA_JUMP) + 1 +
	       number_price(e, FK_DELTA_NUM_JUMP_DIST, mag - 1) +
	       number_price(e, FK_DELTA_NUM_JUMP_LEN, len - 1);
}

/* A match at the last distance is cheap even when short. */
static void consider_rep(struct enc *e, struct choice *best)
{
	uint32_t max = room(e), l;

	if (e->last_dist == 0 || e->last_dist > e->np)
		return;
	l = common(e->cur + e->np - e->last_dist, e->cur + e->np,
		   e->last_dist < max ? e->last_dist : max);
	if (l >= REP_MIN)
		consider(e, best, FK_DELTA_MATCH, e->np - e->last_dist, l,
			 match_price(e, e->last_dist, l));
}

static void search(struct enc *e, const struct chains *c, const uint8_t *buf,
		   uint32_t limit, unsigned kind, struct choice *best)
{
	uint32_t max = room(e);
	uint32_t pos;
	int n = 0;

	if (e->np + MIN_MATCH > e->new_len)
		return;
	for (pos = c->head[hash_at(e->cur + e->np)]; pos != NONE && n < CHAIN;
	     pos = c->prev[pos], n++) {
		uint32_t l, lim = limit - pos < max ? limit - pos : max;
		double price;

		if (kind == FK_DELTA_JUMP && pos == e->op)
			continue;
		l = common(buf + pos, e->cur + e->np, lim);
		if (l < MIN_MATCH)
			continue;
		if (kind == FK_DELTA_JUMP)
			price = jump_price(e, pos, l);
		else
			price = match_price(e, e->np - pos, l);
		consider(e, best, kind, pos, l, price);
	}
}

/* Whether the bytes just before agree with the old image at the cursor:
 * then a differing byte is likely a changed address or constant, which
 * the add mode codes as a small difference; else the raw mode. */
static bool aligned_before(const struct enc *e)
{
	unsigned same = 0;

	for (uint32_t i = 1; i <= 8 && i <= e->np && i <= e->op; i++)
		if (e->op - i < e->old_len &&
		    e->old[e->op - i] == e->cur[e->np - i])
			same++;
	return same >= ALIGNED_MIN;
}

/* The add mode where the bytes before agree with the old image and this
 * one differs by one (a moved address's low byte, a counter) or costs
 * less that way; the raw mode elsewhere. Choosing by price alone would
 * starve the mode used less: its tree would never learn. */
static bool add_mode(const struct enc *e, uint8_t v, uint8_t diff)
{
	int d = (int8_t)diff;

	if (!aligned_before(e))
		return false;
	return (d >= -ADD_SMALL && d <= ADD_SMALL) ||
	       literal_cost(e, 0, diff) + MODE_BIAS < literal_cost(e, 1, v);
}

static void emit_literal(struct enc *e)
{
	uint8_t v = e->cur[e->np];
	uint8_t base = e->op < e->old_len ? e->old[e->op] : 0;
	uint8_t diff = (uint8_t)(v - base);
	unsigned mode = add_mode(e, v, diff) ? 0 : 1;
	uint8_t sym = mode ? v : diff;
	uint16_t *tree = e->m.lit[fk_delta_lit_tree(mode, e->np, prev_byte(e))];
	unsigned x = 1;

	rc_bit(&e->rc, &e->m.lit_mode[e->prev_kind], mode);
	for (int i = 7; i >= 0; i--) {
		unsigned b = (sym >> i) & 1;

		rc_bit(&e->rc, &tree[x], b);
		x = (x << 1) | b;
	}
	if (mode)
		e->st.lit_raw++;
	else
		e->st.lit_diff++;
	insert_new(e, e->np, e->np + 1);
	e->np++;
	e->op++;
}

static void advance(struct enc *e, uint32_t len)
{
	insert_new(e, e->np, e->np + len);
	e->np += len;
	e->op += len;
}

static void find_best(struct enc *e, struct choice *best)
{
	search(e, &e->oldc, e->old, e->old_len, FK_DELTA_JUMP, best);
	search(e, &e->newc, e->cur, e->np, FK_DELTA_MATCH, best);
	consider_rep(e, best);
}

/* Lazy matching: whether a literal first, then the best choice one byte
 * on, saves more than the best choice here. */
static bool better_after_literal(struct enc *e, const struct choice *here)
{
	struct choice next = { FK_DELTA_LIT, 0, 0, 0.0 };

	if (e->np + 1 >= e->blk_end)
		return false;
	e->np++;
	e->op++;
	find_best(e, &next);
	e->np--;
	e->op--;
	return next.saving > here->saving + LAZY_MARGIN;
}

static void one_token(struct enc *e)
{
	uint32_t max = room(e);
	uint32_t aligned = 0;
	struct choice best = { FK_DELTA_LIT, 0, 0, 0.0 };

	if (e->op < e->old_len) {
		uint32_t lim =
			e->old_len - e->op < max ? e->old_len - e->op : max;

		aligned = common(e->old + e->op, e->cur + e->np, lim);
	}
	if (aligned < 16)
		find_best(e, &best);
	if (best.saving > 0 && best.len > aligned && aligned == 0 &&
	    better_after_literal(e, &best)) {
		kind_bits(e, FK_DELTA_LIT);
		emit_literal(e);
	} else if (best.saving > 0 && best.len > aligned) {
		kind_bits(e, best.kind);
		if (best.kind == FK_DELTA_JUMP) {
			bool neg = best.from < e->op;
			uint32_t mag =
				neg ? e->op - best.from : best.from - e->op;

			rc_bit(&e->rc, &e->m.num[FK_DELTA_NUM_JUMP_DIST][1][31],
			       neg);
			rc_number(e, FK_DELTA_NUM_JUMP_DIST, mag - 1);
			rc_number(e, FK_DELTA_NUM_JUMP_LEN, best.len - 1);
			e->op = best.from;
			e->st.jumps++;
		} else {
			uint32_t dist = e->np - best.from;

			rc_bit(&e->rc, &e->m.rep[e->prev_kind_before],
			       dist == e->last_dist);
			if (dist != e->last_dist)
				rc_number(e, FK_DELTA_NUM_MATCH_DIST, dist - 1);
			e->last_dist = dist;
			rc_number(e, FK_DELTA_NUM_MATCH_LEN, best.len - 1);
			e->st.matches++;
		}
		advance(e, best.len);
	} else if (aligned > 0) {
		kind_bits(e, FK_DELTA_OLD);
		rc_number(e, FK_DELTA_NUM_OLD_LEN, aligned - 1);
		e->st.old_runs++;
		advance(e, aligned);
	} else {
		kind_bits(e, FK_DELTA_LIT);
		emit_literal(e);
	}
}

static void put_varint(struct outbuf *b, size_t v)
{
	while (v >= 0x80) {
		put_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(b, (uint8_t)v);
}

static void encode_block(struct enc *e, struct outbuf *stream,
			 struct outbuf *tmp, uint32_t start, uint32_t end)
{
	tmp->len = 0;
	rc_init(&e->rc, tmp);
	fk_delta_models_reset(&e->m);
	e->prev_kind = FK_DELTA_LIT;
	e->np = start;
	e->op = start;
	e->blk_start = start;
	e->last_dist = 0;
	e->blk_end = end;
	while (e->np < end)
		one_token(e);
	rc_flush(&e->rc);
	put_varint(stream, tmp->len);
	for (size_t i = 0; i < tmp->len && !tmp->nomem; i++)
		put_byte(stream, tmp->data[i]);
	e->st.blocks++;
}

int fk_delta_encode(const uint8_t *old, size_t old_len, const uint8_t *new_img,
		    size_t new_len, unsigned block_log2, uint8_t **out,
		    size_t *out_len, struct fk_delta_stats *stats,
		    struct fk_diag *diag)
{
	struct outbuf stream = { 0 }, tmp = { 0 };
	struct enc *e;
	uint32_t bsize;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (block_log2 < FK_DELTA_BLOCK_LOG2_MIN ||
	    block_log2 > FK_DELTA_BLOCK_LOG2_MAX)
		return fk_fail(diag,
			       "delta block size 2^%u is not supported "
			       "(2^%u to 2^%u bytes)",
			       block_log2, FK_DELTA_BLOCK_LOG2_MIN,
			       FK_DELTA_BLOCK_LOG2_MAX);
	if (old_len > INT32_MAX || new_len > INT32_MAX)
		return fk_fail(diag, "image over 2 GiB: too large to encode");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return fk_fail_nomem(diag);
	e->old = old;
	e->old_len = (uint32_t)old_len;
	e->cur = new_img;
	e->new_len = (uint32_t)new_len;
	for (unsigned p = 1; p <= (1u << PROB_BITS); p++)
		e->cost[p] = PROB_BITS - log2_of(p);
	e->cost[0] = 64;
	if (chains_init(&e->oldc, old, e->old_len, true) ||
	    chains_init(&e->newc, new_img, e->new_len, false)) {
		rc = fk_fail_nomem(diag);
		goto out;
	}
	bsize = 1u << block_log2;
	for (uint32_t s = 0; s < e->new_len; s += bsize)
		encode_block(e, &stream, &tmp, s,
			     e->new_len - s > bsize ? s + bsize : e->new_len);
	if (stream.nomem || tmp.nomem) {
		rc = fk_fail_nomem(diag);
		goto out;
	}
	if (stats != NULL)
		*stats = e->st;
	*out = stream.data;
	*out_len = stream.len;
	stream.data = NULL;
out:
	chains_free(&e->oldc);
	chains_free(&e->newc);
	free(e);
	free(stream.data);
	free(tmp.data);
	return rc;
}
