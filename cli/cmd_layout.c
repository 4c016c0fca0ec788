/*
 * flashkit layout check|show|gen|draw|import: the layout file as the
 * single source of truth. check validates it against the hardware rules,
 * show prints the map and each image's maximum payload, gen writes every
 * derived file (header, linker scripts, JSON, devicetree overlay,
 * OpenOCD script, picture, optionally an ESP-IDF partition table), draw
 * writes the picture alone, import turns an ESP-IDF partitions.csv or a
 * Nordic pm_static.yml into a layout.
 *
 * The model, loader and checks live in host/layout/; this file only
 * parses the command line and prints.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "formats/files.h"
#include "layout/gen.h"
#include "layout/import.h"
#include "layout/layout.h"
#include "layout/layout_internal.h"

static int load(const char *path, struct fk_layout *L, bool quiet_warnings)
{
	struct fk_layout_load_opts opts = { .diag = fk_cli_diag(),
					    .no_warnings = quiet_warnings };
	int rc = fk_layout_load(path, L, &opts);

	if (rc == FK_EINVAL)
		fprintf(stderr, "%s: %u error%s; the layout is not valid\n",
			path, L->error_count, L->error_count == 1 ? "" : "s");
	return rc;
}

/* Parses the options and the one FILE argument. Returns -1 to go on,
 * or the exit code. */
static int parse_file_arg(const struct fk_command_help *help, int argc,
			  char **argv, const char **file)
{
	int npos, rc = fk_opt_parse(help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1) {
		fk_error("usage: %s (see --help)", help->usage);
		return FK_EXIT_USAGE;
	}
	*file = argv[0];
	return -1;
}

static int layout_check(int argc, char **argv)
{
	static int quiet;
	static const struct fk_option options[] = {
		{ 'q', "quiet", NULL,
		  "print errors only, no warnings or "
		  "summary",
		  0, &quiet, NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit layout check FILE",
		.summary = "Checks a layout file against the hardware rules. "
			   "Exit 0 when valid; otherwise exit 1 with "
			   "FILE:LINE:COL: error: lines on stderr.",
		.options = options,
		.option_count = 1,
	};
	struct fk_layout L;
	const char *file;
	int rc = parse_file_arg(&help, argc, argv, &file);

	if (rc >= 0)
		return rc;
	rc = load(file, &L, quiet);
	if (rc == FK_EIO)
		return FK_EXIT_USAGE;
	if (rc)
		return FK_EXIT_FAIL;
	if (!quiet)
		printf("%s: valid: %u memor%s, %u partition%s, %u image%s, "
		       "%u module%s, %u warning%s\n",
		       file, L.memory_count, L.memory_count == 1 ? "y" : "ies",
		       L.partition_count, L.partition_count == 1 ? "" : "s",
		       L.image_count, L.image_count == 1 ? "" : "s",
		       L.module_count, L.module_count == 1 ? "" : "s",
		       L.warning_count, L.warning_count == 1 ? "" : "s");
	fk_layout_free(&L);
	return FK_EXIT_OK;
}

static const char *sectors_text(const struct fk_layout *L,
				const struct fk_layout_partition *p, char *buf,
				size_t len)
{
	const struct fk_layout_memory *m = &L->memories[p->memory];
	uint32_t idx, start, size;
	char s[32];

	if (m->kind == FK_MEM_RAM) {
		snprintf(buf, len, "-");
		return buf;
	}
	fk_layout_sector_at(m, p->offset, &idx, &start, &size);
	if (p->sector_count == 1)
		snprintf(buf, len, "%u (%s)", p->first_sector,
			 fk_layout_fmt_size(s, sizeof(s), size));
	else
		snprintf(buf, len, "%u-%u (%u)", p->first_sector,
			 p->first_sector + p->sector_count - 1,
			 p->sector_count);
	return buf;
}

static void show_table(const struct fk_layout *L)
{
	char size[32], sec[48];

	if (L->title)
		printf("%s\n\n", L->title);
	printf("%-10s %-18s %-10s %-10s %7s  %-16s %-11s %s\n", "memory",
	       "partition", "start", "end", "size", "sectors", "role",
	       "protect");
	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		printf("%-10s %-18s 0x%08X 0x%08llX %7s  %-16s %-11s %s\n",
		       L->memories[p->memory].name, p->name, p->address,
		       (unsigned long long)p->address + p->size,
		       fk_layout_fmt_size(size, sizeof(size), p->size),
		       sectors_text(L, p, sec, sizeof(sec)),
		       fk_layout_role_name(p->role),
		       fk_layout_protect_name(p->protect));
	}
	if (!L->image_count)
		return;
	printf("\n%-12s %2s %-9s %-14s %-14s %6s %7s %12s\n", "image", "id",
	       "strategy", "primary", "secondary", "header", "trailer",
	       "max payload");
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		uint32_t max = fk_layout_image_max_payload(L, img);

		printf("%-12s %2u %-9s %-14s %-14s %#6x %7u %12u  (%.1f KiB)\n",
		       img->name, img->id,
		       fk_layout_strategy_name(img->strategy),
		       L->partitions[img->primary].name,
		       img->secondary >= 0 ?
			       L->partitions[img->secondary].name :
			       "-",
		       img->header_size, fk_layout_image_trailer(L, img), max,
		       max / 1024.0);
	}
}

