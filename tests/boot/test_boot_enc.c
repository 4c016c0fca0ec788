/*
 * Encrypted images in the boot core (docs/boot.md, "Encrypted images"),
 * beyond the power-cut sweeps (test_boot_sweep_enc_*): the staging slot
 * never holds plaintext of an encrypted image, whatever operation a cut
 * stops; imgtool's `-c` image programmed in production is saved
 * encrypted and restored; 60 encrypted updates in a row, growing and
 * shrinking; an imgtool-made encrypted image installs to
 * its plaintext; images the device cannot decrypt are refused at upload
 * with nothing installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashkit/update.h"
#include "rigs.h"

/* 1 when any 32-byte piece of img's payload (plaintext, pseudo-random)
 * is somewhere in area a. */
static int area_has_plaintext(const struct fk_area *a, const uint8_t *img,
			      uint32_t hdr, uint32_t pay)
{
	uint8_t *buf = malloc(a->size);
	int found = 0;

	assert_non_null(buf);
	assert_int_equal(fk_area_read(a, 0, buf, a->size), FK_OK);
	for (uint32_t off = 0; !found && off + 32 <= pay; off += 32)
		found = memmem(buf, a->size, img + hdr + off, 32) != NULL;
	free(buf);
	return found;
}

static uint32_t payload_of(const uint8_t *img, uint32_t *hdr)
{
	*hdr = (uint32_t)img[8] | (uint32_t)img[9] << 8;
	return (uint32_t)img[12] | (uint32_t)img[13] << 8 |
	       (uint32_t)img[14] << 16 | (uint32_t)img[15] << 24;
}

static void assert_staging_clean(struct fk_rig *rig)
{
	const struct fk_area *s = &rig->cfg.images[0].secondary;
	uint32_t h_old, h_new;
	uint32_t p_old = payload_of(rig->old_img[0], &h_old);
	uint32_t p_new = payload_of(rig->new_img[0], &h_new);

	assert_false(area_has_plaintext(s, fk_rig_old_plain(rig, 0), h_old,
					p_old));
	assert_false(area_has_plaintext(s, fk_rig_new_plain(rig, 0), h_new,
					p_new));
}

static void start_update(struct fk_rig *rig)
{
	fk_rig_prepare(rig);
	assert_int_equal(fk_rig_upload(rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig->cfg, 1, FK_BOOT_TEST),
			 FK_OK);
}

/* TEST install, never confirmed: boot 1 installs and tries the new
 * image, boot 2 reverts, boot 3 runs the old one. */
static void run_life(struct fk_rig *rig)
{
	for (int b = 0; b < 3; b++) {
		(void)fk_rig_boot(rig);
		fk_rig_power_on(rig); /* when the cut fell in this boot */
		assert_staging_clean(rig);
	}
}

static void test_staging_never_holds_plaintext_at_any_cut(void **state)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_rig rig;
	struct fk_rig_snapshot *snap;
	uint64_t op0, ops, cases = 0;

	(void)state;
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	start_update(&rig);
	assert_staging_clean(&rig);
	snap = fk_rig_snapshot(&rig);
	assert_non_null(snap);
	op0 = rig.op;
	run_life(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	ops = rig.op - op0;
	assert_true(ops > 20);
	for (uint64_t n = op0; n < op0 + ops; n++) {
		for (uint32_t k = 0; k < 3; k++) {
			fk_rig_restore(&rig, snap);
			fk_rig_arm_cut(&rig, n, kinds[k], n * 3 + k);
			(void)fk_rig_boot(&rig);
			fk_rig_power_on(&rig);
			assert_staging_clean(&rig);
			run_life(&rig);
			cases++;
		}
	}
	printf("staging slot free of plaintext after a cut at each of %llu "
	       "operations (%llu cases)\n",
	       (unsigned long long)ops, (unsigned long long)cases);
	fk_rig_snapshot_free(&rig, snap);
	fk_rig_destroy(&rig);
}

