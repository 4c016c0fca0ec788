/*
 * The device's receiver frame by frame: each command's answers to
 * well-formed, hostile and out-of-order requests (the reason codes of
 * docs/update-protocol.md), the rule that SKIP takes only sectors below
 * the trusted offset whose SHA-256 the device recomputed, and FINISH
 * refusing an image that does not validate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/rigs.h"
#include "flashkit/bytes.h"
#include "flashkit/crypto.h"
#include "transport/client.h"

static struct fk_rig rig;
static struct fk_tp_device dev;
static struct fk_tp_parser host;
static uint8_t host_buf[FK_TP_OVERHEAD + FK_TP_REPLY_MAX];
static struct fk_tp_reply reply;
static int replies;

static void take(void *ctx, const void *data, uint32_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < len; i++)
		if (fk_tp_parse_byte(&host, ((const uint8_t *)data)[i]) ==
		    FK_TP_FRAME) {
			assert_int_equal(fk_tp_reply_parse(&host, &reply), 0);
			replies++;
		}
}

static void setup_device(void)
{
	struct fk_tp_device_config dc = { .boot = &rig.cfg,
					  .send = take,
					  .role = FK_TP_ROLE_APP };

	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	assert_int_equal(fk_tp_device_init(&dev, &dc), FK_OK);
	fk_tp_parser_init(&host, host_buf, sizeof(host_buf));
}

/* Sends one frame; returns the status of its one reply. */
static enum fk_tp_status ask(uint8_t cmd, const void *p, uint32_t len)
{
	static uint8_t frame[FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX + 64];
	uint32_t n = fk_tp_frame_encode(frame, sizeof(frame), cmd, 7, p, len);
	int before = replies;

	for (uint32_t i = 0; i < n; i++)
		fk_tp_device_feed(&dev, frame[i]);
	assert_int_equal(replies, before + 1);
	assert_int_equal(reply.cmd, cmd);
	assert_int_equal(reply.seq, 7);
	return reply.status;
}

static enum fk_tp_status start(uint32_t size, bool resume)
{
	uint8_t p[6] = { 0, resume ? FK_TP_START_RESUME : 0 };

	fk_put_le32(p + 2, size);
	return ask(FK_TP_START, p, 6);
}

static enum fk_tp_status write_at(uint32_t off, const uint8_t *data, uint32_t n)
{
	uint8_t p[FK_TP_PAYLOAD_MAX];

	fk_put_le32(p, off);
	memcpy(p + 4, data, n);
	return ask(FK_TP_WRITE, p, 4 + n);
}

static enum fk_tp_status skip_with(uint32_t off, uint32_t len,
				   const uint8_t *bytes)
{
	uint8_t p[8 + FK_SHA256_SIZE];
	union fk_sha256_state st;

	fk_put_le32(p, off);
	fk_put_le32(p + 4, len);
	fk_crypto_builtin.sha256_init(&st);
	fk_crypto_builtin.sha256_update(&st, bytes, len);
	fk_crypto_builtin.sha256_finish(&st, p + 8);
	return ask(FK_TP_SKIP, p, sizeof(p));
}

/* WRITEs of the image from off to its end, 1000 bytes at a time. */
static void send_from(uint32_t from)
{
	for (uint32_t off = from; off < rig.new_len[0]; off += 1000) {
		uint32_t n = rig.new_len[0] - off < 1000 ?
				     (uint32_t)rig.new_len[0] - off :
				     1000;

		assert_int_equal(write_at(off, rig.new_img[0] + off, n),
				 FK_TP_OK);
	}
}

static void test_refusals_name_their_reason(void **state)
{
	uint8_t junk[8] = { 0 };
	uint8_t bad_index[6] = { 5, 0 };

	(void)state;
	setup_device();
	assert_int_equal(ask(FK_TP_IDENTIFY, junk, 3), FK_TP_MALFORMED);
	assert_int_equal(ask(0x7E, NULL, 0), FK_TP_UNKNOWN);
	assert_int_equal(write_at(0, junk, 8), FK_TP_NO_UPLOAD);
	assert_int_equal(reply.next, FK_TP_NO_OFFSET);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 1 }, 1),
			 FK_TP_NO_UPLOAD);
	assert_int_equal(ask(FK_TP_START, bad_index, 6), FK_TP_MALFORMED);
	assert_int_equal(start(rig.cfg.images[0].secondary.size + 1, false),
			 FK_TP_FAILED);
	assert_int_equal(reply.err, FK_ENOSPC);
	assert_int_equal(ask(FK_TP_REBOOT, NULL, 0), FK_TP_UNSUPPORTED);
	assert_int_equal(ask(FK_TP_WRITE, junk, 3), FK_TP_MALFORMED);
	assert_int_equal(ask(FK_TP_DIGEST, junk, 4), FK_TP_MALFORMED);
	fk_rig_destroy(&rig);
}

