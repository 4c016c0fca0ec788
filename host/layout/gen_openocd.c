/*
 * An OpenOCD script for the production line: programs each memory's
 * production file, verifies it, then turns on the write protection the
 * layout asks for. The file names are the ones `flashkit merge --layout
 * L -o factory.hex` writes: factory-<memory>.hex for a memory with a bus
 * address, factory-<memory>.bin (offset 0) for an external flash that is
 * not memory-mapped. docs/layout.md ("OpenOCD script") explains the variables.
 * When the layout has a devinfo partition, the script also programs one
 * device's record (FK_DEVICE, from `flashkit provision`) before it turns the
 * write protection on; when an image has a `release` (the STM32H745's
 * Cortex-M4), it sets that core's boot address option to the stub.
 *
 * Internal flash is programmed through OpenOCD's own flash banks (the
 * target config declares them). An external flash that is memory-mapped
 * needs a bank the user declares (stmqspi), named by the Tcl variable
 * FK_BANK_<MEMORY>. One that is not memory-mapped (an SPI NOR) takes
 * either such a bank or flashkit's own flash loader (ports/loader/, its
 * ELF named by FK_LOADER_<MEMORY>, driven by the procs of
 * ports/loader/openocd-flashkit.cfg, at FK_LOADER_ADDR_<MEMORY>, by
 * default the loader's 0x90000000). The script stops with a clear
 * message when it has neither, unless merge wrote no file for that
 * memory (nothing placed there): then it says so and goes on.
 */
#include "gen.h"
#include "layout_internal.h"

/* OpenOCD's bank number of an internal flash: its rank among them. */
static int bank_of(const struct fk_layout *L, uint32_t mi)
{
	int bank = 0;

	for (uint32_t i = 0; i < mi; i++)
		bank += L->memories[i].kind == FK_MEM_FLASH;
	return bank;
}

static void program_memory(const struct fk_layout *L, uint32_t mi, FILE *out)
{
	const struct fk_layout_memory *m = &L->memories[mi];
	char n[64], s[32];

	fk_gen_macro(n, sizeof(n), m->name);
	fprintf(out, "# memory %s: %s, %s", m->name,
		fk_layout_kind_name(m->kind),
		fk_layout_fmt_size(s, sizeof(s), m->size));
	if (m->mapped)
		fprintf(out, " at 0x%08X\n", m->base);
	else
		fprintf(out, ", not memory-mapped\n");
	if (m->kind == FK_MEM_FLASH) {
		fprintf(out, "fk_program_hex $FK_DIR/factory-%s.hex\n\n",
			m->name);
		return;
	}
	/* merge writes no file for an external memory nothing lands in:
	 * then there is nothing to program, and no way in is needed */
	fprintf(out,
		"if {![file exists $FK_DIR/factory-%s.%s]} {\n"
		"\techo \"%s: merge wrote no factory-%s.%s (nothing placed "
		"there): left as it is\"\n"
		"} else",
		m->name, m->mapped ? "hex" : "bin", m->name, m->name,
		m->mapped ? "hex" : "bin");
	if (m->mapped) {
		fprintf(out,
			"if {![info exists FK_BANK_%s]} {\n"
			"\terror \"declare the flash bank of external memory "
			"'%s' (e.g. stmqspi) and set FK_BANK_%s to its "
			"name\"\n} else {\n"
			"\tfk_program_hex $FK_DIR/factory-%s.hex\n}\n\n",
			n, m->name, n, m->name);
		return;
	}
	fprintf(out,
		"if {[info exists FK_BANK_%s]} {\n"
		"\tflash write_bank $FK_BANK_%s $FK_DIR/factory-%s.bin 0\n"
		"\tflash verify_bank $FK_BANK_%s $FK_DIR/factory-%s.bin 0\n"
		"} elseif {[info exists FK_LOADER_%s]} {\n"
		"\tif {![info exists FK_LOADER_ADDR_%s]} "
		"{ set FK_LOADER_ADDR_%s 0x90000000 }\n"
		"\tflashkit_nor_program $FK_LOADER_%s "
		"$FK_DIR/factory-%s.bin $FK_LOADER_ADDR_%s\n"
		"} else {\n"
		"\terror \"external memory '%s' needs a way in: set "
		"FK_BANK_%s to a flash bank you declared, or FK_LOADER_%s to "
		"flashkit's flash loader ELF (with -f "
		"ports/loader/openocd-flashkit.cfg)\"\n}\n\n",
		n, n, m->name, n, m->name, n, n, n, n, m->name, n, m->name, n,
		n);
}

