/*
 * The STM32F205 board of seed 003 (examples/stm32f205-wiced-ota) under
 * Unicorn, for the tests of its bootloader (test_f205_lite_boot.c,
 * test_f205_lite_recovery.c): the bootloader ELF run whole from reset
 * (uc_boot.h) on the F2/F4 flash model (models/f4.c: the app slot) and a
 * 1 MiB SPI NOR chip (models/nor_chip.c, W25Q80DV) on SPI1
 * (models/spi_stm32.c: the ota, factory and boot-state partitions), as
 * the board's drivers (ports/stm32/flash_f4.c, ports/nor) reach them;
 * the test images it boots, and the power-cut sweep of a boot.
 *
 * Power cuts (struct f205_sweep): the board prepared for an install,
 * both flash arrays saved; then for each cut, the arrays restored, one
 * cut scheduled at an operation of the boot on one memory (before it,
 * after it, or tearing it), the boot run until the power fails, and a
 * boot from reset that must end in the expected image, the app slot
 * holding it byte for byte. Every operation of both memories is cut,
 * each before, after and torn. The swept installs copy a small image
 * (f205_sweep_payload: F205_SWEEP_PAYLOAD bytes of payload, an 820-byte
 * image, the copy an erase and 85 word programs), or with FK_SWEEP_FULL=1
 * in the environment the other tests' (6,000 bytes: 1,521 operations).
 *
 * Host only (C11); helpers of cmocka tests (they fail the test with
 * fail_msg and cmocka's asserts).
 */
#ifndef FLASHKIT_TESTS_F205_BOARD_H
#define FLASHKIT_TESTS_F205_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashsim.h"
#include "layout/layout.h"
#include "models/f4.h"
#include "models/nor_chip.h"
#include "models/spi_stm32.h"
#include "uc_boot.h"

#define F205_IWDG 0x40003000u
#define F205_RCC 0x40023800u
#define F205_FLASH 0x08000000u
#define F205_PAYLOAD 6000u
/* The payload of the images whose installs ctest's sweeps cut
 * (f205_sweep_payload), at every operation as FK_SWEEP_FULL=1 cuts the
 * F205_PAYLOAD images'. */
#define F205_SWEEP_PAYLOAD 256u
/* Instructions a run may take: a boot that copies and checks the factory
 * image takes some 10 million; more is a board looping in recovery. */
#define F205_BOOT_BUDGET 100000000u

/* What the tests run on: set elf, flashkit, layout, key (NULL for a
 * bootloader that checks digests only) and name, then run the tests
 * with f205_setup and f205_teardown as the group's. */
struct f205_env {
	const char *elf, *flashkit, *layout, *key;
	const char *name; /* the images' folder's stem */
	char tmp[64];	  /* a folder for the images */
	struct fk_layout L;
	const struct fk_layout_partition *boot, *slot_app, *slot_ota;
	const struct fk_layout_partition *slot_factory;
	const struct fk_layout_image *app;
	uint32_t payload; /* of the images f205_image makes; 0: F205_PAYLOAD */
};
extern struct f205_env f205;

/* cmocka group setup: loads the layout, finds its partitions, makes the
 * folder. 0 or -1. Teardown: frees them. */
int f205_setup(void **state);
int f205_teardown(void **state);

/* The board: the bootloader on its core, the internal flash, the serial
 * flash on SPI1. */
struct f205_board {
	struct uc_boot *b;
	struct uc *uc;
	struct f4_model *flash;
	struct nor_chip *chip;
	struct spi_model *spi;
};

/* With rcc, the RCC block as plain memory; without, the caller attaches
 * the model that keeps it (the USART model's). */
void f205_board_open(struct f205_board *bd, bool rcc);
void f205_board_close(struct f205_board *bd);

const struct fk_flash *f205_internal(struct f205_board *bd);
const uint8_t *f205_internal_at(struct f205_board *bd, uint32_t addr);
const struct fk_flash *f205_serial(struct f205_board *bd);
const uint8_t *f205_serial_at(struct f205_board *bd, uint32_t off);

/* Reset handler entries of the test images, inside the app slot. */
uint32_t f205_entry(unsigned n);

/* A firmware whose vector table holds the top of the image's RAM and
 * the reset handler entry e, signed by flashkit for the layout's image
 * (f205.key, or its digest only); *len its bytes. */
uint8_t *f205_image(const char *version, uint32_t e, size_t *len);

/* Programs bytes at addr of a memory, as a programmer does. */
void f205_program(const struct fk_flash *f, uint32_t addr, const uint8_t *data,
		  size_t len);

/* The image with entry f205_entry(n) programmed into the app slot (the
 * internal flash) or the factory partition (the serial flash). */
uint8_t *f205_place_app(struct f205_board *bd, const char *version, unsigned n,
			size_t *len);
uint8_t *f205_place_factory(struct f205_board *bd, const char *version,
			    unsigned n, size_t *len);

/* A run from reset that must jump into the image whose entry is e, with
 * the stack pointer at the top of its RAM, leaving the flash controller
 * as a driver must. */
void f205_boot_into(struct f205_board *bd, uint32_t e);

struct f205_sweep {
	struct f205_board *bd;
	struct fk_sim *sims[2]; /* the internal flash, the serial flash */
	struct fk_sim_snapshot *saved[2];
	uint64_t ops[2];    /* operations of one uninterrupted boot */
	uint32_t e;	    /* the entry the boots must end in */
	const uint8_t *img; /* what the app slot must then hold */
	size_t len;
	unsigned cuts;
};

/* Saves the prepared board sw->bd and counts the operations of one
 * boot, which must end in e with img in the app slot. */
void f205_sweep_open(struct f205_sweep *sw, uint32_t e, const uint8_t *img,
		     size_t len);
/* The cuts, then a line on stdout: what, the cuts, the operations. */
void f205_sweep_run(struct f205_sweep *sw, const char *what);
/* Frees the saved arrays (not the board). */
void f205_sweep_close(struct f205_sweep *sw);

/* Both memories: the saved arrays back, the chip out of any command. */
void f205_sweep_restore(struct f205_sweep *sw);

/* The payload of a swept boot's images: F205_PAYLOAD with FK_SWEEP_FULL=1
 * in the environment, else F205_SWEEP_PAYLOAD. Set f205.payload to it
 * before making them. */
uint32_t f205_sweep_payload(void);

/* After a power cut: the cut cancelled, both memories powered again,
 * the chip out of any command; what names the cut for the messages of
 * the boots that follow (f205_boot_into), until f205_cut_done(). */
void f205_power_back(struct f205_board *bd, const char *what);
void f205_cut_done(void);

#endif