static int layout_show(int argc, char **argv)
{
	static int json;
	static const struct fk_option options[] = {
		{ 0, "json", NULL, "print layout.json instead of the table", 0,
		  &json, NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit layout show FILE [--json]",
		.summary = "Prints the map (memory, partition, start, end, "
			   "size, sectors, role) and, for each image, the "
			   "largest firmware binary that fits its slots.",
		.options = options,
		.option_count = 1,
	};
	struct fk_layout L;
	const char *file;
	int rc = parse_file_arg(&help, argc, argv, &file);

	if (rc >= 0)
		return rc;
	rc = load(file, &L, json);
	if (rc)
		return fk_cli_layout_status(rc);
	if (json)
		fk_gen_json(&L, stdout);
	else
		show_table(&L);
	fk_layout_free(&L);
	return FK_EXIT_OK;
}

/* One generated file, held in memory until every file is ready. */
struct gen_file {
	char name[128];
	char *data;
	size_t len;
};

struct gen_set {
	struct gen_file files[3 * FK_LAYOUT_MAX_REFS + 64];
	size_t count;
	bool overflow;
	bool nomem;
};

static FILE *gen_begin(struct gen_set *set, const char *name)
{
	struct gen_file *f;
	FILE *fp;

	if (set->count >= sizeof(set->files) / sizeof(set->files[0])) {
		set->overflow = true;
		return NULL;
	}
	f = &set->files[set->count++];
	snprintf(f->name, sizeof(f->name), "%.*s", (int)sizeof(f->name) - 1,
		 name);
	fp = open_memstream(&f->data, &f->len);
	if (!fp) {
		set->count--;
		set->nomem = true;
	}
	return fp;
}

static bool bootloader_managed(const struct fk_layout *L)
{
	for (uint32_t i = 0; i < L->image_count; i++)
		if (L->images[i].strategy != FK_STRATEGY_NONE)
			return true;
	return false;
}

static void gen_all(const struct fk_layout *L, struct gen_set *set,
		    int esp_memory)
{
	char name[160];
	FILE *fp;

#define EMIT(filename, call)                   \
	do {                                   \
		fp = gen_begin(set, filename); \
		if (fp) {                      \
			call;                  \
			fclose(fp);            \
		}                              \
	} while (0)

	EMIT("flash_layout.h", fk_gen_c_header(L, fp));
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		if (img->strategy != FK_STRATEGY_XIP) {
			snprintf(name, sizeof(name), "%s.ld", img->name);
			EMIT(name, fk_gen_ld_image(L, img, 0, fp));
			continue;
		}
		for (int slot = 0; slot < 2; slot++) {
			uint32_t part =
				slot ? (uint32_t)img->secondary : img->primary;

			snprintf(name, sizeof(name), "%s-%s.ld", img->name,
				 L->partitions[part].name);
			EMIT(name, fk_gen_ld_image(L, img, slot, fp));
		}
	}
	for (uint32_t i = 0; i < L->module_count; i++) {
		snprintf(name, sizeof(name), "module-%s.ld",
			 L->modules[i].name);
		EMIT(name, fk_gen_ld_module(L, &L->modules[i], fp));
	}
	/* a layout of plain images only (strategy none) has no bootloader
	 * to configure: no boot_config.c, and an earlier one goes */
	if (bootloader_managed(L))
		EMIT("boot_config.c", fk_gen_boot_config(L, fp));
	EMIT("layout.json", fk_gen_json(L, fp));
	EMIT("layout.overlay", fk_gen_dts(L, fp));
	EMIT("program.cfg", fk_gen_openocd(L, fp));
	EMIT("layout.svg", set->nomem |= fk_gen_svg(L, fp) != 0);
	if (esp_memory >= 0)
		EMIT("partitions.csv",
		     fk_gen_esp_csv(L, (uint32_t)esp_memory, fp));
#undef EMIT
}

