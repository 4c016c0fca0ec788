/*
 * Parsing an MCUboot-format image: the header, the two TLV areas, and the
 * walker over their entries.
 *
 * Everything read from flash is untrusted. Before any length is used it is
 * checked against what is left of the slot with subtractions that cannot
 * wrap (fits() below), so no sum of header fields can overflow or point
 * outside the slot. The parser accepts exactly the layout imgtool writes
 * and MCUboot reads, and rejects anything ambiguous: a known TLV twice
 * (two digests or two signatures would let a checker and a booter look at
 * different ones), a TLV outside the area that must hold it (a security
 * counter outside the signed area could be changed freely), entries that
 * do not exactly fill their area. Hashing and signatures live in
 * image_validate.c.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/image.h"

/* True when [off, off+len) lies inside [0, size), without overflow. */
static bool fits(uint32_t off, uint32_t len, uint32_t size)
{
	return off <= size && len <= size - off;
}

/* Records why and where the image is malformed; returns FK_EBADIMG. */
static int bad(struct fk_image_info *info, enum fk_image_bad why, uint32_t off,
	       uint16_t tlv)
{
	info->bad = (uint8_t)why;
	info->bad_off = off;
	info->bad_tlv = tlv;
	return FK_EBADIMG;
}

static void decode_version(const uint8_t *p, struct fk_image_version *v)
{
	v->major = p[0];
	v->minor = p[1];
	v->revision = fk_le16(p + 2);
	v->build = fk_le32(p + 4);
}

/* The first field that differs decides: its difference (the 8- and
 * 16-bit ones cannot overflow an int), or the sign of build's. */
int fk_image_version_cmp(const struct fk_image_version *a,
			 const struct fk_image_version *b)
{
	int d = a->major - b->major;

	if (!d)
		d = a->minor - b->minor;
	if (!d)
		d = a->revision - b->revision;
	if (!d)
		d = (a->build > b->build) - (a->build < b->build);
	return d;
}

static int read_header(const struct fk_area *slot, struct fk_image_info *info)
{
	struct fk_image_header *h = &info->hdr;
	uint8_t raw[FK_IMAGE_HEADER_SIZE];
	int rc;

	if (slot->size < FK_IMAGE_HEADER_SIZE)
		return bad(info, FK_IMAGE_BAD_TRUNCATED, 0, 0);
	rc = fk_area_read(slot, 0, raw, sizeof(raw));
	if (rc)
		return rc;
	h->magic = fk_le32(raw + 0);
	h->load_addr = fk_le32(raw + 4);
	h->hdr_size = fk_le16(raw + 8);
	h->protect_tlv_size = fk_le16(raw + 10);
	h->img_size = fk_le32(raw + 12);
	h->flags = fk_le32(raw + 16);
	decode_version(raw + 20, &h->version);
	if (h->magic != FK_IMAGE_MAGIC)
		return bad(info, FK_IMAGE_BAD_MAGIC, 0, 0);
	if (h->hdr_size < FK_IMAGE_HEADER_SIZE)
		return bad(info, FK_IMAGE_BAD_HDR_SIZE, 8, 0);
	return 0;
}

/* Reads the 4-byte info header of a TLV area at off, if it fits. */
static int read_info(const struct fk_area *slot, struct fk_image_info *info,
		     uint32_t off, uint16_t *magic, uint16_t *total)
{
	uint8_t raw[FK_TLV_INFO_SIZE];
	int rc;

	if (!fits(off, FK_TLV_INFO_SIZE, slot->size))
		return bad(info, FK_IMAGE_BAD_TRUNCATED, off, 0);
	rc = fk_area_read(slot, off, raw, sizeof(raw));
	if (rc)
		return rc;
	*magic = fk_le16(raw);
	*total = fk_le16(raw + 2);
	return 0;
}

