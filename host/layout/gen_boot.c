/*
 * boot_config.c: the bootloader's configuration (ports/boot/) as C, built
 * by fk_layout_boot_config(), the one translation of a layout into a
 * struct fk_boot_config that `layout show`, `image sign --layout` and
 * `flashkit sim` use, so the bootloader and the tools agree to the byte.
 *
 * The images installed together are all the layout's images (1 to
 * FK_BOOT_MAX_IMAGES); a layout the boot core cannot take gets a file
 * that stops the bootloader's build with #error and the reason. Each
 * memory the configuration uses is bound to a driver instance by name:
 * the board port defines fk_boot_flash_<memory>(geometry) (contract in
 * ports/boot/boot_port.h). Keys, the buffer and the hooks are the
 * bootloader's (ports/boot/boot_main.c).
 */
#include <string.h>

#include "boot_config.h"
#include "gen.h"
#include "layout_internal.h"

/* Memories one bootloader configuration may name (more: #error). */
#define GEN_MAX_MEMORIES 16

struct gen_flashes {
	const struct fk_layout *L;
	struct fk_flash flash[GEN_MAX_MEMORIES];
};

static const struct fk_flash *gen_flash_of(void *ctx, uint32_t mem, char *msg,
					   size_t len)
{
	struct gen_flashes *g = ctx;

	if (fk_layout_memory_geometry(&g->L->memories[mem],
				      &g->flash[mem].geo)) {
		snprintf(msg, len, "memory %s has no flash geometry",
			 g->L->memories[mem].name);
		return NULL;
	}
	return &g->flash[mem];
}

/* Collects the error of fk_layout_boot_config() for the #error line. */
static void keep_text(void *ctx, enum fk_severity sev, enum fk_fail fail,
		      const struct fk_pos *pos, const char *text)
{
	(void)sev;
	(void)fail;
	(void)pos;
	snprintf(ctx, FK_DIAG_MSG_MAX, "%s", text);
}

static const char *strategy_name(enum fk_boot_strategy s)
{
	return s == FK_BOOT_SWAP     ? "FK_BOOT_SWAP" :
	       s == FK_BOOT_XIP	     ? "FK_BOOT_XIP" :
	       s == FK_BOOT_RAM_LOAD ? "FK_BOOT_RAM_LOAD" :
				       "FK_BOOT_OVERWRITE";
}

static bool mem_used(const struct fk_boot_config *cfg,
		     const struct gen_flashes *g, uint32_t m)
{
	const struct fk_flash *f = &g->flash[m];

	if (cfg->state.flash == f || cfg->bootloader.flash == f)
		return true;
	for (uint32_t i = 0; i < cfg->image_count; i++)
		if (cfg->images[i].primary.flash == f ||
		    cfg->images[i].secondary.flash == f ||
		    cfg->images[i].factory.flash == f)
			return true;
	for (uint32_t i = 0; i < cfg->module_count; i++)
		if (cfg->modules[i].flash == f)
			return true;
	return false;
}

static void geometry(const struct fk_layout_memory *m, const char *sym,
		     FILE *out)
{
	fprintf(out, "/* memory %s */\n", m->name);
	fprintf(out, "static const struct fk_sector_run %s_runs[] = {", sym);
	for (uint32_t r = 0; r < m->run_count; r++)
		fprintf(out, "%s { %uu, 0x%Xu }", r ? "," : "",
			m->runs[r].count, m->runs[r].size);
	fprintf(out, " };\n");
	fprintf(out,
		"static const struct fk_flash_geometry %s_geo = {\n"
		"\t.base = 0x%08Xu,\n\t.size = 0x%08Xu,\n"
		"\t.runs = %s_runs,\n\t.run_count = %uu,\n"
		"\t.write_unit = %uu,\n\t.erased_value = 0x%02X,\n"
		"\t.program_once = %s,\n};\n",
		sym, m->base, m->size, sym, m->run_count, m->write_unit,
		m->erased_value, m->program_once ? "true" : "false");
	fprintf(out,
		"const struct fk_flash *fk_boot_flash_%s("
		"const struct fk_flash_geometry *geo);\n\n",
		sym);
}

