/*
 * Encrypted images on the device: the AES key unwrapped from the image's
 * ENC_* TLV, and the AES-CTR view that reads ciphertext as plaintext (and
 * plaintext as ciphertext), through which fk_image_validate() checks an
 * encrypted image and the boot core installs, saves and restores one.
 *
 * The cryptography itself is the port's (enc_unwrap, aes_ctr_xor); this
 * file only finds the bytes and decides which of them are payload.
 */
#include <string.h>

#include "flashkit/image.h"

#define ENC_FLAGS (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256)

/* Largest ENC_* TLV value: an RSA-2048 OAEP block. */
#define ENC_TLV_MAX 256

static bool is_wrap_tlv(uint16_t type)
{
	return type == FK_TLV_ENC_RSA2048 || type == FK_TLV_ENC_EC256 ||
	       type == FK_TLV_ENC_X25519 || type == FK_TLV_ENC_X25519_SHA512;
}

/* The first key-wrap TLV of the image: 0, FK_ENOTSUP when the image has
 * only an AES-KW one (a pre-shared key-encryption key, not supported),
 * FK_ENOENT when none, or a read error. */
static int find_wrap_tlv(const struct fk_area *slot,
			 const struct fk_image_info *info,
			 struct fk_image_tlv *tlv)
{
	struct fk_image_tlv_iter it;
	int kw = 0;
	int rc = fk_image_tlv_begin(&it, slot, info);

	while (rc == FK_OK && (rc = fk_image_tlv_next(&it, tlv)) == 1) {
		if (is_wrap_tlv(tlv->type))
			return FK_OK;
		if (tlv->type == FK_TLV_ENC_KW)
			kw = 1;
		rc = FK_OK;
	}
	if (rc < 0)
		return rc;
	return kw ? FK_ENOTSUP : FK_ENOENT;
}

int fk_image_enc_key(const struct fk_area *slot,
		     const struct fk_image_info *info,
		     const struct fk_image_keys *keys,
		     uint8_t key[FK_IMAGE_AES_MAX], uint32_t *key_len)
{
	uint32_t flags = info ? info->hdr.flags & ENC_FLAGS : 0;
	uint32_t len = flags == FK_IMAGE_F_ENCRYPTED_AES128 ? 16 : 32;
	uint8_t value[ENC_TLV_MAX];
	struct fk_image_tlv tlv;
	int rc;

	if (!slot || !keys || !keys->crypto || !key || !key_len || !flags)
		return FK_EINVAL;
	if (flags == ENC_FLAGS)
		return FK_EBADIMG;
	if (!keys->enc_key || !keys->crypto->enc_unwrap ||
	    !keys->crypto->aes_ctr_xor)
		return FK_ENOTSUP;
	rc = find_wrap_tlv(slot, info, &tlv);
	if (rc == FK_OK && tlv.len > sizeof(value))
		rc = FK_EKEY;
	if (rc == FK_OK)
		rc = fk_area_read(slot, tlv.off, value, tlv.len);
	if (rc == FK_OK)
		rc = keys->crypto->enc_unwrap(keys->enc_key, keys->enc_key_len,
					      tlv.type, value, tlv.len, key,
					      len);
	if (rc == FK_OK)
		*key_len = len;
	return rc;
}

/*
 * The view. Invariant: a byte of the underlying flash at address x is
 * XORed with keystream byte x + ks_delta exactly when that sum (mod 2^32)
 * is below pay_len; the payload is one interval of x, so a read overlaps
 * it in at most one run.
 */
static int crypt_read(const struct fk_flash *flash, uint32_t off, void *buf,
		      uint32_t len)
{
	const struct fk_image_crypt *c = flash->ctx;
	uint32_t k = off + c->ks_delta, skip = 0, run;
	int rc = fk_flash_read(c->under, off, buf, len);

	if (rc != FK_OK || len == 0)
		return rc;
	if (k >= c->pay_len) {
		/* before the payload (k wraps to 0 after skip bytes) or
		 * past it (skip is then larger than any read) */
		skip = 0u - k;
		if (skip >= len)
			return FK_OK;
		k = 0;
	}
	run = c->pay_len - k;
	if (run > len - skip)
		run = len - skip;
	return c->crypto->aes_ctr_xor(c->key, c->key_len, k,
				      (uint8_t *)buf + skip, run);
}

static const struct fk_flash_ops crypt_ops = {
	.read = crypt_read,
	.program = fk_flash_ro_program,
	.erase_sector = fk_flash_ro_erase,
};

void fk_image_crypt_init(struct fk_image_crypt *c, const struct fk_area *a,
			 uint32_t pay_start, uint32_t pay_len,
			 const struct fk_crypto_port *crypto,
			 const uint8_t *key, uint32_t key_len,
			 struct fk_area *view)
{
	c->flash.geo = a->flash->geo;
	c->flash.ops = &crypt_ops;
	c->flash.ctx = c;
	c->under = a->flash;
	c->crypto = crypto;
	c->ks_delta = 0u - pay_start;
	c->pay_len = pay_len;
	c->key_len = key_len <= FK_IMAGE_AES_MAX ? key_len : FK_IMAGE_AES_MAX;
	memcpy(c->key, key, c->key_len);
	view->flash = &c->flash;
	view->off = a->off;
	view->size = a->size;
}

void fk_image_crypt_wipe(struct fk_image_crypt *c)
{
	volatile uint8_t *p = c->key;

	for (uint32_t i = 0; i < sizeof(c->key); i++)
		p[i] = 0;
}
