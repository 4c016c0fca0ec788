/*
 * fk_image_check_lite(): the image check of a one-image bootloader, with
 * fk_image_validate()'s verdicts in about half its code.
 *
 * One walk over the header and the TLV areas keeps only what the checks
 * after it need (where the digest, key and signature TLVs are, which
 * rules were used), then SHA-256 over [0, unprotected area) through the
 * caller's buffer, then the signature. The order of the checks is
 * fk_image_parse()'s then fk_image_validate()'s, so that a hostile image
 * gets the same code from both: every format error is FK_EBADIMG, but a
 * fifth DEPENDENCY (FK_ENOSPC) or a SHA512 digest (FK_ENOTSUP) wins only
 * over what comes after it. As in image_parse.c, no length read from
 * flash is used before it is checked against the slot with subtractions
 * that cannot wrap. What this file does not do (SHA-384, decryption) it
 * refuses with FK_ENOTSUP.
 */
#include <stddef.h>
#include <string.h>

#include "flashkit/image_lite.h"

/* What a known TLV type must be, as image_parse.c's rules say (and
 * test_image_lite checks that the two agree). Its area follows from the
 * type: below 0x40 unprotected, the others protected. In a rule the low
 * nibble indexes rule_len[] (the allowed lengths), the high one is dup, 0
 * for a type that may repeat (DEPENDENCY), else 1 + a bit shared by the
 * types that exclude each other (two digests, two key TLVs, two
 * signatures) or owned by the type. */
enum { DUP_KEY = 1, DUP_DIGEST, DUP_SIG, DUP_SIG_PURE, DUP_OWN };
enum {
	L_KEYHASH,
	L_PUBKEY,
	L_32,
	L_48,
	L_64,
	L_256,
	L_ANY,
	L_ECDSA,
	L_384,
	L_SIG_PURE,
	L_12,
	L_4
};
#define RULE(dup, len) ((dup) << 4 | (len))

static const uint16_t rule_len[][2] = {
	[L_KEYHASH] = { 32, 48 }, [L_PUBKEY] = { 1, FK_IMAGE_PUBKEY_MAX },
	[L_32] = { 32, 32 },	  [L_48] = { 48, 48 },
	[L_64] = { 64, 64 },	  [L_256] = { 256, 256 },
	[L_ANY] = { 1, 0xffff },  [L_ECDSA] = { 8, 256 },
	[L_384] = { 384, 384 },	  [L_SIG_PURE] = { 0, 0xffff },
	[L_12] = { 12, 12 },	  [L_4] = { 4, 4 },
};

static const struct {
	uint8_t type, rule;
} rules[] = {
	{ FK_TLV_KEYHASH, RULE(DUP_KEY, L_KEYHASH) },
	{ FK_TLV_PUBKEY, RULE(DUP_KEY, L_PUBKEY) },
	{ FK_TLV_SHA256, RULE(DUP_DIGEST, L_32) },
	{ FK_TLV_SHA384, RULE(DUP_DIGEST, L_48) },
	{ FK_TLV_SHA512, RULE(DUP_DIGEST, L_64) },
	{ FK_TLV_RSA2048_PSS, RULE(DUP_SIG, L_256) },
	{ FK_TLV_ECDSA224, RULE(DUP_SIG, L_ANY) },
	{ FK_TLV_ECDSA_SIG, RULE(DUP_SIG, L_ECDSA) },
	{ FK_TLV_RSA3072_PSS, RULE(DUP_SIG, L_384) },
	{ FK_TLV_ED25519, RULE(DUP_SIG, L_64) },
	{ FK_TLV_SIG_PURE, RULE(DUP_SIG_PURE, L_SIG_PURE) },
	{ FK_TLV_ENC_RSA2048, RULE(DUP_OWN + 0, L_ANY) },
	{ FK_TLV_ENC_KW, RULE(DUP_OWN + 1, L_ANY) },
	{ FK_TLV_ENC_EC256, RULE(DUP_OWN + 2, L_ANY) },
	{ FK_TLV_ENC_X25519, RULE(DUP_OWN + 3, L_ANY) },
	{ FK_TLV_ENC_X25519_SHA512, RULE(DUP_OWN + 4, L_ANY) },
	{ FK_TLV_DEPENDENCY, RULE(0, L_12) },
	{ FK_TLV_SEC_CNT, RULE(DUP_OWN + 5, L_4) },
	{ FK_TLV_BOOT_RECORD, RULE(DUP_OWN + 6, L_ANY) },
	{ FK_TLV_FK_IMAGE_ID, RULE(DUP_OWN + 7, L_4) },
	{ FK_TLV_FK_HW_ID, RULE(DUP_OWN + 8, L_4) },
};
#define RULE_COUNT (sizeof(rules) / sizeof(rules[0]))
#define DUP_BIT(dup) ((1UL << (dup)) >> 1)

