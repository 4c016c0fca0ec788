/*
 * flashkit merge: bootloader, configuration, images and data into one
 * production file per memory.
 *
 * Each input is FILE@WHERE, WHERE being a partition of the layout or a
 * bus address; HEX, S-record, ELF, UF2 and DfuSe inputs carry their own
 * addresses and need no WHERE (given a partition, they must lie inside
 * it). With --layout every byte is assigned to the memory holding it and
 * each memory gets its own output, OUT's name with "-<memory>" before the
 * extension (factory.hex -> factory-flash.hex, factory-qspi.hex), the
 * names the OpenOCD script of `flashkit layout gen` programs; a memory
 * without bus addresses (serial flash) always gets a binary from offset
 * 0 (factory-sflash.bin), which the script writes to its flash bank.
 * A DfuSe output with a layout is one file, OUT, with one target per
 * memory. Without a layout, everything goes to OUT.
 *
 * Every refusal names both parties: the two inputs that overlap, the
 * input and the partition it does not fit, the address and the memories
 * it misses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "formats/fileio.h"
#include "layout/layout.h"

/* One input on the command line. */
struct merge_input {
	const char *arg; /* as given, for messages */
	char *path;
	const struct fk_layout_partition *part; /* WHERE was a partition */
	bool has_addr;				/* WHERE was an address */
	uint64_t addr;
	struct fk_segs segs;
};

/* What each memory receives; without a layout there is one, unnamed. */
struct merge_memory {
	const struct fk_layout_memory *mem; /* NULL without a layout */
	struct fk_segs segs;
	/* Which input gave each range, to name both sides of an overlap. */
	struct claim {
		uint64_t lo, hi;
		size_t input;
	} * claims;
	size_t nclaims;
};

struct merge {
	const struct fk_layout *layout;
	struct merge_input *in;
	size_t nin;
	struct merge_memory *mem;
	size_t nmem;
};

static int split_where(struct merge *m, struct merge_input *in)
{
	char *at = strrchr(in->arg, '@');

	in->path = strdup(in->arg);
	if (!in->path)
		return -1;
	if (!at)
		return 0;
	in->path[at - in->arg] = '\0';
	if (fk_parse_u64(at + 1, &in->addr) == 0) {
		if (in->addr >= FK_ADDR_LIMIT) {
			fk_error("%s: 0x%llx is not a 32-bit address", in->arg,
				 (unsigned long long)in->addr);
			return -1;
		}
		in->has_addr = true;
		return 0;
	}
	if (!m->layout) {
		fk_error("%s: '%s' is not an address; partition names need "
			 "--layout",
			 in->arg, at + 1);
		return -1;
	}
	in->part = fk_layout_find_partition(m->layout, at + 1);
	if (!in->part) {
		fk_error("%s: no partition '%s' in %s (see 'flashkit layout "
			 "show %s')",
			 in->arg, at + 1, m->layout->path, m->layout->path);
		return -1;
	}
	if (in->part->role == FK_ROLE_RAM ||
	    m->layout->memories[in->part->memory].kind == FK_MEM_RAM) {
		fk_error(
			"%s: partition '%s' is RAM; there is nothing to program"
			" there",
			in->arg, in->part->name);
		return -1;
	}
	return 0;
}

