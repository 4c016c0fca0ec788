/*
 * The format readers and writers: byte-exact round trips between every
 * pair of formats, and one test per error a reader must report (with
 * the line or block where it is).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/formats.h"

static const enum fk_format writable[] = {
	FK_FMT_BIN, FK_FMT_IHEX, FK_FMT_SREC, FK_FMT_UF2, FK_FMT_DFU,
};
#define NWRITABLE (sizeof(writable) / sizeof(writable[0]))

static uint32_t rng = 12345;
static uint8_t next_byte(void)
{
	rng = rng * 1103515245u + 12345u;
	return (uint8_t)(rng >> 16);
}

static void add_random(struct fk_segs *s, uint64_t addr, size_t len)
{
	uint8_t *p = malloc(len);

	for (size_t i = 0; i < len; i++)
		p[i] = next_byte();
	assert_int_equal(fk_segs_add(s, addr, p, len, NULL), 0);
	free(p);
}

static void write_fmt(enum fk_format f, const struct fk_segs *s,
		      struct fk_buf *out)
{
	struct fk_write_opts o;
	struct fk_diag err = { 0 };

	fk_write_opts_init(&o);
	o.family = 0x57755a57;
	if (f == FK_FMT_BIN) {
		o.has_base = true;
		o.base = fk_segs_start(s);
	}
	if (fk_format_write(f, s, &o, out, &err))
		fail_msg("%s write: %s", fk_format_name(f), err.last_text);
}

static void read_fmt(enum fk_format f, const struct fk_buf *in, uint64_t base,
		     struct fk_segs *out)
{
	struct fk_read_opts o;
	struct fk_diag err = { 0 };

	fk_read_opts_init(&o);
	o.base = base;
	fk_segs_init(out);
	if (fk_format_read(f, in->p, in->len, "test", &o, out, &err))
		fail_msg("%s read: %s", fk_format_name(f), err.last_text);
}

/* A -> B -> A gives the same A file, byte for byte, for every pair. */
static void check_pairs(const struct fk_segs *src, bool dense)
{
	uint64_t base = fk_segs_start(src);

	for (size_t a = 0; a < NWRITABLE; a++) {
		for (size_t b = 0; b < NWRITABLE; b++) {
			struct fk_buf fa = { 0 }, fb = { 0 }, fa2 = { 0 };
			struct fk_segs sa, sb;

			if (!dense && (writable[a] == FK_FMT_BIN ||
				       writable[b] == FK_FMT_BIN))
				continue;
			write_fmt(writable[a], src, &fa);
			read_fmt(writable[a], &fa, base, &sa);
			assert_true(fk_segs_equal(&sa, src));
			write_fmt(writable[b], &sa, &fb);
			read_fmt(writable[b], &fb, base, &sb);
			write_fmt(writable[a], &sb, &fa2);
			if (fa.len != fa2.len || memcmp(fa.p, fa2.p, fa.len))
				fail_msg("%s -> %s -> %s differs",
					 fk_format_name(writable[a]),
					 fk_format_name(writable[b]),
					 fk_format_name(writable[a]));
			fk_segs_free(&sa);
			fk_segs_free(&sb);
			fk_buf_free(&fa);
			fk_buf_free(&fb);
			fk_buf_free(&fa2);
		}
	}
}

static void test_every_pair_round_trips_dense_image(void **state)
{
	struct fk_segs s;

	(void)state;
	fk_segs_init(&s);
	/* Crosses several 64 KiB windows, starts on a flash bus address. */
	add_random(&s, 0x0800FF00, 3 * 65536 + 512);
	check_pairs(&s, true);
	fk_segs_free(&s);
}

static void test_every_pair_round_trips_sparse_image(void **state)
{
	struct fk_segs s;

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x08000000, 0x4000);
	add_random(&s, 0x08008000, 0x800);
	add_random(&s, 0x080FFF00, 0x200);
	add_random(&s, 0x90000000, 0x1000); /* external QSPI window */
	check_pairs(&s, false);
	fk_segs_free(&s);
}