/* What the walk leaves for the checks after it: where the digest, key
 * and signature TLVs are (at[DUP_DIGEST], at[DUP_KEY], at[DUP_SIG]: off
 * where the value starts; len and type 0 when the image has none). */
struct found {
	uint32_t seen; /* DUP_BIT()s of the TLVs met */
	uint32_t unprot_off;
	struct {
		uint32_t off;
		uint16_t len, type;
	} at[DUP_SIG + 1];
};

/* True when [off, off+len) lies inside [0, size), without overflow. */
static bool fits(uint32_t off, uint32_t len, uint32_t size)
{
	return off <= size && len <= size - off;
}

/* The two 16-bit fields of the 4 bytes at off (v[0], v[1]): an area's
 * magic and total, or a TLV's type and length. */
static int read_pair(const struct fk_area *slot, uint32_t off, uint16_t v[2])
{
	if (!fits(off, 2 * sizeof(v[0]), slot->size))
		return FK_EBADIMG;
	return fk_area_read(slot, off, v, 2 * sizeof(v[0]));
}

/* The header's first 28 bytes are struct fk_image_header as a
 * little-endian machine lays it out, so it is read in place, and so are
 * the other little-endian fields (the lite check is for little-endian
 * targets: Cortex-M, the test hosts). */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "image_lite.c reads the image header in place: little-endian only"
#endif
typedef char header_in_place[sizeof(struct fk_image_header) == 28 &&
					     offsetof(struct fk_image_header,
						      version.build) == 24 ?
				     1 :
				     -1];

static int read_header(const struct fk_area *slot, struct fk_image_header *h)
{
	int rc;

	if (slot->size < FK_IMAGE_HEADER_SIZE)
		return FK_EBADIMG;
	rc = fk_area_read(slot, 0, h, sizeof(*h));
	if (rc)
		return rc;
	if (h->magic != FK_IMAGE_MAGIC || h->hdr_size < FK_IMAGE_HEADER_SIZE)
		return FK_EBADIMG;
	return 0;
}

/* Checks one TLV entry against the rules and keeps what is needed of it.
 * off: its value; prot: it lies in the protected area. */
static int check_tlv(const struct fk_area *slot, struct fk_image_lite *out,
		     struct found *f, uint16_t type, uint16_t len, uint32_t off,
		     bool prot)
{
	uint32_t i = 0, bit, dup;
	const uint16_t *lens;

	while (rules[i].type != type)
		if (++i == RULE_COUNT)
			return 0; /* unknown: skipped */
	dup = rules[i].rule >> 4;
	lens = rule_len[rules[i].rule & 15];
	bit = DUP_BIT(dup);
	if (len < lens[0] || len > lens[1] || prot != (type >= 0x40) ||
	    (f->seen & bit))
		return FK_EBADIMG;
	f->seen |= bit;
	if (dup && dup <= DUP_SIG) {
		f->at[dup].off = off;
		f->at[dup].len = len;
		f->at[dup].type = type;
	} else if (type == FK_TLV_DEPENDENCY) {
		if (++out->dep_count > FK_IMAGE_MAX_DEPS)
			return FK_ENOSPC;
	} else if (type == FK_TLV_SEC_CNT) {
		return fk_area_read(slot, off, &out->security_counter, 4);
	}
	return 0;
}

/* Reads the info header of a TLV area at off: its magic must be magic,
 * its total at least the header and inside the slot; *total it. */
static int read_info(const struct fk_area *slot, uint32_t off, uint16_t magic,
		     uint32_t *total)
{
	uint16_t v[2];
	int rc = read_pair(slot, off, v);

	if (rc)
		return rc;
	*total = v[1];
	if (v[0] != magic || v[1] < FK_TLV_INFO_SIZE ||
	    !fits(off, v[1], slot->size))
		return FK_EBADIMG;
	return 0;
}

/*
 * Places the TLV areas behind the payload, as fk_image_parse() does
 * before it looks at any entry: the protected one when the header
 * announces it (magic 0x6908, total protect_tlv_size), then the
 * unprotected one (magic 0x6907). Then walks their entries, which must
 * exactly fill each area, protected ones first.
 */
