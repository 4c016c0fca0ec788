/*
 * The store's two sector headers (docs/kv-format.md, "Sector header"):
 * format 2 (FK_KV_HEADER_BITMAP, the default) carries the previous
 * sector's key bitmap; format 3 (FK_KV_HEADER_COMPACT) is 16 bytes, so a
 * sector of 8-byte units holds one 16-byte value more (the write
 * amplification of issue 19). Here: the compact header's size and
 * bytes, what fits a sector under each, each variant refusing the
 * other's store and other configurations without touching it, and a
 * compact store holding its values through many openings, with and
 * without the RAM index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kv_harness.h"
#include "flashkit/bytes.h"
#include "flashkit/crc.h"

/* The anchor workload's configuration (bench/kv): 104 keys, 16-byte
 * values, records up to 64 bytes. */
static struct kvh_geometry anchor(uint32_t write_unit, uint8_t header)
{
	struct kvh_geometry g = { "16 x 4 KiB",
				  4096,
				  16,
				  write_unit,
				  0xFF,
				  write_unit > 1,
				  { 104, 16, 64, header },
				  100,
				  16,
				  16,
				  false };

	return g;
}

/* Sets of 16-byte values that fit the first sector: programs until the
 * first one that opens the next sector (an erase). */
static uint32_t sets_per_sector(const struct kvh_geometry *g, uint16_t *hdr)
{
	struct kvh_store s;
	struct fk_sim_stats st;
	uint32_t n = 0;

	kvh_open(&s, g);
	*hdr = s.kv.hdr_size;
	fk_sim_reset_stats(s.sim);
	for (;; n++) {
		uint8_t v[16];

		memset(v, (int)n, sizeof(v));
		assert_int_equal(fk_kv_set(&s.kv, (uint16_t)(n % 100), v, 16),
				 FK_OK);
		fk_sim_get_stats(s.sim, &st);
		if (st.erases)
			break;
	}
	kvh_close(&s);
	return n;
}

/* The compact header takes 16 bytes (a 32-byte unit: one unit), so a
 * 4 KiB sector of 8-byte units holds 170 sets of 16-byte values (24
 * bytes each) against 169 under the 40-byte bitmap header. Fails if
 * the header grows back. */
static void test_compact_header_is_16_bytes_one_more_record(void **state)
{
	static const uint32_t units[] = { 1, 8, 16, 32 };
	static const uint16_t compact_hdr[] = { 16, 16, 16, 32 };
	static const uint16_t bitmap_hdr[] = { 35, 40, 48, 64 };
	/* (4096 - H) / pad(23) */
	static const uint32_t compact_sets[] = { 177, 170, 127, 127 };
	static const uint32_t bitmap_sets[] = { 176, 169, 126, 126 };

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct kvh_geometry c = anchor(units[i], FK_KV_HEADER_COMPACT);
		struct kvh_geometry b = anchor(units[i], FK_KV_HEADER_BITMAP);
		uint16_t hdr;

		assert_int_equal(sets_per_sector(&c, &hdr), compact_sets[i]);
		assert_int_equal(hdr, compact_hdr[i]);
		assert_int_equal(sets_per_sector(&b, &hdr), bitmap_sets[i]);
		assert_int_equal(hdr, bitmap_hdr[i]);
	}
}

/* The bytes of a compact header, built here from the spec: N, K,
 * record_max, value_max, the geometry byte (bit 3: erased 0x00), seq,
 * then the CRC-32 of "FKV3" followed by those 12 bytes. */
static void test_compact_header_bytes_are_the_spec(void **state)
{
	static const uint8_t erased[] = { 0xFF, 0x00 };

	(void)state;
	for (int e = 0; e < 2; e++) {
		struct kvh_geometry g = { "4 x 1 KiB, 8-byte units",
					  1024,
					  4,
					  8,
					  erased[e],
					  true,
					  { 8, 24, 64, FK_KV_HEADER_COMPACT },
					  8,
					  0,
					  24,
					  false };
		uint8_t want[16], unit[8];
		struct kvh_store s;
		const uint8_t *flash;

		kvh_open(&s, &g);
		flash = fk_sim_data(s.sim);
		fk_put_le16(want, 4);
		fk_put_le16(want + 2, 8);
		fk_put_le16(want + 4, 64);
		want[6] = 24;
		want[7] = (uint8_t)(0 << 4 | 3 | (erased[e] ? 0 : 8));
		fk_put_le32(want + 8, 1);
		fk_put_le32(want + 12,
			    fk_crc32(fk_crc32(0, "FKV3", 4), want, 12));
		assert_memory_equal(flash, want, 16);
		memset(unit, erased[e], sizeof(unit));
		assert_memory_equal(flash + 16, unit, sizeof(unit));
		assert_int_equal(s.kv.hdr_size, 16);
		kvh_close(&s);
	}
}

/* Mounts cfg on s's flash and checks that it is refused with
 * FK_EMISMATCH and leaves every byte as it was. */
static void refused_untouched(struct kvh_store *s, const struct kvh_geometry *g,
			      const struct fk_kv_config *cfg)
{
	static uint8_t copy[8 * 1024];
	uint32_t size = g->sectors * g->sector_size;
	struct fk_kv kv;

	assert_true(size <= sizeof(copy));
	memcpy(copy, fk_sim_data(s->sim), size);
	assert_int_equal(fk_kv_mount(&kv, &s->area, cfg), FK_EMISMATCH);
	assert_memory_equal(fk_sim_data(s->sim), copy, size);
}

