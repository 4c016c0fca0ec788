/*
 * Layout file -> model. libyaml reads the text into a node tree that
 * keeps the line and column of every node; this file walks that tree
 * against the schema (docs/layout.md), reports every unknown key, wrong
 * type and unparsable value at its position, places the partitions
 * (explicit address, or after the previous one with an alignment),
 * resolves names into indices, and then hands the model to the checks
 * (layout_check.c).
 *
 * It keeps going after an error, so one run shows every problem the
 * parser can see; the hardware checks only run on a model without
 * parse errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "layout_internal.h"

struct raw_part {
	bool has_at, at_is_offset, rest;
	uint32_t at, size, align;
};

struct loader {
	struct fk_diag d;
	struct fk_layout *L;
	yaml_document_t doc;
	struct raw_part *raw; /* parallel to L->partitions while loading */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static yaml_node_t *node_at(struct loader *ld, int index)
{
	return yaml_document_get_node(&ld->doc, index);
}

static struct fk_pos pos_of(struct loader *ld, const yaml_node_t *n)
{
	struct fk_pos p = { ld->L->path, 0, 0 };

	if (n) {
		p.line = (uint32_t)n->start_mark.line + 1;
		p.col = (uint32_t)n->start_mark.column + 1;
	}
	return p;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: return n->data.scalar.length ? "a value"
							    : "empty";
	default: return "nothing";
	}
}

/* Keys compare with '_' and '-' as the same letter. */
static bool key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '_' ? '-' : *a, cb = *b == '_' ? '-' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

static bool expect_type(struct loader *ld, yaml_node_t *n,
			yaml_node_type_t type, const char *what)
{
	struct fk_pos p;
	static const char *const want[] = {
		[YAML_SCALAR_NODE] = "a single value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping of 'key: value' lines",
	};

	if (n->type == type && !(type == YAML_SCALAR_NODE &&
				 n->data.scalar.length == 0))
		return true;
	p = pos_of(ld, n);
	fk_diag_error(&ld->d, &p, "%s must be %s, not %s", what, want[type],
		      type_name(n));
	return false;
}

/*
 * Reports unknown and repeated keys of a mapping. known lists the keys
 * the schema allows here; what names the mapping in messages.
 */
static void check_keys(struct loader *ld, yaml_node_t *map,
		       const char *const *known, size_t count, const char *what)
{
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_at(ld, pair->key);
		const char *key = scalar(k);
		struct fk_pos p = pos_of(ld, k);
		bool found = false;

		if (!key) {
			fk_diag_error(&ld->d, &p, "keys of %s must be plain "
				      "words, not %s", what, type_name(k));
			continue;
		}
		for (size_t i = 0; i < count; i++)
			found |= key_eq(key, known[i]);
		if (!found) {
			const char *hint = fk_layout_suggest(key, known, count);

			if (hint)
				fk_diag_error(&ld->d, &p, "unknown key '%s' in "
					      "%s; did you mean '%s'?", key,
					      what, hint);
			else
				fk_diag_error(&ld->d, &p, "unknown key '%s' in "
					      "%s (see docs/layout.md for the "
					      "keys allowed here)", key, what);
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start;
		     q < pair; q++) {
			const char *other = scalar(node_at(ld, q->key));

			if (other && key_eq(other, key)) {
				struct fk_pos first =
					pos_of(ld, node_at(ld, q->key));

				fk_diag_error(&ld->d, &p, "'%s' is given twice "
					      "in %s (first at line %u); keep "
					      "one", key, what, first.line);
				break;
			}
		}
	}
}

/* The value node of key in a mapping, or NULL. */
static yaml_node_t *get(struct loader *ld, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		const char *k = scalar(node_at(ld, pair->key));

		if (k && key_eq(k, key))
			return node_at(ld, pair->value);
	}
	return NULL;
}

/* 1 found and valid, 0 absent, -1 error reported. */
static int get_u32(struct loader *ld, yaml_node_t *map, const char *key,
		   const char *what, uint32_t *out, struct fk_pos *pos)
{
	yaml_node_t *n = get(ld, map, key);
	const char *why;
	char label[160];

	if (!n)
		return 0;
	if (pos)
		*pos = pos_of(ld, n);
	snprintf(label, sizeof(label), "'%s' of %s", key, what);
	if (!expect_type(ld, n, YAML_SCALAR_NODE, label))
		return -1;
	if (fk_layout_parse_u32(scalar(n), out, &why)) {
		struct fk_pos p = pos_of(ld, n);

		fk_diag_error(&ld->d, &p, "%s: '%s' %s", label, scalar(n), why);
		return -1;
	}
	return 1;
}

static int get_bool(struct loader *ld, yaml_node_t *map, const char *key,
		    const char *what, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	yaml_node_t *n = get(ld, map, key);
	char label[160];
	struct fk_pos p;

	if (!n)
		return 0;
	snprintf(label, sizeof(label), "'%s' of %s", key, what);
	if (!expect_type(ld, n, YAML_SCALAR_NODE, label))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(scalar(n), yes[i])) {
			*out = true;
			return 1;
		}
		if (!strcmp(scalar(n), no[i])) {
			*out = false;
			return 1;
		}
	}
	p = pos_of(ld, n);
	fk_diag_error(&ld->d, &p, "%s must be true or false, not '%s'", label,
		      scalar(n));
	return -1;
}

