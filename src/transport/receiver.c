/*
 * The device's receiver of the update protocol (flashkit/transport.h):
 * one handler per command, each answering exactly once, over the update
 * API (fk_update_*) and the boot core (fk_boot_set_pending, confirm).
 *
 * Invariants:
 *   - d->open is true only while d->up is an upload the flash agrees with
 *     (just begun or resumed, and no flash operation of it has failed
 *     since); any failure closes it, and the host resumes from flash;
 *   - d->trusted never exceeds what the flash vouches for: the last sync
 *     point of an open upload, or the end of an image that validated in
 *     the destination. SKIP takes only sectors that start below it and
 *     whose SHA-256 the receiver recomputed from flash, or, at `next`,
 *     the start of a sector the upload has not opened, whose bytes
 *     fk_update_keep() programs once more on NOR so that no program a
 *     cut tore is kept (on program-once flash a torn unit fails the
 *     digest); after a failed write no keep is offered again, so a
 *     sector a keep made unwritable is erased on the next resume.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crypto.h"
#include "flashkit/transport.h"
#ifdef FK_BOOT_LITE
#include "flashkit/image_lite.h"
#endif

/* A handler's answer: status, FK_E* code, bytes added after the reply's
 * head. */
struct answer {
	enum fk_tp_status status;
	int err;
	uint32_t extra;
};

static const struct answer ok = { FK_TP_OK, 0, 0 };

static struct answer failed(int err)
{
	return (struct answer){ FK_TP_FAILED, err, 0 };
}

static struct answer status(enum fk_tp_status st)
{
	return (struct answer){ st, 0, 0 };
}

int fk_tp_device_init(struct fk_tp_device *d,
		      const struct fk_tp_device_config *cfg)
{
	struct fk_tp_device_config c;

	if (!d || !cfg || !cfg->boot || !cfg->send)
		return FK_EINVAL;
	c = *cfg; /* cfg may be d's own (a restart after a reset) */
	memset(d, 0, sizeof(*d));
	d->cfg = c;
	if (d->cfg.window == 0)
		d->cfg.window = 1;
	if (d->cfg.window > 32)
		d->cfg.window = 32;
	fk_tp_parser_init(&d->rx, d->rx_buf, sizeof(d->rx_buf));
	return FK_OK;
}

static uint8_t *extra(struct fk_tp_device *d)
{
	return d->tx_buf + FK_TP_HEADER + FK_TP_REPLY_HEAD;
}

static uint32_t next_offset(const struct fk_tp_device *d)
{
	return d->open ? d->up.programmed + d->up.held : FK_TP_NO_OFFSET;
}

static const struct fk_crypto_port *crypto(const struct fk_tp_device *d)
{
	const struct fk_image_keys *k = d->cfg.boot->keys;

	return k ? k->crypto : &fk_crypto_builtin;
}

#ifndef FK_BOOT_LITE
/* What the receiver knows of an image in a slot. */
struct tp_image {
	struct fk_image_info i;
};

static int validate(const struct fk_tp_device *d, const struct fk_area *slot,
		    struct tp_image *info)
{
	const struct fk_image_keys builtin = { .crypto = &fk_crypto_builtin };
	const struct fk_image_keys *k = d->cfg.boot->keys;

	return fk_image_validate(slot, k ? k : &builtin, &info->i);
}

/* IDENTIFY's running image: one whose header parses. */
static int parse(const struct fk_tp_device *d, const struct fk_area *slot,
		 struct tp_image *info)
{
	(void)d;
	return fk_image_parse(slot, &info->i);
}
#else
/* A lite bootloader's receiver (FK_BOOT_LITE) has its core's one image
 * check (flashkit/image_lite.h), on the boot buffer: IDENTIFY's running
 * image is one that validates, not only one whose header parses. */
struct tp_image {
	struct fk_image_lite i;
};

static int validate(const struct fk_tp_device *d, const struct fk_area *slot,
		    struct tp_image *info)
{
	const struct fk_boot_config *b = d->cfg.boot;
	const struct fk_image_keys builtin = { .crypto = &fk_crypto_builtin };

