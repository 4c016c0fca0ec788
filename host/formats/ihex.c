/*
 * Intel HEX (Intel's "Hexadecimal Object File Format Specification",
 * rev. A). Read: records 00 data, 01 end of file, 02 extended segment
 * address, 03 start segment address, 04 extended linear address,
 * 05 start linear address; every checksum is verified and every error
 * names FILE:LINE (and the column for a bad character). Written: 16 data
 * bytes per record, never crossing a 64 KiB boundary, 04 records as the
 * upper address changes, 05 for the entry point, 01 at the end.
 *
 * A data record that runs past the end of a 64 KiB window continues
 * linearly under an 04 base (the spec's linear mode) and wraps inside
 * the segment under an 02 base (its segment mode).
 */
#include <string.h>

#include "bytes.h"
#include "formats.h"

#define IHEX_LINE_BYTES 16
/* ':', count, address, type, data, checksum, '\n' */
#define IHEX_RECORD_MAX (12 + 2 * IHEX_LINE_BYTES)

struct ihex_reader {
	const char *name;
	unsigned long line;
	struct fk_diag *err;
};

/* Decodes the hex pairs of one record (text after ':', up to the end of
 * the line) into rec; returns the byte count or -1. */
static int decode_record(struct ihex_reader *r, const uint8_t *p, size_t n,
			 uint8_t *rec)
{
	size_t nbytes, bad;

	if (n % 2)
		return fk_fail(r->err,
			       "%s:%lu: odd number of hex digits "
			       "(%zu); the record is cut or has a stray "
			       "character",
			       r->name, r->line, n);
	nbytes = n / 2;
	if (nbytes < 5)
		return fk_fail(r->err,
			       "%s:%lu: truncated record: %zu bytes,"
			       " a record has at least 5",
			       r->name, r->line, nbytes);
	if (nbytes > 255 + 5)
		return fk_fail(r->err,
			       "%s:%lu: record of %zu bytes is "
			       "longer than any record can be",
			       r->name, r->line, nbytes);
	if (fk_hex_decode(p, nbytes, rec, &bad))
		return fk_fail(r->err,
			       "%s:%lu:%zu: '%c' is not a hex "
			       "digit",
			       r->name, r->line, 2 + bad, p[bad]);
	if ((size_t)rec[0] + 5 != nbytes)
		return fk_fail(r->err,
			       "%s:%lu: truncated record: its length"
			       " byte says %u data bytes, the line holds "
			       "%zu",
			       r->name, r->line, rec[0],
			       nbytes >= 5 ? nbytes - 5 : 0);
	{
		uint8_t sum = 0;

		for (size_t i = 0; i < nbytes; i++)
			sum += rec[i];
		if (sum != 0) {
			uint8_t want = (uint8_t)(rec[nbytes - 1] - sum);

			return fk_fail(r->err,
				       "%s:%lu: bad checksum 0x%02X,"
				       " the record's bytes need 0x%02X",
				       r->name, r->line, rec[nbytes - 1], want);
		}
	}
	return (int)nbytes;
}

static int need_len(struct ihex_reader *r, const uint8_t *rec, unsigned want)
{
	if (rec[0] != want)
		return fk_fail(r->err,
			       "%s:%lu: record type %02X must hold "
			       "%u data bytes, not %u",
			       r->name, r->line, rec[3], want, rec[0]);
	return 0;
}