/* An enum value given by name; the index into names. */
static int get_enum(struct loader *ld, yaml_node_t *map, const char *key,
		    const char *what, const char *const *names, size_t count,
		    int *out)
{
	yaml_node_t *n = get(ld, map, key);
	char label[160], list[256];
	const char *hint;
	struct fk_pos p;
	size_t used = 0;

	if (!n)
		return 0;
	snprintf(label, sizeof(label), "'%s' of %s", key, what);
	if (!expect_type(ld, n, YAML_SCALAR_NODE, label))
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (key_eq(scalar(n), names[i])) {
			*out = (int)i;
			return 1;
		}
	}
	list[0] = 0;
	for (size_t i = 0; i < count; i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", names[i]);
	p = pos_of(ld, n);
	hint = fk_layout_suggest(scalar(n), names, count);
	if (hint)
		fk_diag_error(&ld->d, &p, "%s: unknown value '%s'; did you "
			      "mean '%s'? (one of: %s)", label, scalar(n),
			      hint, list);
	else
		fk_diag_error(&ld->d, &p, "%s: unknown value '%s' (one of: %s)",
			      label, scalar(n), list);
	return -1;
}

/* Names become C macros and linker symbols: keep them identifiers. */
static bool valid_name(struct loader *ld, yaml_node_t *k, const char *what)
{
	const char *s = scalar(k);
	struct fk_pos p = pos_of(ld, k);

	if (s && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))
	    && strlen(s) <= 48) {
		const char *c = s;

		while (*c && (*c == '_' || *c == '-' ||
			      (*c >= '0' && *c <= '9') ||
			      (*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z')))
			c++;
		if (!*c)
			return true;
	}
	fk_diag_error(&ld->d, &p, "%s name '%s' must start with a letter and "
		      "hold only letters, digits, '-' and '_' (at most 48): it "
		      "becomes a C macro and a linker symbol", what,
		      s ? s : "");
	return false;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("flashkit: out of memory\n", stderr);
		abort();
	}
	return d;
}

static void *grow(void *arr, uint32_t count, size_t elem)
{
	void *n = realloc(arr, (count + 1) * elem);

	if (!n) {
		fputs("flashkit: out of memory\n", stderr);
		abort();
	}
	memset((char *)n + count * elem, 0, elem);
	return n;
}

/* ---- sector maps: "4x16K 1x64K 7x128K", or a list of such items ---- */

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
			      yaml_node_t *n)
{
	const char *text = scalar(n);
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
				if (j < len && (text[j] == 'x' || text[j] == '*') &&
				    j + 1 < len && (text[j + 1] == ' ' ||
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
			struct fk_pos p = pos_of(ld, n);

			if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			    n->start_mark.line == n->end_mark.line)
				p.col += (uint32_t)start;
			fk_diag_error(&ld->d, &p, "sector map of memory '%s': "
				      "'%s' %s", mem->name, item,
				      why ? why : "has a zero count or size");
			mem->run_count = 0;
			return;
		}
		mem->runs = grow(mem->runs, mem->run_count, sizeof(*mem->runs));
		mem->runs[mem->run_count++] = run;
	}
}

static void parse_sectors(struct loader *ld, struct fk_layout_memory *mem,
			  yaml_node_t *n)
{
	uint64_t total = 0;
	struct fk_pos p = pos_of(ld, n);

	mem->pos_sectors = p;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			yaml_node_t *item = node_at(ld, *it);

			if (!expect_type(ld, item, YAML_SCALAR_NODE,
					 "an item of a sector map"))
				return;
			parse_sector_text(ld, mem, item);
		}
	} else if (expect_type(ld, n, YAML_SCALAR_NODE, "'sectors'")) {
		parse_sector_text(ld, mem, n);
	}
	if (ld->d.errors && mem->run_count == 0)
		return;
	if (mem->run_count == 0) {
		fk_diag_error(&ld->d, &p, "memory '%s' has an empty sector map; "
			      "write it like '4x16K 1x64K 7x128K'", mem->name);
		return;
	}
	for (uint32_t r = 0; r < mem->run_count; r++) {
		uint32_t s = mem->runs[r].size;

		if (s & (s - 1)) {
			fk_diag_error(&ld->d, &p, "memory '%s': sector size %u "
				      "is not a power of two (datasheets give "
				      "sizes like 2K, 4K, 16K, 128K)",
				      mem->name, s);
			return;
		}
		total += (uint64_t)mem->runs[r].count * s;
		mem->sector_count += mem->runs[r].count;
	}
	if (total > 0xFFFFFFFFull) {
		fk_diag_error(&ld->d, &p, "memory '%s': the sectors add up to "
			      "more than 4G", mem->name);
		return;
	}
	mem->size = (uint32_t)total;
}

/* ---- memories and their partitions ---- */

static const char *const memory_keys[] = {
	"kind", "base", "size", "sectors", "write-unit", "erased",
	"program-once", "xip", "timing", "partitions",
};
static const char *const partition_keys[] = {
	"at", "offset", "size", "align", "role", "protect",
};
static const char *const timing_keys[] = {
	"erase-us-per-kib", "erase-us", "program-us",
};
static const char *const kind_names[] = { "flash", "ram", "external" };
static const char *const role_names[] = {
	"raw", "bootloader", "slot", "boot-state", "factory", "config",
	"devinfo", "storage", "module", "ram",
};
static const char *const protect_names[] = { "none", "write", "secure" };

