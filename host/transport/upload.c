/*
 * Uploading an image (client.h, fk_tp_upload_run): one session per START.
 *
 *   START(resume)      the device says where its upload is, from flash,
 *                      and below which offset its bytes are trusted;
 *   DIGEST             a resumed upload is checked sector by sector below
 *                      that offset (another image's bytes mean a fresh
 *                      START), and the sectors up to the trusted offset
 *                      that already hold this image's bytes are noted;
 *   SKIP (keep)        what the sector at the device's offset holds
 *                      (START says where it ends) is offered alone: the
 *                      device keeps it when it is this image's;
 *   WRITE / SKIP       a window of frames from the device's offset: the
 *                      noted sectors are skipped (the device hashes them
 *                      again before it takes them), the rest is sent;
 *   FINISH             the device validates, stages and marks the image.
 *
 * A device that forgets the upload (NO_UPLOAD: it was reset) gets a new
 * session; a link that stops answering ends the call with FK_TP_LOST and
 * the caller reconnects.
 */
#include <stdlib.h>
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crypto.h"
#include "flashkit/error.h"
#include "image/memflash.h"
#include "transport/client.h"

#define WINDOW_MAX 32u
#define RESTART 2	 /* the device forgot the upload: START again */
#define RESTARTS_MAX 16u /* sessions in one call before FK_TP_LOST */
#define INSTALLED 3	 /* the device already runs the image */

/* A sector of the destination below the trusted offset, and whether the
 * device's digest of it equals the image's. */
struct sector {
	uint32_t off, size;
	bool match;
};

struct flight {
	uint8_t seq, cmd;
	uint32_t epoch, start, end;
};

struct session {
	struct fk_tp_client *c;
	struct fk_tp_upload *u;
	struct fk_diag *d;
	uint32_t window, chunk;
	uint32_t trusted, dest_size, held;
	struct sector *map;
	uint32_t map_n, map_cap;
	uint32_t acked, send, epoch;
	struct flight fl[WINDOW_MAX];
	uint32_t fl_n;
};

/* SHA-256 of the image's bytes at [off, off + size), erased-value (0xFF)
 * bytes past its end: what a sector of the device holds when it holds
 * this image. */
static void host_digest(const struct fk_tp_upload *u, uint32_t off,
			uint32_t size, uint8_t out[FK_SHA256_SIZE])
{
	const struct fk_crypto_port *c = &fk_crypto_builtin;
	uint8_t pad[64];
	union fk_sha256_state st;
	uint32_t have = off < u->len ? u->len - off : 0;

	if (have > size)
		have = size;
	memset(pad, 0xFF, sizeof(pad));
	c->sha256_init(&st);
	c->sha256_update(&st, u->image + off, have);
	for (uint32_t n = size - have; n > 0;) {
		uint32_t k = n < sizeof(pad) ? n : sizeof(pad);

		c->sha256_update(&st, pad, k);
		n -= k;
	}
	c->sha256_finish(&st, out);
}

static int add_sector(struct session *s, uint32_t off, uint32_t size,
		      bool match)
{
	if (s->map_n == s->map_cap) {
		uint32_t cap = s->map_cap ? 2 * s->map_cap : 64;
		struct sector *m = realloc(s->map, cap * sizeof(*m));

		if (!m)
			return fk_fail_nomem(s->d);
		s->map = m;
		s->map_cap = cap;
	}
	s->map[s->map_n++] = (struct sector){ off, size, match };
	return 0;
}

/* Asks the digests of the sectors from `from` while they start below
 * `until`, and notes each in the map. 0, FK_TP_LOST, RESTART or -1. */
