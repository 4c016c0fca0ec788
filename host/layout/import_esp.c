/*
 * ESP-IDF's partition table CSV (partitions.csv) into a layout, with the
 * grammar of ESP-IDF's gen_esp32part.py: '#' comments and blank lines,
 * comma-separated columns Name, Type, SubType, Offset, Size, Flags
 * (missing trailing columns are empty), names or numbers for types and
 * subtypes, sizes and offsets in decimal, hex, with K/M suffixes, a
 * negative size "-X" meaning "up to offset X", and empty offsets placed after
 * the previous partition, aligned to 64K for app partitions and 4K for the
 * others, the first one after the partition table (its offset + 0x1000).
 *
 * Invariant kept for the layout: every partition comes out covering
 * whole 4K sectors of one external flash, in table order, no two
 * overlapping; what a layout cannot say (the type, subtype and flags)
 * rides along in each partition's `esp-idf` key, so `layout gen
 * --esp-idf` writes the same table back.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/error.h"
#include "layout/import_internal.h"

#define ESP_TABLE_OFFSET 0x8000u
#define ESP_TABLE_SIZE 0x1000u
#define ESP_NAME_MAX 16
#define ESP_OTADATA_SIZE 0x2000u
#define ESP_SECTOR 0x1000u
/* The largest flash a layout's 4K sector map can describe. */
#define ESP_FLASH_MAX 0xFFFFF000u

struct esp_row {
	char name[ESP_NAME_MAX + 1];
	struct fk_esp_kind kind;
	bool has_offset;
	bool size_is_end; /* "-X": ESP-IDF's "ends at X" */
	uint64_t offset, size;
	struct fk_pos pos_name, pos_offset, pos_size;
};

struct esp_reader {
	const char *file;
	struct fk_diag *d;
	struct esp_row *rows;
	size_t count, cap;
	uint32_t table_offset;
};

/* One column of a line: [start, end) trimmed, and its 1-based column. */
struct column {
	const char *start;
	size_t len;
	uint32_t col;
};

static int split_columns(const char *line, size_t len, struct column *cols,
			 int max, const char *line_start)
{
	int n = 0;
	const char *p = line, *end = line + len;

	for (;;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *stop = c ? c : end;
		const char *s = p;

		while (s < stop && isspace((unsigned char)*s))
			s++;
		while (stop > s && isspace((unsigned char)stop[-1]))
			stop--;
		if (n < max) {
			cols[n].start = s;
			cols[n].len = (size_t)(stop - s);
			cols[n].col = (uint32_t)(s - line_start) + 1;
		}
		n++;
		if (!c)
			break;
		p = c + 1;
	}
	for (int i = n; i < max; i++) {
		cols[i].start = end;
		cols[i].len = 0;
		cols[i].col = (uint32_t)(end - line_start) + 1;
	}
	return n;
}

static void column_text(const struct column *c, char *buf, size_t len)
{
	size_t n = c->len < len - 1 ? c->len : len - 1;

	memcpy(buf, c->start, n);
	buf[n] = '\0';
}

static struct esp_row *new_row(struct esp_reader *r)
{
	if (r->count == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 16;
		struct esp_row *rows = realloc(r->rows, ncap * sizeof(*rows));

		if (!rows)
			return NULL;
		r->rows = rows;
		r->cap = ncap;
	}
	memset(&r->rows[r->count], 0, sizeof(r->rows[0]));
	return &r->rows[r->count++];
}