/* imgtool's -c: flags and key TLV, payload clear, as production programs
 * a primary slot. Swapped out, it is saved encrypted; reverted, it is
 * back byte for byte. */
static void test_clear_image_is_saved_encrypted(void **state)
{
	struct fk_rig rig;
	struct fk_rig_image_spec spec = {
		.payload_len = rig_geos[GEO_UNIFORM_4K].old_payload,
		.seed = 1, .version = { .major = 1 }, .hdr_size = 0x100,
		.align = 8, .key = &rig_key, .enc = &rig_enc_key,
		.enc_clear = true,
	};
	uint32_t hdr, pay;

	(void)state;
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	free(rig.old_img[0]);
	free(rig.old_plain[0]);
	assert_int_equal(fk_rig_make_image_plain(&spec, &rig.old_img[0],
						 &rig.old_plain[0],
						 &rig.old_len[0]),
			 0);
	assert_null(rig.old_plain[0]);
	start_update(&rig);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	pay = payload_of(rig.old_img[0], &hdr);
	assert_false(area_has_plaintext(&rig.cfg.images[0].secondary,
					rig.old_img[0], hdr, pay));
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
	fk_rig_destroy(&rig);
}

/* 60 encrypted updates in a row on one boot state, images growing and
 * shrinking (8,000 to 20,000 bytes), two in three confirmed and the
 * third reverted: the running image is each time the plaintext an
 * earlier install left, saved encrypted with its own key. */
static void test_many_updates_in_a_row(void **state)
{
	struct fk_rig rig;
	uint32_t confirmed = 0, reverted = 0;

	(void)state;
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	fk_rig_prepare(&rig);
	for (uint32_t k = 0; k < 60; k++) {
		uint32_t payload = 8000 + (k * 7919) % 12000;
		bool keep = k % 3 != 2;

		assert_int_equal(rig_encrypt_image(payload, 100 + k,
						   (uint8_t)(2 + k), 8, 16,
						   &rig.new_img[0],
						   &rig.new_plain[0],
						   &rig.new_len[0]),
				 0);
		assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
		assert_int_equal(fk_boot_set_pending(&rig.cfg, 1, FK_BOOT_TEST),
				 FK_OK);
		assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
		assert_staging_clean(&rig);
		if (keep) {
			assert_int_equal(fk_boot_confirm(&rig.cfg), FK_OK);
			assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
			assert_staging_clean(&rig);
			/* the new image is the old one of the next update */
			free(rig.old_img[0]);
			free(rig.old_plain[0]);
			rig.old_img[0] = rig.new_img[0];
			rig.old_plain[0] = rig.new_plain[0];
			rig.old_len[0] = rig.new_len[0];
			rig.new_img[0] = rig.new_plain[0] = NULL;
			confirmed++;
		} else {
			assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_OLD);
			assert_staging_clean(&rig);
			reverted++;
		}
	}
	printf("60 encrypted updates in a row: %u confirmed, %u reverted\n",
	       confirmed, reverted);
	fk_rig_destroy(&rig);
}

