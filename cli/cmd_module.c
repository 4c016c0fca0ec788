/*
 * flashkit module gen: from a module's exports file and the layout,
 * writes the module's entry table and init, its linker script, the
 * application's import header and linker fragment, and the lock file
 * that keeps the table append-only (docs/modules.md).
 *
 * The reader, the hash chain and the generators live in host/module/;
 * this file parses the command line, reads the files and prints.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "formats/files.h"
#include "layout/gen.h"
#include "layout/layout.h"
#include "module/exports.h"
#include "module/module_gen.h"

/* Reads and parses an exports file (or lock: the same grammar), with
 * the header `from` names, relative to the file's folder. */
static int read_exports(const char *path, struct fk_exports *ex,
			struct fk_diag *err)
{
	uint8_t *text;
	size_t len;
	int rc;

	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT), &text, &len,
			 err))
		return -1;
	rc = fk_exports_parse(path, (const char *)text, len, ex, fk_cli_diag());
	free(text);
	if (rc || !ex->from[0])
		return rc;
	{
		const char *slash = strrchr(path, '/');
		int dir = slash && ex->from[0] != '/' ?
				  (int)(slash - path + 1) :
				  0;
		char hpath[4096];

		snprintf(hpath, sizeof(hpath), "%.*s%s", dir, path, ex->from);
		if (fk_file_read(hpath, fk_input_cap(FK_INPUT_CAP_TEXT), &text,
				 &len, err)) {
			fk_exports_free(ex);
			return -1;
		}
		rc = fk_exports_add_header(ex, hpath, (const char *)text, len,
					   fk_cli_diag());
		free(text);
	}
	if (rc)
		fk_exports_free(ex);
	return rc;
}

/* One generated file, in memory until the set is written. */
struct out_file {
	char path[4096];
	char *data;
	size_t len;
};

static FILE *begin(struct out_file *f, const char *dir, const char *name)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);
	return open_memstream(&f->data, &f->len);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

#define OUT_FILES 5

static int write_all(struct out_file *f, size_t n)
{
	struct fk_atomic_set set;
	struct fk_diag err = { 0 };
	int rc = 0;

	fk_atomic_set_init(&set);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fk_atomic_set_add(&set, f[i].path, f[i].data, f[i].len,
				       FK_OUT_UPDATE, &err);
	if (rc || fk_atomic_set_commit(&set, &err)) {
		fk_atomic_set_abort(&set);
		return fk_cli_report(&err);
	}
	return FK_EXIT_OK;
}

static int generate(const struct fk_layout *L,
		    const struct fk_layout_module *mod,
		    const struct fk_exports *ex, const char *exports,
		    const char *lock, const char *dir, int verbose)
{
	struct out_file f[OUT_FILES] = { 0 };
	const char *src = base_name(exports);
	char name[160], s[64];
	bool ok = true;
	FILE *fp;
	int rc;

	fk_gen_symbol(s, sizeof(s), ex->name);
	snprintf(name, sizeof(name), "%s_table.c", s);
	if ((fp = begin(&f[0], dir, name)))
		fk_module_gen_table(ex, src, fp), ok &= fclose(fp) == 0;
	snprintf(name, sizeof(name), "%s_import.h", s);
	if ((fp = begin(&f[1], dir, name)))
		fk_module_gen_import(ex, src, fp), ok &= fclose(fp) == 0;
	snprintf(name, sizeof(name), "%s_import.ld", s);
	if ((fp = begin(&f[2], dir, name)))
		fk_module_gen_import_ld(L, mod, src, fp), ok &= fclose(fp) == 0;
	snprintf(name, sizeof(name), "module-%s.ld", ex->name);
	if ((fp = begin(&f[3], dir, name)))
		fk_gen_ld_module(L, mod, fp), ok &= fclose(fp) == 0;
	snprintf(f[4].path, sizeof(f[4].path), "%s", lock);
	if ((fp = open_memstream(&f[4].data, &f[4].len)))
		fk_module_gen_lock(ex, fp), ok &= fclose(fp) == 0;
	for (size_t i = 0; i < OUT_FILES; i++)
		ok &= f[i].data != NULL;
	if (!ok) {
		fk_error("out of memory");
		rc = FK_EXIT_IO;
	} else {
		rc = write_all(f, OUT_FILES);
	}
	for (size_t i = 0; i < OUT_FILES; i++) {
		if (rc == FK_EXIT_OK && verbose)
			printf("wrote %s\n", f[i].path);
		free(f[i].data);
	}
	return rc;
}

