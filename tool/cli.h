/*
 * What every subcommand shares: the command table, the option parser
 * (which also prints --help from the same table), diagnostics, and file
 * helpers that never leave a half-written output behind.
 *
 * Each subcommand lives in tool/cmd_<name>.c with one entry function
 * cmd_<name>(argc, argv), argv[0] being the subcommand's name.
 */
#ifndef FLASHKIT_TOOL_CLI_H
#define FLASHKIT_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"

/* Exit codes of every subcommand. */
enum {
	FK_EXIT_OK = 0,
	FK_EXIT_FAIL = 1,  /* the input is invalid / the check failed */
	FK_EXIT_USAGE = 2, /* the command line is wrong, or I/O failed */
};

/* A list of values gathered from a repeated option. */
#define FK_OPT_LIST_MAX 64
struct fk_opt_list {
	int count;                         /* values stored */
	const char *values[FK_OPT_LIST_MAX];
};

/* One option. Exactly one of flag, value, list is set. */
struct fk_option {
	char short_name;       /* 'k' for -k, or 0 */
	const char *long_name; /* "key" for --key, or NULL */
	const char *metavar;   /* "FILE"; NULL for a flag */
	const char *help;      /* one line */
	int nargs;             /* values per occurrence for lists, default 1 */
	int *flag;             /* flag: incremented at each occurrence */
	const char **value;    /* single value: the last occurrence wins */
	struct fk_opt_list *list; /* repeated: each value appended */
};

struct fk_command_help {
	const char *usage;       /* "flashkit layout check FILE" */
	const char *summary;     /* one paragraph */
	const struct fk_option *options;
	size_t option_count;
};

/*
 * Parses argv[1..argc) against the options. Options and positional
 * arguments may be mixed; "--" ends options. Positional arguments are
 * moved, in order, to argv[0..*npos). "--opt=value" and "-kVALUE" work.
 * -h/--help prints the help to stdout and returns 1.
 * Returns 0 on success, 1 for help shown, -1 after printing an error.
 */
int fk_opt_parse(const struct fk_command_help *help, int argc, char **argv,
		 int *npos);
void fk_opt_print_help(const struct fk_command_help *help, FILE *out);

/* "flashkit: error: ..." on stderr. */
void fk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fk_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a number with the one grammar (common/number.h): decimal, 0x
 * hex, '_' between digits, an optional K/M/G suffix (binary multiples),
 * no octal. Returns 0 or -1 (nothing printed). */
int fk_parse_u64(const char *text, uint64_t *out);

/*
 * The value of a command-line option as a number of the same grammar,
 * at most max: returns 0, or prints "flashkit: error: --OPT 'TEXT' ..."
 * naming the value and what is wrong with it, and returns -1. option is
 * the option as the user writes it ("--count").
 */
int fk_opt_number(const char *option, const char *text, uint64_t max,
		  uint64_t *out);

/*
 * The CLI's diagnostics sink: prints each message of the host libraries
 * to stderr in the one form (fk_diag_format). main() installs it as the
 * default sink; commands that do not show the layout (everything but
 * `layout check/show/gen/draw`) set no_warnings, and main() prints one
 * note at the end saying how many warnings were only counted.
 */
struct fk_diag *fk_cli_diag(void);

/* "FILE:LINE:COL: SEVERITY: " + message on out (stderr when NULL),
 * through fk_diag_format: for commands that report a problem at a
 * position of a file they read. severity: "error", "warning", "note". */
void fk_layout_diag(FILE *out, const struct fk_pos *pos, const char *severity,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reads a whole file into a malloc'd buffer (NUL-terminated past len).
 * Prints the error and returns -1 on failure. */
int fk_read_file(const char *path, uint8_t **data, size_t *len);

/*
 * Output files are written to "PATH.tmp-XXXXXX" beside PATH and renamed
 * over PATH only on fk_out_commit(), so a failure never leaves a
 * half-written PATH. fk_out_abort() removes the temporary file.
 */
struct fk_outfile {
	FILE *fp;
	char *path;
	char *tmp_path;
};
int fk_out_open(struct fk_outfile *out, const char *path);
int fk_out_commit(struct fk_outfile *out);
void fk_out_abort(struct fk_outfile *out);
/* Whole buffer at once, same guarantee. */
int fk_write_file(const char *path, const void *data, size_t len);
/* Same, readable by the owner only (0600): private keys. */
int fk_write_secret_file(const char *path, const void *data, size_t len);

/*
 * Several output files that appear together or not at all (one file per
 * memory): fk_outset_add() writes each to its temporary file and syncs
 * it; fk_outset_commit() renames them all into place only once every one
 * is written; fk_outset_abort() removes them. A path that is a folder is
 * refused by fk_outset_add(), before anything is renamed.
 */
struct fk_outset {
	size_t count;
	struct fk_outfile *files;
};
void fk_outset_init(struct fk_outset *set);
int fk_outset_add(struct fk_outset *set, const char *path, const void *data,
		  size_t len);
int fk_outset_commit(struct fk_outset *set);
void fk_outset_abort(struct fk_outset *set);

/*
 * For batches of new files (one per device): written to an unnamed file
 * (O_TMPFILE, else a temporary name) and linked to PATH only if PATH does
 * not exist yet, so a file is never half-written and never replaced. No
 * fsync: the caller makes the whole batch durable at once (syncfs) before
 * it counts the files as done. secret: readable by the owner only (0600),
 * for files holding per-device keys. Returns 0, 1 when PATH already
 * exists (nothing written, no message), or -1 after printing the error.
 */
int fk_write_new_file_nosync(const char *path, const void *data, size_t len,
			     bool secret);

#endif
