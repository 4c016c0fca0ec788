/*
 * Every imgtool-made reference file parses with the fields and digest its
 * MANIFEST gives, and its signature verifies with its own key and fails
 * with every other one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_test_util.h"

struct ref {
	const char *file;
	const char *key;      /* NULL: unsigned */
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
	uint16_t hdr_size;
	uint16_t prot_size;
	uint32_t img_size;
	uint16_t sig_type;
	uint16_t key_tlv;
	const char *digest;
};

static const struct ref refs[] = {
	{ "ecdsa-p256-basic.bin", "ecdsa-p256.pem", 1, 2, 3, 4, 0x200, 0, 12288,
	  FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "0faa7e1e1b5c658e9139225b3da9356605b590ecc22e77323992b41318155d80" },
	{ "ecdsa-p256-padded-confirmed-align4.bin", "ecdsa-p256.pem", 2, 0, 0, 0,
	  0x200, 0, 12288, FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "96798c1285d32ded9af720a2753f948f4584469f45d56bb2d07fd5a7b52c492f" },
	{ "ecdsa-p256-padded-test-align8.bin", "ecdsa-p256.pem", 2, 0, 1, 0,
	  0x200, 0, 12288, FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "8f6f2fe5b5345ba4e322e5a33d26f09c8e6fa945e7f8c463a0cdd1da3526d15a" },
	{ "ed25519-basic.bin", "ed25519.pub.pem", 0, 9, 0, 77, 0x100, 0, 3001,
	  FK_TLV_ED25519, FK_TLV_KEYHASH,
	  "783b6ad39fca2fbaa69b1e422c23962aa36567fbda2ac75da27566cabe23cf5f" },
	{ "rsa2048-basic.bin", "rsa-2048.pem", 3, 1, 4, 1, 0x200, 0, 12288,
	  FK_TLV_RSA2048_PSS, FK_TLV_KEYHASH,
	  "fe6b777fc4bf634bbc27fd098d1d4bfa019579d7883b6d87b1743e7d466c28e7" },
	{ "ecdsa-p256-seccnt7-dep.bin", "ecdsa-p256.pem", 1, 5, 0, 9, 0x200, 28,
	  12288, FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "10b4f0ab78f2c74eafc7d98bf5343e6e2496a43e44e182a0f603e7bea8fe16f5" },
	{ "unsigned-sha256-only.bin", NULL, 1, 0, 0, 0, 0x20, 0, 3001, 0, 0,
	  "f229e1405468a003c8cd0ea90d44dc4ed1517c6f4673743a64def0e37aebbe35" },
	{ "ecdsa-p256-custom-tlv.bin", "ecdsa-p256.pem", 1, 2, 0, 0, 0x200, 21,
	  12288, FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "63ad69749ae95867f6fb710cd370e3cbd8b1ec65d92150f3110d4981592d62f7" },
	{ "ecdsa-p256-pubkey-full.bin", "ecdsa-p256.pem", 1, 2, 0, 0, 0x200, 0,
	  12288, FK_TLV_ECDSA_SIG, FK_TLV_PUBKEY,
	  "ec300641e5ab418c30567a0035425db9f5c3f63cda4464ceda42dc651e7fd81f" },
	/* P-384: a SHA384 digest and a 48-byte KEYHASH (SHA-384 of the key) */
	{ "ecdsa-p384-basic.bin", "ecdsa-p384.pem", 1, 4, 0, 2, 0x200, 0, 12288,
	  FK_TLV_ECDSA_SIG, FK_TLV_KEYHASH,
	  "d7a5a19d1aba375eb7858d8a3a9ec7ebe7ed84fa1441802a903105879101f3f0"
	  "1f76d10e93db6e447bdddffce1d5aaba" },
	{ "rsa3072-basic.bin", "rsa-3072.pem", 3, 0, 0, 0, 0x200, 0, 12288,
	  FK_TLV_RSA3072_PSS, FK_TLV_KEYHASH,
	  "03a1c443e3addd1263727eb7d68bfaaee2dfc9b794904f872ecf0a3973a0bc1c" },
};
#define NREFS (sizeof(refs) / sizeof(refs[0]))

static const char *const key_files[] = {
	"ecdsa-p256.pem", "rsa-2048.pem", "ed25519.pub.pem",
	"ecdsa-p384.pem", "rsa-3072.pem",
};
#define ED25519_SLOT 2
#define NKEYS (sizeof(key_files) / sizeof(key_files[0]))

static struct fk_key keys[NKEYS];
static struct fk_image_key ikeys[NKEYS];

