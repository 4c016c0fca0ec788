/*
 * layout.json: the model as JSON for scripts and other tools. The schema
 * is documented in docs/layout.md ("layout.json") and is stable: keys are
 * only ever added. Numbers are plain JSON integers (addresses too), names
 * are the layout's own.
 */
#include <string.h>

#include "gen.h"
#include "layout_internal.h"

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void memory_json(const struct fk_layout_memory *m, FILE *out)
{
	fprintf(out, "    {\"name\": ");
	json_string(out, m->name);
	fprintf(out,
		", \"kind\": \"%s\", \"mapped\": %s, \"base\": %u, "
		"\"size\": %u",
		fk_layout_kind_name(m->kind), m->mapped ? "true" : "false",
		m->base, m->size);
	if (m->kind != FK_MEM_RAM) {
		fprintf(out,
			", \"xip\": %s, \"write_unit\": %u, "
			"\"erased_value\": %u, \"program_once\": %s, "
			"\"sectors\": [",
			m->xip ? "true" : "false", m->write_unit,
			m->erased_value, m->program_once ? "true" : "false");
		for (uint32_t r = 0; r < m->run_count; r++)
			fprintf(out, "%s{\"count\": %u, \"size\": %u}",
				r ? ", " : "", m->runs[r].count,
				m->runs[r].size);
		fprintf(out,
			"], \"timing\": {\"erase_us_per_kib\": %u, "
			"\"erase_us\": %u, \"program_us\": %u}",
			m->timing.erase_us_per_kib, m->timing.erase_us,
			m->timing.program_us);
	}
	fprintf(out, "}");
}

static void partition_json(const struct fk_layout *L,
			   const struct fk_layout_partition *p, FILE *out)
{
	fprintf(out, "    {\"name\": ");
	json_string(out, p->name);
	fprintf(out, ", \"memory\": ");
	json_string(out, L->memories[p->memory].name);
	fprintf(out,
		", \"offset\": %u, \"address\": %u, \"size\": %u, "
		"\"role\": \"%s\", \"protect\": \"%s\"",
		p->offset, p->address, p->size, fk_layout_role_name(p->role),
		fk_layout_protect_name(p->protect));
	if (L->memories[p->memory].kind != FK_MEM_RAM)
		fprintf(out, ", \"first_sector\": %u, \"sector_count\": %u",
			p->first_sector, p->sector_count);
	fprintf(out, "}");
}

static void name_list(const struct fk_layout *L, const uint32_t *idx,
		      uint32_t count, bool modules, FILE *out)
{
	fputc('[', out);
	for (uint32_t i = 0; i < count; i++) {
		if (i)
			fputs(", ", out);
		json_string(out, modules ? L->modules[idx[i]].name :
					   L->partitions[idx[i]].name);
	}
	fputc(']', out);
}

static void image_json(const struct fk_layout *L,
		       const struct fk_layout_image *img, FILE *out)
{
	fprintf(out, "    {\"name\": ");
	json_string(out, img->name);
	fprintf(out,
		", \"id\": %u, \"strategy\": \"%s\", \"primary\": ", img->id,
		fk_layout_strategy_name(img->strategy));
	json_string(out, L->partitions[img->primary].name);
	fprintf(out, ", \"secondary\": ");
	if (img->secondary >= 0)
		json_string(out, L->partitions[img->secondary].name);
	else
		fputs("null", out);
	if (img->factory >= 0) {
		fprintf(out, ", \"factory\": ");
		json_string(out, L->partitions[img->factory].name);
	}
	fprintf(out,
		", \"header_size\": %u, \"boot_state\": ", img->header_size);
	if (img->boot_state >= 0)
		json_string(out, L->partitions[img->boot_state].name);
	else if (img->strategy == FK_STRATEGY_NONE)
		fputs("null", out); /* no bootloader, no boot state */
	else
		fputs("\"trailer\"", out);
	fprintf(out,
		", \"trailer_size\": %u, \"align\": %u, "
		"\"max_payload\": %u, \"ram\": [",
		fk_layout_image_trailer(L, img), fk_layout_image_align(L, img),
		fk_layout_image_max_payload(L, img));
	for (uint32_t r = 0; r < img->ram_count; r++) {
		fprintf(out, "%s{\"name\": ", r ? ", " : "");
		json_string(out, img->ram[r].is_memory ?
					 L->memories[img->ram[r].index].name :
					 L->partitions[img->ram[r].index].name);
		fprintf(out, ", \"address\": %u, \"size\": %u}",
			img->ram[r].start, img->ram[r].size);
	}
	fprintf(out, "]");
	if (img->has_load) {
		fprintf(out, ", \"load\": {\"name\": ");
		json_string(out, img->load.is_memory ?
					 L->memories[img->load.index].name :
					 L->partitions[img->load.index].name);
		fprintf(out, ", \"address\": %u, \"size\": %u}",
			img->load.start, img->load.size);
	}
	if (img->has_release) {
		fprintf(out, ", \"release\": {\"stub\": %u, \"mailbox\": ",
			img->release_stub);
		json_string(out, L->partitions[img->release_mailbox].name);
		fprintf(out, ", \"mailbox_address\": %u}",
			L->partitions[img->release_mailbox].address);
	}
	fprintf(out, ", \"modules\": ");
	name_list(L, img->modules, img->module_count, true, out);
	fprintf(out, ", \"uses\": ");
	name_list(L, img->uses, img->uses_count, false, out);
	fprintf(out, "}");
}