/* Places both TLV areas; fills the offsets of *info. */
static int locate_areas(const struct fk_area *slot, struct fk_image_info *info)
{
	const struct fk_image_header *h = &info->hdr;
	uint16_t magic, total;
	int rc;

	if (!fits(h->hdr_size, h->img_size, slot->size))
		return bad(info, FK_IMAGE_BAD_TRUNCATED, 12, 0);
	info->prot_off = (uint32_t)h->hdr_size + h->img_size;
	info->prot_size = h->protect_tlv_size;
	rc = read_info(slot, info, info->prot_off, &magic, &total);
	if (rc)
		return rc;
	if (info->prot_size) {
		if (magic != FK_TLV_PROT_INFO_MAGIC ||
		    total != info->prot_size ||
		    info->prot_size < FK_TLV_INFO_SIZE)
			return bad(info, FK_IMAGE_BAD_PROT_INFO, info->prot_off,
				   0);
		if (!fits(info->prot_off, info->prot_size, slot->size))
			return bad(info, FK_IMAGE_BAD_TRUNCATED, info->prot_off,
				   0);
		info->unprot_off = info->prot_off + info->prot_size;
		rc = read_info(slot, info, info->unprot_off, &magic, &total);
		if (rc)
			return rc;
	} else if (magic == FK_TLV_PROT_INFO_MAGIC) {
		return bad(info, FK_IMAGE_BAD_UNANNOUNCED, info->prot_off, 0);
	} else {
		info->unprot_off = info->prot_off;
	}
	if (magic != FK_TLV_INFO_MAGIC || total < FK_TLV_INFO_SIZE)
		return bad(info, FK_IMAGE_BAD_TLV_INFO, info->unprot_off, 0);
	if (!fits(info->unprot_off, total, slot->size))
		return bad(info, FK_IMAGE_BAD_TRUNCATED, info->unprot_off, 0);
	info->unprot_size = total;
	info->end = info->unprot_off + total;
	return 0;
}

int fk_image_tlv_begin(struct fk_image_tlv_iter *it, const struct fk_area *slot,
		       const struct fk_image_info *info)
{
	if (!it || !slot || !info ||
	    !fits(info->prot_off, info->prot_size, slot->size) ||
	    info->unprot_off != info->prot_off + info->prot_size ||
	    info->unprot_size < FK_TLV_INFO_SIZE ||
	    !fits(info->unprot_off, info->unprot_size, slot->size) ||
	    (info->prot_size && info->prot_size < FK_TLV_INFO_SIZE))
		return FK_EINVAL;
	it->slot = slot;
	it->prot_end = info->prot_off + info->prot_size;
	it->unprot_off = info->unprot_off;
	it->end = info->unprot_off + info->unprot_size;
	it->off = info->prot_size ? info->prot_off + FK_TLV_INFO_SIZE :
				    info->unprot_off + FK_TLV_INFO_SIZE;
	return 0;
}

int fk_image_tlv_next(struct fk_image_tlv_iter *it, struct fk_image_tlv *tlv)
{
	uint8_t raw[FK_TLV_HDR_SIZE];
	uint32_t area_end, room;
	int rc;

	if (it->off == it->prot_end && it->prot_end == it->unprot_off)
		it->off = it->unprot_off + FK_TLV_INFO_SIZE;
	if (it->off == it->end)
		return 0;
	tlv->is_protected = it->off < it->prot_end;
	area_end = tlv->is_protected ? it->prot_end : it->end;
	if (it->off > area_end || area_end - it->off < FK_TLV_HDR_SIZE)
		return FK_EBADIMG;
	rc = fk_area_read(it->slot, it->off, raw, sizeof(raw));
	if (rc)
		return rc;
	tlv->type = fk_le16(raw);
	tlv->len = fk_le16(raw + 2);
	room = area_end - it->off - FK_TLV_HDR_SIZE;
	if (tlv->len > room)
		return FK_EBADIMG;
	tlv->off = it->off + FK_TLV_HDR_SIZE;
	it->off = tlv->off + tlv->len;
	return 1;
}

int fk_image_tlv_find(const struct fk_area *slot,
		      const struct fk_image_info *info, uint16_t type,
		      struct fk_image_tlv *tlv)
{
	struct fk_image_tlv_iter it;
	int rc = fk_image_tlv_begin(&it, slot, info);

	if (rc)
		return rc;
	while ((rc = fk_image_tlv_next(&it, tlv)) == 1) {
		if (tlv->type == type)
			return 0;
	}
	return rc ? rc : FK_ENOENT;
}

/* What the parser knows about a TLV type. */
enum placement { ANYWHERE, PROTECTED_ONLY, UNPROTECTED_ONLY };
struct tlv_rule {
	uint16_t type;
	uint16_t min_len, max_len;
	uint8_t placement;
	bool may_repeat;
	uint32_t bit;	/* FK_IMAGE_HAS_* it sets */
	uint32_t group; /* types sharing a group exclude each other */
};

