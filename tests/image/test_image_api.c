/*
 * The contracts of include/flashkit/image.h at their edges: arguments
 * refused, a one-byte read buffer, ports lacking an algorithm, too many
 * dependencies, version order, and validation cut by a power loss at
 * every flash read of the simulator (flash unchanged, the retry after
 * reboot succeeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashsim.h"
#include "image/sign.h"
#include "image_test_util.h"

static struct fk_key key, rsa;
static struct fk_image_key ikey, irsa;
static uint8_t *img, *rsa_img;
static size_t img_len, rsa_img_len;

static void test_null_and_inconsistent_arguments_are_refused(void **state)
{
	struct fk_image_info info;
	struct fk_image_tlv_iter it;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = NULL, .count = 1 };
	struct fk_memflash m;
	uint8_t d[FK_DIGEST_MAX], buf[8];

	(void)state;
	fk_memflash_init(&m, img, img_len);
	assert_int_equal(fk_image_parse(NULL, &info), FK_EINVAL);
	assert_int_equal(fk_image_parse(&m.area, NULL), FK_EINVAL);
	assert_int_equal(fk_image_validate(&m.area, NULL, &info), FK_EINVAL);
	assert_int_equal(fk_image_validate(&m.area, &set, &info), FK_EINVAL);
	assert_int_equal(fk_image_parse(&m.area, &info), 0);
	assert_int_equal(fk_image_hash(&m.area, &info, NULL, d, buf, 8), FK_EINVAL);
	assert_int_equal(fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, d,
				       buf, 0), FK_EINVAL);
	info.unprot_off += 1; /* no longer what the parse found */
	assert_int_equal(fk_image_tlv_begin(&it, &m.area, &info), FK_EINVAL);
	info.unprot_off -= 1;
	info.unprot_size = (uint32_t)img_len; /* past the end of the slot */
	assert_int_equal(fk_image_tlv_begin(&it, &m.area, &info), FK_EINVAL);
}

static void test_hash_with_a_one_byte_buffer_gives_the_digest(void **state)
{
	struct fk_image_info info;
	struct fk_memflash m;
	uint8_t d[FK_DIGEST_MAX], b;

	(void)state;
	fk_memflash_init(&m, img, img_len);
	assert_int_equal(fk_image_parse(&m.area, &info), 0);
	assert_int_equal(fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, d,
				       &b, 1), 0);
	assert_memory_equal(d, info.digest, 32);
}

static void test_port_missing_an_algorithm_reports_enotsup(void **state)
{
	struct fk_crypto_port port = fk_crypto_mbedtls;
	struct fk_image_keys set = { .crypto = &port, .keys = &irsa, .count = 1 };
	struct fk_image_info info;
	struct fk_memflash m;
	uint8_t d[FK_DIGEST_MAX], b[16];

	(void)state;
	fk_memflash_init(&m, rsa_img, rsa_img_len);
	port.rsa2048_pss_verify = NULL;
	assert_int_equal(fk_image_validate(&m.area, &set, &info), FK_ENOTSUP);
	port = fk_crypto_mbedtls;
	assert_int_equal(fk_image_validate(&m.area, &set, &info), FK_OK);
	port.sha256_update = NULL;
	assert_int_equal(fk_image_parse(&m.area, &info), 0);
	assert_int_equal(fk_image_hash(&m.area, &info, &port, d, b, sizeof(b)),
			 FK_ENOTSUP);
	assert_int_equal(fk_image_validate(&m.area, &set, &info), FK_ENOTSUP);
}

static void test_more_dependencies_than_recorded_give_enospc(void **state)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	uint8_t payload[64] = { 0 };

	(void)state;
	fk_sign_opts_init(&o);
	o.pad_header = true;
	o.dep_count = FK_IMAGE_MAX_DEPS;
	for (uint32_t i = 0; i < o.dep_count; i++)
		o.deps[i].image_id = (uint8_t)i;
	assert_int_equal(fk_sign_image(&o, payload, sizeof(payload), &r), 0);
	assert_int_equal(parse_buf(r.data, r.len, &info), 0);
	assert_int_equal(info.dep_count, FK_IMAGE_MAX_DEPS);
	assert_int_equal(info.deps[FK_IMAGE_MAX_DEPS - 1].image_id,
			 FK_IMAGE_MAX_DEPS - 1);
	free(r.data);
	/* One more, as a protected TLV after the others. */
	o.tlvs[0] = (struct fk_sign_tlv){ FK_TLV_DEPENDENCY, 12, payload };
	o.tlv_count = 1;
	assert_int_equal(fk_sign_image(&o, payload, sizeof(payload), &r), 0);
	assert_int_equal(parse_buf(r.data, r.len, &info), FK_ENOSPC);
	free(r.data);
}