static void test_unaligned_bytes_round_trip_through_text_formats(void **state)
{
	static const enum fk_format fmts[] = { FK_FMT_IHEX, FK_FMT_SREC,
					       FK_FMT_DFU };
	struct fk_segs s;

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x1FFF7, 37);	/* crosses 0x20000 mid-record */
	add_random(&s, 0xFFFFFFF0, 16); /* the last bytes of 4 GiB */
	s.has_entry = true;
	s.entry = 0x0800011D;
	for (size_t i = 0; i < 3; i++) {
		struct fk_buf b = { 0 };
		struct fk_segs back;

		write_fmt(fmts[i], &s, &b);
		read_fmt(fmts[i], &b, 0, &back);
		assert_true(fk_segs_equal(&back, &s));
		if (fmts[i] != FK_FMT_DFU) {
			assert_true(back.has_entry);
			assert_int_equal(back.entry, s.entry);
		}
		fk_segs_free(&back);
		fk_buf_free(&b);
	}
	fk_segs_free(&s);
}

/* Found by fuzz_elf: the writer reserved 43 bytes per record, a record
 * of 16 bytes takes 44 with its newline; one segment of about 370
 * records then ran past a buffer of exactly 16 KiB (caught by ASan).
 * S-records go through the same sweep. */
static void test_ihex_writer_reserves_room_for_every_record(void **state)
{
	(void)state;
	for (uint64_t len = 5900; len < 6100; len += 3) {
		struct fk_segs s, back;
		struct fk_buf b = { 0 };
		enum fk_format f = len % 2 ? FK_FMT_IHEX : FK_FMT_SREC;

		fk_segs_init(&s);
		add_random(&s, 0x15F5, len);
		write_fmt(f, &s, &b);
		read_fmt(f, &b, 0, &back);
		assert_true(fk_segs_equal(&back, &s));
		fk_segs_free(&s);
		fk_segs_free(&back);
		fk_buf_free(&b);
	}
}

static void test_uf2_pads_partial_window_with_fill(void **state)
{
	struct fk_segs s, back;
	struct fk_buf b = { 0 };
	uint8_t data[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t window[256];

	(void)state;
	fk_segs_init(&s);
	assert_int_equal(fk_segs_add(&s, 0x2000 + 100, data, 10, NULL), 0);
	write_fmt(FK_FMT_UF2, &s, &b);
	assert_int_equal(b.len, 512);
	/* payload size 256 at the window's address, family flag set */
	assert_int_equal(b.p[16] | b.p[17] << 8, 256);
	assert_int_equal(b.p[12] | b.p[13] << 8 | b.p[14] << 16, 0x2000);
	assert_int_equal(b.p[9], 0x20);
	for (int i = 32 + 256; i < 508; i++)
		assert_int_equal(b.p[i], 0);
	read_fmt(FK_FMT_UF2, &b, 0, &back);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.v[0].addr, 0x2000);
	fk_segs_read(&back, 0x2000, window, 256, 0);
	for (int i = 0; i < 256; i++)
		assert_int_equal(window[i],
				 i >= 100 && i < 110 ? data[i - 100] : 0xFF);
	fk_segs_free(&s);
	fk_segs_free(&back);
	fk_buf_free(&b);
}

/* Reads text as format f and expects the error to contain want. */
static void expect_error(enum fk_format f, const void *text, size_t len,
			 const char *want)
{
	struct fk_read_opts o;
	struct fk_diag err = { 0 };
	struct fk_segs s;

	fk_read_opts_init(&o);
	fk_segs_init(&s);
	if (fk_format_read(f, text, len, "in", &o, &s, &err) == 0)
		fail_msg("expected an error containing '%s'", want);
	if (!strstr(err.last_text, want))
		fail_msg("error '%s' lacks '%s'", err.last_text, want);
	assert_int_equal(s.n, 0);
}
#define EXPECT_TEXT_ERROR(f, text, want) \
	expect_error(f, text, strlen(text), want)

