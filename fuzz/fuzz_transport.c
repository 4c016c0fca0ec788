/*
 * Fuzzes the update protocol's parsers: the device's frame parser and
 * every command handler of its receiver (src/transport/), and the host's
 * reply parser (host/transport/client.c) on what the device answers and
 * on the raw input.
 *
 * The first input byte picks the mode: raw (the rest is the byte stream
 * from the host), frames (bit 0: the rest is cut into commands, each
 * [cmd, length, payload...] sent as a well-formed frame, so the fuzzer
 * reaches START, WRITE, DIGEST, SKIP and FINISH with any arguments in
 * any order) or a session (bits 1-0 = 10: a whole upload of the rig's
 * new image, START, WRITEs and FINISH, that the rest of the input
 * changes: the FINISH mode, the frame after which the session stops,
 * and bytes of the image flipped, so that FINISH validates, stages and
 * marks real and damaged images). The device runs on simulated flash
 * with an old image installed; whatever comes in, it must not crash,
 * must never write the protected bootloader, and the bootloader must
 * afterwards start the old image or a validated one, never anything
 * else.
 */
#include <stdlib.h>
#include <string.h>

#include "fk_crypto_mbedtls.h"
#include "flashkit/bytes.h"
#include "image/rig_image.h"
#include "rig.h"
#include "transport/client.h"

/* The receiver's role and the core that boots afterwards (NULL:
 * fk_boot()); fuzz_transport_lite.c sets them for a lite bootloader. */
#ifndef FUZZ_TP_ROLE
#define FUZZ_TP_ROLE FK_TP_ROLE_APP
#endif
#ifndef FUZZ_BOOT_CORE
#define FUZZ_BOOT_CORE NULL
#endif

static const struct fk_sector_run runs[] = { { 24, 4096 } };
static struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls,
				     .keys = NULL,
				     .count = 0 };
static struct fk_rig rig;
static struct fk_rig_snapshot *start;
static struct fk_tp_parser host;
static uint8_t host_buf[FK_TP_OVERHEAD + FK_TP_REPLY_MAX];

static void build(void)
{
	struct fk_sim_config sc = { .geo = { .size = 24 * 4096,
					     .runs = runs,
					     .run_count = 1,
					     .write_unit = 8,
					     .erased_value = 0xFF } };
	struct fk_rig_image_spec spec = { .payload_len = 9000,
					  .seed = 1,
					  .version = { .major = 1 },
					  .hdr_size = 0x100,
					  .align = 8 };
	struct fk_boot_config *cfg = &rig.cfg;

	if (fk_rig_add_memory(&rig, &sc))
		abort();
	fk_area_init(&cfg->bootloader, &rig.mem[0].flash, 0, 8192);
	fk_area_init(&cfg->state, &rig.mem[0].flash, 8192, 4096);
	fk_area_init(&cfg->images[0].primary, &rig.mem[0].flash, 12288, 40960);
	fk_area_init(&cfg->images[0].secondary, &rig.mem[0].flash, 53248,
		     45056);
	fk_sim_protect(rig.mem[0].sim, 0, 8192);
	cfg->strategy = FK_BOOT_SWAP;
	cfg->image_count = 1;
	cfg->trial_boots = 2;
	cfg->keys = &keys;
	cfg->buf_len = 1024;
	if (fk_rig_make_image(&spec, &rig.old_img[0], &rig.old_len[0]))
		abort();
	spec.seed = 2;
	spec.version.major = 2;
	if (fk_rig_make_image(&spec, &rig.new_img[0], &rig.new_len[0]))
		abort();
	fk_rig_prepare(&rig);
	rig.boot = FUZZ_BOOT_CORE;
	start = fk_rig_snapshot(&rig);
}

/* The host's side: every reply goes through its parser. */
static void host_byte(uint8_t b)
{
	struct fk_tp_reply r;
	struct fk_tp_identity id;

	if (fk_tp_parse_byte(&host, b) != FK_TP_FRAME ||
	    fk_tp_reply_parse(&host, &r) != 0)
		return;
	if (r.cmd == FK_TP_IDENTIFY)
		fk_tp_identity_parse(r.extra, r.extra_len, &id);
}