	return fk_image_check_lite(slot, b->keys ? b->keys : &builtin, b->buf,
				   b->buf_len, &info->i);
}

static int parse(const struct fk_tp_device *d, const struct fk_area *slot,
		 struct tp_image *info)
{
	return validate(d, slot, info);
}
#endif

/* SHA-256 of len bytes of the destination at off. */
static int hash_range(struct fk_tp_device *d, uint32_t off, uint32_t len,
		      uint8_t out[FK_SHA256_SIZE])
{
	const struct fk_crypto_port *c = crypto(d);
	union fk_sha256_state st;
	int rc = c->sha256_init(&st);

	while (rc == FK_OK && len > 0) {
		uint32_t n = len < sizeof(d->chunk) ? len : sizeof(d->chunk);

		rc = fk_area_read(&d->up.dest, off, d->chunk, n);
		if (rc == FK_OK)
			rc = c->sha256_update(&st, d->chunk, n);
		off += n;
		len -= n;
	}
	if (rc == FK_OK)
		return c->sha256_finish(&st, out);
	c->sha256_finish(&st, out);
	return rc;
}

/* IDENTIFY: versions, roles and sizes (docs/update-protocol.md). */
static void put_image(struct fk_tp_device *d, uint32_t i,
		      const struct fk_boot_status *bs, uint8_t *e)
{
	const struct fk_boot_slots *s = &d->cfg.boot->images[i];
	const struct fk_area *run = &s->primary;
	struct tp_image info;
	bool valid;

	if ((d->cfg.boot->strategy == FK_BOOT_XIP ||
	     d->cfg.boot->strategy == FK_BOOT_RAM_LOAD) &&
	    bs->xip_active)
		run = &s->secondary;
	valid = parse(d, run, &info) == FK_OK;
	memset(e, 0, 14);
	e[0] = valid;
	if (valid) {
		e[1] = info.i.hdr.version.major;
		e[2] = info.i.hdr.version.minor;
		fk_put_le16(e + 4, info.i.hdr.version.revision);
		fk_put_le32(e + 6, info.i.hdr.version.build);
	}
	fk_put_le32(e + 10, fk_boot_max_image_size(d->cfg.boot, i));
}

static struct answer identify(struct fk_tp_device *d, uint32_t len)
{
	const struct fk_boot_config *b = d->cfg.boot;
	struct fk_boot_status bs;
	uint8_t *e = extra(d);
	int rc;

	if (len != 0)
		return status(FK_TP_MALFORMED);
	rc = fk_boot_status(b, &bs);
	if (rc != FK_OK)
		return failed(rc);
	e[0] = FK_TP_VERSION;
	e[1] = (uint8_t)d->cfg.role;
	e[2] = d->cfg.window;
	e[3] = (uint8_t)b->image_count;
	fk_put_le16(e + 4, FK_TP_PAYLOAD_MAX);
	e[6] = (uint8_t)bs.phase;
	e[7] = (uint8_t)bs.mode;
	for (uint32_t i = 0; i < b->image_count; i++)
		put_image(d, i, &bs, e + 8 + 14 * i);
	return (struct answer){ FK_TP_OK, 0, 8 + 14 * b->image_count };
}

static bool same_area(const struct fk_area *a, const struct fk_area *b)
{
	return a->flash == b->flash && a->off == b->off && a->size == b->size;
}

/* An image that validates in the destination was read whole: its bytes
 * are trusted too. */
static void trust_valid_image(struct fk_tp_device *d)
{
	struct tp_image info;

	if (validate(d, &d->up.dest, &info) == FK_OK && info.i.end > d->trusted)
		d->trusted = info.i.end;
}

/*
 * A fresh upload: what an open upload of the same destination had synced
 * stays trusted (fk_update_begin erases nothing below it but, on XIP, the
 * first sector, whose digest then no longer matches), and so does an
 * image that validates in the destination after begin.
 */
