/*
 * Motorola S-record. Read: S0 header (skipped), S1/S2/S3 data with 16,
 * 24 and 32-bit addresses, S5/S6 record counts (checked against the data
 * records seen), S7/S8/S9 termination with the entry point. Every
 * checksum is verified; errors name FILE:LINE. A termination address of
 * 0 reads as "no entry point", since writers put 0 there when they have
 * none. Count and termination records carry no data bytes.
 *
 * A file must end with a termination record, or with a count record:
 * srec_cat leaves the termination record out when it has no entry point
 * but always writes the count, so a file that stops after a data record
 * (or holds no record at all) is one cut short and is refused. srec_cat
 * only warns about both; flashkit refuses, since a production file that
 * lost its tail would program a partial image.
 *
 * Written: S0 when a header text is given, data records of 16 bytes with
 * the smallest address width that holds every address (or the forced
 * one, refused when an address does not fit), S5 or S6 with the count,
 * and the termination record matching the width.
 */
#include <string.h>

#include "bytes.h"
#include "formats.h"

#define SREC_LINE_BYTES 16

struct srec_reader {
	const char *name;
	unsigned long line;
	struct fk_diag *err;
};

/* Address bytes of each record type; 0 for types that carry none. */
static const unsigned addr_bytes[10] = { 2, 2, 3, 4, 0, 2, 3, 4, 3, 2 };

static int decode(struct srec_reader *r, const uint8_t *p, size_t n,
		  unsigned type, uint8_t *rec)
{
	size_t nbytes, bad;
	uint8_t sum = 0;

	if (n % 2)
		return fk_fail(r->err,
			       "%s:%lu: odd number of hex digits "
			       "(%zu); the record is cut or has a stray "
			       "character",
			       r->name, r->line, n);
	nbytes = n / 2;
	if (nbytes > 256)
		return fk_fail(r->err,
			       "%s:%lu: record of %zu bytes is "
			       "longer than any record can be",
			       r->name, r->line, nbytes);
	if (fk_hex_decode(p, nbytes, rec, &bad))
		return fk_fail(r->err,
			       "%s:%lu:%zu: '%c' is not a hex "
			       "digit",
			       r->name, r->line, 3 + bad, p[bad]);
	if (nbytes < 1 || (size_t)rec[0] + 1 != nbytes ||
	    rec[0] < addr_bytes[type] + 1)
		return fk_fail(r->err,
			       "%s:%lu: truncated record: its count"
			       " byte says %u bytes follow, the line holds "
			       "%zu (S%u needs at least %u)",
			       r->name, r->line, nbytes ? rec[0] : 0,
			       nbytes ? nbytes - 1 : 0, type,
			       addr_bytes[type] + 1);
	for (size_t i = 0; i + 1 < nbytes; i++)
		sum += rec[i];
	sum = (uint8_t)~sum;
	if (sum != rec[nbytes - 1])
		return fk_fail(r->err,
			       "%s:%lu: bad checksum 0x%02X, the "
			       "record's bytes need 0x%02X",
			       r->name, r->line, rec[nbytes - 1], sum);
	return (int)nbytes;
}

/* S5-S9 hold an address or a count and nothing else. */
static int refuse_data(struct srec_reader *r, unsigned type, uint64_t len)
{
	if (type == 5 || type == 6)
		return fk_fail(r->err,
			       "%s:%lu: the S%u count record "
			       "carries %llu data byte%s; it holds only "
			       "the count",
			       r->name, r->line, type, (unsigned long long)len,
			       len == 1 ? "" : "s");
	return fk_fail(r->err,
		       "%s:%lu: the S%u termination record "
		       "carries %llu data byte%s; it holds only the entry "
		       "address (S9030000FC for none)",
		       r->name, r->line, type, (unsigned long long)len,
		       len == 1 ? "" : "s");
}

/* A file that does not end with a termination or count record. */
static int refuse_unterminated(struct srec_reader *r, unsigned long last)
{
	if (!last)
		return fk_fail(r->err,
			       "%s: no S-records in the file; it "
			       "is empty or not an S-record file",
			       r->name);
	return fk_fail(r->err,
		       "%s:%lu: the file ends after this record, "
		       "with no termination record (S7/S8/S9) or record "
		       "count (S5/S6): it may be cut short; write it "
		       "again, or end it with S9030000FC if it is "
		       "complete",
		       r->name, last);
}

