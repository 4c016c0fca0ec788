/*
 * Tampering is rejected, exhaustively: every byte of a small signed image
 * flipped (three ways), truncation at every length, every possible lie in
 * every length field, duplicated and misplaced critical TLVs. The parser
 * must also never try to read outside the slot: such a read would come
 * back as FK_ERANGE from fk_area_read(), so every case asserts the result
 * is a content error (FK_EBADIMG, FK_EDIGEST, FK_ESIG, FK_EKEY or
 * FK_ENOTSUP), never FK_ERANGE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image/sign.h"
#include "image_test_util.h"
#include "flashsim.h"

static struct fk_key key;
static struct fk_image_key ikey;
static uint8_t *payload;
static size_t payload_len;

/* The small image every sweep works on: 3001-byte payload, 32-byte
 * header, and protected TLVs of every kind flashkit writes. */
static uint8_t dep_id_store[4], hw_id_store[4], custom[3] = { 1, 2, 3 };

static void small_opts(struct fk_sign_opts *o)
{
	fk_sign_opts_init(o);
	o->version.major = 1;
	o->version.minor = 2;
	o->hdr_size = 0x20;
	o->pad_header = true;
	o->has_sec_cnt = true;
	o->sec_cnt = 3;
	o->dep_count = 1;
	o->deps[0].image_id = 1;
	o->deps[0].min_version.major = 2;
	dep_id_store[0] = 7;
	hw_id_store[0] = 0x42;
	o->tlvs[0] = (struct fk_sign_tlv){ FK_TLV_FK_IMAGE_ID, 4, dep_id_store };
	o->tlvs[1] = (struct fk_sign_tlv){ FK_TLV_FK_HW_ID, 4, hw_id_store };
	o->tlvs[2] = (struct fk_sign_tlv){ 0xa5, 3, custom };
	o->tlv_count = 3;
	o->key = &key;
}

static void make_image(const struct fk_sign_opts *o, struct fk_sign_result *r)
{
	assert_int_equal(fk_sign_image(o, payload, payload_len, r), 0);
}

static void assert_rejected(int rc)
{
	assert_true(rc == FK_EBADIMG || rc == FK_EDIGEST || rc == FK_ESIG ||
		    rc == FK_EKEY || rc == FK_ENOTSUP);
}

static void test_small_image_is_valid_and_decoded(void **state)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;

	(void)state;
	small_opts(&o);
	make_image(&o, &r);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_OK);
	assert_int_equal(info.security_counter, 3);
	assert_int_equal(info.image_id, 7);
	assert_int_equal(info.hw_id, 0x42);
	assert_int_equal(info.dep_count, 1);
	assert_true(info.present & FK_IMAGE_HAS_UNKNOWN);
	free(r.data);
}

static void test_flipping_any_byte_of_the_image_is_rejected(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	unsigned cases = 0, by_digest = 0;

	(void)state;
	small_opts(&o);
	make_image(&o, &r);
	assert_int_equal(parse_buf(r.data, r.len, &info), 0);
	for (size_t pos = 0; pos < r.len; pos++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int rc;

			r.data[pos] ^= masks[m];
			rc = validate_buf(r.data, r.len, &ikey, 1, &info);
			r.data[pos] ^= masks[m];
			if (rc >= 0 || rc == FK_ERANGE)
				print_message("flip 0x%02x at %zu: %d\n",
					      masks[m], pos, rc);
			assert_rejected(rc);
			by_digest += rc == FK_EDIGEST;
			cases++;
		}
	}
	print_message("%u flips over all %zu bytes rejected (%u by the "
		      "digest)\n", cases, r.len, by_digest);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_OK);
	free(r.data);
}

static void test_truncation_at_every_length_is_rejected(void **state)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	size_t slot = 0;
	uint8_t *erased;
	unsigned cases = 0;

	(void)state;
	small_opts(&o);
	make_image(&o, &r);
	slot = r.len + 512;
	erased = malloc(slot);
	assert_non_null(erased);
	for (size_t len = 0; len < r.len; len++) {
		/* The file cut short ... */
		assert_rejected(validate_buf(r.data, len, &ikey, 1, &info));
		/* ... and the slot whose copy stopped there (rest erased). */
		memcpy(erased, r.data, len);
		memset(erased + len, 0xff, slot - len);
		assert_rejected(validate_buf(erased, slot, &ikey, 1, &info));
		cases += 2;
	}
	print_message("%u truncations rejected\n", cases);
	free(erased);
	free(r.data);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Tries every 16-bit value but the true one at off, in the bare image
 * and in a slot with erased space after it. */
