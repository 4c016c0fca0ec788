/*
 * flashkit: dispatch to the subcommand named by argv[1], and the exit
 * status of a failure: FK_EXIT_IO when a file or memory failure reached
 * the CLI's diagnostics sink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

#define FK_COMMAND_ENTRY(name, fn, summary) { #name, fn, summary },
static const struct command commands[] = { FK_COMMANDS(FK_COMMAND_ENTRY) };
#undef FK_COMMAND_ENTRY

static void usage(FILE *out)
{
	fprintf(out, "usage: flashkit <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n'flashkit <command> --help' tells more.\n");
}

/*
 * The layout's warnings are shown by `flashkit layout ...`, the command
 * that is about the layout; every other command that reads it counts
 * them and says once, at the end, how many there were.
 */
static int run(const struct command *cmd, int argc, char **argv)
{
	struct fk_diag *sink = fk_cli_diag();
	int rc;

	sink->no_warnings = strcmp(cmd->name, "layout") != 0;
	rc = cmd->run(argc, argv);
	if (rc != FK_EXIT_OK && sink->fail >= FK_FAIL_IO)
		rc = FK_EXIT_IO;
	if (sink->no_warnings && sink->warnings)
		fprintf(stderr,
			"flashkit: note: the layout has %u warning%s; "
			"'flashkit layout check' shows %s\n",
			sink->warnings, sink->warnings == 1 ? "" : "s",
			sink->warnings == 1 ? "it" : "them");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return FK_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return FK_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		argv[1] = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return run(&commands[i], argc - 1, argv + 1);
	}
	fk_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return FK_EXIT_USAGE;
}