static void test_ihex_bad_checksum_names_line(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(
		FK_FMT_IHEX,
		":0400000001020304F2\n:0400040001020304F1\n"
		":00000001FF\n",
		"in:2: bad checksum 0xF1, the record's bytes need 0xEE");
}

static void test_ihex_truncated_record_names_line(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, ":0400000001020304F2\n:10000400010203\n",
			  "in:2: truncated record");
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, ":0400000001020304F2\n",
			  "in:1: no end-of-file record");
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, ":04000000010203\n:00000001FF\n",
			  "in:1: truncated record: its length byte says 4");
}

static void test_ihex_bad_character_names_column(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, ":04000000010G0304F2\n:00000001FF\n",
			  "in:1:13: 'G' is not a hex digit");
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, "04000000010203\n",
			  "in:1:1: a record starts with ':'");
	EXPECT_TEXT_ERROR(FK_FMT_IHEX, ":00000006FA\n:00000001FF\n",
			  "in:1:8: unknown record type 06");
	EXPECT_TEXT_ERROR(
		FK_FMT_IHEX, ":00000001FF\n:00000001FF\n",
		"in:2: record after the end-of-file record of line 1");
}

static void test_ihex_overlap_names_line_and_address(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(FK_FMT_IHEX,
			  ":020000040800F2\n:0400000001020304F2\n"
			  ":0400020001020304F0\n:00000001FF\n",
			  "in:3: data at 0x08000002 overlaps data an earlier "
			  "record gave at 0x08000002");
}

static void test_ihex_segment_and_linear_addresses(void **state)
{
	/* 02 sets base 0x12340 (segment mode); 04 sets 0x00010000. */
	const char *text = ":020000021234B6\n:0100000011EE\n"
			   ":020000040001F9\n:0100050022D8\n"
			   ":0400000300001234B3\n"
			   ":0400000508000101ED\n:00000001FF\n";
	struct fk_buf b = { (uint8_t *)text, strlen(text), 0 };
	struct fk_segs s;

	(void)state;
	read_fmt(FK_FMT_IHEX, &b, 0, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].addr, 0x10005);
	assert_int_equal(s.v[0].data[0], 0x22);
	assert_int_equal(s.v[1].addr, 0x12340);
	assert_int_equal(s.v[1].data[0], 0x11);
	assert_true(s.has_entry);
	assert_int_equal(s.entry, 0x08000101);
	fk_segs_free(&s);
}

static void test_ihex_start_segment_address_gives_entry(void **state)
{
	const char *text = ":0400000312340010A3\n:00000001FF\n";
	struct fk_buf b = { (uint8_t *)text, strlen(text), 0 };
	struct fk_segs s;

	(void)state;
	read_fmt(FK_FMT_IHEX, &b, 0, &s);
	assert_true(s.has_entry);
	assert_int_equal(s.entry, 0x12340 + 0x10); /* CS * 16 + IP */
	fk_segs_free(&s);
}

/* A UF2 file with two families (a combined file for two chips): one at
 * a time, chosen with --family. */