static unsigned lie16(uint8_t *img, size_t len, uint8_t *slot, size_t slot_len,
		      size_t off)
{
	uint16_t truth = (uint16_t)(img[off] | img[off + 1] << 8);
	struct fk_image_info info;
	unsigned n = 0;

	for (uint32_t v = 0; v <= 0xffff; v++) {
		if (v == truth)
			continue;
		put16(img + off, v);
		put16(slot + off, v);
		assert_rejected(validate_buf(img, len, &ikey, 1, &info));
		assert_rejected(validate_buf(slot, slot_len, &ikey, 1, &info));
		n += 2;
	}
	put16(img + off, truth);
	put16(slot + off, truth);
	return n;
}

static void test_every_lie_in_every_length_field_is_rejected(void **state)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	struct fk_image_tlv_iter it;
	struct fk_image_tlv t;
	struct fk_memflash m;
	unsigned cases = 0, fields = 0;
	size_t slot_len;
	uint8_t *slot;
	uint32_t truth;

	(void)state;
	small_opts(&o);
	make_image(&o, &r);
	slot_len = r.len + 4096;
	slot = malloc(slot_len);
	assert_non_null(slot);
	memcpy(slot, r.data, r.len);
	memset(slot + r.len, 0xff, slot_len - r.len);
	assert_int_equal(parse_buf(r.data, r.len, &info), 0);

	/* Header: hdr_size, protect_tlv_size; both TLV areas' totals. */
	cases += lie16(r.data, r.len, slot, slot_len, 8);
	cases += lie16(r.data, r.len, slot, slot_len, 10);
	cases += lie16(r.data, r.len, slot, slot_len, info.prot_off + 2);
	cases += lie16(r.data, r.len, slot, slot_len, info.unprot_off + 2);
	fields += 4;
	/* Every TLV's length. */
	fk_memflash_init(&m, r.data, r.len);
	fk_image_tlv_begin(&it, &m.area, &info);
	while (fk_image_tlv_next(&it, &t) == 1) {
		cases += lie16(r.data, r.len, slot, slot_len, t.off - 2);
		fields++;
	}
	/* img_size: every value up to past the slot, then the edges of
	 * every power of two up to 2^32. */
	truth = info.hdr.img_size;
	for (uint64_t v = 0; v <= 0xffffffffu; v = v < 0x40000 ? v + 1 : v * 2 + 1) {
		for (int d = -1; d <= 1; d++) {
			uint64_t lie = v + (uint64_t)(int64_t)d;

			if (lie > 0xffffffffu || lie == truth ||
			    (v < 0x40000 && d))
				continue;
			r.data[12] = slot[12] = (uint8_t)lie;
			r.data[13] = slot[13] = (uint8_t)(lie >> 8);
			r.data[14] = slot[14] = (uint8_t)(lie >> 16);
			r.data[15] = slot[15] = (uint8_t)(lie >> 24);
			assert_rejected(validate_buf(r.data, r.len, &ikey, 1, &info));
			assert_rejected(validate_buf(slot, slot_len, &ikey, 1, &info));
			cases += 2;
		}
	}
	fields++;
	print_message("%u lies in %u length fields rejected\n", cases, fields);
	free(slot);
	free(r.data);
}

/* Rebuilds the unprotected area of r with an extra TLV appended. */
static void append_unprotected(struct fk_sign_result *r, uint16_t type,
			       const uint8_t *value, uint16_t len)
{
	struct fk_image_info info;
	uint8_t *p;

	assert_int_equal(parse_buf(r->data, r->len, &info), 0);
	p = realloc(r->data, r->len + 4 + len);
	assert_non_null(p);
	put16(p + r->len, type);
	put16(p + r->len + 2, len);
	memcpy(p + r->len + 4, value, len);
	r->data = p;
	r->len += 4 + len;
	put16(p + info.unprot_off + 2, info.unprot_size + 4 + len);
}

static int build_with_protected(uint16_t type, uint16_t len, const uint8_t *v,
				struct fk_image_info *info)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	int rc;

	small_opts(&o);
	o.tlvs[o.tlv_count++] = (struct fk_sign_tlv){ type, len, v };
	make_image(&o, &r);
	rc = validate_buf(r.data, r.len, &ikey, 1, info);
	free(r.data);
	return rc;
}