static int key_slot(const char *file)
{
	if (!file)
		return -1;
	for (size_t k = 0; k < NKEYS; k++) {
		if (!strcmp(file, key_files[k]))
			return (int)k;
	}
	return ED25519_SLOT; /* ed25519.pem: its public half is loaded */
}

static void test_every_reference_parses_with_manifest_fields_and_digest(void **state)
{
	(void)state;
	for (size_t i = 0; i < NREFS; i++) {
		const struct ref *r = &refs[i];
		struct fk_image_info info;
		struct fk_memflash m;
		uint8_t want[FK_DIGEST_MAX], got[FK_DIGEST_MAX], buf[64];
		size_t dlen = strlen(r->digest) / 2;
		size_t len;
		uint8_t *data = read_ref(r->file, &len);

		print_message("%s\n", r->file);
		assert_int_equal(fk_memflash_init(&m, data, len), 0);
		assert_int_equal(fk_image_parse(&m.area, &info), 0);
		assert_int_equal(info.hdr.magic, FK_IMAGE_MAGIC);
		assert_int_equal(info.hdr.version.major, r->major);
		assert_int_equal(info.hdr.version.minor, r->minor);
		assert_int_equal(info.hdr.version.revision, r->revision);
		assert_int_equal(info.hdr.version.build, r->build);
		assert_int_equal(info.hdr.hdr_size, r->hdr_size);
		assert_int_equal(info.hdr.protect_tlv_size, r->prot_size);
		assert_int_equal(info.hdr.img_size, r->img_size);
		assert_int_equal(info.hdr.flags, 0);
		assert_int_equal(info.hdr.load_addr, 0);
		assert_int_equal(info.sig_type, r->sig_type);
		assert_int_equal(info.key_type, r->key_tlv);
		hex_to_bytes(r->digest, want, dlen);
		assert_int_equal(info.digest_len, dlen);
		assert_memory_equal(info.digest, want, dlen);
		assert_int_equal(fk_image_hash(&m.area, &info, &fk_crypto_mbedtls,
					       got, buf, sizeof(buf)), 0);
		assert_memory_equal(got, want, dlen);
		/* The image ends where the file does, unless padded. */
		if (!strstr(r->file, "padded"))
			assert_int_equal(info.end, len);
		free(data);
	}
}

static void test_protected_tlvs_are_reported(void **state)
{
	struct fk_image_info info;
	struct fk_image_tlv t;
	struct fk_memflash m;
	size_t len;
	uint8_t *data = read_ref("ecdsa-p256-seccnt7-dep.bin", &len);

	(void)state;
	assert_int_equal(parse_buf(data, len, &info), 0);
	assert_true(info.present & FK_IMAGE_HAS_SEC_CNT);
	assert_int_equal(info.security_counter, 7);
	assert_int_equal(info.dep_count, 1);
	assert_int_equal(info.deps[0].image_id, 1);
	assert_int_equal(info.deps[0].min_version.major, 2);
	assert_int_equal(info.deps[0].min_version.minor, 3);
	assert_int_equal(info.deps[0].min_version.revision, 4);
	assert_int_equal(info.deps[0].min_version.build, 0);
	free(data);

	data = read_ref("ecdsa-p256-custom-tlv.bin", &len);
	assert_int_equal(parse_buf(data, len, &info), 0);
	assert_true(info.present & FK_IMAGE_HAS_UNKNOWN);
	fk_memflash_init(&m, data, len);
	assert_int_equal(fk_image_tlv_find(&m.area, &info, 0xa0, &t), 0);
	assert_true(t.is_protected);
	assert_int_equal(t.len, 4);
	assert_memory_equal(data + t.off, "\x12\x34\x56\x78", 4);
	assert_int_equal(fk_image_tlv_find(&m.area, &info, 0xa1, &t), 0);
	assert_int_equal(t.len, 5);
	assert_memory_equal(data + t.off, "hello", 5);
	assert_int_equal(fk_image_tlv_find(&m.area, &info, 0xa2, &t), FK_ENOENT);
	free(data);
}

static void test_signatures_verify_with_own_key_and_fail_with_others(void **state)
{
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < NREFS; i++) {
		const struct ref *r = &refs[i];
		int own = key_slot(r->key);
		struct fk_image_info info;
		size_t len;
		uint8_t *data = read_ref(r->file, &len);

		print_message("%s\n", r->file);
		/* No keys: integrity only, every reference passes. */
		assert_int_equal(validate_buf(data, len, NULL, 0, &info), 0);
		for (size_t k = 0; k < NKEYS; k++) {
			int rc = validate_buf(data, len, &ikeys[k], 1, &info);

			if (own < 0)
				assert_int_equal(rc, FK_ESIG); /* unsigned */
			else if ((int)k != own)
				assert_int_equal(rc, FK_EKEY);
			else {
				assert_int_equal(rc, FK_OK);
				assert_int_equal(info.key_index, 0);
			}
			checked++;
		}
		/* All keys at once: the right one is found. */
		if (own >= 0) {
			assert_int_equal(validate_buf(data, len, ikeys, NKEYS,
						      &info), FK_OK);
			assert_int_equal(info.key_index, own);
		}
		free(data);
	}
	print_message("%d image/key pairs checked\n", checked);
}