static int load_input(struct merge_input *in)
{
	struct fk_diag err = { 0 };
	struct fk_read_opts ro;
	enum fk_format f = fk_format_by_path(in->path);
	uint8_t head[8] = { 0 };
	FILE *fp;

	fk_read_opts_init(&ro);
	if (f == FK_FMT_UNKNOWN && (fp = fopen(in->path, "rb"))) {
		size_t got = fread(head, 1, sizeof(head), fp);

		fclose(fp);
		f = fk_format_sniff(head, got);
	}
	if (f == FK_FMT_BIN) {
		if (!in->part && !in->has_addr) {
			fk_error("%s: a raw binary has no address; write "
				 "%s@PARTITION or %s@ADDRESS",
				 in->arg, in->path, in->path);
			return -1;
		}
		ro.base = in->part ? in->part->address : in->addr;
	} else if (in->has_addr) {
		fk_error("%s: a %s file carries its own addresses; drop "
			 "'@0x%llx' (or use a partition name to check where it "
			 "lands)",
			 in->arg, fk_format_name(f),
			 (unsigned long long)in->addr);
		return -1;
	}
	fk_segs_init(&in->segs);
	if (fk_load_segs(in->path, f, &ro, &in->segs, &err)) {
		fk_cli_report(&err);
		return -1;
	}
	return 0;
}

static int check_fits_partition(const struct merge *m,
				const struct merge_input *in)
{
	const struct fk_layout_partition *p = in->part;
	uint64_t lo = fk_segs_start(&in->segs), hi = fk_segs_end(&in->segs);

	if (!p || in->segs.n == 0)
		return 0;
	if (lo >= p->address && hi <= (uint64_t)p->address + p->size)
		return 0;
	if (lo == p->address)
		fk_error(
			"%s: %llu bytes do not fit partition '%s' (%u bytes at "
			"0x%08x in %s): %llu bytes too many",
			in->arg, (unsigned long long)(hi - lo), p->name,
			p->size, p->address, m->layout->path,
			(unsigned long long)(hi - p->address - p->size));
	else
		fk_error(
			"%s: data at 0x%08llx..0x%08llx lies outside partition "
			"'%s' (0x%08x..0x%08x in %s)",
			in->arg, (unsigned long long)lo,
			(unsigned long long)(hi - 1), p->name, p->address,
			p->address + p->size - 1, m->layout->path);
	return -1;
}

/* The memory an input's range [lo, hi) belongs to, or -1 (error printed). */
static long memory_for(const struct merge *m, const struct merge_input *in,
		       uint64_t lo, uint64_t hi)
{
	if (!m->layout)
		return 0;
	if (in->part) {
		for (size_t i = 0; i < m->nmem; i++)
			if (m->mem[i].mem ==
			    &m->layout->memories[in->part->memory])
				return (long)i;
	}
	for (size_t i = 0; i < m->nmem; i++) {
		const struct fk_layout_memory *mem = m->mem[i].mem;

		uint64_t end = (uint64_t)mem->base + mem->size;

		if (!mem->mapped || lo < mem->base || lo >= end)
			continue;
		if (hi <= end)
			return (long)i;
		fk_error("%s: data at 0x%08llx..0x%08llx runs past the end of "
			 "memory '%s' (0x%08x..0x%08llx)",
			 in->arg, (unsigned long long)lo,
			 (unsigned long long)(hi - 1), mem->name, mem->base,
			 (unsigned long long)(end - 1));
		return -1;
	}
	fk_error("%s: data at 0x%08llx..0x%08llx lies outside every memory "
		 "of %s:",
		 in->arg, (unsigned long long)lo, (unsigned long long)(hi - 1),
		 m->layout->path);
	for (size_t i = 0; i < m->nmem; i++) {
		const struct fk_layout_memory *mem = m->mem[i].mem;

		if (mem->mapped)
			fprintf(stderr, "  %-10s 0x%08x..0x%08llx\n", mem->name,
				mem->base,
				(unsigned long long)mem->base + mem->size - 1);
		else
			fprintf(stderr,
				"  %-10s not mapped: place data with "
				"FILE@PARTITION\n",
				mem->name);
	}
	return -1;
}

