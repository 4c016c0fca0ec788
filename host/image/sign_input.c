/*
 * Checks of what `image sign` wraps (sign_input.h): the slot the input
 * was linked for, and whether it is an image already.
 *
 * Invariant: a slot's run address is where the first payload byte of an
 * image in it executes: the slot's bus address + the header for the
 * strategies that run in place, the `load` RAM + the header for ram-load.
 * An input "starts" at its first byte: the header room when it has one
 * (no pad_header), else the payload.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/image.h"
#include "imgfile.h"
#include "sign_input.h"

/* The slots an image may be signed for: primary, and secondary for XIP. */
static uint32_t image_slots(const struct fk_layout_image *img,
			    uint32_t slots[2])
{
	slots[0] = img->primary;
	if (img->strategy == FK_STRATEGY_XIP && img->secondary >= 0) {
		slots[1] = (uint32_t)img->secondary;
		return 2;
	}
	return 1;
}

/* Where the payload runs for image img in slot. */
static uint32_t run_addr(const struct fk_layout *L,
			 const struct fk_layout_image *img, uint32_t slot)
{
	if (img->strategy == FK_STRATEGY_RAM_LOAD && img->has_load)
		return img->load.start + img->header_size;
	return L->partitions[slot].address + img->header_size;
}

/* How many bytes from run_addr the payload may take there. */
static uint32_t run_size(const struct fk_layout *L,
			 const struct fk_layout_image *img, uint32_t slot)
{
	uint32_t size = img->strategy == FK_STRATEGY_RAM_LOAD && img->has_load ?
				img->load.size :
				L->partitions[slot].size;

	return size > img->header_size ? size - img->header_size : 0;
}

/* The image of L and its slot (primary or secondary, whatever its
 * strategy) whose run range holds addr; false when none. */
static bool find_runner(const struct fk_layout *L, uint32_t addr,
			const struct fk_layout_image **who, uint32_t *slot)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		uint32_t slots[2] = { img->primary }, n = 1;

		if (img->secondary >= 0)
			slots[n++] = (uint32_t)img->secondary;

		for (uint32_t s = 0; s < n; s++) {
			uint32_t a = run_addr(L, img, slots[s]);

			if (addr >= a &&
			    addr - a < run_size(L, img, slots[s])) {
				*who = img;
				*slot = slots[s];
				return true;
			}
		}
	}
	return false;
}

/* The run address the input says, exactly (*exact) or as an address
 * inside the code (a binary's reset vector); false when it says none. */
static bool input_run_addr(const struct fk_input *in, bool pad_header,
			   uint32_t header_size, uint32_t *addr, bool *exact)
{
	if (in->has_base) {
		*addr = in->base + (pad_header ? 0 : header_size);
		*exact = true;
		return true;
	}
	/* a raw binary: the reset handler of its vector table */
	uint32_t vt = pad_header ? 0 : header_size;

	if (in->len < (size_t)vt + 8)
		return false;
	*addr = fk_le32(in->data + vt + 4);
	*exact = false;
	return (*addr & 1u) != 0 && *addr != 0xffffffffu;
}

static int refuse_other_image(const struct fk_layout *L,
			      const struct fk_layout_image *img,
			      const struct fk_layout_image *who, uint32_t slot,
			      uint32_t addr, struct fk_diag *d)
{
	return fk_diag_fail(d, FK_FAIL_INPUT, &img->pos,
			    "the input runs at 0x%08x, in slot '%s' of image "
			    "'%s', not in image '%s' (from 0x%08x); sign it "
			    "as --image %s, or link it for '%s' (the "
			    "layout's linker script for it)",
			    (unsigned)addr, L->partitions[slot].name, who->name,
			    img->name, (unsigned)run_addr(L, img, img->primary),
			    who->name, img->name);
}

/* The input starts one header too early or too late: says which option
 * fits. */
static int refuse_header_shift(const struct fk_layout_image *img, uint32_t addr,
			       uint32_t want, bool pad_header,
			       struct fk_diag *d)
{
	return fk_diag_fail(
		d, FK_FAIL_INPUT, &img->pos,
		"the input's code starts at 0x%08x, %s its slot's code "
		"(0x%08x): %s",
		(unsigned)addr,
		pad_header ? "a header before" : "a header after",
		(unsigned)want,
		pad_header ?
			"it already holds room for the header; drop "
			"--pad-header" :
			"it holds no room for the header; add --pad-header");
}