static void parse_partition(struct loader *ld, uint32_t mem_index,
			    yaml_node_t *k, yaml_node_t *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_memory *mem = &L->memories[mem_index];
	struct fk_layout_partition *part;
	struct raw_part *raw;
	char what[96];
	const char *size_text;
	int role, protect;
	uint32_t at;

	if (!valid_name(ld, k, "partition"))
		return;
	L->partitions = grow(L->partitions, L->partition_count,
			     sizeof(*L->partitions));
	ld->raw = grow(ld->raw, L->partition_count, sizeof(*ld->raw));
	part = &L->partitions[L->partition_count];
	raw = &ld->raw[L->partition_count];
	L->partition_count++;
	part->name = xstrdup(scalar(k));
	part->memory = mem_index;
	part->pos = pos_of(ld, k);
	part->pos_at = part->pos;
	part->pos_size = part->pos;
	part->pos_protect = part->pos;
	part->role = mem->kind == FK_MEM_RAM ? FK_ROLE_RAM : FK_ROLE_RAW;
	snprintf(what, sizeof(what), "partition '%s'", part->name);
	if (!expect_type(ld, v, YAML_MAPPING_NODE, what))
		return;
	check_keys(ld, v, partition_keys, ARRAY_SIZE(partition_keys), what);

	if (get_u32(ld, v, "at", what, &at, &part->pos_at) > 0) {
		raw->has_at = true;
		raw->at = at;
	}
	if (get_u32(ld, v, "offset", what, &at, &part->pos_at) > 0) {
		if (raw->has_at) {
			fk_diag_error(&ld->d, &part->pos_at, "%s has both 'at' "
				      "(an address) and 'offset'; keep one",
				      what);
		}
		raw->has_at = true;
		raw->at_is_offset = true;
		raw->at = at;
	}
	size_text = scalar(get(ld, v, "size"));
	if (size_text && !strcmp(size_text, "rest")) {
		raw->rest = true;
		part->pos_size = pos_of(ld, get(ld, v, "size"));
	} else {
		int got = get_u32(ld, v, "size", what, &raw->size,
				  &part->pos_size);

		if (got == 0)
			fk_diag_error(&ld->d, &part->pos, "%s has no 'size' "
				      "(write e.g. 'size: 128K', or 'size: "
				      "rest' to fill the memory)", what);
		else if (got > 0 && raw->size == 0)
			fk_diag_error(&ld->d, &part->pos_size, "%s has size "
				      "0; give it at least one sector", what);
	}
	if (get_u32(ld, v, "align", what, &raw->align, NULL) > 0 &&
	    raw->align == 0) {
		struct fk_pos p = pos_of(ld, get(ld, v, "align"));

		fk_diag_error(&ld->d, &p, "'align' of %s must be at least 1",
			      what);
	}
	if (get_enum(ld, v, "role", what, role_names, ARRAY_SIZE(role_names),
		     &role) > 0)
		part->role = (enum fk_layout_role)role;
	if (get(ld, v, "protect"))
		part->pos_protect = pos_of(ld, get(ld, v, "protect"));
	if (get_enum(ld, v, "protect", what, protect_names,
		     ARRAY_SIZE(protect_names), &protect) > 0)
		part->protect = (enum fk_layout_protect)protect;
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
				fk_diag_error(&ld->d, &p->pos_at, "partition "
					      "'%s' at 0x%08X is outside memory "
					      "'%s' (0x%08X..0x%08llX); use an "
					      "address inside it", p->name,
					      raw->at, mem->name, mem->base,
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
				fk_diag_error(&ld->d, &p->pos_size, "partition "
					      "'%s' has 'size: rest' but starts "
					      "at the end of memory '%s'; there "
					      "is no room left", p->name,
					      mem->name);
				continue;
			}
			raw->size = (uint32_t)(mem->size - off);
		}
		if (off > 0xFFFFFFFFull || off + raw->size > 0x100000000ull ||
		    (uint64_t)mem->base + off + raw->size > 0x100000000ull) {
			fk_diag_error(&ld->d, &p->pos, "partition '%s' ends "
				      "past the 32-bit address space", p->name);
			continue;
		}
		p->offset = (uint32_t)off;
		p->address = mem->mapped ? mem->base + p->offset : p->offset;
		p->size = raw->size;
		cursor = off + raw->size;
	}
}

static void parse_timing(struct loader *ld, struct fk_layout_memory *mem,
			 yaml_node_t *n)
{
	char what[96];

	snprintf(what, sizeof(what), "the timing of memory '%s'", mem->name);
	if (!expect_type(ld, n, YAML_MAPPING_NODE, what))
		return;
	check_keys(ld, n, timing_keys, ARRAY_SIZE(timing_keys), what);
	get_u32(ld, n, "erase-us-per-kib", what, &mem->timing.erase_us_per_kib,
		NULL);
	get_u32(ld, n, "erase-us", what, &mem->timing.erase_us, NULL);
	get_u32(ld, n, "program-us", what, &mem->timing.program_us, NULL);
}

/* Keys that make no sense on RAM. */
static void refuse_flash_keys_on_ram(struct loader *ld, yaml_node_t *v,
				     const char *name)
{
	static const char *const flash_only[] = {
		"sectors", "write-unit", "erased", "program-once", "timing",
		"xip",
	};

	for (size_t i = 0; i < ARRAY_SIZE(flash_only); i++) {
		yaml_node_t *n = get(ld, v, flash_only[i]);

		if (n) {
			struct fk_pos p = pos_of(ld, n);

			fk_diag_error(&ld->d, &p, "memory '%s' is RAM: it has "
				      "no '%s'; remove it (or make the memory "
				      "'kind: flash')", name, flash_only[i]);
		}
	}
}

