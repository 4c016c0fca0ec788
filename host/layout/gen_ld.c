/*
 * GNU ld scripts. For an image: a MEMORY block whose FLASH region is the
 * slot after the header and before the boot-state trailer (exactly the
 * maximum payload), whose RAM region is the image's first RAM, plus one
 * region per further RAM; symbols for the slot, the partitions the
 * image uses and the modules it calls; and a SECTIONS block for a
 * Cortex-M program (vector table first). A ram-load image is linked for
 * its `load` RAM instead of a slot: FLASH is then that RAM after the
 * header, where the bootloader copies the image (code, and the initial
 * values .data is loaded from). For a module: its partition and its own
 * RAM.
 *
 * The symbols are documented in docs/layout.md ("Linker scripts").
 */
#include <string.h>

#include "gen.h"
#include "layout_internal.h"

/* A partition on a memory with no bus address (SPI NOR) has no address
 * a symbol could give: its offset in that memory instead. */
static void part_symbols(const struct fk_layout *L,
			 const struct fk_layout_partition *p, FILE *out)
{
	const struct fk_layout_memory *m = &L->memories[p->memory];
	char s[64];

	fk_gen_symbol(s, sizeof(s), p->name);
	if (!m->mapped) {
		fprintf(out,
			"/* %s is on %s, which has no bus address: its "
			"offset there */\n",
			p->name, m->name);
		fprintf(out, "__fk_%s_offset = 0x%08X;\n", s, p->offset);
		fprintf(out, "__fk_%s_size = 0x%X;\n", s, p->size);
		return;
	}
	fprintf(out, "__fk_%s_start = 0x%08X;\n", s, p->address);
	fprintf(out, "__fk_%s_size = 0x%X;\n", s, p->size);
	fprintf(out, "__fk_%s_end = 0x%08llX;\n", s,
		(unsigned long long)p->address + p->size);
}

/* Extra RAM regions become sections named after them: .dtcm, .ccm. */
static const char *ram_name(const struct fk_layout *L,
			    const struct fk_layout_image *img, uint32_t r)
{
	return img->ram[r].is_memory ? L->memories[img->ram[r].index].name :
				       L->partitions[img->ram[r].index].name;
}

/* A RAM an image names keeps its content over a reset (battery-backed):
 * its section is NOLOAD, never copied from flash nor zeroed. */
static bool ram_retained(const struct fk_layout *L,
			 const struct fk_layout_image *img, uint32_t r)
{
	uint32_t mem = img->ram[r].is_memory ?
			       img->ram[r].index :
			       L->partitions[img->ram[r].index].memory;

	return L->memories[mem].retained;
}

static void retained_section(const char *s, const char *m, FILE *out)
{
	fprintf(out,
		"\t/* retained over a reset: never loaded nor zeroed */\n"
		"\t.%s (NOLOAD) : ALIGN(4) {\n"
		"\t\t__fk_%s_start = .;\n"
		"\t\t*(.%s .%s.*)\n"
		"\t\t. = ALIGN(4);\n"
		"\t\t__fk_%s_end = .;\n"
		"\t} > %s\n\n",
		s, s, s, s, s, m);
}

/* first: the section that must open the code (the vector table of an
 * image, the entry table of a module); extra: further RAM sections,
 * those flagged in retained NOLOAD. */
