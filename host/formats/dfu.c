/*
 * ST DfuSe files (UM0391, "DfuSe File Format Specification"): an 11-byte
 * prefix, one or more targets (a 274-byte target prefix naming the
 * alternate setting, then elements: address, size, bytes), and the
 * 16-byte DFU suffix (DFU 1.1 spec, bcdDFU 0x011A for DfuSe) whose last
 * field is a CRC-32 over everything before it, stored without the final
 * inversion (so it is ~crc32 as zlib computes it).
 *
 * A target is one memory seen through one alternate setting; flashkit
 * writes one element per segment and can put several memories in one
 * file. Reading checks the suffix CRC first, then every size field
 * against the bytes actually there.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "flashkit/crc.h"
#include "formats.h"

#define DFU_PREFIX 11
#define DFU_TARGET_PREFIX 274
#define DFU_ELEMENT_HEADER 8
#define DFU_SUFFIX 16
#define DFU_NAME_MAX 255

void fk_dfu_targets_free(struct fk_dfu_target *t, size_t count)
{
	for (size_t i = 0; t && i < count; i++)
		fk_segs_free(&t[i].segs);
	free(t);
}

static int check_suffix(const uint8_t *in, size_t len, const char *name,
			struct fk_diag *err)
{
	const uint8_t *s;
	uint32_t want, got;

	if (len < DFU_PREFIX + DFU_SUFFIX)
		return fk_fail(err,
			       "%s: truncated: %zu bytes is too short "
			       "for a DfuSe file",
			       name, len);
	s = in + len - DFU_SUFFIX;
	if (memcmp(s + 8, "UFD", 3) || s[11] != DFU_SUFFIX)
		return fk_fail(err,
			       "%s: offset %zu: no DFU suffix "
			       "(signature 'UFD', length 16); the file is "
			       "truncated or not a .dfu",
			       name, len - DFU_SUFFIX);
	want = ~fk_crc32(0, in, len - 4);
	got = fk_le32(s + 12);
	if (got != want)
		return fk_fail(err,
			       "%s: offset %zu: bad DFU suffix CRC "
			       "0x%08x, the file's bytes give 0x%08x",
			       name, len - 4, got, want);
	if (fk_le16(s + 6) != 0x011A)
		return fk_fail(err,
			       "%s: offset %zu: bcdDFU is 0x%04x; "
			       "DfuSe files carry 0x011a",
			       name, len - DFU_SUFFIX + 6, fk_le16(s + 6));
	return 0;
}

/* Parses the elements of one target from p[0..size). */
static int read_elements(const uint8_t *p, uint64_t size, uint32_t count,
			 size_t base_off, const char *name, unsigned t,
			 struct fk_segs *segs, struct fk_diag *err)
{
	uint64_t pos = 0;

	for (uint32_t e = 0; e < count; e++) {
		uint32_t addr, esize;
		uint64_t clash;
		int rc;

		if (size - pos < DFU_ELEMENT_HEADER)
			return fk_fail(err,
				       "%s: offset %llu: target %u "
				       "element %u: truncated header",
				       name,
				       (unsigned long long)(base_off + pos), t,
				       e);
		addr = fk_le32(p + pos);
		esize = fk_le32(p + pos + 4);
		pos += DFU_ELEMENT_HEADER;
		if (esize > size - pos)
			return fk_fail(
				err,
				"%s: offset %llu: target %u "
				"element %u: %u bytes announced, "
				"%llu left in the target",
				name, (unsigned long long)(base_off + pos), t,
				e, esize, (unsigned long long)(size - pos));
		rc = fk_segs_add(segs, addr, p + pos, esize, &clash);
		if (rc)
			return fk_fail(
				err,
				"%s: offset %llu: target %u "
				"element %u at 0x%08x %s%s",
				name, (unsigned long long)(base_off + pos), t,
				e, addr, fk_segs_strerror(rc),
				rc == FK_SEGS_OVERLAP ? " (same target)" : "");
		pos += esize;
	}
	if (pos != size)
		return fk_fail(err,
			       "%s: offset %llu: target %u: %llu bytes "
			       "after its %u elements",
			       name, (unsigned long long)(base_off + pos), t,
			       (unsigned long long)(size - pos), count);
	return 0;
}

int fk_dfu_read_targets(const uint8_t *in, size_t len, const char *name,
			struct fk_dfu_target **targets, size_t *count,
			struct fk_diag *err)
{
	struct fk_dfu_target *t;
	size_t body, pos = DFU_PREFIX;
	unsigned n;

