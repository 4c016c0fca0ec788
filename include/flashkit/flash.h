/*
 * The flash interface: the only way flashkit reaches flash.
 *
 * A struct fk_flash describes one memory (its geometry) and carries the
 * three operations a driver provides: read, program and erase one sector.
 * The simulator (sim/), the QEMU port and real drivers implement it.
 *
 * Offsets are relative to the start of the memory (0 .. size-1); the
 * memory's bus address is geometry.base, used only to report addresses
 * and to jump. The fk_flash_* wrappers check every range and alignment
 * before calling the driver, so a driver never sees a misaligned or
 * out-of-range request.
 *
 * A struct fk_area is a window on a memory (a partition): the same
 * operations, with offsets relative to the partition and checked against
 * its bounds.
 */
#ifndef FLASHKIT_FLASH_H
#define FLASHKIT_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkit/error.h"

/* A run of consecutive sectors of one size; a sector map is a list of
 * runs. STM32F4 bank 1 is {4, 16K}, {1, 64K}, {7, 128K}. */
struct fk_sector_run {
	uint32_t count; /* number of sectors in this run, >= 1 */
	uint32_t size;	/* size of each sector in bytes, a power of two */
};

struct fk_flash_geometry {
	uint32_t base;			  /* bus address of offset 0 */
	uint32_t size;			  /* total bytes; sum of the runs */
	const struct fk_sector_run *runs; /* sector map, in address order */
	uint32_t run_count;		  /* entries in runs, >= 1 */
	uint32_t write_unit;  /* program granularity, 1..256 B, power of two */
	uint8_t erased_value; /* 0xFF (NOR) or 0x00 (some ECC parts) */
	bool program_once;    /* each write unit programmable once per erase */
};

struct fk_flash;

/* Driver operations. Called only through the fk_flash_* wrappers, which
 * have already checked range and alignment. Return 0 or an FK_E* code. */
struct fk_flash_ops {
	int (*read)(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len);
	/* off and len are multiples of write_unit. */
	int (*program)(const struct fk_flash *flash, uint32_t off,
		       const void *buf, uint32_t len);
	/* off is the start of a sector; erases exactly that sector. */
	int (*erase_sector)(const struct fk_flash *flash, uint32_t off,
			    uint32_t sector_size);
};

struct fk_flash {
	struct fk_flash_geometry geo;
	const struct fk_flash_ops *ops;
	void *ctx; /* driver state */
};

/* One sector: where it starts, how large it is, its index in the map. */
struct fk_sector {
	uint32_t off;
	uint32_t size;
	uint32_t index;
};

/* Checks that the geometry is self-consistent: runs add up to size, sector
 * sizes and write unit are powers of two, write unit divides every sector.
 * Returns 0, FK_EINVAL. */
int fk_flash_check_geometry(const struct fk_flash_geometry *geo);

/* Number of sectors in the map. */
uint32_t fk_flash_sector_count(const struct fk_flash *flash);

/* The sector containing offset off. FK_ERANGE when off >= size. */
int fk_flash_sector_at(const struct fk_flash *flash, uint32_t off,
		       struct fk_sector *out);

/* The sector with the given index. FK_ERANGE past the last one. */
int fk_flash_sector_by_index(const struct fk_flash *flash, uint32_t index,
			     struct fk_sector *out);

/* 0 when [off, off+len) lies inside the memory without overflow,
 * FK_ERANGE otherwise. len 0 is valid. */
int fk_flash_check_range(const struct fk_flash *flash, uint32_t off,
			 uint32_t len);

/* 0 when off and len are multiples of the write unit, FK_EALIGN otherwise. */
int fk_flash_check_write_align(const struct fk_flash *flash, uint32_t off,
			       uint32_t len);

/* True when off is the first byte of a sector, or equals size (the end). */
bool fk_flash_is_sector_boundary(const struct fk_flash *flash, uint32_t off);

/* Round a length up to the write unit. Meant for lengths inside the
 * memory: a len within write_unit - 1 of 2^32 wraps to 0. Inline: a call
 * would cost a bootloader more than the rounding. */