static void parse_flash_fields(struct loader *ld, struct fk_layout_memory *mem,
			       yaml_node_t *v, const char *what)
{
	yaml_node_t *sectors = get(ld, v, "sectors");
	uint32_t size = 0, erased = 0xFF;
	struct fk_pos size_pos, p = mem->pos;
	int has_size = get_u32(ld, v, "size", what, &size, &size_pos);

	if (!sectors) {
		fk_diag_error(&ld->d, &mem->pos, "%s has no 'sectors': give "
			      "its erase-sector map from the datasheet, like "
			      "'sectors: 4x16K 1x64K 7x128K' or 'sectors: "
			      "256x4K'", what);
		return;
	}
	parse_sectors(ld, mem, sectors);
	if (has_size > 0 && mem->run_count && size != mem->size) {
		char a[32], b[32];

		fk_diag_error(&ld->d, &size_pos, "%s: 'size' is %s but its "
			      "sectors add up to %s; fix one of them", what,
			      fk_layout_fmt_size(a, sizeof(a), size),
			      fk_layout_fmt_size(b, sizeof(b), mem->size));
	}
	switch (get_u32(ld, v, "write-unit", what, &mem->write_unit, &p)) {
	case 0:
		fk_diag_error(&ld->d, &mem->pos, "%s has no 'write-unit' (the "
			      "smallest program size in bytes: 4 on STM32F4, "
			      "8 on STM32L4, 32 on STM32H7, 1 on SPI NOR)",
			      what);
		break;
	case 1:
		if (mem->write_unit == 0 || mem->write_unit > 256 ||
		    (mem->write_unit & (mem->write_unit - 1)))
			fk_diag_error(&ld->d, &p, "%s: write-unit %u must be "
				      "a power of two from 1 to 256", what,
				      mem->write_unit);
		else
			for (uint32_t r = 0; r < mem->run_count; r++)
				if (mem->runs[r].size % mem->write_unit) {
					fk_diag_error(&ld->d, &p, "%s: "
						      "write-unit %u does not "
						      "divide the %u-byte "
						      "sectors", what,
						      mem->write_unit,
						      mem->runs[r].size);
					break;
				}
		break;
	default:
		break;
	}
	if (get_u32(ld, v, "erased", what, &erased, &p) > 0 &&
	    erased != 0xFF && erased != 0x00)
		fk_diag_error(&ld->d, &p, "%s: erased value 0x%X must be 0xFF "
			      "(NOR flash) or 0x00", what, erased);
	mem->erased_value = (uint8_t)erased;
	get_bool(ld, v, "program-once", what, &mem->program_once);
	mem->xip = mem->kind == FK_MEM_FLASH ||
		   (mem->kind == FK_MEM_EXTERNAL && mem->mapped);
	get_bool(ld, v, "xip", what, &mem->xip);
	if (mem->xip && !mem->mapped) {
		p = pos_of(ld, get(ld, v, "xip"));
		fk_diag_error(&ld->d, &p, "%s is not memory-mapped (no "
			      "'base'), so code cannot execute from it; give "
			      "its mapped 'base' or set 'xip: false'", what);
	}
	if (get(ld, v, "timing"))
		parse_timing(ld, mem, get(ld, v, "timing"));
}

static void parse_memory(struct loader *ld, yaml_node_t *k, yaml_node_t *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_memory *mem;
	yaml_node_t *parts;
	char what[96];
	int kind;
	uint32_t first_part = L->partition_count;
	uint32_t index = L->memory_count;

	if (!valid_name(ld, k, "memory"))
		return;
	L->memories = grow(L->memories, L->memory_count, sizeof(*L->memories));
	mem = &L->memories[L->memory_count++];
	mem->name = xstrdup(scalar(k));
	mem->pos = pos_of(ld, k);
	mem->pos_sectors = mem->pos;
	snprintf(what, sizeof(what), "memory '%s'", mem->name);
	if (!expect_type(ld, v, YAML_MAPPING_NODE, what))
		return;
	check_keys(ld, v, memory_keys, ARRAY_SIZE(memory_keys), what);
	switch (get_enum(ld, v, "kind", what, kind_names,
			 ARRAY_SIZE(kind_names), &kind)) {
	case 0:
		fk_diag_error(&ld->d, &mem->pos, "%s has no 'kind' (flash, "
			      "ram or external)", what);
		return;
	case -1:
		return;
	default:
		mem->kind = (enum fk_layout_mem_kind)kind;
	}
	switch (get_u32(ld, v, "base", what, &mem->base, NULL)) {
	case 1:
		mem->mapped = true;
		break;
	case 0:
		if (mem->kind != FK_MEM_EXTERNAL)
			fk_diag_error(&ld->d, &mem->pos, "%s has no 'base' "
				      "(its first bus address, like "
				      "0x08000000)", what);
		break;
	default:
		break;
	}
	if (mem->kind == FK_MEM_RAM) {
		refuse_flash_keys_on_ram(ld, v, mem->name);
		switch (get_u32(ld, v, "size", what, &mem->size,
				&mem->pos_sectors)) {
		case 0:
			fk_diag_error(&ld->d, &mem->pos, "%s has no 'size'",
				      what);
			break;
		case 1:
			if (mem->size == 0)
				fk_diag_error(&ld->d, &mem->pos_sectors, "%s has "
					      "size 0", what);
			break;
		default:
			break;
		}
	} else {
		parse_flash_fields(ld, mem, v, what);
	}
	if (mem->mapped && (uint64_t)mem->base + mem->size > 0x100000000ull)
		fk_diag_error(&ld->d, &mem->pos, "%s ends past the 32-bit "
			      "address space", what);

	parts = get(ld, v, "partitions");
	if (!parts)
		return;
	snprintf(what, sizeof(what), "'partitions' of memory '%s'", mem->name);
	if (!expect_type(ld, parts, YAML_MAPPING_NODE, what))
		return;
	for (yaml_node_pair_t *pair = parts->data.mapping.pairs.start;
	     pair < parts->data.mapping.pairs.top; pair++)
		parse_partition(ld, index, node_at(ld, pair->key),
				node_at(ld, pair->value));
	place_partitions(ld, index, first_part, L->partition_count);
}

