/*
 * The port test harness: the drivers' Cortex-M object code, exactly as
 * arm-none-eabi-gcc built it, run by the Unicorn CPU emulator on the host
 * against register-level models of the flash controllers.
 *
 * A struct uc is one emulated microcontroller: a Cortex-M core (Thumb,
 * M-class), a test image (an ELF32 built by the ports' CMake, see
 * tests/ports/shim/image.ld) loaded at the addresses its PT_LOAD segments
 * name, RAM, and peripheral windows that models register (struct
 * uc_periph). Every load and store in a window is dispatched to the model
 * that owns the address; an access to an address no model owns, or
 * outside every mapped region, is a violation.
 *
 * Memory map of a test image (tests/ports/shim/image.ld):
 *   0x00000000  UC_ROM_SIZE  code and constants ("the flash the code runs
 *                            from": fetches from here are forbidden while
 *                            a model says its flash is busy)
 *   0x20000000  UC_RAM_SIZE  .ramfunc, .data, .bss, the stack at the top
 *   0x1FFFF000  one page     the return trap: uc_call() sets LR here
 * Flash arrays (0x08000000, 0x90000000, ...) and registers are windows
 * registered by the models.
 *
 * A model fails the test by calling uc_violation() with a message naming
 * the reference manual's rule: the emulation stops (Unicorn finishes the
 * block of instructions in progress first), the call in progress returns
 * UC_RUN_VIOLATION, and the message is kept for the test
 * (uc_first_violation). A model whose flash loses power (its fk_sim
 * returned FK_EPOWER) calls uc_power_lost(): the emulation stops and the
 * call returns UC_RUN_POWER.
 *
 * struct uc_flash is a host struct fk_flash whose read, program and erase
 * run the emulated driver's ops through the shim compiled into the image
 * (tests/ports/shim/shim.h), so host code (the conformance suite, the
 * settings-store and boot sweeps) runs against the emulated driver
 * unchanged.
 *
 * Host only (C11, allocates). Not thread-safe; one struct uc per thread.
 */
#ifndef FLASHKIT_TESTS_UC_H
#define FLASHKIT_TESTS_UC_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/flash.h"
#include "flashsim.h"

#define UC_ROM_BASE 0x00000000u
#define UC_ROM_SIZE 0x00100000u /* 1 MiB */
#define UC_RAM_BASE 0x20000000u
#define UC_RAM_SIZE 0x00040000u /* 256 KiB */
#define UC_TRAP_BASE 0x1FFFF000u

/* Instructions one uc_call may execute before it counts as hung. */
#define UC_DEFAULT_BUDGET 50000000u

struct uc;

/* A register window (or a memory-mapped flash array) owned by a model.
 * base and size need no alignment; windows must not overlap. Accesses
 * are 1, 2 or 4 bytes wide (8 for some Cortex-M7 loads: split by the
 * harness into two 4-byte accesses, low word first). */
struct uc_periph {
	const char *name; /* in messages: "FLASH", "QUADSPI", ... */
	uint32_t base;	  /* bus address of the first byte */
	uint32_t size;	  /* bytes */
	/* off is relative to base; returns the value read (zero-extended). */
	uint32_t (*read)(void *ctx, uint32_t off, unsigned size);
	void (*write)(void *ctx, uint32_t off, unsigned size, uint32_t value);
	/* Power-on reset of the model's registers (not of the array it
	 * keeps in its fk_sim); called by uc_reboot. May be NULL. */
	void (*reset)(void *ctx);
	void *ctx;
};

