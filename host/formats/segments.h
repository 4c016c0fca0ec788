/*
 * The in-memory model every production file format reads into and writes
 * from: a sparse set of address ranges ("segments"), kept sorted and
 * never overlapping, plus the optional entry point some formats carry
 * (Intel HEX record 05, S-record S7/S8/S9, ELF e_entry).
 *
 * Addresses are 32-bit bus addresses held in uint64_t so that an end
 * address (addr + len) of 0x100000000 needs no special case. Adjacent
 * ranges are joined as they are added, so a HEX file of a million
 * 16-byte records becomes one segment, appended in place.
 *
 * What does not live here: parsing and printing (host/formats/<fmt>.c),
 * partitions and memories (host/layout/).
 */
#ifndef FLASHKIT_TOOL_SEGMENTS_H
#define FLASHKIT_TOOL_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The highest end address any format can express (4 GiB). */
#define FK_ADDR_LIMIT 0x100000000ull

/*
 * The largest range laid out contiguously in memory: a binary output, or
 * the range --fill fills (256 MiB: the largest serial NOR parts, 2 Gbit,
 * hold that much; a larger span is a sparse input, such as internal
 * flash and a QSPI window 2 GiB apart, and belongs in a format that
 * keeps gaps, or in one binary per part).
 */
#define FK_SPAN_MAX (256ull << 20)

struct fk_seg {
	uint64_t addr; /* first byte */
	uint64_t len;  /* bytes, >= 1 */
	uint8_t *data; /* malloc'd, cap bytes */
	uint64_t cap;
};

struct fk_segs {
	struct fk_seg *v; /* sorted by addr, disjoint, never adjacent */
	size_t n;
	size_t cap;
	bool has_entry; /* an entry point was given */
	uint64_t entry;
};

/* Result of fk_segs_add(). */
enum {
	FK_SEGS_OK = 0,
	FK_SEGS_OVERLAP = -1,  /* *clash set to the first overlapping address */
	FK_SEGS_TOO_HIGH = -2, /* range ends past FK_ADDR_LIMIT */
	FK_SEGS_NOMEM = -3,
	FK_SEGS_TOO_BIG = -4, /* fk_segs_fill: range larger than FK_SPAN_MAX */
};

void fk_segs_init(struct fk_segs *s);
void fk_segs_free(struct fk_segs *s);

/*
 * Adds len bytes at addr. Refuses (and changes nothing) when any byte is
 * already present: *clash (may be NULL) receives the lowest address of
 * the overlap. len 0 is a no-op. Cost: O(1) amortized when ranges come
 * in ascending order, O(log n + n) otherwise.
 */
int fk_segs_add(struct fk_segs *s, uint64_t addr, const void *data,
		uint64_t len, uint64_t *clash);

/* Lowest address and end (one past the highest byte); both 0 if empty. */
uint64_t fk_segs_start(const struct fk_segs *s);
uint64_t fk_segs_end(const struct fk_segs *s);
/* Bytes held (excluding gaps). */
uint64_t fk_segs_size(const struct fk_segs *s);

/* Index of the segment holding addr, or -1. */
long fk_segs_find(const struct fk_segs *s, uint64_t addr);

/* Keeps only the bytes inside [lo, hi). */
void fk_segs_crop(struct fk_segs *s, uint64_t lo, uint64_t hi);

/* Moves every segment (and the entry point) by delta. Returns
 * FK_SEGS_TOO_HIGH, leaving s unchanged, if an address would leave
 * [0, FK_ADDR_LIMIT). */
int fk_segs_shift(struct fk_segs *s, int64_t delta);

/* Fills every gap inside [lo, hi) with value, and extends to lo and hi,
 * so that the result is one segment covering exactly [lo, hi) when it
 * was cropped to it first. Refuses (FK_SEGS_TOO_BIG, s unchanged) a
 * range larger than FK_SPAN_MAX before allocating anything. */
int fk_segs_fill(struct fk_segs *s, uint64_t lo, uint64_t hi, uint8_t value);

/* Copies [addr, addr+len) into out; bytes no segment holds get fill. */
void fk_segs_read(const struct fk_segs *s, uint64_t addr, uint8_t *out,
		  uint64_t len, uint8_t fill);

/* True when both hold the same bytes at the same addresses. */
bool fk_segs_equal(const struct fk_segs *a, const struct fk_segs *b);

#endif
