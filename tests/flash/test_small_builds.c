/*
 * The two build options a bootloader takes to be smaller, against the
 * defaults:
 *
 *   FK_FLASH_TRUSTED_AREAS  fk_area_read/program/erase/is_erased reach
 *                           the driver from the area's own checks. This
 *                           test is built with it (flash.c compiled
 *                           here) and compares each call on an area made
 *                           by fk_area_init() with what the default does
 *                           (the area's range check, then fk_flash_*()),
 *                           on two simulators: the same return code, the
 *                           same bytes read and the same flash, for
 *                           random, misaligned, empty, out-of-range and
 *                           wrapping ranges, NULL and short buffers, on
 *                           a non-uniform map.
 *   FK_CRC32_SMALL          fk_crc32() one bit at a time: crc32.c built
 *                           so under another name, and the devices'
 *                           default (the 16-entry table) under a third,
 *                           against the host library's (sliced by
 *                           eight, FK_CRC32_FAST) on random pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/crc.h"
#include "flashsim.h"
#include "test_rand.h"

/* crc32.c twice more, under other names: one bit at a time, and the
 * devices' 16-entry table (the library here is the host's, sliced by
 * eight). */
#define fk_crc32 fk_crc32_small
#define FK_CRC32_SMALL
#include "../../src/core/crc32.c"
#undef fk_crc32
#undef FK_CRC32_SMALL
#define fk_crc32 fk_crc32_nibble
#include "../../src/core/crc32.c"
#undef fk_crc32

#ifndef FK_FLASH_TRUSTED_AREAS
#error "test_small_builds is built with FK_FLASH_TRUSTED_AREAS"
#endif

static uint64_t x = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	return fk_test_rand(&x, n);
}

/* A non-uniform map (STM32F4's first sectors, shrunk) with an 8-byte
 * write unit. */
static const struct fk_sector_run runs[] = { { 4, 1024 },
					     { 1, 4096 },
					     { 3, 8192 } };

static struct fk_sim *make(void)
{
	struct fk_sim_config c = { .geo = { .size = 4 * 1024 + 4096 + 3 * 8192,
					    .runs = runs,
					    .run_count = 3,
					    .write_unit = 8,
					    .erased_value = 0xFF } };
	struct fk_sim *s = fk_sim_create(&c);

	assert_non_null(s);
	return s;
}

/* The default build's fk_area_*: the area's range, then fk_flash_*. */
static int ref_check(const struct fk_area *a, uint32_t off, uint32_t len)
{
	return off > a->size || len > a->size - off ? FK_ERANGE : FK_OK;
}

/* op 0 read, 1 program, 2 erase, 3 is_erased (through buf[0, blen)) */
static int ref_op(int op, const struct fk_area *a, uint32_t off, void *buf,
		  uint32_t len, uint32_t blen)
{
	int rc = ref_check(a, off, len);

	if (rc)
		return rc;
	if (op == 0)
		return fk_flash_read(a->flash, a->off + off, buf, len);
	if (op == 1)
		return fk_flash_program(a->flash, a->off + off, buf, len);
	if (op == 2)
		return fk_flash_erase(a->flash, a->off + off, len);
	return fk_flash_is_erased(a->flash, a->off + off, len, buf, blen);
}

static int trusted_op(int op, const struct fk_area *a, uint32_t off, void *buf,
		      uint32_t len, uint32_t blen)
{
	if (op == 0)
		return fk_area_read(a, off, buf, len);
	if (op == 1)
		return fk_area_program(a, off, buf, len);
	if (op == 2)
		return fk_area_erase(a, off, len);
	return fk_area_is_erased(a, off, len, buf, blen);
}

/* An offset or length: sector and unit multiples, near misses, 0, the
 * area's end and values that wrap. */