static void test_writes_take_the_expected_offset_only(void **state)
{
	const uint8_t *img;
	uint8_t frame[64];
	uint32_t n;

	(void)state;
	setup_device();
	img = rig.new_img[0];
	assert_int_equal(start((uint32_t)rig.new_len[0], true), FK_TP_OK);
	assert_int_equal(reply.next, 0);
	assert_int_equal(write_at(100, img + 100, 64), FK_TP_EXPECT);
	assert_int_equal(reply.next, 0);
	assert_int_equal(write_at(0, img, 64), FK_TP_OK);
	assert_int_equal(reply.next, 64);
	assert_int_equal(write_at(0, img, 64), FK_TP_OK); /* a duplicate */
	assert_int_equal(reply.next, 64);
	assert_int_equal(write_at(32, img + 32, 64), FK_TP_OK); /* overlap */
	assert_int_equal(reply.next, 96);
	/* a frame whose CRC fails is answered, with where the upload is */
	n = fk_tp_frame_encode(frame, sizeof(frame), FK_TP_WRITE, 9, img, 20);
	frame[12] ^= 4;
	for (uint32_t i = 0; i < n; i++)
		fk_tp_device_feed(&dev, frame[i]);
	assert_int_equal(reply.status, FK_TP_CORRUPT);
	assert_int_equal(reply.seq, 9);
	assert_int_equal(reply.next, 96);
	/* an incomplete image is refused at FINISH and nothing is marked */
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 1 }, 1), FK_TP_FAILED);
	assert_true(reply.err == FK_EBADIMG || reply.err == FK_EDIGEST);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	fk_rig_destroy(&rig);
}

static void test_skip_takes_only_proven_trusted_sectors(void **state)
{
	const uint8_t *img;
	uint8_t wrong[4096];

	(void)state;
	setup_device();
	img = rig.new_img[0];
	/* nothing trusted yet: a SKIP with the right digest is refused */
	assert_int_equal(start((uint32_t)rig.new_len[0], false), FK_TP_OK);
	assert_int_equal(fk_le32(reply.extra + 1), 0);
	assert_int_equal(skip_with(0, 4096, img), FK_TP_MISMATCH);
	send_from(0);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 0 }, 1), FK_TP_OK);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 0 }, 1), FK_TP_OK);
	/* staged: a fresh START trusts the validated image */
	assert_int_equal(start((uint32_t)rig.new_len[0], false), FK_TP_OK);
	assert_int_equal(fk_le32(reply.extra + 1), rig.new_len[0]);
	memcpy(wrong, img, sizeof(wrong));
	wrong[4000] ^= 1;
	assert_int_equal(skip_with(0, 4096, wrong), FK_TP_MISMATCH);
	assert_int_equal(reply.next, 0);
	assert_int_equal(skip_with(0, 2048, img), FK_TP_MALFORMED);
	assert_int_equal(skip_with(0, 4096, img), FK_TP_OK);
	assert_int_equal(reply.next, 4096);
	assert_int_equal(skip_with(8192, 4096, img + 8192), FK_TP_EXPECT);
	fk_rig_destroy(&rig);
}

static void test_digest_starts_at_the_sector_holding_the_offset(void **state)
{
	uint8_t p[5] = { 0 };

	(void)state;
	setup_device();
	assert_int_equal(start((uint32_t)rig.new_len[0], false), FK_TP_OK);
	fk_put_le32(p, 5000);
	p[4] = 3;
	assert_int_equal(ask(FK_TP_DIGEST, p, 5), FK_TP_OK);
	assert_int_equal(reply.extra[0], 3);
	assert_int_equal(fk_le32(reply.extra + 1), 4096);
	assert_int_equal(fk_le32(reply.extra + 5), 4096);
	fk_rig_destroy(&rig);
}