static void area(const struct fk_layout *L, const struct gen_flashes *g,
		 const char *field, const struct fk_area *a, FILE *out)
{
	uint32_t m = (uint32_t)(a->flash - g->flash);
	const char *part = "";
	char sym[64];

	if (!a->flash)
		return;
	for (uint32_t i = 0; i < L->partition_count; i++)
		if (L->partitions[i].memory == m &&
		    L->partitions[i].offset <= a->off &&
		    a->off - L->partitions[i].offset < L->partitions[i].size)
			part = L->partitions[i].name;
	fk_gen_symbol(sym, sizeof(sym), L->memories[m].name);
	fprintf(out,
		"\tcfg->%s = (struct fk_area){ %s, 0x%08Xu, 0x%Xu }; "
		"/* %s */\n",
		field, sym, a->off, a->size, part);
}

static void config_function(const struct fk_layout *L,
			    const struct gen_flashes *g,
			    const struct fk_boot_config *cfg, FILE *out)
{
	char sym[64], field[64];

	fprintf(out, "int fk_boot_layout_config(struct fk_boot_config *cfg)\n"
		     "{\n");
	for (uint32_t m = 0; m < L->memory_count; m++)
		if (mem_used(cfg, g, m))
			fprintf(out,
				"\tconst struct fk_flash *%s = "
				"fk_boot_flash_%s(&%s_geo);\n",
				fk_gen_symbol(sym, sizeof(sym),
					      L->memories[m].name),
				sym, sym);
	fprintf(out, "\n");
	for (uint32_t m = 0; m < L->memory_count; m++)
		if (mem_used(cfg, g, m))
			fprintf(out, "\tif (!%s)\n\t\treturn FK_EIO;\n",
				fk_gen_symbol(sym, sizeof(sym),
					      L->memories[m].name));
	fprintf(out, "\tcfg->strategy = %s;\n", strategy_name(cfg->strategy));
	fprintf(out, "\tcfg->image_count = %u;\n", cfg->image_count);
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		snprintf(field, sizeof(field), "images[%u].primary", i);
		area(L, g, field, &cfg->images[i].primary, out);
		snprintf(field, sizeof(field), "images[%u].secondary", i);
		area(L, g, field, &cfg->images[i].secondary, out);
		snprintf(field, sizeof(field), "images[%u].factory", i);
		area(L, g, field, &cfg->images[i].factory, out);
		if (cfg->strategy == FK_BOOT_RAM_LOAD)
			fprintf(out,
				"\tcfg->images[%u].ram = (struct fk_boot_ram){ "
				"0x%08Xu, 0x%Xu, (uint8_t *)0x%08Xu }; "
				"/* load */\n",
				i, cfg->images[i].ram.addr,
				cfg->images[i].ram.size,
				cfg->images[i].ram.addr);
	}
	for (uint32_t m = 0; m < cfg->module_count; m++) {
		snprintf(field, sizeof(field), "modules[%u]", m);
		area(L, g, field, &cfg->modules[m], out);
	}
	if (cfg->module_count)
		fprintf(out, "\tcfg->module_count = %u;\n", cfg->module_count);
	area(L, g, "state", &cfg->state, out);
	area(L, g, "bootloader", &cfg->bootloader, out);
	fprintf(out, "\tcfg->trial_boots = %u;\n", cfg->trial_boots);
	fprintf(out, "\treturn FK_OK;\n}\n");
}

/* Each image's vector table and the RAM its stack pointer must be in. */
static void jump_table(const struct fk_layout *L, FILE *out)
{
	fprintf(out, "\nconst struct fk_boot_layout_image "
		     "fk_boot_layout_images[FK_BOOT_MAX_IMAGES] = {\n");
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		uint32_t lo = 0, hi = 0;

		if (img->ram_count) {
			lo = img->ram[0].start;
			hi = img->ram[0].start + img->ram[0].size;
		}
		fprintf(out, "\t{ 0x%Xu, 0x%08Xu, 0x%08Xu }, /* %s */\n",
			img->header_size, lo, hi, img->name);
	}
	fprintf(out, "};\n");
}

