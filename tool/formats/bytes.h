/*
 * The host side's one set of little- and big-endian loads and stores
 * (fk_le*, fk_be*, fk_put_le*, fk_put_be*): the binary formats (UF2,
 * DfuSe, ELF) read untrusted buffers byte by byte through them, the text
 * formats their addresses, and any other host code (image, provisioning,
 * the simulator's CLI) includes "formats/bytes.h" rather than defining
 * its own. Also the line splitter of the text formats.
 */
#ifndef FLASHKIT_TOOL_BYTES_H
#define FLASHKIT_TOOL_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t fk_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fk_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t fk_le64(const uint8_t *p)
{
	return (uint64_t)fk_le32(p) | (uint64_t)fk_le32(p + 4) << 32;
}

static inline uint16_t fk_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fk_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t fk_be64(const uint8_t *p)
{
	return (uint64_t)fk_be32(p) << 32 | fk_be32(p + 4);
}

static inline void fk_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void fk_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void fk_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fk_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

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
	while (le > *line && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
		le--;
	*line_end = le;
	*pos = nl ? nl + 1 : end;
	return 1;
}

#endif
