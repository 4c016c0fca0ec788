/*
 * The delta codec end to end: the host encoder's streams rebuilt byte for
 * byte by the device decoder (src/delta/) from pieces of every size, on
 * pairs made from real machine code (the flashkit tool's x86-64 code) with
 * the changes a new firmware version brings: inserted and deleted code,
 * and the addresses after an insertion moved by its size.
 * Then the decoder's refusals: truncated streams at every length, flipped
 * bytes, a stream for another size, bytes after the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta/delta.h"
#include "flashkit/delta.h"

static uint8_t *self_bytes;
static size_t self_len;

static int load_self(void **state)
{
	const char *tool = getenv("FK_TOOL");
	FILE *f = fopen(tool ? tool : "/proc/self/exe", "rb");
	size_t cap = 1 << 20;

	(void)state;
	assert_non_null(f);
	self_bytes = malloc(cap);
	self_len = fread(self_bytes, 1, cap, f);
	fclose(f);
	assert_true(self_len > 512 * 1024);
	return 0;
}

static int free_self(void **state)
{
	(void)state;
	free(self_bytes);
	return 0;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* A "new version" of old: code inserted and deleted at a few places, and
 * every 32-bit word that looks like an address past the first insertion
 * moved by its size, as a linker would. */
static uint8_t *mutate(const uint8_t *old, size_t len, size_t *out_len)
{
	uint8_t *n = malloc(len + 4096);
	size_t at = rnd() % (len / 2), ins = 4 + rnd() % 300;
	size_t del_at = len / 2 + rnd() % (len / 4), del = rnd() % 200;
	size_t o = 0, w = 0;

	while (o < len) {
		if (o == at)
			for (size_t i = 0; i < ins; i++)
				n[w++] = (uint8_t)rnd();
		if (o == del_at) {
			o += del;
			continue;
		}
		n[w++] = old[o++];
	}
	for (size_t i = at + ins; i + 4 <= w; i += 4) {
		uint32_t v;

		memcpy(&v, n + i, 4);
		if ((v & 0xfff00000u) == 0x08000000u) {
			v += (uint32_t)(ins & ~3u);
			memcpy(n + i, &v, 4);
		}
	}
	*out_len = w > len ? len : w;
	return n;
}

static void roundtrip(const uint8_t *old, size_t old_len, const uint8_t *cur,
		      size_t len, unsigned log2, size_t *coded)
{
	static const size_t chunks[] = { 1, 7, 100, 4096, SIZE_MAX };
	struct fk_diag diag = { 0 };
	uint8_t *stream, *back;
	size_t slen;

	assert_int_equal(fk_delta_encode(old, old_len, cur, len, log2, &stream,
					 &slen, NULL, &diag),
			 0);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		if (chunks[c] == 1 && len > 70000)
			continue;
		assert_int_equal(fk_delta_decode(old, old_len, stream, slen,
						 len, log2, chunks[c], &back,
						 &diag),
				 0);
		assert_memory_equal(back, cur, len);
		free(back);
	}
	*coded = slen;
	free(stream);
}

static void test_delta_rebuilds_mutated_code_pairs(void **state)
{
	size_t total_new = 0, total_coded = 0;

	(void)state;
	for (int pair = 0; pair < 24; pair++) {
		size_t len = 8192 + rnd() % (96 * 1024), nlen, coded;
		size_t start = rnd() % (self_len - len);
		uint8_t *cur = mutate(self_bytes + start, len, &nlen);

		roundtrip(self_bytes + start, len, cur, nlen,
			  FK_DELTA_BLOCK_LOG2_MIN + pair % 6, &coded);
		total_new += nlen;
		total_coded += coded;
		free(cur);
	}
	/* a delta of small changes is a small fraction of the image */
	assert_true(total_coded * 20 < total_new);
}

static void test_delta_compresses_without_old_image(void **state)
{
	size_t coded;

	(void)state;
	roundtrip(NULL, 0, self_bytes, 200 * 1024, 14, &coded);
	assert_true(coded < 200 * 1024 * 3 / 4);
	roundtrip(NULL, 0, self_bytes, 0, 14, &coded);
	assert_int_equal(coded, 0);
	roundtrip(NULL, 0, self_bytes, 1, 10, &coded);
}

static void test_delta_of_identical_images_is_tiny(void **state)
{
	size_t coded;

	(void)state;
	roundtrip(self_bytes, 256 * 1024, self_bytes, 256 * 1024, 16, &coded);
	assert_true(coded < 64);
}

static int decode_quiet(const uint8_t *old, size_t old_len, const uint8_t *s,
			size_t slen, size_t len, unsigned log2,
			const uint8_t *want)
{
	struct fk_diag diag = { 0 };
	uint8_t *back;
	int rc = fk_delta_decode(old, old_len, s, slen, len, log2, 4096, &back,
				 &diag);

	if (rc == 0) {
		rc = memcmp(back, want, len) == 0 ? 0 : 1;
		free(back);
	}
	return rc;
}

static void test_delta_refuses_truncated_and_extended_streams(void **state)
{
	const uint8_t *old = self_bytes + 4096;
	size_t len = 12000, nlen, slen;
	uint8_t *cur = mutate(old, len, &nlen), *s;
	struct fk_diag diag = { 0 };

	(void)state;
	assert_int_equal(fk_delta_encode(old, len, cur, nlen, 10, &s, &slen,
					 NULL, &diag),
			 0);
	for (size_t cut = 0; cut < slen; cut++)
		assert_int_equal(decode_quiet(old, len, s, cut, nlen, 10, cur),
				 -1);
	s = realloc(s, slen + 1);
	s[slen] = 0;
	assert_int_equal(decode_quiet(old, len, s, slen + 1, nlen, 10, cur),
			 -1);
	assert_int_equal(decode_quiet(old, len, s, slen, nlen, 10, cur), 0);
	/* the same stream for a longer image, or another block size */
	assert_int_equal(decode_quiet(old, len, s, slen, nlen + 1, 10, cur),
			 -1);
	assert_int_not_equal(decode_quiet(old, len, s, slen, nlen, 11, cur), 0);
	free(s);
	free(cur);
}

static void test_delta_survives_flipped_bytes(void **state)
{
	const uint8_t *old = self_bytes + 8192;
	size_t len = 6000, nlen, slen;
	uint8_t *cur = mutate(old, len, &nlen), *s;
	struct fk_diag diag = { 0 };
	int refused = 0;

	(void)state;
	assert_int_equal(fk_delta_encode(old, len, cur, nlen, 12, &s, &slen,
					 NULL, &diag),
			 0);
	for (size_t i = 0; i < slen; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			s[i] ^= (uint8_t)(1u << bit);
			/* wrong output is the digest's to catch; the decoder
			 * must only stay inside its buffers (ASan) */
			refused += decode_quiet(old, len, s, slen, nlen, 12,
						cur) != 0;
			s[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_true(refused > 0);
	free(s);
	free(cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_rebuilds_mutated_code_pairs),
		cmocka_unit_test(test_delta_compresses_without_old_image),
		cmocka_unit_test(test_delta_of_identical_images_is_tiny),
		cmocka_unit_test(
			test_delta_refuses_truncated_and_extended_streams),
		cmocka_unit_test(test_delta_survives_flipped_bytes),
	};

	return cmocka_run_group_tests(tests, load_self, free_self);
}