/* The image the bootloader's core releases into (`release`), if any:
 * everything its stub and its check need, as bus addresses. */
static void release_table(const struct fk_layout *L, FILE *out)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		const struct fk_layout_partition *slot =
			&L->partitions[img->primary];

		if (!img->has_release || !img->ram_count)
			continue;
		fprintf(out,
			"\nconst struct fk_boot_layout_release "
			"fk_boot_layout_release = {\n"
			"\t.image = %uu, /* %s */\n"
			"\t.stub = 0x%08Xu,\n"
			"\t.mailbox = 0x%08Xu, /* %s */\n"
			"\t.slot_lo = 0x%08Xu, /* %s */\n"
			"\t.slot_hi = 0x%08Xu,\n"
			"\t.header_size = 0x%Xu,\n"
			"\t.ram_lo = 0x%08Xu,\n"
			"\t.ram_hi = 0x%08Xu,\n};\n",
			i, img->name, img->release_stub,
			L->partitions[img->release_mailbox].address,
			L->partitions[img->release_mailbox].name, slot->address,
			slot->name, slot->address + slot->size,
			img->header_size, img->ram[0].start,
			img->ram[0].start + img->ram[0].size);
		return;
	}
}

void fk_gen_boot_config(const struct fk_layout *L, FILE *out)
{
	const struct fk_layout_image *imgs[FK_BOOT_MAX_IMAGES];
	struct gen_flashes g = { .L = L };
	struct fk_layout_flashes fl = { gen_flash_of, &g };
	char why[FK_DIAG_MSG_MAX] = "", sym[64];
	struct fk_diag d = { .emit = keep_text, .ctx = why };
	struct fk_boot_config cfg;
	uint32_t n = L->image_count;

	fprintf(out,
		"/*\n * boot_config.c: generated by flashkit layout gen from "
		"%s; do not edit.\n * The bootloader's configuration "
		"(ports/boot/): fk_boot_layout_config()\n * fills the slots, "
		"the boot state and the bootloader's partition; each\n * "
		"memory comes from the board port's fk_boot_flash_<memory>()."
		"\n */\n#include \"boot_port.h\"\n\n",
		fk_gen_source_name(L));
	for (uint32_t i = 0; i < n && i < FK_BOOT_MAX_IMAGES; i++)
		imgs[i] = &L->images[i];
	if (n > FK_BOOT_MAX_IMAGES || L->memory_count > GEN_MAX_MEMORIES) {
		fprintf(out,
			"#error \"%u images, %u memories: one bootloader "
			"installs 1 to %d images on at most %d memories\"\n",
			n, L->memory_count, FK_BOOT_MAX_IMAGES,
			GEN_MAX_MEMORIES);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (imgs[i]->header_size)
			continue;
		fprintf(out,
			"#error \"image %s has header 0: a bootloader flashkit "
			"does not build installs it (role raw), not this "
			"one\"\n",
			imgs[i]->name);
		return;
	}
	if (fk_layout_boot_config(L, imgs, n, &fl, &cfg, &d)) {
		for (char *c = why; *c; c++)
			if (*c == '"' || *c == '\\' || *c == '\n')
				*c = '\'';
		fprintf(out,
			"#error \"the boot core cannot take this layout: "
			"%s\"\n",
			why);
		return;
	}
	for (uint32_t m = 0; m < L->memory_count; m++)
		if (mem_used(&cfg, &g, m))
			geometry(&L->memories[m],
				 fk_gen_symbol(sym, sizeof(sym),
					       L->memories[m].name),
				 out);
	config_function(L, &g, &cfg, out);
	jump_table(L, out);
	release_table(L, out);
}