#define GROUP_DIGEST (1UL << 0)
#define GROUP_KEY (1UL << 1)
#define GROUP_SIG (1UL << 2)

static const struct tlv_rule rules[] = {
	/* 32 or 48: as long as the digest, checked once both are seen */
	{ FK_TLV_KEYHASH, FK_SHA256_SIZE, FK_SHA384_SIZE, UNPROTECTED_ONLY,
	  false, FK_IMAGE_HAS_KEYHASH, GROUP_KEY },
	{ FK_TLV_PUBKEY, 1, FK_IMAGE_PUBKEY_MAX, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_PUBKEY, GROUP_KEY },
	{ FK_TLV_SHA256, 32, 32, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_SHA256,
	  GROUP_DIGEST },
	{ FK_TLV_SHA384, 48, 48, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_SHA384,
	  GROUP_DIGEST },
	{ FK_TLV_SHA512, 64, 64, UNPROTECTED_ONLY, false, 0, GROUP_DIGEST },
	{ FK_TLV_RSA2048_PSS, 256, 256, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_SIG, GROUP_SIG },
	{ FK_TLV_ECDSA224, 1, 0xffff, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_SIG,
	  GROUP_SIG },
	{ FK_TLV_ECDSA_SIG, 8, 256, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_SIG,
	  GROUP_SIG },
	{ FK_TLV_RSA3072_PSS, 384, 384, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_SIG, GROUP_SIG },
	{ FK_TLV_ED25519, 64, 64, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_SIG,
	  GROUP_SIG },
	{ FK_TLV_SIG_PURE, 0, 0xffff, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_SIG_PURE, 0 },
	{ FK_TLV_ENC_RSA2048, 1, 0xffff, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_ENC, 0 },
	{ FK_TLV_ENC_KW, 1, 0xffff, UNPROTECTED_ONLY, false, FK_IMAGE_HAS_ENC,
	  0 },
	{ FK_TLV_ENC_EC256, 1, 0xffff, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_ENC, 0 },
	{ FK_TLV_ENC_X25519, 1, 0xffff, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_ENC, 0 },
	{ FK_TLV_ENC_X25519_SHA512, 1, 0xffff, UNPROTECTED_ONLY, false,
	  FK_IMAGE_HAS_ENC, 0 },
	{ FK_TLV_DEPENDENCY, 12, 12, PROTECTED_ONLY, true,
	  FK_IMAGE_HAS_DEPENDENCY, 0 },
	{ FK_TLV_SEC_CNT, 4, 4, PROTECTED_ONLY, false, FK_IMAGE_HAS_SEC_CNT,
	  0 },
	{ FK_TLV_BOOT_RECORD, 1, 0xffff, PROTECTED_ONLY, false,
	  FK_IMAGE_HAS_BOOT_RECORD, 0 },
	{ FK_TLV_FK_IMAGE_ID, 4, 4, PROTECTED_ONLY, false,
	  FK_IMAGE_HAS_IMAGE_ID, 0 },
	{ FK_TLV_FK_HW_ID, 4, 4, PROTECTED_ONLY, false, FK_IMAGE_HAS_HW_ID, 0 },
};
#define RULE_COUNT (sizeof(rules) / sizeof(rules[0]))

/* Parse-time bookkeeping of which rules and groups were seen. */
struct seen {
	uint32_t rules; /* bit i: rules[i] seen */
	uint32_t groups;
};

static const struct tlv_rule *find_rule(uint16_t type, uint32_t *index)
{
	for (uint32_t i = 0; i < RULE_COUNT; i++) {
		if (rules[i].type == type) {
			*index = i;
			return &rules[i];
		}
	}
	return NULL;
}

/* Reads a small fixed-size value (len <= 48, checked by the rules). */
static int read_value(const struct fk_area *slot, const struct fk_image_tlv *t,
		      uint8_t *out)
{
	return fk_area_read(slot, t->off, out, t->len);
}

