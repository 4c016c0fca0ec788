/*
 * flashkit-docgen OUTDIR: the man pages and the shell completions of
 * `flashkit`, generated from the very tables that parse its options and
 * print its --help (it links fk_cli and walks every command with
 * fk_cli_walk; the top-level list is commands.h's FK_COMMANDS). Writes
 *
 *   OUTDIR/man/man1/flashkit.1           the command list
 *   OUTDIR/man/man1/flashkit-<cmd>.1     one page per command
 *   OUTDIR/completion/flashkit.bash      bash: complete -F _flashkit
 *   OUTDIR/completion/_flashkit          zsh: #compdef flashkit
 *
 * Each file is written atomically; the build runs this whenever fk_cli
 * changes (cli/CMakeLists.txt, target flashkit_docs).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "formats/files.h"
#include "version.h"

/* One option, copied out of its table (some tables live on the stack of
 * the command that owns them). */
struct opt {
	char short_name;
	char *long_name, *metavar, *help;
};

/* One command path ("layout check") with its help table, or with the
 * subcommands it dispatches to. */
struct node {
	char *path;
	char *summary_line; /* from the table one level up */
	char *usage, *summary;
	struct opt *opts;
	size_t opt_count;
	char **subs; /* names of its subcommands */
	size_t sub_count;
};

struct tree {
	struct node *nodes;
	size_t count, cap;
	bool nomem;
};

static char *dup(struct tree *t, const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		t->nomem = true;
	return d;
}

static struct node *node_at(struct tree *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->nodes[i].path, path))
			return &t->nodes[i];
	if (t->count == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 64;
		struct node *n = realloc(t->nodes, ncap * sizeof(*n));

		if (!n) {
			t->nomem = true;
			return NULL;
		}
		t->nodes = n;
		t->cap = ncap;
	}
	memset(&t->nodes[t->count], 0, sizeof(t->nodes[0]));
	t->nodes[t->count].path = dup(t, path);
	return &t->nodes[t->count++];
}

static void on_help(void *ctx, const char *path,
		    const struct fk_command_help *help)
{
	struct tree *t = ctx;
	struct node *n = node_at(t, path);

	if (!n)
		return;
	n->usage = dup(t, help->usage);
	n->summary = dup(t, help->summary);
	n->opts = calloc(help->option_count + 1, sizeof(*n->opts));
	if (!n->opts) {
		t->nomem = true;
		return;
	}
	for (size_t i = 0; i < help->option_count; i++) {
		const struct fk_option *o = &help->options[i];

		n->opts[i].short_name = o->short_name;
		n->opts[i].long_name =
			o->long_name ? dup(t, o->long_name) : NULL;
		n->opts[i].metavar = o->metavar ? dup(t, o->metavar) : NULL;
		n->opts[i].help = dup(t, o->help);
	}
	n->opt_count = help->option_count;
}

static void on_subcommands(void *ctx, const char *path,
			   const struct fk_subcommand *subs, size_t count)
{
	struct tree *t = ctx;
	char **names = calloc(count + 1, sizeof(*names));
	char sub_path[256];
	struct node *n;

	if (!names) {
		t->nomem = true;
		return;
	}
	for (size_t i = 0; i < count; i++) {
		struct node *s;

		names[i] = dup(t, subs[i].name);
		snprintf(sub_path, sizeof(sub_path), "%s %s", path,
			 subs[i].name);
		s = node_at(t, sub_path);
		if (s)
			s->summary_line = dup(t, subs[i].summary);
	}
	n = node_at(t, path);
	if (!n) {
		free(names);
		return;
	}
	n->subs = names;
	n->sub_count = count;
}

