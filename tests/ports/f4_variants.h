/*
 * The F2/F4 parts the port tests run, shared by the test image
 * (f4_image.c: the driver's config) and the host test (test_f4.c: the
 * model's). vrange is enum fk_f4_vrange: 0 x8, 1 x16, 2 x32, 3 x64.
 */
#ifndef FLASHKIT_TESTS_F4_VARIANTS_H
#define FLASHKIT_TESTS_F4_VARIANTS_H

#include <stdbool.h>
#include <stdint.h>

struct f4_variant {
	const char *name;
	uint32_t size;
	bool dual_bank;
	uint32_t vrange;
	bool has_rderr;
};

#define F4_VARIANTS                                                            \
	{                                                                      \
		{ "F407 1 MiB, 3.3 V (x32)", 0x100000, false, 2, false },      \
			{ "F205 512 KiB, 1.8 V (x8)", 0x80000, false, 0,       \
			  false },                                             \
			{ "F205 128 KiB, 2.4 V (x16)", 0x20000, false, 1,      \
			  false },                                             \
			{ "F429 2 MiB dual bank, 3.3 V (x32)", 0x200000, true, \
			  2, true },                                           \
			{ "F439 1 MiB DB1M, VPP (x64)", 0x100000, true, 3,     \
			  true },                                              \
	}

#define F4_VARIANT_COUNT 5u

#endif