/* One device's record, written by `flashkit provision` as a HEX file
 * holding only the record at the devinfo partition: programmed after the
 * factory files when FK_DEVICE names it. Only layouts with a devinfo
 * partition on a mapped memory get this step. */
static void program_device(const struct fk_layout *L, FILE *out)
{
	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		if (p->role != FK_ROLE_DEVINFO ||
		    !L->memories[p->memory].mapped)
			continue;
		fprintf(out,
			"# one device's record in %s (0x%08X), from "
			"`flashkit provision`:\n"
			"#   -c \"set FK_DEVICE out/<serial>.hex\"\n"
			"if {[info exists FK_DEVICE]} {\n"
			"\tfk_program_hex $FK_DEVICE\n}\n\n",
			p->name, p->address);
		return;
	}
}

/* A plain image (strategy none) is its linked program as it is: it
 * reaches the factory file through `flashkit merge` like any input. */
static void plain_images(const struct fk_layout *L, FILE *out)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		const struct fk_layout_partition *p =
			&L->partitions[img->primary];

		if (img->strategy != FK_STRATEGY_NONE)
			continue;
		fprintf(out,
			"# image %s: a plain application (no bootloader) in "
			"%s (0x%08X); its ELF goes\n"
			"# into FK_DIR's factory-%s.hex as it was linked:\n"
			"#   flashkit merge --layout %s %s.elf@%s -o "
			"factory.hex\n\n",
			img->name, p->name, p->address,
			L->memories[p->memory].name, fk_gen_source_name(L),
			img->name, p->name);
	}
}

/* An image's `release`: the other core boots from the stub. On the
 * STM32H7 dual core (RM0399) its boot address is the option byte
 * BOOT_CM4_ADD0: bits 15:0 of FLASH_BOOT4_PRGR (flash registers +0x4C),
 * holding address bits 31:16. OpenOCD's stm32h7x driver reads that
 * register, changes the masked bits and starts the option load. */
static void release_option(const struct fk_layout *L, FILE *out)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		const struct fk_layout_partition *p;

		if (!img->has_release)
			continue;
		p = fk_layout_partition_at(L, img->release_stub);
		if (!p)
			continue;
		fprintf(out,
			"# image %s's core boots from the bootloader's release "
			"stub at 0x%08X:\n"
			"# BOOT_CM4_ADD0 = 0x%04X (FLASH_BOOT4_PRGR +0x4C, "
			"bits 15:0, address bits 31:16)\n"
			"stm32h7x option_write %d 0x4C 0x%04X 0xFFFF\n\n",
			img->name, img->release_stub, img->release_stub >> 16,
			bank_of(L, p->memory), img->release_stub >> 16);
	}
}

static void protect(const struct fk_layout *L, FILE *out)
{
	bool any = false;

	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];
		const struct fk_layout_memory *m = &L->memories[p->memory];

		if (p->protect == FK_PROTECT_NONE || m->kind != FK_MEM_FLASH)
			continue;
		if (!any)
			fprintf(out,
				"# write protection the layout asks for\n");
		any = true;
		fprintf(out, "# %s: 0x%08X..0x%08llX (%s)\n", p->name,
			p->address, (unsigned long long)p->address + p->size,
			fk_layout_protect_name(p->protect));
		fprintf(out, "flash protect %d %u %u on\n",
			bank_of(L, p->memory), p->first_sector,
			p->first_sector + p->sector_count - 1);
	}
	if (any)
		fputc('\n', out);
}

void fk_gen_openocd(const struct fk_layout *L, FILE *out)
{
	fprintf(out,
		"# Generated by `flashkit layout gen` from %s.\n"
		"# Programs the production files of `flashkit merge --layout "
		"%s`.\n"
		"#\n"
		"#   openocd -f interface/stlink.cfg -f target/<part>.cfg \\\n"
		"#           -c \"set FK_DIR out\" -f program.cfg\n"
		"#\n"
		"# FK_DIR: the folder holding factory-<memory>.hex/.bin "
		"(default: .)\n\n",
		fk_gen_source_name(L), fk_gen_source_name(L));
	fprintf(out, "if {![info exists FK_DIR]} { set FK_DIR . }\n\n"
		     "proc fk_program_hex {file} {\n"
		     "\tflash write_image erase $file\n"
		     "\tverify_image $file\n"
		     "}\n\n"
		     "init\nreset halt\n\n");
	plain_images(L, out);
	for (uint32_t i = 0; i < L->memory_count; i++)
		if (L->memories[i].kind != FK_MEM_RAM)
			program_memory(L, i, out);
	program_device(L, out);
	release_option(L, out);
	protect(L, out);
	fprintf(out, "reset run\nshutdown\n");
}
