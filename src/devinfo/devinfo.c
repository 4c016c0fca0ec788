/*
 * Reading the per-device record (docs/devinfo-format.md). The record is
 * read through a small callback so that the same walk serves a
 * partition behind struct fk_flash and a record in memory. The CRC is
 * checked over the whole record first; only then are TLVs trusted.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "flashkit/devinfo.h"

typedef int (*read_fn)(const void *ctx, uint32_t off, void *buf, uint32_t len);

struct mem_src {
	const uint8_t *p;
	size_t size;
};

static int read_mem(const void *ctx, uint32_t off, void *buf, uint32_t len)
{
	const struct mem_src *m = ctx;

	if (off > m->size || len > m->size - off)
		return FK_ECORRUPT;
	memcpy(buf, m->p + off, len);
	return 0;
}

static int read_area(const void *ctx, uint32_t off, void *buf, uint32_t len)
{
	const struct fk_area *area = ctx;

	if (off > area->size || len > area->size - off)
		return FK_ECORRUPT;
	return fk_area_read(area, off, buf, len);
}

/* Checks header and CRC; *body_len receives the TLV area's size. */
static int check_record(read_fn rd, const void *ctx, uint32_t *body_len)
{
	uint8_t hdr[FK_DEVINFO_HEADER_SIZE], chunk[32];
	uint32_t crc, n;
	int rc = rd(ctx, 0, hdr, sizeof(hdr));

	if (rc)
		return rc;
	if (fk_le32(hdr) != FK_DEVINFO_MAGIC)
		return FK_ECORRUPT;
	if (hdr[4] != FK_DEVINFO_VERSION)
		return hdr[4] > FK_DEVINFO_VERSION ? FK_ENOTSUP : FK_ECORRUPT;
	if (hdr[5] != FK_DEVINFO_HEADER_SIZE)
		return FK_ECORRUPT;
	n = fk_le16(hdr + 6);
	crc = fk_crc32(0, hdr, 8);
	for (uint32_t off = 0; off < n; off += sizeof(chunk)) {
		uint32_t len = n - off < sizeof(chunk) ?
				       n - off :
				       (uint32_t)sizeof(chunk);

		rc = rd(ctx, FK_DEVINFO_HEADER_SIZE + off, chunk, len);
		if (rc)
			return rc;
		crc = fk_crc32(crc, chunk, len);
	}
	if (crc != fk_le32(hdr + 8))
		return FK_ECORRUPT;
	*body_len = n;
	return 0;
}

/* Finds the first TLV with id; checks the structure of every TLV. */
static int find_field(read_fn rd, const void *ctx, uint32_t body_len,
		      uint16_t id, uint32_t *val_off, uint32_t *val_len)
{
	int found = FK_ENOENT;

	for (uint32_t pos = 0; pos < body_len;) {
		uint8_t tlv[FK_DEVINFO_TLV_HEADER];
		uint32_t len;
		int rc;

		if (body_len - pos < FK_DEVINFO_TLV_HEADER)
			return FK_ECORRUPT;
		rc = rd(ctx, FK_DEVINFO_HEADER_SIZE + pos, tlv, sizeof(tlv));
		if (rc)
			return rc;
		len = fk_le16(tlv + 2);
		pos += FK_DEVINFO_TLV_HEADER;
		if (len > body_len - pos)
			return FK_ECORRUPT;
		if (found == FK_ENOENT && fk_le16(tlv) == id) {
			*val_off = FK_DEVINFO_HEADER_SIZE + pos;
			*val_len = len;
			found = 0;
		}
		pos += len;
	}
	return found;
}

static int get_field(read_fn rd, const void *ctx, uint16_t id, void *buf,
		     uint32_t cap, uint32_t *len)
{
	uint32_t body_len, off, vlen;
	int rc = check_record(rd, ctx, &body_len);

	if (rc)
		return rc;
	rc = find_field(rd, ctx, body_len, id, &off, &vlen);
	if (rc)
		return rc;
	if (len)
		*len = vlen;
	if (vlen > cap)
		return FK_ENOSPC;
	return rd(ctx, off, buf, vlen);
}

int fk_devinfo_get(const struct fk_area *area, uint16_t id, void *buf,
		   uint32_t cap, uint32_t *len)
{
	return get_field(read_area, area, id, buf, cap, len);
}

int fk_devinfo_get_mem(const void *rec, size_t size, uint16_t id, void *buf,
		       uint32_t cap, uint32_t *len)
{
	struct mem_src m = { rec, size };

	return get_field(read_mem, &m, id, buf, cap, len);
}

/* Header, CRC and the structure of every TLV (id 0 is never present,
 * so the walk visits them all). */
static int check_all(read_fn rd, const void *ctx, uint32_t *record_size)
{
	uint32_t body_len, off, vlen;
	int rc = check_record(rd, ctx, &body_len);

	if (rc)
		return rc;
	rc = find_field(rd, ctx, body_len, 0, &off, &vlen);
	if (rc != FK_ENOENT)
		return rc ? rc : FK_ECORRUPT;
	if (record_size)
		*record_size = FK_DEVINFO_HEADER_SIZE + body_len;
	return 0;
}

int fk_devinfo_check(const struct fk_area *area, uint32_t *record_size)
{
	return check_all(read_area, area, record_size);
}

int fk_devinfo_check_mem(const void *rec, size_t size, uint32_t *record_size)
{
	struct mem_src m = { rec, size };

	return check_all(read_mem, &m, record_size);
}
