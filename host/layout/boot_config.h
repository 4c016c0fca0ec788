/*
 * The one translation of a layout into the boot core's configuration
 * (struct fk_boot_config): strategy, slots, the boot state (its own
 * partition, or the trailer carved out of the primary slot) and the
 * bootloader's partition. `layout show/check/gen`, `image sign --layout`,
 * `flashkit sim` and the tests all build it here; they differ only in
 * the flash each memory gets (a geometry for sizes, a simulator for the
 * sweep), which the caller provides. Hooks, keys and the buffer are the
 * caller's.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_BOOT_CONFIG_H
#define FLASHKIT_TOOL_LAYOUT_BOOT_CONFIG_H

#include "flashkit/boot.h"
#include "layout/layout.h"

/* The flash that stands for layout memory mem, or NULL when it cannot
 * (msg says why, up to len bytes). */
struct fk_layout_flashes {
	const struct fk_flash *(*flash_of)(void *ctx, uint32_t mem, char *msg,
					   size_t len);
	void *ctx;
};

enum fk_boot_strategy fk_layout_boot_strategy(enum fk_layout_strategy s);

/*
 * Fills cfg for images imgs[0..count) installed together (all sharing
 * one boot state): images[i] holds imgs[i]'s slots; trial_boots 1; the
 * bootloader area is the first bootloader partition on a memory the
 * slots or the boot state use; for ram-load, images[i].ram's address
 * and size are imgs[i]'s `load` (ram.mem is left NULL: the caller's, a
 * buffer on the host). Returns 0, or -1 after reporting why to
 * d, at the partition (or else the image) the problem is about.
 */
int fk_layout_boot_config(const struct fk_layout *layout,
			  const struct fk_layout_image *const *imgs,
			  uint32_t count, const struct fk_layout_flashes *fl,
			  struct fk_boot_config *cfg, struct fk_diag *d);

#endif
