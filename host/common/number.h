/*
 * The one number grammar of flashkit's inputs: layout files, settings
 * files, provisioning templates, command-line option values and UF2
 * family ids all read numbers through here (docs/layout.md, "Numbers").
 *
 *   4096  0x1000  1_000_000  0x0800_0000     decimal or 0x hex, '_'
 *                                            between digits
 *   128K  1M  2G  (also 128KB, 128KiB)        with FK_NUM_SIZE: binary
 *                                            multiples
 *
 * There is no octal: a decimal number with a leading zero ("010") is
 * refused as ambiguous (C and YAML 1.1 read it as 8, a person as ten).
 * No sign: negative numbers are refused with their own message.
 */
#ifndef FLASHKIT_TOOL_COMMON_NUMBER_H
#define FLASHKIT_TOOL_COMMON_NUMBER_H

#include <stdint.h>

enum {
	FK_NUM_SIZE = 1 << 0, /* K/M/G suffixes allowed (sizes, addresses) */
};

/*
 * Parses text (spaces around it ignored) into *out, refusing values
 * above max. Returns 0; -1 when text is not a number of this grammar,
 * -2 when it is one but above max (or 2^64); *why is then set to a short
 * phrase that follows the quoted text in a message ("'010' has a leading
 * zero...", "is too large": the caller names the range).
 */
int fk_number_parse(const char *text, unsigned flags, uint64_t max,
		    uint64_t *out, const char **why);

#endif
