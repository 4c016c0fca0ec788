/*
 * The layout model: what a layout file (YAML, see docs/layout.md) says
 * about a product's memories, partitions, modules and images, loaded,
 * checked and ready for the generators and for the other commands
 * (`image sign --layout`, `merge --layout`, `kv build --layout`,
 * `sim --layout`).
 *
 * The model is plain data: arrays of structs that refer to each other by
 * index, every name and number already resolved and checked. Every entity
 * keeps the file position of the YAML node it came from, so any command
 * can report a problem as FILE:LINE:COL.
 *
 * This header is a stable host API. Fields are only ever added at the end
 * of a struct, and the meaning of an existing field never changes.
 *
 * What does not live here: the YAML reading (layout_yaml.c), the checks
 * (layout_check.c) and the generators (gen_*.c) are internal to
 * host/layout/; this header is all another command needs.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_H
#define FLASHKIT_TOOL_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flashkit/flash.h"
#include "diag/diag.h"
#include "flashsim.h"

enum fk_layout_mem_kind {
	FK_MEM_FLASH,	 /* internal flash: erase sectors, write unit */
	FK_MEM_RAM,	 /* RAM region (SRAM, DTCM, backup RAM, ...) */
	FK_MEM_EXTERNAL, /* external NOR (QSPI, SPI), mapped or not */
};

/* Datasheet figures, for the simulator's duration estimate. Zero means
 * unknown. Same meaning as struct fk_sim_timing. */
struct fk_layout_timing {
	uint32_t erase_us_per_kib; /* sector erase time per KiB */
	uint32_t erase_us;	   /* plus this much per sector erase */
	uint32_t program_us;	   /* time to program one write unit */
};

struct fk_layout_memory {
	char *name; /* "flash", "qspi", "sram" */
	enum fk_layout_mem_kind kind;
	uint32_t base; /* bus address of the first byte; 0 for
			* an external memory that is not mapped */
	uint32_t size; /* bytes; base + size <= 2^32 */
	bool mapped;   /* has a bus address (RAM, internal flash,
			* memory-mapped external flash) */
	bool xip;      /* code can execute in place from it */
	bool retained; /* RAM only: keeps its content over a reset
			* (battery-backed SRAM): linked NOLOAD */
	/* Flash and external memories only (RAM: run_count 0). */
	struct fk_sector_run *runs; /* sector map in address order */
	uint32_t run_count;
	uint32_t sector_count; /* sum of the runs' counts */
	uint32_t write_unit;   /* program granularity in bytes */
	uint8_t erased_value;  /* 0xFF or 0x00 */
	bool program_once;     /* ECC flash: one program per unit per
				* erase */
	struct fk_layout_timing timing;
	struct fk_pos pos;	   /* the memory's name key */
	struct fk_pos pos_sectors; /* its sector map (or size) */
};

enum fk_layout_role {
	FK_ROLE_RAW,	    /* no meaning to flashkit; just reserved */
	FK_ROLE_BOOTLOADER, /* the bootloader's code; must be protected */
	FK_ROLE_SLOT,	    /* an image slot (primary or secondary) */
	FK_ROLE_BOOT_STATE, /* a dedicated home for the boot state */
	FK_ROLE_FACTORY,    /* a factory (recovery) image */
	FK_ROLE_CONFIG,	    /* configuration written at production */
	FK_ROLE_DEVINFO,    /* per-device record (serial, keys, calibration) */
	FK_ROLE_STORAGE,    /* settings store (fk_kv) or a file system */
	FK_ROLE_MODULE,	    /* a library module's code, linked on its own */
	FK_ROLE_RAM,	    /* a RAM region given to an image or module */
};

enum fk_layout_protect {
	FK_PROTECT_NONE,   /* writable by anyone */
	FK_PROTECT_WRITE,  /* write/erase protected (option bytes, WRP) */
	FK_PROTECT_SECURE, /* also read-protected (PCROP, secure area) */
};