static int query_digests(struct session *s, uint32_t from, uint32_t until)
{
	uint32_t off = from;

	while (off < until) {
		uint8_t req[5], mine[FK_SHA256_SIZE];
		const struct fk_tp_reply *r = &s->c->reply;
		int rc;

		fk_put_le32(req, off);
		req[4] = FK_TP_DIGESTS_MAX;
		rc = fk_tp_request(s->c, FK_TP_DIGEST, req, sizeof(req));
		if (rc != 0)
			return rc;
		if (r->status == FK_TP_NO_UPLOAD)
			return RESTART;
		if (r->status != FK_TP_OK || r->extra_len < 5 ||
		    r->extra[0] == 0 ||
		    r->extra_len < 5 + r->extra[0] * FK_TP_DIGEST_ENTRY ||
		    fk_le32(r->extra + 1) > off)
			return fk_fail(s->d,
				       "device refused DIGEST at offset %u: %s",
				       off, fk_tp_status_name(r->status));
		off = fk_le32(r->extra + 1);
		for (uint32_t i = 0; i < r->extra[0] && off < until; i++) {
			const uint8_t *e =
				r->extra + 5 + i * FK_TP_DIGEST_ENTRY;
			uint32_t size = fk_le32(e);

			if (size == 0 || size > s->dest_size - off)
				return fk_fail(s->d,
					       "device sent a bad sector "
					       "size at offset %u",
					       off);
			host_digest(s->u, off, size, mine);
			rc = add_sector(s, off, size,
					!memcmp(mine, e + 4, FK_SHA256_SIZE));
			if (rc != 0)
				return rc;
			off += size;
		}
	}
	return 0;
}

/*
 * After a FINISH whose reply never came, the device may have reset and
 * installed the image (and START would refuse, or begin another upload):
 * true when the image it runs has this image's version.
 */
static bool installed_already(struct session *s)
{
	struct fk_tp_identity id;
	struct fk_memflash m;
	struct fk_image_info info;
	const struct fk_tp_image_info *im;
	const struct fk_image_version *v = &info.hdr.version;

	if (fk_tp_identify(s->c, &id, NULL) != 0 ||
	    fk_memflash_init(&m, s->u->image, s->u->len) != 0 ||
	    fk_image_parse(&m.area, &info) != FK_OK)
		return false;
	im = &id.images[s->u->index];
	return im->valid && im->major == v->major && im->minor == v->minor &&
	       im->revision == v->revision && im->build == v->build;
}

static int start(struct session *s, bool resume)
{
	const struct fk_tp_reply *r = &s->c->reply;
	uint8_t req[6] = { (uint8_t)s->u->index,
			   resume ? FK_TP_START_RESUME : 0 };
	int rc;

	fk_put_le32(req + 2, s->u->len);
	rc = fk_tp_request(s->c, FK_TP_START, req, sizeof(req));
	if (rc != 0)
		return rc;
	s->u->starts++;
	if (r->status == FK_TP_FAILED && r->err == FK_ESTATE)
		return fk_fail(s->d, "device refused the upload: a trial image "
				     "runs; confirm it first (flashkit device "
				     "confirm) or let it revert");
	if (r->status == FK_TP_FAILED && r->err == FK_ENOSPC)
		return fk_fail(s->d,
			       "device refused the upload: %u bytes do "
			       "not fit its staging slot",
			       s->u->len);
	if (r->status != FK_TP_OK)
		return fk_tp_refused(s->d, "START", r);
	if (r->extra_len < 9)
		return fk_fail(s->d, "device sent a malformed START reply");
	s->trusted = fk_le32(r->extra + 1);
	s->dest_size = fk_le32(r->extra + 5);
	/* where the bytes the sector at `next` holds end (an older device
	 * sends 9 bytes: nothing held) */
	s->held = r->extra_len >= 13 ? fk_le32(r->extra + 9) : r->next;
	if (r->next > s->dest_size)
		return fk_fail(s->d,
			       "device sent a bad START reply: offset "
			       "%u past its slot of %u bytes",
			       r->next, s->dest_size);
	s->acked = r->next;
	if (r->extra[0]) {
		s->u->resumes++;
		s->u->resumed_from = r->next;
	}
	return 0;
}