/* Parses one table line into a row; reports its errors. */
static int read_row(struct esp_reader *r, const char *line, size_t len,
		    uint32_t line_no, const char *line_start)
{
	struct column c[6];
	struct esp_row *row;
	char text[128];
	const char *why;
	struct fk_pos pos = { r->file, line_no, 1 };
	int n = split_columns(line, len, c, 6, line_start);
	int errors = 0;

	if (n > 6) {
		pos.col = c[5].col + (uint32_t)c[5].len;
		fk_diag_warning(r->d, &pos,
				"more than 6 columns; ESP-IDF ignores what "
				"follows the flags, and so does the import");
	}
	row = new_row(r);
	if (!row)
		return FK_ENOSPC;
	column_text(&c[0], text, sizeof(text));
	row->pos_name = (struct fk_pos){ r->file, line_no, c[0].col };
	if (!c[0].len || c[0].len > ESP_NAME_MAX) {
		fk_diag_error(
			r->d, &row->pos_name, "partition name '%s' %s", text,
			c[0].len ? "is longer than ESP-IDF's 16 "
				   "characters; shorten it" :
				   "is empty; give each partition a name");
		errors++;
	} else if (!fk_import_valid_name(text)) {
		fk_diag_error(r->d, &row->pos_name,
			      "partition name '%s' cannot be a layout name: "
			      "start it with a letter and use only letters, "
			      "digits, '-' and '_' (it becomes a C macro)",
			      text);
		errors++;
	}
	snprintf(row->name, sizeof(row->name), "%.16s", text);

	pos.col = c[1].col;
	column_text(&c[1], text, sizeof(text));
	if (fk_esp_parse_type(text, &row->kind.type, &why)) {
		fk_diag_error(r->d, &pos, "type '%s' %s", text, why);
		return 1;
	}
	pos.col = c[2].col;
	column_text(&c[2], text, sizeof(text));
	if (fk_esp_parse_subtype(row->kind.type, text, &row->kind.subtype,
				 &why)) {
		fk_diag_error(r->d, &pos, "subtype '%s' %s", text, why);
		errors++;
	}
	row->pos_offset = (struct fk_pos){ r->file, line_no, c[3].col };
	column_text(&c[3], text, sizeof(text));
	row->has_offset = c[3].len != 0;
	if (row->has_offset && fk_esp_parse_int(text, &row->offset, &why)) {
		fk_diag_error(r->d, &row->pos_offset, "offset '%s' %s", text,
			      why);
		errors++;
	}
	row->pos_size = (struct fk_pos){ r->file, line_no, c[4].col };
	column_text(&c[4], text, sizeof(text));
	if (!c[4].len) {
		fk_diag_error(r->d, &row->pos_size,
			      "the size column is empty; give the size (e.g. "
			      "0x4000, 64K, 1M)");
		errors++;
	} else if (fk_esp_parse_int(text + (text[0] == '-'), &row->size,
				    &why)) {
		fk_diag_error(r->d, &row->pos_size, "size '%s' %s", text, why);
		errors++;
	} else if (text[0] == '-') {
		row->size_is_end = true;
	} else if (row->size == 0) {
		fk_diag_error(r->d, &row->pos_size,
			      "size 0: give the partition at least one 4K "
			      "sector");
		errors++;
	}
	pos.col = c[5].col;
	column_text(&c[5], text, sizeof(text));
	if (fk_esp_parse_flags(text, &row->kind.flags, &why)) {
		fk_diag_error(r->d, &pos, "flags '%s' %s", text, why);
		errors++;
	}
	return errors ? 1 : 0;
}

/* Reads every line: the number of lines with errors, or FK_ENOSPC. */
static int read_lines(struct esp_reader *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	uint32_t line_no = 0;
	int bad = 0;

	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* a UTF-8 byte order mark, as ESP-IDF accepts */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *line_start = p, *s = p, *e = stop;
		int rc;

		line_no++;
		p = nl ? nl + 1 : end;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		if (memchr(s, '\0', (size_t)(e - s)) ||
		    memchr(s, '$', (size_t)(e - s))) {
			const char *bad_c = memchr(s, '\0', (size_t)(e - s));
			struct fk_pos pos = { r->file, line_no, 1 };

			if (!bad_c)
				bad_c = memchr(s, '$', (size_t)(e - s));
			pos.col = (uint32_t)(bad_c - line_start) + 1;
			fk_diag_error(r->d, &pos,
				      *bad_c ? "'$': ESP-IDF expands "
					       "environment variables here, "
					       "the import does not; write "
					       "the value itself" :
					       "a NUL byte; a partition table "
					       "is text");
			bad++;
			continue;
		}
		rc = read_row(r, s, (size_t)(e - s), line_no, line_start);
		if (rc == FK_ENOSPC)
			return rc;
		bad += rc;
	}
	return bad;
}

/* The bootloader and partition table rows (ESP-IDF 5.3+) sit where the
 * chip and the project put them, below the partitions: an explicit
 * offset (the table's own defaults to --table-offset); they move nothing
 * else. */