/* What gen wrote into a folder, so that the next gen removes the files
 * a changed layout no longer makes, and nothing else. */
#define GEN_LIST ".flashkit-gen"

static bool in_set(const struct gen_set *set, const char *name)
{
	for (size_t i = 0; i < set->count; i++)
		if (!strcmp(set->files[i].name, name))
			return true;
	return false;
}

/* Removes the files the last gen into dir listed and this one does not
 * make: only plain names of regular files. */
static void remove_stale(const char *dir, const struct gen_set *set,
			 bool verbose)
{
	char path[4096];
	struct fk_diag err = { 0 };
	uint8_t *list;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, GEN_LIST);
	if (access(path, F_OK) != 0 ||
	    fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT), &list, &len,
			 &err))
		return;
	for (char *name = (char *)list, *nl; *name; name = nl + 1) {
		struct stat st;

		nl = strchr(name, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (!*name || name[0] == '.' || strchr(name, '/') ||
		    in_set(set, name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    unlink(path) == 0 && verbose)
			printf("removed %s (no longer generated)\n", path);
	}
	free(list);
}

static int write_list(const char *dir, const struct gen_set *set,
		      struct fk_diag *err)
{
	char path[4096];
	struct fk_buf b = { 0 };
	int rc = 0;

	for (size_t i = 0; i < set->count && !rc; i++)
		rc = fk_buf_put(&b, set->files[i].name,
				strlen(set->files[i].name)) ||
		     fk_buf_put(&b, "\n", 1);
	snprintf(path, sizeof(path), "%s/%s", dir, GEN_LIST);
	rc = rc ? fk_fail(err, "out of memory") :
		  fk_file_write(path, b.p, b.len, FK_OUT_UPDATE, err);
	fk_buf_free(&b);
	return rc;
}

/*
 * Writes every file of the set into dir (created with its parents): all
 * go to temporary files first, and only when every one is written are
 * they renamed into place, so a failure leaves the folder as it was.
 * Then the files of an earlier gen this layout no longer makes go.
 */
static int write_set(const char *dir, struct gen_set *set, bool verbose)
{
	struct fk_atomic_set out;
	struct fk_diag err = { 0 };
	char path[4096];
	int rc = 0;

	fk_atomic_set_init(&out);
	for (size_t i = 0; i < set->count && !rc; i++) {
		struct gen_file *f = &set->files[i];

		snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		rc = fk_atomic_set_add(&out, path, f->data, f->len, 0, &err);
	}
	if (rc || fk_atomic_set_commit(&out, &err)) {
		fk_atomic_set_abort(&out);
		fk_cli_report(&err);
		return -1;
	}
	for (size_t i = 0; i < set->count && verbose; i++)
		printf("wrote %s/%s\n", dir, set->files[i].name);
	remove_stale(dir, set, verbose);
	if (write_list(dir, set, &err)) {
		fk_cli_report(&err);
		return -1;
	}
	return 0;
}

static void free_set(struct gen_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->files[i].data);
}