struct fk_layout_partition {
	char *name;	  /* unique over the whole layout */
	uint32_t memory;  /* index in fk_layout.memories */
	uint32_t offset;  /* from the start of the memory */
	uint32_t address; /* memory base + offset */
	uint32_t size;	  /* bytes */
	enum fk_layout_role role;
	enum fk_layout_protect protect;
	/* Flash/external only: the sectors it covers (whole sectors once
	 * the layout has passed its checks). */
	uint32_t first_sector; /* index in the memory's sector map */
	uint32_t sector_count;
	struct fk_pos pos;	   /* the partition's name key */
	struct fk_pos pos_at;	   /* its `at`/`offset`, else its name */
	struct fk_pos pos_size;	   /* its `size` value */
	struct fk_pos pos_protect; /* `protect`, else its name */
	/* `esp-idf: "TYPE, SUBTYPE[, FLAGS]"`: the partition's row in an
	 * ESP-IDF partition table (layout gen --esp-idf); has_esp false
	 * when the key is absent. Numbers as in the binary table. */
	bool has_esp;
	uint8_t esp_type;
	uint8_t esp_subtype;
	uint32_t esp_flags; /* FK_ESP_FLAG_* (layout/import.h) */
	struct fk_pos pos_esp;
};

/* A library module: code in a partition of role module, linked on its
 * own, with its own RAM. Images that call it list it in their modules. */
struct fk_layout_module {
	char *name;
	uint32_t flash; /* partition index (role module) */
	int32_t ram;	/* partition index (RAM), or -1 */
	/* bytes of image header before its entry table (0: none; a module
	 * that is an image of its own, signed and updated alone, has one) */
	uint32_t header_size;
	struct fk_pos pos;
	struct fk_pos pos_ram;
	struct fk_pos pos_header; /* `header`, else the module's name */
};

enum fk_layout_strategy {
	FK_STRATEGY_OVERWRITE, /* secondary copied over primary; no way back */
	FK_STRATEGY_SWAP,      /* primary and secondary exchanged; revertable */
	FK_STRATEGY_XIP,       /* runs in place from either slot; linked once
				* per slot */
	FK_STRATEGY_RAM_LOAD,  /* xip's two slots on any flash, copied into
				* its `load` RAM and run from there; linked
				* once, for that RAM */
	FK_STRATEGY_NONE,      /* a plain application: no bootloader, one
				* partition (primary), no secondary, boot
				* state or factory; header 0 by default */
};

/* Where an image's boot state (pending/confirmed/install progress) lives:
 * in the last sector of its primary slot (the "trailer"), or in a
 * dedicated partition. */
#define FK_LAYOUT_BOOT_STATE_TRAILER (-1)

#define FK_LAYOUT_MAX_RAM 4 /* RAM regions one image may name */

/* A RAM region an image names: a partition of role ram, or a whole RAM
 * memory. */
struct fk_layout_ram_ref {
	bool is_memory; /* index is a memory, not a partition */
	uint32_t index;
	uint32_t start; /* bus address */
	uint32_t size;
};
#define FK_LAYOUT_MAX_REFS 16 /* modules / used partitions per image */

