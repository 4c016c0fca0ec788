/*
 * The per-device record on the device side: fields read back through the
 * real simulator, every error code, every single-bit corruption caught
 * by the CRC, and a power cut at every flash operation of writing the
 * record leaving either the whole record or one that reads as corrupt,
 * never a wrong field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "flashkit/crc.h"
#include "flashkit/devinfo.h"
#include "flashsim.h"

static const struct fk_sector_run runs[] = { { 4, 16 * 1024 } };
static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t secret[32] = { 0xA5, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static uint32_t build_serial(uint8_t *rec, uint32_t cap, const char *serial)
{
	struct fk_devinfo_builder b;
	uint32_t size;

	fk_devinfo_begin(&b, rec, cap);
	assert_int_equal(fk_devinfo_add(&b, FK_DEVINFO_SERIAL, serial, 9), 0);
	assert_int_equal(fk_devinfo_add(&b, FK_DEVINFO_MAC, mac, 6), 0);
	assert_int_equal(fk_devinfo_add(&b, FK_DEVINFO_SECRET, secret, 32), 0);
	assert_int_equal(fk_devinfo_add(&b, FK_DEVINFO_HW_REVISION, "B2", 2), 0);
	assert_int_equal(fk_devinfo_add(&b, 0x8001, NULL, 0), 0);
	assert_int_equal(fk_devinfo_finish(&b, &size), 0);
	return size;
}

static uint32_t build(uint8_t *rec, uint32_t cap)
{
	return build_serial(rec, cap, "FK-000042");
}

static struct fk_sim *make_sim(void)
{
	struct fk_sim_config cfg = {
		.geo = { .base = 0x0800C000, .size = 64 * 1024, .runs = runs,
			 .run_count = 1, .write_unit = 16,
			 .erased_value = 0xFF },
	};
	struct fk_sim *sim = fk_sim_create(&cfg);

	assert_non_null(sim);
	return sim;
}

static void test_fields_read_back_from_flash(void **state)
{
	struct fk_sim *sim = make_sim();
	struct fk_area area;
	uint8_t rec[256] = { 0 }, buf[64];
	uint32_t size = build(rec, sizeof(rec)), len = 0, rsize;

	(void)state;
	assert_int_equal(fk_area_init(&area, fk_sim_flash(sim), 16384, 16384), 0);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_SERIAL, buf, sizeof(buf),
					&len), FK_ECORRUPT); /* erased */
	assert_int_equal(fk_area_program(&area, 0, rec, (size + 15) & ~15u), 0);
	assert_int_equal(fk_devinfo_check(&area, &rsize), 0);
	assert_int_equal(rsize, size);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_SERIAL, buf, sizeof(buf),
					&len), 0);
	assert_int_equal(len, 9);
	assert_memory_equal(buf, "FK-000042", 9);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_MAC, buf, sizeof(buf),
					&len), 0);
	assert_memory_equal(buf, mac, 6);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_SECRET, buf, 31, &len),
			 FK_ENOSPC);
	assert_int_equal(len, 32);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_SECRET, buf, 32, NULL), 0);
	assert_memory_equal(buf, secret, 32);
	assert_int_equal(fk_devinfo_get(&area, 0x8001, buf, 0, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(fk_devinfo_get(&area, FK_DEVINFO_CALIBRATION, buf,
					sizeof(buf), &len), FK_ENOENT);
	fk_sim_destroy(sim);
}

static void test_every_single_bit_flip_reads_as_corrupt(void **state)
{
	uint8_t rec[256], buf[64];
	uint32_t size = build(rec, sizeof(rec)), cases = 0;

	(void)state;
	for (uint32_t bit = 0; bit < size * 8; bit++) {
		int rc;

		rec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = fk_devinfo_get_mem(rec, sizeof(rec), FK_DEVINFO_SERIAL, buf,
					sizeof(buf), NULL);
		/* A flipped version byte may read as a newer format. */
		if (rc != FK_ECORRUPT && !(bit / 8 == 4 && rc == FK_ENOTSUP))
			fail_msg("bit %u flipped: rc %d", bit, rc);
		rec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		cases++;
	}
	printf("devinfo: %u single-bit corruptions, all caught\n", cases);
}

static void test_power_cut_at_every_operation_never_gives_wrong_field(void **state)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_sim *sim = make_sim();
	struct fk_sim_snapshot *snap;
	struct fk_area area;
	uint8_t rec[256], old[256];
	uint32_t size = build(rec, sizeof(rec)), padded = (size + 15) & ~15u;
	uint64_t first, ops, cases = 0, complete = 0, kept_old = 0;

	(void)state;
	memset(rec + size, 0xFF, padded - size);
	memset(old, 0xFF, sizeof(old));
	build_serial(old, sizeof(old), "FK-000007");
	assert_int_equal(fk_area_init(&area, fk_sim_flash(sim), 16384, 16384), 0);
	/* The partition held an older record with another serial. */
	assert_int_equal(fk_area_program(&area, 0, old, padded), 0);
	snap = fk_sim_snapshot_take(sim);
	first = fk_sim_op_index(sim);
	/* Production writes: erase the sector, then program 16 bytes at a
	 * time. Count the operations once without a cut. */
	assert_int_equal(fk_area_erase(&area, 0, 16384), 0);
	for (uint32_t off = 0; off < padded; off += 16)
		assert_int_equal(fk_area_program(&area, off, rec + off, 16), 0);
	ops = fk_sim_op_index(sim) - first;
	for (uint64_t op = 0; op < ops; op++) {
		for (size_t k = 0; k < 3; k++) {
			for (uint64_t seed = 0; seed < (kinds[k] == FK_CUT_TORN ? 4 : 1);
			     seed++) {
				uint8_t buf[64];
				uint32_t len = 0;
				int rc;

				fk_sim_snapshot_restore(sim, snap);
				fk_sim_schedule_cut(sim, first + op, kinds[k],
						    FK_TEAR_SEEDED, seed);
				if (fk_area_erase(&area, 0, 16384) == 0)
					for (uint32_t off = 0; off < padded; off += 16)
						if (fk_area_program(&area, off, rec + off, 16))
							break;
				fk_sim_reboot(sim);
				rc = fk_devinfo_get(&area, FK_DEVINFO_SERIAL, buf,
						    sizeof(buf), &len);
				/* The old record whole, the new one whole, or
				 * corrupt: never a mix. */
				if (rc == 0 && !memcmp(buf, "FK-000007", 9)) {
					kept_old++;
				} else if (rc == 0) {
					assert_int_equal(len, 9);
					assert_memory_equal(buf, "FK-000042", 9);
					complete++;
				} else if (rc != FK_ECORRUPT) {
					fail_msg("cut at op %llu kind %zu: rc %d",
						 (unsigned long long)op, k, rc);
				}
				cases++;
			}
		}
	}
	printf("devinfo: %llu power-cut cases over %llu operations: %llu read "
	       "the new record, %llu the old one, the rest read as corrupt\n",
	       (unsigned long long)cases, (unsigned long long)ops,
	       (unsigned long long)complete, (unsigned long long)kept_old);
	assert_true(complete > 0 && kept_old > 0 && complete + kept_old < cases);
	fk_sim_snapshot_free(snap);
	fk_sim_destroy(sim);
}

