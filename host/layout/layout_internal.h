/*
 * What the files of host/layout/ share and nobody else needs: the check
 * pass, the size parser of sector maps and sector arithmetic. The public
 * model is in layout.h; diagnostics go to a sink (diag/diag.h).
 */
#ifndef FLASHKIT_TOOL_LAYOUT_INTERNAL_H
#define FLASHKIT_TOOL_LAYOUT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "flashkit/boot.h"
#include "layout.h"

/* The hardware checks on a resolved model (layout_check.c). */
void fk_layout_check(const struct fk_layout *layout, struct fk_diag *d);
/* The images' `release` (layout_release.c), part of fk_layout_check. */
void fk_layout_check_release(const struct fk_layout *layout, struct fk_diag *d);

/*
 * Parses a size or address with the one number grammar
 * (common/number.h, sizes allowed). Returns 0, or -1 with *why set to a
 * short explanation. Values above 0xFFFFFFFF are refused.
 */
int fk_layout_parse_u32(const char *text, uint32_t *out, const char **why);

/* "128K", "1M", "0x200 (512)": a human size into buf. */
const char *fk_layout_fmt_size(char *buf, size_t len, uint64_t bytes);

/* The sector of a memory that contains offset off (off < size). */
void fk_layout_sector_at(const struct fk_layout_memory *mem, uint32_t off,
			 uint32_t *index, uint32_t *start, uint32_t *size);

/* Whether off is a sector boundary of the memory (size counts). */
bool fk_layout_is_boundary(const struct fk_layout_memory *mem, uint32_t off);

/*
 * The boot core's configuration for one image of a layout, so the layout
 * asks the boot core itself how much fits (fk_boot_max_image_size()).
 * The image is image 0 of cfg; image_count is the layout's number of
 * images (at most FK_BOOT_MAX_IMAGES); trial_boots is 1. The flashes are
 * geometry only (no driver): only sizes are ever computed.
 * The boot state: the image's dedicated boot-state partition, or the last
 * sector of its primary slot (then carved out of cfg's primary area), as
 * docs/boot-state.md places it. Returns 0, or -1 when an area does not
 * fit its memory's sectors (the checks report why).
 */
struct fk_layout_boot {
	struct fk_flash flash[3];
	uint32_t flash_mem[3];
	uint32_t flash_count;
	struct fk_boot_config cfg;
};
int fk_layout_boot_view(const struct fk_layout *layout,
			const struct fk_layout_image *img,
			struct fk_layout_boot *out);

/* Bus-address range [start, end) of an image's n-th RAM region. */
#define FK_LAYOUT_RAM_END(img, n) \
	((uint64_t)(img)->ram[n].start + (img)->ram[n].size)

#endif