static int begin_fresh(struct fk_tp_device *d, uint32_t image)
{
	struct fk_area before = { 0 };
	uint32_t synced = 0;
	int rc;

	if (fk_update_resume(&d->up, d->cfg.boot, image, &synced) == FK_OK)
		before = d->up.dest;
	rc = fk_update_begin(&d->up, d->cfg.boot, image);
	if (rc != FK_OK)
		return rc;
	d->trusted = same_area(&before, &d->up.dest) ? synced : 0;
	trust_valid_image(d);
	return FK_OK;
}

/*
 * Where the bytes the sector at `next` already holds end, for a SKIP that
 * keeps them (fk_update_keep) after a resume: the end of its last write
 * unit that does not read erased (one with an ECC error counts as
 * written). `next` when the upload has opened that sector or it reads
 * erased, and after a write failed since the device started (on
 * program-once flash a unit that read erased may refuse its program), so
 * that the sector is erased instead.
 */
static uint32_t held_end(struct fk_tp_device *d)
{
	const struct fk_update *u = &d->up;
	uint32_t unit = u->unit, step = sizeof(d->chunk) / unit * unit;
	struct fk_sector s;
	uint32_t end;

	if (u->held || u->erased_to != u->programmed || step == 0 ||
	    d->no_keep ||
	    fk_area_sector_at(&u->dest, u->programmed, &s) != FK_OK ||
	    s.off != u->programmed)
		return u->programmed;
	for (end = s.off + s.size; end > s.off;) {
		uint32_t n = end - s.off < step ? end - s.off : step;
		int rc = fk_area_read(&u->dest, end - n, d->chunk, n);

		if (rc == FK_EECC)
			return end;
		if (rc != FK_OK)
			return u->programmed;
		for (uint32_t i = n; i > 0; i--)
			if (d->chunk[i - 1] != u->dest.flash->geo.erased_value)
				return end - n + (i - 1) / unit * unit + unit;
		end -= n;
	}
	return s.off;
}

static struct answer start_answer(struct fk_tp_device *d, bool resumed)
{
	extra(d)[0] = resumed;
	fk_put_le32(extra(d) + 1, d->trusted);
	fk_put_le32(extra(d) + 5, d->up.dest.size);
	fk_put_le32(extra(d) + 9, resumed ? held_end(d) : d->up.programmed);
	return (struct answer){ FK_TP_OK, 0, 13 };
}

static struct answer start(struct fk_tp_device *d, const uint8_t *p,
			   uint32_t len)
{
	const struct fk_boot_config *b = d->cfg.boot;
	uint32_t image, offset;
	bool resumed = false;
	int rc = FK_ENOENT;

	if (len != 6 || p[0] >= b->image_count)
		return status(FK_TP_MALFORMED);
	image = p[0];
	if (fk_le32(p + 2) > fk_boot_max_image_size(b, image))
		return failed(FK_ENOSPC);
	d->finished = false;
	/* the link came back, the device was not reset: RAM is right */
	if ((p[1] & FK_TP_START_RESUME) && d->open && d->up.image == image)
		return start_answer(d, true);
	d->open = false;
	if (p[1] & FK_TP_START_RESUME)
		rc = fk_update_resume(&d->up, b, image, &offset);
	if (rc == FK_OK) {
		resumed = true;
		d->trusted = offset;
		trust_valid_image(d);
	} else {
		rc = begin_fresh(d, image);
	}
	if (rc != FK_OK)
		return failed(rc);
	d->open = true;
	return start_answer(d, resumed);
}

static struct answer write_data(struct fk_tp_device *d, const uint8_t *p,
				uint32_t len)
{
	uint32_t off, expect, n;
	int rc;

	if (len < 4)
		return status(FK_TP_MALFORMED);
	if (!d->open)
		return status(FK_TP_NO_UPLOAD);
	off = fk_le32(p);
	n = len - 4;
	p += 4;
	expect = next_offset(d);
	if (off > expect)
		return status(FK_TP_EXPECT);
	if (n <= expect - off)
		return ok; /* a duplicate: already here */
	p += expect - off;
	n -= expect - off;
	rc = fk_update_write(&d->up, expect, p, n);
	if (rc != FK_OK) {
		d->open = false;
		d->no_keep = true;
		return failed(rc);
	}
	return ok;
}

