/*
 * The flash loader's tests (test_loader.c), run by port_nor's main
 * (test_nor.c) on the loader ELF. Returns the number of failed tests.
 */
#ifndef FLASHKIT_TESTS_PORTS_TEST_NOR_H
#define FLASHKIT_TESTS_PORTS_TEST_NOR_H

int nor_loader_tests(const char *elf);

#endif
