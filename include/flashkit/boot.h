/*
 * The bootloader core: choose, install, try and roll back images so that a
 * power cut at any instant leaves a device that boots a valid image.
 *
 * A product describes its slots once, in a struct fk_boot_config that the
 * bootloader and the application share (the generated layout header gives
 * every address). The bootloader calls fk_boot(); the application calls
 * fk_boot_confirm() after its self-test and, through flashkit/update.h,
 * fk_boot_set_pending() after receiving a new image.
 *
 * Four install strategies, each in its own file of src/boot/:
 *   FK_BOOT_OVERWRITE  copy the staging slot over the primary slot; no
 *                      rollback; optional fallback to a factory image;
 *   FK_BOOT_SWAP       copy the new image in and keep the old one in the
 *                      staging slot, restored when the new one never
 *                      confirms; any sector map, slots on two memories;
 *   FK_BOOT_XIP        two executable slots, boot the chosen one in place;
 *   FK_BOOT_RAM_LOAD   XIP's two slots, choice, trial and revert, on any
 *                      flash (QSPI, SPI NOR): the chosen image is copied
 *                      into RAM, validated there and started there
 *                      (strategy_ram_load.c, on top of strategy_xip.c).
 *
 * Install progress, pending and confirmed flags live in the boot state
 * area, in the format specified in docs/boot-state.md: an append-only log
 * of CRC-checked records in one sector, where every state change is a
 * program into erased space (never a rewrite), so it works for write
 * units of 1 to 32 bytes and on program-once (ECC) flash.
 *
 * Nothing here keeps state between calls: every decision is taken again
 * from flash at each boot. No function ever writes the bootloader area.
 */
#ifndef FLASHKIT_BOOT_H
#define FLASHKIT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/error.h"
#include "flashkit/flash.h"
#include "flashkit/image.h"

/* Most images (one per core) installed together, all or nothing. */
#ifndef FK_BOOT_MAX_IMAGES
#define FK_BOOT_MAX_IMAGES 2
#endif

/* Most library modules that are images of their own (their image ids
 * follow the images'): dependencies of images on them are checked. */
#ifndef FK_BOOT_MAX_MODULES
#define FK_BOOT_MAX_MODULES 4
#endif

enum fk_boot_strategy {
	FK_BOOT_OVERWRITE = 1,
	FK_BOOT_SWAP = 2,
	FK_BOOT_XIP = 3,
	FK_BOOT_RAM_LOAD = 4,
};

/* How a pending image is installed. */
enum fk_boot_mode {
	FK_BOOT_TEST = 1,      /* trial: reverted unless confirmed in time */
	FK_BOOT_PERMANENT = 2, /* installed for good, no trial */
};

/*
 * RAM_LOAD: the RAM an image is copied into, validated in and run from.
 * Images for it are signed with load_addr == addr (imgtool -L, flashkit
 * image sign -L or --layout), which sets FK_IMAGE_F_RAM_LOAD. The region
 * must not hold anything the bootloader uses while it copies (its stack,
 * data, buffer): the copy overwrites all of it up to the image's end.
 */
struct fk_boot_ram {
	uint32_t addr; /* bus address: the images' load_addr */
	uint32_t size; /* bytes; caps an image, header to last TLV */
	uint8_t *mem;  /* where the bootloader writes the copy:
			* (uint8_t *)addr on a target, a buffer on a host */
};

/* The slots of one image. */
struct fk_boot_slots {
	/* Where the image executes (XIP: slot A). */
	struct fk_area primary;
	/* Where a new image is received (XIP: slot B, also executable).
	 * SWAP receives the new image at fk_boot_staging_offset() and keeps
	 * the old one below it; see docs/boot.md for the sizing rule. */
	struct fk_area secondary;
	/* OVERWRITE only: a factory image installed when the primary slot
	 * holds no valid image and nothing is pending; size 0 for none. */
	struct fk_area factory;
	/* RAM_LOAD only (required there, ignored by the others): the RAM the
	 * image runs from. Slots A and B are primary and secondary, as XIP,
	 * and need not be executable. */
	struct fk_boot_ram ram;
};

struct fk_boot_image_ref {
	/* The slot the image starts at; RAM_LOAD: its copy in RAM, a
	 * read-only area whose flash's geo.base is ram.addr, as long as
	 * the image (header to last TLV). */
	const struct fk_area *slot;
	struct fk_image_info info; /* its validated header and TLVs */
};

