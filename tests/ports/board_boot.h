/*
 * What the board bootloader tests share beyond running the program
 * (uc_boot.h): the production files a factory writes, the update the
 * application stages through the update API, and the power-cut sweep of
 * a boot. Used by test_l4_boot.c and test_h745_boot.c.
 *
 * Production: board_sh() runs the project's CLI (`flashkit merge
 * --layout`, `flashkit provision`), board_read_hex() reads the file it
 * wrote, board_program_file() writes it into a flash model as a
 * programmer does, the bootloader's own partition checked against the
 * program the core runs (ROM) rather than written.
 *
 * The application's side: board_host_config() is the host's
 * configuration of the board's layout (fk_layout_boot_config()) over the
 * models' flash arrays, board_stage() an image received through
 * fk_update_begin/write/finish and marked with fk_boot_set_pending().
 *
 * Power cuts (struct board_sweep): a boot from reset is run once
 * uninterrupted (its flash operations counted), then again from the same
 * flash for every operation, cut before it, after it and torn; after
 * each cut the power comes back and the test's check boots the board,
 * which must end in an image the test allows.
 *
 * Host only (C11); helpers of cmocka tests (they fail the test with
 * fail_msg and cmocka's asserts).
 */
#ifndef FLASHKIT_TESTS_BOARD_BOOT_H
#define FLASHKIT_TESTS_BOARD_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/boot.h"
#include "flashsim.h"
#include "formats/segments.h"
#include "layout/boot_config.h"
#include "uc_boot.h"

/* Runs the shell command printf(fmt, ...) with its stdout discarded.
 * Returns 0, or -1 (the command on stderr) when it fails. */
int board_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads the Intel HEX file at path into out (initialised here). 0 or -1
 * (why on stderr). */
int board_read_hex(const char *path, struct fk_segs *out);

/* Programs len bytes of a file at bus address addr into f (its
 * geometry's base is the bus address of offset 0) as a programmer does:
 * write unit by write unit, units of erased value left erased. */
void board_program(const struct fk_flash *f, uint32_t addr, const uint8_t *data,
		   size_t len);

/* Writes the production file at path (Intel HEX) into f, but for the
 * bytes in [rom_lo, rom_hi) (the bootloader's partition: the core runs
 * the program from there, uc_boot.h), which must equal what b holds at
 * those addresses; every byte must fall in f or that range. */
void board_program_file(struct uc_boot *b, const struct fk_flash *f,
			uint32_t rom_lo, uint32_t rom_hi, const char *path);

/* The flashes of a layout's memories, by name, for
 * fk_layout_flashes (board_flash_of, ctx this): memory `name[i]` is
 * flash[i]. */
#define BOARD_MEMORIES 4
struct board_memories {
	const struct fk_layout *layout;
	const char *name[BOARD_MEMORIES];
	const struct fk_flash *flash[BOARD_MEMORIES];
};
const struct fk_flash *board_flash_of(void *ctx, uint32_t mem, char *msg,
				      size_t len);

/* A flash of size bytes at offset off of under (whose sectors are all
 * of one size): one bank of a model that keeps both in one array. */
struct board_window {
	struct fk_flash flash;
	const struct fk_flash *under;
	uint32_t off;
	struct fk_sector_run run;
};
void board_window_init(struct board_window *w, const struct fk_flash *under,
		       uint32_t off, uint32_t size);

/* cfg: the application's configuration of images imgs[0..count) of
 * layout, their memories' flash given by fl; buf its buffer, no jump. */
void board_host_config(const struct fk_layout *layout,
		       const struct fk_layout_image *const *imgs,
		       uint32_t count, const struct fk_layout_flashes *fl,
		       struct fk_boot_config *cfg, uint8_t *buf,
		       uint32_t buf_len);

/* Image index img of cfg received through the update API in writes of
 * piece bytes (the last one shorter), then marked pending in mode. */
void board_stage(const struct fk_boot_config *cfg, uint32_t img,
		 const uint8_t *data, size_t len, uint32_t piece,
		 enum fk_boot_mode mode);

/* ---- power cuts ---- */

struct board_sweep {
	const char *what;   /* for messages: "update install" */
	struct fk_sim *sim; /* the flash the boot writes */
	/* A run from reset (the core and its models reset) until the
	 * program jumps out, fails or loses power. */
	enum uc_run (*run)(void *ctx, struct uc_boot_exit *x);
	/* Checks that run x, a boot whose power stayed on (the
	 * uninterrupted one, or the first after a cut), ended in an image
	 * the test allows, and runs the boots that must follow; fails the
	 * test otherwise. after says what came before, for messages:
	 * " after <what> cut at operation N (kind K)". */
	void (*check)(void *ctx, const struct uc_boot_exit *x,
		      const char *after);
	void *ctx;
	/* results */
	uint64_t ops; /* of the uninterrupted run */
	unsigned cuts;
};

/* The sweep of the boot from the flash as it is: run once
 * uninterrupted, then once per cut of each of its operations (before,
 * after, torn), each cut followed by a boot with the power back; every
 * one of those boots goes through sw->check. Then a line on stdout.
 * The flash is left as the uninterrupted run left it. */
void board_sweep_run(struct board_sweep *sw);

#endif
