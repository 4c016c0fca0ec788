/*
 * flashkit layout check|show|gen|draw: the layout file as the single
 * source of truth. check validates it against the hardware rules, show
 * prints the map and each image's maximum payload, gen writes every
 * derived file (header, linker scripts, JSON, devicetree overlay,
 * OpenOCD script, picture), draw writes the picture alone.
 *
 * The model, loader and checks live in tool/layout/; this file only
 * parses the command line and prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "layout/gen.h"
#include "layout/layout.h"
#include "layout/layout_internal.h"

static int load(const char *path, struct fk_layout *L, bool quiet_warnings)
{
	struct fk_layout_load_opts opts = { .no_warnings = quiet_warnings };
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
		{ 'q', "quiet", NULL, "print errors only, no warnings or "
		  "summary", 0, &quiet, NULL, NULL },
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
		printf("%s: valid: %u memories, %u partitions, %u images, %u "
		       "modules, %u warning%s\n", file, L.memory_count,
		       L.partition_count, L.image_count, L.module_count,
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
	printf("%-10s %-18s %-10s %-10s %7s  %-14s %-11s %s\n", "memory",
	       "partition", "start", "end", "size", "sectors", "role",
	       "protect");
	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		printf("%-10s %-18s 0x%08X 0x%08llX %7s  %-14s %-11s %s\n",
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
		       img->secondary >= 0 ? L->partitions[img->secondary].name
					   : "-",
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
		return rc == FK_EIO ? FK_EXIT_USAGE : FK_EXIT_FAIL;
	if (json)
		fk_gen_json(&L, stdout);
	else
		show_table(&L);
	fk_layout_free(&L);
	return FK_EXIT_OK;
}

struct sub {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct sub subs[] = {
	{ "check", layout_check, "validate a layout file" },
	{ "show", layout_show, "print the map and each image's max payload" },
};

int cmd_layout(int argc, char **argv)
{
	size_t n = sizeof(subs) / sizeof(subs[0]);

	if (argc >= 2) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(argv[1], subs[i].name))
				return subs[i].run(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help"))
		fk_error("unknown layout command '%s'", argv[1]);
	fprintf(argc >= 2 && (!strcmp(argv[1], "-h") ||
			      !strcmp(argv[1], "--help")) ? stdout : stderr,
		"usage: flashkit layout <command> FILE ...\n\ncommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(argc >= 2 && (!strcmp(argv[1], "-h") ||
				      !strcmp(argv[1], "--help")) ? stdout
								  : stderr,
			"  %-8s %s\n", subs[i].name, subs[i].summary);
	return argc >= 2 && (!strcmp(argv[1], "-h") ||
			     !strcmp(argv[1], "--help")) ? FK_EXIT_OK
							 : FK_EXIT_USAGE;
}
