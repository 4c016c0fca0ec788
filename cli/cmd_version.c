/*
 * flashkit version (also `flashkit --version` and `-V`): the version of
 * cli/version.h.
 */
#include <stdio.h>

#include "cli.h"
#include "version.h"

int cmd_version(int argc, char **argv)
{
	static const struct fk_command_help help = {
		.usage = "flashkit version",
		.summary = "Prints the version of flashkit.",
	};
	int npos;
	int rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc != 0)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 0) {
		fk_error("version takes no arguments");
		return FK_EXIT_USAGE;
	}
	printf("flashkit %s\n", FK_VERSION);
	return FK_EXIT_OK;
}