static int place_fixed(struct esp_reader *r, struct esp_row *e)
{
	if (!e->has_offset && e->kind.type == FK_ESP_TYPE_PARTITION_TABLE &&
	    e->kind.subtype == 0) {
		e->offset = r->table_offset;
	} else if (!e->has_offset) {
		fk_diag_error(r->d, &e->pos_offset,
			      "a %s row needs its offset (where the chip or "
			      "the project puts it)",
			      fk_esp_type_name(e->kind.type));
		return 1;
	}
	if (e->size_is_end) {
		fk_diag_error(r->d, &e->pos_size,
			      "give the size of a %s row itself",
			      fk_esp_type_name(e->kind.type));
		return 1;
	}
	if (e->offset % ESP_SECTOR) {
		fk_diag_error(r->d, &e->pos_offset,
			      "offset 0x%llX is not aligned to 0x1000",
			      (unsigned long long)e->offset);
		return 1;
	}
	if (e->offset + e->size > ESP_FLASH_MAX) {
		fk_diag_error(r->d, &e->pos_size,
			      "'%s' ends past the 4G a flash can have",
			      e->name);
		return 1;
	}
	return 0;
}

/* ESP-IDF's placement: empty offsets after the previous partition,
 * aligned for the type; given offsets must not go backwards. */
static int place(struct esp_reader *r)
{
	uint64_t last_end = (uint64_t)r->table_offset + ESP_TABLE_SIZE;
	int errors = 0;

	for (size_t i = 0; i < r->count; i++) {
		struct esp_row *e = &r->rows[i];
		uint32_t align = fk_esp_align(e->kind.type);

		if (e->kind.type == FK_ESP_TYPE_BOOTLOADER ||
		    e->kind.type == FK_ESP_TYPE_PARTITION_TABLE) {
			errors += place_fixed(r, e);
			continue;
		}
		if (!e->has_offset) {
			e->offset = (last_end + align - 1) / align * align;
		} else if (e->offset < last_end) {
			if (i == 0)
				fk_diag_error(r->d, &e->pos_offset,
					      "offset 0x%llX is inside the "
					      "partition table (0x%X..0x%llX); "
					      "start at 0x%llX or later, or "
					      "give --table-offset",
					      (unsigned long long)e->offset,
					      r->table_offset,
					      (unsigned long long)last_end,
					      (unsigned long long)last_end);
			else
				fk_diag_error(r->d, &e->pos_offset,
					      "offset 0x%llX overlaps '%s', "
					      "which ends at 0x%llX; move it "
					      "up or leave the offset empty",
					      (unsigned long long)e->offset,
					      r->rows[i - 1].name,
					      (unsigned long long)last_end);
			errors++;
		} else if (e->offset % align) {
			fk_diag_error(r->d, &e->pos_offset,
				      "offset 0x%llX is not aligned to 0x%X, "
				      "as ESP-IDF needs for a%s partition; "
				      "round it up or leave it empty",
				      (unsigned long long)e->offset, align,
				      e->kind.type == FK_ESP_TYPE_APP ?
					      "n app" :
					      " non-app");
			errors++;
		}
		if (e->size_is_end && e->size <= e->offset) {
			fk_diag_error(
				r->d, &e->pos_size,
				"size -0x%llX means 'up to 0x%llX', which "
				"is not after the offset 0x%llX",
				(unsigned long long)e->size,
				(unsigned long long)e->size,
				(unsigned long long)e->offset);
			return errors + 1;
		}
		if (e->size_is_end)
			e->size -= e->offset;
		last_end = e->offset + e->size;
		if (last_end > ESP_FLASH_MAX) {
			fk_diag_error(r->d, &e->pos_size,
				      "'%s' ends at 0x%llX, past the 4G a "
				      "flash can have; check its size",
				      e->name, (unsigned long long)last_end);
			return errors + 1;
		}
	}
	return errors;
}

