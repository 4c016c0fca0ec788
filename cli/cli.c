/*
 * The shared parts of the command line: option parsing and help, errors,
 * number parsing, and files written atomically (temporary + rename).
 */
#define _GNU_SOURCE /* O_TMPFILE, linkat */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/number.h"
#include "layout/layout.h"

void fk_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("flashkit: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void fk_opt_print_help(const struct fk_command_help *help, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n", help->usage, help->summary);
	if (help->option_count == 0)
		return;
	fprintf(out, "\noptions:\n");
	for (size_t i = 0; i < help->option_count; i++) {
		const struct fk_option *o = &help->options[i];
		char names[64];
		int n = 0;

		if (o->short_name)
			n += snprintf(names + n, sizeof(names) - n, "-%c%s",
				      o->short_name, o->long_name ? ", " : "");
		if (o->long_name)
			n += snprintf(names + n, sizeof(names) - n, "--%s",
				      o->long_name);
		if (o->metavar)
			snprintf(names + n, sizeof(names) - n, " %s",
				 o->metavar);
		fprintf(out, "  %-26s %s\n", names, o->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help");
}

static const struct fk_option *find_long(const struct fk_command_help *help,
					 const char *name, size_t len)
{
	for (size_t i = 0; i < help->option_count; i++) {
		const char *ln = help->options[i].long_name;

		if (ln && strlen(ln) == len && !strncmp(ln, name, len))
			return &help->options[i];
	}
	return NULL;
}

static const struct fk_option *find_short(const struct fk_command_help *help,
					  char c)
{
	for (size_t i = 0; i < help->option_count; i++) {
		if (help->options[i].short_name == c)
			return &help->options[i];
	}
	return NULL;
}

/* Stores one occurrence of o. inline_value is the text after '=' or after
 * the short letter, or NULL; further values come from argv at *i. */
static int store_option(const struct fk_option *o, const char *shown,
			const char *inline_value, int argc, char **argv, int *i)
{
	int nargs = o->nargs > 0 ? o->nargs : 1;

	if (o->flag) {
		if (inline_value) {
			fk_error("option %s takes no value", shown);
			return -1;
		}
		(*o->flag)++;
		return 0;
	}
	for (int k = 0; k < nargs; k++) {
		const char *v;

		if (k == 0 && inline_value) {
			v = inline_value;
		} else if (*i + 1 < argc) {
			v = argv[++*i];
		} else {
			fk_error("option %s needs %d value%s (%s)", shown,
				 nargs, nargs > 1 ? "s" : "",
				 o->metavar ? o->metavar : "VALUE");
			return -1;
		}
		if (o->value) {
			*o->value = v;
		} else if (o->list) {
			if (o->list->count >= FK_OPT_LIST_MAX) {
				fk_error("option %s given too many times",
					 shown);
				return -1;
			}
			o->list->values[o->list->count++] = v;
		}
	}
	return 0;
}

/* The walk in progress (fk_cli_walk), and the command path it is at. */
static const struct fk_cli_walker *walker;
static char walk_path[256];

void fk_cli_walk(const struct fk_cli_walker *w, const char *command,
		 int (*run)(int argc, char **argv))
{
	char name[64], help[] = "--help";
	char *argv[] = { name, help, NULL };

	snprintf(name, sizeof(name), "%s", command);
	snprintf(walk_path, sizeof(walk_path), "%s", command);
	walker = w;
	run(2, argv);
	walker = NULL;
}

static void walk_subcommands(const struct fk_subcommand *subs, size_t n)
{
	size_t len = strlen(walk_path);

	walker->subcommands(walker->ctx, walk_path, subs, n);
	for (size_t i = 0; i < n; i++) {
		char name[64], help[] = "--help";
		char *argv[] = { name, help, NULL };

		snprintf(name, sizeof(name), "%s", subs[i].name);
		snprintf(walk_path + len, sizeof(walk_path) - len, " %s",
			 subs[i].name);
		subs[i].run(2, argv);
		walk_path[len] = '\0';
	}
}

int fk_opt_parse(const struct fk_command_help *help, int argc, char **argv,
		 int *npos)
{
	int pos = 0;
	bool options_done = false;

	if (walker) {
		walker->help(walker->ctx, walk_path, help);
		return 1;
	}

	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		const struct fk_option *o;

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			argv[pos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fk_opt_print_help(help, stdout);
			return 1;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(help, name, len);
			if (!o) {
				fk_error("unknown option '%.*s' (see '%s "
					 "--help')",
					 (int)(len + 2), arg, help->usage);
				return -1;
			}
			if (store_option(o, arg, eq ? eq + 1 : NULL, argc, argv,
					 &i))
				return -1;
		} else {
			o = find_short(help, arg[1]);
			if (!o) {
				fk_error("unknown option '-%c' (see '%s "
					 "--help')",
					 arg[1], help->usage);
				return -1;
			}
			if (store_option(o, arg, arg[2] ? arg + 2 : NULL, argc,
					 argv, &i))
				return -1;
		}
	}
	*npos = pos;
	return 0;
}

