/*
 * The protocol client (client.h): requests with their replies, and the
 * upload: START (resume), digests to find what the device already holds,
 * then a window of WRITE and SKIP frames, go-back-N on a gap, FINISH.
 *
 * Invariant of the transfer: `acked` is an offset the device said it
 * expects (its `next`), so every byte below it is in the device's upload;
 * frames are only ever sent from `send`, and a rewind sets send back to
 * the device's word. A rewind opens a new epoch: replies to frames of an
 * older epoch still move `acked` but never cause another rewind, so one
 * gap costs one resend of the window.
 */
#include <string.h>
#include <time.h>

#include "flashkit/bytes.h"
#include "flashkit/crypto.h"
#include "flashkit/error.h"
#include "transport/client.h"

int fk_tp_reply_parse(const struct fk_tp_parser *p, struct fk_tp_reply *out)
{
	const uint8_t *b = fk_tp_frame_payload(p);
	uint32_t len = fk_tp_frame_len(p);

	if (!(fk_tp_frame_cmd(p) & FK_TP_REPLY) || len < FK_TP_REPLY_HEAD)
		return -1;
	out->cmd = fk_tp_frame_cmd(p) & (uint8_t)~FK_TP_REPLY;
	out->seq = fk_tp_frame_seq(p);
	out->status = (enum fk_tp_status)b[0];
	out->err = (int8_t)b[1];
	out->next = fk_le32(b + 2);
	out->extra = b + FK_TP_REPLY_HEAD;
	out->extra_len = len - FK_TP_REPLY_HEAD;
	return 0;
}

int fk_tp_identity_parse(const uint8_t *p, uint32_t len,
			 struct fk_tp_identity *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 8 || p[3] == 0 || p[3] > FK_BOOT_MAX_IMAGES ||
	    len < 8 + 14u * p[3])
		return -1;
	out->version = p[0];
	out->role = (enum fk_tp_role)p[1];
	out->window = p[2];
	out->image_count = p[3];
	out->max_payload = fk_le16(p + 4);
	out->phase = (enum fk_boot_phase)p[6];
	out->mode = (enum fk_boot_mode)p[7];
	for (uint32_t i = 0; i < out->image_count; i++) {
		const uint8_t *e = p + 8 + 14 * i;
		struct fk_tp_image_info *im = &out->images[i];

		im->valid = e[0] != 0;
		im->major = e[1];
		im->minor = e[2];
		im->revision = fk_le16(e + 4);
		im->build = fk_le32(e + 6);
		im->max_size = fk_le32(e + 10);
	}
	return 0;
}