/* ---- name references ---- */

/* Resolves a partition name, with "did you mean" over every partition. */
static int find_part(struct loader *ld, yaml_node_t *n, const char *what)
{
	struct fk_layout *L = ld->L;
	struct fk_pos p = pos_of(ld, n);
	const char **names;
	const char *hint;

	if (!expect_type(ld, n, YAML_SCALAR_NODE, what))
		return -1;
	for (uint32_t i = 0; i < L->partition_count; i++)
		if (!strcmp(L->partitions[i].name, scalar(n)))
			return (int)i;
	names = calloc(L->partition_count + 1, sizeof(*names));
	if (!names)
		abort();
	for (uint32_t i = 0; i < L->partition_count; i++)
		names[i] = L->partitions[i].name;
	hint = fk_layout_suggest(scalar(n), names, L->partition_count);
	if (hint)
		fk_diag_error(&ld->d, &p, "%s: no partition named '%s'; did "
			      "you mean '%s'?", what, scalar(n), hint);
	else
		fk_diag_error(&ld->d, &p, "%s: no partition named '%s' (define "
			      "it under a memory's 'partitions')", what,
			      scalar(n));
	free(names);
	return -1;
}

/* Calls fn for the value, or for each item when it is a list. */
static void for_each_name(struct loader *ld, yaml_node_t *n, const char *what,
			  void (*fn)(struct loader *, yaml_node_t *, void *),
			  void *arg)
{
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++)
			fn(ld, node_at(ld, *it), arg);
	} else if (expect_type(ld, n, YAML_SCALAR_NODE, what)) {
		fn(ld, n, arg);
	}
}

static const char *const module_keys[] = { "flash", "ram" };

static void parse_module(struct loader *ld, yaml_node_t *k, yaml_node_t *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_module *m;
	char what[96];
	yaml_node_t *n;
	int idx;

	if (!valid_name(ld, k, "module"))
		return;
	snprintf(what, sizeof(what), "module '%s'", scalar(k));
	if (!expect_type(ld, v, YAML_MAPPING_NODE, what))
		return;
	check_keys(ld, v, module_keys, ARRAY_SIZE(module_keys), what);
	n = get(ld, v, "flash");
	if (!n) {
		struct fk_pos p = pos_of(ld, k);

		fk_diag_error(&ld->d, &p, "%s has no 'flash' (the partition "
			      "of role module that holds its code)", what);
		return;
	}
	idx = find_part(ld, n, what);
	if (idx < 0)
		return;
	L->modules = grow(L->modules, L->module_count, sizeof(*L->modules));
	m = &L->modules[L->module_count++];
	m->name = xstrdup(scalar(k));
	m->pos = pos_of(ld, k);
	m->flash = (uint32_t)idx;
	m->ram = -1;
	m->pos_ram = m->pos;
	n = get(ld, v, "ram");
	if (n) {
		m->pos_ram = pos_of(ld, n);
		m->ram = find_part(ld, n, what);
	}
}

struct image_ctx {
	struct fk_layout_image *img;
	const char *what;
};

static void add_ram(struct loader *ld, yaml_node_t *n, void *arg)
{
	struct image_ctx *c = arg;
	struct fk_layout *L = ld->L;
	struct fk_layout_image *img = c->img;
	struct fk_pos p = pos_of(ld, n);
	int idx;

	if (!expect_type(ld, n, YAML_SCALAR_NODE, "a RAM name"))
		return;
	if (img->ram_count >= FK_LAYOUT_MAX_RAM) {
		fk_diag_error(&ld->d, &p, "%s: at most %d RAM regions", c->what,
			      FK_LAYOUT_MAX_RAM);
		return;
	}
	for (uint32_t i = 0; i < L->memory_count; i++) {
		const struct fk_layout_memory *mem = &L->memories[i];

		if (strcmp(mem->name, scalar(n)))
			continue;
		if (mem->kind != FK_MEM_RAM) {
			fk_diag_error(&ld->d, &p, "%s: 'ram' names memory '%s', "
				      "which is %s, not RAM", c->what,
				      mem->name, fk_layout_kind_name(mem->kind));
			return;
		}
		img->ram[img->ram_count].is_memory = true;
		img->ram[img->ram_count].index = i;
		img->ram[img->ram_count].start = mem->base;
		img->ram[img->ram_count].size = mem->size;
		img->ram_count++;
		return;
	}
	idx = find_part(ld, n, c->what);
	if (idx < 0)
		return;
	if (L->memories[L->partitions[idx].memory].kind != FK_MEM_RAM) {
		fk_diag_error(&ld->d, &p, "%s: 'ram' names partition '%s', "
			      "which is on %s memory '%s', not RAM", c->what,
			      scalar(n),
			      fk_layout_kind_name(
				      L->memories[L->partitions[idx].memory].kind),
			      L->memories[L->partitions[idx].memory].name);
		return;
	}
	img->ram[img->ram_count].is_memory = false;
	img->ram[img->ram_count].index = (uint32_t)idx;
	img->ram[img->ram_count].start = L->partitions[idx].address;
	img->ram[img->ram_count].size = L->partitions[idx].size;
	img->ram_count++;
}

