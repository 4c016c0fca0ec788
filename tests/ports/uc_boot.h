/*
 * A board's bootloader program, the ELF fk_boot_board_program()
 * (cmake/boot.cmake) links, run whole under Unicorn from its reset on the
 * family's flash model, until it jumps out of itself into an image.
 *
 * struct uc_boot is one core of the board: the harness (uc/uc.h) with
 * the program's bytes at their load addresses in ROM (its bootloader
 * partition: the flash model's array leaves those pages to ROM), the RAM
 * its linker script gives it, and the Cortex-M system control space
 * (SysTick, NVIC, SCB: 0xE000E000, 4 KiB) as plain memory, so that the
 * final jump's writes land and VTOR can be read back. A test adds its
 * family's flash model on uc_boot_uc() (models/h7.h, ...) and whatever
 * else the board's code touches: an SRAM both cores share, a register
 * block kept as plain memory with a hook on every store
 * (uc_boot_memory). Anything else the program reaches is a violation.
 *
 * uc_boot_run() starts the core as a reset does, at a vector table in
 * ROM, and runs it until it fetches an instruction outside a code range
 * (the jump into an image: its reset handler lies in a flash window, not
 * executable) and reports where, with MSP, CONTROL and VTOR as the jump
 * left them. A WFE or WFI is an event that comes at once, up to a
 * number of times the test chooses; then the run stops as waiting.
 *
 * Host only (C11, allocates). Used by test_h745_boot.c; any board's
 * bootloader runs the same way with its family's model.
 */
#ifndef FLASHKIT_TESTS_UC_BOOT_H
#define FLASHKIT_TESTS_UC_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkit/boot.h"
#include "layout/layout.h"
#include "uc.h"

/* Instructions one run may take: a P-256 signature check of each image
 * and a swap of both slots take some hundred million. */
#define UC_BOOT_BUDGET 2000000000u

#define UC_BOOT_SCS 0xE000E000u /* system control space */
#define UC_BOOT_VTOR 0xE000ED08u

struct uc_boot_config {
	const char *elf; /* the bootloader ELF */
	const char *cpu; /* "cortex-m7", "cortex-m4", "cortex-m3" */
	/* ROM: the bootloader partition (every byte the ELF loads lies in
	 * it); RAM: its linker script's RAM region, the first image's
	 * first RAM, or another RAM a second core runs from */
	uint32_t rom_base, rom_size;
	uint32_t ram_base, ram_size;
	uint64_t budget; /* instructions per run; 0: UC_BOOT_BUDGET */
};

struct uc_boot;

/* NULL (and why on stderr) when the ELF cannot be loaded there. */
struct uc_boot *uc_boot_create(const struct uc_boot_config *cfg);
/* uc_boot_create() for a board's bootloader ELF on cpu: ROM its layout
 * partition boot, RAM the first RAM of the layout's image img (where
 * its linker script puts it), the default budget. */
struct uc_boot *uc_boot_create_for(const char *elf, const char *cpu,
				   const struct fk_layout_partition *boot,
				   const struct fk_layout_image *img);
void uc_boot_destroy(struct uc_boot *b);

/* The harness under it: for the flash model and violations. */
struct uc *uc_boot_uc(struct uc_boot *b);

/* Called after every store to a uc_boot_memory window: its bus address,
 * size (1, 2 or 4) and value. */
typedef void (*uc_boot_store_fn)(void *ctx, uint32_t addr, unsigned size,
				 uint32_t value);

/* A window of size bytes at base kept as plain memory (zeroed), with
 * on_store (may be NULL) told of every store. Returns its bytes, for the
 * test to read and fill, or NULL (overlap, too many windows). */
uint8_t *uc_boot_memory(struct uc_boot *b, const char *name, uint32_t base,
			uint32_t size, uc_boot_store_fn on_store, void *ctx);

struct uc_boot_exit {
	enum uc_run run; /* UC_RUN_EXIT: it jumped out */
	uint32_t pc;	 /* UC_RUN_EXIT: the address it fetched; else
			  * where it stopped */
	uint32_t msp, control;
	uint32_t vtor;	/* SCB_VTOR as the program last wrote it */
	uint32_t waits; /* WFE/WFI it executed */
};

/* Starts the core at the vector table at vt (in ROM: MSP from its first
 * word, the reset handler from its second) and runs it until it leaves
 * [lo, hi) (RAM excepted: FK_RAMFUNC code). A WFE or WFI resumes at
 * once, max_waits times; the next one ends the run (UC_RUN_WAIT). Fills
 * out and returns out->run. */
enum uc_run uc_boot_run(struct uc_boot *b, uint32_t vt, uint32_t lo,
			uint32_t hi, uint32_t max_waits,
			struct uc_boot_exit *out);

/* A run of 0xFF bytes in a test firmware's payload: len bytes from off. */
struct uc_boot_ff {
	uint32_t off, len;
};

/* A firmware for a board test: size bytes whose vector table holds sp
 * and the reset handler pc (the rest byte i = i * mul + add, but the
 * ff_len bytes from ff_off and the ff_count runs of ff, which are 0xFF:
 * erased-looking runs), written to dir/<image>.bin and signed by `flashkit
 * image sign --layout layout
 * --image image -k key -v version --pad-header` (no -k when key is NULL:
 * its digest only; with `--pending test`
 * when pending: for the image's staging window; with extra, a string of
 * more options, such as "-E key.pub.pem") into
 * dir/<image>-<version>[-pending].img. Returns that file's bytes
 * (malloc'd, *len), or NULL when a step failed (said on stderr). */
struct uc_boot_firmware {
	const char *flashkit, *layout, *key, *dir;
	const char *image, *version;
	bool pending;
	uint32_t sp, pc;
	uint32_t size, mul, add;
	uint32_t ff_off, ff_len;
	const struct uc_boot_ff *ff; /* more runs, or NULL */
	unsigned ff_count;
	const char *extra; /* more options of image sign, or NULL */
};
uint8_t *uc_boot_signed_image(const struct uc_boot_firmware *fw, size_t *len);

/* The port jump of the host side's configuration of a board (the
 * application's, fk_layout_boot_config() over the models' arrays): it
 * never starts an image, so it does nothing. */
void uc_boot_no_jump(void *ctx, const struct fk_boot_image_ref *refs,
		     uint32_t count);

/* A board test's fixture: the layout file path loaded into *L and a
 * fresh folder tmp (/tmp/fk_<name>.XXXXXX, at most 64 bytes) for its
 * images. Returns 0 or -1 (the layout does not load, no folder). */
int uc_boot_fixture_open(struct fk_layout *L, const char *path, char *tmp,
			 const char *name);
/* Frees *L and removes tmp with what it holds. Returns 0 or -1. */
int uc_boot_fixture_close(struct fk_layout *L, const char *tmp);

#endif
