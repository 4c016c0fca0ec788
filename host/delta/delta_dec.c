/*
 * Decoding a stream in memory with the device decoder (src/delta/): the
 * old image and the output are buffers, the callbacks check every access
 * against the contract in flashkit/delta.h (sequential writes, reads only
 * of what exists), so a test through here proves the device code itself.
 */
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "flashkit/delta.h"

struct mem_io {
	const uint8_t *old;
	uint32_t old_len;
	uint8_t *out;
	uint32_t out_len; /* the size the stream claims to rebuild */
	uint32_t cap;	  /* bytes allocated at out: grown as written, so a
			   * hostile size costs memory only if the stream
			   * really produces that much */
	uint32_t written;
};

/* A read of [off, off + len) from the first have bytes of src. */
static int read_in(const uint8_t *src, uint32_t have, uint32_t off, void *buf,
		   uint32_t len)
{
	if (off > have || len > have - off)
		return FK_ERANGE;
	memcpy(buf, src + off, len);
	return FK_OK;
}

static int read_old(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct mem_io *m = ctx;

	return read_in(m->old, m->old_len, off, buf, len);
}

static int read_out(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct mem_io *m = ctx;

	return read_in(m->out, m->written, off, buf, len);
}

static int write_out(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
	struct mem_io *m = ctx;

	if (off != m->written || len > m->out_len - off)
		return FK_ERANGE;
	if (len > m->cap - off) {
		uint32_t cap = m->cap;
		uint8_t *n;

		while (len > cap - off)
			cap = cap > m->out_len / 2 ? m->out_len : cap * 2;
		n = realloc(m->out, cap);
		if (n == NULL)
			return FK_ENOSPC;
		m->out = n;
		m->cap = cap;
	}
	memcpy(m->out + off, buf, len);
	m->written += len;
	return FK_OK;
}

int fk_delta_decode(const uint8_t *old, size_t old_len, const uint8_t *stream,
		    size_t stream_len, size_t new_len, unsigned block_log2,
		    size_t chunk, uint8_t **out, struct fk_diag *diag)
{
	struct fk_delta *d;
	struct mem_io m = { .old = old,
			    .old_len = (uint32_t)old_len,
			    .out_len = (uint32_t)new_len };
	struct fk_delta_io io = { read_old, read_out, write_out, &m };
	struct fk_delta_params p = { (uint32_t)old_len, (uint32_t)new_len,
				     (uint8_t)block_log2 };
	size_t off = 0;
	int rc;

	*out = NULL;
	if (old_len > INT32_MAX || new_len > INT32_MAX ||
	    stream_len > INT32_MAX || chunk == 0)
		return fk_fail(diag, "delta stream or image over 2 GiB");
	d = malloc(sizeof(*d));
	m.cap = new_len < 65536 ? (uint32_t)new_len : 65536;
	m.out = malloc(m.cap ? m.cap : 1);
	if (d == NULL || m.out == NULL) {
		free(d);
		free(m.out);
		return fk_fail_nomem(diag);
	}
	rc = fk_delta_init(d, &p, &io, 0);
	while (rc == FK_OK && off < stream_len) {
		size_t n = stream_len - off < chunk ? stream_len - off : chunk;

		rc = fk_delta_feed(d, stream + off, (uint32_t)n);
		off += n;
	}
	if (rc == FK_OK)
		rc = fk_delta_finish(d);
	if (rc == FK_OK && m.written != new_len)
		rc = FK_ECORRUPT;
	if (rc != FK_OK) {
		uint32_t at = d->in_off;

		free(d);
		free(m.out);
		if (rc == FK_ENOSPC)
			return fk_fail_nomem(diag);
		if (rc == FK_EINVAL)
			return fk_fail(diag,
				       "delta block size 2^%u is not "
				       "supported (%u..%u)",
				       block_log2, FK_DELTA_BLOCK_LOG2_MIN,
				       FK_DELTA_BLOCK_LOG2_MAX);
		return fk_fail(diag,
			       "delta stream is damaged at byte %u of %zu "
			       "(%s)",
			       (unsigned)at, stream_len, fk_strerror(rc));
	}
	free(d);
	*out = m.out;
	return 0;
}