int fk_srec_read(const uint8_t *in, size_t len, const char *name,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err)
{
	struct srec_reader r = { .name = name, .err = err };
	const uint8_t *pos = in, *end = in + len, *p, *le;
	unsigned long data_records = 0, term_line = 0, last_line = 0;
	bool counted = false;
	uint8_t rec[257];

	(void)o;
	while (fk_next_text_line(&pos, end, &p, &le)) {
		unsigned type, ab;
		uint64_t addr = 0, dlen;
		int n;

		r.line++;
		if (le == p)
			continue;
		if (term_line)
			return fk_fail(err,
				       "%s:%lu: record after the "
				       "termination record of line %lu",
				       name, r.line, term_line);
		if (*p != 'S')
			return fk_fail(err,
				       "%s:%lu:1: a record starts with "
				       "'S', not '%c'",
				       name, r.line, *p);
		if (le - p < 2 || p[1] < '0' || p[1] > '9' || p[1] == '4')
			return fk_fail(err,
				       "%s:%lu:2: unknown record type "
				       "'S%c' (known: S0-S3, S5-S9)",
				       name, r.line, le - p < 2 ? ' ' : p[1]);
		type = (unsigned)(p[1] - '0');
		n = decode(&r, p + 2, (size_t)(le - p - 2), type, rec);
		if (n < 0)
			return -1;
		ab = addr_bytes[type];
		for (unsigned i = 0; i < ab; i++)
			addr = addr << 8 | rec[1 + i];
		dlen = (uint64_t)n - 2 - ab;
		last_line = r.line;
		counted = type == 5 || type == 6;
		if (type >= 5 && dlen)
			return refuse_data(&r, type, dlen);
		switch (type) {
		case 0:
			break;
		case 1:
		case 2:
		case 3:
			if (fk_text_add_data(out, name, r.line, addr,
					     rec + 1 + ab, dlen, err))
				return -1;
			data_records++;
			break;
		case 5:
		case 6:
			if (addr != data_records)
				return fk_fail(err,
					       "%s:%lu: the S%u count "
					       "record says %llu data "
					       "records, the file has %lu "
					       "before it",
					       name, r.line, type,
					       (unsigned long long)addr,
					       data_records);
			break;
		default:
			/* Writers put 0 here when there is no entry point. */
			out->has_entry = addr != 0;
			out->entry = addr;
			term_line = r.line;
			break;
		}
	}
	if (!term_line && !counted)
		return refuse_unterminated(&r, last_line);
	return 0;
}

/* Writes "S<type>" and the record; p needs 4 + 2 * (n + ab + 2) bytes. */
static uint8_t *put_record(uint8_t *p, unsigned type, unsigned ab,
			   uint64_t addr, const uint8_t *data, unsigned n)
{
	unsigned count = ab + n + 1;
	uint8_t sum = (uint8_t)count;

	*p++ = 'S';
	*p++ = (uint8_t)('0' + type);
	memcpy(p, fk_hex_pair[count], 2);
	p += 2;
	for (unsigned i = ab; i-- > 0;) {
		uint8_t b = (uint8_t)(addr >> (8 * i));

		memcpy(p, fk_hex_pair[b], 2);
		p += 2;
		sum += b;
	}
	for (unsigned i = 0; i < n; i++) {
		memcpy(p, fk_hex_pair[data[i]], 2);
		p += 2;
		sum += data[i];
	}
	memcpy(p, fk_hex_pair[(uint8_t)~sum], 2);
	p[2] = '\n';
	return p + 3;
}

static unsigned width_for(uint64_t last)
{
	return last <= 0xFFFF ? 2 : last <= 0xFFFFFF ? 3 : 4;
}

int fk_srec_write(const struct fk_segs *s, const struct fk_write_opts *o,
		  struct fk_buf *out, struct fk_diag *err)
{
	uint64_t last = s->n ? fk_segs_end(s) - 1 : 0;
	unsigned ab = width_for(last);
	unsigned long records = 0;
	uint8_t *p;

	if (s->has_entry && width_for(s->entry) > ab)
		ab = width_for(s->entry);
	if (o->srec_addr_bytes) {
		if ((unsigned)o->srec_addr_bytes < ab)
			return fk_fail(
				err,
				"address 0x%llX needs S%u records"
				" (%u-byte addresses); S%d records "
				"hold %d bytes: drop the forced "
				"record type or --crop",
				(unsigned long long)(width_for(last) >
								     (unsigned)o
									     ->srec_addr_bytes ?
							     last :
							     s->entry),
				ab - 1, ab, o->srec_addr_bytes - 1,
				o->srec_addr_bytes);
		ab = (unsigned)o->srec_addr_bytes;
	}
	if (o->srec_header) {
		size_t hl = strlen(o->srec_header);

		if (hl > 64)
			hl = 64;
		if (fk_buf_reserve(out, 4 + 2 * (hl + 4)))
			return fk_fail(err, "out of memory");
		p = put_record(out->p + out->len, 0, 2, 0,
			       (const uint8_t *)o->srec_header, (unsigned)hl);
		out->len = (size_t)(p - out->p);
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct fk_seg *seg = &s->v[i];

		if (fk_buf_reserve(out, (seg->len / SREC_LINE_BYTES +
					 1) * (4 + 2 * (SREC_LINE_BYTES + 6))))
			return fk_fail(err, "out of memory");
		p = out->p + out->len;
		for (uint64_t done = 0; done < seg->len;) {
			uint64_t n = seg->len - done;

			if (n > SREC_LINE_BYTES)
				n = SREC_LINE_BYTES;
			p = put_record(p, ab - 1, ab, seg->addr + done,
				       seg->data + done, (unsigned)n);
			done += n;
			records++;
		}
		out->len = (size_t)(p - out->p);
	}
	if (fk_buf_reserve(out, 2 * 20))
		return fk_fail(err, "out of memory");
	p = out->p + out->len;
	if (records <= 0xFFFF)
		p = put_record(p, 5, 2, records, NULL, 0);
	else if (records <= 0xFFFFFF)
		p = put_record(p, 6, 3, records, NULL, 0);
	p = put_record(p, 11 - ab, ab, s->has_entry ? s->entry : 0, NULL, 0);
	out->len = (size_t)(p - out->p);
	return 0;
}