/* The top level: commands.h's table, walked one command at a time. */
struct top {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};
#define FK_TOP_ENTRY(name, fn, summary) { #name, fn, summary },
static const struct top commands[] = { FK_COMMANDS(FK_TOP_ENTRY) };
#undef FK_TOP_ENTRY
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static int build_tree(struct tree *t)
{
	struct fk_cli_walker w = { t, on_help, on_subcommands };

	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		struct node *n = node_at(t, commands[i].name);

		if (n)
			n->summary_line = dup(t, commands[i].summary);
		fk_cli_walk(&w, commands[i].name, commands[i].run);
	}
	for (size_t i = 0; i < t->count; i++)
		if (!t->nodes[i].usage && !t->nodes[i].subs) {
			fprintf(stderr,
				"flashkit-docgen: '%s' showed no option "
				"table: it must call fk_opt_parse() or "
				"fk_subcommand_run() first\n",
				t->nodes[i].path);
			return -1;
		}
	return t->nomem ? -1 : 0;
}

/* ---- man pages (man(7) macros) ---- */

/* Text for roff: backslashes escaped, '-' as \-, no line starting with
 * a control character. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_option(FILE *f, const struct opt *o)
{
	fputs(".TP\n", f);
	if (o->short_name)
		fprintf(f, "\\fB\\-%c\\fR%s", o->short_name,
			o->long_name ? ", " : "");
	if (o->long_name) {
		fputs("\\fB\\-\\-", f);
		roff(f, o->long_name);
		fputs("\\fR", f);
	}
	if (o->metavar) {
		fputs(" \\fI", f);
		roff(f, o->metavar);
		fputs("\\fR", f);
	}
	fputc('\n', f);
	roff(f, o->help);
	fputc('\n', f);
}

static void man_options(FILE *f, const struct node *n)
{
	for (size_t i = 0; i < n->opt_count; i++)
		man_option(f, &n->opts[i]);
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help\n", f);
}

static void man_header(FILE *f, const char *page, const char *upper,
		       const char *what)
{
	fprintf(f,
		".\\\" Generated by flashkit-docgen from flashkit's option "
		"tables. Do not edit.\n"
		".TH %s 1 \"\" \"flashkit %s\" \"flashkit manual\"\n"
		".SH NAME\n%s \\- ",
		upper, FK_VERSION, page);
	roff(f, what);
	fputc('\n', f);
}

static void upper_name(char *buf, size_t len, const char *page)
{
	size_t i;

	for (i = 0; page[i] && i + 1 < len; i++)
		buf[i] = page[i] >= 'a' && page[i] <= 'z' ?
				 (char)(page[i] - 'a' + 'A') :
				 page[i];
	buf[i] = '\0';
}

/* A command and everything below it: synopsis lines of its leaves,
 * then one section per leaf with its description and options. */
static void man_leaves(FILE *f, const struct tree *t, const struct node *n,
		       bool synopsis)
{
	char path[256];

	if (!n->subs) {
		if (synopsis) {
			roff(f, n->usage);
			fputc('\n', f);
			return;
		}
		fputs(".SS \"", f);
		fputs("flashkit ", f);
		roff(f, n->path);
		fputs("\"\n.B ", f);
		roff(f, n->usage);
		fputs("\n.PP\n", f);
		roff(f, n->summary);
		fputs("\n.PP\nOptions:\n", f);
		man_options(f, n);
		return;
	}
	for (size_t i = 0; i < n->sub_count; i++) {
		snprintf(path, sizeof(path), "%s %s", n->path, n->subs[i]);
		for (size_t k = 0; k < t->count; k++)
			if (!strcmp(t->nodes[k].path, path))
				man_leaves(f, t, &t->nodes[k], synopsis);
	}
}