static struct answer digest(struct fk_tp_device *d, const uint8_t *p,
			    uint32_t len)
{
	uint8_t *e = extra(d);
	struct fk_sector s;
	uint32_t off, want, n = 0;

	if (len != 5)
		return status(FK_TP_MALFORMED);
	if (!d->open)
		return status(FK_TP_NO_UPLOAD);
	want = p[4] < FK_TP_DIGESTS_MAX ? p[4] : FK_TP_DIGESTS_MAX;
	if (fk_area_sector_at(&d->up.dest, fk_le32(p), &s) != FK_OK)
		return status(FK_TP_MALFORMED);
	off = s.off;
	fk_put_le32(e + 1, off);
	while (n < want && off < d->up.dest.size) {
		uint8_t *entry = e + 5 + n * FK_TP_DIGEST_ENTRY;
		int rc = fk_area_sector_at(&d->up.dest, off, &s);

		if (rc == FK_OK)
			rc = hash_range(d, s.off, s.size, entry + 4);
		if (rc == FK_EECC) /* a torn unit: matches no image */
			memset(entry + 4, 0, FK_SHA256_SIZE);
		else if (rc != FK_OK)
			return failed(rc);
		fk_put_le32(entry, s.size);
		off = s.off + s.size;
		n++;
	}
	e[0] = (uint8_t)n;
	return (struct answer){ FK_TP_OK, 0, 5 + n * FK_TP_DIGEST_ENTRY };
}

/* True when every sector of [off, off + len) starts below trusted. */
static bool trusted_range(const struct fk_tp_device *d, uint32_t off,
			  uint32_t len)
{
	struct fk_sector last;

	return len > 0 &&
	       fk_area_sector_at(&d->up.dest, off + len - 1, &last) == FK_OK &&
	       last.off < d->trusted;
}

/* True when [off, off + len) lies in the sector that starts at off. */
static bool in_first_sector(const struct fk_tp_device *d, uint32_t off,
			    uint32_t len)
{
	struct fk_sector s;

	return len > 0 && fk_area_sector_at(&d->up.dest, off, &s) == FK_OK &&
	       s.off == off && len <= s.size;
}

/* SKIP: sectors below trusted whose digest matches (fk_update_skip), or
 * the part of the sector at `next` that START reported held, kept as it
 * is (fk_update_keep) when its digest matches. */
static struct answer skip(struct fk_tp_device *d, const uint8_t *p,
			  uint32_t len)
{
	uint8_t have[FK_SHA256_SIZE];
	uint32_t off, n, expect;
	bool keep;
	int rc;

	if (len != 8 + FK_SHA256_SIZE)
		return status(FK_TP_MALFORMED);
	if (!d->open)
		return status(FK_TP_NO_UPLOAD);
	off = fk_le32(p);
	n = fk_le32(p + 4);
	expect = next_offset(d);
	if (off != expect)
		return status(off < expect && n <= expect - off ? FK_TP_OK :
								  FK_TP_EXPECT);
	if (n > d->up.dest.size - off)
		return status(FK_TP_MALFORMED);
	keep = !trusted_range(d, off, n);
	if (keep && !in_first_sector(d, off, n))
		return status(FK_TP_MISMATCH);
	rc = hash_range(d, off, n, have);
	if (rc == FK_EECC)
		return status(FK_TP_MISMATCH);
	if (rc != FK_OK)
		return failed(rc);
	if (memcmp(have, p + 8, FK_SHA256_SIZE) != 0)
		return status(FK_TP_MISMATCH);
	if (!keep)
		rc = fk_update_skip(&d->up, off, n);
	else
		rc = fk_update_keep(&d->up, off, n);
	if (rc == FK_OK)
		return ok;
	if (!keep || rc == FK_EINVAL || rc == FK_ENOTERASED)
		return status(keep ? FK_TP_MISMATCH : FK_TP_MALFORMED);
	d->open = false; /* a flash operation of the keep failed */
	d->no_keep = true;
	return failed(rc);
}

