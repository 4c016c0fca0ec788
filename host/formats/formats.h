/*
 * Production file formats: one reader and one writer per format, all
 * going through the segment model (segments.h), so any format converts
 * to any other.
 *
 *   bin    raw bytes from a base address; gaps become the fill byte
 *   ihex   Intel HEX: records 00, 01, 02, 04, 05 (03 read too)
 *   srec   Motorola S-record: S0-S9, S1/S2/S3 by address width
 *   uf2    USB Flashing Format: 512-byte blocks, 256-byte payloads
 *   dfu    ST DfuSe: targets, elements and the DFU suffix with its CRC
 *   elf    input only, 32-bit little-endian ARM or RISC-V: PT_LOAD
 *          segments by physical address
 *
 * Readers never print: a failure goes to the caller's sink (fk_fail()), a
 * message that starts with "FILE:LINE:" for text formats or "FILE: offset N:" /
 * "FILE: block N:" for binary ones, so the CLI, tests and fuzz targets
 * decide what to do with it. Readers take the whole file in memory; the
 * writers append to a growing buffer the CLI then writes atomically.
 */
#ifndef FLASHKIT_TOOL_FORMATS_H
#define FLASHKIT_TOOL_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

#include "segments.h"

enum fk_format {
	FK_FMT_UNKNOWN = 0,
	FK_FMT_BIN,
	FK_FMT_IHEX,
	FK_FMT_SREC,
	FK_FMT_UF2,
	FK_FMT_DFU,
	FK_FMT_ELF,
};

/* A growing output buffer. */
struct fk_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};
/* Makes room for more bytes; returns 0 or -1 (out of memory). */
int fk_buf_reserve(struct fk_buf *b, size_t more);
int fk_buf_put(struct fk_buf *b, const void *data, size_t len);
void fk_buf_free(struct fk_buf *b);

struct fk_read_opts {
	uint64_t base;	 /* bin: address of the first byte */
	bool has_family; /* uf2: keep only blocks of this family */
	uint32_t family;
	int dfu_target; /* dfu: alternate setting to read; -1: the only one */
};

struct fk_write_opts {
	uint8_t fill;  /* bin gaps and uf2 block padding */
	bool has_base; /* bin: first byte is at base (<= data start) */
	uint64_t base;
	uint32_t family;     /* uf2: family id (0: no family flag) */
	int srec_addr_bytes; /* srec: 2 (S1), 3 (S2), 4 (S3), 0 = smallest */
	const char *srec_header; /* srec: S0 text, NULL for no S0 */
	uint16_t dfu_vid;	 /* dfu suffix idVendor */
	uint16_t dfu_pid;	 /* dfu suffix idProduct */
	uint16_t dfu_bcd_device; /* dfu suffix bcdDevice */
	uint8_t dfu_alt;	 /* dfu: alternate setting of the one target */
	const char *dfu_name;	 /* dfu: target name, NULL for unnamed */
};

/* Defaults: fill 0xFF, S0 header "flashkit", ST's DFU ids 0x0483:0xdf11,
 * bcdDevice 0xFFFF. */
void fk_read_opts_init(struct fk_read_opts *o);
void fk_write_opts_init(struct fk_write_opts *o);

/* "bin", "hex", "srec", "uf2", "dfu", "elf" (and the usual aliases:
 * "ihex", "s19", "s28", "s37", "mot"). */
enum fk_format fk_format_by_name(const char *name);
/* From the file name's extension; FK_FMT_UNKNOWN if it says nothing. */
enum fk_format fk_format_by_path(const char *path);
/* From the content (magic numbers, first character); never UNKNOWN:
 * anything unrecognised is raw binary. */
enum fk_format fk_format_sniff(const uint8_t *data, size_t len);
const char *fk_format_name(enum fk_format f);
/* The usual extension (".hex", ...). */
const char *fk_format_ext(enum fk_format f);

/* Reads a whole file's bytes (name is for messages) into out, which must
 * be empty. Returns 0, or -1 with err filled and out emptied. */
int fk_format_read(enum fk_format f, const uint8_t *in, size_t len,
		   const char *name, const struct fk_read_opts *o,
		   struct fk_segs *out, struct fk_diag *err);
/* Appends the file for s to out. Returns 0 or -1 with err filled. */
int fk_format_write(enum fk_format f, const struct fk_segs *s,
		    const struct fk_write_opts *o, struct fk_buf *out,
		    struct fk_diag *err);

/* The per-format readers and writers behind the two calls above. */
int fk_bin_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err);
int fk_bin_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err);
int fk_ihex_read(const uint8_t *in, size_t len, const char *name,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err);
int fk_ihex_write(const struct fk_segs *s, const struct fk_write_opts *o,
		  struct fk_buf *out, struct fk_diag *err);
int fk_srec_read(const uint8_t *in, size_t len, const char *name,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err);
int fk_srec_write(const struct fk_segs *s, const struct fk_write_opts *o,
		  struct fk_buf *out, struct fk_diag *err);
int fk_uf2_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err);
int fk_uf2_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err);
int fk_dfu_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err);
int fk_dfu_write(const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_buf *out, struct fk_diag *err);
int fk_elf_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err);

/* DfuSe with several targets (one per memory, say). */
struct fk_dfu_target {
	uint8_t alt;	     /* bAlternateSetting */
	const char *name;    /* szTargetName, NULL for unnamed */
	struct fk_segs segs; /* one element per segment */
	char name_buf[256];  /* reading: where name points */
};
int fk_dfu_write_targets(const struct fk_dfu_target *t, size_t count,
			 const struct fk_write_opts *o, struct fk_buf *out,
			 struct fk_diag *err);
/* Reads every target; *targets is malloc'd (free each segs, then the
 * array with fk_dfu_targets_free). */
int fk_dfu_read_targets(const uint8_t *in, size_t len, const char *name,
			struct fk_dfu_target **targets, size_t *count,
			struct fk_diag *err);
void fk_dfu_targets_free(struct fk_dfu_target *t, size_t count);

/* UF2 family: a number or a known name ("STM32F4", "RP2040", ...; case
 * does not matter). Returns 0 or -1. */
int fk_uf2_family_parse(const char *text, uint32_t *out);

/* Hex digits shared by the text formats: value of a character (-1 if not
 * a hex digit) and the two upper-case characters of a byte. */
extern const int8_t fk_hex_value[256];
extern const char fk_hex_pair[256][2];

/* Decodes nbytes bytes from the 2 * nbytes hex digits at p into out.
 * Returns 0, or -1 with *bad set to the offset (from p) of the first
 * character that is not a hex digit. */
int fk_hex_decode(const uint8_t *p, size_t nbytes, uint8_t *out, size_t *bad);

/* Text formats: adds a data record's len bytes at addr to out; on
 * overlap or an address past 4 GiB, fills err with "NAME:LINE: ..." and
 * returns -1. */
int fk_text_add_data(struct fk_segs *out, const char *name, unsigned long line,
		     uint64_t addr, const uint8_t *data, uint64_t len,
		     struct fk_diag *err);

/*
 * Checks that [lo, hi), which what (say "a binary") would lay out in one
 * piece, fits FK_SPAN_MAX. If not, fills err with the span, where the
 * data of s lies (the two parts around its widest gap) and the options
 * that help (a format that keeps gaps, --crop per part), and returns -1.
 */
int fk_segs_check_span(const struct fk_segs *s, uint64_t lo, uint64_t hi,
		       const char *what, struct fk_diag *err);

/* Names the fk_segs_add() failure for a message. */
const char *fk_segs_strerror(int rc);

#endif
