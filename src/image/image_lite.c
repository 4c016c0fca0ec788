/*
 * fk_image_check_lite(): the image check of a one-image bootloader, with
 * fk_image_validate()'s verdicts in about half its code.
 *
 * One walk over the header and the TLV areas keeps only what the checks
 * after it need (the digest TLV's value, where the key and signature TLVs
 * are, which rules were used), then SHA-256 over [0, unprotected area)
 * through the caller's buffer against that value, then the signature. The order
 * of the checks is fk_image_parse()'s then fk_image_validate()'s, so that a
 * hostile image gets the same code from both: every format error is FK_EBADIMG,
 * but a fifth DEPENDENCY (FK_ENOSPC) or a SHA512 digest (FK_ENOTSUP) wins only
 * over what comes after it. As in image_parse.c, no length read from
 * flash is used before it is checked against the slot with subtractions
 * that cannot wrap. What this file does not do (SHA-384, decryption) it
 * refuses with FK_ENOTSUP.
 */
#include <stddef.h>
#include <string.h>

#include "flashkit/image_lite.h"

/* Functions whose frame holds a large buffer stay out of their callers'
 * (and walk()'s registers out of fk_image_check_lite()'s). */
#define NOINLINE __attribute__((noinline))

/*
 * The known TLV types, as image_parse.c's rules say (and test_image_lite
 * checks that the two agree), in one table (one address to load). A rule
 * is the type (a byte: every known type is below 0x100), types[i], and
 * its allowed lengths, lens_of[i]: two indexes into lens[], the least and
 * the most (0xffff: any). The rest follows from the type. Its area: below
 * 0x40 unprotected, the others protected. Which types exclude each other:
 * those below 0x25 by group, type >> 4 (AT_KEY the key TLVs, AT_DIGEST the
 * digests, AT_SIG the signatures); any other but DEPENDENCY (which may
 * repeat) only itself, by its index i (10 or more, so never a group's).
 */
enum { AT_KEY, AT_DIGEST, AT_SIG };
enum { V0, V1, V4, V8, V12, V32, V48, V64, V256, V384, V512, VMAX };
#define LEN(least, most) ((most) << 4 | (least))
#define RULE_COUNT 21
#define SIG_PURE_BIT (1UL << 10) /* its index in RULES */
#define ASSERT_TYPES(name, cond) typedef char name[(cond) ? 1 : -1]
ASSERT_TYPES(key_group,
	     FK_TLV_KEYHASH >> 4 == AT_KEY && FK_TLV_PUBKEY >> 4 == AT_KEY);
ASSERT_TYPES(digest_group, FK_TLV_SHA256 >> 4 == AT_DIGEST &&
				   FK_TLV_SHA512 >> 4 == AT_DIGEST);
ASSERT_TYPES(sig_group, FK_TLV_RSA2048_PSS >> 4 == AT_SIG &&
				FK_TLV_ED25519 + 1 == FK_TLV_SIG_PURE);
ASSERT_TYPES(areas, FK_TLV_ENC_X25519_SHA512 < 0x40 &&
			    FK_TLV_DEPENDENCY == 0x40 &&
			    FK_TLV_FK_HW_ID < 0x100);
#define RULES(RULE)                              \
	RULE(FK_TLV_KEYHASH, V32, V48)           \
	RULE(FK_TLV_PUBKEY, V1, V512)            \
	RULE(FK_TLV_SHA256, V32, V32)            \
	RULE(FK_TLV_SHA384, V48, V48)            \
	RULE(FK_TLV_SHA512, V64, V64)            \
	RULE(FK_TLV_RSA2048_PSS, V256, V256)     \
	RULE(FK_TLV_ECDSA224, V1, VMAX)          \
	RULE(FK_TLV_ECDSA_SIG, V8, V256)         \
	RULE(FK_TLV_RSA3072_PSS, V384, V384)     \
	RULE(FK_TLV_ED25519, V64, V64)           \
	RULE(FK_TLV_SIG_PURE, V0, VMAX)          \
	RULE(FK_TLV_ENC_RSA2048, V1, VMAX)       \
	RULE(FK_TLV_ENC_KW, V1, VMAX)            \
	RULE(FK_TLV_ENC_EC256, V1, VMAX)         \
	RULE(FK_TLV_ENC_X25519, V1, VMAX)        \
	RULE(FK_TLV_ENC_X25519_SHA512, V1, VMAX) \
	RULE(FK_TLV_DEPENDENCY, V12, V12)        \
	RULE(FK_TLV_SEC_CNT, V4, V4)             \
	RULE(FK_TLV_BOOT_RECORD, V1, VMAX)       \
	RULE(FK_TLV_FK_IMAGE_ID, V4, V4)         \
	RULE(FK_TLV_FK_HW_ID, V4, V4)