static void test_uf2_keeps_only_the_family_asked_for(void **state)
{
	struct fk_segs a, c, got;
	struct fk_buf b = { 0 }, b2 = { 0 };
	struct fk_write_opts o;
	struct fk_read_opts ro;
	struct fk_diag err = { 0 };

	(void)state;
	fk_segs_init(&a);
	fk_segs_init(&c);
	add_random(&a, 0x10000000, 512);
	add_random(&c, 0x10000000, 256);
	fk_write_opts_init(&o);
	o.family = 0xe48bff56;
	assert_int_equal(fk_format_write(FK_FMT_UF2, &a, &o, &b, &err), 0);
	o.family = 0x57755a57;
	assert_int_equal(fk_format_write(FK_FMT_UF2, &c, &o, &b2, &err), 0);
	fk_buf_put(&b, b2.p, b2.len);
	expect_error(FK_FMT_UF2, b.p, b.len,
		     "block 2: family 0x57755a57 after "
		     "family 0xe48bff56; choose one with --family");
	fk_read_opts_init(&ro);
	ro.has_family = true;
	ro.family = 0x57755a57;
	fk_segs_init(&got);
	assert_int_equal(
		fk_format_read(FK_FMT_UF2, b.p, b.len, "x", &ro, &got, &err),
		0);
	assert_true(fk_segs_equal(&got, &c));
	fk_segs_free(&got);
	ro.family = 0xe48bff56;
	assert_int_equal(
		fk_format_read(FK_FMT_UF2, b.p, b.len, "x", &ro, &got, &err),
		0);
	assert_true(fk_segs_equal(&got, &a));
	fk_segs_free(&got);
	fk_segs_free(&a);
	fk_segs_free(&c);
	fk_buf_free(&b);
	fk_buf_free(&b2);
}

/* Family names match letters in either case and digits only as
 * themselves: "stmSRf4" is not STM32F4 ('3' + 0x20 is 'S'). */
static void test_uf2_family_names(void **state)
{
	uint32_t id = 0;

	(void)state;
	assert_int_equal(fk_uf2_family_parse("stm32f4", &id), 0);
	assert_int_equal(id, 0x57755a57);
	assert_int_equal(fk_uf2_family_parse("Rp2040", &id), 0);
	assert_int_equal(id, 0xe48bff56);
	assert_int_equal(fk_uf2_family_parse("0x12345678", &id), 0);
	assert_int_equal(id, 0x12345678);
	assert_int_equal(fk_uf2_family_parse("stmSRf4", &id), -1);
	assert_int_equal(fk_uf2_family_parse("rpRPRP", &id), -1);
	assert_int_equal(fk_uf2_family_parse("STM32F", &id), -1);
}

static void test_srec_errors_name_line(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(
		FK_FMT_SREC, "S1070000010203046F\nS9030000FC\n",
		"in:1: bad checksum 0x6F, the record's bytes need 0xEE");
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "S107000001020304EE\nS1070004010203\n",
			  "in:2: truncated record");
	EXPECT_TEXT_ERROR(
		FK_FMT_SREC,
		"S107000001020304EE\nS9030000FC\n"
		"S107000401020304EA\n",
		"in:3: record after the termination record of line 2");
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "S4030000FC\n",
			  "in:1:2: unknown record type 'S4'");
	EXPECT_TEXT_ERROR(FK_FMT_SREC,
			  "S107000001020304EE\nS5030002FA\nS9030000FC\n",
			  "in:2: the S5 count record says 2 data records, the "
			  "file has 1");
	EXPECT_TEXT_ERROR(FK_FMT_SREC,
			  "S107000001020304EE\nS107000201020304EC\n"
			  "S9030000FC\n",
			  "in:2: data at 0x00000002 overlaps");
}

/* A file cut after a data record (or empty) lost its tail: refused.
 * Ending with the count record, as srec_cat writes without an entry
 * point, is complete. */
static void test_srec_without_termination_record_is_refused(void **state)
{
	static const char counted[] = "S107000001020304EE\nS5030001FB\n";
	struct fk_segs s;
	struct fk_buf b = { 0 };

	(void)state;
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "S0030000FC\nS107000001020304EE\n",
			  "in:2: the file ends after this record, with no "
			  "termination record (S7/S8/S9) or record count "
			  "(S5/S6)");
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "\n\n", "in: no S-records");
	fk_buf_put(&b, counted, strlen(counted));
	read_fmt(FK_FMT_SREC, &b, 0, &s);
	assert_int_equal(fk_segs_size(&s), 4);
	fk_segs_free(&s);
	fk_buf_free(&b);
}

