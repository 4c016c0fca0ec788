/*
 * Fuzzes the update protocol's parsers: the device's frame parser and
 * every command handler of its receiver (src/transport/), and the host's
 * reply parser (host/transport/client.c) on what the device answers and
 * on the raw input.
 *
 * The first input byte picks the mode: raw (the rest is the byte stream
 * from the host) or frames (the rest is cut into commands, each
 * [cmd, length, payload...] sent as a well-formed frame, so the fuzzer
 * reaches START, WRITE, DIGEST, SKIP and FINISH with any arguments in
 * any order). The device runs on simulated flash with an old image
 * installed; whatever comes in, it must not crash, must never write the
 * protected bootloader, and the bootloader must afterwards start the old
 * image or a validated one, never anything else.
 */
#include <stdlib.h>
#include <string.h>

#include "fk_crypto_mbedtls.h"
#include "image/rig_image.h"
#include "rig.h"
#include "transport/client.h"

static const struct fk_sector_run runs[] = { { 24, 4096 } };
static struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls, .keys = NULL, .count = 0 };
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_tp_device dev;
	struct fk_tp_device_config dc = { .boot = &rig.cfg,
					  .send = to_host,
					  .role = FK_TP_ROLE_APP,
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
