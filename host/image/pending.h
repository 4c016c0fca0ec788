/*
 * `flashkit image sign --layout L --image NAME --pending test|permanent`:
 * an image that installs itself when any programmer writes it. The
 * output covers the image's staging window (where fk_update_begin()
 * would write it: the staging slot from fk_boot_staging_offset() for
 * swap, the whole staging slot for overwrite, slot B for xip) and ends
 * with MCUboot's image trailer, which the bootloader reads at boot
 * (src/boot/marker.c; docs/boot.md, "Updates written by other tools").
 *
 * This file only computes where things go and which bytes an addressed
 * output carries; sign.c pads and writes the trailer, the CLI prints.
 */
#ifndef FLASHKIT_TOOL_PENDING_H
#define FLASHKIT_TOOL_PENDING_H

#include <stdint.h>

#include "flashkit/boot.h"
#include "formats/segments.h"
#include "layout/layout.h"
#include "sign.h"

/* imgtool's largest trailer unit (--max-align 32). */
#define FK_PENDING_MAX_ALIGN 32

struct fk_pending_window {
	enum fk_boot_strategy strategy;
	const char *slot;     /* the staging partition's name */
	uint64_t addr;	      /* bus address of the window's first byte */
	uint32_t offset;      /* that address less the partition's */
	uint32_t size;	      /* window bytes: the padded output's size */
	uint32_t trailer_off; /* the sector holding the trailer, from addr */
	uint32_t boot_max;    /* largest image the bootloader installs */
	uint32_t max_image;   /* that, and ending below trailer_off */
	uint32_t write_unit;  /* of the staging slot's memory */
	uint32_t max_align;   /* the trailer's unit: max(8, write_unit) */
	char why[200];	      /* the CLI's text for the limit */
};

/*
 * The staging window of image img of layout L. Returns 0, or -1 when the
 * layout gives the image no staging slot or its boot view fails (the
 * layout checks say why).
 */
int fk_pending_window(const struct fk_layout *L,
		      const struct fk_layout_image *img,
		      struct fk_pending_window *w);

/*
 * The segments of an addressed output (.hex, .srec, .uf2, .dfu) of the
 * padded image res (w->size bytes) at w->addr: the image itself, the
 * image_ok unit when confirmed, and the magic's unit(s); never a unit of
 * erased fill. Returns 0 or an FK_SEGS_* code.
 */
int fk_pending_segs(const struct fk_pending_window *w, bool confirmed,
		    const struct fk_sign_result *res, struct fk_segs *out);

#endif