static uint32_t pick(uint32_t size)
{
	static const uint32_t odd[] = { 0,	     1,		  7,
					8,	     1024,	  4096,
					0xFFFFFFFFu, 0xFFFFFFF8u, 0x80000000u };

	switch (rnd(6)) {
	case 0:
		return odd[rnd(sizeof(odd) / sizeof(odd[0]))];
	case 1:
		return rnd(size + 2);
	case 2:
		return rnd(size / 8 + 2) * 8;
	case 3:
		return rnd(64) * 8;
	case 4:
		return rnd(size / 1024 + 1) * 1024;
	default:
		return size - rnd(3) * 1024;
	}
}

static void test_trusted_areas_do_as_the_default(void **state)
{
	/* areas on sector boundaries: the whole map, the small sectors,
	 * the big ones, one small sector */
	static const uint32_t areas[][2] = {
		{ 0, 4 * 1024 + 4096 + 3 * 8192 },
		{ 0, 4096 },
		{ 8192, 3 * 8192 },
		{ 2048, 1024 },
	};
	static uint8_t buf[40000], rbuf[2][40000];
	struct fk_sim *s[2] = { make(), make() };
	unsigned calls = 0, refused = 0, done[4] = { 0 }, erased = 0;

	(void)state;
	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd(256);
	for (int k = 0; k < 54000; k++) {
		const uint32_t *w = areas[rnd(4)];
		struct fk_area a[2];
		int op = (int)rnd(4), rc[2];
		uint32_t off = pick(w[1]), len = pick(w[1]);
		/* is_erased's scratch: none, one byte, a few, all of rbuf */
		static const uint32_t blens[] = { 0, 1, 24, sizeof(rbuf[0]) };
		uint32_t blen = blens[rnd(4)];
		bool null = rnd(20) == 0;

		for (int j = 0; j < 2; j++)
			assert_int_equal(fk_area_init(&a[j], fk_sim_flash(s[j]),
						      w[0], w[1]),
					 FK_OK);
		if (len > sizeof(buf) && rnd(2))
			len = rnd(sizeof(buf));
		for (int j = 0; j < 2; j++) {
			void *b = op == 0 || op == 3 ? rbuf[j] : buf;

			if (null)
				b = NULL;
			rc[j] = j ? trusted_op(op, &a[j], off, b, len, blen) :
				    ref_op(op, &a[j], off, b, len, blen);
		}
		assert_int_equal(rc[1], rc[0]);
		if ((op == 0 || op == 3) && rc[0] >= FK_OK && !null)
			assert_memory_equal(rbuf[0], rbuf[1], sizeof(rbuf[0]));
		assert_memory_equal(fk_sim_data(s[0]), fk_sim_data(s[1]),
				    fk_sim_flash(s[0])->geo.size);
		calls++;
		refused += rc[0] < FK_OK;
		done[op] += rc[0] >= FK_OK;
		erased += op == 3 && rc[0] == 1;
	}
	print_message("%u calls, %u refused, %u reads, %u programs, %u erases "
		      "and %u erased checks (%u erased) done: the same codes "
		      "and flash\n",
		      calls, refused, done[0], done[1], done[2], done[3],
		      erased);
	for (int op = 0; op < 4; op++)
		assert_true(done[op] > 300);
	assert_true(erased > 100 && done[3] - erased > 100);
	assert_true(refused > 1000);
	fk_sim_destroy(s[0]);
	fk_sim_destroy(s[1]);
}

static void test_small_crc_is_the_crc(void **state)
{
	static uint8_t data[4096];

	(void)state;
	assert_int_equal(fk_crc32_small(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(fk_crc32_nibble(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(fk_crc32(0, "123456789", 9), 0xCBF43926u);
	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd(256);
	for (int k = 0; k < 2000; k++) {
		uint32_t seed = rnd(2) ? 0 : (uint32_t)x;
		uint32_t at = rnd(sizeof(data)), n = rnd(sizeof(data) - at + 1);

		assert_int_equal(fk_crc32_small(seed, data + at, n),
				 fk_crc32(seed, data + at, n));
		assert_int_equal(fk_crc32_nibble(seed, data + at, n),
				 fk_crc32(seed, data + at, n));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted_areas_do_as_the_default),
		cmocka_unit_test(test_small_crc_is_the_crc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
