/*
 * Steps every STM32 port test (test_l0.c, test_l4.c, test_h7.c) takes:
 * run the conformance suite on the emulated driver with the model's
 * violations as its rule check, assert no violation so far, and call a
 * misuse function of the image that must (or must not) break a rule.
 * cmocka assertions; host only.
 */
#ifndef FLASHKIT_TESTS_STM32_TEST_H
#define FLASHKIT_TESTS_STM32_TEST_H

#include <stdint.h>

#include "port_kv_sweep.h"
#include "uc.h"

/* The conformance suite on uf (its sim, the model's violations), at most
 * max_sectors sectors per check (0: the suite's default). Fails the test
 * with the first failure; prints the number of checks. */
void stm32_conformance(struct uc_flash *uf, const char *name,
		       uint32_t max_sectors);

/* Fails the test with the model's first violation, if any. */
void stm32_assert_no_violation(struct uc *uc);

/* Calls the image's function fn (no arguments), asserts its run result
 * and returns r0. */
uint32_t stm32_misuse(struct uc *uc, const char *fn, enum uc_run expect);

/* Calls fn, which must return normally with (r0 & mask) == flags (the
 * status register it read); then reboots the MCU. */
void stm32_expect_flags(struct uc *uc, const char *fn, uint32_t mask,
			uint32_t flags);

/* Calls fn, which must stop on a violation whose message contains words;
 * then forgets it and reboots the MCU. */
void stm32_expect_violation(struct uc *uc, const char *fn, const char *words);

/* The sweeps are their own ctest tests (port_<family>_kv_sweep), so the
 * model's mutants, which rerun port_<family>, stay quick: with the
 * argument "--sweeps" only the tests named *_survives_every_cut run (the
 * CI subset), with "--full" only they in their long version, without
 * either all the others. */
void stm32_select_tests(int argc, char **argv);

/* The settings-store sweep s (port_kv_sweep.h); after "--full",
 * long_factor times more user operations. Fails the test with the first
 * failure; prints the counts and leaves them in *n. */
void stm32_kv_sweep(struct port_kv_sweep *s, uint32_t long_factor,
		    struct port_kv_counts *n);

#endif
