/*
 * The layout as the boot core sees it: a struct fk_boot_config built from
 * the model, on flashes that carry only a geometry. The layout never
 * computes how much of a slot an image may use; it asks the boot core
 * (fk_boot_max_image_size()), the same code the bootloader runs, so
 * `layout show`, the linker scripts and the device agree to the byte.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "boot_config.h"

#include "layout_internal.h"

struct view_ctx {
	const struct fk_layout *layout;
	struct fk_layout_boot *v;
};

/* The geometry-only flash of a memory, made once per memory. */
static const struct fk_flash *geometry_flash(void *ctx, uint32_t mem, char *msg,
					     size_t len)
{
	const struct fk_layout *layout = ((struct view_ctx *)ctx)->layout;
	struct fk_layout_boot *v = ((struct view_ctx *)ctx)->v;

	for (uint32_t i = 0; i < v->flash_count; i++)
		if (v->flash_mem[i] == mem)
			return &v->flash[i];
	if (v->flash_count == sizeof(v->flash) / sizeof(v->flash[0]) ||
	    fk_layout_memory_geometry(&layout->memories[mem],
				      &v->flash[v->flash_count].geo)) {
		snprintf(msg, len, "memory %s has no flash geometry",
			 layout->memories[mem].name);
		return NULL;
	}
	v->flash[v->flash_count].ops = NULL;
	v->flash[v->flash_count].ctx = NULL;
	v->flash_mem[v->flash_count] = mem;
	return &v->flash[v->flash_count++];
}

static int fail(struct fk_diag *err, const struct fk_layout_partition *part,
		const struct fk_layout_image *img, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct fk_diag *err, const struct fk_layout_partition *part,
		const struct fk_layout_image *img, const char *fmt, ...)
{
	const struct fk_pos *at = part ? &part->pos : img ? &img->pos : NULL;
	va_list ap;

	va_start(ap, fmt);
	fk_diag_vemit(err, FK_DIAG_ERROR, at, fmt, ap);
	va_end(ap);
	return -1;
}

static int area_of(const struct fk_layout *L, uint32_t part,
		   const struct fk_layout_flashes *fl, struct fk_area *out,
		   struct fk_diag *err)
{
	const struct fk_layout_partition *p = &L->partitions[part];
	char msg[200] = "";
	const struct fk_flash *f =
		fl->flash_of(fl->ctx, p->memory, msg, sizeof(msg));

	if (!f)
		return fail(err, p, NULL, "%s", msg);
	if (fk_area_init(out, f, p->offset, p->size) != FK_OK)
		return fail(err, p, NULL,
			    "partition %s is not made of whole "
			    "sectors",
			    p->name);
	return 0;
}

enum fk_boot_strategy fk_layout_boot_strategy(enum fk_layout_strategy s)
{
	switch (s) {
	case FK_STRATEGY_SWAP:
		return FK_BOOT_SWAP;
	case FK_STRATEGY_XIP:
		return FK_BOOT_XIP;
	case FK_STRATEGY_RAM_LOAD:
		return FK_BOOT_RAM_LOAD;
	case FK_STRATEGY_OVERWRITE:
	case FK_STRATEGY_NONE: /* refused by fk_layout_boot_config() */
		break;
	}
	return FK_BOOT_OVERWRITE;
}

/* The boot state: the images' shared partition, or the trailer carved
 * out of the first image's primary slot (docs/boot-state.md). */
static int state_area(const struct fk_layout *L,
		      const struct fk_layout_image *const *imgs, uint32_t count,
		      const struct fk_layout_flashes *fl,
		      struct fk_boot_config *cfg, struct fk_diag *err)
{
	struct fk_area *p = &cfg->images[0].primary;
	uint32_t trailer;

	for (uint32_t i = 1; i < count; i++) {
		if (imgs[i]->boot_state < 0 ||
		    imgs[i]->boot_state != imgs[0]->boot_state)
			return fail(err, NULL, imgs[i],
				    "images %s and %s are "
				    "installed together only when they share "
				    "one boot-state partition",
				    imgs[0]->name, imgs[i]->name);
	}
	if (imgs[0]->boot_state >= 0)
		return area_of(L, (uint32_t)imgs[0]->boot_state, fl,
			       &cfg->state, err);
	trailer = fk_layout_image_trailer(L, imgs[0]);
	if (trailer == 0 || trailer >= p->size)
		return fail(err, &L->partitions[imgs[0]->primary], NULL,
			    "slot %s needs room beyond the image for the boot "
			    "state trailer (%u bytes)",
			    L->partitions[imgs[0]->primary].name, trailer);
	p->size -= trailer;
	return fk_area_init(&cfg->state, p->flash, p->off + p->size, trailer) ?
		       fail(err, &L->partitions[imgs[0]->primary], NULL,
			    "the trailer of slot %s is not made of whole "
			    "sectors",
			    L->partitions[imgs[0]->primary].name) :
		       0;
}