static void test_srec_termination_record_with_data_is_refused(void **state)
{
	(void)state;
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "S107000001020304EE\nS9050000AABB95\n",
			  "in:2: the S9 termination record carries 2 data "
			  "bytes");
	EXPECT_TEXT_ERROR(FK_FMT_SREC, "S107000001020304EE\nS805000000AA50\n",
			  "in:2: the S8 termination record carries 1 data "
			  "byte;");
	EXPECT_TEXT_ERROR(FK_FMT_SREC,
			  "S107000001020304EE\nS5040001AA50\n"
			  "S9030000FC\n",
			  "in:2: the S5 count record carries 1 data byte;");
}

static void test_srec_picks_smallest_record_type(void **state)
{
	static const struct {
		uint64_t addr;
		const char *data, *term;
	} c[] = {
		{ 0xFFF0, "S1", "S9" },
		{ 0xFFFFF0, "S2", "S8" },
		{ 0x08000000, "S3", "S7" },
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct fk_segs s;
		struct fk_buf b = { 0 };
		char *text;

		fk_segs_init(&s);
		add_random(&s, c[i].addr, 16);
		write_fmt(FK_FMT_SREC, &s, &b);
		fk_buf_put(&b, "", 1);
		text = (char *)b.p;
		assert_non_null(strstr(text, "S0"));
		assert_non_null(strstr(text, c[i].data));
		assert_non_null(strstr(text, "\nS5"));
		assert_non_null(strstr(text, c[i].term));
		fk_segs_free(&s);
		fk_buf_free(&b);
	}
}

static void test_srec_refuses_address_too_wide_for_forced_type(void **state)
{
	struct fk_segs s;
	struct fk_write_opts o;
	struct fk_diag err = { 0 };
	struct fk_buf b = { 0 };

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x10000, 4);
	fk_write_opts_init(&o);
	o.srec_addr_bytes = 2;
	assert_int_equal(fk_format_write(FK_FMT_SREC, &s, &o, &b, &err), -1);
	assert_non_null(
		strstr(err.last_text, "address 0x10003 needs S2 records"));
	o.srec_addr_bytes = 3;
	b.len = 0;
	assert_int_equal(fk_format_write(FK_FMT_SREC, &s, &o, &b, &err), 0);
	fk_segs_free(&s);
	fk_buf_free(&b);
}

static void test_uf2_errors_name_block(void **state)
{
	struct fk_segs s;
	struct fk_buf b = { 0 };

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x10000000, 1024);
	write_fmt(FK_FMT_UF2, &s, &b);
	expect_error(FK_FMT_UF2, b.p, b.len - 100, "block 3: truncated");
	b.p[512 * 2 + 510] ^= 1;
	expect_error(FK_FMT_UF2, b.p, b.len,
		     "block 2 (offset 1024): bad magic");
	b.p[512 * 2 + 510] ^= 1;
	b.p[512 * 2 + 20] = 3; /* block 2 claims to be block 3 */
	expect_error(FK_FMT_UF2, b.p, b.len,
		     "block 2: numbered 3 of 4, "
		     "expected 2 of 4");
	fk_segs_free(&s);
	fk_buf_free(&b);
}

/* A file cut at a block boundary is still a multiple of 512 bytes: the
 * block count catches it, in the last run as in an earlier one. */
static void test_uf2_missing_blocks_are_counted(void **state)
{
	struct fk_segs s;
	struct fk_buf b = { 0 }, two = { 0 };

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x10000000, 1024);
	write_fmt(FK_FMT_UF2, &s, &b);
	expect_error(FK_FMT_UF2, b.p, 3 * 512,
		     "block 2: numBlocks says 4 "
		     "blocks, the file holds 3 of them (blocks 3..3 missing");
	fk_buf_put(&two, b.p, 512);
	fk_buf_put(&two, b.p, b.len);
	expect_error(FK_FMT_UF2, two.p, two.len,
		     "block 1: numBlocks says 4 "
		     "blocks, the file holds 1 of them (blocks 1..3 missing "
		     "from the run starting at block 0)");
	fk_segs_free(&s);
	fk_buf_free(&b);
	fk_buf_free(&two);
}

