/*
 * Assembling an MCUboot-format image as imgtool does (sign.h).
 *
 * The order of every field and TLV follows imgtool, so that for the same
 * payload and options our bytes equal imgtool's except the randomized
 * signature; tests/image compares against files imgtool made. The digest
 * is computed with the same crypto port the device uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/bytes.h"
#include "fk_crypto_mbedtls.h"
#include "sign.h"

static const uint8_t boot_magic_align8[16] = {
	0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
	0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
/* With another max-align, the magic starts with it (little-endian). */
static const uint8_t boot_magic_tail[14] = {
	0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
	0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

void fk_sign_opts_init(struct fk_sign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hdr_size = FK_IMAGE_HEADER_SIZE;
	o->align = 1;
	o->erased_val = 0xff;
}

uint32_t fk_sign_max_align(const struct fk_sign_opts *o)
{
	if (o->max_align)
		return o->max_align;
	return o->align > FK_SIGN_DEFAULT_MAX_ALIGN ? o->align :
						      FK_SIGN_DEFAULT_MAX_ALIGN;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

/* imgtool's trailer room for the two saved keys: 16 bytes each (or the
 * key TLV with --save-enctlv), aligned to max-align. */
static uint32_t enc_keys_size(const struct fk_sign_opts *o)
{
	uint32_t key;

	if (!o->enc)
		return 0;
	key = o->save_enctlv ? (uint32_t)fk_enc_tlv_len(o->enc, o->enc_aes_len,
							o->enc_sha512) :
			       16;
	return 2 * align_up(key, fk_sign_max_align(o));
}

uint32_t fk_sign_trailer_size(const struct fk_sign_opts *o)
{
	uint32_t max_align = fk_sign_max_align(o);
	uint32_t magic = align_up(16, max_align);
	uint32_t sectors =
		o->max_sectors ? o->max_sectors : FK_SIGN_DEFAULT_MAX_SECTORS;

	if (o->layout_trailer)
		return o->layout_trailer_size;
	if (o->overwrite_only)
		return max_align * 2 + magic;
	/* swap status (3 entries per sector), the two saved encryption keys
	 * (or key TLVs), then image_ok, copy_done, swap_info and swap_size,
	 * each in its own max-align unit. */
	return sectors * 3 * o->align + enc_keys_size(o) + max_align * 4 +
	       magic;
}

uint32_t fk_sign_magic_align(const uint8_t magic[16])
{
	uint32_t align = (uint32_t)(magic[0] | magic[1] << 8);

	if (!memcmp(magic, boot_magic_align8, 16))
		return FK_SIGN_DEFAULT_MAX_ALIGN;
	if (memcmp(magic + 2, boot_magic_tail, sizeof(boot_magic_tail)) ||
	    !align || align > 0x8000 || (align & (align - 1)))
		return 0;
	return align;
}

void fk_sign_boot_magic(const struct fk_sign_opts *o, uint8_t magic[16])
{
	uint32_t max_align = fk_sign_max_align(o);

	if (max_align == FK_SIGN_DEFAULT_MAX_ALIGN) {
		memcpy(magic, boot_magic_align8, 16);
		return;
	}
	magic[0] = (uint8_t)max_align;
	magic[1] = (uint8_t)(max_align >> 8);
	memcpy(magic + 2, boot_magic_tail, sizeof(boot_magic_tail));
}

static void put_version(uint8_t *p, const struct fk_image_version *v)
{
	p[0] = v->major;
	p[1] = v->minor;
	fk_put_le16(p + 2, v->revision);
	fk_put_le32(p + 4, v->build);
}

/* Appends one TLV at *pos. */
static void put_tlv(uint8_t *buf, size_t *pos, uint16_t type, const void *value,
		    size_t len)
{
	fk_put_le16(buf + *pos, type);
	fk_put_le16(buf + *pos + 2, (uint32_t)len);
	if (len)
		memcpy(buf + *pos + 4, value, len);
	*pos += 4 + len;
}

static int check_enc_opts(const struct fk_sign_opts *o, struct fk_diag *why)
{
	if (o->enc_aes_len != 16 && o->enc_aes_len != 32)
		return fk_fail(why, "--encrypt-keylen must be 128 or 256");
	if (o->enc_sha512 && o->enc->scheme != FK_ENC_ECIES_X25519)
		return fk_fail(why,
			       "--hmac-sha 512 is for ECIES-X25519 keys only; "
			       "%s is an %s key",
			       o->enc->path,
			       fk_enc_scheme_name(o->enc->scheme));
	if (o->load_addr)
		return fk_fail(why,
			       "an encrypted image cannot be a ram-load image "
			       "(-L): the bootloader decrypts while installing "
			       "into the primary slot, as MCUboot does; leave "
			       "out -E or -L");
	return 0;
}

static int check_opts(const struct fk_sign_opts *o, struct fk_diag *why)
{
	uint32_t a = o->align;

	if (o->hdr_size < FK_IMAGE_HEADER_SIZE || o->hdr_size > 0xffff) {
		fk_fail(why, "header size (-H) must be 32..65535 bytes, not %u",
			o->hdr_size);
		return -1;
	}
	if (!o->layout_trailer && a != 1 && a != 2 && a != 4 && a != 8 &&
	    a != 16 && a != 32) {
		fk_fail(why, "--align must be 1, 2, 4, 8, 16 or 32, not %u", a);
		return -1;
	}
	if (!o->layout_trailer &&
	    (fk_sign_max_align(o) < a ||
	     (fk_sign_max_align(o) & (fk_sign_max_align(o) - 1)))) {
		fk_fail(why,
			"--max-align %u must be a power of two >= --align %u",
			fk_sign_max_align(o), a);
		return -1;
	}
	if (o->enc && check_enc_opts(o, why))
		return -1;
	if ((o->pad || o->confirm) && !o->slot_size) {
		fk_fail(why,
			"--pad, --confirm and --test need the slot size (-S)");
		return -1;
	}
	return 0;
}

static size_t protected_size(const struct fk_sign_opts *o)
{
	size_t n = 0;

	if (o->has_sec_cnt)
		n += 4 + 4;
	n += o->dep_count * (4 + 12);
	for (uint32_t i = 0; i < o->tlv_count; i++)
		n += 4 + o->tlvs[i].len;
	return n ? n + FK_TLV_INFO_SIZE : 0;
}

static void put_protected(const struct fk_sign_opts *o, uint8_t *buf,
			  size_t *pos, size_t prot_size)
{
	uint8_t v[12];

	fk_put_le16(buf + *pos, FK_TLV_PROT_INFO_MAGIC);
	fk_put_le16(buf + *pos + 2, (uint32_t)prot_size);
	*pos += FK_TLV_INFO_SIZE;
	if (o->has_sec_cnt) {
		fk_put_le32(v, o->sec_cnt);
		put_tlv(buf, pos, FK_TLV_SEC_CNT, v, 4);
	}
	for (uint32_t i = 0; i < o->dep_count; i++) {
		memset(v, 0, sizeof(v));
		v[0] = o->deps[i].image_id;
		put_version(v + 4, &o->deps[i].min_version);
		put_tlv(buf, pos, FK_TLV_DEPENDENCY, v, 12);
	}
	for (uint32_t i = 0; i < o->tlv_count; i++)
		put_tlv(buf, pos, o->tlvs[i].type, o->tlvs[i].value,
			o->tlvs[i].len);
}

static void put_header(const struct fk_sign_opts *o, uint8_t *buf,
		       uint32_t img_size, size_t prot_size)
{
	uint32_t flags = 0;

	if (o->load_addr)
		flags |= FK_IMAGE_F_RAM_LOAD;
	if (o->rom_fixed)
		flags |= FK_IMAGE_F_ROM_FIXED;
	if (o->non_bootable)
		flags |= FK_IMAGE_F_NON_BOOTABLE;
	if (o->enc)
		flags |= o->enc_aes_len == 32 ? FK_IMAGE_F_ENCRYPTED_AES256 :
						FK_IMAGE_F_ENCRYPTED_AES128;
	memset(buf, 0, FK_IMAGE_HEADER_SIZE);
	fk_put_le32(buf + 0, FK_IMAGE_MAGIC);
	fk_put_le32(buf + 4, o->rom_fixed ? o->rom_fixed : o->load_addr);
	fk_put_le16(buf + 8, o->hdr_size);
	fk_put_le16(buf + 10, (uint32_t)prot_size);
	fk_put_le32(buf + 12, img_size);
	fk_put_le32(buf + 16, flags);
	put_version(buf + 20, &o->version);
}

/* The image digest: SHA-384 when digest_len is 48 (a P-384 key, as
 * imgtool pairs them), else SHA-256. */
static int digest_of(const uint8_t *data, size_t len, uint8_t *out,
		     size_t digest_len, struct fk_diag *why)
{
	const struct fk_crypto_port *c = &fk_crypto_mbedtls;
	union fk_sha256_state st;
	int rc;

	if (digest_len == FK_SHA384_SIZE)
		rc = c->sha384_init(&st) || c->sha384_update(&st, data, len) ||
		     c->sha384_finish(&st, out);
	else
		rc = c->sha256_init(&st) || c->sha256_update(&st, data, len) ||
		     c->sha256_finish(&st, out);
	if (rc) {
		fk_fail(why, "hashing the image failed");
		return -1;
	}
	return 0;
}

/* Header + payload in a fresh buffer with room for the TLVs. */
static uint8_t *start_image(const struct fk_sign_opts *o,
			    const uint8_t *payload, size_t payload_len,
			    size_t tail, size_t *len, struct fk_diag *why)
{
	size_t head = o->pad_header ? o->hdr_size : 0, zeros;
	uint8_t *buf;

	if (!o->pad_header) {
		if (payload_len < o->hdr_size) {
			fk_fail(why,
				"input is %zu bytes, shorter than the header "
				"(-H %u); add --pad-header",
				payload_len, o->hdr_size);
			return NULL;
		}
		for (size_t i = 0; i < o->hdr_size; i++) {
			if (payload[i]) {
				fk_fail(why,
					"input byte %zu is not zero, but "
					"--pad-header was not given: the "
					"first %u bytes would be overwritten "
					"by the header; add --pad-header",
					i, o->hdr_size);
				return NULL;
			}
		}
	}
	if (head + payload_len - (o->pad_header ? 0 : o->hdr_size) >
	    0xffffffffu - 0x10000u) {
		fk_fail(why, "input too large for an image (%zu bytes)",
			payload_len);
		return NULL;
	}
	/* imgtool pads an encrypted image's header + payload with zeros to
	 * a whole AES block */
	zeros = o->enc ? (16 - (head + payload_len) % 16) % 16 : 0;
	buf = malloc(head + payload_len + zeros + tail);
	if (!buf) {
		fk_fail_nomem(why);
		return NULL;
	}
	memset(buf, o->erased_val, head);
	if (payload_len)
		memcpy(buf + head, payload, payload_len);
	memset(buf + head + payload_len, 0, zeros);
	*len = head + payload_len + zeros;
	return buf;
}

static int check_fit(const struct fk_sign_opts *o, size_t image_len,
		     struct fk_diag *why)
{
	uint64_t need = (uint64_t)image_len + fk_sign_trailer_size(o);

	if (o->max_image) {
		/* the boot core's own figure, as `layout show` prints it
		 * (max payload = max_image - header) */
		if (image_len <= o->max_image)
			return 0;
		if (o->max_image_why) {
			fk_fail(why,
				"image does not fit %s: %zu bytes too large "
				"(image 0x%zx > 0x%x: %s); shrink the firmware "
				"or enlarge the slots",
				o->slot_desc ? o->slot_desc : "its slots",
				image_len - o->max_image, image_len,
				o->max_image, o->max_image_why);
			return -1;
		}
		fk_fail(why,
			"image does not fit %s: %llu byte%s too large (image "
			"0x%zx > 0x%x, the most the bootloader installs: max "
			"payload %u + header 0x%x, as `flashkit layout show` "
			"prints); shrink the firmware or enlarge the slots",
			o->slot_desc ? o->slot_desc : "its slots",
			(unsigned long long)(image_len - o->max_image),
			image_len - o->max_image == 1 ? "" : "s", image_len,
			o->max_image, o->max_image - o->max_image_hdr,
			o->max_image_hdr);
		return -1;
	}

	if (!o->slot_size || need <= o->slot_size)
		return 0;
	fk_fail(why,
		"image does not fit %s: %llu bytes too large (image 0x%zx + "
		"%s 0x%x = 0x%llx > slot size 0x%x); shrink the firmware or "
		"enlarge the slot",
		o->slot_desc ? o->slot_desc : "its slot",
		(unsigned long long)(need - o->slot_size), image_len,
		o->layout_trailer ? "boot state" : "trailer",
		fk_sign_trailer_size(o), (unsigned long long)need,
		o->slot_size);
	return -1;
}

static int pad_to_slot(const struct fk_sign_opts *o, struct fk_sign_result *res)
{
	struct fk_diag *why = &res->diag;
	uint32_t max_align = fk_sign_max_align(o);
	uint32_t magic_size = align_up(16, max_align);
	uint8_t *p;

	if (res->len > o->slot_size) {
		fk_fail(why,
			"image (0x%zx bytes) is larger than the slot (0x%x) "
			"it should be padded to",
			res->len, o->slot_size);
		return -1;
	}
	p = realloc(res->data, o->slot_size);
	if (!p) {
		fk_fail_nomem(why);
		return -1;
	}
	res->data = p;
	memset(p + res->len, o->erased_val, o->slot_size - res->len);
	res->len = o->slot_size;
	res->trailer_off = o->slot_size - fk_sign_trailer_size(o);
	if (o->layout_trailer)
		return 0; /* flashkit's boot state starts erased */
	fk_sign_boot_magic(o, p + o->slot_size - 16);
	if (o->confirm && !o->overwrite_only)
		p[o->slot_size - magic_size - max_align] = 0x01;
	return 0;
}

/* After hashing and signing: a fresh AES key wrapped into the key TLV at
 * *pos, and (unless -c) the payload encrypted with it in place. */
static int encrypt(const struct fk_sign_opts *o, uint8_t *buf, size_t *pos,
		   struct fk_diag *why)
{
	uint32_t hdr = o->hdr_size, img_size = fk_le32(buf + 12);
	uint8_t key[32], tlv[FK_ENC_TLV_MAX];
	size_t tlv_len = 0;
	int rc;

	rc = fk_enc_random(key, o->enc_aes_len, why);
	if (!rc && fk_enc_wrap(o->enc, o->enc_sha512, key, o->enc_aes_len, tlv,
			       &tlv_len))
		rc = fk_diag_fail(why, o->enc->diag.fail, NULL, "%s",
				  o->enc->diag.last_text);
	if (!rc && !o->enc_clear &&
	    fk_enc_ctr(key, o->enc_aes_len, buf + hdr, img_size))
		rc = fk_fail(why, "AES-CTR failed");
	if (!rc)
		put_tlv(buf, pos, fk_enc_tlv_type(o->enc, o->enc_sha512), tlv,
			tlv_len);
	memset(key, 0, sizeof(key));
	return rc;
}

int fk_sign_image(const struct fk_sign_opts *o, const uint8_t *payload,
		  size_t payload_len, struct fk_sign_result *res)
{
	size_t prot_size = protected_size(o), pos, sig_len = 0;
	size_t unprot_max = FK_TLV_INFO_SIZE + 4 + FK_DIGEST_MAX + 4 +
			    FK_IMAGE_PUBKEY_MAX + 4 + FK_IMAGE_SIG_MAX + 4 +
			    FK_ENC_TLV_MAX;
	uint8_t sig[FK_IMAGE_SIG_MAX];
	size_t unprot_start;
	uint8_t *buf;

	memset(res, 0, sizeof(*res));
	if (check_opts(o, &res->diag))
		return -1;
	if (prot_size > 0xffff) {
		fk_fail(&res->diag,
			"protected TLVs take %zu bytes; at most "
			"65535 fit",
			prot_size);
		return -1;
	}
	buf = start_image(o, payload, payload_len, prot_size + unprot_max, &pos,
			  &res->diag);
	if (!buf)
		return -1;
	put_header(o, buf, (uint32_t)(pos - o->hdr_size), prot_size);
	if (prot_size)
		put_protected(o, buf, &pos, prot_size);
	res->digest_len =
		o->key ? fk_key_digest_len(o->key->type) : FK_SHA256_SIZE;
	if (digest_of(buf, pos, res->digest, res->digest_len, &res->diag))
		goto fail;
	unprot_start = pos;
	pos += FK_TLV_INFO_SIZE;
	put_tlv(buf, &pos,
		res->digest_len == FK_SHA384_SIZE ? FK_TLV_SHA384 :
						    FK_TLV_SHA256,
		res->digest, res->digest_len);
	if (o->key) {
		if (fk_key_sign(o->key, res->digest, sig, &sig_len)) {
			fk_diag_fail(&res->diag, o->key->diag.fail, NULL, "%s",
				     o->key->diag.last_text);
			goto fail;
		}
		if (o->pubkey_full)
			put_tlv(buf, &pos, FK_TLV_PUBKEY, o->key->pub,
				o->key->pub_len);
		else
			put_tlv(buf, &pos, FK_TLV_KEYHASH, o->key->hash,
				res->digest_len);
		put_tlv(buf, &pos, fk_key_sig_tlv(o->key), sig, sig_len);
	}
	if (o->enc && encrypt(o, buf, &pos, &res->diag))
		goto fail;
	fk_put_le16(buf + unprot_start, FK_TLV_INFO_MAGIC);
	fk_put_le16(buf + unprot_start + 2, (uint32_t)(pos - unprot_start));
	res->data = buf;
	res->len = pos;
	res->image_len = pos;
	if (check_fit(o, pos, &res->diag))
		goto fail;
	if ((o->pad || o->confirm) && pad_to_slot(o, res))
		goto fail;
	return 0;
fail:
	free(res->data ? res->data : buf);
	res->data = NULL;
	res->len = res->image_len = 0;
	return -1;
}