static int layout_gen(int argc, char **argv)
{
	static const char *outdir;
	static int verbose, esp_idf;
	static const struct fk_option options[] = {
		{ 'o', "output", "DIR",
		  "folder to write into (created if "
		  "missing)",
		  0, NULL, &outdir, NULL },
		{ 'v', "verbose", NULL, "list the files written", 0, &verbose,
		  NULL, NULL },
		{ 0, "esp-idf", NULL,
		  "also write partitions.csv, an ESP-IDF partition table", 0,
		  &esp_idf, NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit layout gen FILE -o DIR",
		.summary =
			"Checks the layout, then writes flash_layout.h, a "
			"linker script per image (per slot for xip "
			"images) and per module, boot_config.c (the "
			"bootloader's configuration; none when every "
			"image has strategy none), layout.json, "
			"layout.overlay (Zephyr), program.cfg (OpenOCD) "
			"and layout.svg into DIR (created with its parents); "
			"with --esp-idf also partitions.csv, the ESP-IDF "
			"partition table of the memory whose partitions have "
			"an esp-idf key (else of the only flash). "
			"Nothing is written when the layout is invalid. "
			"Files an earlier gen wrote into DIR that this "
			"layout no longer makes are removed (DIR/" GEN_LIST
			" lists them); no other file is touched.",
		.options = options,
		.option_count = 3,
	};
	struct fk_layout L;
	struct gen_set *set;
	const char *file;
	int esp_memory = -1;
	int rc = parse_file_arg(&help, argc, argv, &file);

	if (rc >= 0)
		return rc;
	if (!outdir) {
		fk_error("layout gen needs -o DIR");
		return FK_EXIT_USAGE;
	}
	fk_file_note_input(file);
	rc = load(file, &L, false);
	if (rc)
		return fk_cli_layout_status(rc);
	if (esp_idf) {
		esp_memory = fk_gen_esp_memory(&L);
		if (esp_memory < 0) {
			fk_error("%s: --esp-idf: %s", file,
				 esp_memory == -1 ?
					 "the layout has no flash memory" :
					 "which memory's partition table? "
					 "give the partitions of one memory "
					 "an 'esp-idf' key");
			fk_layout_free(&L);
			return FK_EXIT_FAIL;
		}
	}
	set = calloc(1, sizeof(*set));
	if (!set) {
		fk_layout_free(&L);
		fk_error("out of memory");
		return FK_EXIT_IO;
	}
	gen_all(&L, set, esp_memory);
	if (set->nomem) {
		fk_error("out of memory");
		rc = FK_EXIT_IO;
	} else if (set->overflow) {
		fk_error("the layout makes more files than one run can write");
		rc = FK_EXIT_FAIL;
	} else {
		rc = write_set(outdir, set, verbose) ? FK_EXIT_IO : FK_EXIT_OK;
	}
	free_set(set);
	free(set);
	fk_layout_free(&L);
	return rc;
}

static int layout_draw(int argc, char **argv)
{
	static const char *output;
	static const struct fk_option options[] = {
		{ 'o', "output", "FILE", "the SVG to write", 0, NULL, &output,
		  NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit layout draw FILE -o map.svg",
		.summary = "Draws the layout as an SVG: one column per memory, "
			   "partitions to scale with names, sizes, addresses "
			   "and roles, and the images with their maximum "
			   "payload.",
		.options = options,
		.option_count = 1,
	};
	struct fk_layout L;
	struct fk_diag err = { 0 };
	struct fk_atomic out;
	const char *file;
	int rc = parse_file_arg(&help, argc, argv, &file);

	if (rc >= 0)
		return rc;
	if (!output) {
		fk_error("layout draw needs -o FILE");
		return FK_EXIT_USAGE;
	}
	fk_file_note_input(file);
	rc = load(file, &L, false);
	if (rc)
		return fk_cli_layout_status(rc);
	if (fk_atomic_open(&out, output, 0, &err)) {
		fk_layout_free(&L);
		return fk_cli_report(&err);
	}
	if (fk_gen_svg(&L, out.fp)) {
		fk_atomic_abort(&out);
		fk_layout_free(&L);
		fk_error("out of memory");
		return FK_EXIT_IO;
	}
	fk_layout_free(&L);
	if (fk_atomic_commit(&out, &err)) {
		return fk_cli_report(&err);
	}
	return FK_EXIT_OK;
}

/* Which importer: --from, else the file name's ending. */
static int import_kind(const char *from, const char *file)
{
	size_t n = strlen(file);

	if (from)
		return !strcmp(from, "esp-idf") ? 0 :
		       !strcmp(from, "pm")	? 1 :
						  -1;
	if (n >= 4 && !strcmp(file + n - 4, ".csv"))
		return 0;
	if ((n >= 4 && !strcmp(file + n - 4, ".yml")) ||
	    (n >= 5 && !strcmp(file + n - 5, ".yaml")))
		return 1;
	return -2;
}

static int import_number(const char *option, const char *text, uint32_t *out)
{
	uint64_t v;

	if (!text)
		return 0;
	if (fk_opt_number(option, text, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The imported text must load as a valid layout before it is written. */
static int import_check(const char *output, const char *yaml, size_t len)
{
	struct fk_layout L;
	struct fk_layout_load_opts opts = { .diag = fk_cli_diag(),
					    .no_warnings = true };
	int rc = fk_layout_load_buffer(output, yaml, len, &L, &opts);

	if (rc) {
		fk_error("the imported layout does not load (a bug of the "
			 "import: please report it with the input file)");
		return fk_cli_layout_status(rc);
	}
	/* the summary goes to stderr when the layout itself goes to stdout */
	fprintf(strcmp(output, "<stdout>") ? stdout : stderr,
		"%s: %u memor%s, %u partition%s\n", output, L.memory_count,
		L.memory_count == 1 ? "y" : "ies", L.partition_count,
		L.partition_count == 1 ? "" : "s");
	fk_layout_free(&L);
	return FK_EXIT_OK;
}

static int layout_import(int argc, char **argv)
{
	static const char *output, *from, *table_offset, *flash_size,
		*sector_size, *flash_base;
	static const struct fk_option options[] = {
		{ 'o', "output", "FILE", "the layout to write ('-': stdout)", 0,
		  NULL, &output, NULL },
		{ 0, "from", "KIND",
		  "esp-idf (partitions.csv) or pm (pm_static.yml); default: "
		  "by the file name",
		  0, NULL, &from, NULL },
		{ 0, "table-offset", "OFFSET",
		  "ESP-IDF: the partition table's offset (default 0x8000)", 0,
		  NULL, &table_offset, NULL },
		{ 0, "flash-size", "SIZE",
		  "size of the (primary) flash, e.g. 4M", 0, NULL, &flash_size,
		  NULL },
		{ 0, "sector-size", "SIZE",
		  "pm: the flash's page size (default 4K)", 0, NULL,
		  &sector_size, NULL },
		{ 0, "flash-base", "ADDR",
		  "pm: flash_primary's bus address (default 0; 0x01000000 on "
		  "the nRF5340 network core)",
		  0, NULL, &flash_base, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit layout import FILE -o LAYOUT",
		.summary = "Turns an ESP-IDF partition table (partitions.csv) "
			   "or a Nordic Partition Manager pm_static.yml into "
			   "a layout file: memories and partitions, no "
			   "images. Notes on stderr (and as comments at the "
			   "top of LAYOUT) say what maps to what and what "
			   "was dropped. Errors are FILE:LINE:COL; nothing "
			   "is written unless the result is a valid layout.",
		.options = options,
		.option_count = 6,
	};
	struct fk_import_opts io = { 0 };
	struct fk_diag err = { 0 };
	const char *file;
	uint8_t *text;
	size_t len, ylen;
	char *yaml = NULL;
	int kind, rc = parse_file_arg(&help, argc, argv, &file);

	if (rc >= 0)
		return rc;
	kind = import_kind(from, file);
	if (!output || kind < 0) {
		fk_error(!output    ? "layout import needs -o LAYOUT" :
			 kind == -1 ? "--from takes esp-idf or pm" :
				      "which format is it? give --from "
				      "esp-idf or --from pm");
		return FK_EXIT_USAGE;
	}
	if (import_number("--table-offset", table_offset, &io.table_offset) ||
	    import_number("--flash-size", flash_size, &io.flash_size) ||
	    import_number("--sector-size", sector_size, &io.sector_size) ||
	    import_number("--flash-base", flash_base, &io.flash_base))
		return FK_EXIT_USAGE;
	if (fk_file_read(file, fk_input_cap(FK_INPUT_CAP_TEXT), &text, &len,
			 &err))
		return fk_cli_report(&err);
	rc = (kind == 0 ? fk_import_esp_csv : fk_import_pm_static)(
		file, (const char *)text, len, &io, fk_cli_diag(), &yaml,
		&ylen);
	free(text);
	if (rc) {
		fk_error("%s: not imported%s", file,
			 rc == FK_ENOSPC ? ": out of memory" : "");
		return rc == FK_ENOSPC ? FK_EXIT_IO : FK_EXIT_FAIL;
	}
	rc = import_check(strcmp(output, "-") ? output : "<stdout>", yaml,
			  ylen);
	if (rc == FK_EXIT_OK) {
		if (!strcmp(output, "-"))
			fwrite(yaml, 1, ylen, stdout);
		else if (fk_file_write(output, yaml, ylen, 0, &err))
			rc = fk_cli_report(&err);
	}
	free(yaml);
	return rc;
}

static const struct fk_subcommand subs[] = {
	{ "check", layout_check, "validate a layout file" },
	{ "show", layout_show, "print the map and each image's max payload" },
	{ "gen", layout_gen,
	  "write header, linker scripts, JSON, overlay, "
	  "OpenOCD script, SVG" },
	{ "draw", layout_draw, "draw the layout as an SVG" },
	{ "import", layout_import,
	  "make a layout from ESP-IDF partitions.csv or Nordic "
	  "pm_static.yml" },
};

int cmd_layout(int argc, char **argv)
{
	return fk_subcommand_run("layout", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
