/*
 * What the format readers and writers share: choosing a format by name,
 * extension or content, dispatching to the format's reader or writer,
 * the output buffer, error messages and the hex digit tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats.h"

const int8_t fk_hex_value[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0,  1,	2,  3,	4,  5,
	6,  7,	8,  9,	-1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1,
};

int fk_hex_decode(const uint8_t *p, size_t nbytes, uint8_t *out, size_t *bad)
{
	for (size_t i = 0; i < nbytes; i++) {
		int hi = fk_hex_value[p[2 * i]],
		    lo = fk_hex_value[p[2 * i + 1]];

		if ((hi | lo) < 0) {
			*bad = 2 * i + (hi < 0 ? 0 : 1);
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Not NUL-terminated: each entry is exactly the two characters. */
const char fk_hex_pair[256][2] = {
	"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "0A", "0B",
	"0C", "0D", "0E", "0F", "10", "11", "12", "13", "14", "15", "16", "17",
	"18", "19", "1A", "1B", "1C", "1D", "1E", "1F", "20", "21", "22", "23",
	"24", "25", "26", "27", "28", "29", "2A", "2B", "2C", "2D", "2E", "2F",
	"30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "3A", "3B",
	"3C", "3D", "3E", "3F", "40", "41", "42", "43", "44", "45", "46", "47",
	"48", "49", "4A", "4B", "4C", "4D", "4E", "4F", "50", "51", "52", "53",
	"54", "55", "56", "57", "58", "59", "5A", "5B", "5C", "5D", "5E", "5F",
	"60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "6A", "6B",
	"6C", "6D", "6E", "6F", "70", "71", "72", "73", "74", "75", "76", "77",
	"78", "79", "7A", "7B", "7C", "7D", "7E", "7F", "80", "81", "82", "83",
	"84", "85", "86", "87", "88", "89", "8A", "8B", "8C", "8D", "8E", "8F",
	"90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "9A", "9B",
	"9C", "9D", "9E", "9F", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7",
	"A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "B0", "B1", "B2", "B3",
	"B4", "B5", "B6", "B7", "B8", "B9", "BA", "BB", "BC", "BD", "BE", "BF",
	"C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "CA", "CB",
	"CC", "CD", "CE", "CF", "D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7",
	"D8", "D9", "DA", "DB", "DC", "DD", "DE", "DF", "E0", "E1", "E2", "E3",
	"E4", "E5", "E6", "E7", "E8", "E9", "EA", "EB", "EC", "ED", "EE", "EF",
	"F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "FA", "FB",
	"FC", "FD", "FE", "FF",
};

const char *fk_segs_strerror(int rc)
{
	switch (rc) {
	case FK_SEGS_OVERLAP:
		return "overlaps data given earlier";
	case FK_SEGS_TOO_HIGH:
		return "ends past the 4 GiB address space";
	case FK_SEGS_NOMEM:
		return "out of memory";
	case FK_SEGS_TOO_BIG:
		return "spans more than the 256 MiB flashkit "
		       "lays out in one piece";
	default:
		return "no error";
	}
}

int fk_text_add_data(struct fk_segs *out, const char *name, unsigned long line,
		     uint64_t addr, const uint8_t *data, uint64_t len,
		     struct fk_diag *err)
{
	uint64_t clash;
	int rc = fk_segs_add(out, addr, data, len, &clash);

	if (rc == FK_SEGS_OVERLAP)
		return fk_fail(err,
			       "%s:%lu: data at 0x%08llX overlaps "
			       "data an earlier record gave at 0x%08llX",
			       name, line, (unsigned long long)addr,
			       (unsigned long long)clash);
	if (rc)
		return fk_fail(err, "%s:%lu: data at 0x%llX %s", name, line,
			       (unsigned long long)addr, fk_segs_strerror(rc));
	return 0;
}

int fk_buf_reserve(struct fk_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int fk_buf_put(struct fk_buf *b, const void *data, size_t len)
{
	if (fk_buf_reserve(b, len))
		return -1;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void fk_buf_free(struct fk_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void fk_read_opts_init(struct fk_read_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->dfu_target = -1;
}

void fk_write_opts_init(struct fk_write_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->fill = 0xFF;
	o->srec_header = "flashkit";
	o->dfu_vid = 0x0483;
	o->dfu_pid = 0xdf11;
	o->dfu_bcd_device = 0xFFFF;
}

static const struct {
	const char *name;
	enum fk_format format;
} format_names[] = {
	{ "bin", FK_FMT_BIN },	{ "raw", FK_FMT_BIN },
	{ "hex", FK_FMT_IHEX }, { "ihex", FK_FMT_IHEX },
	{ "ihx", FK_FMT_IHEX }, { "srec", FK_FMT_SREC },
	{ "s19", FK_FMT_SREC }, { "s28", FK_FMT_SREC },
	{ "s37", FK_FMT_SREC }, { "mot", FK_FMT_SREC },
	{ "s", FK_FMT_SREC },	{ "uf2", FK_FMT_UF2 },
	{ "dfu", FK_FMT_DFU },	{ "elf", FK_FMT_ELF },
	{ "axf", FK_FMT_ELF },	{ "out", FK_FMT_ELF },
};

enum fk_format fk_format_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]);
	     i++) {
		if (!strcasecmp(name, format_names[i].name))
			return format_names[i].format;
	}
	return FK_FMT_UNKNOWN;
}

