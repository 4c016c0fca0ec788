/*
 * The checks of an image's `release` (layout.h, docs/layout.md): an
 * image of another core that the bootloader's core starts once both are
 * installed, through a stub in the bootloader partition that core boots
 * from (on the STM32H745, the Cortex-M4 at BOOT_CM4_ADD0) and a mailbox
 * at the start of a RAM partition both cores reach. What the generators
 * make of it: boot_config.c's fk_boot_layout_release, the bootloader's
 * linker script (the stub at its address), program.cfg's option byte.
 */
#include "layout_internal.h"

static bool uses(const struct fk_layout_image *img, uint32_t part)
{
	for (uint32_t i = 0; i < img->uses_count; i++)
		if (img->uses[i] == part)
			return true;
	return false;
}

static void check_stub(const struct fk_layout *L,
		       const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_partition *p =
		fk_layout_partition_at(L, img->release_stub);

	if (!p || p->role != FK_ROLE_BOOTLOADER) {
		fk_diag_error(d, &img->pos_stub,
			      "image '%s': release stub 0x%08X is not in a "
			      "partition of role bootloader (it is %s%s); "
			      "the stub is part of the bootloader, linked "
			      "and write-protected with it",
			      img->name, img->release_stub,
			      p ? "in " : "in no partition", p ? p->name : "");
		return;
	}
	if (img->release_stub % FK_LAYOUT_STUB_ALIGN)
		fk_diag_error(d, &img->pos_stub,
			      "image '%s': release stub 0x%08X is not a "
			      "multiple of 64K: the STM32H7's boot address "
			      "option (BOOT_CM4_ADD0) holds address bits "
			      "31:16; try 0x%08X",
			      img->name, img->release_stub,
			      (img->release_stub + FK_LAYOUT_STUB_ALIGN - 1) &
				      ~(FK_LAYOUT_STUB_ALIGN - 1));
	else if (img->release_stub == p->address)
		fk_diag_error(d, &img->pos_stub,
			      "image '%s': release stub 0x%08X is the start "
			      "of '%s', where the bootloader's own vector "
			      "table is; put the stub higher in the "
			      "partition (its last 64K)",
			      img->name, img->release_stub, p->name);
}

static void check_mailbox(const struct fk_layout *L,
			  const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_partition *p =
		&L->partitions[img->release_mailbox];
	const struct fk_layout_image *first = &L->images[0];

	if (L->memories[p->memory].kind != FK_MEM_RAM) {
		fk_diag_error(d, &img->pos_mailbox,
			      "image '%s': release mailbox '%s' is on %s "
			      "memory '%s'; name a RAM partition both cores "
			      "reach (the H745's SRAM4)",
			      img->name, p->name,
			      fk_layout_kind_name(L->memories[p->memory].kind),
			      L->memories[p->memory].name);
		return;
	}
	if (p->size < FK_LAYOUT_MAILBOX_SIZE)
		fk_diag_error(d, &img->pos_mailbox,
			      "image '%s': release mailbox '%s' has %u "
			      "bytes; the mailbox takes its first %u",
			      img->name, p->name, p->size,
			      FK_LAYOUT_MAILBOX_SIZE);
	if (!uses(img, (uint32_t)img->release_mailbox) ||
	    !uses(first, (uint32_t)img->release_mailbox))
		fk_diag_error(d, &img->pos_mailbox,
			      "image '%s': release mailbox '%s' must be in "
			      "the 'uses' of both '%s' and '%s' (both cores "
			      "reach it; their code leaves its first %u "
			      "bytes to the bootloader)",
			      img->name, p->name, first->name, img->name,
			      FK_LAYOUT_MAILBOX_SIZE);
}

void fk_layout_check_release(const struct fk_layout *L, struct fk_diag *d)
{
	const struct fk_layout_image *released = NULL;

	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		if (!img->has_release)
			continue;
		if (i == 0) {
			fk_diag_error(d, &img->pos_release,
				      "image '%s' is the first image: the "
				      "bootloader runs on its core and jumps "
				      "into it; 'release' is for an image of "
				      "another core, listed after it",
				      img->name);
			continue;
		}
		if (released)
			fk_diag_error(d, &img->pos_release,
				      "images '%s' and '%s' both have "
				      "'release'; the bootloader releases "
				      "one other core",
				      released->name, img->name);
		released = img;
		if (img->strategy != FK_STRATEGY_SWAP &&
		    img->strategy != FK_STRATEGY_OVERWRITE)
			fk_diag_error(d, &img->pos_release,
				      "image '%s': 'release' needs strategy "
				      "swap or overwrite (the image runs "
				      "from its primary slot), not %s",
				      img->name,
				      fk_layout_strategy_name(img->strategy));
		check_stub(L, img, d);
		check_mailbox(L, img, d);
	}
}
