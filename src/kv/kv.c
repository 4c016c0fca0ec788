/*
 * The settings store: mount, lookups, commits, sector rotation and
 * garbage collection. The format is specified in docs/kv-format.md; read
 * its "Power-loss invariants" first, every write below keeps them.
 *
 * In short: the store is a ring of sectors; records are appended to the
 * open (head) sector, each one programmed once into erased flash and
 * checked by its CRC. When the head is full the next sector is erased,
 * the live keys of the oldest sector are copied into it, and only then
 * its header is programmed: a sector with a valid header holds every
 * copy it should. A key's newest entry is the
 * last one in the newest sector that holds it; sector headers carry a
 * bitmap of the keys of the sector before them, so finding a key never
 * reads more than one sector's records.
 *
 * Inspection for tools lives in kv_inspect.c, not here.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "kv_priv.h"

static uint32_t pad(const struct fk_kv *kv, uint32_t n)
{
	return (n + kv->align - 1) & ~(uint32_t)(kv->align - 1);
}

static uint32_t header_len(const struct fk_kv *kv)
{
	return kv->cfg.header ? KV_HDR_COMPACT :
				KV_HDR_FIXED + kv->cfg.key_limit / 8 + 4;
}

/* The configuration bytes of a header: format 2's bytes 8..17, of which
 * a compact header keeps the first 8 as its bytes 0..7, with bit 3 of
 * the geometry byte set when the erased value is 0x00. */
static void header_fixed(const struct fk_kv *kv, uint8_t *p)
{
	const struct fk_flash_geometry *geo = &kv->area->flash->geo;
	uint8_t wu_shift = 0, ss_shift = 0;

	while ((1u << wu_shift) < geo->write_unit)
		wu_shift++;
	while ((1024u << ss_shift) < kv->sector_size)
		ss_shift++;
	fk_put_le16(p, kv->sectors);
	fk_put_le16(p + 2, kv->cfg.key_limit);
	fk_put_le16(p + 4, kv->cfg.record_max);
	p[6] = kv->cfg.value_max;
	p[7] = (uint8_t)(ss_shift << 4 | wu_shift |
			 (kv->cfg.header && !kv->erased ? 8 : 0));
	p[8] = kv->erased;
	p[9] = 0;
}

/* Whether the n bytes at off end with the CRC-32 of the bytes before
 * them: a format-1/2 header of any key limit, read in pieces. Returns 1,
 * 0 (no, or an ECC error), or a flash error. */
static int crc_matches(struct fk_kv *kv, uint32_t off, uint32_t n)
{
	uint32_t crc = 0, k;

	for (;; off += k, n -= k) {
		int rc;

		k = n <= sizeof(kv->buf) ? n : sizeof(kv->buf) - 4;
		rc = fk_area_read(kv->area, off, kv->buf, k);
		if (rc != FK_OK)
			return rc == FK_EECC ? 0 : rc;
		if (k == n)
			return fk_le32(kv->buf + k - 4) ==
			       fk_crc32(crc, kv->buf, k - 4);
		crc = fk_crc32(crc, kv->buf, k);
	}
}

/*
 * A header is recognised whatever configuration wrote it, so that mount
 * refuses another store rather than formatting over it: a compact one by
 * its CRC at byte 12 (seeded with "FKV3"), a format-1/2 one by its magic
 * ("FKV1", "FKV2": the version bits masked) and the CRC after the bitmap
 * its own key limit gives, read again in pieces when that is not the
 * length this store read.
 */