/* A store of either variant is refused by the other, and by its own
 * variant with another key limit (a format-2 header of another key
 * limit is longer or shorter: it is still recognised) or value_max; the
 * right configuration then mounts it with its values. */
static void test_each_variant_refuses_the_other_and_other_configs(void **state)
{
	(void)state;
	for (uint8_t v = 0; v < 2; v++) {
		struct kvh_geometry g = { "4 x 2 KiB, 8-byte units",
					  2048,
					  4,
					  8,
					  0xFF,
					  true,
					  { 16, 24, 64, v },
					  16,
					  0,
					  24,
					  false };
		struct fk_kv_config cfg = g.cfg;
		struct kvh_store s;
		uint8_t back[24];

		kvh_open(&s, &g);
		for (uint32_t i = 0; i < 400; i++) {
			uint8_t val[24];

			memset(val, (int)i, sizeof(val));
			assert_int_equal(fk_kv_set(&s.kv, (uint16_t)(i % 16),
						   val, 24),
					 FK_OK);
		}
		cfg.header = (uint8_t)!v;
		refused_untouched(&s, &g, &cfg);
		cfg = g.cfg;
		cfg.key_limit = 24;
		refused_untouched(&s, &g, &cfg);
		cfg.key_limit = 8;
		refused_untouched(&s, &g, &cfg);
		cfg = g.cfg;
		cfg.value_max = 20;
		refused_untouched(&s, &g, &cfg);
		cfg.header = 2;
		assert_int_equal(fk_kv_mount(&s.kv, &s.area, &cfg), FK_EINVAL);
		assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg), FK_OK);
		assert_int_equal(fk_kv_get(&s.kv, 15, back, sizeof(back)), 24);
		assert_int_equal(back[0], (uint8_t)399);
		kvh_close(&s);
	}
}

/* A format-2 header of 4096 keys (534 bytes: more than the store's
 * buffer, so its CRC is checked in pieces) is another store: both
 * variants refuse it. The same header with a bad CRC is not a header:
 * the area is formatted. */
static void test_a_4096_key_format_2_store_is_refused(void **state)
{
	struct kvh_geometry g = { "4 x 2 KiB, 1-byte units",
				  2048,
				  4,
				  1,
				  0xFF,
				  false,
				  { 16, 24, 64, 0 },
				  16,
				  0,
				  24,
				  false };
	static const uint8_t fixed[10] = { 4, 0, 0, 0x10, 64, 0, 24, 0x10,
					   0xFF, 0 };
	uint8_t *flash;
	struct kvh_store s;
	struct fk_kv kv;

	(void)state;
	for (uint8_t v = 0; v < 2; v++) {
		g.cfg.header = v;
		kvh_open(&s, &g);
		flash = fk_sim_data(s.sim);
		memset(flash, 0xFF, 4 * 2048);
		fk_put_le32(flash, 0x32564B46u);
		fk_put_le32(flash + 4, 7);
		memcpy(flash + 8, fixed, sizeof(fixed));
		memset(flash + 18, 0x5A, 512);
		fk_put_le32(flash + 530, fk_crc32(0, flash, 530));
		refused_untouched(&s, &g, &g.cfg);
		flash[100] ^= 1;
		assert_int_equal(fk_kv_mount(&kv, &s.area, &g.cfg), FK_OK);
		kvh_close(&s);
	}
}

/* A compact store on six sectors through many openings and collections:
 * every get after every operation matches the model, with gets that
 * scan the sectors back and, every other stretch, through the RAM
 * index; remounts in between. */
static void test_compact_store_keeps_its_values(void **state)
{
	static const struct kvh_geometry g = {
		"6 x 1 KiB, 8-byte units, compact",
		1024,
		6,
		8,
		0xFF,
		true,
		{ 16, 24, 64, FK_KV_HEADER_COMPACT },
		16,
		0,
		24,
		false
	};
	static struct kvh_model m;
	struct fk_kv_slot slots[16];
	struct fk_sim_stats st;
	struct kvh_store s;
	struct kvh_op op;
	uint64_t rng = 77;

	(void)state;
	memset(&m, 0, sizeof(m));
	kvh_open(&s, &g);
	for (uint32_t i = 0; i < 3000; i++) {
		kvh_make_op(&g, &rng, i, &op);
		assert_int_equal(kvh_run_op(&s.kv, &op), FK_OK);
		kvh_apply(&m, &op);
		assert_true(kvh_matches(&s.kv, 16, &m));
		if (i % 250 == 249) {
			assert_int_equal(fk_kv_mount(&s.kv, &s.area, &g.cfg),
					 FK_OK);
			if (i / 250 % 2)
				assert_int_equal(fk_kv_attach_index(&s.kv,
								    slots, 16),
						 FK_OK);
			assert_true(kvh_matches(&s.kv, 16, &m));
		}
	}
	fk_sim_get_stats(s.sim, &st);
	assert_true(st.erases > 30);
	kvh_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_header_is_16_bytes_one_more_record),
		cmocka_unit_test(test_compact_header_bytes_are_the_spec),
		cmocka_unit_test(
			test_each_variant_refuses_the_other_and_other_configs),
		cmocka_unit_test(test_a_4096_key_format_2_store_is_refused),
		cmocka_unit_test(test_compact_store_keeps_its_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