static void man_command(FILE *f, const struct tree *t, const struct node *n)
{
	char page[128], upper[128];

	snprintf(page, sizeof(page), "flashkit-%s", n->path);
	upper_name(upper, sizeof(upper), page);
	man_header(f, page, upper, n->summary_line);
	fputs(".SH SYNOPSIS\n.nf\n", f);
	man_leaves(f, t, n, true);
	fputs(".fi\n.SH DESCRIPTION\n", f);
	if (!n->subs) {
		roff(f, n->summary);
		fputs("\n.SH OPTIONS\n", f);
		man_options(f, n);
	} else {
		fputs(".B flashkit ", f);
		roff(f, n->path);
		fputs("\nhas these subcommands:\n", f);
		for (size_t i = 0; i < n->sub_count; i++) {
			char path[256];

			snprintf(path, sizeof(path), "%s %s", n->path,
				 n->subs[i]);
			for (size_t k = 0; k < t->count; k++)
				if (!strcmp(t->nodes[k].path, path)) {
					fputs(".TP\n.B ", f);
					roff(f, n->subs[i]);
					fputc('\n', f);
					roff(f, t->nodes[k].summary_line);
					fputc('\n', f);
				}
		}
		fputs(".SH COMMANDS\n", f);
		man_leaves(f, t, n, false);
	}
	fputs(".SH EXIT STATUS\n0 success, 1 invalid input or failed check, "
	      "2 wrong command line, 3 a file could not be read or written "
	      "or memory ran out.\n.SH SEE ALSO\n.BR flashkit (1)\n",
	      f);
}

static void man_index(FILE *f)
{
	man_header(f, "flashkit", "FLASHKIT",
		   "the flash toolkit: layouts, images, production files, "
		   "settings stores, updates");
	fputs(".SH SYNOPSIS\n.B flashkit\n\\fIcommand\\fR [\\fIoptions\\fR]"
	      "\n.br\n.B flashkit \\-\\-version\n.br\n"
	      ".B flashkit \\-\\-help\n.SH DESCRIPTION\nOne layout file "
	      "describes a product's memories and partitions; the "
	      "commands below turn it into linker scripts and headers, "
	      "sign images, merge production files, build settings "
	      "stores and prove updates survive power cuts. "
	      "\\fBflashkit\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR shows "
	      "the same options as these pages.\n.SH COMMANDS\n",
	      f);
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		fprintf(f, ".TP\n.BR flashkit\\-%s (1)\n", commands[i].name);
		roff(f, commands[i].summary);
		fputc('\n', f);
	}
	fputs(".SH SEE ALSO\n", f);
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, ".BR flashkit\\-%s (1)%s\n", commands[i].name,
			i + 1 < COMMAND_COUNT ? "," : "");
}

/* ---- completion ---- */

/* What an option's value completes to, from its metavar. */
static const char *value_kind(const struct opt *o)
{
	if (!o->metavar)
		return NULL;
	if (strstr(o->metavar, "DIR"))
		return "dir";
	if (strstr(o->metavar, "FILE") || !strcmp(o->metavar, "KEY") ||
	    !strcmp(o->metavar, "DEV") || strstr(o->metavar, "LAYOUT"))
		return "file";
	return "value";
}

static void words_of(FILE *f, const struct node *n)
{
	for (size_t i = 0; i < n->opt_count; i++) {
		if (n->opts[i].short_name)
			fprintf(f, "-%c ", n->opts[i].short_name);
		if (n->opts[i].long_name)
			fprintf(f, "--%s ", n->opts[i].long_name);
	}
	fputs("-h --help", f);
}

/* _flashkit_subcommands PATH: the words after it, for both shells;
 * top and below are added to the top level's and the others' lists. */
static void subcommand_cases(FILE *f, const struct tree *t, const char *top,
			     const char *below)
{
	fputs("_flashkit_subcommands()\n{\n\tcase \"$1\" in\n\t\"\") echo '",
	      f);
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, "%s%s", i ? " " : "", commands[i].name);
	fprintf(f, "%s' ;;\n", top);
	for (size_t i = 0; i < t->count; i++) {
		const struct node *n = &t->nodes[i];

		if (!n->subs)
			continue;
		fprintf(f, "\t\"%s\") echo '", n->path);
		for (size_t k = 0; k < n->sub_count; k++)
			fprintf(f, "%s%s", k ? " " : "", n->subs[k]);
		fprintf(f, "%s' ;;\n", below);
	}
	fputs("\tesac\n}\n", f);
}

