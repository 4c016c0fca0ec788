/*
 * The memories of a layout file: their kind, base and size, the sector
 * map ("4x16K 1x64K 7x128K", or a list of such items) with its write
 * unit and erased value, the datasheet timings, and the partitions on
 * each memory, placed in file order (explicit address or offset, else
 * after the previous one with an alignment).
 */
#include <string.h>

#include "layout/import.h"
#include "layout_load.h"

static bool is_sep(char c)
{
	return c == ' ' || c == ',' || c == '+' || c == '\t';
}

/* Parses one "COUNTxSIZE" or "SIZE" item. */
static int parse_run(const char *item, struct fk_sector_run *run,
		     const char **why)
{
	const char *x = NULL;
	char count_text[32];

	if (!(item[0] == '0' && (item[1] == 'x' || item[1] == 'X'))) {
		const char *c = item;

		while (*c >= '0' && *c <= '9')
			c++;
		if (c != item && (*c == 'x' || *c == 'X' || *c == '*'))
			x = c;
	}
	if (!x) {
		run->count = 1;
		return fk_layout_parse_u32(item, &run->size, why);
	}
	if ((size_t)(x - item) >= sizeof(count_text)) {
		*why = "has a sector count that is too long";
		return -1;
	}
	memcpy(count_text, item, x - item);
	count_text[x - item] = 0;
	if (fk_layout_parse_u32(count_text, &run->count, why))
		return -1;
	return fk_layout_parse_u32(x + 1, &run->size, why);
}

/* Appends the runs of one text to mem->runs. */
static void parse_sector_text(struct loader *ld, struct fk_layout_memory *mem,
			      const struct fk_ynode *n)
{
	const char *text = fk_yaml_text(n);
	char item[96];
	size_t i = 0, len = strlen(text);

	while (i < len) {
		size_t start, n_item = 0;
		struct fk_sector_run run = { 0, 0 };
		const char *why = NULL;

		while (i < len && is_sep(text[i]))
			i++;
		if (i >= len)
			break;
		start = i;
		/* An item runs to the next separator, but "4 x 16K" keeps
		 * its spaced-out 'x'. */
		while (i < len && n_item + 1 < sizeof(item)) {
			if (is_sep(text[i])) {
				size_t j = i;

				while (j < len && text[j] == ' ')
					j++;
				if (j < len &&
				    (text[j] == 'x' || text[j] == '*') &&
				    j + 1 < len &&
				    (text[j + 1] == ' ' ||
				     (text[j + 1] >= '0' &&
				      text[j + 1] <= '9'))) {
					item[n_item++] = text[j];
					i = j + 1;
					while (i < len && text[i] == ' ')
						i++;
					continue;
				}
				if (n_item && (item[n_item - 1] == 'x' ||
					       item[n_item - 1] == '*')) {
					/* text[i] is a separator: progress */
					while (i < len && is_sep(text[i]))
						i++;
					continue;
				}
				break;
			}
			item[n_item++] = text[i++];
		}
		item[n_item] = 0;
		if (parse_run(item, &run, &why) || run.count == 0 ||
		    run.size == 0) {
			struct fk_pos p = fk_layout_pos_of(ld, n);

			if (n->plain_one_line)
				p.col += (uint32_t)start;
			fk_diag_error(&ld->d, &p,
				      "sector map of memory '%s': "
				      "'%s' %s",
				      mem->name, item,
				      why ? why : "has a zero count or size");
			mem->run_count = 0;
			return;
		}
		if (!fk_layout_grow(ld, &mem->runs, mem->run_count,
				    sizeof(*mem->runs)))
			return;
		mem->runs[mem->run_count++] = run;
	}
}

