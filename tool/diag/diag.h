/*
 * Diagnostics of the host libraries: where a problem is (struct fk_pos),
 * how bad it is, and the sink that receives it. The libraries never print:
 * they hand each message to the caller's sink; the CLI's sink prints.
 */
#ifndef FLASHKIT_TOOL_DIAG_H
#define FLASHKIT_TOOL_DIAG_H

#include <stdint.h>

/* Where a node of an input file is: 1-based line and column. */
struct fk_pos {
	const char *file; /* the path given to the reader (owned by it) */
	uint32_t line;    /* 1-based; 0 when the entity has no node */
	uint32_t col;     /* 1-based */
};

#endif