int fk__kv_read_header(struct fk_kv *kv, uint16_t index, uint32_t *seq)
{
	uint8_t *b = kv->buf, fixed[10];
	uint32_t len = header_len(kv), off = kv_sector_off(kv, index), n;
	int rc = fk_area_read(kv->area, off, b, len), ours;

	if (rc != FK_OK)
		return rc == FK_EECC ? 0 : rc;
	header_fixed(kv, fixed);
	if (fk_le32(b + 12) == fk_crc32(KV_SEED3, b, 12)) {
		*seq = fk_le32(b + 8);
		ours = kv->cfg.header && memcmp(b, fixed, 8) == 0;
	} else {
		n = KV_HDR_FIXED + fk_le16(b + 10) / 8u + 4;
		if ((fk_le32(b) | 0x03000000u) != (KV_MAGIC | 0x03000000u) ||
		    n > KV_HDR_FIXED + 4096 / 8 + 4)
			return 0;
		*seq = fk_le32(b + 4);
		ours = !kv->cfg.header && fk_le32(b) == KV_MAGIC &&
		       memcmp(b + 8, fixed, sizeof(fixed)) == 0;
		rc = n > len ? crc_matches(kv, off, n) :
			       fk_le32(b + n - 4) == fk_crc32(0, b, n - 4);
		if (rc != 1)
			return rc;
	}
	if (*seq == 0 || *seq == 0xFFFFFFFFu)
		return 0;
	return ours ? 1 : FK_EMISMATCH;
}

/* The length a record whose first bytes are b[0..3) claims, or 0 when
 * they cannot start a record of this store. */
static uint32_t claimed_len(const struct fk_kv *kv, const uint8_t *b)
{
	uint32_t len;

	switch (fk_le16(b) >> 12) {
	case KV_SET:
		if (b[2] > kv->cfg.value_max)
			return 0;
		len = FK_KV_SET_OVERHEAD + b[2];
		break;
	case KV_DELETE:
		len = KV_REC_MIN;
		break;
	case KV_COMMIT:
		len = fk_le16(b) & 0xFFFu;
		if (len < 2 + KV_ENTRY_HDR + KV_CRC)
			return 0;
		break;
	case KV_CHUNK:
		len = FK_KV_SET_OVERHEAD + b[2];
		if (b[2] == 0 || b[2] > kv_chunk_max(kv))
			return 0;
		break;
	case KV_LARGE:
		len = KV_LARGE_LEN;
		break;
	default:
		return 0;
	}
	return len <= kv->cfg.record_max ? len : 0;
}

int fk__kv_next_entry(const uint8_t *b, uint32_t len, struct fk__kv_entry *e)
{
	uint32_t q = e->next, kind = fk_le16(b) >> 12;

	if (kind == KV_CHUNK)
		return 0;
	e->large = kind == KV_LARGE;
	if (kind != KV_COMMIT) {
		if (q)
			return 0;
		e->id = fk_le16(b) & 0xFFFu;
		e->deleted = kind == KV_DELETE;
		e->len = e->deleted || e->large ? 0 : b[2];
		e->at = e->large ? 2 : 3;
		e->next = len;
		return 1;
	}
	q = q ? q : 2;
	if (q + KV_CRC >= len)
		return 0;
	e->id = fk_le16(b + q);
	e->deleted = b[q + 2] == KV_TOMBSTONE;
	e->len = e->deleted ? 0 : b[q + 2];
	e->at = q + KV_ENTRY_HDR;
	e->next = e->at + e->len;
	return 1;
}

/* A record is valid when its length is the one its first bytes claim,
 * its CRC matches, and its entries exactly fill it, each with a known id
 * and a value no longer than value_max. */
static int record_ok(const struct fk_kv *kv, uint32_t len)
{
	const uint8_t *b = kv->buf;
	uint32_t q = 2, end = len - KV_CRC;

	if (claimed_len(kv, b) != len ||
	    fk_le32(b + end) != fk_crc32(0, b, end))
		return 0;
	if (fk_le16(b) >> 12 == KV_LARGE &&
	    (fk_le32(b + 2) <= kv->cfg.value_max ||
	     fk_le32(b + 2) > FK_KV_LARGE_MAX || fk_le16(b + 8) == 0))
		return 0;
	if (fk_le16(b) >> 12 != KV_COMMIT)
		return (fk_le16(b) & 0xFFFu) < kv->cfg.key_limit;
	while (q < end) {
		uint8_t vl;

		if (end - q < KV_ENTRY_HDR ||
		    fk_le16(b + q) >= kv->cfg.key_limit)
			return 0;
		vl = b[q + 2];
		q += KV_ENTRY_HDR;
		if (vl == KV_TOMBSTONE)
			continue;
		if (vl > kv->cfg.value_max || end - q < vl)
			return 0;
		q += vl;
	}
	return 1;
}