static void sections(const char *first, const char *const *extra,
		     const bool *retained, uint32_t extra_count, FILE *out)
{
	const char *last = "data";
	char name[64];

	if (!strcmp(first, "isr_vector"))
		fprintf(out, "ENTRY(Reset_Handler)\n\n");
	fprintf(out,
		"SECTIONS\n{\n"
		"\t.%s : {\n"
		"\t\t__fk_%s = .;\n"
		"\t\tKEEP(*(.%s))\n"
		"\t} > FLASH\n\n",
		first, first, first);
	fprintf(out,
		"\t.text : {\n"
		"\t\t*(.text .text.*)\n"
		"\t\t*(.rodata .rodata.*)\n"
		"\t\tKEEP(*(.init))\n"
		"\t\tKEEP(*(.fini))\n"
		"\t} > FLASH\n\n"
		"\t.ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } "
		"> FLASH\n"
		"\t.ARM.exidx : {\n"
		"\t\t__exidx_start = .;\n"
		"\t\t*(.ARM.exidx* .gnu.linkonce.armexidx.*)\n"
		"\t\t__exidx_end = .;\n"
		"\t} > FLASH\n\n"
		"\t.init_array : {\n"
		"\t\t__init_array_start = .;\n"
		"\t\tKEEP(*(SORT(.init_array.*)))\n"
		"\t\tKEEP(*(.init_array))\n"
		"\t\t__init_array_end = .;\n"
		"\t} > FLASH\n\n"
		"\t.data : ALIGN(4) {\n"
		"\t\t__data_start = .;\n"
		"\t\t*(.data .data.*)\n"
		"\t\t. = ALIGN(4);\n"
		"\t\t__data_end = .;\n"
		"\t} > RAM AT > FLASH\n"
		"\t__data_load = LOADADDR(.data);\n\n"
		"\t.bss (NOLOAD) : ALIGN(4) {\n"
		"\t\t__bss_start = .;\n"
		"\t\t*(.bss .bss.*)\n"
		"\t\t*(COMMON)\n"
		"\t\t. = ALIGN(4);\n"
		"\t\t__bss_end = .;\n"
		"\t} > RAM\n\n");
	for (uint32_t r = 0; r < extra_count; r++) {
		char s[64], m[64];

		fk_gen_symbol(s, sizeof(s), extra[r]);
		fk_gen_macro(m, sizeof(m), extra[r]);
		if (retained[r]) {
			retained_section(s, m, out);
			continue;
		}
		fprintf(out,
			"\t.%s : ALIGN(4) {\n"
			"\t\t__fk_%s_start = .;\n"
			"\t\t*(.%s .%s.*)\n"
			"\t\t. = ALIGN(4);\n"
			"\t\t__fk_%s_end = .;\n"
			"\t} > %s AT > FLASH\n"
			"\t__fk_%s_load = LOADADDR(.%s);\n\n",
			s, s, s, s, s, m, s, s);
		last = extra[r];
	}
	fprintf(out,
		"\t/* the end of the binary: the image's payload size */\n"
		"\t__fk_payload_end = LOADADDR(.%s) + SIZEOF(.%s);\n"
		"\t__stack_top = ORIGIN(RAM) + LENGTH(RAM);\n"
		"}\n",
		fk_gen_symbol(name, sizeof(name), last),
		fk_gen_symbol(name, sizeof(name), last));
}

