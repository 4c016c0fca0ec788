/*
 * The signing function of the update-history engine (sim/rig_history.h):
 * the engine plans the payloads, this signs them with the real signing
 * code (image/sign.c), as `flashkit image sign` would. Shared by the
 * tests and `flashkit sim --history`.
 */
#ifndef FLASHKIT_TOOL_IMAGE_HISTORY_SIGN_H
#define FLASHKIT_TOOL_IMAGE_HISTORY_SIGN_H

#include "image/keys.h"
#include "rig_history.h"

/* ctx is a struct fk_key * (NULL: SHA256 TLV only, unsigned images).
 * The version is 1.<sequence / 65536>.<sequence % 65536>. */
int fk_history_sign(void *ctx, const struct fk_history_sign_req *req,
		    uint8_t **out, size_t *len);

#endif