static void test_uf2_without_data_is_refused(void **state)
{
	struct fk_segs s;
	struct fk_buf b = { 0 };
	struct fk_read_opts ro;
	struct fk_diag err = { 0 };

	(void)state;
	expect_error(FK_FMT_UF2, "", 0, "in: empty file");
	fk_segs_init(&s);
	add_random(&s, 0x10000000, 256);
	write_fmt(FK_FMT_UF2, &s, &b); /* family 0x57755a57 */
	fk_segs_free(&s);
	fk_read_opts_init(&ro);
	ro.has_family = true;
	ro.family = 0xe48bff56;
	assert_int_equal(
		fk_format_read(FK_FMT_UF2, b.p, b.len, "in", &ro, &s, &err),
		-1);
	assert_string_equal(err.last_text,
			    "in: no block of family 0xe48bff56; the "
			    "file holds family 0x57755a57 (--family)");
	b.p[8] |= 1; /* not main flash */
	expect_error(FK_FMT_UF2, b.p, b.len,
		     "in: none of its 1 blocks holds "
		     "data for main flash");
	fk_buf_free(&b);
}

static void test_dfu_errors(void **state)
{
	struct fk_segs s;
	struct fk_buf b = { 0 };

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x08000000, 300);
	write_fmt(FK_FMT_DFU, &s, &b);
	b.p[400] ^= 0x40;
	expect_error(FK_FMT_DFU, b.p, b.len, "bad DFU suffix CRC");
	b.p[400] ^= 0x40;
	expect_error(FK_FMT_DFU, b.p, b.len - 20, "no DFU suffix");
	expect_error(FK_FMT_DFU, b.p, 20, "truncated");
	fk_segs_free(&s);
	fk_buf_free(&b);
}