/*
 * The scan rule of the spec: at each record position, a plausible length
 * whose record reads back with a good CRC is a record; otherwise, if the
 * next record_max bytes are all erased the log ends here; otherwise a
 * torn record lies here and the scan moves on by record_max (rounded up
 * to the alignment), past anything one interrupted program can have
 * touched. Reads never go past the units of the record being read, so a
 * torn unit is only ever read where a torn record is expected.
 */
int fk__kv_walk(struct fk_kv *kv, uint16_t index, fk__kv_record_fn fn,
		void *ctx, uint32_t *frontier)
{
	const struct fk_area *area = kv->area;
	uint32_t base = kv_sector_off(kv, index), p = kv->hdr_size;
	uint32_t skip = pad(kv, kv->cfg.record_max), ss = kv->sector_size;
	int rc;

	while (p + KV_REC_MIN <= ss) {
		uint32_t len = 0;

		rc = fk_area_read(area, base + p, kv->buf, 3);
		if (rc == FK_OK)
			len = claimed_len(kv, kv->buf);
		else if (rc != FK_EECC)
			return rc;
		if (len && len <= ss - p) {
			rc = fk_area_read(area, base + p, kv->buf, len);
			if (rc != FK_OK && rc != FK_EECC)
				return rc;
			if (rc == FK_OK && record_ok(kv, len)) {
				rc = fn ? fn(kv, p, len, ctx) : 0;
				if (rc != 0)
					return rc;
				p += pad(kv, len);
				continue;
			}
		} else {
			uint32_t w = skip < ss - p ? skip : ss - p;

			rc = fk_area_is_erased(area, base + p, w, kv->buf,
					       sizeof(kv->buf));
			if (rc == 1)
				break;
			if (rc < 0 && rc != FK_EECC)
				return rc;
		}
		p += skip;
	}
	*frontier = p < ss ? p : ss;
	return 0;
}

/* The last entry for id in the record of length len in kv->buf: 1 with
 * *found set, or 0 when the record holds none. */
static int find_entry(const struct fk_kv *kv, uint32_t len, uint16_t id,
		      struct fk__kv_entry *found)
{
	struct fk__kv_entry e = { 0 };
	int any = 0;

	while (fk__kv_next_entry(kv->buf, len, &e)) {
		if (e.id == id) {
			*found = e;
			any = 1;
		}
	}
	return any;
}

/* Reads a record known to be complete into kv->buf; returns its length. */
static int read_record(struct fk_kv *kv, uint16_t sector, uint32_t off)
{
	uint32_t base = kv_sector_off(kv, sector) + off, len;
	int rc = off < kv->sector_size ?
			 fk_area_read(kv->area, base, kv->buf, 3) :
			 FK_ECORRUPT;

	if (rc != FK_OK)
		return rc == FK_EECC ? FK_ECORRUPT : rc;
	len = claimed_len(kv, kv->buf);
	if (!len || off >= kv->sector_size || len > kv->sector_size - off)
		return FK_ECORRUPT;
	rc = fk_area_read(kv->area, base, kv->buf, len);
	if (rc != FK_OK)
		return rc == FK_EECC ? FK_ECORRUPT : rc;
	return record_ok(kv, len) ? (int)len : FK_ECORRUPT;
}

void fk__kv_index_note(struct fk_kv *kv, uint16_t id, uint16_t sector,
		       uint32_t off)
{
	if (kv->index) {
		kv->index[id].sector = sector;
		kv->index[id].off = off == KV_NOWHERE ?
					    KV_NOWHERE :
					    (uint16_t)(off / kv->align);
	}
}

