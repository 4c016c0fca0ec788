/*
 * The test image's side of struct uc_flash (tests/ports/uc/uc.h): a few
 * entry points the harness calls in the emulated CPU, forwarding to the
 * ops of the struct fk_flash the driver under test filled in, and a RAM
 * buffer the harness copies data through.
 *
 * Each family's test image provides fk_shim_open(variant): it calls its
 * driver's init with the configuration numbered variant (part, bank
 * layout, voltage range, ...) and returns the driver's struct fk_flash,
 * or NULL when the variant does not exist or init failed.
 *
 * The shim calls the driver's ops directly, the way the checked
 * fk_flash_* wrappers do after their range and alignment checks; on the
 * host, struct uc_flash is used through those same wrappers. The shim
 * itself runs from ROM, like a bootloader calling its driver.
 */
#ifndef FLASHKIT_TESTS_SHIM_H
#define FLASHKIT_TESTS_SHIM_H

#include <stdint.h>

#include "flashkit/flash.h"

#define FK_SHIM_BUF 4096u
#define FK_SHIM_MAX_RUNS 16u

/* The geometry as plain words, for the host to read without knowing the
 * target's struct layout. */
struct fk_shim_info {
	uint32_t base;
	uint32_t size;
	uint32_t write_unit;
	uint32_t erased_value;
	uint32_t program_once;
	uint32_t run_count;
	uint32_t runs[FK_SHIM_MAX_RUNS][2]; /* count, size */
};

/* Provided by the family's test image. */
const struct fk_flash *fk_shim_open(uint32_t variant);

/* Entry points the harness calls. Return 0 or an FK_E* code. */
int fk_shim_init(uint32_t variant);
int fk_shim_read(uint32_t off, uint32_t len);
int fk_shim_program(uint32_t off, uint32_t len);
int fk_shim_erase(uint32_t off, uint32_t sector_size);

extern uint8_t fk_shim_buf[FK_SHIM_BUF];
extern struct fk_shim_info fk_shim_info;

#endif
