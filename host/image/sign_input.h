/*
 * What `image sign` wraps, checked before it is wrapped: firmware linked
 * for the slot it is signed for, not for another slot or another image,
 * and not an image already.
 *
 * Where firmware runs is read from the file itself: the address an ELF
 * or HEX file says its first byte goes to, and, for a raw binary, the
 * reset handler in its vector table (word 1, a Thumb address) when that
 * word points into a slot of the layout. A binary whose word 1 points
 * nowhere in the layout (not a Cortex-M vector table, or code for RAM)
 * is taken as it is.
 *
 * Nothing here prints; failures go to the sink, at the layout's image.
 */
#ifndef FLASHKIT_TOOL_SIGN_INPUT_H
#define FLASHKIT_TOOL_SIGN_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "diag/diag.h"
#include "image/imgfile.h"
#include "layout/layout.h"

/* Where the signed image belongs. */
struct fk_sign_place {
	uint32_t slot;	   /* partition index: the slot it goes into */
	uint32_t run_addr; /* where its first payload byte runs */
	bool from_file;	   /* the file said so (else: the default slot) */
};

/*
 * Checks input in, to be signed as image img of layout L (pad_header:
 * the input has no room for the header; else its first header_size
 * bytes are that room), and says where the image belongs:
 *  - OVERWRITE/SWAP: linked for the primary slot (+ header);
 *  - XIP: for either slot; place->slot is the one it was linked for, so
 *    a HEX output lands where its code runs;
 *  - RAM_LOAD: for the `load` RAM (+ header); place->slot the primary.
 * Refused, saying what it was linked for and what to do: an input linked
 * for another image's slot, for the other slot of a non-XIP image, or for
 * no slot of img; an input linked at slot + header without pad_header
 * (or at the slot with it). An input that does not say (a binary without
 * a recognisable vector table) goes to the primary slot. Returns 0, or
 * -1 with d filled.
 */
int fk_sign_check_place(const struct fk_layout *L,
			const struct fk_layout_image *img,
			const struct fk_input *in, bool pad_header,
			struct fk_sign_place *place, struct fk_diag *d);

/*
 * An input that is already an image (FK_IMAGE_MAGIC at its start) is
 * refused, unless resign: then in is cut down to the old image's payload
 * (its header, TLVs and trailer dropped; a base moves past the header),
 * to be signed again. With resign, an input that is no image, or whose
 * digest does not match (fk_input_check_image()), is refused. Returns 0
 * (in untouched when it is no image), or -1 with d filled.
 */
int fk_sign_check_not_image(struct fk_input *in, const char *name, bool resign,
			    struct fk_diag *d);

#endif