	*targets = NULL;
	*count = 0;
	if (check_suffix(in, len, name, err))
		return -1;
	body = len - DFU_SUFFIX;
	if (memcmp(in, "DfuSe", 5) || in[5] != 1)
		return fk_fail(err,
			       "%s: offset 0: no DfuSe prefix "
			       "('DfuSe', version 1); a plain DFU file has "
			       "no addresses: use --format bin and --base",
			       name);
	/* UM0391 calls DFUImageSize the total file length; some writers
	 * leave the suffix out of it. Both are accepted. */
	if (fk_le32(in + 6) != len && fk_le32(in + 6) != body)
		return fk_fail(err,
			       "%s: offset 6: the prefix says the file "
			       "is %u bytes, it is %zu",
			       name, fk_le32(in + 6), len);
	n = in[10];
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t)
		return fk_fail(err, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = in + pos;
		uint32_t tsize, elems;

		if (body - pos < DFU_TARGET_PREFIX || memcmp(p, "Target", 6)) {
			fk_dfu_targets_free(t, n);
			return fk_fail(err,
				       "%s: offset %zu: target %u: no "
				       "'Target' prefix (the file says %u "
				       "targets)",
				       name, pos, i, n);
		}
		t[i].alt = p[6];
		if (fk_le32(p + 7)) {
			memcpy(t[i].name_buf, p + 11, DFU_NAME_MAX);
			t[i].name = t[i].name_buf;
		}
		tsize = fk_le32(p + 266);
		elems = fk_le32(p + 270);
		pos += DFU_TARGET_PREFIX;
		if (tsize > body - pos) {
			fk_dfu_targets_free(t, n);
			return fk_fail(err,
				       "%s: offset %zu: target %u: %u "
				       "bytes announced, %zu left",
				       name, pos, i, tsize, body - pos);
		}
		if (read_elements(in + pos, tsize, elems, pos, name, i,
				  &t[i].segs, err)) {
			fk_dfu_targets_free(t, n);
			return -1;
		}
		pos += tsize;
	}
	if (pos != body) {
		fk_dfu_targets_free(t, n);
		return fk_fail(err,
			       "%s: offset %zu: %zu bytes after the "
			       "last target",
			       name, pos, body - pos);
	}
	*targets = t;
	*count = n;
	return 0;
}

int fk_dfu_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err)
{
	struct fk_dfu_target *t;
	size_t n, pick = 0;

	if (fk_dfu_read_targets(in, len, name, &t, &n, err))
		return -1;
	if (o->dfu_target >= 0) {
		for (pick = 0; pick < n && t[pick].alt != o->dfu_target; pick++)
			;
		if (pick == n) {
			fk_dfu_targets_free(t, n);
			return fk_fail(err,
				       "%s: no target with alternate "
				       "setting %d",
				       name, o->dfu_target);
		}
	} else if (n != 1) {
		fk_dfu_targets_free(t, n);
		return fk_fail(err,
			       "%s: %zu targets; choose one with "
			       "--target ALT",
			       name, n);
	}
	*out = t[pick].segs;
	fk_segs_init(&t[pick].segs);
	fk_dfu_targets_free(t, n);
	return 0;
}

int fk_dfu_write_targets(const struct fk_dfu_target *t, size_t count,
			 const struct fk_write_opts *o, struct fk_buf *out,
			 struct fk_diag *err)
{
	size_t start = out->len;
	uint8_t *p;

	if (count > 255)
		return fk_fail(err, "a DfuSe file holds at most 255 targets");
	if (fk_buf_reserve(out, DFU_PREFIX))
		return fk_fail(err, "out of memory");
	p = out->p + out->len;
	memcpy(p, "DfuSe", 5);
	p[5] = 1;
	p[10] = (uint8_t)count;
	out->len += DFU_PREFIX;
	for (size_t i = 0; i < count; i++) {
		const struct fk_segs *s = &t[i].segs;
		uint64_t tsize = s->n * DFU_ELEMENT_HEADER + fk_segs_size(s);

		if (tsize > UINT32_MAX)
			return fk_fail(err, "target %zu is larger than 4 GiB",
				       i);
		if (fk_buf_reserve(out, DFU_TARGET_PREFIX + tsize))
			return fk_fail(err, "out of memory");
		p = out->p + out->len;
		memset(p, 0, DFU_TARGET_PREFIX);
		memcpy(p, "Target", 6);
		p[6] = t[i].alt;
		if (t[i].name) {
			size_t nl = strlen(t[i].name);

			fk_put_le32(p + 7, 1);
			memcpy(p + 11, t[i].name,
			       nl < DFU_NAME_MAX - 1 ? nl : DFU_NAME_MAX - 1);
		}
		fk_put_le32(p + 266, (uint32_t)tsize);
		fk_put_le32(p + 270, (uint32_t)s->n);
		p += DFU_TARGET_PREFIX;
		for (size_t e = 0; e < s->n; e++) {
			fk_put_le32(p, (uint32_t)s->v[e].addr);
			fk_put_le32(p + 4, (uint32_t)s->v[e].len);
			memcpy(p + 8, s->v[e].data, s->v[e].len);
			p += DFU_ELEMENT_HEADER + s->v[e].len;
		}
		out->len = (size_t)(p - out->p);
	}
	if (out->len - start + DFU_SUFFIX > UINT32_MAX)
		return fk_fail(err, "the DfuSe file would exceed 4 GiB");
	/* The whole file, suffix included, as dfuse-pack and ST's tools do. */
	fk_put_le32(out->p + start + 6,
		    (uint32_t)(out->len - start + DFU_SUFFIX));
	if (fk_buf_reserve(out, DFU_SUFFIX))
		return fk_fail(err, "out of memory");
	p = out->p + out->len;
	fk_put_le16(p, o->dfu_bcd_device);
	fk_put_le16(p + 2, o->dfu_pid);
	fk_put_le16(p + 4, o->dfu_vid);
	fk_put_le16(p + 6, 0x011A);
	memcpy(p + 8, "UFD", 3);
	p[11] = DFU_SUFFIX;
	fk_put_le32(p + 12,
		    ~fk_crc32(0, out->p + start, out->len - start + 12));
	out->len += DFU_SUFFIX;
	return 0;
}

int fk_dfu_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err)
{
	struct fk_dfu_target t = { .alt = o->dfu_alt,
				   .name = o->dfu_name,
				   .segs = *s };

	return fk_dfu_write_targets(&t, 1, o, out, err);
}