/* A key table entry that claims the image's KEYHASH but holds another
 * key of the same type: the crypto must reject the signature itself. */
static void test_signature_fails_with_another_key_of_the_same_type(void **state)
{
	char path[] = "/tmp/fk-test-key-XXXXXX";
	struct fk_key other;
	struct fk_image_key impostor;
	struct fk_image_info info;
	size_t len;
	uint8_t *data;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fk_key_generate_p256(path, 0, NULL), 0);
	assert_int_equal(fk_key_load(&other, path), 0);
	unlink(path);

	data = read_ref("ecdsa-p256-basic.bin", &len);
	fk_key_image_key(&other, &impostor);
	assert_int_equal(validate_buf(data, len, &impostor, 1, &info), FK_EKEY);
	memcpy(impostor.hash, keys[0].hash, 32);
	assert_int_equal(validate_buf(data, len, &impostor, 1, &info), FK_ESIG);
	free(data);

	data = read_ref("ecdsa-p256-pubkey-full.bin", &len);
	fk_key_image_key(&other, &impostor);
	assert_int_equal(validate_buf(data, len, &impostor, 1, &info), FK_EKEY);
	free(data);

	/* RSA: the ECDSA key's DER under the RSA key's hash is unusable. */
	data = read_ref("rsa2048-basic.bin", &len);
	impostor = ikeys[0];
	impostor.type = FK_KEY_RSA2048;
	memcpy(impostor.hash, keys[1].hash, 32);
	assert_int_equal(validate_buf(data, len, &impostor, 1, &info), FK_EKEY);
	free(data);
	fk_key_free(&other);
}

/* A fresh key made by openssl genpkey with the given options. */
static void generate_with_openssl(struct fk_key *key, const char *opts)
{
	char path[] = "/tmp/fk-test-key-XXXXXX";
	char cmd[512];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "openssl genpkey %s -out %s 2>/dev/null",
		 opts, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(fk_key_load(key, path), 0);
	unlink(path);
}

/* The same for P-384, RSA-3072 and Ed25519: another key of the type,
 * claiming the reference key's KEYHASH, does not verify the reference
 * image. */
static void
test_p384_rsa3072_ed25519_fail_with_another_key_of_their_type(void **state)
{
	static const struct {
		const char *file, *opts;
		enum fk_image_key_type type;
		int own;
	} cases[] = {
		{ "ecdsa-p384-basic.bin",
		  "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
		  FK_KEY_ECDSA_P384, 3 },
		{ "rsa3072-basic.bin",
		  "-algorithm RSA -pkeyopt rsa_keygen_bits:3072",
		  FK_KEY_RSA3072, 4 },
		{ "ed25519-basic.bin", "-algorithm ED25519", FK_KEY_ED25519,
		  ED25519_SLOT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fk_key other;
		struct fk_image_key impostor;
		struct fk_image_info info;
		size_t len;
		uint8_t *data = read_ref(cases[i].file, &len);

		generate_with_openssl(&other, cases[i].opts);
		assert_int_equal(other.type, cases[i].type);
		fk_key_image_key(&other, &impostor);
		assert_int_equal(validate_buf(data, len, &impostor, 1, &info),
				 FK_EKEY);
		memcpy(impostor.hash, keys[cases[i].own].hash, FK_DIGEST_MAX);
		assert_int_equal(validate_buf(data, len, &impostor, 1, &info),
				 FK_ESIG);
		free(data);
		fk_key_free(&other);
	}
}

static int setup(void **state)
{
	(void)state;
	load_ref_keys(key_files, NKEYS, keys, ikeys);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_keys(keys, NKEYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reference_parses_with_manifest_fields_and_digest),
		cmocka_unit_test(test_protected_tlvs_are_reported),
		cmocka_unit_test(test_signatures_verify_with_own_key_and_fail_with_others),
		cmocka_unit_test(test_signature_fails_with_another_key_of_the_same_type),
		cmocka_unit_test(test_p384_rsa3072_ed25519_fail_with_another_key_of_their_type),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