static void parse_sectors(struct loader *ld, struct fk_layout_memory *mem,
			  const struct fk_ynode *n)
{
	uint64_t total = 0;
	struct fk_pos p = fk_layout_pos_of(ld, n);

	mem->pos_sectors = p;
	if (n->type == FK_YAML_LIST) {
		for (size_t i = 0; i < n->count; i++) {
			const struct fk_ynode *item = n->kids[i];

			if (!fk_yaml_expect(&ld->y, item, FK_YAML_SCALAR,
					    "an item of a sector map"))
				return;
			parse_sector_text(ld, mem, item);
		}
	} else if (fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, "'sectors'")) {
		parse_sector_text(ld, mem, n);
	}
	if (ld->d.errors && mem->run_count == 0)
		return;
	if (mem->run_count == 0) {
		fk_diag_error(&ld->d, &p,
			      "memory '%s' has an empty sector map; "
			      "write it like '4x16K 1x64K 7x128K'",
			      mem->name);
		return;
	}
	for (uint32_t r = 0; r < mem->run_count; r++) {
		uint32_t s = mem->runs[r].size;

		if (s & (s - 1)) {
			fk_diag_error(&ld->d, &p,
				      "memory '%s': sector size %u "
				      "is not a power of two (datasheets give "
				      "sizes like 2K, 4K, 16K, 128K)",
				      mem->name, s);
			return;
		}
		total += (uint64_t)mem->runs[r].count * s;
		mem->sector_count += mem->runs[r].count;
	}
	if (total > 0xFFFFFFFFull) {
		fk_diag_error(&ld->d, &p,
			      "memory '%s': the sectors add up to "
			      "more than 4G",
			      mem->name);
		return;
	}
	mem->size = (uint32_t)total;
}

static const char *const memory_keys[] = {
	"kind",		"base", "size",	  "sectors",	"write-unit", "erased",
	"program-once", "xip",	"timing", "partitions", "retained",
};
static const char *const partition_keys[] = {
	"at", "offset", "size", "align", "role", "protect", "esp-idf",
};
static const char *const timing_keys[] = {
	"erase-us-per-kib",
	"erase-us",
	"program-us",
};
static const char *const kind_names[] = { "flash", "ram", "external" };
static const char *const role_names[] = {
	"raw",	  "bootloader", "slot",	   "boot-state", "factory",
	"config", "devinfo",	"storage", "module",	 "ram",
};
static const char *const protect_names[] = { "none", "write", "secure" };

/* `esp-idf: "app, ota_0"`: the row layout gen --esp-idf writes. */
static void parse_esp_idf(struct loader *ld, const struct fk_ynode *v,
			  struct fk_layout_partition *part, const char *what)
{
	const char *text, *why;
	struct fk_esp_kind kind;

	if (fk_yaml_get_string(&ld->y, v, "esp-idf", what, &text) <= 0)
		return;
	part->pos_esp = fk_layout_pos_of(ld, fk_yaml_get(v, "esp-idf"));
	if (fk_esp_parse_kind(text, &kind, &why)) {
		fk_diag_error(&ld->d, &part->pos_esp,
			      "'esp-idf' of %s: '%s' %s (write the ESP-IDF "
			      "type, subtype and flags columns, e.g. \"app, "
			      "ota_0\")",
			      what, text, why);
		return;
	}
	part->has_esp = true;
	part->esp_type = kind.type;
	part->esp_subtype = kind.subtype;
	part->esp_flags = kind.flags;
}