static void test_duplicated_or_misplaced_critical_tlvs_are_rejected(void **state)
{
	static const uint8_t four[4] = { 9, 0, 0, 0 };
	static const uint8_t dep[12] = { 2, 0, 0, 0, 1 };
	uint8_t value[256] = { 0 };
	struct fk_image_info info;
	struct fk_sign_opts o;
	struct fk_sign_result r;

	(void)state;
	/* Signed, digest-correct images that repeat a critical TLV. */
	assert_int_equal(build_with_protected(FK_TLV_SEC_CNT, 4, four, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	assert_int_equal(info.bad_tlv, FK_TLV_SEC_CNT);
	assert_int_equal(build_with_protected(FK_TLV_FK_IMAGE_ID, 4, four, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	assert_int_equal(build_with_protected(FK_TLV_FK_HW_ID, 4, four, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	/* Wrong length or wrong area, though signed. */
	assert_int_equal(build_with_protected(FK_TLV_FK_HW_ID + 0, 3, four, &info),
			 FK_EBADIMG);
	assert_int_equal(build_with_protected(FK_TLV_SHA256, 32, value, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_AREA);
	assert_int_equal(build_with_protected(FK_TLV_KEYHASH, 32, value, &info),
			 FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_AREA);
	/* A second dependency and unknown TLVs are fine. */
	assert_int_equal(build_with_protected(FK_TLV_DEPENDENCY, 12, dep, &info),
			 FK_OK);
	assert_int_equal(info.dep_count, 2);
	assert_int_equal(build_with_protected(0x77, 5, value, &info), FK_OK);

	/* Unprotected area: a second digest, key or signature. */
	small_opts(&o);
	make_image(&o, &r);
	assert_int_equal(parse_buf(r.data, r.len, &info), 0);
	memcpy(value, r.data + info.key_off, 32);
	append_unprotected(&r, FK_TLV_KEYHASH, value, 32);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	free(r.data);

	make_image(&o, &r);
	append_unprotected(&r, FK_TLV_PUBKEY, key.pub, (uint16_t)key.pub_len);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	free(r.data);

	make_image(&o, &r);
	append_unprotected(&r, FK_TLV_RSA2048_PSS, value, 256);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_DUP);
	free(r.data);

	make_image(&o, &r);
	append_unprotected(&r, FK_TLV_SEC_CNT, four, 4);
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_EBADIMG);
	assert_int_equal(info.bad, FK_IMAGE_BAD_TLV_AREA);
	free(r.data);

	make_image(&o, &r);
	append_unprotected(&r, 0xf7, four, 4);  /* unknown: skipped */
	assert_int_equal(validate_buf(r.data, r.len, &ikey, 1, &info), FK_OK);
	free(r.data);
}

/* The device path: the image in a slot of the flash simulator, read
 * through fk_area with the bootloader's own buffers. */
static void test_image_in_simulated_flash_slot_validates_and_detects_bitrot(void **state)
{
	static const struct fk_sector_run runs[] = { { 32, 4096 } };
	struct fk_sim_config cfg = { 0 };
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ikey, .count = 1 };
	struct fk_area slot;
	struct fk_sim *sim;
	uint32_t prog;

	(void)state;
	cfg.geo.size = 32 * 4096;
	cfg.geo.runs = runs;
	cfg.geo.run_count = 1;
	cfg.geo.write_unit = 8;
	cfg.geo.erased_value = 0xff;
	sim = fk_sim_create(&cfg);
	assert_non_null(sim);
	assert_int_equal(fk_area_init(&slot, fk_sim_flash(sim), 0x8000, 0x8000), 0);
	small_opts(&o);
	make_image(&o, &r);
	prog = (uint32_t)(r.len + 7) / 8 * 8;
	r.data = realloc(r.data, prog);
	memset(r.data + r.len, 0xff, prog - r.len);
	assert_int_equal(fk_area_program(&slot, 0, r.data, prog), 0);
	assert_int_equal(fk_image_validate(&slot, &set, &info), FK_OK);
	assert_int_equal(info.key_index, 0);
	/* One bit of the payload flips in flash. */
	fk_sim_data(sim)[0x8000 + 0x20 + 100] ^= 0x04;
	assert_int_equal(fk_image_validate(&slot, &set, &info), FK_EDIGEST);
	fk_sim_destroy(sim);
	free(r.data);
}

static int setup(void **state)
{
	(void)state;
	load_ref_key(&key, "ecdsa-p256.pem");
	fk_key_image_key(&key, &ikey);
	payload = read_ref("payload-3001.bin", &payload_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_key_free(&key);
	free(payload);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_image_is_valid_and_decoded),
		cmocka_unit_test(test_flipping_any_byte_of_the_image_is_rejected),
		cmocka_unit_test(test_truncation_at_every_length_is_rejected),
		cmocka_unit_test(test_every_lie_in_every_length_field_is_rejected),
		cmocka_unit_test(test_duplicated_or_misplaced_critical_tlvs_are_rejected),
		cmocka_unit_test(test_image_in_simulated_flash_slot_validates_and_detects_bitrot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
