/*
 * cmocka assertions on flash contents, shared by the flash and simulator
 * tests. Include after <cmocka.h>.
 */
#ifndef FLASHKIT_TESTS_SIM_ASSERTS_H
#define FLASHKIT_TESTS_SIM_ASSERTS_H

#include <stdint.h>

/* Fails naming the first byte of p[0..len) that is not value. */
static inline void fk_assert_all(const uint8_t *p, uint32_t len, uint8_t value)
{
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != value)
			fail_msg("byte %u is 0x%02x, expected 0x%02x", i, p[i],
				 value);
	}
}

#endif
