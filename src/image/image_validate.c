/*
 * Checking an image: the digest (SHA-256, or SHA-384 when the image's
 * digest TLV is SHA384) over header, payload and protected TLVs,
 * then the signature with one of the keys compiled into the bootloader.
 *
 * The order matters: the digest is checked before any signature work, so
 * a corrupted image is reported as FK_EDIGEST (a transfer problem) and
 * only an intact image whose signature fails is reported as FK_ESIG (a
 * key or trust problem). Reads go through small stack buffers; the only
 * large one is the signature itself, which the crypto port needs whole.
 */
#include <string.h>

#include "flashkit/image.h"

/* The hash functions of the port for the image's digest. */
struct hash_fns {
	int (*init)(union fk_sha256_state *st);
	int (*update)(union fk_sha256_state *st, const void *data, size_t len);
	int (*finish)(union fk_sha256_state *st, uint8_t *out);
};

static int hash_fns_for(const struct fk_crypto_port *crypto, uint8_t digest_len,
			struct hash_fns *h)
{
	if (digest_len == FK_SHA384_SIZE) {
		h->init = crypto->sha384_init;
		h->update = crypto->sha384_update;
		h->finish = crypto->sha384_finish;
	} else if (digest_len == FK_SHA256_SIZE) {
		h->init = crypto->sha256_init;
		h->update = crypto->sha256_update;
		h->finish = crypto->sha256_finish;
	} else {
		return FK_EINVAL;
	}
	return h->init && h->update && h->finish ? 0 : FK_ENOTSUP;
}

int fk_image_hash(const struct fk_area *slot, const struct fk_image_info *info,
		  const struct fk_crypto_port *crypto,
		  uint8_t digest[FK_DIGEST_MAX], void *buf, uint32_t buf_len)
{
	union fk_sha256_state st;
	uint8_t discard[FK_DIGEST_MAX];
	struct hash_fns h;
	uint32_t off = 0;
	int rc;

	if (!slot || !info || !crypto || !digest || !buf || !buf_len ||
	    info->unprot_off > slot->size)
		return FK_EINVAL;
	rc = hash_fns_for(crypto, info->digest_len, &h);
	if (rc)
		return rc;
	rc = h.init(&st);
	if (rc)
		return rc;
	while (off < info->unprot_off) {
		uint32_t n = info->unprot_off - off;

		if (n > buf_len)
			n = buf_len;
		rc = fk_area_read(slot, off, buf, n);
		if (!rc)
			rc = h.update(&st, buf, n);
		if (rc) {
			h.finish(&st, discard);
			return rc;
		}
		off += n;
	}
	return h.finish(&st, digest);
}

/* The key type that makes a signature TLV over a digest of digest_len
 * bytes, or 0 when none we check. imgtool pairs P-384 with SHA-384 and
 * everything else with SHA-256; the ECDSA_SIG TLV is the same for both
 * curves, so the digest tells them apart. */
static enum fk_image_key_type key_type_for(uint16_t sig_type,
					   uint8_t digest_len)
{
	if (sig_type == FK_TLV_ECDSA_SIG && digest_len == FK_SHA384_SIZE)
		return FK_KEY_ECDSA_P384;
	if (digest_len != FK_SHA256_SIZE)
		return (enum fk_image_key_type)0;
	switch (sig_type) {
	case FK_TLV_ECDSA_SIG:
		return FK_KEY_ECDSA_P256;
	case FK_TLV_RSA2048_PSS:
		return FK_KEY_RSA2048;
	case FK_TLV_RSA3072_PSS:
		return FK_KEY_RSA3072;
	case FK_TLV_ED25519:
		return FK_KEY_ED25519;
	default:
		return (enum fk_image_key_type)0;
	}
}

typedef int (*verify_fn)(const uint8_t *key, size_t key_len,
			 const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			 size_t sig_len);

static verify_fn verifier_for(const struct fk_crypto_port *crypto,
			      enum fk_image_key_type type)
{
	switch (type) {
	case FK_KEY_ECDSA_P256:
		return crypto->ecdsa_p256_verify;
	case FK_KEY_RSA2048:
		return crypto->rsa2048_pss_verify;
	case FK_KEY_ED25519:
		return crypto->ed25519_verify;
	case FK_KEY_ECDSA_P384:
		return crypto->ecdsa_p384_verify;
	case FK_KEY_RSA3072:
		return crypto->rsa3072_pss_verify;
	default:
		return NULL;
	}
}

/* 1 when the key_len bytes at off in slot equal der, 0 when not. */
static int flash_equals(const struct fk_area *slot, uint32_t off,
			const uint8_t *der, uint32_t len)
{
	uint8_t chunk[32];

	while (len) {
		uint32_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		int rc = fk_area_read(slot, off, chunk, n);

		if (rc)
			return rc;
		if (memcmp(chunk, der, n))
			return 0;
		off += n;
		der += n;
		len -= n;
	}
	return 1;
}

/* Whether key may have made this image's signature, judging by the image's
 * KEYHASH or PUBKEY TLV. Returns 1, 0 or a flash error. */