static inline uint32_t fk_flash_align_up(const struct fk_flash *flash,
					 uint32_t len)
{
	uint32_t mask = flash->geo.write_unit - 1;

	return (len + mask) & ~mask;
}

/* Checked operations. On power loss: read has no effect; program may leave
 * the range partly programmed (some units, or some bits of a unit); erase
 * may leave the sector partly erased or holding any data. */
int fk_flash_read(const struct fk_flash *flash, uint32_t off, void *buf,
		  uint32_t len);
int fk_flash_program(const struct fk_flash *flash, uint32_t off,
		     const void *buf, uint32_t len);
/* Erase every sector in [off, off+len); both ends must be sector
 * boundaries (FK_EALIGN otherwise). */
int fk_flash_erase(const struct fk_flash *flash, uint32_t off, uint32_t len);

/*
 * Image and copy data is programmed without its write units of erased
 * bytes: erased flash already reads that way, and on program-once flash a
 * programmed unit of erased bytes would read erased yet refuse a second
 * program before an erase (docs/boot-state.md, "What blank means").
 * Returns the length of the first run of units in buf[*pos, len) holding
 * a byte other than the erased value, and moves *pos to its start; 0 when
 * none is left. *pos and len are multiples of the write unit.
 */
uint32_t fk_flash_data_run(const struct fk_flash *flash, const uint8_t *buf,
			   uint32_t len, uint32_t *pos);

/* True when len bytes at off all read as the erased value. Reads through
 * buf (caller's scratch, buf_len >= 1). Returns 1 erased, 0 not, or a
 * negative FK_E* code. A read that fails with FK_EECC (a torn unit of
 * program-once flash) is not erased: 0, never an error. */
int fk_flash_is_erased(const struct fk_flash *flash, uint32_t off, uint32_t len,
		       void *buf, uint32_t buf_len);

/* A partition: a window [off, off+size) on one memory. */
struct fk_area {
	const struct fk_flash *flash;
	uint32_t off;  /* start, relative to the memory */
	uint32_t size; /* bytes */
};

/* Fills *area after checking the window lies inside the memory and starts
 * and ends on sector boundaries. Returns 0, FK_ERANGE or FK_EALIGN. */
int fk_area_init(struct fk_area *area, const struct fk_flash *flash,
		 uint32_t off, uint32_t size);

/* Same as the fk_flash_* calls, with off relative to the area and ranges
 * checked against the area (FK_ERANGE when they leave it). Built with
 * FK_FLASH_TRUSTED_AREAS (a bootloader whose configuration was checked
 * when it was built: every area inside its memory), read, program, erase
 * and is_erased return the same for an area fk_area_init() accepts,
 * without the memory-level range check such an area cannot fail. */
int fk_area_read(const struct fk_area *area, uint32_t off, void *buf,
		 uint32_t len);
int fk_area_program(const struct fk_area *area, uint32_t off, const void *buf,
		    uint32_t len);
int fk_area_erase(const struct fk_area *area, uint32_t off, uint32_t len);
int fk_area_is_erased(const struct fk_area *area, uint32_t off, uint32_t len,
		      void *buf, uint32_t buf_len);

/* The sector of the area's memory that contains area offset off; out->off
 * is relative to the area. */
int fk_area_sector_at(const struct fk_area *area, uint32_t off,
		      struct fk_sector *out);

/* The program and erase operations of a read-only view (a flash in
 * memory, an AES-CTR view, ...): nothing is written, FK_EPROTECT. */
int fk_flash_ro_program(const struct fk_flash *flash, uint32_t off,
			const void *buf, uint32_t len);
int fk_flash_ro_erase(const struct fk_flash *flash, uint32_t off,
		      uint32_t sector_size);

/*
 * A read-only flash over size bytes at mem (src/flash/flash_mem.c), so
 * that code written for flash reads memory: the boot core validates a
 * RAM_LOAD image's copy in RAM through it. base is the bus address mem
 * stands for. Its one "sector" is the whole region (*run, the caller's,
 * like *flash), so size need not be a power of two: never erased.
 * Program and erase return FK_EPROTECT; reads never fail.
 */
void fk_flash_mem_init(struct fk_flash *flash, struct fk_sector_run *run,
		       uint32_t base, const void *mem, uint32_t size);

#endif