static void add_module(struct loader *ld, yaml_node_t *n, void *arg)
{
	struct image_ctx *c = arg;
	struct fk_layout *L = ld->L;
	struct fk_pos p = pos_of(ld, n);
	const char **names;
	const char *hint;

	if (!expect_type(ld, n, YAML_SCALAR_NODE, "a module name"))
		return;
	for (uint32_t i = 0; i < L->module_count; i++) {
		if (strcmp(L->modules[i].name, scalar(n)))
			continue;
		if (c->img->module_count >= FK_LAYOUT_MAX_REFS) {
			fk_diag_error(&ld->d, &p, "%s: at most %d modules",
				      c->what, FK_LAYOUT_MAX_REFS);
			return;
		}
		c->img->modules[c->img->module_count++] = i;
		return;
	}
	names = calloc(L->module_count + 1, sizeof(*names));
	if (!names)
		abort();
	for (uint32_t i = 0; i < L->module_count; i++)
		names[i] = L->modules[i].name;
	hint = fk_layout_suggest(scalar(n), names, L->module_count);
	fk_diag_error(&ld->d, &p, "%s: no module named '%s'%s%s%s", c->what,
		      scalar(n), hint ? "; did you mean '" : " (define it under "
		      "'modules')", hint ? hint : "", hint ? "'?" : "");
	free(names);
}

static void add_use(struct loader *ld, yaml_node_t *n, void *arg)
{
	struct image_ctx *c = arg;
	int idx = find_part(ld, n, c->what);

	if (idx < 0)
		return;
	if (c->img->uses_count >= FK_LAYOUT_MAX_REFS) {
		struct fk_pos p = pos_of(ld, n);

		fk_diag_error(&ld->d, &p, "%s: at most %d used partitions",
			      c->what, FK_LAYOUT_MAX_REFS);
		return;
	}
	c->img->uses[c->img->uses_count++] = (uint32_t)idx;
}

static const char *const image_keys[] = {
	"primary", "secondary", "strategy", "header", "boot-state", "ram",
	"modules", "uses",
};
static const char *const strategy_names[] = { "overwrite", "swap", "xip" };

static void parse_image(struct loader *ld, yaml_node_t *k, yaml_node_t *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_image *img;
	struct image_ctx c;
	char what[96];
	yaml_node_t *n;
	int idx, strategy;

	if (!valid_name(ld, k, "image"))
		return;
	L->images = grow(L->images, L->image_count, sizeof(*L->images));
	img = &L->images[L->image_count];
	img->id = L->image_count++;
	img->name = xstrdup(scalar(k));
	img->pos = pos_of(ld, k);
	img->pos_primary = img->pos_secondary = img->pos_strategy = img->pos;
	img->pos_header = img->pos_ram = img->pos_uses = img->pos;
	img->secondary = -1;
	img->boot_state = FK_LAYOUT_BOOT_STATE_TRAILER;
	img->header_size = 0x200;
	snprintf(what, sizeof(what), "image '%s'", img->name);
	c.img = img;
	c.what = what;
	if (!expect_type(ld, v, YAML_MAPPING_NODE, what))
		return;
	check_keys(ld, v, image_keys, ARRAY_SIZE(image_keys), what);

	n = get(ld, v, "primary");
	if (!n) {
		fk_diag_error(&ld->d, &img->pos, "%s has no 'primary' (the slot "
			      "partition it runs from)", what);
	} else {
		img->pos_primary = pos_of(ld, n);
		idx = find_part(ld, n, what);
		img->primary = idx < 0 ? 0 : (uint32_t)idx;
		if (idx < 0 && L->partition_count == 0)
			return;
	}
	n = get(ld, v, "secondary");
	if (n) {
		img->pos_secondary = pos_of(ld, n);
		img->secondary = find_part(ld, n, what);
	}
	if (get(ld, v, "strategy"))
		img->pos_strategy = pos_of(ld, get(ld, v, "strategy"));
	if (get_enum(ld, v, "strategy", what, strategy_names,
		     ARRAY_SIZE(strategy_names), &strategy) == 0)
		fk_diag_error(&ld->d, &img->pos, "%s has no 'strategy' "
			      "(overwrite, swap or xip)", what);
	else
		img->strategy = (enum fk_layout_strategy)strategy;
	get_u32(ld, v, "header", what, &img->header_size, &img->pos_header);
	n = get(ld, v, "boot-state");
	if (n && !(scalar(n) && !strcmp(scalar(n), "trailer")))
		img->boot_state = find_part(ld, n, what);
	n = get(ld, v, "ram");
	if (!n) {
		fk_diag_error(&ld->d, &img->pos, "%s has no 'ram' (the RAM "
			      "partition or memory it links its data and stack "
			      "into)", what);
	} else {
		img->pos_ram = pos_of(ld, n);
		for_each_name(ld, n, "'ram'", add_ram, &c);
	}
	n = get(ld, v, "modules");
	if (n)
		for_each_name(ld, n, "'modules'", add_module, &c);
	n = get(ld, v, "uses");
	if (n)
		img->pos_uses = pos_of(ld, n);
	if (n)
		for_each_name(ld, n, "'uses'", add_use, &c);
}

