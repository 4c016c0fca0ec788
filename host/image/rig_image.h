/*
 * Test images for the power-cut rig (sim/rig.h): a pseudo-random payload
 * signed by the real signing code, as `flashkit image sign` would. The rig
 * lives in sim/ and takes images as bytes; this builder is the host
 * library's, because signing is.
 */
#ifndef FLASHKIT_TOOL_IMAGE_RIG_IMAGE_H
#define FLASHKIT_TOOL_IMAGE_RIG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/image.h"
#include "image/enc.h"
#include "image/keys.h"

/* An image to test with, made by the real signing code (host/image). */
struct fk_rig_image_spec {
	uint32_t payload_len; /* firmware bytes (pseudo-random) */
	uint32_t seed;	      /* for the payload bytes */
	struct fk_image_version version;
	uint32_t hdr_size; /* header bytes before the payload */
	uint32_t align;	   /* write unit of the slot */
	bool has_sec_cnt;
	uint32_t sec_cnt;
	uint32_t dep_count;
	struct fk_image_dependency deps[FK_IMAGE_MAX_DEPS];
	struct fk_key *key; /* NULL: SHA256 TLV only */
	uint32_t load_addr; /* non-zero: RAM_LOAD, for this RAM address */
	/* encrypted for this key (imgtool -E): enc_aes_len 16 or 32 (0:
	 * 16); enc_clear: flags and key TLV only, payload clear (-c) */
	struct fk_enc_key *enc;
	uint32_t enc_aes_len;
	bool enc_clear;
};

/* Signs a payload into a malloc'd image. Returns 0 or -1 (printed). */
int fk_rig_make_image(const struct fk_rig_image_spec *spec, uint8_t **out,
		      size_t *len);

/* The same, and for an encrypted image (spec->enc, a private key) also
 * *plain: a malloc'd copy with the payload decrypted, as a primary slot
 * holds it (NULL when the image is not encrypted, or with enc_clear).
 * Returns 0 or -1. */
int fk_rig_make_image_plain(const struct fk_rig_image_spec *spec, uint8_t **out,
			    uint8_t **plain, size_t *len);

#endif