/* What a layout adds: whole sectors, unique names, one otadata. */
static int verify(struct esp_reader *r)
{
	int errors = 0;
	size_t otadata = 0;

	for (size_t i = 0; i < r->count; i++) {
		struct esp_row *e = &r->rows[i];

		if (e->size % ESP_SECTOR) {
			fk_diag_error(
				r->d, &e->pos_size,
				"size 0x%llX of '%s' is not a multiple "
				"of the flash's 4K sector; a layout's "
				"partitions cover whole sectors: round "
				"it up to 0x%llX",
				(unsigned long long)e->size, e->name,
				(unsigned long long)(e->size + ESP_SECTOR - 1) /
					ESP_SECTOR * ESP_SECTOR);
			errors++;
		}
		for (size_t k = 0; k < i; k++)
			if (fk_import_same_name(r->rows[k].name, e->name)) {
				fk_diag_error(r->d, &e->pos_name,
					      "partition name '%s' is taken "
					      "by line %u ('%s'); names must "
					      "differ by more than case and "
					      "'-'/'_'",
					      e->name, r->rows[k].pos_name.line,
					      r->rows[k].name);
				errors++;
				break;
			}
		if (i &&
		    r->rows[i - 1].offset + r->rows[i - 1].size > e->offset) {
			fk_diag_error(
				r->d, &e->pos_offset,
				"'%s' at 0x%llX overlaps '%s' (line %u, "
				"0x%llX..0x%llX); move one of them",
				e->name, (unsigned long long)e->offset,
				r->rows[i - 1].name,
				r->rows[i - 1].pos_name.line,
				(unsigned long long)r->rows[i - 1].offset,
				(unsigned long long)(r->rows[i - 1].offset +
						     r->rows[i - 1].size));
			errors++;
		}
		if (e->kind.type == FK_ESP_TYPE_DATA && e->kind.subtype == 0) {
			if (otadata++) {
				fk_diag_error(r->d, &e->pos_name,
					      "a second otadata (data, ota) "
					      "partition; ESP-IDF allows one");
				errors++;
			} else if (e->size != ESP_OTADATA_SIZE) {
				fk_diag_error(r->d, &e->pos_size,
					      "otadata must be 0x2000 bytes "
					      "(ESP-IDF's two 4K copies)");
				errors++;
			}
		}
	}
	return errors;
}

/* The layout role of an ESP-IDF kind. */
static const char *esp_role(const struct fk_esp_kind *k)
{
	if (k->type == FK_ESP_TYPE_APP)
		return "slot";
	if (k->type == FK_ESP_TYPE_BOOTLOADER)
		return "bootloader";
	if (k->type != FK_ESP_TYPE_DATA)
		return NULL;
	switch (k->subtype) {
	case 0x00: /* ota: which app boots */
		return "boot-state";
	case 0x01: /* phy: RF calibration */
	case 0x04: /* nvs_keys */
		return "config";
	case 0x02: /* nvs */
	case 0x80: /* esphttpd */
	case 0x81: /* fat */
	case 0x82: /* spiffs */
	case 0x83: /* littlefs */
		return "storage";
	default:
		return NULL;
	}
}

static uint32_t flash_size_for(uint64_t end)
{
	uint64_t size = 0x100000; /* the smallest ESP flash: 1M */

	while (size < end)
		size <<= 1;
	return size > ESP_FLASH_MAX ? ESP_FLASH_MAX : (uint32_t)size;
}

/* Address order, table order among equals: the layout sorts its
 * partitions so, and `gen --esp-idf` writes them so (only bootloader and
 * partition table rows can come out of order). */
static void sort_by_offset(struct esp_reader *r)
{
	for (size_t i = 1; i < r->count; i++) {
		struct esp_row row = r->rows[i];
		size_t k = i;

		for (; k > 0 && r->rows[k - 1].offset > row.offset; k--)
			r->rows[k] = r->rows[k - 1];
		r->rows[k] = row;
	}
}

static void emit(struct esp_reader *r, const struct fk_import_opts *opts,
		 struct fk_import_out *o)
{
	uint64_t end = 0;
	uint32_t size;
	char comment[160];