static void parse_partition(struct loader *ld, uint32_t mem_index,
			    const struct fk_ynode *k, const struct fk_ynode *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_memory *mem = &L->memories[mem_index];
	struct fk_layout_partition *part;
	struct raw_part *raw;
	char what[96];
	const char *size_text;
	int role, protect;
	uint32_t at;

	if (!fk_layout_valid_name(ld, k, "partition"))
		return;
	if (!fk_layout_grow(ld, &L->partitions, L->partition_count,
			    sizeof(*L->partitions)) ||
	    !fk_layout_grow(ld, &ld->raw, L->partition_count, sizeof(*ld->raw)))
		return;
	part = &L->partitions[L->partition_count];
	raw = &ld->raw[L->partition_count];
	part->name = fk_layout_strdup(ld, fk_yaml_text(k));
	if (!part->name)
		return;
	L->partition_count++;
	part->memory = mem_index;
	part->pos = fk_layout_pos_of(ld, k);
	part->pos_at = part->pos;
	part->pos_size = part->pos;
	part->pos_protect = part->pos;
	part->role = mem->kind == FK_MEM_RAM ? FK_ROLE_RAM : FK_ROLE_RAW;
	snprintf(what, sizeof(what), "partition '%s'", part->name);
	if (!fk_yaml_expect(&ld->y, v, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&ld->y, v, partition_keys,
			   ARRAY_SIZE(partition_keys), what);

	if (fk_yaml_get_u32(&ld->y, v, "at", what, FK_NUM_SIZE, &at,
			    &part->pos_at) > 0) {
		raw->has_at = true;
		raw->at = at;
	}
	if (fk_yaml_get_u32(&ld->y, v, "offset", what, FK_NUM_SIZE, &at,
			    &part->pos_at) > 0) {
		if (raw->has_at) {
			fk_diag_error(&ld->d, &part->pos_at,
				      "%s has both 'at' "
				      "(an address) and 'offset'; keep one",
				      what);
		}
		raw->has_at = true;
		raw->at_is_offset = true;
		raw->at = at;
	}
	size_text = fk_yaml_text(fk_yaml_get(v, "size"));
	if (size_text && !strcmp(size_text, "rest")) {
		raw->rest = true;
		part->pos_size = fk_layout_pos_of(ld, fk_yaml_get(v, "size"));
	} else {
		int got = fk_yaml_get_u32(&ld->y, v, "size", what, FK_NUM_SIZE,
					  &raw->size, &part->pos_size);

		if (got == 0)
			fk_diag_error(&ld->d, &part->pos,
				      "%s has no 'size' "
				      "(write e.g. 'size: 128K', or 'size: "
				      "rest' to fill the memory)",
				      what);
		else if (got > 0 && raw->size == 0)
			fk_diag_error(&ld->d, &part->pos_size,
				      "%s has size "
				      "0; give it at least one sector",
				      what);
	}
	if (fk_yaml_get_u32(&ld->y, v, "align", what, FK_NUM_SIZE, &raw->align,
			    NULL) > 0 &&
	    raw->align == 0) {
		struct fk_pos p = fk_layout_pos_of(ld, fk_yaml_get(v, "align"));

		fk_diag_error(&ld->d, &p, "'align' of %s must be at least 1",
			      what);
	}
	if (fk_yaml_get_enum(&ld->y, v, "role", what, role_names,
			     ARRAY_SIZE(role_names), &role) > 0)
		part->role = (enum fk_layout_role)role;
	if (fk_yaml_get(v, "protect"))
		part->pos_protect =
			fk_layout_pos_of(ld, fk_yaml_get(v, "protect"));
	if (fk_yaml_get_enum(&ld->y, v, "protect", what, protect_names,
			     ARRAY_SIZE(protect_names), &protect) > 0)
		part->protect = (enum fk_layout_protect)protect;
	parse_esp_idf(ld, v, part, what);
}

/* Places the partitions of one memory in file order. */
static void place_partitions(struct loader *ld, uint32_t mem_index,
			     uint32_t first, uint32_t end)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_memory *mem = &L->memories[mem_index];
	uint64_t cursor = 0;

	for (uint32_t i = first; i < end; i++) {
		struct fk_layout_partition *p = &L->partitions[i];
		struct raw_part *raw = &ld->raw[i];
		uint64_t off = cursor;

		if (raw->has_at && !raw->at_is_offset && mem->mapped) {
			if (raw->at < mem->base) {
				fk_diag_error(
					&ld->d, &p->pos_at,
					"partition "
					"'%s' at 0x%08X is outside memory "
					"'%s' (0x%08X..0x%08llX); use an "
					"address inside it",
					p->name, raw->at, mem->name, mem->base,
					(unsigned long long)mem->base +
						mem->size);
				raw->size = 0;
				continue;
			}
			off = raw->at - mem->base;
		} else if (raw->has_at) {
			off = raw->at;
		} else if (raw->align > 1) {
			off = (cursor + raw->align - 1) / raw->align *
			      raw->align;
		}
		if (raw->rest) {
			if (off >= mem->size) {
				fk_diag_error(
					&ld->d, &p->pos_size,
					"partition "
					"'%s' has 'size: rest' but starts "
					"at the end of memory '%s'; there "
					"is no room left",
					p->name, mem->name);
				continue;
			}
			raw->size = (uint32_t)(mem->size - off);
		}
		if (off > 0xFFFFFFFFull || off + raw->size > 0x100000000ull ||
		    (uint64_t)mem->base + off + raw->size > 0x100000000ull) {
			fk_diag_error(&ld->d, &p->pos,
				      "partition '%s' ends "
				      "past the 32-bit address space",
				      p->name);
			continue;
		}
		p->offset = (uint32_t)off;
		p->address = mem->mapped ? mem->base + p->offset : p->offset;
		p->size = raw->size;
		cursor = off + raw->size;
	}
}

