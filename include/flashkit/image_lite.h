/*
 * The lean image check of a one-image bootloader: fk_image_check_lite().
 *
 * The same verdicts as fk_image_validate() (flashkit/image.h) for the
 * images such a bootloader boots, SHA-256 images in the clear, signed with
 * the keys of the table or carrying the digest only, in about a third of
 * its code: no per-TLV bookkeeping beyond what the boot needs, no SHA-384,
 * no decryption. Everything it does not check it refuses (never FK_OK
 * where fk_image_validate() refuses); the format checks are those of
 * fk_image_parse(), with the same codes. docs/image-format.md ("The lite
 * check") lists where the two differ.
 *
 * A bootloader that checks the digest only (no keys) may build
 * src/image/image_lite.c with FK_IMAGE_LITE_NO_SIG: the signature check
 * is left out, and a key table with keys gives FK_ENOTSUP once the digest
 * is right. Little-endian targets only (the header is read in place).
 *
 * Reads only: a power loss during the call has no effect on flash, and
 * the call can be repeated after reboot.
 */
#ifndef FLASHKIT_IMAGE_LITE_H
#define FLASHKIT_IMAGE_LITE_H

#include <stdint.h>

#include "flashkit/image.h"

/* What a one-image bootloader needs to know about a valid image. */
struct fk_image_lite {
	struct fk_image_header hdr; /* as in image.h */
	uint32_t end; /* first byte after the unprotected TLV area */
	uint32_t security_counter;	/* SEC_CNT TLV, 0 when absent */
	uint32_t dep_count;		/* DEPENDENCY TLVs (not interpreted) */
	uint8_t digest[FK_SHA256_SIZE]; /* the image digest (= SHA256 TLV) */
};

/*
 * Checks the image at the start of slot as fk_image_validate() does: the
 * format as fk_image_parse() checks it (magic, hdr_size >= 32, sizes
 * inside the slot without overflow, the protected area exactly where and
 * as large as the header says, the unprotected one, entries exactly
 * filling each area, known TLVs with their exact lengths in their area,
 * no known TLV twice but DEPENDENCY, one digest, one key TLV, one
 * signature, a SHA256 TLV and a KEYHASH as long as it), then the SHA-256
 * of header, payload and protected area against the SHA256 TLV with
 * keys->crypto, then, when keys->count > 0, the signature with the key of
 * the table named by the KEYHASH or PUBKEY TLV (ECDSA P-256, Ed25519,
 * RSA-2048-PSS or RSA-3072-PSS, as the port provides them).
 *
 * buf (buf_len >= 1 bytes, the caller's scratch, e.g. the boot config's
 * buffer) holds what is hashed; larger is faster. Stack: a SHA-256 state
 * (FK_SHA256_STATE_SIZE) while hashing; FK_IMAGE_SIG_MAX bytes and the
 * port's verification while checking the signature, once the hashing's
 * frame is gone.
 *
 * Returns FK_OK with *out filled, or what fk_image_validate() returns for
 * the image: FK_EBADIMG, FK_EDIGEST, FK_ESIG, FK_EKEY, FK_ENOSPC (more
 * than FK_IMAGE_MAX_DEPS dependencies), FK_ENOTSUP, FK_EINVAL or the
 * flash read error. Unlike fk_image_validate() it refuses with FK_ENOTSUP
 * an image whose digest is SHA-384 (once its format has passed) and any
 * encrypted one (FK_EBADIMG when both AES flags are set). *out is
 * meaningful only after FK_OK.
 */
int fk_image_check_lite(const struct fk_area *slot,
			const struct fk_image_keys *keys, void *buf,
			uint32_t buf_len, struct fk_image_lite *out);

#endif
