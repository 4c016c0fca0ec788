/*
 * UF2 (Microsoft's USB Flashing Format, github.com/microsoft/uf2): a file
 * of 512-byte blocks, each carrying up to 476 payload bytes for one
 * target address. flashkit writes what bootloaders expect: 256-byte
 * payloads at 256-aligned addresses, one block per 256-byte window that
 * holds any data, the rest of the window padded with the fill byte, the
 * unused tail of the data area zero as the spec asks, blocks numbered
 * 0..numBlocks-1, and the family id with flag 0x2000 when one is given.
 *
 * Reading accepts any payload size up to 476, skips blocks flagged "not
 * main flash" (0x1) and file-container blocks (0x1000), and keeps only
 * the family asked for when the file holds several. It refuses a file
 * whose blocks do not count 0..numBlocks-1 in order (one such run per
 * family in a combined file), so that a file cut at a block boundary is
 * caught, and a file that gives no data at all (empty, or every block
 * skipped): writing nothing is never what the user meant.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/number.h"
#include "bytes.h"
#include "formats.h"

#define UF2_BLOCK 512
#define UF2_PAYLOAD 256
#define UF2_DATA_MAX 476
#define UF2_MAGIC0 0x0A324655u
#define UF2_MAGIC1 0x9E5D5157u
#define UF2_MAGIC_END 0x0AB16F30u
#define UF2_FLAG_NOT_MAIN 0x00000001u
#define UF2_FLAG_CONTAINER 0x00001000u
#define UF2_FLAG_FAMILY 0x00002000u

/* Where a run of blocks numbered 0..total-1 stands. */
struct uf2_count {
	uint32_t next;	/* blockNo the next block must carry */
	uint32_t total; /* numBlocks of the run */
	size_t first;	/* index in the file of the run's block 0 */
};

/*
 * Blocks come numbered 0..numBlocks-1; a file may hold several such runs
 * (one per family in a combined file). A run that ends early, by the end
 * of the file or by the next run's block 0, lost blocks.
 */
static int check_run_complete(const struct uf2_count *c, const char *name,
			      size_t b, struct fk_diag *err)
{
	if (c->next == c->total)
		return 0;
	return fk_fail(err,
		       "%s: block %zu: numBlocks says %u blocks, the "
		       "file holds %u of them (blocks %u..%u missing from "
		       "the run starting at block %zu): the file is cut "
		       "short; copy or write it again",
		       name, b, c->total, c->next, c->next, c->total - 1,
		       c->first);
}

static int check_numbering(struct uf2_count *c, const char *name, size_t b,
			   uint32_t no, uint32_t total, struct fk_diag *err)
{
	if (total == 0 || no >= total)
		return fk_fail(err,
			       "%s: block %zu: block number %u of %u "
			       "is impossible",
			       name, b, no, total);
	if (no == 0) {
		if (check_run_complete(c, name, b, err))
			return -1;
		c->first = b;
	} else if (no != c->next || total != c->total) {
		return fk_fail(err,
			       "%s: block %zu: numbered %u of %u, "
			       "expected %u of %u; a block is missing or "
			       "out of order",
			       name, b, no, total, c->next, c->total);
	}
	c->next = no + 1;
	c->total = total;
	return 0;
}

/* Blocks were read, none gave data: say why rather than write nothing. */
static int refuse_no_data(const char *name, size_t blocks,
			  const struct fk_read_opts *o, bool saw_other,
			  uint32_t other, struct fk_diag *err)
{
	if (o->has_family && saw_other)
		return fk_fail(err,
			       "%s: no block of family 0x%08x; the "
			       "file holds family 0x%08x (--family)",
			       name, o->family, other);
	return fk_fail(err,
		       "%s: none of its %zu blocks holds data for "
		       "main flash (all are empty, flagged \"not main "
		       "flash\" or file-container blocks)",
		       name, blocks);
}