/* Calls fn on each pair of the mapping under key of the root. */
static void each_entry(struct loader *ld, yaml_node_t *root, const char *key,
		       void (*fn)(struct loader *, yaml_node_t *, yaml_node_t *))
{
	yaml_node_t *map = get(ld, root, key);
	char what[64];

	if (!map)
		return;
	snprintf(what, sizeof(what), "'%s'", key);
	if (!expect_type(ld, map, YAML_MAPPING_NODE, what))
		return;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_at(ld, pair->key);

		if (!scalar(k)) {
			struct fk_pos p = pos_of(ld, k);

			fk_diag_error(&ld->d, &p, "names under %s must be plain "
				      "words", what);
			continue;
		}
		fn(ld, k, node_at(ld, pair->value));
	}
}

/* Partitions in memory order, then by offset. Indices change, so this
 * runs before any name is resolved into an index. */
static void sort_partitions(struct loader *ld)
{
	struct fk_layout *L = ld->L;

	for (uint32_t i = 1; i < L->partition_count; i++) {
		struct fk_layout_partition p = L->partitions[i];
		struct raw_part r = ld->raw[i];
		uint32_t j = i;

		while (j > 0 && (L->partitions[j - 1].memory > p.memory ||
				 (L->partitions[j - 1].memory == p.memory &&
				  L->partitions[j - 1].offset > p.offset))) {
			L->partitions[j] = L->partitions[j - 1];
			ld->raw[j] = ld->raw[j - 1];
			j--;
		}
		L->partitions[j] = p;
		ld->raw[j] = r;
	}
}

/* Sectors each partition covers (after placement). */
static void fill_sectors(struct fk_layout *L)
{
	for (uint32_t i = 0; i < L->partition_count; i++) {
		struct fk_layout_partition *p = &L->partitions[i];
		const struct fk_layout_memory *mem = &L->memories[p->memory];
		uint32_t idx, start, size, end_idx;

		if (mem->kind == FK_MEM_RAM || !mem->run_count ||
		    p->offset >= mem->size || p->size == 0)
			continue;
		fk_layout_sector_at(mem, p->offset, &idx, &start, &size);
		p->first_sector = idx;
		if ((uint64_t)p->offset + p->size >= mem->size) {
			end_idx = mem->sector_count;
		} else {
			fk_layout_sector_at(mem, p->offset + p->size - 1,
					    &end_idx, &start, &size);
			end_idx++;
		}
		p->sector_count = end_idx - idx;
	}
}

/* Whether two names become the same C identifier (case, '-' vs '_'). */
static bool same_ident(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : (char)toupper((unsigned char)*a);
		char cb = *b == '-' ? '_' : (char)toupper((unsigned char)*b);

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

/* Names become C macros and linker symbols, so two names of one kind
 * must not collide even after upper-casing and '-' -> '_'. */
static void check_unique(struct loader *ld, const char *kind, uint32_t count,
			 const char *(*name)(struct fk_layout *, uint32_t),
			 const struct fk_pos *(*pos)(struct fk_layout *,
							    uint32_t))
{
	for (uint32_t i = 0; i < count; i++) {
		for (uint32_t j = 0; j < i; j++) {
			const char *a = name(ld->L, i), *b = name(ld->L, j);
			const struct fk_pos *pa = pos(ld->L, i);
			const struct fk_pos *pb = pos(ld->L, j);
			const struct fk_pos *late, *early;

			if (!same_ident(a, b))
				continue;
			late = pa->line > pb->line ||
			       (pa->line == pb->line && pa->col > pb->col) ? pa : pb;
			early = late == pa ? pb : pa;
			if (!strcmp(a, b))
				fk_diag_error(&ld->d, late, "%s '%s' is defined "
					      "twice (first at line %u); %s "
					      "names must be unique", kind, a,
					      early->line, kind);
			else
				fk_diag_error(&ld->d, late, "%s names '%s' and "
					      "'%s' (line %u) become the same C "
					      "name; rename one", kind,
					      late == pa ? a : b,
					      late == pa ? b : a, early->line);
			break;
		}
	}
}

#define NAME_POS_FNS(kind, arr)                                              \
	static const char *kind##_name(struct fk_layout *L, uint32_t i)      \
	{                                                                    \
		return L->arr[i].name;                                       \
	}                                                                    \
	static const struct fk_pos *kind##_pos(struct fk_layout *L,  \
						      uint32_t i)            \
	{                                                                    \
		return &L->arr[i].pos;                                       \
	}
NAME_POS_FNS(mem, memories)
NAME_POS_FNS(part, partitions)
NAME_POS_FNS(mod, modules)
NAME_POS_FNS(img, images)

static const char *const top_keys[] = { "name", "memories", "modules",
					"images" };