static int record_value(const struct fk_area *slot, struct fk_image_info *info,
			const struct fk_image_tlv *t)
{
	uint8_t v[FK_SHA256_SIZE];
	int rc;

	switch (t->type) {
	case FK_TLV_SHA256:
	case FK_TLV_SHA384:
		info->digest_len = (uint8_t)t->len;
		return read_value(slot, t, info->digest);
	case FK_TLV_KEYHASH:
	case FK_TLV_PUBKEY:
		info->key_type = t->type;
		info->key_len = t->len;
		info->key_off = t->off;
		return 0;
	case FK_TLV_RSA2048_PSS:
	case FK_TLV_ECDSA224:
	case FK_TLV_ECDSA_SIG:
	case FK_TLV_RSA3072_PSS:
	case FK_TLV_ED25519:
		info->sig_type = t->type;
		info->sig_len = t->len;
		info->sig_off = t->off;
		return 0;
	case FK_TLV_DEPENDENCY:
		if (info->dep_count >= FK_IMAGE_MAX_DEPS)
			return FK_ENOSPC;
		rc = read_value(slot, t, v);
		if (rc)
			return rc;
		info->deps[info->dep_count].image_id = v[0];
		decode_version(v + 4, &info->deps[info->dep_count].min_version);
		info->dep_count++;
		return 0;
	case FK_TLV_SEC_CNT:
	case FK_TLV_FK_IMAGE_ID:
	case FK_TLV_FK_HW_ID:
		rc = read_value(slot, t, v);
		if (rc)
			return rc;
		if (t->type == FK_TLV_SEC_CNT)
			info->security_counter = fk_le32(v);
		else if (t->type == FK_TLV_FK_IMAGE_ID)
			info->image_id = fk_le32(v);
		else
			info->hw_id = fk_le32(v);
		return 0;
	default:
		return 0;
	}
}

static int check_tlv(const struct fk_area *slot, struct fk_image_info *info,
		     const struct fk_image_tlv *t, struct seen *seen)
{
	uint32_t index;
	const struct tlv_rule *r = find_rule(t->type, &index);

	if (!r) {
		info->present |= FK_IMAGE_HAS_UNKNOWN;
		return 0;
	}
	if (t->len < r->min_len || t->len > r->max_len)
		return bad(info, FK_IMAGE_BAD_TLV_LEN, t->off - 4, t->type);
	if ((r->placement == PROTECTED_ONLY && !t->is_protected) ||
	    (r->placement == UNPROTECTED_ONLY && t->is_protected))
		return bad(info, FK_IMAGE_BAD_TLV_AREA, t->off - 4, t->type);
	if ((!r->may_repeat && (seen->rules & (1UL << index))) ||
	    (r->group && (seen->groups & r->group) &&
	     !(seen->rules & (1UL << index))))
		return bad(info, FK_IMAGE_BAD_TLV_DUP, t->off - 4, t->type);
	seen->rules |= 1UL << index;
	seen->groups |= r->group;
	info->present |= r->bit;
	return record_value(slot, info, t);
}

int fk_image_parse(const struct fk_area *slot, struct fk_image_info *info)
{
	struct fk_image_tlv_iter it;
	struct fk_image_tlv t = { 0 };
	struct seen seen = { 0, 0 };
	int rc;

	if (!slot || !info)
		return FK_EINVAL;
	memset(info, 0, sizeof(*info));
	info->key_index = -1;
	rc = read_header(slot, info);
	if (!rc)
		rc = locate_areas(slot, info);
	if (!rc)
		rc = fk_image_tlv_begin(&it, slot, info);
	if (rc)
		return rc;
	for (;;) {
		t.type = 0;
		rc = fk_image_tlv_next(&it, &t);
		if (rc != 1)
			break;
		rc = check_tlv(slot, info, &t, &seen);
		if (rc)
			return rc;
	}
	/* The walker fills in the type of an entry too long for its area. */
	if (rc == FK_EBADIMG)
		return bad(info, FK_IMAGE_BAD_TLV_OVERRUN, it.off, t.type);
	if (rc)
		return rc;
	if (!info->digest_len)
		return (seen.groups & GROUP_DIGEST) ?
			       FK_ENOTSUP :
			       bad(info, FK_IMAGE_BAD_NO_DIGEST,
				   info->unprot_off, 0);
	/* A KEYHASH is made with the image's digest algorithm (imgtool:
	 * SHA-384 of a P-384 key), so a 48-byte one beside a SHA256 TLV
	 * (or the reverse) names no key any table can hold. */
	if (info->key_type == FK_TLV_KEYHASH &&
	    info->key_len != info->digest_len)
		return bad(info, FK_IMAGE_BAD_TLV_LEN, info->key_off - 4,
			   FK_TLV_KEYHASH);
	return 0;
}