static void bash_completion(FILE *f, const struct tree *t)
{
	fputs("# bash completion for flashkit. Generated by flashkit-docgen "
	      "from flashkit's\n# option tables. Do not edit.\n\n"
	      "# The subcommands after a command path.\n",
	      f);
	subcommand_cases(f, t, " --help --version", " -h --help");
	fputs("\n# The options of a command path.\n"
	      "_flashkit_options()\n{\n\tcase \"$1\" in\n",
	      f);
	for (size_t i = 0; i < t->count; i++) {
		if (t->nodes[i].subs)
			continue;
		fprintf(f, "\t\"%s\") echo '", t->nodes[i].path);
		words_of(f, &t->nodes[i]);
		fputs("' ;;\n", f);
	}
	fputs("\tesac\n}\n\n# What the value of option $2 of path $1 is: "
	      "file, dir, value, or nothing\n# (the option takes none).\n"
	      "_flashkit_value()\n{\n\tcase \"$1 $2\" in\n",
	      f);
	for (size_t i = 0; i < t->count; i++) {
		const struct node *n = &t->nodes[i];

		for (size_t k = 0; k < n->opt_count; k++) {
			const struct opt *o = &n->opts[k];
			const char *kind = value_kind(o);

			if (!kind)
				continue;
			fputc('\t', f);
			if (o->short_name)
				fprintf(f, "\"%s -%c\"%s", n->path,
					o->short_name,
					o->long_name ? " | " : "");
			if (o->long_name)
				fprintf(f, "\"%s --%s\"", n->path,
					o->long_name);
			fprintf(f, ") echo %s ;;\n", kind);
		}
	}
	fputs("\tesac\n}\n\n"
	      "_flashkit()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tlocal prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tlocal path=\"\" subs i\n\n"
	      "\t# follow the subcommands typed so far\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tsubs=$(_flashkit_subcommands \"$path\")\n"
	      "\t\t[[ -n $subs && \" $subs \" == *\" ${COMP_WORDS[i]} \"* "
	      "&&\n\t\t   ${COMP_WORDS[i]} != -* ]] || break\n"
	      "\t\tpath=${path:+$path }${COMP_WORDS[i]}\n"
	      "\tdone\n"
	      "\tcase $(_flashkit_value \"$path\" \"$prev\") in\n"
	      "\tfile) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	      "\tdir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	      "\tvalue) COMPREPLY=(); return ;;\n"
	      "\tesac\n"
	      "\tsubs=$(_flashkit_subcommands \"$path\")\n"
	      "\tif [[ -n $subs ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
	      "\telif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$(_flashkit_options \"$path\")\" "
	      "-- \"$cur\"))\n"
	      "\telse\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\tfi\n"
	      "}\n\ncomplete -o filenames -F _flashkit flashkit\n",
	      f);
}

