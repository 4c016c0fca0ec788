/*
 * Small parsers and names shared by `flashkit image` subcommands: the
 * imgtool spellings of versions and dependencies, and the names of TLVs,
 * flags and parse failures used in messages and in `image info`.
 */
#ifndef FLASHKIT_TOOL_IMGOPTS_H
#define FLASHKIT_TOOL_IMGOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/image.h"

/* "major[.minor[.revision]][+build]", imgtool's syntax. 0 or -1. */
int fk_version_parse(const char *text, struct fk_image_version *v);
/* "1.2.3+4" into buf. */
void fk_version_format(const struct fk_image_version *v, char *buf,
		       size_t size);

/* imgtool's -d: "(ID,VERSION)" entries separated by commas or spaces,
 * e.g. "(1,2.3.4+0), (2, 1.0.0)". 0, or -1 with err's message. */
struct fk_diag;
int fk_dependencies_parse(const char *text, struct fk_image_dependency *deps,
			  uint32_t max, uint32_t *count, struct fk_diag *err);

/* "SHA256", "KEYHASH", ...; NULL for types without a name. */
const char *fk_tlv_name(uint16_t type);
/* Name of a header flag bit, NULL for unknown bits. */
const char *fk_image_flag_name(uint32_t bit);
/* What an FK_IMAGE_BAD_* reason means, for messages. */
const char *fk_image_bad_text(int bad);

#endif
