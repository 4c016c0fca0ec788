/*
 * Building a signed image the way imgtool does, byte for byte: header,
 * payload, protected TLVs (SEC_CNT, DEPENDENCY, custom in that order),
 * unprotected TLVs (SHA256, KEYHASH or PUBKEY, signature), and with --pad
 * the MCUboot trailer at the end of the slot. docs/image-format.md gives
 * the format; this file only assembles it.
 */
#ifndef FLASHKIT_TOOL_SIGN_H
#define FLASHKIT_TOOL_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkit/image.h"
#include "enc.h"
#include "keys.h"

#define FK_SIGN_MAX_TLVS 32
#define FK_SIGN_DEFAULT_MAX_SECTORS 128
#define FK_SIGN_DEFAULT_MAX_ALIGN 8

struct fk_sign_tlv {
	uint16_t type;
	uint16_t len;
	const uint8_t *value; /* not owned */
};

struct fk_sign_opts {
	struct fk_image_version version;
	uint32_t hdr_size;    /* -H */
	bool pad_header;      /* --pad-header: prepend hdr_size erased bytes */
	uint32_t slot_size;   /* -S; 0: no fit check */
	uint32_t align;	      /* --align: flash write size 1,2,4,8,16,32 */
	uint32_t max_align;   /* --max-align; 0: max(8, align) */
	uint32_t max_sectors; /* -M; 0: 128 */
	bool overwrite_only;  /* --overwrite-only: smaller trailer */
	bool pad;	      /* --pad: fill to slot_size, write magic */
	bool confirm;	      /* --confirm: also image_ok = 1 (implies pad) */
	uint8_t erased_val;   /* -R; 0xff */
	uint32_t load_addr;   /* -L; non-zero sets FK_IMAGE_F_RAM_LOAD */
	uint32_t rom_fixed;   /* --rom-fixed; non-zero sets ROM_FIXED */
	bool non_bootable;    /* --non-bootable */
	bool has_sec_cnt;     /* -s */
	uint32_t sec_cnt;
	uint32_t dep_count; /* -d */
	struct fk_image_dependency deps[FK_IMAGE_MAX_DEPS];
	uint32_t tlv_count; /* --custom-tlv and flashkit's own, in order */
	struct fk_sign_tlv tlvs[FK_SIGN_MAX_TLVS];
	bool pubkey_full;   /* --public-key-format full */
	struct fk_key *key; /* NULL: unsigned (SHA256 only) */
	/* --layout: the slot's end is reserved for flashkit's boot state,
	 * whose size the layout gives; --pad then leaves it erased. */
	bool layout_trailer;
	uint32_t layout_trailer_size;
	/* --layout: the largest image (header + payload + TLVs) the
	 * bootloader installs, fk_boot_max_image_size() for the layout;
	 * when set it replaces the slot-minus-trailer rule (for swap it is
	 * smaller: the staging slot keeps room to save the primary). */
	uint32_t max_image;
	uint32_t max_image_hdr;	   /* the header part of it, for the message */
	const char *max_image_why; /* what sets max_image when not that */
	const char *slot_desc; /* "slot 'app-a' (layout.yaml:24:7)" or NULL */
	/* -E: encrypt for this key (imgtool's -E, enc.h): the payload is
	 * padded with zeros to a multiple of 16 bytes (with the header), the
	 * header flagged ENCRYPTED_AES128/256, a fresh AES key wrapped into
	 * the key TLV after the signature, the payload AES-CTR encrypted
	 * after hashing (the digest and signature are over the plaintext). */
	struct fk_enc_key *enc;
	size_t enc_aes_len; /* --encrypt-keylen: 16 or 32 bytes */
	bool enc_sha512;    /* --hmac-sha 512 (ECIES-X25519 only) */
	bool enc_clear;	    /* -c: flags and key TLV, payload left clear */
	bool save_enctlv;   /* --save-enctlv: the trailer keeps key TLVs */
};

void fk_sign_opts_init(struct fk_sign_opts *o);

/* The trailer's unit size: --max-align, or max(8, --align). */
uint32_t fk_sign_max_align(const struct fk_sign_opts *o);

/* Bytes reserved at the end of the slot: imgtool's MCUboot trailer, or
 * with a layout flashkit's boot state. */
uint32_t fk_sign_trailer_size(const struct fk_sign_opts *o);

/* The max-align a boot magic was written for (8, 16, 32, ...), or 0 when
 * the 16 bytes are no boot magic. */
uint32_t fk_sign_magic_align(const uint8_t magic[16]);

/* The 16-byte boot magic for this max_align. */
void fk_sign_boot_magic(const struct fk_sign_opts *o, uint8_t magic[16]);

struct fk_sign_result {
	struct fk_diag diag; /* on failure: what is wrong, what to do */
	uint8_t *data; /* malloc'd image (padded to the slot with --pad) */
	size_t len;
	size_t image_len;     /* header + payload + TLVs, before any padding */
	uint32_t trailer_off; /* with --pad: where the trailer starts */
	uint8_t digest[FK_DIGEST_MAX]; /* SHA-384 with a P-384 key (as
					* imgtool), else SHA-256 */
	size_t digest_len;
};

/*
 * Makes the image from payload (the firmware bytes; with pad_header
 * false, their first hdr_size bytes must be zero and become the header).
 * Refuses an image that does not fit its slot, or with max_image set one
 * larger than the bootloader installs (saying by how many bytes), bad
 * option combinations, and signing failures: -1 with res->diag saying
 * what is wrong and what to do (nothing is printed). Returns 0 or -1.
 */
int fk_sign_image(const struct fk_sign_opts *o, const uint8_t *payload,
		  size_t payload_len, struct fk_sign_result *res);

#endif