void fk_gen_json(const struct fk_layout *L, FILE *out)
{
	fprintf(out, "{\n  \"schema\": \"flashkit-layout/1\",\n  \"name\": ");
	json_string(out, L->title ? L->title : "");
	fprintf(out, ",\n  \"source\": ");
	json_string(out, fk_gen_source_name(L));
	fprintf(out, ",\n  \"memories\": [\n");
	for (uint32_t i = 0; i < L->memory_count; i++) {
		memory_json(&L->memories[i], out);
		fputs(i + 1 < L->memory_count ? ",\n" : "\n", out);
	}
	fprintf(out, "  ],\n  \"partitions\": [\n");
	for (uint32_t i = 0; i < L->partition_count; i++) {
		partition_json(L, &L->partitions[i], out);
		fputs(i + 1 < L->partition_count ? ",\n" : "\n", out);
	}
	fprintf(out, "  ],\n  \"modules\": [\n");
	for (uint32_t i = 0; i < L->module_count; i++) {
		const struct fk_layout_module *m = &L->modules[i];

		fprintf(out, "    {\"name\": ");
		json_string(out, m->name);
		fprintf(out, ", \"flash\": ");
		json_string(out, L->partitions[m->flash].name);
		fprintf(out, ", \"ram\": ");
		if (m->ram >= 0)
			json_string(out, L->partitions[m->ram].name);
		else
			fputs("null", out);
		fprintf(out, ", \"header_size\": %u", m->header_size);
		if (m->header_size)
			fprintf(out, ", \"image_id\": %u",
				fk_layout_module_image_id(L, m));
		fputs(i + 1 < L->module_count ? "},\n" : "}\n", out);
	}
	fprintf(out, "  ],\n  \"images\": [\n");
	for (uint32_t i = 0; i < L->image_count; i++) {
		image_json(L, &L->images[i], out);
		fputs(i + 1 < L->image_count ? ",\n" : "\n", out);
	}
	fprintf(out, "  ]\n}\n");
}

const char *fk_gen_source_name(const struct fk_layout *L)
{
	static char name[128];
	const char *slash = strrchr(L->path, '/');
	const char *base = slash ? slash + 1 : L->path;
	size_t i = 0;

	/* It goes into C, ld, Tcl and XML comments: keep it plain. */
	for (; base[i] && i + 1 < sizeof(name); i++) {
		char c = base[i];

		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					  (c >= '0' && c <= '9') || c == '.' ||
					  c == '_' ||
					  (c == '-' &&
					   (i == 0 || base[i - 1] != '-')) ?
				  c :
				  '_';
	}
	name[i] = 0;
	return name;
}

/* name with '-' as '_', in upper or lower case. */
static const char *ident(char *buf, size_t len, const char *name, bool upper)
{
	size_t i = 0;

	for (; name[i] && i + 1 < len; i++) {
		char c = name[i];

		if (c == '-')
			c = '_';
		else if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		buf[i] = c;
	}
	buf[i] = 0;
	return buf;
}

const char *fk_gen_macro(char *buf, size_t len, const char *name)
{
	return ident(buf, len, name, true);
}

const char *fk_gen_symbol(char *buf, size_t len, const char *name)
{
	return ident(buf, len, name, false);
}
