/*
 * A diagnostics sink for tests: each message, formatted the one way
 * (fk_diag_format), appended as a line to the FILE * in ctx.
 */
#ifndef FLASHKIT_TESTS_DIAG_CAPTURE_H
#define FLASHKIT_TESTS_DIAG_CAPTURE_H

#include <stdio.h>

#include "diag/diag.h"

static inline void capture_emit(void *ctx, enum fk_severity severity,
				enum fk_fail fail, const struct fk_pos *pos,
				const char *text)
{
	(void)fail;
	char line[FK_DIAG_MSG_MAX + 256];

	fprintf(ctx, "%s\n",
		fk_diag_format(line, sizeof(line), severity, pos, text));
}

/* A sink writing to fp. */
static inline struct fk_diag capture_sink(FILE *fp)
{
	struct fk_diag d = { .emit = capture_emit, .ctx = fp };

	return d;
}

#endif
