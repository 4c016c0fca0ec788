/*
 * Byte helpers of the host formats: the loads and stores of
 * flashkit/bytes.h (the one set, shared with the device code), and the
 * line splitter of the text formats.
 */
#ifndef FLASHKIT_TOOL_BYTES_H
#define FLASHKIT_TOOL_BYTES_H

#include <stdint.h>
#include <string.h>

#include "flashkit/bytes.h"

/*
 * Text formats (Intel HEX, S-record): splits off the next line of
 * [*pos, end). *line and *line_end bound it without its '\n' and without
 * trailing CR, spaces or tabs; *pos moves past the line. Returns 0 at the
 * end of the input.
 */
static inline int fk_next_text_line(const uint8_t **pos, const uint8_t *end,
				    const uint8_t **line,
				    const uint8_t **line_end)
{
	const uint8_t *nl, *le;

	if (*pos >= end)
		return 0;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	le = nl ? nl : end;
	*line = *pos;
	while (le > *line &&
	       (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
		le--;
	*line_end = le;
	*pos = nl ? nl + 1 : end;
	return 1;
}

#endif
