/*
 * A read-only fk_flash over a buffer in RAM, so the host tool runs the
 * device-side image parser (src/image/) on a file's bytes unchanged.
 *
 * The area covers exactly the buffer, so a length in the image that points
 * past the end of the file fails like one pointing past the end of a slot.
 * Program and erase are refused (FK_EPROTECT): the tool never changes an
 * image through this path.
 */
#ifndef FLASHKIT_TOOL_MEMFLASH_H
#define FLASHKIT_TOOL_MEMFLASH_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/flash.h"

struct fk_memflash {
	struct fk_flash flash;
	struct fk_sector_run run;
	const uint8_t *data;
	uint32_t len;
	struct fk_area area; /* [0, len) */
};

/* Wraps data (not copied; must outlive m). Returns 0, or FK_ERANGE when
 * len is over 1 GiB. */
int fk_memflash_init(struct fk_memflash *m, const uint8_t *data, size_t len);

#endif