/* Refuses anchors and aliases (a layout is small; aliases only hide
 * things) and reports YAML syntax errors at their position. */
static int prescan(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int docs = 0, rc = 0;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		struct fk_pos p = { ld->L->path, 0, 0 };

		if (!yaml_parser_parse(&parser, &ev)) {
			p.line = (uint32_t)parser.problem_mark.line + 1;
			p.col = (uint32_t)parser.problem_mark.column + 1;
			fk_diag_error(&ld->d, &p, "YAML syntax: %s%s%s",
				      parser.problem ? parser.problem : "error",
				      parser.context ? " " : "",
				      parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		p.line = (uint32_t)ev.start_mark.line + 1;
		p.col = (uint32_t)ev.start_mark.column + 1;
		if (ev.type == YAML_ALIAS_EVENT ||
		    (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.anchor) ||
		    (ev.type == YAML_MAPPING_START_EVENT &&
		     ev.data.mapping_start.anchor) ||
		    (ev.type == YAML_SEQUENCE_START_EVENT &&
		     ev.data.sequence_start.anchor)) {
			fk_diag_error(&ld->d, &p, "anchors and aliases (&name, "
				      "*name) are not supported in layout "
				      "files; write the value out");
			rc = -1;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			fk_diag_error(&ld->d, &p, "a layout file holds one YAML "
				      "document; remove the second '---'");
			rc = -1;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

static void parse_root(struct loader *ld, yaml_node_t *root)
{
	struct fk_layout *L = ld->L;
	struct fk_pos p = { L->path, 1, 1 };
	yaml_node_t *n;

	if (!root || (root->type == YAML_SCALAR_NODE &&
		      root->data.scalar.length == 0)) {
		fk_diag_error(&ld->d, &p, "the layout is empty; it needs at "
			      "least 'memories:' (see docs/layout.md)");
		return;
	}
	if (!expect_type(ld, root, YAML_MAPPING_NODE, "a layout file"))
		return;
	check_keys(ld, root, top_keys, ARRAY_SIZE(top_keys), "the layout");
	n = get(ld, root, "name");
	if (n && expect_type(ld, n, YAML_SCALAR_NODE, "'name'"))
		L->title = xstrdup(scalar(n));
	if (!get(ld, root, "memories")) {
		fk_diag_error(&ld->d, &p, "the layout has no 'memories:'");
		return;
	}
	each_entry(ld, root, "memories", parse_memory);
	if (ld->d.errors)
		return;
	sort_partitions(ld);
	fill_sectors(L);
	check_unique(ld, "memory", L->memory_count, mem_name, mem_pos);
	check_unique(ld, "partition", L->partition_count, part_name, part_pos);
	each_entry(ld, root, "modules", parse_module);
	check_unique(ld, "module", L->module_count, mod_name, mod_pos);
	each_entry(ld, root, "images", parse_image);
	check_unique(ld, "image", L->image_count, img_name, img_pos);
}

int fk_layout_load_buffer(const char *name, const char *text, size_t len,
			  struct fk_layout *out,
			  const struct fk_layout_load_opts *opts)
{
	struct loader ld;
	yaml_parser_t parser;

	memset(&ld, 0, sizeof(ld));
	memset(out, 0, sizeof(*out));
	ld.L = out;
	ld.d.out = opts && opts->diag ? opts->diag : stderr;
	ld.d.no_warnings = opts && opts->no_warnings;
	out->path = xstrdup(name);

	if (prescan(&ld, text, len) == 0) {
		if (!yaml_parser_initialize(&parser))
			abort();
		yaml_parser_set_input_string(&parser,
					     (const unsigned char *)text, len);
		if (yaml_parser_load(&parser, &ld.doc)) {
			parse_root(&ld, yaml_document_get_root_node(&ld.doc));
			yaml_document_delete(&ld.doc);
		} else {
			struct fk_pos p = { out->path,
				(uint32_t)parser.problem_mark.line + 1,
				(uint32_t)parser.problem_mark.column + 1 };

			fk_diag_error(&ld.d, &p, "YAML: %s",
				      parser.problem ? parser.problem : "error");
		}
		yaml_parser_delete(&parser);
	}
	free(ld.raw);
	if (!ld.d.errors && !(opts && opts->no_checks))
		fk_layout_check(out, &ld.d);
	out->error_count = ld.d.errors;
	out->warning_count = ld.d.warnings;
	if (ld.d.errors) {
		uint32_t errors = ld.d.errors, warnings = ld.d.warnings;

		fk_layout_free(out);
		out->error_count = errors;
		out->warning_count = warnings;
		return FK_EINVAL;
	}
	return 0;
}

int fk_layout_load(const char *path, struct fk_layout *out,
		   const struct fk_layout_load_opts *opts)
{
	FILE *fp = fopen(path, "rb");
	FILE *diag = opts && opts->diag ? opts->diag : stderr;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!fp) {
		fprintf(diag, "%s: error: cannot open the layout: %s\n", path,
			strerror(errno));
		return FK_EIO;
	}
	for (;;) {
		size_t got;

		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb)
				abort();
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(diag, "%s: error: cannot read the layout: %s\n", path,
			strerror(errno));
		fclose(fp);
		free(buf);
		return FK_EIO;
	}
	fclose(fp);
	rc = fk_layout_load_buffer(path, buf, n, out, opts);
	free(buf);
	return rc;
}
