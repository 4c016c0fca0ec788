/*
 * What `flashkit image verify` and `image info` print: the verdict with
 * what failed and where, and every field and TLV of an image, as text or
 * JSON.
 */
#ifndef FLASHKIT_TOOL_CMD_IMAGE_REPORT_H
#define FLASHKIT_TOOL_CMD_IMAGE_REPORT_H

#include <stdint.h>

#include "image/imgfile.h"
#include "image/keys.h"

/* Checks the image in `in` against the keys (none: digest only). Prints
 * the verdict; returns FK_EXIT_OK when valid, FK_EXIT_FAIL when not.
 * decrypted_with: the encryption key's path when `in` holds an encrypted
 * image already decrypted with it (the plaintext is checked), else NULL. */
int fk_report_verify(const char *path, const struct fk_input *in,
		     struct fk_key *keys, uint32_t nkeys,
		     const char *decrypted_with);

/* Prints the image's fields and TLVs. FK_EXIT_OK, or FK_EXIT_FAIL when
 * the image is malformed (after saying why). */
int fk_report_info(const char *path, const struct fk_input *in, int json);

#endif