struct uc_config {
	const char *elf; /* the test image */
	/* UC_CPU_ARM_CORTEX_M3/M4/M7 name: "cortex-m3", "cortex-m4",
	 * "cortex-m7"; NULL: cortex-m4 */
	const char *cpu;
	uint64_t budget; /* instructions per call; 0: UC_DEFAULT_BUDGET */
	/* A whole program run from its reset (a board bootloader,
	 * uc_boot.h) instead of a test image: ROM and RAM where its linker
	 * script puts them, each 0 for the test image's map above; with
	 * from_reset, every segment's file bytes are written at its load
	 * address (the flash content a programmer writes, .data's copy
	 * included) and nothing in RAM: the program's startup code fills
	 * it. A window's pages inside ROM or RAM stay plain memory (the
	 * flash model's array over the bootloader's own partition leaves
	 * that partition to ROM). */
	uint32_t rom_base, rom_size;
	uint32_t ram_base, ram_size;
	bool from_reset;
};

/* Creates the CPU, maps ROM, RAM and the return trap, loads the image.
 * Returns NULL and prints why on stderr (bad ELF, segment outside ROM and
 * RAM, Unicorn error). */
struct uc *uc_create(const struct uc_config *cfg);
void uc_destroy(struct uc *uc);

/* Registers a window; p is copied. Returns 0, or -1 (overlap, Unicorn
 * error: printed on stderr). */
int uc_add_periph(struct uc *uc, const struct uc_periph *p);

/* Address of a symbol of the image's .symtab (functions: with the Thumb
 * bit cleared). Returns 0 or -1 when absent. */
int uc_symbol(const struct uc *uc, const char *name, uint32_t *addr);

/* Copies between host and emulated memory (ROM, RAM; not windows).
 * Returns 0 or -1. */
int uc_read_mem(struct uc *uc, uint32_t addr, void *buf, uint32_t len);
int uc_write_mem(struct uc *uc, uint32_t addr, const void *buf, uint32_t len);

enum uc_run {
	UC_RUN_OK = 0,	      /* the function returned */
	UC_RUN_VIOLATION = 1, /* a model (or the harness) recorded one */
	UC_RUN_POWER = 2,     /* a model lost power (uc_power_lost) */
	UC_RUN_BUDGET = 3,    /* instruction budget spent: hung */
	UC_RUN_FAULT = 4,     /* the CPU faulted (bad instruction, ...) */
	UC_RUN_NOSYM = 5,     /* uc_call_sym: no such symbol */
	UC_RUN_EXIT = 6,      /* uc_run_code: the CPU left the code range */
	UC_RUN_WAIT = 7,      /* uc_run_code: WFE or WFI, waiting */
};

/* Calls the function at addr (Thumb bit optional) with nargs (0..4)
 * arguments in r0-r3, a fresh stack at the top of RAM and LR at the
 * return trap. *ret (may be NULL) gets r0 when UC_RUN_OK. */
enum uc_run uc_call(struct uc *uc, uint32_t addr, const uint32_t *args,
		    unsigned nargs, uint32_t *ret);
enum uc_run uc_call_sym(struct uc *uc, const char *name, const uint32_t *args,
			unsigned nargs, uint32_t *ret);

/*
 * Runs code from a reset-like state, for programs that never return (a
 * bootloader, the H745's CM4 stub): MSP = sp (0: as the last run left
 * it, to resume), CONTROL = 0, PC = pc (Thumb bit optional), until the
 * CPU fetches an instruction outside [lo, hi) and outside RAM: that is
 * UC_RUN_EXIT (a jump into an image, a call out of the range), with
 * *stop_pc the address it fetched; nothing there runs. A WFE or WFI
 * stops it with UC_RUN_WAIT and *stop_pc the next instruction (call
 * again with sp 0 and that pc when the event it waits for came). Else
 * UC_RUN_VIOLATION, UC_RUN_POWER, UC_RUN_FAULT, or UC_RUN_BUDGET when
 * the budget ran out.
 */
enum uc_run uc_run_code(struct uc *uc, uint32_t sp, uint32_t pc, uint32_t lo,
			uint32_t hi, uint32_t *stop_pc);

/* uc_run_code also ends with UC_RUN_EXIT when the CPU enters a block at
 * addr (a function it calls, such as a bootloader's recovery loop),
 * inside the range or not; 0: no such address. */