struct fk_layout_image {
	char *name;
	uint32_t id;	   /* 0, 1, ... in file order: the image
			    * number used in headers and by boot */
	uint32_t primary;  /* partition index: the slot it runs from */
	int32_t secondary; /* partition index, or -1 */
	enum fk_layout_strategy strategy;
	uint32_t header_size; /* bytes before the vector table */
	int32_t boot_state;   /* partition index, or
			       * FK_LAYOUT_BOOT_STATE_TRAILER */
	/* overwrite only: the partition (role factory) holding the image
	 * installed when the primary slot holds none valid, or -1 */
	int32_t factory;
	/* RAM: partitions of role ram, or whole RAM memories. The first is
	 * the main RAM (data, bss, stack); the others get their own regions
	 * in the linker script. */
	uint32_t ram_count;
	struct fk_layout_ram_ref ram[FK_LAYOUT_MAX_RAM];
	uint32_t module_count;
	uint32_t modules[FK_LAYOUT_MAX_REFS]; /* module indices */
	uint32_t uses_count;
	uint32_t uses[FK_LAYOUT_MAX_REFS]; /* partitions it reaches at run
					    * time (storage, devinfo...) */
	struct fk_pos pos;
	struct fk_pos pos_primary;
	struct fk_pos pos_factory;
	struct fk_pos pos_secondary;
	struct fk_pos pos_strategy;
	struct fk_pos pos_header;
	struct fk_pos pos_ram;
	struct fk_pos pos_uses; /* `uses`, else the image's name */
	/* ram-load: the RAM the image is copied into and runs from (`load`:
	 * a RAM partition or memory, apart from its `ram`); has_load false
	 * when the image has no `load`. */
	bool has_load;
	struct fk_layout_ram_ref load;
	struct fk_pos pos_load; /* `load`, else the image's name */
	/* `release`: an image of another core, which the bootloader's core
	 * (the first image's) starts once the images are installed and
	 * valid (the STM32H745's Cortex-M4, docs/layout.md); has_release
	 * false without it. */
	bool has_release;
	uint32_t release_stub;	   /* bus address of the stub that core
				    * boots from (BOOT_CM4_ADD0), in the
				    * bootloader partition */
	int32_t release_mailbox;   /* RAM partition index: its first
				    * FK_LAYOUT_MAILBOX_SIZE bytes carry the
				    * image's vector table to the stub */
	struct fk_pos pos_release; /* `release`, else the image's name */
	struct fk_pos pos_stub;	   /* `stub`, else `release` */
	struct fk_pos pos_mailbox; /* `mailbox`, else `release` */
};

/* Bytes of the release mailbox at the start of its partition. */
#define FK_LAYOUT_MAILBOX_SIZE 16u
/* Alignment of a release stub: the STM32H7's BOOT_CM4_ADD0 option holds
 * bits 31:16 of the Cortex-M4's boot address. */
#define FK_LAYOUT_STUB_ALIGN 0x10000u

struct fk_layout {
	char *path;  /* file name used in diagnostics */
	char *title; /* `name:` at the top, or NULL */
	struct fk_layout_memory *memories;
	uint32_t memory_count;
	struct fk_layout_partition *partitions; /* memory order, then address */
	uint32_t partition_count;
	struct fk_layout_module *modules;
	uint32_t module_count;
	struct fk_layout_image *images;
	uint32_t image_count;
	uint32_t error_count; /* diagnostics reported by the loader */
	uint32_t warning_count;
};

struct fk_layout_load_opts {
	struct fk_diag *diag; /* where diagnostics go; NULL: dropped
			       * (out->error_count still counts) */
	bool no_warnings;     /* do not pass warnings on (still counted) */
	bool no_checks; /* parse and resolve only; skip the hardware checks */
};

/*
 * Reads, parses and checks a layout file. Reports every problem to the
 * sink at its FILE:LINE:COL, each saying what to change; prints nothing.
 * opts may be NULL (no sink, warnings on, checks on).
 * Returns 0 when the layout is valid (warnings allowed), FK_EINVAL when
 * it has errors (out->error_count says how many), FK_EIO when the file
 * cannot be read, FK_ENOSPC when memory ran out. On error *out is freed and
 * zeroed; on success the caller owns it and releases it with fk_layout_free().
 */
int fk_layout_load(const char *path, struct fk_layout *out,
		   const struct fk_layout_load_opts *opts);

/* Same from a buffer (tests, fuzzing); name is used in diagnostics. */
int fk_layout_load_buffer(const char *name, const char *text, size_t len,
			  struct fk_layout *out,
			  const struct fk_layout_load_opts *opts);