/* True when the configuration's slots or boot state use memory mem. */
static bool uses_memory(const struct fk_layout *L,
			const struct fk_layout_image *const *imgs,
			uint32_t count, uint32_t mem)
{
	for (uint32_t i = 0; i < count; i++) {
		if (L->partitions[imgs[i]->primary].memory == mem ||
		    L->partitions[imgs[i]->secondary].memory == mem ||
		    (imgs[i]->boot_state >= 0 &&
		     L->partitions[imgs[i]->boot_state].memory == mem))
			return true;
	}
	return false;
}

/* The first bootloader partition on a memory the configuration uses. */
static int bootloader_area(const struct fk_layout *L,
			   const struct fk_layout_image *const *imgs,
			   uint32_t count, const struct fk_layout_flashes *fl,
			   struct fk_boot_config *cfg, struct fk_diag *err)
{
	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		if (p->role == FK_ROLE_BOOTLOADER &&
		    uses_memory(L, imgs, count, p->memory))
			return area_of(L, i, fl, &cfg->bootloader, err);
	}
	return 0;
}

/* The modules that are images of their own (a header), in file order:
 * module k has image id image_count + k (fk_layout_module_image_id). */
static int module_areas(const struct fk_layout *L,
			const struct fk_layout_flashes *fl,
			struct fk_boot_config *cfg, struct fk_diag *err)
{
	for (uint32_t i = 0; i < L->module_count; i++) {
		const struct fk_layout_module *m = &L->modules[i];

		if (!m->header_size)
			continue;
		if (cfg->module_count == FK_BOOT_MAX_MODULES)
			return fail(err, &L->partitions[m->flash], NULL,
				    "module %s: the boot core checks at most "
				    "%d modules with a header",
				    m->name, FK_BOOT_MAX_MODULES);
		if (area_of(L, m->flash, fl, &cfg->modules[cfg->module_count],
			    err))
			return -1;
		cfg->module_count++;
	}
	return 0;
}

int fk_layout_boot_config(const struct fk_layout *L,
			  const struct fk_layout_image *const *imgs,
			  uint32_t count, const struct fk_layout_flashes *fl,
			  struct fk_boot_config *cfg, struct fk_diag *err)
{
	memset(cfg, 0, sizeof(*cfg));
	if (count == 0 || count > FK_BOOT_MAX_IMAGES)
		return fail(err, NULL, count ? imgs[0] : NULL,
			    "%u images: "
			    "the boot core installs 1 to %d together",
			    count, FK_BOOT_MAX_IMAGES);
	cfg->strategy = fk_layout_boot_strategy(imgs[0]->strategy);
	cfg->image_count = count;
	cfg->trial_boots = 1;
	for (uint32_t i = 0; i < count; i++) {
		struct fk_boot_slots *sl = &cfg->images[i];

		if (imgs[i]->strategy == FK_STRATEGY_NONE)
			return fail(err, NULL, imgs[i],
				    "image %s has no bootloader (strategy "
				    "none): nothing installs or verifies it",
				    imgs[i]->name);
		if (imgs[i]->secondary < 0)
			return fail(err, NULL, imgs[i],
				    "image %s has no "
				    "secondary slot",
				    imgs[i]->name);
		if (area_of(L, imgs[i]->primary, fl, &sl->primary, err) ||
		    area_of(L, (uint32_t)imgs[i]->secondary, fl, &sl->secondary,
			    err))
			return -1;
		if (imgs[i]->factory >= 0 &&
		    area_of(L, (uint32_t)imgs[i]->factory, fl, &sl->factory,
			    err))
			return -1;
		/* ram-load: the RAM; ram.mem is the caller's (a buffer on
		 * the host, the address itself in boot_config.c) */
		if (cfg->strategy == FK_BOOT_RAM_LOAD && !imgs[i]->has_load)
			return fail(err, NULL, imgs[i],
				    "image %s (ram-load) has no 'load' RAM",
				    imgs[i]->name);
		if (cfg->strategy == FK_BOOT_RAM_LOAD) {
			sl->ram.addr = imgs[i]->load.start;
			sl->ram.size = imgs[i]->load.size;
		}
	}
	if (state_area(L, imgs, count, fl, cfg, err) ||
	    module_areas(L, fl, cfg, err))
		return -1;
	return bootloader_area(L, imgs, count, fl, cfg, err);
}

/* The view keeps image_count at the layout's number of images: the boot
 * state's capacity, and so the copy plan, depends on how many images the
 * bootloader's one configuration holds. */
int fk_layout_boot_view(const struct fk_layout *L,
			const struct fk_layout_image *img,
			struct fk_layout_boot *v)
{
	struct view_ctx ctx = { L, v };
	struct fk_layout_flashes fl = { geometry_flash, &ctx };
	memset(v, 0, sizeof(*v));
	if (fk_layout_boot_config(L, &img, 1, &fl, &v->cfg, NULL))
		return -1;
	v->cfg.image_count = L->image_count < FK_BOOT_MAX_IMAGES ?
				     L->image_count :
				     FK_BOOT_MAX_IMAGES;
	memset(&v->cfg.bootloader, 0, sizeof(v->cfg.bootloader));
	return 0;
}