static struct answer finish(struct fk_tp_device *d, const uint8_t *p,
			    uint32_t len)
{
	int rc;

	if (len != 1 || p[0] > FK_TP_FINISH_PERMANENT)
		return status(FK_TP_MALFORMED);
	if (!d->open && d->finished && p[0] == d->finished_mode)
		return ok; /* a repeat whose first reply was lost */
	if (!d->open)
		return status(FK_TP_NO_UPLOAD);
	d->open = false;
	rc = fk_update_finish(&d->up);
	if (rc == FK_OK && p[0] != FK_TP_FINISH_STAGE)
		rc = fk_boot_set_pending(d->cfg.boot, 1u << d->up.image,
					 p[0] == FK_TP_FINISH_TEST ?
						 FK_BOOT_TEST :
						 FK_BOOT_PERMANENT);
	d->finished = rc == FK_OK;
	d->finished_mode = p[0];
	return rc == FK_OK ? ok : failed(rc);
}

static struct answer run(struct fk_tp_device *d, uint8_t cmd, const uint8_t *p,
			 uint32_t len)
{
	int rc;

	switch (cmd) {
	case FK_TP_IDENTIFY:
		return identify(d, len);
	case FK_TP_START:
		return start(d, p, len);
	case FK_TP_WRITE:
		return write_data(d, p, len);
	case FK_TP_DIGEST:
		return digest(d, p, len);
	case FK_TP_SKIP:
		return skip(d, p, len);
	case FK_TP_FINISH:
		return finish(d, p, len);
	case FK_TP_CONFIRM:
		if (len != 0)
			return status(FK_TP_MALFORMED);
		rc = fk_boot_confirm(d->cfg.boot);
		return rc == FK_OK ? ok : failed(rc);
	case FK_TP_REBOOT:
		if (len != 0)
			return status(FK_TP_MALFORMED);
		return status(d->cfg.reboot ? FK_TP_OK : FK_TP_UNSUPPORTED);
	default:
		return status(FK_TP_UNKNOWN);
	}
}

static void send_reply(struct fk_tp_device *d, uint8_t cmd, uint8_t seq,
		       const struct answer *a)
{
	uint8_t *h = d->tx_buf + FK_TP_HEADER;
	uint32_t n;

	h[0] = (uint8_t)a->status;
	h[1] = (uint8_t)(int8_t)a->err;
	fk_put_le32(h + 2, next_offset(d));
	n = fk_tp_frame_encode(d->tx_buf, sizeof(d->tx_buf),
			       (uint8_t)(cmd | FK_TP_REPLY), seq, h,
			       FK_TP_REPLY_HEAD + a->extra);
	d->cfg.send(d->cfg.ctx, d->tx_buf, n);
}

int fk_tp_device_feed(struct fk_tp_device *d, uint8_t byte)
{
	enum fk_tp_parse r = fk_tp_parse_byte(&d->rx, byte);
	uint8_t cmd = fk_tp_frame_cmd(&d->rx);
	struct answer a;

	if (r == FK_TP_MORE || (cmd & FK_TP_REPLY))
		return FK_OK;
	if (r == FK_TP_BAD_CRC)
		a = status(FK_TP_CORRUPT);
	else
		a = run(d, cmd, fk_tp_frame_payload(&d->rx),
			fk_tp_frame_len(&d->rx));
	send_reply(d, cmd, fk_tp_frame_seq(&d->rx), &a);
	if (a.status == FK_TP_OK && cmd == FK_TP_REBOOT)
		d->cfg.reboot(d->cfg.ctx);
	return a.status == FK_TP_FAILED ? a.err : FK_OK;
}