static void parse_timing(struct loader *ld, struct fk_layout_memory *mem,
			 const struct fk_ynode *n)
{
	char what[96];

	snprintf(what, sizeof(what), "the timing of memory '%s'", mem->name);
	if (!fk_yaml_expect(&ld->y, n, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&ld->y, n, timing_keys, ARRAY_SIZE(timing_keys),
			   what);
	fk_yaml_get_u32(&ld->y, n, "erase-us-per-kib", what, FK_NUM_SIZE,
			&mem->timing.erase_us_per_kib, NULL);
	fk_yaml_get_u32(&ld->y, n, "erase-us", what, FK_NUM_SIZE,
			&mem->timing.erase_us, NULL);
	fk_yaml_get_u32(&ld->y, n, "program-us", what, FK_NUM_SIZE,
			&mem->timing.program_us, NULL);
}

/* Keys that make no sense on RAM. */
static void refuse_flash_keys_on_ram(struct loader *ld,
				     const struct fk_ynode *v, const char *name)
{
	static const char *const flash_only[] = {
		"sectors",	"write-unit", "erased",
		"program-once", "timing",     "xip",
	};

	for (size_t i = 0; i < ARRAY_SIZE(flash_only); i++) {
		const struct fk_ynode *n = fk_yaml_get(v, flash_only[i]);

		if (n) {
			struct fk_pos p = fk_layout_pos_of(ld, n);

			fk_diag_error(&ld->d, &p,
				      "memory '%s' is RAM: it has "
				      "no '%s'; remove it (or make the memory "
				      "'kind: flash')",
				      name, flash_only[i]);
		}
	}
}

static void parse_flash_fields(struct loader *ld, struct fk_layout_memory *mem,
			       const struct fk_ynode *v, const char *what)
{
	const struct fk_ynode *sectors = fk_yaml_get(v, "sectors");
	uint32_t size = 0, erased = 0xFF;
	struct fk_pos size_pos, p = mem->pos;
	int has_size = fk_yaml_get_u32(&ld->y, v, "size", what, FK_NUM_SIZE,
				       &size, &size_pos);

	if (!sectors) {
		fk_diag_error(&ld->d, &mem->pos,
			      "%s has no 'sectors': give "
			      "its erase-sector map from the datasheet, like "
			      "'sectors: 4x16K 1x64K 7x128K' or 'sectors: "
			      "256x4K'",
			      what);
		return;
	}
	parse_sectors(ld, mem, sectors);
	if (has_size > 0 && mem->run_count && size != mem->size) {
		char a[32], b[32];

		fk_diag_error(&ld->d, &size_pos,
			      "%s: 'size' is %s but its "
			      "sectors add up to %s; fix one of them",
			      what, fk_layout_fmt_size(a, sizeof(a), size),
			      fk_layout_fmt_size(b, sizeof(b), mem->size));
	}
	switch (fk_yaml_get_u32(&ld->y, v, "write-unit", what, FK_NUM_SIZE,
				&mem->write_unit, &p)) {
	case 0:
		fk_diag_error(&ld->d, &mem->pos,
			      "%s has no 'write-unit' (the "
			      "smallest program size in bytes: 4 on STM32F4, "
			      "8 on STM32L4, 32 on STM32H7, 1 on SPI NOR)",
			      what);
		break;
	case 1:
		if (mem->write_unit == 0 || mem->write_unit > 256 ||
		    (mem->write_unit & (mem->write_unit - 1)))
			fk_diag_error(&ld->d, &p,
				      "%s: write-unit %u must be "
				      "a power of two from 1 to 256",
				      what, mem->write_unit);
		else
			for (uint32_t r = 0; r < mem->run_count; r++)
				if (mem->runs[r].size % mem->write_unit) {
					fk_diag_error(&ld->d, &p,
						      "%s: "
						      "write-unit %u does not "
						      "divide the %u-byte "
						      "sectors",
						      what, mem->write_unit,
						      mem->runs[r].size);
					break;
				}
		break;
	default:
		break;
	}
	if (fk_yaml_get_u32(&ld->y, v, "erased", what, FK_NUM_SIZE, &erased,
			    &p) > 0 &&
	    erased != 0xFF && erased != 0x00)
		fk_diag_error(&ld->d, &p,
			      "%s: erased value 0x%X must be 0xFF "
			      "(NOR flash) or 0x00",
			      what, erased);
	mem->erased_value = (uint8_t)erased;
	fk_yaml_get_bool(&ld->y, v, "program-once", what, &mem->program_once);
	mem->xip = mem->kind == FK_MEM_FLASH ||
		   (mem->kind == FK_MEM_EXTERNAL && mem->mapped);
	fk_yaml_get_bool(&ld->y, v, "xip", what, &mem->xip);
	if (mem->xip && !mem->mapped) {
		p = fk_layout_pos_of(ld, fk_yaml_get(v, "xip"));
		fk_diag_error(&ld->d, &p,
			      "%s is not memory-mapped (no "
			      "'base'), so code cannot execute from it; give "
			      "its mapped 'base' or set 'xip: false'",
			      what);
	}
	if (fk_yaml_get(v, "timing"))
		parse_timing(ld, mem, fk_yaml_get(v, "timing"));
}

void fk_layout_parse_memory(struct loader *ld, const struct fk_ynode *k,
			    const struct fk_ynode *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_memory *mem;
	const struct fk_ynode *parts;
	char what[96];
	int kind;
	uint32_t first_part = L->partition_count;
	uint32_t index = L->memory_count;

	if (!fk_layout_valid_name(ld, k, "memory"))
		return;
	if (!fk_layout_grow(ld, &L->memories, L->memory_count,
			    sizeof(*L->memories)))
		return;
	mem = &L->memories[L->memory_count];
	mem->name = fk_layout_strdup(ld, fk_yaml_text(k));
	if (!mem->name)
		return;
	L->memory_count++;
	mem->pos = fk_layout_pos_of(ld, k);
	mem->pos_sectors = mem->pos;
	snprintf(what, sizeof(what), "memory '%s'", mem->name);
	if (!fk_yaml_expect(&ld->y, v, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&ld->y, v, memory_keys, ARRAY_SIZE(memory_keys),
			   what);
	switch (fk_yaml_get_enum(&ld->y, v, "kind", what, kind_names,
				 ARRAY_SIZE(kind_names), &kind)) {
	case 0:
		fk_diag_error(&ld->d, &mem->pos,
			      "%s has no 'kind' (flash, "
			      "ram or external)",
			      what);
		return;
	case -1:
		return;
	default:
		mem->kind = (enum fk_layout_mem_kind)kind;
	}
	switch (fk_yaml_get_u32(&ld->y, v, "base", what, FK_NUM_SIZE,
				&mem->base, NULL)) {
	case 1:
		mem->mapped = true;
		break;
	case 0:
		if (mem->kind != FK_MEM_EXTERNAL)
			fk_diag_error(&ld->d, &mem->pos,
				      "%s has no 'base' "
				      "(its first bus address, like "
				      "0x08000000)",
				      what);
		break;
	default:
		break;
	}
	fk_yaml_get_bool(&ld->y, v, "retained", what, &mem->retained);
	if (mem->retained && mem->kind != FK_MEM_RAM) {
		struct fk_pos p =
			fk_layout_pos_of(ld, fk_yaml_get(v, "retained"));

		fk_diag_error(&ld->d, &p,
			      "%s: 'retained' is for RAM that keeps its "
			      "content over a reset (battery-backed SRAM); "
			      "flash keeps it anyway",
			      what);
	}
	if (mem->kind == FK_MEM_RAM) {
		refuse_flash_keys_on_ram(ld, v, mem->name);
		switch (fk_yaml_get_u32(&ld->y, v, "size", what, FK_NUM_SIZE,
					&mem->size, &mem->pos_sectors)) {
		case 0:
			fk_diag_error(&ld->d, &mem->pos, "%s has no 'size'",
				      what);
			break;
		case 1:
			if (mem->size == 0)
				fk_diag_error(&ld->d, &mem->pos_sectors,
					      "%s has "
					      "size 0",
					      what);
			break;
		default:
			break;
		}
	} else {
		parse_flash_fields(ld, mem, v, what);
	}
	if (mem->mapped && (uint64_t)mem->base + mem->size > 0x100000000ull)
		fk_diag_error(&ld->d, &mem->pos,
			      "%s ends past the 32-bit "
			      "address space",
			      what);

	parts = fk_yaml_get(v, "partitions");
	if (!parts)
		return;
	snprintf(what, sizeof(what), "'partitions' of memory '%s'", mem->name);
	if (!fk_yaml_expect(&ld->y, parts, FK_YAML_MAP, what))
		return;
	for (size_t i = 0; i < parts->count; i++)
		parse_partition(ld, index, fk_yaml_key(parts, i),
				fk_yaml_value(parts, i));
	place_partitions(ld, index, first_part, L->partition_count);
}
