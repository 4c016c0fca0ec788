/*
 * Inspection of a store for tools and tests: the configuration a store
 * was formatted with, and a walk over its sectors and records that says
 * which entries are live. It only reads. A device that needs neither
 * leaves this file out of its build.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "flashkit/kv_inspect.h"
#include "kv_priv.h"

/* A compact header (format 3), else a format-2 one, at off. */
static int probe_sector(const struct fk_area *area, uint32_t off, uint32_t size,
			struct fk_kv_config *cfg)
{
	uint8_t b[FK_KV_HEADER_MAX];
	uint32_t len, keys;
	int rc = fk_area_read(area, off, b, KV_HDR_COMPACT);

	if (rc != FK_OK)
		return rc == FK_EECC ? 0 : rc;
	cfg->header = FK_KV_HEADER_COMPACT;
	if (fk_le32(b + 12) == fk_crc32(KV_SEED3, b, 12)) {
		keys = fk_le16(b + 2);
		len = 0;
	} else {
		keys = fk_le16(b + 10);
		len = KV_HDR_FIXED + keys / 8 + 4;
		if (fk_le32(b) != KV_MAGIC || len > size ||
		    keys > FK_KV_MAX_KEYS)
			return 0;
		rc = fk_area_read(area, off, b, len);
		if (rc != FK_OK)
			return rc == FK_EECC ? 0 : rc;
		if (fk_le32(b + len - 4) != fk_crc32(0, b, len - 4))
			return 0;
		cfg->header = FK_KV_HEADER_BITMAP;
	}
	if (keys % 8 || keys > FK_KV_MAX_KEYS)
		return 0;
	cfg->key_limit = (uint16_t)keys;
	cfg->record_max = fk_le16(b + (len ? 12 : 4));
	cfg->value_max = b[len ? 14 : 6];
	return 1;
}

int fk_kv_probe(const struct fk_area *area, struct fk_kv_config *cfg)
{
	struct fk_sector s;
	uint32_t off = 0;

	while (off < area->size && fk_area_sector_at(area, off, &s) == FK_OK) {
		int rc = probe_sector(area, off, s.size, cfg);

		if (rc != 0)
			return rc < 0 ? rc : FK_OK;
		off += s.size;
	}
	return FK_ENOENT;
}

struct inspect_ctx {
	uint16_t sector;
	int (*record_fn)(void *ctx, const struct fk_kv_record_info *);
	void *ctx;
};

static int inspect_record(struct fk_kv *kv, uint32_t off, uint32_t len,
			  void *arg)
{
	struct inspect_ctx *c = arg;
	uint8_t rec[FK_KV_BUF_SIZE];
	struct fk__kv_entry e = { 0 };

	/* Locating each key reuses kv->buf: work on a copy. */
	memcpy(rec, kv->buf, len);
	while (fk__kv_next_entry(rec, len, &e)) {
		struct fk_kv_record_info info;
		uint16_t sector;
		uint32_t at;
		int rc;

		memset(&info, 0, sizeof(info));
		info.sector = c->sector;
		info.off = off;
		info.id = e.id;
		info.deleted = e.deleted;
		info.len = e.len;
		info.value = e.large ? NULL : rec + e.at;
		info.large_size = e.large ? fk_le32(rec + 2) : 0;
		rc = fk__kv_locate(kv, info.id, &sector, &at);
		if (rc != FK_OK && rc != FK_ENOENT)
			return rc;
		info.live = rc == FK_OK && sector == c->sector && at == off;
		rc = c->record_fn(c->ctx, &info);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int fk_kv_inspect(struct fk_kv *kv,
		  int (*sector_fn)(void *ctx, const struct fk_kv_sector_info *),
		  int (*record_fn)(void *ctx, const struct fk_kv_record_info *),
		  void *ctx)
{
	int run;

	if (!kv->mounted)
		return FK_ESTATE;
	run = fk__kv_data_run(kv);
	if (run < 0)
		return run;
	for (uint32_t d = kv->sectors; d-- > 0;) {
		struct fk_kv_sector_info info;
		struct inspect_ctx c = { kv_behind(kv, d), record_fn, ctx };
		int rc = fk__kv_read_header(kv, c.sector, &info.seq);

		if (rc < 0 && rc != FK_EMISMATCH)
			return rc;
		info.index = c.sector;
		info.state = FK_KV_SECTOR_FREE;
		info.used = 0;
		if (rc != 1)
			info.seq = 0;
		else if (d < (uint32_t)run)
			info.state = FK_KV_SECTOR_DATA;
		else
			info.state = FK_KV_SECTOR_STALE;
		info.erases = info.seq ? (info.seq - 1) / kv->sectors + 1 : 0;
		if (info.state == FK_KV_SECTOR_DATA) {
			rc = fk__kv_walk(kv, c.sector,
					 record_fn ? inspect_record : NULL, &c,
					 &info.used);
			if (rc != 0)
				return rc;
		}
		rc = sector_fn ? sector_fn(ctx, &info) : 0;
		if (rc != 0)
			return rc;
	}
	return FK_OK;
}