static const struct sector *sector_at(const struct session *s, uint32_t off)
{
	for (uint32_t i = 0; i < s->map_n; i++)
		if (off >= s->map[i].off &&
		    off - s->map[i].off < s->map[i].size)
			return &s->map[i];
	return NULL;
}

/*
 * A SKIP of what the sector at the device's offset holds (START's held
 * end), alone before the window: the device takes it if its digest is
 * this image's, and the upload continues from there; otherwise the sector
 * is sent. 0, FK_TP_LOST or RESTART.
 */
static int keep_held(struct session *s)
{
	const struct fk_tp_reply *r = &s->c->reply;
	uint8_t req[8 + FK_SHA256_SIZE];
	uint32_t from = s->acked;
	int rc;

	fk_put_le32(req, from);
	fk_put_le32(req + 4, s->held - from);
	host_digest(s->u, from, s->held - from, req + 8);
	rc = fk_tp_request(s->c, FK_TP_SKIP, req, sizeof(req));
	if (rc != 0)
		return rc;
	if (r->status == FK_TP_NO_UPLOAD)
		return RESTART;
	if (r->status == FK_TP_OK && r->next == s->held) {
		s->acked = s->held;
		s->u->stat.skipped += s->held - from;
	}
	return 0;
}

/* START, resuming when the bytes the device holds are this image's; then
 * the digests of the sectors it may skip. */
static int open_upload(struct session *s)
{
	int rc = start(s, true);

	s->map_n = 0;
	if (rc == 0 && s->acked > 0) {
		bool same = true;

		rc = query_digests(s, 0, s->acked);
		/* a sector the upload is in the middle of cannot match */
		for (uint32_t i = 0; i < s->map_n; i++)
			same = same &&
			       (s->map[i].match ||
				s->map[i].size > s->acked - s->map[i].off);
		if (rc == 0 && !same)
			rc = start(s, false);
		s->map_n = 0;
	}
	if (rc == 0)
		rc = query_digests(s, s->acked,
				   s->trusted < s->u->len ? s->trusted :
							    s->u->len);
	if (rc == 0 && s->held > s->acked && s->held <= s->dest_size &&
	    !sector_at(s, s->acked))
		rc = keep_held(s);
	return rc;
}

/* The next frame to send from s->send: a SKIP of the matching sectors
 * starting there, or a WRITE up to the chunk size, the image's end or
 * the next matching sector. Returns its end. */
static uint32_t next_frame(const struct session *s, uint8_t *cmd, uint8_t *p,
			   uint32_t *len)
{
	const struct sector *sec = sector_at(s, s->send);
	uint32_t end;

	if (sec && sec->match && sec->off == s->send) {
		union fk_sha256_state st;

		end = sec->off;
		while (sec && sec->match && sec->off == end) {
			end += sec->size;
			sec = sector_at(s, end);
		}
		fk_put_le32(p, s->send);
		fk_put_le32(p + 4, end - s->send);
		fk_crypto_builtin.sha256_init(&st);
		fk_crypto_builtin.sha256_update(
			&st, s->u->image + s->send,
			(end < s->u->len ? end : s->u->len) - s->send);
		for (uint32_t o = s->u->len; o < end; o++)
			fk_crypto_builtin.sha256_update(&st, "\xff", 1);
		fk_crypto_builtin.sha256_finish(&st, p + 8);
		*cmd = FK_TP_SKIP;
		*len = 8 + FK_SHA256_SIZE;
		return end;
	}
	end = s->u->len - s->send < s->chunk ? s->u->len : s->send + s->chunk;
	for (uint32_t i = 0; i < s->map_n; i++)
		if (s->map[i].match && s->map[i].off > s->send &&
		    s->map[i].off < end)
			end = s->map[i].off;
	fk_put_le32(p, s->send);
	memcpy(p + 4, s->u->image + s->send, end - s->send);
	*cmd = FK_TP_WRITE;
	*len = 4 + end - s->send;
	return end;
}

