/*
 * Building a per-device record (docs/devinfo-format.md) in a caller's
 * buffer: TLVs appended in order, then the header with the CRC.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "flashkit/devinfo.h"

void fk_devinfo_begin(struct fk_devinfo_builder *b, void *buf, uint32_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = FK_DEVINFO_HEADER_SIZE;
	b->error = cap < FK_DEVINFO_HEADER_SIZE ? FK_ENOSPC : 0;
}

/* True when a TLV with id is already in the record. */
static int has_id(const struct fk_devinfo_builder *b, uint16_t id)
{
	for (uint32_t pos = FK_DEVINFO_HEADER_SIZE; pos < b->len;) {
		const uint8_t *t = b->buf + pos;

		if ((uint16_t)(t[0] | t[1] << 8) == id)
			return 1;
		pos += FK_DEVINFO_TLV_HEADER + (uint32_t)(t[2] | t[3] << 8);
	}
	return 0;
}

int fk_devinfo_add(struct fk_devinfo_builder *b, uint16_t id, const void *value,
		   uint32_t len)
{
	uint32_t need = FK_DEVINFO_TLV_HEADER + len;
	int rc = 0;

	if (b->error)
		return b->error;
	if (id == 0x0000 || id == 0xFFFF || has_id(b, id))
		rc = FK_EINVAL;
	else if (len > FK_DEVINFO_MAX_BODY ||
		 b->len - FK_DEVINFO_HEADER_SIZE + need > FK_DEVINFO_MAX_BODY ||
		 need > b->cap - b->len)
		rc = FK_ENOSPC;
	if (rc) {
		b->error = rc;
		return rc;
	}
	fk_put_le16(b->buf + b->len, id);
	fk_put_le16(b->buf + b->len + 2, len);
	if (len)
		memcpy(b->buf + b->len + FK_DEVINFO_TLV_HEADER, value, len);
	b->len += need;
	return 0;
}

int fk_devinfo_finish(struct fk_devinfo_builder *b, uint32_t *size)
{
	uint32_t crc;

	if (b->error)
		return b->error;
	fk_put_le32(b->buf, FK_DEVINFO_MAGIC);
	b->buf[4] = FK_DEVINFO_VERSION;
	b->buf[5] = FK_DEVINFO_HEADER_SIZE;
	fk_put_le16(b->buf + 6, b->len - FK_DEVINFO_HEADER_SIZE);
	crc = fk_crc32(0, b->buf, 8);
	crc = fk_crc32(crc, b->buf + FK_DEVINFO_HEADER_SIZE,
		       b->len - FK_DEVINFO_HEADER_SIZE);
	fk_put_le32(b->buf + 8, crc);
	*size = b->len;
	return 0;
}