static int claim(struct merge *m, struct merge_memory *mm, size_t input,
		 uint64_t lo, uint64_t hi)
{
	struct claim *c;

	for (size_t i = 0; i < mm->nclaims; i++) {
		const struct claim *o = &mm->claims[i];

		if (lo < o->hi && o->lo < hi) {
			uint64_t at = lo > o->lo ? lo : o->lo;

			fk_error("%s (0x%08llx..0x%08llx) overlaps %s "
				 "(0x%08llx..0x%08llx) at 0x%08llx%s%s",
				 m->in[input].arg, (unsigned long long)lo,
				 (unsigned long long)(hi - 1),
				 m->in[o->input].arg, (unsigned long long)o->lo,
				 (unsigned long long)(o->hi - 1),
				 (unsigned long long)at, mm->mem ? " in " : "",
				 mm->mem ? mm->mem->name : "");
			return -1;
		}
	}
	c = realloc(mm->claims, (mm->nclaims + 1) * sizeof(*c));
	if (!c)
		return -1;
	mm->claims = c;
	c[mm->nclaims++] = (struct claim){ lo, hi, input };
	return 0;
}

/* Moves input i's segments into the memories, refusing any overlap. */
static int place_input(struct merge *m, size_t i)
{
	struct merge_input *in = &m->in[i];

	for (size_t s = 0; s < in->segs.n; s++) {
		const struct fk_seg *seg = &in->segs.v[s];
		long k = memory_for(m, in, seg->addr, seg->addr + seg->len);
		struct merge_memory *mm;

		if (k < 0)
			return -1;
		mm = &m->mem[k];
		if (claim(m, mm, i, seg->addr, seg->addr + seg->len) ||
		    fk_segs_add(&mm->segs, seg->addr, seg->data, seg->len,
				NULL))
			return -1;
	}
	if (in->segs.has_entry && m->nmem == 1 && !m->mem[0].segs.has_entry) {
		m->mem[0].segs.has_entry = true;
		m->mem[0].segs.entry = in->segs.entry;
	}
	return 0;
}

/* "factory.hex" + "qspi" -> "factory-qspi.hex" (or ext instead). */
static char *memory_output_name(const char *out, const char *memory,
				const char *ext)
{
	const char *slash = strrchr(out, '/');
	const char *dot = strrchr(slash ? slash + 1 : out, '.');
	size_t stem = dot ? (size_t)(dot - out) : strlen(out);
	size_t len = strlen(out) + strlen(memory) + 8;
	char *name = malloc(len);

	if (name)
		snprintf(name, len, "%.*s-%s%s", (int)stem, out, memory,
			 ext ? ext :
			 dot ? dot :
			       "");
	return name;
}

static void print_memory(const char *name, const struct merge_memory *mm,
			 bool sparse)
{
	printf("%s: 0x%08llx..0x%08llx (%llu bytes%s)\n", name,
	       (unsigned long long)fk_segs_start(&mm->segs),
	       (unsigned long long)fk_segs_end(&mm->segs) - 1,
	       (unsigned long long)fk_segs_size(&mm->segs),
	       sparse ? ", sparse" : "");
}

/* DfuSe with a layout: one file, one target per memory (alternate
 * setting = the memory's rank among flash and external memories), as
 * ST's DFU bootloaders expose internal flash, option bytes, external
 * flash. */
static int add_dfu_targets(struct merge *m, const char *out,
			   struct fk_atomic_set *set, struct fk_diag *err)
{
	struct fk_dfu_target *t = calloc(m->nmem, sizeof(*t));
	struct fk_write_opts wo;
	struct fk_buf buf = { 0 };
	struct fk_diag why = { 0 };
	size_t n = 0;
	int rc;

	if (!t)
		return -1;
	for (size_t i = 0; i < m->nmem; i++) {
		if (m->mem[i].segs.n == 0)
			continue;
		t[n].alt = (uint8_t)i;
		t[n].name = m->mem[i].mem->name;
		t[n].segs = m->mem[i].segs; /* borrowed */
		n++;
	}
	fk_write_opts_init(&wo);
	rc = fk_dfu_write_targets(t, n, &wo, &buf, &why);
	if (rc) {
		fk_diag_fail(err, why.fail, NULL, "%s: %s", out, why.last_text);
	} else {
		rc = fk_atomic_set_add(set, out, buf.p, buf.len, 0, err);
	}
	fk_buf_free(&buf);
	free(t);
	return rc;
}