static void test_builder_refuses_bad_fields(void **state)
{
	struct fk_devinfo_builder b;
	uint8_t rec[64], value[64] = { 0 };
	uint32_t size;

	(void)state;
	fk_devinfo_begin(&b, rec, sizeof(rec));
	assert_int_equal(fk_devinfo_add(&b, 0, "x", 1), FK_EINVAL);
	fk_devinfo_begin(&b, rec, sizeof(rec));
	assert_int_equal(fk_devinfo_add(&b, 0xFFFF, "x", 1), FK_EINVAL);
	fk_devinfo_begin(&b, rec, sizeof(rec));
	assert_int_equal(fk_devinfo_add(&b, 1, "x", 1), 0);
	assert_int_equal(fk_devinfo_add(&b, 1, "y", 1), FK_EINVAL);
	assert_int_equal(fk_devinfo_finish(&b, &size), FK_EINVAL);
	fk_devinfo_begin(&b, rec, sizeof(rec));
	assert_int_equal(fk_devinfo_add(&b, 2, value, 49), FK_ENOSPC);
	fk_devinfo_begin(&b, rec, sizeof(rec));
	assert_int_equal(fk_devinfo_add(&b, 2, value, 48), 0);
	assert_int_equal(fk_devinfo_finish(&b, &size), 0);
	assert_int_equal(size, 64);
}

/* A record whose CRC is right but whose content breaks the rules. */
static void seal(uint8_t *rec, uint32_t body)
{
	uint32_t crc;

	rec[6] = (uint8_t)body;
	rec[7] = (uint8_t)(body >> 8);
	crc = fk_crc32(fk_crc32(0, rec, 8), rec + 12, body);
	for (int i = 0; i < 4; i++)
		rec[8 + i] = (uint8_t)(crc >> (8 * i));
}

static void test_newer_version_and_bad_structure_are_refused(void **state)
{
	uint8_t rec[128], buf[16];

	(void)state;
	build(rec, sizeof(rec));
	rec[4] = 2;
	seal(rec, (uint32_t)(rec[6] | rec[7] << 8));
	assert_int_equal(fk_devinfo_get_mem(rec, sizeof(rec), 1, buf,
					    sizeof(buf), NULL), FK_ENOTSUP);
	rec[4] = 1;
	rec[12 + 2] = 200; /* serial's length runs past the TLV area */
	seal(rec, (uint32_t)(rec[6] | rec[7] << 8));
	assert_int_equal(fk_devinfo_get_mem(rec, sizeof(rec), 2, buf,
					    sizeof(buf), NULL), FK_ECORRUPT);
	/* A record longer than the partition. */
	build(rec, sizeof(rec));
	assert_int_equal(fk_devinfo_get_mem(rec, 20, 1, buf, sizeof(buf), NULL),
			 FK_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_read_back_from_flash),
		cmocka_unit_test(test_every_single_bit_flip_reads_as_corrupt),
		cmocka_unit_test(test_power_cut_at_every_operation_never_gives_wrong_field),
		cmocka_unit_test(test_builder_refuses_bad_fields),
		cmocka_unit_test(test_newer_version_and_bad_structure_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
