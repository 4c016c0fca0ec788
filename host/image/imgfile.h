/*
 * Files in and out of `flashkit image`: the firmware to sign (.bin, Intel
 * HEX, ELF), the image to check (.bin, Intel HEX), and the signed image
 * written as .bin or Intel HEX, always atomically.
 */
#ifndef FLASHKIT_TOOL_IMGFILE_H
#define FLASHKIT_TOOL_IMGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/formats.h"
#include "sign.h"

struct fk_input {
	uint8_t *data; /* contiguous bytes; gaps of a HEX/ELF file are 0xff */
	size_t len;
	bool has_base; /* the file said where its first byte goes */
	uint32_t base;
	const char *format; /* "bin", "hex", "elf" */
};

/* Firmware to sign: by content (ELF magic) or extension (.hex). Returns
 * 0, or -1 with err filled. */
int fk_input_load(const char *path, struct fk_input *in, struct fk_diag *err);
/* An image to inspect: binary, or Intel HEX by extension or content. */
int fk_input_load_image(const char *path, struct fk_input *in,
			struct fk_diag *err);
void fk_input_free(struct fk_input *in);

/*
 * Checks that in holds an image whose digest matches what it covers (the
 * header, payload and protected TLVs; an encrypted image's digest covers
 * its plaintext, so that one is only parsed): a file that was cut short or
 * changed after signing is refused before it is used. No signature is
 * checked. Returns 0, or -1 with err naming path and what is wrong.
 */
int fk_input_check_image(const struct fk_input *in, const char *path,
			 struct fk_diag *err);

/* hex_addr when the command line gives none. */
#define FK_NO_HEX_ADDR UINT64_MAX

/*
 * Writes the signed image: Intel HEX when path ends in .hex (at hex_addr,
 * or where the input was, less the header when --pad-header prepended it),
 * binary otherwise; atomically, never over the input (files.h). Returns 0,
 * or -1 with err filled.
 */
int fk_output_save(const char *path, const struct fk_sign_opts *o,
		   const struct fk_sign_result *res, const struct fk_input *in,
		   uint64_t hex_addr, struct fk_diag *err);

#endif