int fk_uf2_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err)
{
	size_t blocks = len / UF2_BLOCK;
	bool have_family = false, saw_other = false;
	uint32_t family = 0, other = 0;
	struct uf2_count count = { 0 };

	if (len == 0)
		return fk_fail(err,
			       "%s: empty file; a UF2 file holds "
			       "512-byte blocks",
			       name);
	if (len % UF2_BLOCK)
		return fk_fail(err,
			       "%s: block %zu: truncated: the file is "
			       "%zu bytes, not a multiple of 512",
			       name, blocks, len);
	for (size_t b = 0; b < blocks; b++) {
		const uint8_t *p = in + b * UF2_BLOCK;
		uint32_t flags = fk_le32(p + 8), addr = fk_le32(p + 12);
		uint32_t size = fk_le32(p + 16), fam = fk_le32(p + 28);
		uint64_t clash;
		int rc;

		if (fk_le32(p) != UF2_MAGIC0 || fk_le32(p + 4) != UF2_MAGIC1 ||
		    fk_le32(p + 508) != UF2_MAGIC_END)
			return fk_fail(err,
				       "%s: block %zu (offset %zu): bad "
				       "magic number; not a UF2 block",
				       name, b, b * UF2_BLOCK);
		if (size > UF2_DATA_MAX)
			return fk_fail(err,
				       "%s: block %zu: payload of %u "
				       "bytes, a block holds at most 476",
				       name, b, size);
		if (check_numbering(&count, name, b, fk_le32(p + 20),
				    fk_le32(p + 24), err))
			return -1;
		if (flags & (UF2_FLAG_NOT_MAIN | UF2_FLAG_CONTAINER))
			continue;
		if (flags & UF2_FLAG_FAMILY) {
			if (o->has_family && fam != o->family) {
				saw_other = true;
				other = fam;
				continue;
			}
			if (have_family && fam != family)
				return fk_fail(err,
					       "%s: block %zu: family "
					       "0x%08x after family 0x%08x; "
					       "choose one with --family",
					       name, b, fam, family);
			have_family = true;
			family = fam;
		}
		rc = fk_segs_add(out, addr, p + 32, size, &clash);
		if (rc == FK_SEGS_OVERLAP)
			return fk_fail(err,
				       "%s: block %zu: data at 0x%08x "
				       "overlaps an earlier block at "
				       "0x%08llx",
				       name, b, addr,
				       (unsigned long long)clash);
		if (rc)
			return fk_fail(err,
				       "%s: block %zu: data at 0x%08x "
				       "%s",
				       name, b, addr, fk_segs_strerror(rc));
	}
	if (check_run_complete(&count, name, blocks - 1, err))
		return -1;
	if (out->n == 0)
		return refuse_no_data(name, blocks, o, saw_other, other, err);
	return 0;
}

/* Number of 256-byte windows that hold at least one byte of data. */
static uint64_t count_windows(const struct fk_segs *s)
{
	uint64_t count = 0, last = UINT64_MAX;

	for (size_t i = 0; i < s->n; i++) {
		uint64_t first = s->v[i].addr / UF2_PAYLOAD;
		uint64_t end = (s->v[i].addr + s->v[i].len - 1) / UF2_PAYLOAD;

		count += end - first + 1 - (first == last);
		last = end;
	}
	return count;
}

int fk_uf2_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err)
{
	uint64_t total = count_windows(s), no = 0, last = UINT64_MAX;

	if (total > UINT32_MAX)
		return fk_fail(err, "too many UF2 blocks");
	if (fk_buf_reserve(out, total * UF2_BLOCK))
		return fk_fail(err, "out of memory for %llu UF2 blocks",
			       (unsigned long long)total);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t w = s->v[i].addr / UF2_PAYLOAD;
		uint64_t end = (s->v[i].addr + s->v[i].len - 1) / UF2_PAYLOAD;

		for (; w <= end; w++) {
			uint8_t *p = out->p + out->len;

			if (w == last)
				continue;
			memset(p, 0, UF2_BLOCK);
			fk_put_le32(p, UF2_MAGIC0);
			fk_put_le32(p + 4, UF2_MAGIC1);
			fk_put_le32(p + 8, o->family ? UF2_FLAG_FAMILY : 0);
			fk_put_le32(p + 12, (uint32_t)(w * UF2_PAYLOAD));
			fk_put_le32(p + 16, UF2_PAYLOAD);
			fk_put_le32(p + 20, (uint32_t)no);
			fk_put_le32(p + 24, (uint32_t)total);
			fk_put_le32(p + 28, o->family);
			fk_segs_read(s, w * UF2_PAYLOAD, p + 32, UF2_PAYLOAD,
				     o->fill);
			fk_put_le32(p + 508, UF2_MAGIC_END);
			out->len += UF2_BLOCK;
			no++;
			last = w;
		}
	}
	return 0;
}

/* Family ids from the UF2 spec's families.json, for the parts flashkit's
 * users name most; any other family is given as a number. */
static const struct {
	const char *name;
	uint32_t id;
} uf2_families[] = {
	{ "STM32F1", 0x5ee21072 },  { "STM32F4", 0x57755a57 },
	{ "SAMD21", 0x68ed2b88 },   { "SAMD51", 0x55114460 },
	{ "NRF52840", 0xada52840 }, { "RP2040", 0xe48bff56 },
	{ "ESP32S2", 0xbfdd4eee },
};

int fk_uf2_family_parse(const char *text, uint32_t *out)
{
	const char *why;
	uint64_t v;

	for (size_t i = 0; i < sizeof(uf2_families) / sizeof(uf2_families[0]);
	     i++) {
		const char *a = uf2_families[i].name, *b = text;

		/* letters in either case; digits only as themselves */
		while (*a &&
		       tolower((unsigned char)*b) == tolower((unsigned char)*a))
			a++, b++;
		if (!*a && !*b) {
			*out = uf2_families[i].id;
			return 0;
		}
	}
	/* otherwise a number, in flashkit's one grammar (no octal) */
	if (fk_number_parse(text, 0, UINT32_MAX, &v, &why))
		return -1;
	*out = (uint32_t)v;
	return 0;
}
