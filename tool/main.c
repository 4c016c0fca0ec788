/*
 * flashkit: dispatch to the subcommand named by argv[1].
 */
#include <stdio.h>
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fk_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return FK_EXIT_USAGE;
}