static int walk(const struct fk_area *slot, struct fk_image_lite *out,
		struct found *f)
{
	const struct fk_image_header *h = &out->hdr;
	uint32_t off, unprot, end, area_end, len;
	uint16_t v[2]; /* type and length */
	int rc;

	if (!fits(h->hdr_size, h->img_size, slot->size))
		return FK_EBADIMG;
	off = (uint32_t)h->hdr_size + h->img_size;
	unprot = off;
	if (h->protect_tlv_size) {
		rc = read_info(slot, off, FK_TLV_PROT_INFO_MAGIC, &len);
		if (rc)
			return rc;
		if (len != h->protect_tlv_size)
			return FK_EBADIMG;
		unprot += len;
	}
	rc = read_info(slot, unprot, FK_TLV_INFO_MAGIC, &len);
	if (rc)
		return rc;
	end = unprot + len;
	out->end = end;
	f->unprot_off = unprot;
	/* Without a protected area off + 4 is the first unprotected entry;
	 * with one, off reaches unprot once its entries are walked. */
	for (off += FK_TLV_INFO_SIZE; off != end; off += len) {
		if (off == unprot) {
			len = FK_TLV_INFO_SIZE;
			continue;
		}
		area_end = off < unprot ? unprot : end;
		rc = read_pair(slot, off, v);
		if (rc)
			return rc;
		len = v[1];
		off += FK_TLV_HDR_SIZE;
		if (off > area_end || len > area_end - off)
			return FK_EBADIMG;
		rc = check_tlv(slot, out, f, v[0], (uint16_t)len, off,
			       area_end == unprot);
		if (rc)
			return rc;
	}
	return 0;
}

/* What fk_image_parse() checks once the walk is over, then what
 * fk_image_validate() refuses before hashing, then what this check does
 * not do. */
static int check_kind(const struct fk_image_lite *out, const struct found *f)
{
	uint32_t digest_len = f->at[DUP_DIGEST].len;
	uint32_t enc = out->hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					 FK_IMAGE_F_ENCRYPTED_AES256);

	if (!digest_len)
		return FK_EBADIMG;
	if (digest_len == 64) /* SHA512 */
		return FK_ENOTSUP;
	if (f->at[DUP_KEY].type == FK_TLV_KEYHASH &&
	    f->at[DUP_KEY].len != digest_len)
		return FK_EBADIMG;
	if (enc == (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256))
		return FK_EBADIMG;
	return enc || digest_len != FK_SHA256_SIZE ? FK_ENOTSUP : 0;
}

/* SHA-256 of [0, len) of slot, read through buf. Not inlined: its state
 * is on the stack only while it runs. */
static __attribute__((noinline)) int
hash(const struct fk_area *slot, const struct fk_crypto_port *c, uint32_t len,
     uint8_t *buf, uint32_t buf_len, uint8_t digest[FK_SHA256_SIZE])
{
	union fk_sha256_state st;
	uint32_t off = 0, n;
	int rc, done;

	if (!c->sha256_init || !c->sha256_update || !c->sha256_finish)
		return FK_ENOTSUP;
	rc = c->sha256_init(&st);
	if (rc)
		return rc;
	while (!rc && off < len) {
		n = len - off < buf_len ? len - off : buf_len;
		rc = fk_area_read(slot, off, buf, n);
		if (!rc)
			rc = c->sha256_update(&st, buf, n);
		off += n;
	}
	done = c->sha256_finish(&st, digest);
	return rc ? rc : done;
}

/* 1 when the len bytes at off in slot equal b, 0 when not, or the flash
 * read error. */
static int flash_equals(const struct fk_area *slot, uint32_t off,
			const uint8_t *b, uint32_t len)
{
	uint8_t chunk[32];
	uint32_t n;
	int rc;

	for (; len; off += n, b += n, len -= n) {
		n = len < sizeof(chunk) ? len : sizeof(chunk);
		rc = fk_area_read(slot, off, chunk, n);
		if (rc)
			return rc;
		if (memcmp(chunk, b, n))
			return 0;
	}
	return 1;
}

#ifdef FK_IMAGE_LITE_NO_SIG
/* A bootloader that checks the digest only leaves the signature check
 * out: an image is then never taken as signed by a key. */
