/*
 * Large values (fk_kv_set_large): a value above value_max is written as
 * chunk records followed by a closing record that names them, so it is
 * visible only once every chunk is on flash. The format is in
 * docs/kv-format.md ("Large values"); reading and copying them is in
 * kv.c, since any store may hold them. A device that never writes one
 * leaves this file out of its link.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "kv_priv.h"

static uint32_t pad(const struct fk_kv *kv, uint32_t n)
{
	return (n + kv->align - 1) & ~(uint32_t)(kv->align - 1);
}

/* Bytes a large value of size bytes takes: its chunks and its closing
 * record, each padded. */
static uint32_t footprint(const struct fk_kv *kv, uint32_t size)
{
	uint32_t cs = kv_chunk_max(kv), full = size / cs, rest = size % cs;

	return full * pad(kv, FK_KV_SET_OVERHEAD + cs) +
	       (rest ? pad(kv, FK_KV_SET_OVERHEAD + rest) : 0) +
	       pad(kv, KV_LARGE_LEN);
}

/* The size of key id's large value, 0 when it holds none, or an error. */
static int large_size(struct fk_kv *kv, uint16_t id)
{
	struct fk__kv_entry e;
	uint16_t sector;
	int rc = fk__kv_lookup(kv, id, &e, &sector);

	if (rc == FK_ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	return e.large ? (int)fk_le32(kv->buf + 2) : 0;
}

/* Room in a sector for large values: what every key at value_max, the
 * header and one largest commit leave (the capacity rule of mount). */
static uint32_t budget(const struct fk_kv *kv)
{
	uint32_t small =
		kv->hdr_size +
		kv->cfg.key_limit *
			pad(kv, kv->cfg.value_max + FK_KV_SET_OVERHEAD) +
		pad(kv, kv->cfg.record_max);

	return kv->sector_size - small;
}

struct count_ctx {
	uint16_t sector;
	uint32_t room;
};

/* A closing record is live when it is its key's current entry. locate
 * reuses kv->buf; the walk reads the next record afresh. */
static int count_large(struct fk_kv *kv, uint32_t off, uint32_t len, void *arg)
{
	struct count_ctx *c = arg;
	uint16_t id = fk_le16(kv->buf) & 0xFFFu, sector;
	uint32_t size = fk_le32(kv->buf + 2), at;
	int rc;

	(void)len;
	if (fk_le16(kv->buf) >> 12 != KV_LARGE)
		return 0;
	rc = fk__kv_locate(kv, id, &sector, &at);
	if (rc == FK_OK && sector == c->sector && at == off)
		c->room += footprint(kv, size);
	return rc == FK_ENOENT ? 0 : rc;
}

/* The room the live large values take, from every data sector. */
static int recount(struct fk_kv *kv)
{
	struct count_ctx c = { 0, 0 };
	uint32_t frontier;
	int run = fk__kv_data_run(kv), rc = run < 0 ? run : FK_OK;

	while (rc == FK_OK && run-- > 0) {
		c.sector = kv_behind(kv, (uint32_t)run);
		rc = fk__kv_walk(kv, c.sector, count_large, &c, &frontier);
	}
	if (rc == FK_OK)
		kv->large_room = c.room;
	return rc;
}

/*
 * Admission keeps the capacity rule: the live large values but key id's
 * (which the new value replaces: an opening it causes carries the new
 * value instead of copying the old one) plus the new one fit the room
 * left by every small key at its largest, so any opening fits a fresh
 * sector. large_room is an upper bound (a value replaced by a small one
 * or deleted still counts); when it would refuse, it is counted again.
 * Returns the footprint of id's old value, or an error.
 */
static int admit(struct fk_kv *kv, uint16_t id, uint32_t need)
{
	int old = large_size(kv, id), rc;
	uint32_t fp;

	if (old < 0)
		return old;
	fp = old ? footprint(kv, (uint32_t)old) : 0;
	if (kv->large_room != 0xFFFFFFFFu &&
	    kv->large_room - fp + need <= budget(kv))
		return (int)fp;
	rc = recount(kv);
	if (rc != FK_OK)
		return rc;
	return kv->large_room - fp + need <= budget(kv) ? (int)fp : FK_ENOSPC;
}

/* Programs the chunks, then the closing record; returns its offset. */
static int write_large(struct fk_kv *kv, uint16_t id, const uint8_t *value,
		       uint32_t len)
{
	struct fk__kv_large l = { len, kv->frontier, 0, 0 };
	uint32_t cs = kv_chunk_max(kv);
	int rc;

	for (uint32_t pos = 0; pos < len; pos += cs) {
		uint32_t n = len - pos < cs ? len - pos : cs;

		fk_put_le16(kv->buf, (uint16_t)(KV_CHUNK << 12 | id));
		kv->buf[2] = (uint8_t)n;
		memcpy(kv->buf + 3, value + pos, n);
		l.crc = fk_crc32(l.crc, value + pos, n);
		l.count++;
		rc = fk__kv_append(kv, FK_KV_SET_OVERHEAD + n);
		if (rc < 0)
			return rc;
	}
	fk__kv_large_close(kv, id, &l);
	return fk__kv_append(kv, KV_LARGE_LEN);
}

int fk_kv_set_large(struct fk_kv *kv, uint16_t id, const void *value,
		    uint32_t len)
{
	uint32_t need;
	int rc, old, off, opening;

	if (!kv->mounted)
		return FK_ESTATE;
	if (id >= kv->cfg.key_limit || len > FK_KV_LARGE_MAX || (!value && len))
		return FK_EINVAL;
	if (len <= kv->cfg.value_max)
		return fk_kv_set(kv, id, value, (uint8_t)len);
	if (kv->cfg.record_max < KV_LARGE_LEN)
		return FK_ENOTSUP;
	need = footprint(kv, len);
	old = admit(kv, id, need);
	if (old < 0)
		return old;
	kv->mounted = 0;
	opening = need > kv->sector_size - kv->frontier;
	rc = opening ? fk__kv_open_begin(kv, id) : FK_OK;
	off = rc == FK_OK ? write_large(kv, id, value, len) : rc;
	rc = off >= 0 && opening ? fk__kv_open_end(kv) : FK_OK;
	if (off < 0 || rc != FK_OK)
		return off < 0 ? off : rc;
	kv->where[id] = (uint16_t)((uint32_t)off / kv->align);
	fk__kv_index_note(kv, id, kv->head, (uint32_t)off);
	kv->large_room += need - (uint32_t)old;
	kv->fresh = 0;
	kv->mounted = 1;
	return FK_OK;
}