void uc_run_stop_at(struct uc *uc, uint32_t addr);

/* The core's registers after a run. */
struct uc_core {
	uint32_t msp, psp, control, primask;
};
void uc_core_read(struct uc *uc, struct uc_core *out);

/* For models: records a violation (printf format; the first one is kept
 * whole) and stops the emulation. */
void uc_violation(struct uc *uc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint32_t uc_violations(const struct uc *uc);
/* The first violation's message, "" when none. */
const char *uc_first_violation(const struct uc *uc);
/* Forgets the recorded violations (a test that provokes one on purpose). */
void uc_clear_violations(struct uc *uc);

/* For models: the power failed; stops the emulation (UC_RUN_POWER). */
void uc_power_lost(struct uc *uc);

/* For models: while set, executing code from ROM is a violation whose
 * message is why (e.g. "RM0090 3.5.2: flash read while BSY: the code
 * running during a program/erase must be in RAM (FK_RAMFUNC)"). why must
 * outlive the setting; NULL clears it. */
void uc_forbid_rom_fetch(struct uc *uc, const char *why);

/* A reset of the microcontroller: RAM cleared and the image's segments
 * in RAM reloaded (as a reset handler copies .data and .ramfunc), every
 * window's reset() called. */
void uc_reboot(struct uc *uc);

/*
 * Semihosting (ARM's `bkpt 0xAB` calls, as ports/qemu-mps2/semihost.c
 * makes them), for images of drivers that keep their flash in a host
 * file: once enabled, every file the image opens is one byte array the
 * harness keeps (across reboots; "w+b" truncates it), so a test reads
 * what the driver wrote. SYS_OPEN, CLOSE, READ, WRITE, SEEK, FLEN,
 * WRITE0 (to stderr) and EXIT_EXTENDED (a power cut: UC_RUN_POWER) are
 * served; any other call, or any other CPU exception, is a violation.
 */
void uc_enable_semihosting(struct uc *uc);
/* The file's bytes and length (NULL before the image opened it). */
uint8_t *uc_semihost_file(struct uc *uc, uint32_t *len);

/* Name of a run result, for messages. */
const char *uc_run_name(enum uc_run r);

/*
 * The emulated driver as a host struct fk_flash. uc_flash_open calls the
 * image's fk_shim_init(variant) (the image chooses a driver configuration
 * by variant), then copies the geometry the driver filled in. Its ops
 * copy data through the shim's RAM buffer in chunks of at most
 * FK_SHIM_BUF bytes (one driver program call per chunk) and return the
 * driver's code; a violation, fault or hang returns FK_EIO (the harness
 * keeps the reason: uc_first_violation, uf->last_run), a power loss
 * FK_EPOWER. After a power loss, the next operation first checks the sim
 * (sim given): still off, FK_EPOWER; on again, it reboots the MCU
 * (uc_reboot) and runs fk_shim_init(variant) again before it goes on.
 */
#define UC_FLASH_MAX_RUNS 16

struct uc_flash {
	struct fk_flash flash; /* what host code uses; flash.ctx is this */
	struct uc *uc;
	struct fk_sim *sim; /* the model's array, or NULL */
	uint32_t variant;
	struct fk_sector_run runs[UC_FLASH_MAX_RUNS];
	uint32_t buf;	   /* address of fk_shim_buf */
	uint32_t buf_size; /* FK_SHIM_BUF */
	uint32_t fn_read, fn_program, fn_erase, fn_init;
	bool reboot_needed;
	enum uc_run last_run; /* of the last forwarded call */
	uint64_t calls;	      /* forwarded driver calls */
};

/* Returns 0, or the FK_E* code fk_shim_init returned, or FK_EIO (missing
 * shim symbols, violation during init: see uc_first_violation). */
int uc_flash_open(struct uc_flash *uf, struct uc *uc, struct fk_sim *sim,
		  uint32_t variant);

#endif