/* An upload cut by a device reset at 9,692 bytes, resumed from flash. */
static void reset_mid_sector(enum rig_geo g, uint32_t *sync, uint32_t *held)
{
	struct fk_tp_device_config dc = dev.cfg;
	const uint8_t *img;

	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, g), 0);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	dc.boot = &rig.cfg;
	assert_int_equal(fk_tp_device_init(&dev, &dc), FK_OK);
	fk_tp_parser_init(&host, host_buf, sizeof(host_buf));
	img = rig.new_img[0];
	assert_int_equal(start((uint32_t)rig.new_len[0], false), FK_TP_OK);
	for (uint32_t off = 0; off < 9692; off += 1000)
		assert_int_equal(
			write_at(off, img + off,
				 9692 - off < 1000 ? 9692 - off : 1000),
			FK_TP_OK);
	assert_int_equal(fk_tp_device_init(&dev, &dc), FK_OK); /* reset */
	assert_int_equal(start((uint32_t)rig.new_len[0], true), FK_TP_OK);
	assert_int_equal(reply.extra[0], 1);
	assert_int_equal(reply.extra_len, 13);
	*sync = reply.next;
	*held = fk_le32(reply.extra + 9);
}

/* After a reset, the part of the sector at the sync point the flash
 * already holds is kept when its digest is the image's, and the upload
 * goes on from its end; a wrong digest, or bytes past it, are refused
 * and the sector is written again. */
static void test_resume_keeps_what_the_sector_holds(void **state)
{
	struct fk_tp_device_config dc = { .send = take,
					  .role = FK_TP_ROLE_APP };
	uint32_t sync, held;
	uint8_t wrong[4096];
	const uint8_t *img;

	(void)state;
	dev.cfg = dc;
	reset_mid_sector(GEO_UNIFORM_4K, &sync, &held);
	img = rig.new_img[0];
	assert_int_equal(sync % 4096, 0);
	assert_true(sync > 0 && sync < 9692);
	/* the 4 bytes of the last unit were still in RAM at the reset */
	assert_int_equal(held, 9688);
	memcpy(wrong, img + sync, held - sync);
	wrong[100] ^= 0x10;
	assert_int_equal(skip_with(sync, held - sync, wrong), FK_TP_MISMATCH);
	assert_int_equal(skip_with(sync, held - sync + 8, img + sync),
			 FK_TP_MISMATCH);
	assert_int_equal(reply.next, sync);
	assert_int_equal(skip_with(sync, held - sync, img + sync), FK_TP_OK);
	assert_int_equal(reply.next, held);
	send_from(held);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 1 }, 1), FK_TP_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	fk_rig_destroy(&rig);

	/* program-once flash: kept as it is (a torn unit would fail the
	 * digest); the 28 bytes of the last 32-byte unit were in RAM */
	reset_mid_sector(GEO_ECC32, &sync, &held);
	img = rig.new_img[0];
	assert_true(sync > 0 && sync < 9664);
	assert_int_equal(held, 9664);
	assert_int_equal(skip_with(sync, held - sync, img + sync), FK_TP_OK);
	assert_int_equal(reply.next, held);
	send_from(held);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 1 }, 1), FK_TP_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	fk_rig_destroy(&rig);
}

/* On program-once flash a unit after the kept bytes that reads erased
 * but was programmed (with 0xFF, by another tool) refuses the next
 * write: the receiver then offers no keep, and the resumed upload erases
 * the sector and completes. */
static void test_keep_that_cannot_be_written_is_not_offered_again(void **state)
{
	uint8_t ff[32];
	uint32_t sync, held;
	const uint8_t *img;

	(void)state;
	memset(ff, 0xFF, sizeof(ff));
	dev.cfg = (struct fk_tp_device_config){ .send = take,
						.role = FK_TP_ROLE_APP };
	reset_mid_sector(GEO_ECC32, &sync, &held);
	img = rig.new_img[0];
	assert_int_equal(fk_area_program(&dev.up.dest, held, ff, sizeof(ff)),
			 FK_OK);
	assert_int_equal(skip_with(sync, held - sync, img + sync), FK_TP_OK);
	assert_int_equal(write_at(held, img + held, 1000), FK_TP_FAILED);
	assert_int_equal(reply.err, FK_EPROGONCE);
	assert_int_equal(start((uint32_t)rig.new_len[0], true), FK_TP_OK);
	assert_int_equal(reply.next, sync);
	assert_int_equal(fk_le32(reply.extra + 9), sync);
	send_from(sync);
	assert_int_equal(ask(FK_TP_FINISH, (uint8_t[]){ 1 }, 1), FK_TP_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	fk_rig_destroy(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals_name_their_reason),
		cmocka_unit_test(test_writes_take_the_expected_offset_only),
		cmocka_unit_test(test_skip_takes_only_proven_trusted_sectors),
		cmocka_unit_test(
			test_digest_starts_at_the_sector_holding_the_offset),
		cmocka_unit_test(test_resume_keeps_what_the_sector_holds),
		cmocka_unit_test(
			test_keep_that_cannot_be_written_is_not_offered_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