static int key_matches(const struct fk_area *slot,
		       const struct fk_image_info *info,
		       const struct fk_image_key *key,
		       const uint8_t keyhash[FK_DIGEST_MAX])
{
	if (key->type != key_type_for(info->sig_type, info->digest_len) ||
	    !key->der)
		return 0;
	/* key_len is the digest's length (fk_image_parse checks it). */
	if (info->key_type == FK_TLV_KEYHASH)
		return info->key_len <= FK_DIGEST_MAX &&
		       !memcmp(key->hash, keyhash, info->key_len);
	if (info->key_type == FK_TLV_PUBKEY)
		return key->der_len == info->key_len &&
		       flash_equals(slot, info->key_off, key->der,
				    key->der_len);
	return 0;
}

/* Not inlined: its signature buffer is on the stack only while the
 * signature is checked, after the hashing's frames are gone (and never in
 * a digest-only boot). */
static __attribute__((noinline)) int
check_signature(const struct fk_area *slot, const struct fk_image_keys *keys,
		struct fk_image_info *info)
{
	uint8_t sig[FK_IMAGE_SIG_MAX];
	uint8_t keyhash[FK_DIGEST_MAX];
	enum fk_image_key_type type =
		key_type_for(info->sig_type, info->digest_len);
	verify_fn verify;
	int rc, result = FK_EKEY;

	if (!(info->present & FK_IMAGE_HAS_SIG))
		return FK_ESIG;
	if ((info->present & FK_IMAGE_HAS_SIG_PURE) || !type)
		return FK_ENOTSUP;
	/* Like MCUboot, a signature counts only with the TLV that names its
	 * key; a key table is never searched blindly. */
	if (!info->key_type)
		return FK_EKEY;
	verify = verifier_for(keys->crypto, type);
	if (info->sig_len > sizeof(sig) || (info->key_type == FK_TLV_KEYHASH &&
					    info->key_len > sizeof(keyhash)))
		return FK_EBADIMG;
	rc = fk_area_read(slot, info->sig_off, sig, info->sig_len);
	if (!rc && info->key_type == FK_TLV_KEYHASH)
		rc = fk_area_read(slot, info->key_off, keyhash, info->key_len);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < keys->count; i++) {
		const struct fk_image_key *key = &keys->keys[i];

		rc = key_matches(slot, info, key, keyhash);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if (!verify) {
			/* The key is there but this port cannot use it. */
			result = FK_ENOTSUP;
			continue;
		}
		rc = verify(key->der, key->der_len, info->digest, sig,
			    info->sig_len);
		if (!rc) {
			info->key_index = (int32_t)i;
			return FK_OK;
		}
		/* A key that matched but did not verify: the signature is
		 * the problem, unless every candidate was unusable. */
		if (rc != FK_EKEY)
			result = rc;
	}
	return result;
}

/* Digest, then signature, of the image info describes, read through
 * slot. */
static int check_content(const struct fk_area *slot,
			 const struct fk_image_keys *keys,
			 struct fk_image_info *info)
{
	uint8_t buf[FK_IMAGE_HASH_CHUNK];
	uint8_t digest[FK_DIGEST_MAX];
	int rc = fk_image_hash(slot, info, keys->crypto, digest, buf,
			       sizeof(buf));

	if (rc)
		return rc;
	if (memcmp(digest, info->digest, info->digest_len))
		return FK_EDIGEST;
	if (!keys->count)
		return FK_OK;
	return check_signature(slot, keys, info);
}

/* An encrypted image as stored (ciphertext payload): checked through an
 * AES-CTR view of slot, with the key from its ENC_* TLV. A build without
 * decryption (FK_IMAGE_NO_ENC: a bootloader with no device key) reports
 * FK_ENOTSUP and links none of it. */
#ifdef FK_IMAGE_NO_ENC
static int check_encrypted(const struct fk_area *slot,
			   const struct fk_image_keys *keys,
			   struct fk_image_info *info)
{
	(void)slot;
	(void)keys;
	(void)info;
	return FK_ENOTSUP;
}
#else
static int check_encrypted(const struct fk_area *slot,
			   const struct fk_image_keys *keys,
			   struct fk_image_info *info)
{
	uint8_t key[FK_IMAGE_AES_MAX];
	struct fk_image_crypt c;
	struct fk_area view;
	uint32_t key_len = 0;
	int rc = fk_image_enc_key(slot, info, keys, key, &key_len);

	if (rc)
		return rc;
	fk_image_crypt_init(&c, slot, slot->off + info->hdr.hdr_size,
			    info->hdr.img_size, keys->crypto, key, key_len,
			    &view);
	memset(key, 0, sizeof(key));
	rc = check_content(&view, keys, info);
	fk_image_crypt_wipe(&c);
	return rc;
}
#endif

/* fk_image_validate; plain: the payload in slot is the plaintext whatever
 * the header's ENCRYPTED flags say. */
static int validate(const struct fk_area *slot,
		    const struct fk_image_keys *keys,
		    struct fk_image_info *info, bool plain)
{
	int rc;

	if (!slot || !keys || !keys->crypto || !info ||
	    (keys->count && !keys->keys))
		return FK_EINVAL;
	rc = fk_image_parse(slot, info);
	if (rc)
		return rc;
	if (!plain && (info->hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					  FK_IMAGE_F_ENCRYPTED_AES256)))
		return check_encrypted(slot, keys, info);
	return check_content(slot, keys, info);
}

int fk_image_validate(const struct fk_area *slot,
		      const struct fk_image_keys *keys,
		      struct fk_image_info *info)
{
	return validate(slot, keys, info, false);
}

int fk_image_validate_plain(const struct fk_area *slot,
			    const struct fk_image_keys *keys,
			    struct fk_image_info *info)
{
	return validate(slot, keys, info, true);
}