/* Hooks a port provides. Only jump is required. */
struct fk_boot_port {
	/* Called before every flash operation of an install (erase, program
	 * or a read of a whole chunk): kick the watchdog here. May be NULL. */
	void (*kick)(void *ctx);
	/* Starts the images (refs[0] is the one this core runs; the others
	 * are for other cores). Does not return on a target; on the host it
	 * returns and fk_boot() returns 0. */
	void (*jump)(void *ctx, const struct fk_boot_image_ref *refs,
		     uint32_t count);
	/* Called instead of jump when no valid image can be booted, or when
	 * flash failed: stay in the bootloader and accept an image (DFU,
	 * serial). reason is the FK_E* code. May be NULL (fk_boot() then
	 * just returns the code). */
	void (*recovery)(void *ctx, int reason);
	void *ctx; /* passed to every hook */
};

struct fk_boot_config {
	enum fk_boot_strategy strategy; /* how pending images are installed */
	uint32_t image_count;		/* images, 1..FK_BOOT_MAX_IMAGES */
	struct fk_boot_slots images[FK_BOOT_MAX_IMAGES]; /* slots of each */
	/* The boot state: a dedicated partition, or the last sectors of the
	 * primary slot carved out by the layout (the "trailer"). Its first
	 * sectors, FK_BOOT_LOG_MIN bytes of them, hold the log; it must not
	 * overlap any slot. */
	struct fk_area state;
	/* The bootloader's own partition: checked not to overlap anything
	 * written. size 0 when the bootloader runs from elsewhere. */
	struct fk_area bootloader;
	uint32_t trial_boots; /* boots a TEST image gets before revert, >= 1 */
	/* Keys and crypto for fk_image_validate(); keys->count 0 checks the
	 * digest only; NULL checks the digest with the built-in SHA-256
	 * (fk_crypto_builtin), no crypto library needed. */
	const struct fk_image_keys *keys;
	/* Refuse images whose security counter is lower than the installed
	 * one's (downgrade protection). */
	bool check_security_counter;
	/* Scratch for copies: buf_len bytes, a multiple of the write unit of
	 * every memory an area lives on, and at least FK_BOOT_RECORD_MAX;
	 * larger is faster. */
	uint8_t *buf;
	uint32_t buf_len;
	struct fk_boot_port port; /* hooks */
	/* Library modules signed and updated on their own (docs/modules.md):
	 * module m has image id image_count + m. An image's DEPENDENCY on
	 * one is met only when its area holds a valid image (digest,
	 * signature with keys) of at least that version; a module missing,
	 * damaged or older refuses the install (FK_EDEPEND). The bootloader
	 * only reads these areas. */
	uint32_t module_count; /* 0..FK_BOOT_MAX_MODULES */
	struct fk_area modules[FK_BOOT_MAX_MODULES];
};

/* The boot state log spans the fewest leading sectors of the state area
 * that hold this many bytes (the whole area when it is smaller): one
 * sector where sectors are 2 KiB or more, several small pages elsewhere
 * (docs/boot-state.md, "Placement"). */
#define FK_BOOT_LOG_MIN 2048u

/* Largest record slot in the boot state (a 32-byte write unit). */
#define FK_BOOT_RECORD_MAX 32

/* What the boot state says, for fk_boot_status(). */
enum fk_boot_phase {
	FK_BOOT_IDLE = 0,	/* nothing pending: the primary image runs */
	FK_BOOT_PENDING = 1,	/* images marked, install not started */
	FK_BOOT_INSTALLING = 2, /* install in progress (resumed at boot) */
	FK_BOOT_TRIAL = 3,	/* TEST image installed, not confirmed yet */
	FK_BOOT_REVERTING = 4,	/* restoring the previous images */
};

struct fk_boot_status {
	enum fk_boot_phase phase;
	enum fk_boot_mode mode; /* of the pending/trial install */
	uint32_t mask;		/* images of the pending/trial install */
	uint32_t attempts;	/* trial boots used */
	uint32_t xip_active;	/* XIP, RAM_LOAD: 0 = slot A (primary),
				 * 1 = slot B */
	int last_refusal;	/* FK_E* of the last refused install, or 0 */
	uint32_t records_used;	/* record slots used in the log */
	uint32_t records_total; /* record slots in the log */
};