int fk_parse_u64(const char *text, uint64_t *out)
{
	const char *why;

	return fk_number_parse(text, FK_NUM_SIZE, UINT64_MAX, out, &why) ? -1 :
									   0;
}

int fk_opt_number(const char *option, const char *text, uint64_t max,
		  uint64_t *out)
{
	const char *why;
	char shown[256] = "";
	int rc = fk_number_parse(text, FK_NUM_SIZE, max, out, &why);

	if (!rc)
		return 0;
	fk_diag_escape(shown, sizeof(shown), text ? text : "");
	if (rc == -2)
		fk_error("%s '%s' is larger than %llu", option, shown,
			 (unsigned long long)max);
	else
		fk_error("%s '%s' %s", option, shown, why);
	return -1;
}

static void print_diag(void *ctx, enum fk_severity severity, enum fk_fail fail,
		       const struct fk_pos *pos, const char *text)
{
	(void)fail;
	char line[FK_DIAG_MSG_MAX + 256];

	fprintf(ctx ? ctx : stderr, "%s\n",
		fk_diag_format(line, sizeof(line), severity, pos, text));
}

struct fk_diag *fk_cli_diag(void)
{
	static struct fk_diag sink = { .emit = print_diag };

	return &sink;
}

const struct fk_layout_load_opts *fk_cli_layout_opts(void)
{
	static struct fk_layout_load_opts opts;

	opts.diag = fk_cli_diag();
	return &opts;
}

static void subcommand_help(FILE *out, const char *command,
			    const struct fk_subcommand *subs, size_t n)
{
	fprintf(out,
		"usage: flashkit %s <subcommand> [options] ...\n\n"
		"subcommands:\n",
		command);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].summary);
	fprintf(out, "\n'flashkit %s <subcommand> --help' tells more.\n",
		command);
}

int fk_subcommand_run(const char *command, const struct fk_subcommand *subs,
		      size_t n, int argc, char **argv)
{
	char shown[256] = "";

	if (walker) {
		walk_subcommands(subs, n);
		return FK_EXIT_OK;
	}
	if (argc >= 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		subcommand_help(stdout, command, subs, n);
		return FK_EXIT_OK;
	}
	for (size_t i = 0; argc >= 2 && i < n; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	if (argc >= 2)
		fk_error("unknown %s subcommand '%s'", command,
			 fk_diag_escape(shown, sizeof(shown), argv[1]));
	else
		fk_error("'flashkit %s' needs a subcommand", command);
	subcommand_help(stderr, command, subs, n);
	return FK_EXIT_USAGE;
}

int fk_cli_exit_status(enum fk_fail fail)
{
	return fail >= FK_FAIL_IO ? FK_EXIT_IO : FK_EXIT_FAIL;
}

int fk_cli_layout_status(int rc)
{
	return rc == FK_EIO || rc == FK_ENOSPC ? FK_EXIT_IO : FK_EXIT_FAIL;
}

int fk_cli_report(const struct fk_diag *d)
{
	fk_diag_relay(fk_cli_diag(), FK_DIAG_ERROR, d->fail, NULL,
		      d->last_text[0] ? d->last_text : "failed");
	return fk_cli_exit_status(d->fail);
}

void fk_layout_diag(FILE *out, const struct fk_pos *pos, const char *severity,
		    const char *fmt, ...)
{
	enum fk_severity sev = !strcmp(severity, "error")   ? FK_DIAG_ERROR :
			       !strcmp(severity, "warning") ? FK_DIAG_WARNING :
							      FK_DIAG_NOTE;
	char text[FK_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	print_diag(out, sev, FK_FAIL_NONE, pos, text);
}
