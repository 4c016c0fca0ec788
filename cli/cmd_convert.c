/*
 * flashkit convert: one production file to another (bin, Intel HEX,
 * S-record, UF2, DfuSe; ELF as input), with the address moves a
 * programmer needs: load a binary at a base, shift, crop, fill gaps.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "formats/fileio.h"

/* "0x1000" or "-0x1000". */
static int parse_delta(const char *text, int64_t *out)
{
	uint64_t v;
	bool neg = text[0] == '-';

	if (fk_parse_u64(text + neg, &v) || v >= FK_ADDR_LIMIT)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int parse_format(const char *text, enum fk_format *out)
{
	if (!text)
		return 0;
	*out = fk_format_by_name(text);
	if (*out == FK_FMT_UNKNOWN) {
		fk_error("unknown format '%s' (bin, hex, srec, uf2, dfu, elf)",
			 text);
		return -1;
	}
	return 0;
}

struct convert_args {
	const char *out, *format, *in_format, *base, *offset, *fill;
	const char *family, *target, *srec_type, *header, *dfu_id, *alt;
	const char *name;
	struct fk_opt_list crop;
	int64_t delta;		   /* --offset, parsed */
	uint64_t crop_lo, crop_hi; /* --crop, parsed */
};

/* --offset and --crop's numbers, before any input is read: a bad value
 * is the command line's fault (exit 2), whatever the input holds. */
static int parse_moves(struct convert_args *a)
{
	if (a->offset && parse_delta(a->offset, &a->delta)) {
		fk_error("--offset: '%s' is not a number (within 4 GiB, may be "
			 "negative)",
			 a->offset);
		return -1;
	}
	if (a->crop.count &&
	    (fk_parse_u64(a->crop.values[0], &a->crop_lo) ||
	     fk_parse_u64(a->crop.values[1], &a->crop_hi) ||
	     a->crop_hi <= a->crop_lo || a->crop_hi > FK_ADDR_LIMIT)) {
		fk_error("--crop: '%s %s' is not a range A B with A < B",
			 a->crop.values[0], a->crop.values[1]);
		return -1;
	}
	return 0;
}

/* Fills the read and write options from the command line. */
static int convert_options(struct convert_args *a, struct fk_read_opts *ro,
			   struct fk_write_opts *wo)
{
	uint64_t v;

	fk_read_opts_init(ro);
	fk_write_opts_init(wo);
	if (parse_moves(a))
		return -1;
	if (a->base &&
	    (fk_parse_u64(a->base, &ro->base) || ro->base >= FK_ADDR_LIMIT)) {
		fk_error("--base: '%s' is not an address", a->base);
		return -1;
	}
	if (a->fill) {
		if (fk_parse_u64(a->fill, &v) || v > 0xFF) {
			fk_error("--fill: '%s' is not a byte value", a->fill);
			return -1;
		}
		wo->fill = (uint8_t)v;
	}
	if (a->family) {
		if (fk_uf2_family_parse(a->family, &wo->family)) {
			fk_error("--family: '%s' is neither a number nor a "
				 "known family (STM32F4, RP2040, ...)",
				 a->family);
			return -1;
		}
		ro->has_family = true;
		ro->family = wo->family;
	}
	if (a->target) {
		if (fk_parse_u64(a->target, &v) || v > 255) {
			fk_error("--target: '%s' is not an alternate setting "
				 "(0-255)",
				 a->target);
			return -1;
		}
		ro->dfu_target = (int)v;
	}
	if (a->alt) {
		if (fk_parse_u64(a->alt, &v) || v > 255) {
			fk_error("--alt: '%s' is not 0-255", a->alt);
			return -1;
		}
		wo->dfu_alt = (uint8_t)v;
	}
	if (a->srec_type) {
		if (strlen(a->srec_type) != 2 ||
		    (a->srec_type[0] != 'S' && a->srec_type[0] != 's') ||
		    a->srec_type[1] < '1' || a->srec_type[1] > '3') {
			fk_error("--srec-type: '%s' is not S1, S2 or S3",
				 a->srec_type);
			return -1;
		}
		wo->srec_addr_bytes = a->srec_type[1] - '0' + 1;
	}
	if (a->dfu_id) {
		unsigned vid, pid;
		char end;

		if (sscanf(a->dfu_id, "%x:%x%c", &vid, &pid, &end) != 2 ||
		    vid > 0xFFFF || pid > 0xFFFF) {
			fk_error("--dfu-id: '%s' is not VID:PID in hex",
				 a->dfu_id);
			return -1;
		}
		wo->dfu_vid = (uint16_t)vid;
		wo->dfu_pid = (uint16_t)pid;
	}
	if (a->header)
		wo->srec_header = a->header;
	wo->dfu_name = a->name;
	return 0;
}

static int apply_offset(const struct convert_args *a, struct fk_segs *s)
{
	if (fk_segs_shift(s, a->delta)) {
		fk_error("--offset %s moves the data outside the 4 GiB address "
			 "space",
			 a->offset);
		return -1;
	}
	return 0;
}

/* Keeps [*lo, *hi) of --crop; refuses a range that keeps no data. */
static int apply_crop(const struct convert_args *a, struct fk_segs *s,
		      uint64_t *lo, uint64_t *hi)
{
	uint64_t start = fk_segs_start(s), end = fk_segs_end(s);

	*lo = a->crop_lo;
	*hi = a->crop_hi;
	fk_segs_crop(s, *lo, *hi);
	if (s->n == 0) {
		fk_error(
			"--crop 0x%llX 0x%llX keeps none of the data, which "
			"lies in 0x%llX..0x%llX: crop a range that overlaps it",
			(unsigned long long)*lo, (unsigned long long)*hi,
			(unsigned long long)start, (unsigned long long)end);
		return -1;
	}
	return 0;
}

/* Fills the gaps of [lo, hi) with the fill byte, within FK_SPAN_MAX. */
static int apply_fill(struct fk_segs *s, uint64_t lo, uint64_t hi, uint8_t fill,
		      const char *what)
{
	struct fk_diag err = { 0 };

	if (fk_segs_check_span(s, lo, hi, what, &err)) {
		fk_cli_report(&err);
		return -1;
	}
	if (fk_segs_fill(s, lo, hi, fill)) {
		fk_error("out of memory filling 0x%llx..0x%llx",
			 (unsigned long long)lo, (unsigned long long)hi);
		return -1;
	}
	return 0;
}

/*
 * --offset, then --crop, then --fill, in that order. A bin output of a
 * crop is exactly [A, B): the bytes the input does not give there are
 * filled (with --fill, else 0xFF), as a programmer writing that range
 * expects; other formats keep the crop's gaps unless --fill is given.
 */
static int convert_transform(const struct convert_args *a, struct fk_segs *s,
			     struct fk_write_opts *wo)
{
	uint64_t lo, hi;
	enum fk_format out = a->format ? fk_format_by_name(a->format) :
					 fk_format_by_path(a->out);

	if (a->offset && apply_offset(a, s))
		return -1;
	if (a->crop.count) {
		if (apply_crop(a, s, &lo, &hi))
			return -1;
		wo->has_base = true;
		wo->base = lo;
		if (a->fill || out == FK_FMT_BIN)
			return apply_fill(s, lo, hi, wo->fill,
					  "--crop's range");
		return 0;
	}
	if (a->fill && s->n)
		return apply_fill(s, fk_segs_start(s), fk_segs_end(s), wo->fill,
				  "--fill's range");
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	struct convert_args a = { 0 };
	const struct fk_option options[] = {
		{ 'o', "output", "FILE", "output file (required)",
		  .value = &a.out },
		{ 0, "format", "F",
		  "output format: bin, hex, srec, uf2, dfu "
		  "(default: from the extension)",
		  .value = &a.format },
		{ 0, "input-format", "F",
		  "input format (default: extension, "
		  "then content)",
		  .value = &a.in_format },
		{ 0, "base", "ADDR", "address of a binary input's first byte",
		  .value = &a.base },
		{ 0, "offset", "N", "add N (may be negative) to every address",
		  .value = &a.offset },
		{ 0, "crop", "A B",
		  "keep only [A, B); a bin output is exactly "
		  "[A, B), gaps filled",
		  .nargs = 2, .list = &a.crop },
		{ 0, "fill", "X",
		  "fill gaps with byte X (bin gaps and UF2 "
		  "padding default to 0xFF)",
		  .value = &a.fill },
		{ 0, "family", "ID",
		  "UF2 family id or name (output); only "
		  "that family (input)",
		  .value = &a.family },
		{ 0, "target", "ALT", "DfuSe input: the target to read",
		  .value = &a.target },
		{ 0, "srec-type", "S1|S2|S3",
		  "force the S-record address width", .value = &a.srec_type },
		{ 0, "header", "TEXT", "S-record S0 header text",
		  .value = &a.header },
		{ 0, "dfu-id", "VID:PID",
		  "DfuSe suffix ids (default 0483:df11)", .value = &a.dfu_id },
		{ 0, "alt", "N", "DfuSe output: alternate setting (default 0)",
		  .value = &a.alt },
		{ 0, "name", "TEXT", "DfuSe output: target name",
		  .value = &a.name },
	};
	const struct fk_command_help help = {
		.usage = "flashkit convert IN -o OUT [options]",
		.summary = "Converts between raw binary, Intel HEX, Motorola "
			   "S-record, UF2 and DfuSe (ELF as input). Formats\n"
			   "come from the extensions unless --format / "
			   "--input-format say otherwise.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	enum fk_format in_fmt = FK_FMT_UNKNOWN, out_fmt = FK_FMT_UNKNOWN;
	struct fk_read_opts ro;
	struct fk_write_opts wo;
	struct fk_diag err = { 0 };
	struct fk_segs segs;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc != 0)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || !a.out) {
		fk_error("convert takes one input and -o OUTPUT (see "
			 "'flashkit convert --help')");
		return FK_EXIT_USAGE;
	}
	if (parse_format(a.format, &out_fmt) ||
	    parse_format(a.in_format, &in_fmt) || convert_options(&a, &ro, &wo))
		return FK_EXIT_USAGE;
	out_fmt = fk_output_format(a.out, out_fmt, &err);
	if (out_fmt == FK_FMT_UNKNOWN)
		return fk_cli_report(&err);
	if (out_fmt == FK_FMT_ELF) {
		fk_error("%s: ELF is an input format only; write bin, hex, "
			 "srec, uf2 or dfu",
			 a.out);
		return FK_EXIT_USAGE;
	}
	fk_segs_init(&segs);
	if (fk_load_segs(argv[0], in_fmt, &ro, &segs, &err)) {
		fk_cli_report(&err);
		return FK_EXIT_FAIL;
	}
	rc = convert_transform(&a, &segs, &wo);
	if (!rc && fk_save_segs(a.out, out_fmt, &segs, &wo, &err)) {
		fk_cli_report(&err);
		rc = -1;
	}
	fk_segs_free(&segs);
	return rc ? FK_EXIT_FAIL : FK_EXIT_OK;
}