	for (size_t i = 0; i < r->count; i++)
		if (r->rows[i].offset + r->rows[i].size > end)
			end = r->rows[i].offset + r->rows[i].size;
	size = opts && opts->flash_size ? opts->flash_size :
					  flash_size_for(end);
	fk_import_note(o, NULL,
		       "the flash: an external SPI NOR of %u K in 4K "
		       "sectors, without a base (the ESP's MMU maps it "
		       "through the cache)%s",
		       size / 1024,
		       opts && opts->flash_size ?
			       "" :
			       "; its size is the smallest power of two "
			       "holding the table: give --flash-size for "
			       "your chip");
	fk_import_note(o, NULL,
		       "the second-stage bootloader (below 0x%X) and the "
		       "partition table (0x%X..0x%X) are ESP-IDF's and "
		       "not in the layout unless the table has rows of "
		       "type bootloader or partition_table",
		       r->table_offset, r->table_offset,
		       r->table_offset + ESP_TABLE_SIZE);
	fk_import_note(o, NULL,
		       "roles: app -> slot, data ota -> boot-state, phy and "
		       "nvs_keys -> config, nvs/fat/spiffs/littlefs/"
		       "esphttpd -> storage, bootloader -> bootloader, any "
		       "other -> raw; type, subtype and flags stay in each "
		       "partition's esp-idf key ('layout gen --esp-idf' "
		       "writes them back); no images are made");
	snprintf(comment, sizeof(comment), "imported: %u partitions",
		 (unsigned)r->count);
	fk_import_memory(o, "flash", "external", false, 0, size, ESP_SECTOR, 1,
			 comment);
	for (size_t i = 0; i < r->count; i++) {
		struct esp_row *e = &r->rows[i];
		char esp[64], flags[32];
		const char *tn = fk_esp_type_name(e->kind.type);
		const char *sn =
			fk_esp_subtype_name(e->kind.type, e->kind.subtype);
		char tbuf[8], sbuf[8];
		const char *role = esp_role(&e->kind);
		struct fk_import_part p = {
			e->name,
			(uint32_t)e->offset,
			(uint32_t)e->size,
			role,
			esp,
			role && !strcmp(role, "bootloader"),
		};

		if (!tn)
			snprintf(tbuf, sizeof(tbuf), "0x%02X", e->kind.type);
		if (!sn)
			snprintf(sbuf, sizeof(sbuf), "0x%02X", e->kind.subtype);
		fk_esp_flags_text(flags, sizeof(flags), e->kind.flags);
		snprintf(esp, sizeof(esp), "%s, %s%s%s", tn ? tn : tbuf,
			 sn ? sn : sbuf, *flags ? ", " : "", flags);
		if (e->kind.flags & FK_ESP_FLAG_ENCRYPTED)
			fk_import_note(o, &e->pos_name,
				       "'%s' is encrypted: flashkit writes "
				       "the flag back but does not encrypt",
				       e->name);
		fk_import_partition(o, &p);
	}
	if (size < end || size % ESP_SECTOR)
		fk_diag_error(o->d, NULL, "--flash-size 0x%X %s 0x%llX", size,
			      size % ESP_SECTOR ?
				      "is not whole 4K sectors; the table ends "
				      "at" :
				      "is smaller than the table's end",
			      (unsigned long long)end);
}

int fk_import_esp_csv(const char *file, const char *text, size_t len,
		      const struct fk_import_opts *opts, struct fk_diag *d,
		      char **yaml, size_t *yaml_len)
{
	struct esp_reader r = { file, d, NULL, 0, 0, ESP_TABLE_OFFSET };
	struct fk_import_out o;
	char header[512];
	uint32_t errors_before = d ? d->errors : 0;
	int rc;

	if (opts && opts->table_offset)
		r.table_offset = opts->table_offset;
	rc = read_lines(&r, text, len);
	if (rc == FK_ENOSPC)
		goto out;
	if (!rc && !r.count) {
		struct fk_pos pos = { file, 1, 1 };

		fk_diag_error(d, &pos,
			      "no partitions: a partition table CSV has lines "
			      "'name, type, subtype, offset, size, flags'");
		rc = 1;
	}
	if (!rc)
		rc = place(&r);
	if (!rc) {
		sort_by_offset(&r);
		rc = verify(&r);
	}
	if (rc) {
		rc = FK_EINVAL;
		goto out;
	}
	rc = fk_import_begin(&o, d);
	if (rc)
		goto out;
	emit(&r, opts, &o);
	if (d && d->errors != errors_before) {
		fk_import_abort(&o);
		rc = FK_EINVAL;
		goto out;
	}
	snprintf(header, sizeof(header),
		 "# Imported by `flashkit layout import` from %s\n"
		 "# (an ESP-IDF partition table). Notes:\n",
		 file);
	rc = fk_import_finish(&o, header, "ESP-IDF partition table", yaml,
			      yaml_len);
out:
	free(r.rows);
	return rc;
}