enum fk_format fk_format_by_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	return dot ? fk_format_by_name(dot + 1) : FK_FMT_UNKNOWN;
}

enum fk_format fk_format_sniff(const uint8_t *data, size_t len)
{
	if (len >= 4 && !memcmp(data,
				"\x7f"
				"ELF",
				4))
		return FK_FMT_ELF;
	if (len >= 5 && !memcmp(data, "DfuSe", 5))
		return FK_FMT_DFU;
	if (len >= 8 && !memcmp(data, "UF2\n\x57\x51\x5d\x9e", 8))
		return FK_FMT_UF2;
	if (len >= 3 && data[0] == ':' && fk_hex_value[data[1]] >= 0 &&
	    fk_hex_value[data[2]] >= 0)
		return FK_FMT_IHEX;
	if (len >= 4 && data[0] == 'S' && data[1] >= '0' && data[1] <= '9' &&
	    fk_hex_value[data[2]] >= 0 && fk_hex_value[data[3]] >= 0)
		return FK_FMT_SREC;
	return FK_FMT_BIN;
}

const char *fk_format_name(enum fk_format f)
{
	switch (f) {
	case FK_FMT_BIN:
		return "bin";
	case FK_FMT_IHEX:
		return "hex";
	case FK_FMT_SREC:
		return "srec";
	case FK_FMT_UF2:
		return "uf2";
	case FK_FMT_DFU:
		return "dfu";
	case FK_FMT_ELF:
		return "elf";
	default:
		return "unknown";
	}
}

const char *fk_format_ext(enum fk_format f)
{
	switch (f) {
	case FK_FMT_SREC:
		return ".s37";
	case FK_FMT_BIN:
		return ".bin";
	case FK_FMT_IHEX:
		return ".hex";
	case FK_FMT_UF2:
		return ".uf2";
	case FK_FMT_DFU:
		return ".dfu";
	case FK_FMT_ELF:
		return ".elf";
	default:
		return "";
	}
}

int fk_format_read(enum fk_format f, const uint8_t *in, size_t len,
		   const char *name, const struct fk_read_opts *o,
		   struct fk_segs *out, struct fk_diag *err)
{
	int rc;

	switch (f) {
	case FK_FMT_BIN:
		rc = fk_bin_read(in, len, name, o, out, err);
		break;
	case FK_FMT_IHEX:
		rc = fk_ihex_read(in, len, name, o, out, err);
		break;
	case FK_FMT_SREC:
		rc = fk_srec_read(in, len, name, o, out, err);
		break;
	case FK_FMT_UF2:
		rc = fk_uf2_read(in, len, name, o, out, err);
		break;
	case FK_FMT_DFU:
		rc = fk_dfu_read(in, len, name, o, out, err);
		break;
	case FK_FMT_ELF:
		rc = fk_elf_read(in, len, name, o, out, err);
		break;
	default:
		return fk_fail(err, "%s: unknown input format", name);
	}
	if (rc)
		fk_segs_free(out);
	return rc;
}

int fk_format_write(enum fk_format f, const struct fk_segs *s,
		    const struct fk_write_opts *o, struct fk_buf *out,
		    struct fk_diag *err)
{
	switch (f) {
	case FK_FMT_BIN:
		return fk_bin_write(s, o, out, err);
	case FK_FMT_IHEX:
		return fk_ihex_write(s, o, out, err);
	case FK_FMT_SREC:
		return fk_srec_write(s, o, out, err);
	case FK_FMT_UF2:
		return fk_uf2_write(s, o, out, err);
	case FK_FMT_DFU:
		return fk_dfu_write(s, o, out, err);
	case FK_FMT_ELF:
		return fk_fail(err, "ELF is an input format only; "
				    "write bin, hex, srec, uf2 or dfu");
	default:
		return fk_fail(err, "unknown output format");
	}
}
