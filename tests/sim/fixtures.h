/*
 * Simulated memories shared by the flash and simulator tests (and by any
 * test that wants a real fk_flash to run on): a small uniform NOR, the
 * STM32F4 bank with its non-uniform sector map, and an STM32L4-like
 * program-once ECC flash. Each call returns a fresh simulator with every
 * byte erased; the test destroys it.
 */
#ifndef FLASHKIT_TESTS_SIM_FIXTURES_H
#define FLASHKIT_TESTS_SIM_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "flashsim.h"

/* STM32F4 bank 1: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB at 0x08000000. */
static const struct fk_sector_run fk_test_stm32f4_runs[] = {
    {4, 16 * 1024},
    {1, 64 * 1024},
    {7, 128 * 1024},
};

/* A uniform memory of `sectors` sectors of `sector_size` bytes. */
static inline struct fk_sim *
fk_test_sim_uniform(uint32_t sectors, uint32_t sector_size, uint32_t write_unit,
		    uint8_t erased_value, bool program_once)
{
	struct fk_sector_run run = {sectors, sector_size};
	struct fk_sim_config cfg = {
	    .geo =
		{
		    .base = 0x08000000,
		    .size = sectors * sector_size,
		    .runs = &run,
		    .run_count = 1,
		    .write_unit = write_unit,
		    .erased_value = erased_value,
		    .program_once = program_once,
		},
	};

	return fk_sim_create(&cfg);
}

/* Plain NOR: 8 sectors of 256 bytes, 4-byte write unit, erased 0xFF. */
static inline struct fk_sim *fk_test_sim_nor(void)
{
	return fk_test_sim_uniform(8, 256, 4, 0xFF, false);
}

/* Program-once ECC flash (STM32L4-like): 8 sectors of 256 bytes, 8-byte
 * write unit, erased 0xFF. */
static inline struct fk_sim *fk_test_sim_ecc(void)
{
	return fk_test_sim_uniform(8, 256, 8, 0xFF, true);
}

/* The STM32F4 bank's geometry: 1 MiB at 0x08000000, byte writes, erased
 * 0xFF. */
static inline struct fk_flash_geometry fk_test_stm32f4_geometry(void)
{
	struct fk_flash_geometry geo = {
	    .base = 0x08000000,
	    .size = 1024 * 1024,
	    .runs = fk_test_stm32f4_runs,
	    .run_count = 3,
	    .write_unit = 1,
	    .erased_value = 0xFF,
	};

	return geo;
}

/* A simulator of the STM32F4 bank. */
static inline struct fk_sim *fk_test_sim_stm32f4(void)
{
	struct fk_sim_config cfg = {.geo = fk_test_stm32f4_geometry()};

	return fk_sim_create(&cfg);
}

#endif