static void print_dfu_targets(const struct merge *m, const char *out)
{
	for (size_t i = 0, k = 0; i < m->nmem; i++) {
		char what[160];

		if (m->mem[i].segs.n == 0)
			continue;
		snprintf(what, sizeof(what), "%s target %zu (alt %u, %s)", out,
			 k++, (unsigned)i, m->mem[i].mem->name);
		print_memory(what, &m->mem[i], false);
	}
}

/* The name of memory i's output file (malloc'd), and whether the memory
 * is written as a binary from offset 0. A memory without bus addresses
 * is programmed from offset 0 by a flash bank write: a binary, as
 * program.cfg expects (inside a DfuSe file, its target takes offsets as
 * they are). */
static char *output_name(const struct merge_memory *mm, const char *out,
			 bool one_dfu, bool *unmapped)
{
	*unmapped = mm->mem && !mm->mem->mapped && !one_dfu;
	return mm->mem ? memory_output_name(out, mm->mem->name,
					    *unmapped ? ".bin" : NULL) :
			 strdup(out);
}

/*
 * Every output is encoded and written to its temporary file first; only
 * when all of them are written are they renamed into place, so a failure
 * on the second memory never leaves the first memory's file behind.
 */
static int write_outputs(struct merge *m, const char *out, enum fk_format f,
			 const char *fill_text, uint8_t fill, bool sparse)
{
	bool one_dfu = f == FK_FMT_DFU && m->layout;
	struct fk_atomic_set set;
	struct fk_diag err = { 0 };
	int rc = 0;

	fk_atomic_set_init(&set);
	err.last_text[0] = '\0';
	for (size_t i = 0; rc == 0 && i < m->nmem; i++) {
		struct merge_memory *mm = &m->mem[i];
		struct fk_write_opts wo;
		bool unmapped;
		char *name;
		uint64_t lo;

		if (mm->segs.n == 0)
			continue;
		name = output_name(mm, out, one_dfu, &unmapped);
		if (!name) {
			rc = -1;
			break;
		}
		lo = unmapped ? 0 : fk_segs_start(&mm->segs);
		fk_write_opts_init(&wo);
		wo.fill = fill_text ? fill :
			  mm->mem   ? mm->mem->erased_value :
				      0xFF;
		if ((!sparse || unmapped) &&
		    fk_segs_fill(&mm->segs, lo, fk_segs_end(&mm->segs),
				 wo.fill))
			rc = fk_fail(&err, "out of memory");
		else if (!one_dfu)
			rc = fk_save_segs_to_set(&set, name,
						 unmapped ? FK_FMT_BIN : f,
						 &mm->segs, &wo, &err);
		free(name);
	}
	if (rc == 0 && one_dfu)
		rc = add_dfu_targets(m, out, &set, &err);
	if (rc || fk_atomic_set_commit(&set, &err)) {
		fk_atomic_set_abort(&set);
		if (err.last_text[0])
			fk_cli_report(&err);
		return -1;
	}
	if (one_dfu) {
		print_dfu_targets(m, out);
		return 0;
	}
	for (size_t i = 0; i < m->nmem; i++) {
		bool unmapped;
		char *name;

		if (m->mem[i].segs.n == 0)
			continue;
		name = output_name(&m->mem[i], out, one_dfu, &unmapped);
		print_memory(name ? name : out, &m->mem[i], sparse);
		free(name);
	}
	return 0;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->nin; i++) {
		free(m->in[i].path);
		fk_segs_free(&m->in[i].segs);
	}
	for (size_t i = 0; i < m->nmem; i++) {
		fk_segs_free(&m->mem[i].segs);
		free(m->mem[i].claims);
	}
	free(m->in);
	free(m->mem);
}