int fk_ihex_read(const uint8_t *in, size_t len, const char *name,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err)
{
	struct ihex_reader r = { .name = name, .err = err };
	const uint8_t *pos = in, *end = in + len, *p, *le;
	uint64_t upper = 0;
	bool segment_mode = false, seen_eof = false;
	unsigned long eof_line = 0;
	uint8_t rec[262];

	(void)o;
	while (fk_next_text_line(&pos, end, &p, &le)) {
		int n;

		r.line++;
		if (le == p)
			continue;
		if (seen_eof)
			return fk_fail(err,
				       "%s:%lu: record after the "
				       "end-of-file record of line %lu",
				       name, r.line, eof_line);
		if (*p != ':')
			return fk_fail(err,
				       "%s:%lu:1: a record starts with "
				       "':', not '%c'",
				       name, r.line, *p);
		n = decode_record(&r, p + 1, (size_t)(le - p - 1), rec);
		if (n < 0)
			return -1;
		uint32_t off = fk_be16(rec + 1);
		uint32_t val32 = fk_be32(rec + 4);
		switch (rec[3]) {
		case 0x00:
			if (segment_mode && off + rec[0] > 0x10000u) {
				uint32_t first = 0x10000u - off;

				if (fk_text_add_data(out, name, r.line,
						     upper + off, rec + 4,
						     first, err) ||
				    fk_text_add_data(out, name, r.line, upper,
						     rec + 4 + first,
						     rec[0] - first, err))
					return -1;
			} else if (fk_text_add_data(out, name, r.line,
						    upper + off, rec + 4,
						    rec[0], err)) {
				return -1;
			}
			break;
		case 0x01:
			if (need_len(&r, rec, 0))
				return -1;
			seen_eof = true;
			eof_line = r.line;
			break;
		case 0x02:
			if (need_len(&r, rec, 2))
				return -1;
			upper = (uint64_t)fk_be16(rec + 4) << 4;
			segment_mode = true;
			break;
		case 0x03:
			if (need_len(&r, rec, 4))
				return -1;
			out->has_entry = true;
			out->entry = ((uint64_t)(val32 >> 16) << 4) +
				     (val32 & 0xFFFF);
			break;
		case 0x04:
			if (need_len(&r, rec, 2))
				return -1;
			upper = (uint64_t)fk_be16(rec + 4) << 16;
			segment_mode = false;
			break;
		case 0x05:
			if (need_len(&r, rec, 4))
				return -1;
			out->has_entry = true;
			out->entry = val32;
			break;
		default:
			return fk_fail(err,
				       "%s:%lu:8: unknown record type "
				       "%02X (known: 00-05)",
				       name, r.line, rec[3]);
		}
	}
	if (!seen_eof)
		return fk_fail(err,
			       "%s:%lu: no end-of-file record "
			       "(:00000001FF); the file is truncated",
			       name, r.line);
	return 0;
}

/* Writes one record; p must have room for 12 + 2 * n characters. */
static uint8_t *put_record(uint8_t *p, uint8_t type, uint16_t off,
			   const uint8_t *data, unsigned n)
{
	uint8_t sum = (uint8_t)(n + (off >> 8) + (off & 0xFF) + type);

	*p++ = ':';
	memcpy(p, fk_hex_pair[n], 2);
	memcpy(p + 2, fk_hex_pair[off >> 8], 2);
	memcpy(p + 4, fk_hex_pair[off & 0xFF], 2);
	memcpy(p + 6, fk_hex_pair[type], 2);
	p += 8;
	for (unsigned i = 0; i < n; i++) {
		memcpy(p, fk_hex_pair[data[i]], 2);
		p += 2;
		sum += data[i];
	}
	memcpy(p, fk_hex_pair[(uint8_t)-sum], 2);
	p[2] = '\n';
	return p + 3;
}

int fk_ihex_write(const struct fk_segs *s, const struct fk_write_opts *o,
		  struct fk_buf *out, struct fk_diag *err)
{
	uint32_t upper = 0;

	(void)o;
	for (size_t i = 0; i < s->n; i++) {
		const struct fk_seg *seg = &s->v[i];
		/* Data records, one more per 64 KiB boundary crossed, and
		 * an 04 record per upper address (the first one included). */
		uint64_t records = seg->len / IHEX_LINE_BYTES + 1 +
				   2 * ((seg->len >> 16) + 2);
		uint8_t *p;

		if (fk_buf_reserve(out, records * IHEX_RECORD_MAX))
			return fk_fail(err, "out of memory");
		p = out->p + out->len;
		for (uint64_t done = 0; done < seg->len;) {
			uint64_t addr = seg->addr + done;
			uint32_t hi = (uint32_t)(addr >> 16);
			uint32_t room = 0x10000u - (uint32_t)(addr & 0xFFFF);
			uint64_t n = seg->len - done;

			if (n > IHEX_LINE_BYTES)
				n = IHEX_LINE_BYTES;
			if (n > room)
				n = room;
			if (hi != upper) {
				uint8_t b[2];

				fk_put_be16(b, (uint16_t)hi);
				p = put_record(p, 0x04, 0, b, 2);
				upper = hi;
			}
			p = put_record(p, 0x00, (uint16_t)addr,
				       seg->data + done, (unsigned)n);
			done += n;
		}
		out->len = (size_t)(p - out->p);
	}
	if (fk_buf_reserve(out, 2 * IHEX_RECORD_MAX))
		return fk_fail(err, "out of memory");
	{
		uint8_t *p = out->p + out->len;

		if (s->has_entry) {
			uint8_t b[4];

			fk_put_be32(b, (uint32_t)s->entry);
			p = put_record(p, 0x05, 0, b, 4);
		}
		p = put_record(p, 0x01, 0, NULL, 0);
		out->len = (size_t)(p - out->p);
	}
	return 0;
}
