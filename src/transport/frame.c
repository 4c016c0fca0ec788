/*
 * The frame codec of the update protocol (docs/update-protocol.md,
 * "Frames"), shared by the device's receiver and the host's client: the
 * host links this file, there is no second parser.
 *
 * Invariant of the parser: buf[0, n) is a prefix of a frame that could
 * still be valid: it starts with the magic, and once 7 bytes are in, the
 * header's check byte matched and the length fits cap. Anything else is
 * dropped from the front one byte at a time, and the bytes after the
 * dropped one are looked at again, so a frame that starts inside garbage
 * or inside a broken frame's header is still found.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"
#include "flashkit/transport.h"

void fk_tp_parser_init(struct fk_tp_parser *p, uint8_t *buf, uint32_t cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
}

static uint8_t header_check(const uint8_t *h)
{
	return (uint8_t)fk_crc32(0, h, FK_TP_HEADER - 1);
}

uint32_t fk_tp_frame_len(const struct fk_tp_parser *p)
{
	return (uint32_t)p->buf[4] | (uint32_t)p->buf[5] << 8;
}

uint8_t fk_tp_frame_cmd(const struct fk_tp_parser *p)
{
	return p->buf[2];
}

uint8_t fk_tp_frame_seq(const struct fk_tp_parser *p)
{
	return p->buf[3];
}

const uint8_t *fk_tp_frame_payload(const struct fk_tp_parser *p)
{
	return p->buf + FK_TP_HEADER;
}

static bool header_ok(const struct fk_tp_parser *p)
{
	return header_check(p->buf) == p->buf[6] &&
	       fk_tp_frame_len(p) <= p->cap - FK_TP_OVERHEAD;
}

static bool frame_complete(const struct fk_tp_parser *p)
{
	return p->n >= FK_TP_HEADER &&
	       p->n == FK_TP_OVERHEAD + fk_tp_frame_len(p);
}

/* Drops the first byte of a header that failed and looks at the rest
 * again; fewer than FK_TP_HEADER bytes go back in, so this never
 * recurses more than once. */
static void resync(struct fk_tp_parser *p)
{
	uint8_t rest[FK_TP_HEADER - 1];
	uint32_t m = p->n - 1;

	memcpy(rest, p->buf + 1, m);
	p->n = 0;
	p->skipped++;
	for (uint32_t i = 0; i < m; i++)
		fk_tp_parse_byte(p, rest[i]);
}

enum fk_tp_parse fk_tp_parse_byte(struct fk_tp_parser *p, uint8_t byte)
{
	if (frame_complete(p))
		p->n = 0;
	if ((p->n == 0 && byte != FK_TP_MAGIC0) ||
	    (p->n == 1 && byte != FK_TP_MAGIC1)) {
		p->skipped += p->n + 1;
		p->n = 0;
		if (byte == FK_TP_MAGIC0) {
			p->skipped--;
			p->buf[p->n++] = byte;
		}
		return FK_TP_MORE;
	}
	p->buf[p->n++] = byte;
	if (p->n == FK_TP_HEADER && !header_ok(p)) {
		resync(p);
		return FK_TP_MORE;
	}
	if (!frame_complete(p))
		return FK_TP_MORE;
	if (fk_crc32(0, p->buf, p->n - FK_TP_TRAILER) !=
	    fk_le32(p->buf + p->n - FK_TP_TRAILER)) {
		p->corrupt++;
		return FK_TP_BAD_CRC;
	}
	p->frames++;
	return FK_TP_FRAME;
}

uint32_t fk_tp_frame_encode(uint8_t *out, uint32_t cap, uint8_t cmd,
			    uint8_t seq, const void *payload, uint32_t len)
{
	uint32_t total = FK_TP_OVERHEAD + len;

	if (len > 0xFFFFu || cap < FK_TP_OVERHEAD || len > cap - FK_TP_OVERHEAD)
		return 0;
	/* payload is either out + FK_TP_HEADER itself (built in place) or
	 * apart from out: memcpy, as device code has no memmove */
	if (len && (const uint8_t *)payload != out + FK_TP_HEADER)
		memcpy(out + FK_TP_HEADER, payload, len);
	out[0] = FK_TP_MAGIC0;
	out[1] = FK_TP_MAGIC1;
	out[2] = cmd;
	out[3] = seq;
	out[4] = (uint8_t)len;
	out[5] = (uint8_t)(len >> 8);
	out[6] = header_check(out);
	fk_put_le32(out + FK_TP_HEADER + len,
		    fk_crc32(0, out, FK_TP_HEADER + len));
	return total;
}