static int check_signature(const struct fk_area *slot,
			   const struct fk_image_keys *keys,
			   const struct found *f,
			   const uint8_t digest[FK_SHA256_SIZE])
{
	(void)slot;
	(void)keys;
	(void)f;
	(void)digest;
	return FK_ENOTSUP;
}
#else
typedef int (*verify_fn)(const uint8_t *key, size_t key_len,
			 const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			 size_t sig_len);

/* For each signature TLV type from 0x20 (RSA2048_PSS) to 0x24 (ED25519)
 * over a SHA-256 digest: the key type that makes it and where the crypto
 * port keeps its check (0 for ECDSA224, which nothing checks). */
#define SIG_TYPE_FIRST FK_TLV_RSA2048_PSS
static const uint8_t sig_key[] = { FK_KEY_RSA2048, 0, FK_KEY_ECDSA_P256,
				   FK_KEY_RSA3072, FK_KEY_ED25519 };
static const uint8_t sig_check[] = {
	offsetof(struct fk_crypto_port, rsa2048_pss_verify),
	0,
	offsetof(struct fk_crypto_port, ecdsa_p256_verify),
	offsetof(struct fk_crypto_port, rsa3072_pss_verify),
	offsetof(struct fk_crypto_port, ed25519_verify),
};

/* fk_image_validate()'s signature check: the first key of the table of
 * the signature's type that the KEYHASH or PUBKEY TLV names and that
 * verifies. Not inlined: the signature is on the stack only here, after
 * the hashing's frame is gone. */
static __attribute__((noinline)) int
check_signature(const struct fk_area *slot, const struct fk_image_keys *keys,
		const struct found *f, const uint8_t digest[FK_SHA256_SIZE])
{
	uint8_t sig[FK_IMAGE_SIG_MAX];
	uint32_t i = f->at[DUP_SIG].type - SIG_TYPE_FIRST;
	uint8_t type;
	verify_fn verify;
	int rc, result = FK_EKEY;

	if (!f->at[DUP_SIG].type)
		return FK_ESIG;
	type = sig_key[i];
	memcpy(&verify, (const uint8_t *)keys->crypto + sig_check[i],
	       sizeof(verify));
	if ((f->seen & DUP_BIT(DUP_SIG_PURE)) || !type)
		return FK_ENOTSUP;
	if (!f->at[DUP_KEY].type)
		return FK_EKEY;
	if (f->at[DUP_SIG].len > sizeof(sig))
		return FK_EBADIMG;
	rc = fk_area_read(slot, f->at[DUP_SIG].off, sig, f->at[DUP_SIG].len);
	if (rc)
		return rc;
	for (i = 0; i < keys->count; i++) {
		const struct fk_image_key *key = &keys->keys[i];
		bool by_hash = f->at[DUP_KEY].type == FK_TLV_KEYHASH;

		if (key->type != type || !key->der ||
		    (!by_hash && key->der_len != f->at[DUP_KEY].len))
			continue;
		rc = flash_equals(slot, f->at[DUP_KEY].off,
				  by_hash ? key->hash : key->der,
				  f->at[DUP_KEY].len);
		if (rc <= 0) {
			if (rc)
				return rc;
			continue;
		}
		if (!verify) {
			result = FK_ENOTSUP;
			continue;
		}
		rc = verify(key->der, key->der_len, digest, sig,
			    f->at[DUP_SIG].len);
		if (!rc)
			return FK_OK;
		if (rc != FK_EKEY)
			result = rc;
	}
	return result;
}
#endif

int fk_image_check_lite(const struct fk_area *slot,
			const struct fk_image_keys *keys, void *buf,
			uint32_t buf_len, struct fk_image_lite *out)
{
	struct found f;
	int rc;

	if (!slot || !keys || !keys->crypto || (keys->count && !keys->keys) ||
	    !buf || !buf_len || !out)
		return FK_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	rc = read_header(slot, &out->hdr);
	if (!rc)
		rc = walk(slot, out, &f);
	if (!rc)
		rc = check_kind(out, &f);
	if (!rc)
		rc = hash(slot, keys->crypto, f.unprot_off, buf, buf_len,
			  out->digest);
	if (!rc)
		rc = flash_equals(slot, f.at[DUP_DIGEST].off, out->digest,
				  FK_SHA256_SIZE);
	if (rc <= 0)
		return rc ? rc : FK_EDIGEST;
	if (!keys->count)
		return FK_OK;
	return check_signature(slot, keys, &f, out->digest);
}