/*
 * Checks a configuration: strategy, image count, trial boots, areas inside
 * their memories and not overlapping each other, the state area or the
 * bootloader, the scratch buffer's size, that the boot state log can
 * hold one update cycle, and for RAM_LOAD each image's RAM (given, inside
 * the address space, not shared with the other image's). Returns 0, FK_EINVAL,
 * FK_EALIGN, FK_ENOSPC, or FK_ENOTSUP for a strategy left out of the build (its
 * file excluded and FK_BOOT_NO_<STRATEGY> defined). fk_boot_config_why() says
 * which rule.
 */
int fk_boot_check_config(const struct fk_boot_config *cfg);

/* Each rule fk_boot_check_config() enforces. */
enum fk_boot_config_problem {
	FK_BOOT_CONFIG_OK = 0,
	FK_BOOT_CONFIG_NULL,	     /* cfg is NULL */
	FK_BOOT_CONFIG_STRATEGY,     /* not one of enum fk_boot_strategy */
	FK_BOOT_CONFIG_LEFT_OUT,     /* strategy excluded from this build */
	FK_BOOT_CONFIG_NO_JUMP,	     /* port.jump is NULL */
	FK_BOOT_CONFIG_NO_CRYPTO,    /* keys given, keys->crypto NULL */
	FK_BOOT_CONFIG_IMAGE_COUNT,  /* image_count not 1..FK_BOOT_MAX_IMAGES */
	FK_BOOT_CONFIG_TRIAL_BOOTS,  /* trial_boots not 1..200 */
	FK_BOOT_CONFIG_AREA_MISSING, /* a required area has size 0 */
	FK_BOOT_CONFIG_AREA_OUTSIDE, /* an area has no memory or leaves it */
	FK_BOOT_CONFIG_AREA_UNALIGNED, /* an end is not a sector boundary */
	FK_BOOT_CONFIG_OVERLAP,	       /* two areas overlap */
	FK_BOOT_CONFIG_NO_BUFFER,      /* buf is NULL */
	FK_BOOT_CONFIG_BUFFER_SMALL,   /* buf_len < FK_BOOT_RECORD_MAX */
	FK_BOOT_CONFIG_BUFFER_UNIT,    /* buf_len not a multiple of a unit */
	FK_BOOT_CONFIG_LOG_SMALL,      /* the log cannot hold one update */
	FK_BOOT_CONFIG_NO_ROOM,	       /* SWAP: staging slot too small */
	FK_BOOT_CONFIG_RAM_MISSING,  /* RAM_LOAD: ram.size 0 or ram.mem NULL */
	FK_BOOT_CONFIG_RAM_OUTSIDE,  /* RAM_LOAD: ram.addr + size past 4 GiB */
	FK_BOOT_CONFIG_RAM_OVERLAP,  /* RAM_LOAD: two images' RAM overlap */
	FK_BOOT_CONFIG_MODULE_COUNT, /* module_count > FK_BOOT_MAX_MODULES */
};

/* The areas of a configuration, to name them in a message. */
enum fk_boot_area_kind {
	FK_BOOT_AREA_NONE = 0,
	FK_BOOT_AREA_BOOTLOADER,
	FK_BOOT_AREA_STATE,
	FK_BOOT_AREA_PRIMARY,	/* of image `image` */
	FK_BOOT_AREA_SECONDARY, /* of image `image` */
	FK_BOOT_AREA_FACTORY,	/* of image `image` */
	FK_BOOT_AREA_RAM,	/* RAM_LOAD: the RAM of image `image` */
	FK_BOOT_AREA_MODULE,	/* module `image` (its index in modules) */
};

/* Which rule a configuration breaks, and where. */
struct fk_boot_config_why {
	enum fk_boot_config_problem problem;
	enum fk_boot_area_kind area;  /* the area concerned, if any */
	uint32_t image;		      /* its image index */
	enum fk_boot_area_kind other; /* OVERLAP: the area it overlaps */
	uint32_t other_image;
	/* LOG_SMALL: record slots one update needs and the log has;
	 * BUFFER_SMALL: bytes needed and given; BUFFER_UNIT: the write unit
	 * buf_len must be a multiple of, and buf_len. */
	uint32_t need, have;
};

/* Same checks and return code as fk_boot_check_config(), and fills *why
 * (problem FK_BOOT_CONFIG_OK when it returns 0). */
int fk_boot_config_why(const struct fk_boot_config *cfg,
		       struct fk_boot_config_why *why);
/* One line saying what a problem means and what to change; an area's
 * name. Static strings (src/boot/config_text.c, left out of a build that
 * never calls them). */
const char *fk_boot_config_problem_text(enum fk_boot_config_problem p);
const char *fk_boot_area_name(enum fk_boot_area_kind a);