static int send_next(struct session *s)
{
	uint8_t p[FK_TP_PAYLOAD_MAX];
	struct flight *f = &s->fl[s->fl_n];
	uint32_t len;
	int seq;

	f->start = s->send;
	f->end = next_frame(s, &f->cmd, p, &len);
	seq = fk_tp_send_frame(s->c, f->cmd, p, len);
	if (seq < 0)
		return FK_TP_LOST;
	if (f->cmd == FK_TP_WRITE)
		s->u->stat.data_sent += f->end - f->start;
	f->seq = (uint8_t)seq;
	f->epoch = s->epoch;
	s->fl_n++;
	s->send = f->end;
	return 0;
}

/* Takes the frame the reply answers, with those sent before it (their
 * replies were lost; the device's `next` says what became of them).
 * false when no frame in flight matches (a stale or repeated reply). */
static bool take_flight(struct session *s, struct flight *out)
{
	const struct fk_tp_reply *r = &s->c->reply;

	for (uint32_t i = 0; i < s->fl_n; i++) {
		if (s->fl[i].seq != r->seq || s->fl[i].cmd != r->cmd)
			continue;
		*out = s->fl[i];
		memmove(s->fl, s->fl + i + 1,
			(s->fl_n - i - 1) * sizeof(s->fl[0]));
		s->fl_n -= i + 1;
		return true;
	}
	return false;
}

static void advance(struct session *s, uint32_t next)
{
	struct fk_tp_upload *u = s->u;

	if (next == FK_TP_NO_OFFSET || next <= s->acked)
		return;
	if (next > s->send)
		s->send = next;
	for (uint32_t i = 0; i < s->map_n; i++)
		if (s->map[i].match && s->map[i].off >= s->acked &&
		    s->map[i].off < next)
			u->stat.skipped += s->map[i].size;
	s->acked = next;
	u->stat.done = next < u->len ? next : u->len;
	if (u->progress)
		u->progress(u->progress_ctx, &u->stat);
}

static void rewind_to(struct session *s, uint32_t off)
{
	s->epoch++;
	s->fl_n = 0;
	s->send = off;
}

/* A refused SKIP: those sectors are sent instead. */
static void unmark(struct session *s, uint32_t from, uint32_t to)
{
	for (uint32_t i = 0; i < s->map_n; i++)
		if (s->map[i].off >= from && s->map[i].off < to)
			s->map[i].match = false;
}

/* What a reply to a WRITE or SKIP does. 0 to go on, RESTART, or -1. */
static int on_reply(struct session *s, const struct flight *f)
{
	const struct fk_tp_reply *r = &s->c->reply;

	switch (r->status) {
	case FK_TP_OK:
		advance(s, r->next);
		return 0;
	case FK_TP_MISMATCH:
		unmark(s, f->start, f->end);
		/* fall through */
	case FK_TP_EXPECT:
	case FK_TP_CORRUPT:
		if (r->next == FK_TP_NO_OFFSET)
			return RESTART;
		if (r->status == FK_TP_CORRUPT)
			s->c->corrupt++;
		advance(s, r->next);
		if (f->epoch == s->epoch || r->status == FK_TP_MISMATCH)
			rewind_to(s, s->acked);
		return 0;
	case FK_TP_NO_UPLOAD:
		return RESTART;
	default:
		return fk_fail(s->d, "device refused %s at offset %u: %s",
			       f->cmd == FK_TP_SKIP ? "SKIP" : "WRITE",
			       f->start,
			       r->status == FK_TP_FAILED ?
				       fk_strerror(r->err) :
				       fk_tp_status_name(r->status));
	}
}

