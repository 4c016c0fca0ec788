/*
 * Patch and compressed images (docs/delta.md, section 1): a signed image
 * whose payload is a delta stream (delta.h) and whose protected TLVs name
 * the method, the old image by its length and SHA-256, and the new image
 * by its length and SHA-256. Making one, and applying one as a device
 * would (through the device decoder), with every refusal said in words.
 */
#ifndef FLASHKIT_HOST_DELTA_IMAGE_H
#define FLASHKIT_HOST_DELTA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delta.h"
#include "image/sign.h"

#define FK_TLV_FK_DELTA_NEW 0xe2 /* protected, 40 bytes */
#define FK_TLV_FK_DELTA_OLD 0xe3 /* protected, 36 bytes */
#define FK_DELTA_NEW_TLV_LEN 40
#define FK_DELTA_OLD_TLV_LEN 36

enum fk_delta_method {
	FK_DELTA_METHOD_COMPRESSED = 1,
	FK_DELTA_METHOD_DELTA = 2,
};

/* What a patch image's TLVs say. */
struct fk_delta_header {
	enum fk_delta_method method;
	unsigned block_log2;
	uint32_t new_size;
	uint8_t new_sha256[32];
	uint32_t old_size; /* 0 for a compressed image */
	uint8_t old_sha256[32];
	uint32_t stream_off; /* the payload: where the stream is in the patch */
	uint32_t stream_len;
};

/*
 * Makes a patch of new_img against old (a compressed image when old is
 * NULL). Both must be images (fk_image_parse); each counts from its header
 * to the end of its TLVs (padding after them is left out). The stream is
 * decoded again through the device decoder and compared before it is
 * signed with key (NULL: SHA-256 only). Returns 0 with res filled (free
 * res->data), or -1 with diag saying what is wrong (which input is no
 * image and why, no memory).
 */
int fk_delta_make(const uint8_t *old, size_t old_len, const uint8_t *new_img,
		  size_t new_len, unsigned block_log2, struct fk_key *key,
		  struct fk_sign_result *res, struct fk_delta_stats *stats,
		  struct fk_diag *diag);

/*
 * Reads a patch image's delta TLVs and checks its structure and digest.
 * Returns 0, or -1 with diag saying why it is no usable patch.
 */
int fk_delta_read(const uint8_t *patch, size_t len, struct fk_delta_header *h,
		  struct fk_diag *diag);

/*
 * Applies a patch (or expands a compressed image; old may then be NULL) as
 * a device does: checks the old image's length and SHA-256 first, rebuilds
 * through the device decoder, and checks the result's SHA-256. Returns 0
 * with *out (malloc'd, *out_len bytes), or -1 with diag saying what does
 * not match and what to do.
 */
int fk_delta_apply(const uint8_t *patch, size_t patch_len, const uint8_t *old,
		   size_t old_len, uint8_t **out, size_t *out_len,
		   struct fk_diag *diag);

#endif
