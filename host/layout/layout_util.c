/*
 * Small pieces every part of the layout code uses: the size/address
 * parser of sector maps, sector arithmetic on a memory's sector map, and
 * the enum names.
 */
#include <stdio.h>
#include <string.h>

#include "common/number.h"
#include "layout_internal.h"

int fk_layout_parse_u32(const char *text, uint32_t *out, const char **why)
{
	uint64_t v;
	int rc = fk_number_parse(text, FK_NUM_SIZE, UINT32_MAX, &v, why);

	if (rc == -2)
		*why = "is larger than 4G-1 (32-bit addresses)";
	if (rc)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

const char *fk_layout_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes && bytes % (1024 * 1024) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(bytes >> 10));
	/* quarters of a K, as a layout writes them (0x13500 = 77.25K) */
	else if (bytes > 1024 && bytes % 256 == 0)
		snprintf(buf, len, "%llu%sK", (unsigned long long)(bytes >> 10),
			 bytes % 1024 == 256 ? ".25" :
			 bytes % 1024 == 512 ? ".5" :
					       ".75");
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

void fk_layout_sector_at(const struct fk_layout_memory *mem, uint32_t off,
			 uint32_t *index, uint32_t *start, uint32_t *size)
{
	uint64_t at = 0;
	uint32_t idx = 0;

	for (uint32_t r = 0; r < mem->run_count; r++) {
		uint64_t run_len =
			(uint64_t)mem->runs[r].count * mem->runs[r].size;

		if (off < at + run_len) {
			uint32_t k = (uint32_t)((off - at) / mem->runs[r].size);

			*index = idx + k;
			*start = (uint32_t)(at +
					    (uint64_t)k * mem->runs[r].size);
			*size = mem->runs[r].size;
			return;
		}
		at += run_len;
		idx += mem->runs[r].count;
	}
	*index = idx;
	*start = (uint32_t)at;
	*size = 0;
}

bool fk_layout_is_boundary(const struct fk_layout_memory *mem, uint32_t off)
{
	uint32_t index, start, size;

	if (mem->kind == FK_MEM_RAM)
		return true;
	if (off >= mem->size)
		return off == mem->size;
	fk_layout_sector_at(mem, off, &index, &start, &size);
	return start == off;
}

const char *fk_layout_role_name(enum fk_layout_role role)
{
	static const char *const names[] = {
		[FK_ROLE_RAW] = "raw",
		[FK_ROLE_BOOTLOADER] = "bootloader",
		[FK_ROLE_SLOT] = "slot",
		[FK_ROLE_BOOT_STATE] = "boot-state",
		[FK_ROLE_FACTORY] = "factory",
		[FK_ROLE_CONFIG] = "config",
		[FK_ROLE_DEVINFO] = "devinfo",
		[FK_ROLE_STORAGE] = "storage",
		[FK_ROLE_MODULE] = "module",
		[FK_ROLE_RAM] = "ram",
	};
	return (unsigned)role < sizeof(names) / sizeof(names[0]) ? names[role] :
								   "?";
}

const char *fk_layout_kind_name(enum fk_layout_mem_kind kind)
{
	switch (kind) {
	case FK_MEM_FLASH:
		return "flash";
	case FK_MEM_RAM:
		return "ram";
	case FK_MEM_EXTERNAL:
		return "external";
	}
	return "?";
}

const char *fk_layout_strategy_name(enum fk_layout_strategy strategy)
{
	switch (strategy) {
	case FK_STRATEGY_OVERWRITE:
		return "overwrite";
	case FK_STRATEGY_SWAP:
		return "swap";
	case FK_STRATEGY_XIP:
		return "xip";
	case FK_STRATEGY_RAM_LOAD:
		return "ram-load";
	case FK_STRATEGY_NONE:
		return "none";
	}
	return "?";
}

const char *fk_layout_protect_name(enum fk_layout_protect protect)
{
	switch (protect) {
	case FK_PROTECT_NONE:
		return "none";
	case FK_PROTECT_WRITE:
		return "write";
	case FK_PROTECT_SECURE:
		return "secure";
	}
	return "?";
}