/*
 * The bootloader's entry: reads the boot state, finishes or starts an
 * install, counts a trial boot or reverts, validates the images and calls
 * port.jump, or port.recovery when nothing valid can be booted.
 * On power loss at any point the next call resumes where the flash says
 * and boots the old or the new images, never a mix.
 * RAM_LOAD: the image of the slot XIP would boot is copied into its RAM
 * (the bytes the header says, no more than ram.size, only when its
 * load_addr is ram.addr) and validated there; the jump gets that copy,
 * so what runs is what was validated, whatever the slot holds since. A
 * copy that does not validate counts as a slot that does not (a trial is
 * reverted, otherwise the other slot is tried); the copy writes no flash,
 * so a cut during it is a cut before it.
 * Returns 0 after jump returned (host), or the FK_E* code passed to
 * recovery (or returned when a flash operation failed).
 */
int fk_boot(const struct fk_boot_config *cfg);

/*
 * The lite boot core (src/boot/lite.c): fk_boot() for a product with one
 * image (image_count 1; OVERWRITE, SWAP or XIP) that takes updates only
 * through the update API. The same log, the same decisions and the same
 * power-loss guarantee as fk_boot(), at a fraction of its size. Left out:
 * a second image, library modules, images marked by
 * other tools, decryption (an encrypted image is FK_ENOTSUP), RAM_LOAD,
 * and the run-time configuration check: cfg must be one that
 * fk_boot_check_config() accepts, which `flashkit layout gen` checks when
 * it writes it. A staged image with DEPENDENCY TLVs is refused
 * (FK_EDEPEND). FK_EINVAL (to recovery) for two images, RAM_LOAD or a
 * strategy the build left out (FK_BOOT_NO_<STRATEGY>).
 * Returns as fk_boot().
 */
int fk_boot_lite(const struct fk_boot_config *cfg);

/*
 * The flag boot core (src/boot/flags_boot.c): fk_boot_lite() for
 * OVERWRITE and XIP with the flag state (docs/boot-state.md, "The flag
 * state") in the state area instead of the log: units at fixed places,
 * erased once per update cycle by the update API and each programmed at
 * most once, so the bootloader never erases the state and carries no
 * log. The application must be built with FK_BOOT_FLAGS (its update API
 * then writes the flag state: src/boot/flags_app.c). The same decisions
 * and power-loss guarantee as fk_boot_lite() for these strategies, with
 * the same refusals; FK_EINVAL (to recovery) for a configuration it does
 * not take (not one image, SWAP, RAM_LOAD, a strategy the build left
 * out, a write unit over 32 bytes, or more trial boots than the state
 * area's first 2 KiB hold: 105 with units of 16 bytes, 41 of 32).
 * Returns as fk_boot().
 */
int fk_boot_flags(const struct fk_boot_config *cfg);

/*
 * For the application: confirms the running TEST images so they stay
 * installed. Returns 0 (also when nothing is on trial), or a flash error.
 * On power loss the confirmation either happened or not; if not, the trial
 * continues (and may be reverted at the next boot).
 */
int fk_boot_confirm(const struct fk_boot_config *cfg);

/*
 * Marks the images in mask (bit i = image i), fully received in their
 * staging slots with fk_update_finish(), as pending. Validates each one
 * first (digest, signature, downgrade, dependencies) and returns that
 * refusal code without marking anything when one fails: all or nothing.
 * RAM_LOAD also refuses an image not signed for its RAM (FK_EMISMATCH:
 * no RAM_LOAD flag, or load_addr is not ram.addr).
 * FK_ESTATE when an image of mask was not staged or a trial is running.
 * On power loss either nothing or everything is pending.
 */
int fk_boot_set_pending(const struct fk_boot_config *cfg, uint32_t mask,
			enum fk_boot_mode mode);

/* Reads the boot state. Returns 0 or a flash error. No flash writes. */
int fk_boot_status(const struct fk_boot_config *cfg,
		   struct fk_boot_status *out);

/*
 * Where in the staging slot the new image of image index starts: 0 for
 * OVERWRITE and XIP, the swap offset for SWAP (the room the old image is
 * saved into). fk_update_begin() writes there.
 */
uint32_t fk_boot_staging_offset(const struct fk_boot_config *cfg,
				uint32_t image);

/* Largest image (header to last TLV) image index can hold (RAM_LOAD: no
 * more than its RAM). */
uint32_t fk_boot_max_image_size(const struct fk_boot_config *cfg,
				uint32_t image);

#endif
