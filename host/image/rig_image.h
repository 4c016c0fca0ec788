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
};

/* Signs a payload into a malloc'd image. Returns 0 or -1 (printed). */
int fk_rig_make_image(const struct fk_rig_image_spec *spec, uint8_t **out,
		      size_t *len);

#endif