int fk_sign_check_place(const struct fk_layout *L,
			const struct fk_layout_image *img,
			const struct fk_input *in, bool pad_header,
			struct fk_sign_place *place, struct fk_diag *d)
{
	const struct fk_layout_image *who;
	uint32_t slots[2], n = image_slots(img, slots), addr, slot;
	bool exact;

	place->slot = img->primary;
	place->run_addr = run_addr(L, img, img->primary);
	place->from_file = false;
	if (!input_run_addr(in, pad_header, img->header_size, &addr, &exact))
		return 0;
	if (exact) {
		uint32_t hs = img->header_size;

		for (uint32_t s = 0; s < n; s++) {
			uint32_t want = run_addr(L, img, slots[s]);

			if (addr == want) {
				place->slot = slots[s];
				place->run_addr = want;
				place->from_file = true;
				return 0;
			}
			if (hs && (addr == want + hs || addr + hs == want))
				return refuse_header_shift(img, addr, want,
							   pad_header, d);
		}
	}
	if (!find_runner(L, addr, &who, &slot))
		return exact ? fk_diag_fail(
				       d, FK_FAIL_INPUT, &img->pos,
				       "the input runs at 0x%08x, but image "
				       "'%s' runs at 0x%08x (slot '%s' + its "
				       "0x%x-byte header); link it with the "
				       "layout's linker script for '%s'",
				       (unsigned)addr, img->name,
				       (unsigned)place->run_addr,
				       L->partitions[img->primary].name,
				       (unsigned)img->header_size, img->name) :
			       0;
	if (who != img)
		return refuse_other_image(L, img, who, slot, addr, d);
	for (uint32_t s = 0; s < n; s++) {
		if (slots[s] != slot)
			continue;
		if (exact)
			return fk_diag_fail(
				d, FK_FAIL_INPUT, &img->pos,
				"the input starts at 0x%08x, inside "
				"slot '%s' but not where its code "
				"starts (0x%08x, after the 0x%x-byte "
				"header); link it with the layout's "
				"linker script for '%s'",
				(unsigned)addr, L->partitions[slot].name,
				(unsigned)run_addr(L, img, slot),
				(unsigned)img->header_size, img->name);
		place->slot = slot;
		place->run_addr = run_addr(L, img, slot);
		place->from_file = true;
		return 0;
	}
	return fk_diag_fail(d, FK_FAIL_INPUT, &img->pos,
			    "the input runs at 0x%08x, in slot '%s', but "
			    "image '%s' (%s) runs from slot '%s' at 0x%08x; "
			    "link it for that slot",
			    (unsigned)addr, L->partitions[slot].name, img->name,
			    fk_layout_strategy_name(img->strategy),
			    L->partitions[img->primary].name,
			    (unsigned)place->run_addr);
}

int fk_sign_check_not_image(struct fk_input *in, const char *name, bool resign,
			    struct fk_diag *d)
{
	bool image = in->len >= 32 && fk_le32(in->data) == FK_IMAGE_MAGIC;
	uint32_t hdr, size;

	if (!image && !resign)
		return 0;
	if (!image)
		return fk_fail(d,
			       "%s: --resign takes a signed image, and this "
			       "file has no image header (magic 0x96f3b83d) "
			       "at its start; sign the firmware itself "
			       "without --resign",
			       name);
	if (!resign)
		return fk_fail(d,
			       "%s is already a signed image (its header magic "
			       "0x96f3b83d is at its start); sign the firmware "
			       "itself, or give --resign to sign this image's "
			       "payload again",
			       name);
	hdr = fk_le16(in->data + 8);
	size = fk_le32(in->data + 12);
	if (fk_le32(in->data + 16) &
	    (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256))
		return fk_fail(d,
			       "%s: --resign: the image is encrypted, so its "
			       "payload is ciphertext; sign the firmware "
			       "itself (with -E to encrypt it again)",
			       name);
	/* a damaged image would be signed again as it is: refused */
	if (fk_input_check_image(in, name, d))
		return -1;
	memmove(in->data, in->data + hdr, size);
	in->len = size;
	if (in->has_base)
		in->base += hdr;
	return 0;
}