#define TYPE_OF(type, least, most) type,
#define LENS_OF(type, least, most) LEN(least, most),
/* Types and lengths apart: a byte load each, no masks. */
static const struct {
	uint8_t types[RULE_COUNT];
	uint8_t lens_of[RULE_COUNT];
	uint16_t lens[VMAX + 1];
} t = {
	{ RULES(TYPE_OF) },
	{ RULES(LENS_OF) },
	{ 0, 1, 4, 8, 12, 32, 48, 64, 256, 384, 512, 0xffff },
};

/* What the walk leaves for the checks after it: where the key, digest
 * and signature TLVs are (at[AT_*]: off where the value starts; len and
 * type 0 when the image has none). The digest's value is in the output's
 * digest, the security counter in its security_counter. */
struct found {
	uint32_t seen; /* the bits (above) of the types met */
	uint32_t unprot_off;
	struct {
		uint32_t off;
		uint16_t len, type;
	} at[AT_SIG + 1];
};

/* The 4 bytes at off, which must lie inside [0, lim), as two 16-bit
 * fields (v[0], v[1]): an area's magic and total, or a TLV's type and
 * length. off <= lim is the callers' invariant. */
static int read_pair(const struct fk_area *slot, uint32_t off, uint32_t lim,
		     uint16_t v[2])
{
	if (lim - off < 2 * sizeof(v[0]))
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

/* Checks one TLV entry against the rules and keeps what is needed of it.
 * off: its value (len bytes inside its area); prot: 1 when it lies in
 * the protected area. */
static int check_tlv(const struct fk_area *slot, struct fk_image_lite *out,
		     struct found *f, uint32_t type, uint32_t len, uint32_t off,
		     uint32_t prot)
{
	uint32_t i = 0, g, r;
	void *dst;

	while (t.types[i] != type)
		if (++i == RULE_COUNT)
			return 0; /* unknown: skipped */
	r = t.lens_of[i];
	if (len < t.lens[r & 15] || len > t.lens[r >> 4] ||
	    (type + 0xc0) >> 8 != prot)
		return FK_EBADIMG;
	if (type == FK_TLV_DEPENDENCY)
		return ++out->dep_count > FK_IMAGE_MAX_DEPS ? FK_ENOSPC : 0;
	g = type < FK_TLV_SIG_PURE ? type >> 4 : i;
	if (f->seen & (1UL << g))
		return FK_EBADIMG;
	f->seen |= 1UL << g;
	if (g <= AT_SIG) {
		f->at[g].off = off;
		f->at[g].len = (uint16_t)len;
		f->at[g].type = (uint16_t)type;
	}
	/* the values kept, read as fk_image_parse() reads them: their
	 * lengths are the rules' (32 and 4) */
	dst = type == FK_TLV_SHA256  ? (void *)out->digest :
	      type == FK_TLV_SEC_CNT ? (void *)&out->security_counter :
				       NULL;
	return dst ? fk_area_read(slot, off, dst, len) : 0;
}

/*
 * Reads the header, then places the TLV areas behind the payload, as
 * fk_image_parse() does before it looks at any entry: the protected one
 * when the header announces it (magic 0x6908, total protect_tlv_size),
 * then the unprotected one (magic 0x6907); each total at least the info
 * header and inside the slot. Then walks their entries, which must
 * exactly fill each area, protected ones first.
 */
static NOINLINE int walk(const struct fk_area *slot, struct fk_image_lite *out,
			 struct found *f)
{
	const struct fk_image_header *h = &out->hdr;
	uint32_t size = slot->size, first, off, unprot, end, area_end, len;
	uint32_t prot;
	uint16_t v[2], magic = FK_TLV_INFO_MAGIC;
	int rc;

	if (size < FK_IMAGE_HEADER_SIZE)
		return FK_EBADIMG;
	rc = fk_area_read(slot, 0, &out->hdr, sizeof(out->hdr));
	if (rc)
		return rc;
	if (h->magic != FK_IMAGE_MAGIC || h->hdr_size < FK_IMAGE_HEADER_SIZE ||
	    h->hdr_size > size || h->img_size > size - h->hdr_size)
		return FK_EBADIMG;
	first = unprot = h->hdr_size + h->img_size;
	if (h->protect_tlv_size)
		magic = FK_TLV_PROT_INFO_MAGIC;
	for (;;) {
		rc = read_pair(slot, unprot, size, v);
		if (rc)
			return rc;
		len = v[1];
		if (v[0] != magic || len < FK_TLV_INFO_SIZE ||
		    len > size - unprot)
			return FK_EBADIMG;
		if (magic == FK_TLV_INFO_MAGIC)
			break;
		if (len != h->protect_tlv_size)
			return FK_EBADIMG;
		unprot += len;
		magic = FK_TLV_INFO_MAGIC;
	}
	end = unprot + len;
	out->end = end;
	f->unprot_off = unprot;
	/* Without a protected area off + 4 is the first unprotected entry;
	 * with one, off reaches unprot once its entries are walked. */
	for (off = first + FK_TLV_INFO_SIZE; off != end; off += len) {
		if (off == unprot) {
			len = FK_TLV_INFO_SIZE;
			continue;
		}
		prot = off < unprot; /* = area_end == unprot: end > unprot */
		area_end = prot ? unprot : end;
		rc = read_pair(slot, off, area_end, v);
		if (rc)
			return rc;
		len = v[1];
		off += FK_TLV_HDR_SIZE;
		if (len > area_end - off)
			return FK_EBADIMG;
		rc = check_tlv(slot, out, f, v[0], len, off, prot);
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
	uint32_t digest_len = f->at[AT_DIGEST].len;
	uint32_t enc = out->hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					 FK_IMAGE_F_ENCRYPTED_AES256);

	if (!digest_len)
		return FK_EBADIMG;
	if (digest_len == 64) /* SHA512 */
		return FK_ENOTSUP;
	if (f->at[AT_KEY].type == FK_TLV_KEYHASH &&
	    f->at[AT_KEY].len != digest_len)
		return FK_EBADIMG;
	if (enc == (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256))
		return FK_EBADIMG;
	return enc || digest_len != FK_SHA256_SIZE ? FK_ENOTSUP : 0;
}

/* SHA-256 of [0, len) of slot (len > 0), read through buf, against want
 * (0, or FK_EDIGEST when they differ). Not inlined where a signature
 * check follows: its state is on the stack only while it runs. */
#ifdef FK_IMAGE_LITE_NO_SIG
#define HASH_NOINLINE
#else
#define HASH_NOINLINE NOINLINE
#endif
static HASH_NOINLINE int hash(const struct fk_area *slot,
			      const struct fk_crypto_port *c, uint32_t len,
			      uint8_t *buf, uint32_t buf_len,
			      const uint8_t want[FK_SHA256_SIZE])
{
	union fk_sha256_state st;
	uint8_t digest[FK_SHA256_SIZE];
	uint32_t off = 0, n;
	int rc, done;

	if (!c->sha256_init || !c->sha256_update || !c->sha256_finish)
		return FK_ENOTSUP;
	rc = c->sha256_init(&st);
	if (rc)
		return rc;
	do {
		n = len - off < buf_len ? len - off : buf_len;
		rc = fk_area_read(slot, off, buf, n);
		if (!rc)
			rc = c->sha256_update(&st, buf, n);
		off += n;
	} while (!rc && off < len);
	done = c->sha256_finish(&st, digest);
	if (!rc)
		rc = done;
	return rc || !memcmp(digest, want, sizeof(digest)) ? rc : FK_EDIGEST;
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

typedef int (*verify_fn)(const uint8_t *key, size_t key_len,
			 const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			 size_t sig_len);

/* For each signature TLV type from 0x20 (RSA2048_PSS) to 0x24 (ED25519)
 * over a SHA-256 digest: the key type that makes it (low 3 bits) and
 * where the crypto port keeps its check (in words, the rest); 0 for
 * ECDSA224, which nothing checks. */
#define SIG_TYPE_FIRST FK_TLV_RSA2048_PSS
#define SIG(key, fn) \
	(offsetof(struct fk_crypto_port, fn) / sizeof(verify_fn) << 3 | (key))
static const uint8_t sigs[] = {
	SIG(FK_KEY_RSA2048, rsa2048_pss_verify),
	0,
	SIG(FK_KEY_ECDSA_P256, ecdsa_p256_verify),
	SIG(FK_KEY_RSA3072, rsa3072_pss_verify),
	SIG(FK_KEY_ED25519, ed25519_verify),
};

/* fk_image_validate()'s signature check: the first key of the table of
 * the signature's type that the KEYHASH or PUBKEY TLV names and that
 * verifies. Not inlined: the signature is on the stack only here, after
 * the hashing's frame is gone. */
static NOINLINE int check_signature(const struct fk_area *slot,
				    const struct fk_image_keys *keys,
				    const struct found *f,
				    const uint8_t digest[FK_SHA256_SIZE])
{
	uint8_t sig[FK_IMAGE_SIG_MAX];
	uint32_t s, type;
	verify_fn verify;
	bool by_hash = f->at[AT_KEY].type == FK_TLV_KEYHASH;
	const struct fk_image_key *key;
	int rc, result = FK_EKEY;

	if (!f->at[AT_SIG].type)
		return FK_ESIG;
	s = sigs[f->at[AT_SIG].type - SIG_TYPE_FIRST];
	type = s & 7;
	if ((f->seen & SIG_PURE_BIT) || !type)
		return FK_ENOTSUP;
	verify = *(const verify_fn *)(const void *)((const char *)keys->crypto +
						    (s >> 3) * sizeof(verify));
	if (!f->at[AT_KEY].type)
		return FK_EKEY;
	if (f->at[AT_SIG].len > sizeof(sig))
		return FK_EBADIMG;
	rc = fk_area_read(slot, f->at[AT_SIG].off, sig, f->at[AT_SIG].len);
	if (rc)
		return rc;
	key = keys->keys;
	for (uint32_t n = keys->count; n; n--, key++) {
		const uint8_t *b = key->der;

		if (key->type != type || !b)
			continue;
		if (by_hash)
			b = key->hash;
		else if (key->der_len != f->at[AT_KEY].len)
			continue;
		rc = flash_equals(slot, f->at[AT_KEY].off, b,
				  f->at[AT_KEY].len);
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
			    f->at[AT_SIG].len);
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

	if (!slot || !buf || !buf_len || !out || !keys || !keys->crypto ||
	    (keys->count && !keys->keys))
		return FK_EINVAL;
	/* the rest of *out is written before FK_OK */
	out->security_counter = 0;
	out->dep_count = 0;
	memset(&f, 0, sizeof(f));
	rc = walk(slot, out, &f);
	if (rc)
		return rc;
	rc = check_kind(out, &f);
	if (!rc)
		rc = hash(slot, keys->crypto, f.unprot_off, buf, buf_len,
			  out->digest); /* unprot_off >= the header */
	if (rc || !keys->count)
		return rc;
	return check_signature(slot, keys, &f, out->digest);
}
