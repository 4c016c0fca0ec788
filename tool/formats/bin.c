/*
 * Raw binary: the bytes of one range, from a base address. Reading puts
 * the file at --base (0 by default); writing lays the segments out from
 * the lowest address (or --base) with gaps filled by the fill byte.
 */
#include <string.h>

#include "formats.h"

int fk_bin_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_fmt_error *err)
{
	int rc = fk_segs_add(out, o->base, in, len, NULL);

	if (rc)
		return fk_fmt_fail(err, "%s: %zu bytes at 0x%llx %s", name,
				   len, (unsigned long long)o->base,
				   fk_segs_strerror(rc));
	return 0;
}

int fk_bin_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_fmt_error *err)
{
	uint64_t start = o->has_base ? o->base : fk_segs_start(s);
	uint64_t end = fk_segs_end(s);

	if (s->n == 0)
		return 0;
	if (start > fk_segs_start(s))
		return fk_fmt_fail(err, "data at 0x%llx lies below the binary's "
				   "base 0x%llx; lower --base or --crop",
				   (unsigned long long)fk_segs_start(s),
				   (unsigned long long)start);
	if (fk_buf_reserve(out, end - start))
		return fk_fmt_fail(err, "out of memory for a %llu-byte binary",
				   (unsigned long long)(end - start));
	fk_segs_read(s, start, out->p + out->len, end - start, o->fill);
	out->len += end - start;
	return 0;
}