static int merge_run(struct merge *m, char **inputs, size_t n)
{
	size_t nflash = 0;

	m->in = calloc(n, sizeof(*m->in));
	m->nmem = m->layout ? m->layout->memory_count : 1;
	m->mem = calloc(m->nmem, sizeof(*m->mem));
	if (!m->in || !m->mem)
		return -1;
	for (size_t i = 0; m->layout && i < m->nmem; i++) {
		if (m->layout->memories[i].kind != FK_MEM_RAM)
			m->mem[nflash++].mem = &m->layout->memories[i];
	}
	if (m->layout)
		m->nmem = nflash;
	m->nin = n;
	for (size_t i = 0; i < n; i++) {
		m->in[i].arg = inputs[i];
		if (split_where(m, &m->in[i]) || load_input(&m->in[i]) ||
		    check_fits_partition(m, &m->in[i]) || place_input(m, i))
			return -1;
	}
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	const char *layout_path = NULL, *out = NULL, *format = NULL;
	const char *fill_text = NULL;
	int sparse = 0;
	const struct fk_option options[] = {
		{ 0, "layout", "FILE",
		  "layout: partition names, one output per "
		  "memory",
		  .value = &layout_path },
		{ 'o', "output", "FILE",
		  "output (with --layout: FILE-<memory>."
		  "ext per memory)",
		  .value = &out },
		{ 0, "format", "F",
		  "output format (default: from the "
		  "extension)",
		  .value = &format },
		{ 0, "fill", "X",
		  "fill gaps with X (default: the memory's "
		  "erased value, 0xFF without a layout)",
		  .value = &fill_text },
		{ 0, "sparse", NULL,
		  "no fill: only the inputs' bytes (HEX, "
		  "S-record, DfuSe)",
		  .flag = &sparse },
	};
	const struct fk_command_help help = {
		.usage = "flashkit merge [--layout L] INPUT@WHERE... -o OUT",
		.summary = "Merges binaries, images and HEX/S-record/ELF files "
			   "into one production file per memory.\nWHERE is a "
			   "partition of the layout or an address; files that "
			   "carry addresses need none.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_layout layout;
	struct fk_diag err = { 0 };
	struct merge m = { 0 };
	enum fk_format f = FK_FMT_UNKNOWN;
	uint64_t fill = 0xFF;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc != 0)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos < 1 || !out) {
		fk_error("merge needs at least one INPUT@WHERE and -o OUTPUT");
		return FK_EXIT_USAGE;
	}
	if (format && (f = fk_format_by_name(format)) == FK_FMT_UNKNOWN) {
		fk_error("unknown format '%s'", format);
		return FK_EXIT_USAGE;
	}
	if (fill_text && (fk_parse_u64(fill_text, &fill) || fill > 0xFF)) {
		fk_error("--fill: '%s' is not a byte value", fill_text);
		return FK_EXIT_USAGE;
	}
	f = fk_output_format(out, f, &err);
	if (f == FK_FMT_UNKNOWN) {
		return fk_cli_report(&err);
	}
	if (sparse && f != FK_FMT_IHEX && f != FK_FMT_SREC && f != FK_FMT_DFU) {
		fk_error("--sparse needs a HEX, S-record or DfuSe output; a %s "
			 "file cannot have holes",
			 fk_format_name(f));
		return FK_EXIT_USAGE;
	}
	if (layout_path) {
		if (fk_layout_load(layout_path, &layout, fk_cli_layout_opts()))
			return FK_EXIT_FAIL;
		m.layout = &layout;
	}
	rc = merge_run(&m, argv, (size_t)npos);
	if (!rc)
		rc = write_outputs(&m, out, f, fill_text, (uint8_t)fill,
				   sparse);
	merge_free(&m);
	if (layout_path)
		fk_layout_free(&layout);
	return rc ? FK_EXIT_FAIL : FK_EXIT_OK;
}