static int bit(const uint8_t *map, uint32_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

struct last_ctx {
	uint16_t id;
	uint32_t off; /* 0: not found (records start after the header) */
};

static int note_last(struct fk_kv *kv, uint32_t off, uint32_t len, void *ctx)
{
	struct last_ctx *c = ctx;
	struct fk__kv_entry e;

	if (find_entry(kv, len, c->id, &e))
		c->off = off;
	return 0;
}

/*
 * The head's keys are in where[]. In format 2 an older sector's keys are
 * in the bitmap of the header after it, so the walk reads headers until
 * one names the key, then that one sector; in format 3 it scans the
 * sectors back from the newest until one holds the key. The walk stops
 * at the first header that is not the expected one (a store that has
 * not yet wrapped), and never reaches the sector after the head, whose
 * data has been moved on.
 */
int fk__kv_locate(struct fk_kv *kv, uint16_t id, uint16_t *sector,
		  uint32_t *off)
{
	uint32_t seq, d, frontier;
	struct last_ctx c = { id, 0 };
	int rc;

	if (kv->where[id] != KV_NOWHERE) {
		*sector = kv->head;
		*off = (uint32_t)kv->where[id] * kv->align;
		return FK_OK;
	}
	if (kv->index) {
		if (kv->index[id].off == KV_NOWHERE)
			return FK_ENOENT;
		*sector = kv->index[id].sector;
		*off = (uint32_t)kv->index[id].off * kv->align;
		return FK_OK;
	}
	for (d = 0; d + 2 < kv->sectors; d++) {
		if (!kv->cfg.header) {
			rc = fk__kv_read_header(kv, kv_behind(kv, d), &seq);
			if (rc < 0)
				return rc;
			if (rc == 0 || seq != kv->seq - d)
				return FK_ENOENT;
			if (!bit(kv->buf + KV_HDR_FIXED, id))
				continue;
		}
		*sector = kv_behind(kv, d + 1);
		rc = fk__kv_read_header(kv, *sector, &seq);
		if (rc < 0)
			return rc;
		if (rc == 0 || seq != kv->seq - d - 1)
			return kv->cfg.header ? FK_ENOENT : FK_ECORRUPT;
		rc = fk__kv_walk(kv, *sector, note_last, &c, &frontier);
		if (rc != FK_OK)
			return rc;
		*off = c.off;
		if (c.off)
			return FK_OK;
		if (!kv->cfg.header)
			return FK_ECORRUPT;
	}
	return FK_ENOENT;
}

int fk__kv_lookup(struct fk_kv *kv, uint16_t id, struct fk__kv_entry *e,
		  uint16_t *sector)
{
	uint32_t off;
	int rc;

	if (!kv->mounted)
		return FK_ESTATE;
	if (id >= kv->cfg.key_limit)
		return FK_EINVAL;
	rc = fk__kv_locate(kv, id, sector, &off);
	if (rc == FK_OK)
		rc = read_record(kv, *sector, off);
	if (rc < 0)
		return rc;
	if (!find_entry(kv, (uint32_t)rc, id, e))
		return FK_ECORRUPT;
	return e->deleted ? FK_ENOENT : FK_OK;
}

/* The large value whose closing record is in kv->buf. */
static void large_of(const struct fk_kv *kv, struct fk__kv_large *l)
{
	l->size = fk_le32(kv->buf + 2);
	l->first = (uint32_t)fk_le16(kv->buf + 6) * kv->align;
	l->count = fk_le16(kv->buf + 8);
	l->crc = fk_le32(kv->buf + 10);
}

void fk__kv_large_close(struct fk_kv *kv, uint16_t id,
			const struct fk__kv_large *l)
{
	fk_put_le16(kv->buf, (uint16_t)(KV_LARGE << 12 | id));
	fk_put_le32(kv->buf + 2, l->size);
	fk_put_le16(kv->buf + 6, (uint16_t)(l->first / kv->align));
	fk_put_le16(kv->buf + 8, (uint16_t)l->count);
	fk_put_le32(kv->buf + 10, l->crc);
}

/*
 * Reads the chunks of large value l of key id in sector, in order: each
 * a valid chunk record of the key, together exactly l->size bytes with
 * CRC l->crc. Calls fn with each one in kv->buf (when fn is not NULL)
 * and copies their data to out (when out is not NULL). A value whose
 * closing record is valid was completely written before it, so anything
 * else is FK_ECORRUPT.
 */
static int walk_large(struct fk_kv *kv, uint16_t id, uint16_t sector,
		      const struct fk__kv_large *l, uint8_t *out,
		      int (*fn)(struct fk_kv *kv, uint32_t len))
{
	uint32_t p = l->first, pos = 0, crc = 0;

	for (uint32_t i = 0; i < l->count; i++) {
		int rc = read_record(kv, sector, p);
		uint32_t n = kv->buf[2];

		if (rc < 0)
			return rc;
		if (fk_le16(kv->buf) != (KV_CHUNK << 12 | id) ||
		    n > l->size - pos)
			return FK_ECORRUPT;
		crc = fk_crc32(crc, kv->buf + 3, n);
		if (out)
			memcpy(out + pos, kv->buf + 3, n);
		pos += n;
		p += pad(kv, (uint32_t)rc);
		if (fn && (rc = fn(kv, (uint32_t)rc)) < 0)
			return rc;
	}
	return pos == l->size && crc == l->crc ? FK_OK : FK_ECORRUPT;
}

int fk_kv_get(struct fk_kv *kv, uint16_t id, void *out, uint32_t size)
{
	struct fk__kv_entry e;
	struct fk__kv_large l;
	uint16_t sector;
	int rc = fk__kv_lookup(kv, id, &e, &sector);

	if (rc < 0)
		return rc;
	if (!e.large) {
		if (e.len > size)
			return FK_ENOSPC;
		if (e.len > 0)
			memcpy(out, kv->buf + e.at, e.len);
		return e.len;
	}
	large_of(kv, &l);
	if (l.size > size)
		return FK_ENOSPC;
	rc = walk_large(kv, id, sector, &l, out, NULL);
	return rc < 0 ? rc : (int)l.size;
}

/* Closes the record in kv->buf[0..len) (CRC, erased padding; its tag is
 * already there) and programs it at the head's frontier in one
 * operation. Returns the record's offset. */
FK_RAMFUNC int fk__kv_append(struct fk_kv *kv, uint32_t len)
{
	uint32_t n = pad(kv, len), off = kv->frontier;
	int rc;

	if (n > kv->sector_size - off)
		return FK_ENOSPC;
	fk_put_le32(kv->buf + len - 4, fk_crc32(0, kv->buf, len - 4));
	memset(kv->buf + len, kv->erased, n - len);
	rc = fk_area_program(kv->area, kv_sector_off(kv, kv->head) + off,
			     kv->buf, n);
	if (rc != FK_OK)
		return rc;
	kv->frontier = off + n;
	return (int)off;
}

static int collect_last(struct fk_kv *kv, uint32_t off, uint32_t len, void *ctx)
{
	struct fk__kv_entry e = { 0 };

	(void)ctx;
	while (fk__kv_next_entry(kv->buf, len, &e))
		kv->where[e.id] = (uint16_t)(off / kv->align);
	return 0;
}

/* Rewrites the entry e of the record in kv->buf as a one-value record
 * at the front of kv->buf; returns its length. */
static uint32_t single_record(struct fk_kv *kv, const struct fk__kv_entry *e)
{
	/* Slide the value down (memmove is not among the C functions the
	 * device library may use; the value only ever moves down). */
	for (uint32_t i = 0; i < e->len; i++)
		kv->buf[3 + i] = kv->buf[e->at + i];
	fk_put_le16(kv->buf, (uint16_t)(KV_SET << 12 | e->id));
	kv->buf[2] = e->len;
	return FK_KV_SET_OVERHEAD + e->len;
}

static int append_chunk(struct fk_kv *kv, uint32_t len)
{
	return fk__kv_append(kv, len);
}

/* Copies the large value of key id whose closing record is in kv->buf,
 * in sector old, to the head: its chunks, then a closing record naming
 * where they now are. Returns the closing record's offset. */
static int copy_large(struct fk_kv *kv, uint16_t old, uint16_t id)
{
	uint32_t first = kv->frontier;
	struct fk__kv_large l;
	int rc;

	large_of(kv, &l);
	rc = walk_large(kv, id, old, &l, NULL, append_chunk);
	if (rc < 0)
		return rc;
	l.first = first;
	fk__kv_large_close(kv, id, &l);
	return fk__kv_append(kv, KV_LARGE_LEN);
}

/*
 * Copies into the fresh head every key whose newest entry is in sector
 * old (the oldest) and that no newer sector holds, one record per key,
 * except key skip (KV_NOWHERE: none), whose new value the opening
 * carries.
 * Deletions are dropped: nothing older than them survives the erase.
 * The old sector stays intact until the head fills and it is erased,
 * long after the head's header says the copy is complete.
 */
static int collect(struct fk_kv *kv, uint16_t old, uint16_t skip)
{
	uint32_t frontier;
	int rc = fk__kv_walk(kv, old, collect_last, NULL, &frontier);

	for (uint16_t k = 0; rc == FK_OK && k < kv->cfg.key_limit; k++) {
		struct fk__kv_entry e;
		uint16_t w = kv->where[k];

		kv->where[k] = KV_NOWHERE;
		if (w == KV_NOWHERE || bit(kv->newer, k) || k == skip)
			continue;
		rc = read_record(kv, old, (uint32_t)w * kv->align);
		if (rc < 0)
			break;
		if (!find_entry(kv, (uint32_t)rc, k, &e)) {
			rc = FK_ECORRUPT;
			break;
		}
		rc = FK_OK;
		if (e.deleted) {
			fk__kv_index_note(kv, k, 0, KV_NOWHERE);
			continue;
		}
		rc = e.large ? copy_large(kv, old, k) :
			       fk__kv_append(kv, single_record(kv, &e));
		if (rc >= 0) {
			kv->where[k] = (uint16_t)(rc / kv->align);
			fk__kv_index_note(kv, k, kv->head, (uint32_t)rc);
			rc = FK_OK;
		}
	}
	return rc;
}

/* Sets in map the bit of every key with an entry in where[]. */
static void map_where(const struct fk_kv *kv, uint8_t *map)
{
	for (uint16_t k = 0; k < kv->cfg.key_limit; k++) {
		if (kv->where[k] != KV_NOWHERE)
			map[k / 8] |= (uint8_t)(1u << (k % 8));
	}
}

/*
 * Before an opening: whether the oldest sector (the one after the next)
 * still holds data, and which keys the sectors newer than it hold. It
 * holds data when every sector from the head back to it carries the
 * expected sequence number. The newer sectors are the head (its keys are
 * in where[], also the new header's bitmap, kept in held[]) and those
 * 1 .. sectors-3 steps behind it, whose keys the headers 0 .. sectors-4
 * steps behind the head name (format 2), or which are walked, adding
 * their keys to where[] (format 3: where[] is cleared after the plan).
 * Returns 1 (collect), 0, or a flash error.
 */
static int plan_opening(struct fk_kv *kv)
{
	uint32_t seq, d, frontier, bytes = kv->cfg.key_limit / 8u;
	int rc;

	memset(kv->held, 0, sizeof(kv->held));
	map_where(kv, kv->held);
	memset(kv->newer, 0, sizeof(kv->newer));
	for (d = 0; d + 1 < kv->sectors; d++) {
		rc = fk__kv_read_header(kv, kv_behind(kv, d), &seq);
		if (rc < 0)
			return rc;
		if (rc == 0 || seq != kv->seq - d)
			return 0;
		for (uint32_t i = 0;
		     !kv->cfg.header && d + 4 <= kv->sectors && i < bytes; i++)
			kv->newer[i] |= kv->buf[KV_HDR_FIXED + i];
	}
	for (d = 1; kv->cfg.header && d + 3 <= kv->sectors; d++) {
		rc = fk__kv_walk(kv, kv_behind(kv, d), collect_last, NULL,
				 &frontier);
		if (rc != FK_OK)
			return rc;
	}
	if (kv->sectors >= 3)
		map_where(kv, kv->newer);
	return 1;
}

/* Programs the head's header: the next sequence number and, in format
 * 2, the bitmap of the previous head's keys (held[]). */
static FK_RAMFUNC int write_header(struct fk_kv *kv)
{
	uint32_t len = header_len(kv), seed = 0;
	uint8_t *b = kv->buf;

	memset(b, kv->erased, kv->hdr_size);
	if (kv->cfg.header) {
		header_fixed(kv, b);
		fk_put_le32(b + 8, kv->seq + 1);
		seed = KV_SEED3;
	} else {
		fk_put_le32(b, KV_MAGIC);
		fk_put_le32(b + 4, kv->seq + 1);
		header_fixed(kv, b + 8);
		memcpy(b + KV_HDR_FIXED, kv->held, kv->cfg.key_limit / 8u);
	}
	fk_put_le32(b + len - 4, fk_crc32(seed, b, len - 4));
	return fk_area_program(kv->area, kv_sector_off(kv, kv->head), b,
			       kv->hdr_size);
}

/*
 * Opens the sector after the head: erase, collection of the oldest
 * sector when the ring is full (fk__kv_open_begin), then whatever the
 * caller adds, then the header (fk__kv_open_end). Until the header is on
 * flash, mount ignores the new sector, so a cut anywhere in between
 * leaves the store as it was.
 */
FK_RAMFUNC int fk__kv_open_begin(struct fk_kv *kv, uint16_t skip)
{
	uint16_t next = (uint16_t)((kv->head + 1) % kv->sectors);
	int full = plan_opening(kv), rc;

	if (full < 0)
		return full;
	if (!kv->next_erased) {
		rc = fk_area_erase(kv->area, kv_sector_off(kv, next),
				   kv->sector_size);
		if (rc != FK_OK)
			return rc;
	}
	kv->next_erased = 0;
	kv->head = next;
	kv->frontier = kv->hdr_size;
	memset(kv->where, 0xFF, sizeof(kv->where));
	return full ? collect(kv, kv_behind(kv, kv->sectors - 1u), skip) :
		      FK_OK;
}

FK_RAMFUNC int fk__kv_open_end(struct fk_kv *kv)
{
	int rc = write_header(kv);

	if (rc != FK_OK)
		return rc;
	kv->seq++;
	return FK_OK;
}

FK_RAMFUNC int fk__kv_rotate(struct fk_kv *kv)
{
	int rc = fk__kv_open_begin(kv, KV_NOWHERE);

	rc = rc != FK_OK ? rc : fk__kv_open_end(kv);
	kv->fresh = rc == FK_OK;
	return rc;
}

/* Makes sector index (sequence seq) the head: indexes its records and
 * finds its frontier. */
static int open_head(struct fk_kv *kv, uint16_t index, uint32_t seq)
{
	kv->head = index;
	kv->seq = seq;
	memset(kv->where, 0xFF, sizeof(kv->where));
	return fk__kv_walk(kv, index, collect_last, NULL, &kv->frontier);
}

/* Formats by opening sector index with sequence number seq, as if the
 * sector before it were a head holding nothing. */
static int format(struct fk_kv *kv, uint16_t index, uint32_t seq)
{
	kv->head = (uint16_t)((index + kv->sectors - 1) % kv->sectors);
	kv->seq = seq - 1;
	memset(kv->where, 0xFF, sizeof(kv->where));
	return fk__kv_rotate(kv);
}

static int check_config(struct fk_kv *kv, const struct fk_area *area,
			const struct fk_kv_config *cfg)
{
	const struct fk_flash_geometry *geo = &area->flash->geo;
	struct fk_sector s;
	uint32_t need, ss;

	if (!area->flash || fk_area_sector_at(area, 0, &s) != FK_OK)
		return FK_EINVAL;
	ss = s.size;
	if (ss < 1024 || ss > 256 * 1024 || geo->write_unit > 32 ||
	    area->size % ss || area->size / ss < 2 ||
	    area->size / ss > 0xFFFF || cfg->key_limit < 8 ||
	    cfg->key_limit % 8 || cfg->key_limit > FK_KV_MAX_KEYS ||
	    cfg->value_max > FK_KV_VALUE_MAX ||
	    cfg->record_max < cfg->value_max + FK_KV_SET_OVERHEAD ||
	    cfg->record_max > FK_KV_RECORD_MAX || cfg->header > 1)
		return FK_EINVAL;
	kv->area = area;
	kv->cfg = *cfg;
	kv->sector_size = ss;
	kv->sectors = (uint16_t)(area->size / ss);
	kv->erased = geo->erased_value;
	kv->align = (uint16_t)(geo->write_unit > ss >> 16 ? geo->write_unit :
							    ss >> 16);
	kv->hdr_size = (uint16_t)pad(kv, header_len(kv));
	for (uint32_t i = 1; i < kv->sectors; i++) {
		if (fk_area_sector_at(area, i * ss, &s) != FK_OK ||
		    s.size != ss)
			return FK_EINVAL;
	}
	/* Capacity: every key at its largest, copied into a fresh sector,
	 * leaves room for one largest commit. */
	need = kv->hdr_size +
	       cfg->key_limit * pad(kv, cfg->value_max + FK_KV_SET_OVERHEAD) +
	       pad(kv, cfg->record_max);
	return need <= ss ? FK_OK : FK_ENOSPC;
}

/*
 * The head is the valid sector with the highest sequence number: a
 * sector's header is programmed only after its copies, so every valid
 * sector is complete. An area without any valid header is formatted.
 */
int fk__kv_mount(struct fk_kv *kv, const struct fk_area *area,
		 const struct fk_kv_config *cfg, uint32_t abi, uint32_t size)
{
	uint32_t seq, best_seq = 0;
	uint16_t best = 0;
	int rc;

	if (abi != FK_KV_ABI || size != sizeof(*kv))
		return FK_EABI;
	if (!kv || !area || !cfg)
		return FK_EINVAL;
	memset(kv, 0, sizeof(*kv));
	kv->large_room = 0xFFFFFFFFu;
	rc = check_config(kv, area, cfg);
	for (uint16_t i = 0; rc == FK_OK && i < kv->sectors; i++) {
		rc = fk__kv_read_header(kv, i, &seq);
		if (rc == 1 && seq > best_seq) {
			best = i;
			best_seq = seq;
		}
		rc = rc < 0 ? rc : FK_OK;
	}
	if (rc != FK_OK)
		return rc;
	if (best_seq == 0)
		rc = format(kv, 0, 1);
	else
		rc = open_head(kv, best, best_seq);
	if (rc < 0)
		return rc;
	kv->mounted = 1;
	return FK_OK;
}

/* Builds a set or a deletion (value NULL) of the one entry e in
 * kv->buf; returns its length. */
static uint32_t build_single(struct fk_kv *kv, const struct fk_kv_entry *e,
			     uint32_t count, uint32_t len)
{
	(void)count;
	fk_put_le16(kv->buf,
		    (uint16_t)((e->value ? KV_SET : KV_DELETE) << 12 | e->id));
	kv->buf[2] = e->len;
	if (e->value && e->len)
		memcpy(kv->buf + 3, e->value, e->len);
	return len;
}

int fk__kv_put(struct fk_kv *kv, const struct fk_kv_entry *entries,
	       uint32_t count, uint32_t len, fk__kv_build_fn build)
{
	int off;

	if (len > kv->cfg.record_max)
		return FK_ENOSPC;
	kv->mounted = 0;
	if (pad(kv, len) > kv->sector_size - kv->frontier) {
		off = fk__kv_rotate(kv);
		if (off != FK_OK)
			return off;
	}
	off = fk__kv_append(kv, build(kv, entries, count, len));
	if (off < 0)
		return off;
	kv->fresh = 0;
	for (uint32_t i = 0; i < count; i++) {
		kv->where[entries[i].id] = (uint16_t)(off / kv->align);
		fk__kv_index_note(kv, entries[i].id, kv->head, (uint32_t)off);
	}
	kv->mounted = 1;
	return FK_OK;
}

/* A set or a deletion (value NULL) of one key. */
static int put_single(struct fk_kv *kv, uint16_t id, const void *value,
		      uint8_t len)
{
	struct fk_kv_entry e = { id, value, len };

	if (!kv->mounted)
		return FK_ESTATE;
	if (id >= kv->cfg.key_limit || len > kv->cfg.value_max)
		return FK_EINVAL;
	return fk__kv_put(kv, &e, 1,
			  value ? FK_KV_SET_OVERHEAD + len : KV_REC_MIN,
			  build_single);
}

int fk_kv_set(struct fk_kv *kv, uint16_t id, const void *value, uint8_t len)
{
	if (!value && len)
		return FK_EINVAL;
	return put_single(kv, id, value ? value : "", len);
}

int fk_kv_delete(struct fk_kv *kv, uint16_t id)
{
	return put_single(kv, id, NULL, 0);
}