/* Releases everything the model owns and zeroes it. NULL-safe. */
void fk_layout_free(struct fk_layout *layout);

/* Lookups: NULL when there is no such thing. */
const struct fk_layout_memory *
fk_layout_find_memory(const struct fk_layout *layout, const char *name);
const struct fk_layout_partition *
fk_layout_find_partition(const struct fk_layout *layout, const char *name);
const struct fk_layout_image *
fk_layout_find_image(const struct fk_layout *layout, const char *name);
const struct fk_layout_module *
fk_layout_find_module(const struct fk_layout *layout, const char *name);

/* The image number of a module that is an image of its own (header
 * size > 0): after the layout's images, counting only such modules, in
 * file order, so an app's DEPENDENCY TLV names it and the boot
 * configuration (its modules[]) finds it. */
uint32_t fk_layout_module_image_id(const struct fk_layout *layout,
				   const struct fk_layout_module *mod);

/* The partition holding bus address addr on a mapped memory (RAM
 * partitions included), or NULL. */
const struct fk_layout_partition *
fk_layout_partition_at(const struct fk_layout *layout, uint32_t addr);

/* The memory a partition lives on. */
const struct fk_layout_memory *
fk_layout_partition_memory(const struct fk_layout *layout,
			   const struct fk_layout_partition *part);

/*
 * Fills *geo with the geometry of a flash or external memory, so that the
 * simulator (fk_sim_create) and `flashkit sim` shape a simulated flash
 * like the layout. geo->runs points into the layout (valid until
 * fk_layout_free). Returns 0, or FK_EINVAL for a RAM memory.
 */
int fk_layout_memory_geometry(const struct fk_layout_memory *mem,
			      struct fk_flash_geometry *geo);

/* Same plus the datasheet timings: a ready fk_sim_config. */
int fk_layout_sim_config(const struct fk_layout_memory *mem,
			 struct fk_sim_config *config);

/*
 * The bytes of one record slot of the boot state on a flash with the
 * given write unit: 20 rounded up to a whole number of write units
 * (docs/boot-state.md, "Record slots"). The boot state always takes a
 * whole sector, whatever this size: see fk_layout_image_trailer().
 */
uint32_t fk_layout_trailer_size(uint32_t write_unit);

/* The bytes an image's boot state takes from the end of its primary slot:
 * 0 when it has a dedicated boot-state partition or no bootloader
 * (strategy none), otherwise the slot's
 * whole last sector (docs/boot-state.md, "Placement"). */
uint32_t fk_layout_image_trailer(const struct fk_layout *layout,
				 const struct fk_layout_image *img);

/*
 * The largest payload (what follows the header: the firmware binary and
 * its TLV area) the image can have: the boot core's own
 * fk_boot_max_image_size() for the layout's boot configuration of this
 * image, less the header. It accounts for the trailer, the smaller slot,
 * and for swap the save room in the staging slot (docs/boot.md,
 * "Sizing"). 0 when nothing fits (the checks refuse such a layout).
 * A plain image (strategy none) has its whole primary partition less the
 * header: nothing else shares it.
 */
uint32_t fk_layout_image_max_payload(const struct fk_layout *layout,
				     const struct fk_layout_image *img);

/* Alignment a signed image's total size must keep: the write unit of the
 * memory of its primary slot (the larger one if the slots differ). */
uint32_t fk_layout_image_align(const struct fk_layout *layout,
			       const struct fk_layout_image *img);

/* Names of the enums as written in the layout file ("boot-state",
 * "swap", "external", "write"). Never NULL. */
const char *fk_layout_role_name(enum fk_layout_role role);
const char *fk_layout_kind_name(enum fk_layout_mem_kind kind);
const char *fk_layout_strategy_name(enum fk_layout_strategy strategy);
const char *fk_layout_protect_name(enum fk_layout_protect protect);

#endif
