/*
 * What every subcommand shares: the command table, the option parser
 * (which also prints --help from the same table), diagnostics, and file
 * helpers that never leave a half-written output behind.
 *
 * Each subcommand lives in cli/cmd_<name>.c with one entry function
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
	FK_EXIT_USAGE = 2, /* the command line is wrong */
	FK_EXIT_IO = 3,	   /* a file could not be read or written, or
			    * memory ran out */
};

/* A list of values gathered from a repeated option. */
#define FK_OPT_LIST_MAX 64
struct fk_opt_list {
	int count; /* values stored */
	const char *values[FK_OPT_LIST_MAX];
};

/* One option. Exactly one of flag, value, list is set. */
struct fk_option {
	char short_name;       /* 'k' for -k, or 0 */
	const char *long_name; /* "key" for --key, or NULL */
	const char *metavar;   /* "FILE"; NULL for a flag */
	const char *help;      /* one line */
	int nargs;	       /* values per occurrence for lists, default 1 */
	int *flag;	       /* flag: incremented at each occurrence */
	const char **value;    /* single value: the last occurrence wins */
	struct fk_opt_list *list; /* repeated: each value appended */
};

struct fk_command_help {
	const char *usage;   /* "flashkit layout check FILE" */
	const char *summary; /* one paragraph */
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

/* One subcommand of a command with several ("layout check"). */
struct fk_subcommand {
	const char *name;		   /* "check" */
	int (*run)(int argc, char **argv); /* argv[0] is name */
	const char *summary;		   /* one line, for the help */
};

/*
 * Runs the subcommand argv[1] names from subs[0..n) with argv[1..], or
 * prints the help generated from the table (to stdout for -h/--help, exit
 * 0; to stderr after "unknown <command> subcommand 'X'" or when none is
 * given, exit FK_EXIT_USAGE). command is "layout".
 */
int fk_subcommand_run(const char *command, const struct fk_subcommand *subs,
		      size_t n, int argc, char **argv);

/*
 * Walking the command tree, for what is generated from the option tables
 * (cli/docgen: man pages, bash and zsh completion). While a walker is
 * set, fk_opt_parse() hands each command's table to help() instead of
 * parsing (and returns 1, "help shown"), and fk_subcommand_run() hands
 * its table to subcommands() and then runs each subcommand the same way.
 * path is the command as typed after "flashkit" ("layout check").
 */
struct fk_cli_walker {
	void *ctx;
	void (*help)(void *ctx, const char *path,
		     const struct fk_command_help *help);
	void (*subcommands)(void *ctx, const char *path,
			    const struct fk_subcommand *subs, size_t n);
};

/* Walks the command run (its argv[0] is command) with w, from its help
 * table down. */
void fk_cli_walk(const struct fk_cli_walker *w, const char *command,
		 int (*run)(int argc, char **argv));

/* "flashkit: error: ..." on stderr. */
void fk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
 * to stderr in the one form (fk_diag_format). Commands pass it to the
 * libraries they call. For commands that do not show the layout
 * (everything but `layout check/show/gen/draw`) main() sets no_warnings
 * and prints one note at the end saying how many warnings were only
 * counted; a command that failed after an I/O or memory failure reached
 * the sink exits with FK_EXIT_IO whatever it returned.
 */
struct fk_diag *fk_cli_diag(void);

/*
 * Prints the last error a library reported to the caller's own sink d
 * (one that only counts) through the CLI's sink, and returns the exit
 * status of its kind: FK_EXIT_FAIL for bad input, FK_EXIT_IO for a file
 * or memory failure.
 */
int fk_cli_report(const struct fk_diag *d);

/* Options for fk_layout_load() that report to the CLI's sink. */
struct fk_layout_load_opts;
const struct fk_layout_load_opts *fk_cli_layout_opts(void);

/* The exit status for a failure of the given kind. */
int fk_cli_exit_status(enum fk_fail fail);

/* The exit status of a failed fk_layout_load(): FK_EXIT_IO when the file
 * could not be read or memory ran out, FK_EXIT_FAIL for a layout with
 * errors. */
int fk_cli_layout_status(int rc);

/* "FILE:LINE:COL: SEVERITY: " + message on out (stderr when NULL),
 * through fk_diag_format: for commands that report a problem at a
 * position of a file they read. severity: "error", "warning", "note". */
void fk_layout_diag(FILE *out, const struct fk_pos *pos, const char *severity,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
