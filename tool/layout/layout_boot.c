/*
 * The layout as the boot core sees it: a struct fk_boot_config built from
 * the model, on flashes that carry only a geometry. The layout never
 * computes how much of a slot an image may use; it asks the boot core
 * (fk_boot_max_image_size()), the same code the bootloader runs, so
 * `layout show`, the linker scripts and the device agree to the byte.
 */
#include <string.h>

#include "layout_internal.h"

/* The geometry-only flash of a memory, made once per memory. */
static struct fk_flash *flash_of(const struct fk_layout *L, uint32_t mem,
				 struct fk_layout_boot *v)
{
	for (uint32_t i = 0; i < v->flash_count; i++)
		if (v->flash_mem[i] == mem)
			return &v->flash[i];
	if (v->flash_count == sizeof(v->flash) / sizeof(v->flash[0]) ||
	    fk_layout_memory_geometry(&L->memories[mem],
				      &v->flash[v->flash_count].geo))
		return NULL;
	v->flash[v->flash_count].ops = NULL;
	v->flash[v->flash_count].ctx = NULL;
	v->flash_mem[v->flash_count] = mem;
	return &v->flash[v->flash_count++];
}

static int area_of(const struct fk_layout *L, uint32_t part,
		   struct fk_layout_boot *v, struct fk_area *out)
{
	const struct fk_layout_partition *p = &L->partitions[part];
	struct fk_flash *f = flash_of(L, p->memory, v);

	if (!f || fk_area_init(out, f, p->offset, p->size) != FK_OK)
		return -1;
	return 0;
}

static enum fk_boot_strategy strategy_of(enum fk_layout_strategy s)
{
	switch (s) {
	case FK_STRATEGY_SWAP: return FK_BOOT_SWAP;
	case FK_STRATEGY_XIP: return FK_BOOT_XIP;
	case FK_STRATEGY_OVERWRITE: break;
	}
	return FK_BOOT_OVERWRITE;
}

int fk_layout_boot_view(const struct fk_layout *L,
			const struct fk_layout_image *img,
			struct fk_layout_boot *v)
{
	struct fk_boot_slots *slots;
	uint32_t trailer;

	memset(v, 0, sizeof(*v));
	slots = &v->cfg.images[0];
	v->cfg.strategy = strategy_of(img->strategy);
	v->cfg.image_count = L->image_count < FK_BOOT_MAX_IMAGES
				     ? L->image_count : FK_BOOT_MAX_IMAGES;
	v->cfg.trial_boots = 1;
	if (img->secondary < 0 ||
	    area_of(L, img->primary, v, &slots->primary) ||
	    area_of(L, (uint32_t)img->secondary, v, &slots->secondary))
		return -1;
	if (img->boot_state >= 0)
		return area_of(L, (uint32_t)img->boot_state, v, &v->cfg.state);
	trailer = fk_layout_image_trailer(L, img);
	if (trailer == 0 || trailer >= slots->primary.size)
		return -1;
	slots->primary.size -= trailer;
	return fk_area_init(&v->cfg.state, slots->primary.flash,
			    slots->primary.off + slots->primary.size, trailer)
		       ? -1 : 0;
}
