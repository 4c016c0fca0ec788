/*
 * The sparse address-range model shared by all production file formats.
 * Segments stay sorted, disjoint and non-adjacent: adding a range that
 * touches a neighbour grows that neighbour instead of adding an entry, so
 * readers can feed records one by one without building a huge list.
 */
#include <stdlib.h>
#include <string.h>

#include "segments.h"

void fk_segs_init(struct fk_segs *s)
{
	memset(s, 0, sizeof(*s));
}

void fk_segs_free(struct fk_segs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s->v);
	fk_segs_init(s);
}

uint64_t fk_segs_start(const struct fk_segs *s)
{
	return s->n ? s->v[0].addr : 0;
}

uint64_t fk_segs_end(const struct fk_segs *s)
{
	return s->n ? s->v[s->n - 1].addr + s->v[s->n - 1].len : 0;
}

uint64_t fk_segs_size(const struct fk_segs *s)
{
	uint64_t total = 0;

	for (size_t i = 0; i < s->n; i++)
		total += s->v[i].len;
	return total;
}

/* Index of the first segment whose addr is > addr (0..n). */
static size_t upper_bound(const struct fk_segs *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;

	if (s->n && s->v[s->n - 1].addr <= addr)
		return s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long fk_segs_find(const struct fk_segs *s, uint64_t addr)
{
	size_t i = upper_bound(s, addr);

	if (i == 0)
		return -1;
	if (addr < s->v[i - 1].addr + s->v[i - 1].len)
		return (long)(i - 1);
	return -1;
}

static int reserve(struct fk_seg *seg, uint64_t need)
{
	uint64_t cap = seg->cap ? seg->cap : 64;
	uint8_t *p;

	if (need <= seg->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(seg->data, cap);
	if (!p)
		return FK_SEGS_NOMEM;
	seg->data = p;
	seg->cap = cap;
	return 0;
}

static int insert_at(struct fk_segs *s, size_t i, uint64_t addr,
		     const void *data, uint64_t len)
{
	struct fk_seg seg = { .addr = addr };

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct fk_seg *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return FK_SEGS_NOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (reserve(&seg, len))
		return FK_SEGS_NOMEM;
	memcpy(seg.data, data, len);
	seg.len = len;
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	s->v[i] = seg;
	s->n++;
	return 0;
}

/* Joins segment i+1 into segment i (they are adjacent). */
static int join_next(struct fk_segs *s, size_t i)
{
	struct fk_seg *a = &s->v[i], *b = &s->v[i + 1];

	if (reserve(a, a->len + b->len))
		return FK_SEGS_NOMEM;
	memcpy(a->data + a->len, b->data, b->len);
	a->len += b->len;
	free(b->data);
	memmove(&s->v[i + 1], &s->v[i + 2], (s->n - i - 2) * sizeof(*s->v));
	s->n--;
	return 0;
}

int fk_segs_add(struct fk_segs *s, uint64_t addr, const void *data,
		uint64_t len, uint64_t *clash)
{
	size_t i;
	uint64_t end = addr + len;

	if (len == 0)
		return 0;
	if (addr >= FK_ADDR_LIMIT || len > FK_ADDR_LIMIT - addr)
		return FK_SEGS_TOO_HIGH;
	i = upper_bound(s, addr);
	/* s->v[i-1] starts at or below addr, s->v[i] above it. */
	if (i > 0) {
		struct fk_seg *prev = &s->v[i - 1];

		if (prev->addr + prev->len > addr) {
			if (clash)
				*clash = addr;
			return FK_SEGS_OVERLAP;
		}
	}
	if (i < s->n && s->v[i].addr < end) {
		if (clash)
			*clash = s->v[i].addr;
		return FK_SEGS_OVERLAP;
	}
	if (i > 0 && s->v[i - 1].addr + s->v[i - 1].len == addr) {
		struct fk_seg *prev = &s->v[i - 1];

		if (reserve(prev, prev->len + len))
			return FK_SEGS_NOMEM;
		memcpy(prev->data + prev->len, data, len);
		prev->len += len;
		if (i < s->n && s->v[i].addr == end)
			return join_next(s, i - 1);
		return 0;
	}
	if (insert_at(s, i, addr, data, len))
		return FK_SEGS_NOMEM;
	if (i + 1 < s->n && s->v[i + 1].addr == end)
		return join_next(s, i);
	return 0;
}

void fk_segs_crop(struct fk_segs *s, uint64_t lo, uint64_t hi)
{
	size_t out = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct fk_seg seg = s->v[i];
		uint64_t a = seg.addr > lo ? seg.addr : lo;
		uint64_t b = seg.addr + seg.len < hi ? seg.addr + seg.len : hi;

		if (a >= b) {
			free(seg.data);
			continue;
		}
		if (a > seg.addr)
			memmove(seg.data, seg.data + (a - seg.addr), b - a);
		seg.addr = a;
		seg.len = b - a;
		s->v[out++] = seg;
	}
	s->n = out;
}

int fk_segs_shift(struct fk_segs *s, int64_t delta)
{
	if (s->n) {
		int64_t lo = (int64_t)fk_segs_start(s) + delta;
		int64_t hi = (int64_t)fk_segs_end(s) + delta;

		if (lo < 0 || hi > (int64_t)FK_ADDR_LIMIT)
			return FK_SEGS_TOO_HIGH;
	}
	if (s->has_entry) {
		int64_t e = (int64_t)s->entry + delta;

		if (e >= 0 && e < (int64_t)FK_ADDR_LIMIT)
			s->entry = (uint64_t)e;
	}
	for (size_t i = 0; i < s->n; i++)
		s->v[i].addr = (uint64_t)((int64_t)s->v[i].addr + delta);
	return 0;
}

int fk_segs_fill(struct fk_segs *s, uint64_t lo, uint64_t hi, uint8_t value)
{
	struct fk_segs t;
	uint8_t *block;
	int rc = 0;

	if (hi <= lo)
		return 0;
	if (hi > FK_ADDR_LIMIT)
		return FK_SEGS_TOO_HIGH;
	if (hi - lo > FK_SPAN_MAX)
		return FK_SEGS_TOO_BIG;
	block = malloc(hi - lo);
	if (!block)
		return FK_SEGS_NOMEM;
	fk_segs_read(s, lo, block, hi - lo, value);
	/* Rebuild: the parts outside [lo, hi) as they were, plus the block. */
	fk_segs_init(&t);
	t.has_entry = s->has_entry;
	t.entry = s->entry;
	for (size_t i = 0; i < s->n && !rc; i++) {
		const struct fk_seg *o = &s->v[i];
		uint64_t oend = o->addr + o->len;

		if (o->addr < lo)
			rc = fk_segs_add(&t, o->addr, o->data,
					 (oend < lo ? oend : lo) - o->addr,
					 NULL);
		if (!rc && oend > hi)
			rc = fk_segs_add(
				&t, o->addr > hi ? o->addr : hi,
				o->data + (o->addr > hi ? 0 : hi - o->addr),
				oend - (o->addr > hi ? o->addr : hi), NULL);
	}
	if (!rc)
		rc = fk_segs_add(&t, lo, block, hi - lo, NULL);
	free(block);
	if (rc) {
		fk_segs_free(&t);
		return rc;
	}
	fk_segs_free(s);
	*s = t;
	return 0;
}

void fk_segs_read(const struct fk_segs *s, uint64_t addr, uint8_t *out,
		  uint64_t len, uint8_t fill)
{
	uint64_t end = addr + len;
	size_t i = upper_bound(s, addr);

	memset(out, fill, len);
	if (i > 0)
		i--;
	for (; i < s->n && s->v[i].addr < end; i++) {
		const struct fk_seg *seg = &s->v[i];
		uint64_t a = seg->addr > addr ? seg->addr : addr;
		uint64_t b =
			seg->addr + seg->len < end ? seg->addr + seg->len : end;

		if (a < b)
			memcpy(out + (a - addr), seg->data + (a - seg->addr),
			       b - a);
	}
}

bool fk_segs_equal(const struct fk_segs *a, const struct fk_segs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].addr != b->v[i].addr ||
		    a->v[i].len != b->v[i].len ||
		    memcmp(a->v[i].data, b->v[i].data, a->v[i].len))
			return false;
	}
	return true;
}