/* One zsh _arguments spec of an option, its help in brackets. */
static void zsh_spec(FILE *f, const char *name, const struct opt *o)
{
	const char *kind = value_kind(o);

	fprintf(f, "\t\t'%s[", name);
	for (const char *s = o->help; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputc(']', f);
	if (kind)
		fprintf(f, ":%s:%s", o->metavar,
			!strcmp(kind, "file") ? "_files" :
			!strcmp(kind, "dir")  ? "_files -/" :
						" ");
	fputs("' \\\n", f);
}

static void zsh_completion(FILE *f, const struct tree *t)
{
	fputs("#compdef flashkit\n# zsh completion for flashkit. Generated "
	      "by flashkit-docgen from flashkit's\n# option tables. Do not "
	      "edit.\n\n_flashkit()\n{\n"
	      "\tlocal cmdpath=\"\" i subs\n\n"
	      "\t# follow the subcommands typed so far\n"
	      "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	      "\t\tsubs=\"$(_flashkit_subcommands \"$cmdpath\")\"\n"
	      "\t\t[[ -n $subs && \" $subs \" == *\" ${words[i]} \"* ]] || "
	      "break\n"
	      "\t\tcmdpath=\"${cmdpath:+$cmdpath }${words[i]}\"\n\tdone\n"
	      "\tsubs=\"$(_flashkit_subcommands \"$cmdpath\")\"\n"
	      "\tif [[ -n $subs && $i -eq $CURRENT ]]; then\n"
	      "\t\tcompadd -- ${=subs}\n\t\treturn\n\tfi\n"
	      "\twords=(\"flashkit $cmdpath\" \"${(@)words[i,-1]}\")\n"
	      "\t(( CURRENT = CURRENT - i + 2 ))\n"
	      "\tcase \"$cmdpath\" in\n",
	      f);
	for (size_t i = 0; i < t->count; i++) {
		const struct node *n = &t->nodes[i];

		if (n->subs)
			continue;
		fprintf(f, "\t\"%s\")\n\t\t_arguments -s \\\n", n->path);
		for (size_t k = 0; k < n->opt_count; k++) {
			char name[80];

			if (n->opts[k].short_name) {
				snprintf(name, sizeof(name), "*-%c",
					 n->opts[k].short_name);
				zsh_spec(f, name, &n->opts[k]);
			}
			if (n->opts[k].long_name) {
				snprintf(name, sizeof(name), "*--%s",
					 n->opts[k].long_name);
				zsh_spec(f, name, &n->opts[k]);
			}
		}
		fputs("\t\t'(- *)'{-h,--help}'[show this help]' \\\n"
		      "\t\t'*:file:_files'\n\t\t;;\n",
		      f);
	}
	fputs("\tesac\n}\n\n", f);
	subcommand_cases(f, t, "", "");
	fputs("\n_flashkit \"$@\"\n", f);
}

static void free_tree(struct tree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		struct node *n = &t->nodes[i];

		for (size_t k = 0; n->opts && k < n->opt_count; k++) {
			free(n->opts[k].long_name);
			free(n->opts[k].metavar);
			free(n->opts[k].help);
		}
		for (size_t k = 0; n->subs && k < n->sub_count; k++)
			free(n->subs[k]);
		free(n->opts);
		free(n->subs);
		free(n->path);
		free(n->summary_line);
		free(n->usage);
		free(n->summary);
	}
	free(t->nodes);
}

/* ---- output ---- */

static int write_file(const char *dir, const char *name,
		      void (*fill)(FILE *f, const struct tree *t,
				   const struct node *n),
		      const struct tree *t, const struct node *n)
{
	char path[4096];
	struct fk_atomic out;
	struct fk_diag err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fk_atomic_open(&out, path, 0, &err))
		goto fail;
	fill(out.fp, t, n);
	if (fk_atomic_commit(&out, &err))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "flashkit-docgen: %s\n", err.last_error);
	return -1;
}

static void fill_index(FILE *f, const struct tree *t, const struct node *n)
{
	(void)t;
	(void)n;
	man_index(f);
}

static void fill_bash(FILE *f, const struct tree *t, const struct node *n)
{
	(void)n;
	bash_completion(f, t);
}

static void fill_zsh(FILE *f, const struct tree *t, const struct node *n)
{
	(void)n;
	zsh_completion(f, t);
}

int main(int argc, char **argv)
{
	struct tree t = { 0 };
	char name[256];
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: flashkit-docgen OUTDIR\n");
		return 2;
	}
	if (build_tree(&t)) {
		fprintf(stderr, "flashkit-docgen: %s\n",
			t.nomem ? "out of memory" : "incomplete tables");
		free_tree(&t);
		return 1;
	}
	rc |= write_file(argv[1], "man/man1/flashkit.1", fill_index, &t, NULL);
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		snprintf(name, sizeof(name), "man/man1/flashkit-%s.1",
			 commands[i].name);
		rc |= write_file(argv[1], name, man_command, &t,
				 node_at(&t, commands[i].name));
	}
	rc |= write_file(argv[1], "completion/flashkit.bash", fill_bash, &t,
			 NULL);
	rc |= write_file(argv[1], "completion/_flashkit", fill_zsh, &t, NULL);
	free_tree(&t);
	return rc ? 1 : 0;
}