static void test_dfu_keeps_several_targets(void **state)
{
	struct fk_dfu_target t[2] = { { .alt = 0, .name = "Internal Flash" },
				      { .alt = 1, .name = "QSPI" } };
	struct fk_dfu_target *back;
	struct fk_write_opts o;
	struct fk_diag err = { 0 };
	struct fk_buf b = { 0 };
	size_t n;

	(void)state;
	fk_segs_init(&t[0].segs);
	fk_segs_init(&t[1].segs);
	add_random(&t[0].segs, 0x08000000, 100);
	add_random(&t[0].segs, 0x08004000, 100);
	add_random(&t[1].segs, 0x08000000,
		   50); /* same addresses, other memory */
	fk_write_opts_init(&o);
	assert_int_equal(fk_dfu_write_targets(t, 2, &o, &b, &err), 0);
	assert_int_equal(fk_dfu_read_targets(b.p, b.len, "x", &back, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(back[1].name, "QSPI");
	assert_int_equal(back[1].alt, 1);
	assert_true(fk_segs_equal(&back[0].segs, &t[0].segs));
	assert_true(fk_segs_equal(&back[1].segs, &t[1].segs));
	expect_error(FK_FMT_DFU, b.p, b.len,
		     "2 targets; choose one with --target");
	fk_dfu_targets_free(back, n);
	fk_segs_free(&t[0].segs);
	fk_segs_free(&t[1].segs);
	fk_buf_free(&b);
}

static void test_elf_truncated_program_header_is_reported(void **state)
{
	uint8_t elf[52 + 32] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	(void)state;
	elf[18] = 40; /* EM_ARM */
	elf[28] = 52; /* e_phoff */
	elf[42] = 32; /* e_phentsize */
	elf[44] = 2;  /* e_phnum: the second one is missing */
	expect_error(FK_FMT_ELF, elf, sizeof(elf), "run past the end");
	elf[44] = 1;
	elf[52] = 1;	  /* PT_LOAD */
	elf[52 + 4] = 84; /* p_offset */
	elf[52 + 16] = 8; /* p_filesz, past the end */
	expect_error(FK_FMT_ELF, elf, sizeof(elf),
		     "program header 0: 8 bytes "
		     "at offset 84 run past the end");
}

/* A 32-bit little-endian ELF header of machine m with one PT_LOAD of
 * the 4 bytes that follow it, at 0x20000000. */
static void make_elf(uint8_t elf[52 + 32 + 4], uint16_t m)
{
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	memset(elf, 0, 52 + 32 + 4);
	memcpy(elf, ident, sizeof(ident));
	elf[18] = (uint8_t)m;
	elf[19] = (uint8_t)(m >> 8);
	elf[28] = 52;	     /* e_phoff */
	elf[42] = 32;	     /* e_phentsize */
	elf[44] = 1;	     /* e_phnum */
	elf[52] = 1;	     /* PT_LOAD */
	elf[52 + 4] = 84;    /* p_offset */
	elf[52 + 15] = 0x20; /* p_paddr 0x20000000 */
	elf[52 + 16] = 4;    /* p_filesz */
	memcpy(elf + 84, "\xde\xad\xbe\xef", 4);
}

static void test_elf_for_a_host_machine_is_refused_naming_it(void **state)
{
	uint8_t elf[52 + 32 + 4];

	(void)state;
	make_elf(elf, 3);
	expect_error(FK_FMT_ELF, elf, sizeof(elf),
		     "in: offset 18: an ELF file "
		     "for x86 (e_machine 3), not ARM (40) or RISC-V (243)");
	make_elf(elf, 4321);
	expect_error(FK_FMT_ELF, elf, sizeof(elf),
		     "an ELF file for an unknown "
		     "machine (e_machine 4321)");
	make_elf(elf, 62);
	elf[4] = 2; /* ELFCLASS64, as a host program is */
	expect_error(FK_FMT_ELF, elf, sizeof(elf),
		     "in: a 64-bit ELF file for "
		     "x86-64 (e_machine 62); flashkit reads 32-bit "
		     "little-endian ELF files for ARM or RISC-V");
	make_elf(elf, 0);
	elf[5] = 2; /* big-endian ARM: e_machine in big-endian order */
	elf[19] = 40;
	expect_error(FK_FMT_ELF, elf, sizeof(elf),
		     "in: a big-endian ELF file "
		     "for ARM (e_machine 40); flashkit reads 32-bit "
		     "little-endian");
}

static void test_elf_for_arm_and_riscv_is_read(void **state)
{
	static const uint16_t machines[] = { 40, 243 };
	uint8_t elf[52 + 32 + 4];
	struct fk_buf b = { 0 };
	struct fk_segs s;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		make_elf(elf, machines[i]);
		b.len = 0;
		fk_buf_put(&b, elf, sizeof(elf));
		read_fmt(FK_FMT_ELF, &b, 0, &s);
		assert_int_equal(fk_segs_start(&s), 0x20000000);
		assert_int_equal(fk_segs_size(&s), 4);
		fk_segs_free(&s);
	}
	fk_buf_free(&b);
}

/* Internal flash and a byte near 4 GiB: a binary would be 4 GiB of
 * fill. Refused with where the data lies, before any allocation. */
static void test_bin_refuses_a_span_past_256_mib_before_allocating(void **state)
{
	struct fk_segs s;
	struct fk_write_opts o;
	struct fk_diag err = { 0 };
	struct fk_buf b = { 0 };

	(void)state;
	fk_segs_init(&s);
	add_random(&s, 0x08000000, 16);
	add_random(&s, 0xFFFFFF00, 16);
	fk_write_opts_init(&o);
	assert_int_equal(fk_format_write(FK_FMT_BIN, &s, &o, &b, &err), -1);
	assert_string_equal(err.last_text,
			    "a binary from 0x08000000 to 0xFFFFFF10 "
			    "would be 3968 MiB, more than the 256 MiB flashkit "
			    "lays out in one piece; the data lies in "
			    "0x08000000..0x08000010 and 0xFFFFFF00..0xFFFFFF10 "
			    "with a gap between: write a format that keeps gaps"
			    " (hex, srec, uf2, dfu), or one binary per part "
			    "with --crop 0x8000000 0x8000010 and --crop "
			    "0xFFFFFF00 0xFFFFFF10");
	assert_null(b.p);
	fk_segs_free(&s);
}

static void test_segments_join_and_fill(void **state)
{
	struct fk_segs s;
	uint8_t a[4] = { 1, 2, 3, 4 };
	uint64_t clash;

	(void)state;
	fk_segs_init(&s);
	assert_int_equal(fk_segs_add(&s, 8, a, 4, NULL), 0);
	assert_int_equal(fk_segs_add(&s, 0, a, 4, NULL), 0);
	assert_int_equal(fk_segs_add(&s, 4, a, 4, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].len, 12);
	assert_int_equal(fk_segs_add(&s, 11, a, 4, &clash), FK_SEGS_OVERLAP);
	assert_int_equal(clash, 11);
	assert_int_equal(fk_segs_add(&s, 20, a, 4, NULL), 0);
	assert_int_equal(fk_segs_fill(&s, 2, 30, 0xEE), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].addr, 0);
	assert_int_equal(s.v[0].len, 30);
	assert_int_equal(s.v[0].data[12], 0xEE);
	assert_int_equal(s.v[0].data[21], 2);
	fk_segs_crop(&s, 10, 22);
	assert_int_equal(s.v[0].addr, 10);
	assert_int_equal(s.v[0].len, 12);
	assert_int_equal(fk_segs_add(&s, 0xFFFFFFFF, a, 2, NULL),
			 FK_SEGS_TOO_HIGH);
	fk_segs_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair_round_trips_dense_image),
		cmocka_unit_test(test_every_pair_round_trips_sparse_image),
		cmocka_unit_test(
			test_unaligned_bytes_round_trip_through_text_formats),
		cmocka_unit_test(
			test_ihex_writer_reserves_room_for_every_record),
		cmocka_unit_test(test_uf2_pads_partial_window_with_fill),
		cmocka_unit_test(test_ihex_bad_checksum_names_line),
		cmocka_unit_test(test_ihex_truncated_record_names_line),
		cmocka_unit_test(test_ihex_bad_character_names_column),
		cmocka_unit_test(test_ihex_overlap_names_line_and_address),
		cmocka_unit_test(test_ihex_segment_and_linear_addresses),
		cmocka_unit_test(test_ihex_start_segment_address_gives_entry),
		cmocka_unit_test(test_uf2_keeps_only_the_family_asked_for),
		cmocka_unit_test(test_uf2_family_names),
		cmocka_unit_test(test_srec_errors_name_line),
		cmocka_unit_test(
			test_srec_without_termination_record_is_refused),
		cmocka_unit_test(
			test_srec_termination_record_with_data_is_refused),
		cmocka_unit_test(test_srec_picks_smallest_record_type),
		cmocka_unit_test(
			test_srec_refuses_address_too_wide_for_forced_type),
		cmocka_unit_test(test_uf2_errors_name_block),
		cmocka_unit_test(test_uf2_missing_blocks_are_counted),
		cmocka_unit_test(test_uf2_without_data_is_refused),
		cmocka_unit_test(test_dfu_errors),
		cmocka_unit_test(test_dfu_keeps_several_targets),
		cmocka_unit_test(test_elf_truncated_program_header_is_reported),
		cmocka_unit_test(
			test_elf_for_a_host_machine_is_refused_naming_it),
		cmocka_unit_test(test_elf_for_arm_and_riscv_is_read),
		cmocka_unit_test(
			test_bin_refuses_a_span_past_256_mib_before_allocating),
		cmocka_unit_test(test_segments_join_and_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