/* The window of WRITE and SKIP frames until the device holds the image. */
static int transfer(struct session *s)
{
	int misses = 0;

	s->fl_n = 0;
	s->send = s->acked;
	while (s->acked < s->u->len) {
		struct flight f;
		int r;

		while (s->fl_n < s->window && s->send < s->u->len)
			if (send_next(s) != 0)
				return FK_TP_LOST;
		r = fk_tp_next_reply(s->c);
		if (r < 0)
			return FK_TP_LOST;
		if (r == 0) {
			if (++misses > s->c->retries)
				return FK_TP_LOST;
			rewind_to(s, s->acked);
			continue;
		}
		if (!take_flight(s, &f))
			continue;
		misses = 0;
		r = on_reply(s, &f);
		if (r != 0)
			return r;
	}
	return 0;
}

static int finish(struct session *s)
{
	const struct fk_tp_reply *r = &s->c->reply;
	uint8_t mode = (uint8_t)s->u->mode;
	int rc;

	s->u->finish_sent = true;
	rc = fk_tp_request(s->c, FK_TP_FINISH, &mode, 1);

	if (rc != 0)
		return rc;
	if (r->status == FK_TP_NO_UPLOAD)
		return RESTART;
	if (r->status == FK_TP_FAILED && r->err == FK_ENOTSUP &&
	    mode == FK_TP_FINISH_TEST)
		return fk_fail(s->d, "device refused a trial install: it "
				     "installs images for good only; upload "
				     "it in permanent mode");
	if (r->status != FK_TP_OK)
		return fk_tp_refused(s->d, "the image", r);
	s->u->finished = true;
	return 0;
}

static int session(struct session *s)
{
	int rc;

	/* a FINISH whose reply was lost, then a reset that installed it */
	if (s->u->finish_sent && installed_already(s))
		rc = INSTALLED;
	else
		rc = open_upload(s);

	if (rc == 0)
		rc = transfer(s);
	if (rc == 0)
		rc = finish(s);
	if (rc == INSTALLED) {
		s->u->finished = true;
		rc = 0;
	}
	return rc;
}

/* The window and chunk both sides can do. */
static int negotiate(struct session *s)
{
	struct fk_tp_identity id;
	int rc = fk_tp_identify(s->c, &id, s->d);

	if (rc != 0)
		return rc;
	if (id.version != FK_TP_VERSION)
		return fk_fail(s->d,
			       "device speaks protocol version %u, this "
			       "flashkit version %u",
			       id.version, FK_TP_VERSION);
	if (s->u->index >= id.image_count)
		return fk_fail(s->d,
			       "device has %u image(s); there is no "
			       "image %u",
			       id.image_count, s->u->index);
	if (id.max_payload < 5 || id.max_payload > FK_TP_PAYLOAD_MAX)
		return fk_fail(s->d,
			       "device takes payloads of %u bytes: not "
			       "supported",
			       id.max_payload);
	s->window = s->u->window ? s->u->window : WINDOW_MAX;
	if (s->window > id.window)
		s->window = id.window ? id.window : 1;
	if (s->window > WINDOW_MAX)
		s->window = WINDOW_MAX;
	s->chunk = id.max_payload - 4u;
	if (s->u->chunk && s->u->chunk < s->chunk)
		s->chunk = s->u->chunk;
	return 0;
}

int fk_tp_upload_run(struct fk_tp_client *c, struct fk_tp_upload *u,
		     struct fk_diag *d)
{
	struct session s = { .c = c, .u = u, .d = d };
	int rc;

	if (!u->image || u->len == 0)
		return fk_fail(d, "nothing to upload: the image is empty");
	u->stat.total = u->len;
	rc = negotiate(&s);
	for (uint32_t n = 0; rc == 0; n++) {
		rc = session(&s);
		if (rc != RESTART)
			break;
		u->device_lost++;
		rc = n + 1 < RESTARTS_MAX ? 0 : FK_TP_LOST;
	}
	free(s.map);
	return rc;
}
