/*
 * Questions other commands ask a loaded layout: find things by name or
 * address, shape a simulated flash like a memory, and the sizes an image
 * has to live with (trailer, maximum payload, alignment). The payload is
 * the boot core's own figure (fk_boot_max_image_size() on the layout's
 * boot configuration, layout_boot.c), so the layout, the linker scripts
 * and the bootloader agree to the byte.
 */
#include <stdlib.h>
#include <string.h>

#include "flashkit/boot.h"
#include "layout_internal.h"

const struct fk_layout_memory *
fk_layout_find_memory(const struct fk_layout *layout, const char *name)
{
	for (uint32_t i = 0; i < layout->memory_count; i++)
		if (!strcmp(layout->memories[i].name, name))
			return &layout->memories[i];
	return NULL;
}

const struct fk_layout_partition *
fk_layout_find_partition(const struct fk_layout *layout, const char *name)
{
	for (uint32_t i = 0; i < layout->partition_count; i++)
		if (!strcmp(layout->partitions[i].name, name))
			return &layout->partitions[i];
	return NULL;
}

const struct fk_layout_image *
fk_layout_find_image(const struct fk_layout *layout, const char *name)
{
	for (uint32_t i = 0; i < layout->image_count; i++)
		if (!strcmp(layout->images[i].name, name))
			return &layout->images[i];
	return NULL;
}

const struct fk_layout_module *
fk_layout_find_module(const struct fk_layout *layout, const char *name)
{
	for (uint32_t i = 0; i < layout->module_count; i++)
		if (!strcmp(layout->modules[i].name, name))
			return &layout->modules[i];
	return NULL;
}

uint32_t fk_layout_module_image_id(const struct fk_layout *layout,
				   const struct fk_layout_module *mod)
{
	uint32_t id = layout->image_count;

	for (const struct fk_layout_module *m = layout->modules; m < mod; m++)
		id += m->header_size != 0;
	return id;
}

const struct fk_layout_partition *
fk_layout_partition_at(const struct fk_layout *layout, uint32_t addr)
{
	for (uint32_t i = 0; i < layout->partition_count; i++) {
		const struct fk_layout_partition *p = &layout->partitions[i];

		if (!layout->memories[p->memory].mapped)
			continue;
		if (addr >= p->address && addr - p->address < p->size)
			return p;
	}
	return NULL;
}

const struct fk_layout_memory *
fk_layout_partition_memory(const struct fk_layout *layout,
			   const struct fk_layout_partition *part)
{
	return &layout->memories[part->memory];
}

int fk_layout_memory_geometry(const struct fk_layout_memory *mem,
			      struct fk_flash_geometry *geo)
{
	if (mem->kind == FK_MEM_RAM || mem->run_count == 0)
		return FK_EINVAL;
	memset(geo, 0, sizeof(*geo));
	geo->base = mem->base;
	geo->size = mem->size;
	geo->runs = mem->runs;
	geo->run_count = mem->run_count;
	geo->write_unit = mem->write_unit;
	geo->erased_value = mem->erased_value;
	geo->program_once = mem->program_once;
	return 0;
}

int fk_layout_sim_config(const struct fk_layout_memory *mem,
			 struct fk_sim_config *config)
{
	memset(config, 0, sizeof(*config));
	if (fk_layout_memory_geometry(mem, &config->geo))
		return FK_EINVAL;
	config->timing.erase_us_per_kib = mem->timing.erase_us_per_kib;
	config->timing.erase_us_fixed = mem->timing.erase_us;
	config->timing.program_us_per_unit = mem->timing.program_us;
	return 0;
}

uint32_t fk_layout_trailer_size(uint32_t write_unit)
{
	/* docs/boot-state.md, "Record slots": 20 bytes, rounded up to a
	 * whole number of write units. */
	uint32_t wu = write_unit ? write_unit : 1;

	return (20 + wu - 1) / wu * wu;
}

static uint32_t slot_write_unit(const struct fk_layout *layout, uint32_t part)
{
	return layout->memories[layout->partitions[part].memory].write_unit;
}

uint32_t fk_layout_image_align(const struct fk_layout *layout,
			       const struct fk_layout_image *img)
{
	uint32_t wu = slot_write_unit(layout, img->primary);

	if (img->secondary >= 0 &&
	    slot_write_unit(layout, (uint32_t)img->secondary) > wu)
		wu = slot_write_unit(layout, (uint32_t)img->secondary);
	return wu ? wu : 1;
}

uint32_t fk_layout_image_trailer(const struct fk_layout *layout,
				 const struct fk_layout_image *img)
{
	const struct fk_layout_partition *p = &layout->partitions[img->primary];
	const struct fk_layout_memory *mem = &layout->memories[p->memory];
	uint32_t index, start, size, end, total;

	if (img->boot_state != FK_LAYOUT_BOOT_STATE_TRAILER ||
	    img->strategy == FK_STRATEGY_NONE || p->size == 0 ||
	    mem->kind == FK_MEM_RAM || p->offset + p->size > mem->size)
		return 0;
	/* the slot's last sectors hold the boot state, as many as its log
	 * spans (FK_BOOT_LOG_MIN bytes: one sector of 2 KiB or more, several
	 * small pages); the boot state owns them whole so that erasing them
	 * never touches the image */
	end = p->offset + p->size;
	total = 0;
	while (total < FK_BOOT_LOG_MIN && total < p->size) {
		fk_layout_sector_at(mem, end - total - 1, &index, &start,
				    &size);
		if (size == 0)
			return 0;
		total += size;
	}
	return total;
}

uint32_t fk_layout_image_max_payload(const struct fk_layout *layout,
				     const struct fk_layout_image *img)
{
	struct fk_layout_boot view;
	uint32_t max;

	if (img->strategy == FK_STRATEGY_NONE) {
		max = layout->partitions[img->primary].size;
		return max > img->header_size ? max - img->header_size : 0;
	}
	if (fk_layout_boot_view(layout, img, &view))
		return 0;
	max = fk_boot_max_image_size(&view.cfg, 0);
	return max > img->header_size ? max - img->header_size : 0;
}

void fk_layout_free(struct fk_layout *layout)
{
	if (!layout)
		return;
	for (uint32_t i = 0; i < layout->memory_count; i++) {
		free(layout->memories[i].name);
		free(layout->memories[i].runs);
	}
	for (uint32_t i = 0; i < layout->partition_count; i++)
		free(layout->partitions[i].name);
	for (uint32_t i = 0; i < layout->module_count; i++)
		free(layout->modules[i].name);
	for (uint32_t i = 0; i < layout->image_count; i++)
		free(layout->images[i].name);
	free(layout->memories);
	free(layout->partitions);
	free(layout->modules);
	free(layout->images);
	free(layout->title);
	free(layout->path);
	memset(layout, 0, sizeof(*layout));
}
