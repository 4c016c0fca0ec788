/*
 * Raw binary: the bytes of one range, from a base address. Reading puts
 * the file at --base (0 by default); writing lays the segments out from
 * the lowest address (or --base) with gaps filled by the fill byte, up to
 * FK_SPAN_MAX: a sparse input spanning more is refused before anything
 * is allocated, with the options that make it fit.
 */
#include <string.h>

#include "formats.h"

int fk_bin_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err)
{
	int rc = fk_segs_add(out, o->base, in, len, NULL);

	if (rc)
		return fk_fail(err, "%s: %zu bytes at 0x%llx %s", name, len,
			       (unsigned long long)o->base,
			       fk_segs_strerror(rc));
	return 0;
}

int fk_bin_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err)
{
	uint64_t start = o->has_base ? o->base : fk_segs_start(s);
	uint64_t end = fk_segs_end(s);

	if (s->n == 0)
		return 0;
	if (start > fk_segs_start(s))
		return fk_fail(err,
			       "data at 0x%llx lies below the binary's "
			       "base 0x%llx; lower --base or --crop",
			       (unsigned long long)fk_segs_start(s),
			       (unsigned long long)start);
	if (fk_segs_check_span(s, start, end, "a binary", err))
		return -1;
	if (fk_buf_reserve(out, end - start))
		return fk_fail(err, "out of memory for a %llu-byte binary",
			       (unsigned long long)(end - start));
	fk_segs_read(s, start, out->p + out->len, end - start, o->fill);
	out->len += end - start;
	return 0;
}

/* Index of the segment after the widest gap (s->n >= 2). */
static size_t widest_gap(const struct fk_segs *s)
{
	size_t best = 1;
	uint64_t gap = 0;

	for (size_t i = 1; i < s->n; i++) {
		uint64_t g =
			s->v[i].addr - (s->v[i - 1].addr + s->v[i - 1].len);

		if (g > gap) {
			gap = g;
			best = i;
		}
	}
	return best;
}

int fk_segs_check_span(const struct fk_segs *s, uint64_t lo, uint64_t hi,
		       const char *what, struct fk_diag *err)
{
	unsigned long long mib = (hi - lo + (1u << 20) - 1) >> 20;
	const struct fk_seg *a, *b;
	size_t i;

	if (hi - lo <= FK_SPAN_MAX)
		return 0;
	if (s->n < 2)
		return fk_fail(err,
			       "%s from 0x%08llX to 0x%08llX would be "
			       "%llu MiB, more than the %llu MiB flashkit "
			       "lays out in one piece: --crop A B to the "
			       "part you need",
			       what, (unsigned long long)lo,
			       (unsigned long long)hi, mib, FK_SPAN_MAX >> 20);
	i = widest_gap(s);
	a = &s->v[i - 1];
	b = &s->v[i];
	return fk_fail(
		err,
		"%s from 0x%08llX to 0x%08llX would be %llu "
		"MiB, more than the %llu MiB flashkit lays out in "
		"one piece; the data lies in 0x%08llX..0x%08llX and "
		"0x%08llX..0x%08llX with a gap between: write a "
		"format that keeps gaps (hex, srec, uf2, dfu), or "
		"one binary per part with --crop 0x%llX 0x%llX and "
		"--crop 0x%llX 0x%llX",
		what, (unsigned long long)lo, (unsigned long long)hi, mib,
		FK_SPAN_MAX >> 20, (unsigned long long)fk_segs_start(s),
		(unsigned long long)(a->addr + a->len),
		(unsigned long long)b->addr, (unsigned long long)fk_segs_end(s),
		(unsigned long long)fk_segs_start(s),
		(unsigned long long)(a->addr + a->len),
		(unsigned long long)b->addr,
		(unsigned long long)fk_segs_end(s));
}