const char *fk_tp_status_name(enum fk_tp_status s)
{
	static const char *const names[] = {
		"ok",
		"wrong offset",
		"frame corrupted",
		"unknown command",
		"malformed request",
		"no upload open",
		"failed",
		"bytes differ",
		"not supported",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ?
		       names[s] :
		       "unknown status";
}

void fk_tp_client_init(struct fk_tp_client *c, const struct fk_tp_io *io)
{
	memset(c, 0, sizeof(*c));
	c->io = *io;
	c->timeout_ms = 5000;
	c->retries = 4;
	fk_tp_parser_init(&c->rx, c->rx_buf, sizeof(c->rx_buf));
}

int fk_tp_send_frame(struct fk_tp_client *c, uint8_t cmd, const void *p,
		     uint32_t len)
{
	uint8_t seq = c->seq++;
	uint32_t n = fk_tp_frame_encode(c->tx_buf, sizeof(c->tx_buf), cmd, seq,
					p, len);

	if (n == 0 || c->io.write(c->io.ctx, c->tx_buf, n) != 0)
		return -1;
	c->bytes_out += n;
	return seq;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fk_tp_next_reply(struct fk_tp_client *c)
{
	/* the timeout bounds the wait for a reply, not each read: a line
	 * that carries bytes but no frame times out all the same */
	int64_t until = now_ms() + c->timeout_ms;

	for (;;) {
		while (c->in_pos < c->in_len) {
			enum fk_tp_parse r =
				fk_tp_parse_byte(&c->rx, c->in[c->in_pos++]);

			if (r == FK_TP_FRAME &&
			    fk_tp_reply_parse(&c->rx, &c->reply) == 0) {
				c->replies++;
				return 1;
			}
		}
		int64_t left = until - now_ms();
		long n = left > 0 ? c->io.read(c->io.ctx, c->in, sizeof(c->in),
					       (int)left) :
				    0;
		if (n <= 0) {
			if (n == 0)
				c->timeouts++;
			return n == 0 ? 0 : -1;
		}
		c->bytes_in += (uint64_t)n;
		c->in_len = (uint32_t)n;
		c->in_pos = 0;
	}
}

/*
 * After silence, the device's parser may sit inside a frame the link cut
 * short, waiting for up to a full frame of bytes and swallowing short
 * requests into it. A frame's worth of zeros completes that frame (its CRC
 * fails, the answer is ignored) and is skipped as garbage otherwise.
 */
static int flush_device(struct fk_tp_client *c)
{
	static const uint8_t zeros[256];
	uint32_t left = FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX;

	while (left > 0) {
		uint32_t n = left < sizeof(zeros) ? left : sizeof(zeros);

		if (c->io.write(c->io.ctx, zeros, n) != 0)
			return -1;
		c->bytes_out += n;
		left -= n;
	}
	return 0;
}

int fk_tp_request(struct fk_tp_client *c, uint8_t cmd, const void *p,
		  uint32_t len)
{
	int misses = 0;

	while (misses <= c->retries) {
		int seq, r = 1;

		if (misses > 0 && flush_device(c) != 0)
			return FK_TP_LOST;
		seq = fk_tp_send_frame(c, cmd, p, len);
		if (seq < 0)
			return FK_TP_LOST;
		while (r == 1) {
			r = fk_tp_next_reply(c);
			if (r < 0)
				return FK_TP_LOST;
			if (r == 1 && c->reply.seq == seq &&
			    c->reply.cmd == cmd)
				break;
		}
		if (r == 1 && c->reply.status != FK_TP_CORRUPT)
			return 0;
		if (r == 1)
			c->corrupt++;
		misses++;
	}
	return FK_TP_LOST;
}

int fk_tp_refused(struct fk_diag *d, const char *what,
		  const struct fk_tp_reply *r)
{
	if (r->status == FK_TP_FAILED)
		return fk_fail(d, "device refused %s: %s", what,
			       fk_strerror(r->err));
	return fk_fail(d, "device refused %s: %s", what,
		       fk_tp_status_name(r->status));
}

int fk_tp_identify(struct fk_tp_client *c, struct fk_tp_identity *out,
		   struct fk_diag *d)
{
	int rc = fk_tp_request(c, FK_TP_IDENTIFY, NULL, 0);

	if (rc != 0)
		return rc;
	if (c->reply.status != FK_TP_OK)
		return fk_tp_refused(d, "IDENTIFY", &c->reply);
	if (fk_tp_identity_parse(c->reply.extra, c->reply.extra_len, out) != 0)
		return fk_fail(d, "device sent a malformed IDENTIFY reply");
	return 0;
}

static int simple(struct fk_tp_client *c, uint8_t cmd, const char *what,
		  struct fk_diag *d)
{
	int rc = fk_tp_request(c, cmd, NULL, 0);

	if (rc != 0)
		return rc;
	return c->reply.status == FK_TP_OK ? 0 :
					     fk_tp_refused(d, what, &c->reply);
}

int fk_tp_confirm(struct fk_tp_client *c, struct fk_diag *d)
{
	return simple(c, FK_TP_CONFIRM, "CONFIRM", d);
}

int fk_tp_reboot(struct fk_tp_client *c, struct fk_diag *d)
{
	return simple(c, FK_TP_REBOOT, "REBOOT", d);
}