/* Reads a file of tests/data/mcuboot-images. */
static uint8_t *interop_file(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/mcuboot-images/%s",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* An image made by imgtool 2.4.0 (-E, ECIES-P256, AES-128; signed with
 * the rig's ECDSA key) installs by SWAP to its plaintext payload, and
 * the same with an OVERWRITE bootloader. */
static void install_interop(enum fk_boot_strategy strategy)
{
	struct fk_rig rig;
	size_t plen, ilen;
	uint8_t *payload = interop_file("payload-12k.bin", &plen);
	uint8_t *img = interop_file("ecdsa-p256-enc-ecies-p256-aes128.bin",
				    &ilen);
	uint8_t *got = malloc(plen);
	uint32_t hdr;

	assert_int_equal(rig_build(&rig, strategy, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	free(rig.new_img[0]);
	free(rig.new_plain[0]);
	rig.new_img[0] = img;
	rig.new_len[0] = ilen;
	rig.new_plain[0] = malloc(ilen);
	assert_non_null(rig.new_plain[0]);
	memcpy(rig.new_plain[0], img, ilen);
	assert_int_equal(payload_of(img, &hdr), plen);
	memcpy(rig.new_plain[0] + hdr, payload, plen);
	fk_rig_prepare(&rig);
	assert_int_equal(fk_rig_upload(&rig, 0), FK_OK);
	assert_int_equal(fk_boot_set_pending(&rig.cfg, 1,
					     strategy == FK_BOOT_SWAP ?
						     FK_BOOT_TEST :
						     FK_BOOT_PERMANENT),
			 FK_OK);
	assert_int_equal(fk_rig_boot(&rig), FK_RIG_BOOTED_NEW);
	assert_int_equal(fk_area_read(&rig.cfg.images[0].primary, hdr, got,
				      (uint32_t)plen),
			 FK_OK);
	assert_memory_equal(got, payload, plen);
	free(got);
	free(payload);
	fk_rig_destroy(&rig);
}

static void test_imgtool_image_installs_by_swap(void **state)
{
	(void)state;
	install_interop(FK_BOOT_SWAP);
}

static void test_imgtool_image_installs_by_overwrite(void **state)
{
	(void)state;
	install_interop(FK_BOOT_OVERWRITE);
}

/* Sends the new image; the code fk_update_finish (or an earlier call)
 * gave. */
static int upload_rc(struct fk_rig *rig)
{
	fk_rig_prepare(rig);
	return fk_rig_upload(rig, 0);
}

/* After a refusal the old image still boots, untouched. */
static void assert_old_runs(struct fk_rig *rig)
{
	assert_int_equal(fk_rig_boot(rig), FK_RIG_BOOTED_OLD);
}

static void test_refusals(void **state)
{
	struct fk_rig rig;
	uint32_t hdr, pay, end;

	(void)state;
	/* the key TLV altered (it is outside the signed area): the HMAC
	 * does not match */
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	pay = payload_of(rig.new_img[0], &hdr);
	end = (uint32_t)rig.new_len[0];
	rig.new_img[0][end - 20] ^= 0x01; /* in the ENC_EC256 TLV's tail */
	assert_int_equal(upload_rc(&rig), FK_EKEY);
	assert_old_runs(&rig);
	rig.new_img[0][end - 20] ^= 0x01;
	/* a ciphertext byte flipped: the digest of the plaintext fails */
	rig.new_img[0][hdr + pay / 2] ^= 0x40;
	assert_int_equal(upload_rc(&rig), FK_EDIGEST);
	assert_old_runs(&rig);
	rig.new_img[0][hdr + pay / 2] ^= 0x40;
	/* no device key in the bootloader (the rig checks with a copy of
	 * the keys since its first prepare) */
	rig.memo_keys.enc_key = NULL;
	assert_int_equal(upload_rc(&rig), FK_ENOTSUP);
	assert_old_runs(&rig);
	fk_rig_destroy(&rig);
	/* encrypted for another device: an X25519 image, and the device's
	 * 32-byte key another one */
	assert_int_equal(rig_build(&rig, FK_BOOT_SWAP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "x25519"), 0);
	assert_int_equal(rig_device_key("ecies-p256"), 0);
	assert_int_equal(upload_rc(&rig), FK_EKEY);
	assert_old_runs(&rig);
	fk_rig_destroy(&rig);
	/* XIP runs what it receives: an encrypted image cannot run */
	assert_int_equal(rig_build(&rig, FK_BOOT_XIP, GEO_UNIFORM_4K), 0);
	assert_int_equal(rig_encrypt(&rig, GEO_UNIFORM_4K, "ecies-p256"), 0);
	assert_int_equal(upload_rc(&rig), FK_ENOTSUP);
	fk_rig_destroy(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staging_never_holds_plaintext_at_any_cut),
		cmocka_unit_test(test_clear_image_is_saved_encrypted),
		cmocka_unit_test(test_many_updates_in_a_row),
		cmocka_unit_test(test_imgtool_image_installs_by_swap),
		cmocka_unit_test(test_imgtool_image_installs_by_overwrite),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