static void test_versions_order_by_major_minor_revision_build(void **state)
{
	static const struct fk_image_version v[] = {
		{ 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 1, 0 }, { 0, 0, 65535, 9 },
		{ 0, 1, 0, 0 }, { 0, 255, 9, 9 }, { 1, 0, 0, 0 }, { 255, 0, 0, 0 },
	};
	size_t n = sizeof(v) / sizeof(v[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c = fk_image_version_cmp(&v[i], &v[j]);

			assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
		}
	}
}

/* Power lost before each flash read of a validation in turn: the call
 * fails with the flash's error, the flash is unchanged, and after the
 * reboot the same call succeeds. */
static void test_validation_cut_at_every_read_changes_nothing_and_retries(void **state)
{
	static const struct fk_sector_run runs[] = { { 4, 4096 } };
	struct fk_sim_config cfg = { 0 };
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ikey, .count = 1 };
	struct fk_image_info info;
	struct fk_sim_stats st;
	struct fk_area slot;
	struct fk_sim *sim;
	uint8_t *before;
	uint64_t reads;
	unsigned cases = 0;

	(void)state;
	cfg.geo.size = 4 * 4096;
	cfg.geo.runs = runs;
	cfg.geo.run_count = 1;
	cfg.geo.write_unit = 4;
	cfg.geo.erased_value = 0xff;
	cfg.count_reads = true;
	sim = fk_sim_create(&cfg);
	assert_non_null(sim);
	assert_true(img_len <= cfg.geo.size);
	memcpy(fk_sim_data(sim), img, img_len);
	before = malloc(cfg.geo.size);
	memcpy(before, fk_sim_data(sim), cfg.geo.size);
	assert_int_equal(fk_area_init(&slot, fk_sim_flash(sim), 0, cfg.geo.size), 0);

	fk_sim_reset_stats(sim);
	assert_int_equal(fk_image_validate(&slot, &set, &info), FK_OK);
	fk_sim_get_stats(sim, &st);
	reads = st.reads;
	assert_true(reads > 10);
	for (uint64_t i = 0; i < reads; i++) {
		uint64_t at = fk_sim_op_index(sim) + i;

		fk_sim_schedule_cut(sim, at, FK_CUT_BEFORE, FK_TEAR_SEEDED, i);
		assert_int_equal(fk_image_validate(&slot, &set, &info), FK_EPOWER);
		assert_true(fk_sim_power_lost(sim));
		assert_memory_equal(fk_sim_data(sim), before, cfg.geo.size);
		fk_sim_reboot(sim);
		assert_int_equal(fk_image_validate(&slot, &set, &info), FK_OK);
		cases++;
	}
	print_message("validation cut before each of its %u reads: flash "
		      "unchanged, retry valid\n", cases);
	free(before);
	fk_sim_destroy(sim);
}

static int setup(void **state)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	size_t plen;
	uint8_t *payload;

	(void)state;
	load_ref_key(&key, "ecdsa-p256.pem");
	load_ref_key(&rsa, "rsa-2048.pem");
	fk_key_image_key(&key, &ikey);
	fk_key_image_key(&rsa, &irsa);
	payload = read_ref("payload-3001.bin", &plen);
	fk_sign_opts_init(&o);
	o.pad_header = true;
	o.has_sec_cnt = true;
	o.key = &key;
	if (fk_sign_image(&o, payload, plen, &r))
		return -1;
	img = r.data;
	img_len = r.len;
	free(payload);
	rsa_img = read_ref("rsa2048-basic.bin", &rsa_img_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_key_free(&key);
	fk_key_free(&rsa);
	free(img);
	free(rsa_img);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_inconsistent_arguments_are_refused),
		cmocka_unit_test(test_hash_with_a_one_byte_buffer_gives_the_digest),
		cmocka_unit_test(test_port_missing_an_algorithm_reports_enotsup),
		cmocka_unit_test(test_more_dependencies_than_recorded_give_enospc),
		cmocka_unit_test(test_versions_order_by_major_minor_revision_build),
		cmocka_unit_test(test_validation_cut_at_every_read_changes_nothing_and_retries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