void fk_gen_ld_image(const struct fk_layout *L,
		     const struct fk_layout_image *img, int slot, FILE *out)
{
	uint32_t part = slot ? (uint32_t)img->secondary : img->primary;
	const struct fk_layout_partition *p = &L->partitions[part];
	bool ram_load = img->strategy == FK_STRATEGY_RAM_LOAD;
	/* where the image runs: its slot, or (ram-load) its load RAM */
	uint32_t at = ram_load ? img->load.start : p->address;
	uint32_t size = ram_load ? img->load.size : p->size;
	const char *where =
		ram_load ? (img->load.is_memory ?
				    L->memories[img->load.index].name :
				    L->partitions[img->load.index].name) :
			   p->name;
	uint32_t start = at + img->header_size;
	uint32_t len = fk_layout_image_max_payload(L, img);
	const char *extra[FK_LAYOUT_MAX_RAM];
	bool retained[FK_LAYOUT_MAX_RAM];
	char s[64];

	fprintf(out,
		"/*\n * Generated by `flashkit layout gen` from %s.\n"
		" * Image '%s' (id %u, %s), linked to run from %s '%s'.\n",
		fk_gen_source_name(L), img->name, img->id,
		fk_layout_strategy_name(img->strategy),
		ram_load			  ? "RAM" :
		img->strategy == FK_STRATEGY_NONE ? "partition" :
						    "slot",
		where);
	if (img->strategy == FK_STRATEGY_NONE && !img->header_size)
		fprintf(out,
			" * A plain application, no bootloader: FLASH is the "
			"whole partition\n * (%u bytes), the vector table at "
			"its start; RAM is '%s'.\n */\n\n",
			len, ram_name(L, img, 0));
	else if (img->strategy == FK_STRATEGY_NONE)
		fprintf(out,
			" * A plain application, no bootloader: FLASH is the "
			"partition after\n * the 0x%X-byte header (%u bytes), "
			"the vector table first; RAM is '%s'.\n */\n\n",
			img->header_size, len, ram_name(L, img, 0));
	else if (ram_load)
		fprintf(out,
			" * The bootloader copies the image there from its "
			"slot; FLASH is that\n * RAM after the 0x%X-byte "
			"header, up to the largest payload that fits\n * "
			"(%u bytes); RAM is '%s'.\n */\n\n",
			img->header_size, len, ram_name(L, img, 0));
	else if (!img->header_size)
		fprintf(out,
			" * No image header: a bootloader flashkit does not "
			"build installs it.\n * FLASH is the whole slot (%u "
			"bytes), the vector table at its start;\n * RAM is "
			"'%s'.\n */\n\n",
			len, ram_name(L, img, 0));
	else
		fprintf(out,
			" * FLASH is the slot after the 0x%X-byte header, up "
			"to the largest\n * payload that fits (%u bytes); RAM "
			"is '%s'.\n */\n\n",
			img->header_size, len, ram_name(L, img, 0));
	fprintf(out, "MEMORY\n{\n");
	fprintf(out, "\tFLASH (rx) : ORIGIN = 0x%08X, LENGTH = 0x%X\n", start,
		len);
	fprintf(out, "\tRAM (rwx) : ORIGIN = 0x%08X, LENGTH = 0x%X\n",
		img->ram[0].start, img->ram[0].size);
	for (uint32_t r = 1; r < img->ram_count; r++) {
		extra[r - 1] = ram_name(L, img, r);
		retained[r - 1] = ram_retained(L, img, r);
		fprintf(out, "\t%s (rw) : ORIGIN = 0x%08X, LENGTH = 0x%X\n",
			fk_gen_macro(s, sizeof(s), extra[r - 1]),
			img->ram[r].start, img->ram[r].size);
	}
	fprintf(out, "}\n\n");
	fprintf(out, "/* the %s this link runs from */\n",
		ram_load ? "RAM" : "slot");
	fprintf(out, "__fk_image_id = %u;\n", img->id);
	fprintf(out, "__fk_slot_start = 0x%08X;\n", at);
	fprintf(out, "__fk_slot_size = 0x%X;\n", size);
	fprintf(out, "__fk_header_size = 0x%X;\n", img->header_size);
	fprintf(out, "__fk_trailer_size = 0x%X;\n\n",
		fk_layout_image_trailer(L, img));
	if (img->uses_count || img->boot_state >= 0)
		fprintf(out, "/* partitions the image uses */\n");
	for (uint32_t u = 0; u < img->uses_count; u++)
		part_symbols(L, &L->partitions[img->uses[u]], out);
	if (img->boot_state >= 0)
		part_symbols(L, &L->partitions[img->boot_state], out);
	for (uint32_t m = 0; m < img->module_count; m++) {
		const struct fk_layout_module *mod =
			&L->modules[img->modules[m]];

		if (mod->header_size)
			fprintf(out,
				"/* module %s: its entry table is after its "
				"0x%X-byte image header */\n",
				mod->name, mod->header_size);
		else
			fprintf(out,
				"/* module %s: its entry table is at its "
				"start */\n",
				mod->name);
		fk_gen_symbol(s, sizeof(s), mod->name);
		fprintf(out, "__fk_module_%s = 0x%08X;\n", s,
			L->partitions[mod->flash].address + mod->header_size);
	}
	fputc('\n', out);
	sections("isr_vector", extra, retained,
		 img->ram_count ? img->ram_count - 1 : 0, out);
}

void fk_gen_ld_module(const struct fk_layout *L,
		      const struct fk_layout_module *mod, FILE *out)
{
	const struct fk_layout_partition *f = &L->partitions[mod->flash];

	fprintf(out,
		"/*\n * Generated by `flashkit layout gen` from %s.\n"
		" * Library module '%s', linked on its own into '%s'",
		fk_gen_source_name(L), mod->name, f->name);
	if (mod->ram >= 0)
		fprintf(out, " with RAM '%s'", L->partitions[mod->ram].name);
	fprintf(out, ".\n");
	if (mod->header_size)
		fprintf(out,
			" * FLASH is the partition after the 0x%X-byte image "
			"header: the module\n * is signed and updated as an "
			"image of its own.\n",
			mod->header_size);
	fprintf(out, " */\n\n");
	fprintf(out, "MEMORY\n{\n");
	fprintf(out, "\tFLASH (rx) : ORIGIN = 0x%08X, LENGTH = 0x%X\n",
		f->address + mod->header_size, f->size - mod->header_size);
	if (mod->ram >= 0)
		fprintf(out, "\tRAM (rwx) : ORIGIN = 0x%08X, LENGTH = 0x%X\n",
			L->partitions[mod->ram].address,
			L->partitions[mod->ram].size);
	else
		fprintf(out, "\tRAM (rwx) : ORIGIN = 0x%08X, LENGTH = 0\n",
			f->address);
	fprintf(out, "}\n\n");
	fprintf(out,
		"/* the module: its entry table is at __fk_module_start */\n");
	fprintf(out, "__fk_module_start = 0x%08X;\n",
		f->address + mod->header_size);
	fprintf(out, "__fk_module_size = 0x%X;\n", f->size);
	if (mod->header_size)
		fprintf(out, "__fk_header_size = 0x%X;\n", mod->header_size);
	fputc('\n', out);
	sections("module_table", NULL, NULL, 0, out);
}
