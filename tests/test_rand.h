/*
 * The tests' seeded pseudo-random numbers: xorshift64 (Marsaglia), the
 * same sequence for the same seed on every host, so that a failing case
 * is found again by its seed. Not for anything but tests.
 */
#ifndef FLASHKIT_TESTS_TEST_RAND_H
#define FLASHKIT_TESTS_TEST_RAND_H

#include <stdint.h>

/* The next number of the sequence in *state (never 0), reduced mod n. */
static inline uint32_t fk_test_rand(uint64_t *state, uint32_t n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state % n);
}

#endif