static void to_host(void *ctx, const void *data, uint32_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < len; i++)
		host_byte(((const uint8_t *)data)[i]);
}

static void feed(struct fk_tp_device *d, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fk_tp_device_feed(d, p[i]);
}

static void feed_frames(struct fk_tp_device *d, const uint8_t *p, size_t n)
{
	static uint8_t frame[FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX];
	uint8_t seq = 0;

	while (n >= 2) {
		uint32_t len = p[1] * 8u;
		uint32_t f;

		if (len > n - 2)
			len = (uint32_t)(n - 2);
		f = fk_tp_frame_encode(frame, sizeof(frame), p[0] & 0x8F, seq++,
				       p + 2, len);
		feed(d, frame, f);
		p += 2 + len;
		n -= 2 + len;
	}
}

/* Sends a well-formed frame cmd with payload p. */
static void send_frame(struct fk_tp_device *d, uint8_t cmd, uint8_t *seq,
		       const uint8_t *p, uint32_t len)
{
	static uint8_t frame[FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX];

	feed(d, frame,
	     fk_tp_frame_encode(frame, sizeof(frame), cmd, (*seq)++, p, len));
}

/* A session: p[0] the FINISH mode, p[1..2] the frames sent before it
 * stops (little-endian; all when larger), then [offset 2 bytes, xor]
 * triples that flip bytes of the image before it is sent. */
static void feed_session(struct fk_tp_device *d, const uint8_t *p, size_t n)
{
	static uint8_t img[64 * 1024];
	static uint8_t pay[FK_TP_PAYLOAD_MAX];
	uint32_t len = (uint32_t)rig.new_len[0], frames = 0xFFFF, sent = 0;
	uint32_t chunk = FK_TP_PAYLOAD_MAX - 4;
	uint8_t seq = 0, mode = 0;

	if (len > sizeof(img))
		abort();
	memcpy(img, rig.new_img[0], len);
	if (n >= 3) {
		mode = p[0] % 3;
		frames = p[1] | (uint32_t)p[2] << 8;
		for (size_t i = 3; i + 3 <= n; i += 3)
			img[(p[i] | (uint32_t)p[i + 1] << 8) % len] ^= p[i + 2];
	}
	pay[0] = 0;
	pay[1] = 0;
	fk_put_le32(pay + 2, len);
	send_frame(d, FK_TP_START, &seq, pay, 6);
	for (uint32_t off = 0; off < len && ++sent < frames; off += chunk) {
		uint32_t k = len - off < chunk ? len - off : chunk;

		fk_put_le32(pay, off);
		memcpy(pay + 4, img + off, k);
		send_frame(d, FK_TP_WRITE, &seq, pay, 4 + k);
	}
	if (++sent < frames)
		send_frame(d, FK_TP_FINISH, &seq, &mode, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_tp_device dev;
	struct fk_tp_device_config dc = { .boot = &rig.cfg,
					  .send = to_host,
					  .role = FUZZ_TP_ROLE,
					  .window = 8 };
	int rc;

	if (size < 1)
		return 0;
	if (!start)
		build();
	fk_rig_restore(&rig, start);
	fk_tp_parser_init(&host, host_buf, sizeof(host_buf));
	if (fk_tp_device_init(&dev, &dc) != FK_OK)
		abort();
	if (data[0] & 1)
		feed_frames(&dev, data + 1, size - 1);
	else if (data[0] & 2)
		feed_session(&dev, data + 1, size - 1);
	else
		feed(&dev, data + 1, size - 1);
	for (size_t i = 1; i < size; i++)
		host_byte(data[i]);
	rc = fk_rig_boot(&rig);
	if (rc == FK_RIG_BOOTED_OTHER || (rc < 0 && !rig.recovery_reason) ||
	    fk_sim_violations(rig.mem[0].sim))
		abort();
	return 0;
}