/* The lock of the last run, if any, against the exports now. */
static int check_lock(const char *lock, const struct fk_exports *ex)
{
	struct fk_exports old;
	struct fk_diag err = { 0 };
	int rc;

	if (access(lock, F_OK) != 0)
		return FK_EXIT_OK;
	if (read_exports(lock, &old, &err))
		return err.errors ? fk_cli_report(&err) : FK_EXIT_FAIL;
	rc = fk_module_lock_check(ex, &old, fk_cli_diag());
	fk_exports_free(&old);
	return rc ? FK_EXIT_FAIL : FK_EXIT_OK;
}

static const struct fk_layout_module *find_module(const struct fk_layout *L,
						  const struct fk_exports *ex)
{
	const struct fk_layout_module *mod = fk_layout_find_module(L, ex->name);
	char names[512] = "";
	size_t o = 0;

	if (mod)
		return mod;
	for (uint32_t i = 0; i < L->module_count && o < sizeof(names); i++)
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s'%s'",
				      i ? ", " : "", L->modules[i].name);
	fk_layout_diag(NULL, &ex->pos_name, "error",
		       "the layout %s has no module '%s' (its modules: %s)",
		       L->path, ex->name, L->module_count ? names : "none");
	return NULL;
}

static int module_gen(int argc, char **argv)
{
	static const char *layout, *outdir, *lock;
	static int verbose;
	static const struct fk_option options[] = {
		{ 'l', "layout", "FILE", "the layout naming the module", 0,
		  NULL, &layout, NULL },
		{ 'o', "output", "DIR", "folder to write into", 0, NULL,
		  &outdir, NULL },
		{ 0, "lock", "FILE",
		  "the lock file (default: EXPORTS.lock); commit it", 0, NULL,
		  &lock, NULL },
		{ 'v', "verbose", NULL, "list the files written", 0, &verbose,
		  NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit module gen EXPORTS --layout FILE -o DIR",
		.summary =
			"Reads the module's exports file (its functions, in "
			"table order; grammar in docs/modules.md) and writes "
			"into DIR: <m>_table.c (the entry table, after the "
			"image header, and the init that sets up the "
			"module's .data and .bss in its own RAM), "
			"module-<m>.ld (the module's link), <m>_import.h "
			"(the application's calls and <m>_bind()) and "
			"<m>_import.ld (the table's address for a linker "
			"script of your own). The lock file records the "
			"table: a later run refuses a function removed, "
			"moved or changed unless `api` is raised. Nothing "
			"is written when anything fails.",
		.options = options,
		.option_count = 4,
	};
	struct fk_exports ex;
	struct fk_diag err = { 0 };
	struct fk_layout L;
	const struct fk_layout_module *mod;
	char lockbuf[4096];
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || !layout || !outdir) {
		fk_error("module gen needs EXPORTS, --layout FILE and -o DIR");
		return FK_EXIT_USAGE;
	}
	if (!lock) {
		snprintf(lockbuf, sizeof(lockbuf), "%s.lock", argv[0]);
		lock = lockbuf;
	}
	if (read_exports(argv[0], &ex, &err))
		return err.errors ? fk_cli_report(&err) : FK_EXIT_FAIL;
	rc = fk_layout_load(layout, &L, fk_cli_layout_opts());
	if (rc) {
		fk_exports_free(&ex);
		return fk_cli_layout_status(rc);
	}
	mod = find_module(&L, &ex);
	rc = mod ? check_lock(lock, &ex) : FK_EXIT_FAIL;
	if (rc == FK_EXIT_OK)
		rc = generate(&L, mod, &ex, argv[0], lock, outdir, verbose);
	fk_layout_free(&L);
	fk_exports_free(&ex);
	return rc;
}

static const struct fk_subcommand subs[] = {
	{ "gen", module_gen,
	  "entry table, init, linker scripts and import header of a "
	  "library module" },
};

int cmd_module(int argc, char **argv)
{
	return fk_subcommand_run("module", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
