/*
 * libFuzzer target: the delta decoder (src/delta/, through the in-memory
 * driver host/delta/delta_dec.c, whose callbacks refuse any access outside
 * the old image, the output written so far, or the output's end) on any
 * stream. Input: block size byte, new size (2 bytes LE), a flag byte (bit
 * 0: decode against the 4 KiB old image below, else without one), a chunk
 * size byte, then the stream. A success must rebuild exactly new size
 * bytes; a failure must be reported, never a read or write outside.
 */
#include <stdint.h>
#include <stdlib.h>

#include "delta/delta.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OLD_LEN 4096
#define HDR_LEN 5

static uint8_t old_img[OLD_LEN];

/* The old image, made once: the decoder only reads it (its callbacks
 * hand it out as const). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < OLD_LEN; i++)
		old_img[i] = (uint8_t)(i * 7 + (i >> 5));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag diag = { 0 };
	unsigned log2;
	size_t new_len, chunk;
	uint8_t *out = NULL;
	int with_old;

	if (size < HDR_LEN)
		return 0;
	/* 9..21: one value on each side of the supported range */
	log2 = 9 + data[0] % 13;
	new_len = (size_t)data[1] | (size_t)data[2] << 8;
	with_old = data[3] & 1;
	chunk = 1 + (size_t)data[4] * 3;
	if (fk_delta_decode(with_old ? old_img : NULL, with_old ? OLD_LEN : 0,
			    data + HDR_LEN, size - HDR_LEN, new_len, log2,
			    chunk, &out, &diag) == 0) {
		if (out == NULL)
			abort();
		free(out);
	} else if (out != NULL || diag.errors == 0) {
		abort();
	}
	return 0;
}
