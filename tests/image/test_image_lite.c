/*
 * fk_image_check_lite() against fk_image_validate(), differentially: the
 * same image bytes go through both, and the verdicts must agree, OK for
 * OK and the same error code for every refusal. The one place they may
 * differ is stated in image_lite.h and checked here as such: an image
 * whose format passes with a SHA384 digest, which the lite check refuses
 * with FK_ENOTSUP (and encrypted images when the keys can decrypt them,
 * which fk_image_validate() then checks).
 *
 * The images: every imgtool reference file, images signed here with every
 * key type and with SEC_CNT, DEPENDENCY and custom TLVs, --pad images with
 * long erased runs; every single-bit flip of three of them; every
 * truncation of one; hand-made hostile TLV areas; and a few thousand
 * random TLV areas with a correct digest, so that the checks after the
 * digest run too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flashkit/image_lite.h"
#include "image/sign.h"
#include "image_test_util.h"

/* The reference keys; ikeys[] in this order. */
static const char *const key_files[] = {
	"ecdsa-p256.pem", "ed25519.pem",    "rsa-2048.pem",
	"rsa-3072.pem",	  "ecdsa-p384.pem",
};
#define KEY_COUNT 5
static struct fk_key keys[KEY_COUNT];
static struct fk_image_key ikeys[KEY_COUNT];
static const uint8_t enc_p256[32] = {
	/* tests/data/mcuboot-images/enc-ecies-p256.pem's scalar */
	0x08, 0x8f, 0x0a, 0x4d, 0x26, 0x5e, 0x23, 0xd0, 0x40, 0x6b, 0x00,
	0xff, 0x21, 0xec, 0xb2, 0xf2, 0x56, 0xea, 0xdc, 0x4c, 0xcf, 0x40,
	0x51, 0xbb, 0x64, 0xdf, 0x74, 0xb0, 0xbc, 0x9f, 0x59, 0x49,
};

/* lite_nosig.c: built with FK_IMAGE_LITE_NO_SIG. */
int fk_image_check_lite_nosig(const struct fk_area *slot,
			      const struct fk_image_keys *keys, void *buf,
			      uint32_t buf_len, struct fk_image_lite *out);

/* What the comparisons saw, for the messages and the checks that the
 * sweeps are not vacuous. */
static struct {
	unsigned compared, ok, sha384;
} seen;

/* The buffer sizes the lite check reads through, in turn. */
static const uint32_t buf_lens[] = { 512, 1, 7, 64, 100 };

static int run_lite(const struct fk_area *slot, const struct fk_image_keys *set,
		    struct fk_image_lite *out)
{
	static uint8_t buf[512];
	static unsigned turn;

	return fk_image_check_lite(
		slot, set, buf,
		buf_lens[turn++ % (sizeof(buf_lens) / sizeof(buf_lens[0]))],
		out);
}

/* Asserts that both checks give the same verdict on img with the given
 * key table (and crypto); returns that verdict. */
static int compare_with(const uint8_t *img, size_t len,
			const struct fk_image_keys *set, const char *what)
{
	struct fk_image_info info, parsed;
	struct fk_image_lite lite;
	struct fk_memflash m;
	int full, rc, expect;

	assert_int_equal(fk_memflash_init(&m, img, len), 0);
	full = fk_image_validate(&m.area, set, &info);
	rc = run_lite(&m.area, set, &lite);
	expect = full;
	if (fk_image_parse(&m.area, &parsed) == FK_OK &&
	    parsed.digest_len == FK_SHA384_SIZE &&
	    !(parsed.hdr.flags &
	      (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256))) {
		expect = FK_ENOTSUP;
		seen.sha384++;
	}
	if (rc != expect)
		fail_msg("%s (%zu bytes, %u keys): lite %d, full %d", what, len,
			 set->count, rc, full);
	/* with no key, the build without signature checks is the same */
	if (!set->count) {
		struct fk_image_lite nosig;
		uint8_t buf[64];

		if (fk_image_check_lite_nosig(&m.area, set, buf, sizeof(buf),
					      &nosig) != rc ||
		    (rc == FK_OK && memcmp(&nosig, &lite, sizeof(lite))))
			fail_msg("%s: FK_IMAGE_LITE_NO_SIG differs", what);
	}
	seen.compared++;
	if (rc != FK_OK)
		return rc;
	seen.ok++;
	assert_memory_equal(&lite.hdr, &info.hdr, sizeof(lite.hdr));
	assert_int_equal(lite.end, info.end);
	assert_int_equal(lite.security_counter, info.security_counter);
	assert_int_equal(lite.dep_count, info.dep_count);
	assert_memory_equal(lite.digest, info.digest, FK_SHA256_SIZE);
	return rc;
}

/* The same with the mbedTLS port and the first count reference keys. */
static int compare(const uint8_t *img, size_t len, uint32_t count,
		   const char *what)
{
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ikeys,
				     .count = count };

	return compare_with(img, len, &set, what);
}

/* Both with no key (digest only) and with every key. */
static void compare_both(const uint8_t *img, size_t len, const char *what)
{
	compare(img, len, 0, what);
	compare(img, len, KEY_COUNT, what);
}

static const char *const ref_images[] = {
	"unsigned-sha256-only.bin",
	"ecdsa-p256-basic.bin",
	"ecdsa-p256-custom-tlv.bin",
	"ecdsa-p256-padded-confirmed-align4.bin",
	"ecdsa-p256-padded-test-align8.bin",
	"ecdsa-p256-pubkey-full.bin",
	"ecdsa-p256-seccnt7-dep.bin",
	"ed25519-basic.bin",
	"rsa2048-basic.bin",
	"rsa3072-basic.bin",
	"ecdsa-p384-basic.bin",
	"ecdsa-p256-enc-ecies-p256-aes128.bin",
	"ecdsa-p256-enc-ecies-p256-aes256.bin",
	"ecdsa-p256-enc-ecies-p256-clear.bin",
	"ed25519-enc-x25519-aes128.bin",
	"ed25519-enc-x25519-aes256.bin",
	"rsa2048-enc-rsa-oaep-aes128.bin",
};
#define REF_COUNT (sizeof(ref_images) / sizeof(ref_images[0]))

static void test_lite_agrees_on_every_reference_image(void **state)
{
	unsigned ok = seen.ok;

	(void)state;
	for (size_t i = 0; i < REF_COUNT; i++) {
		size_t len;
		uint8_t *img = read_ref(ref_images[i], &len);

		/* no key, each key alone (a wrong one: FK_EKEY), all */
		for (uint32_t k = 0; k <= KEY_COUNT; k++) {
			struct fk_image_keys set = {
				.crypto = &fk_crypto_mbedtls,
				.keys = k < KEY_COUNT ? &ikeys[k] : ikeys,
				.count = k < KEY_COUNT ? 1 : KEY_COUNT
			};

			compare_with(img, len, &set, ref_images[i]);
		}
		compare(img, len, 0, ref_images[i]);
		free(img);
	}
	/* not vacuous: the clear SHA-256 images are valid under both, the
	 * unsigned one with no key, the 9 signed ones with no key, their
	 * own and all keys */
	assert_int_equal(seen.ok - ok, 1 + 9 * 3);
	assert_true(seen.sha384 > 0);
}

static void test_lite_accepts_the_valid_reference_images(void **state)
{
	static const struct {
		const char *file;
		uint32_t sec_cnt, deps;
	} valid[] = {
		{ "unsigned-sha256-only.bin", 0, 0 },
		{ "ecdsa-p256-basic.bin", 0, 0 },
		{ "ecdsa-p256-custom-tlv.bin", 0, 0 },
		{ "ecdsa-p256-padded-confirmed-align4.bin", 0, 0 },
		{ "ecdsa-p256-padded-test-align8.bin", 0, 0 },
		{ "ecdsa-p256-pubkey-full.bin", 0, 0 },
		{ "ecdsa-p256-seccnt7-dep.bin", 7, 1 },
		{ "ed25519-basic.bin", 0, 0 },
		{ "rsa2048-basic.bin", 0, 0 },
		{ "rsa3072-basic.bin", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
					     .keys = ikeys,
					     .count = i ? KEY_COUNT : 0 };
		struct fk_image_lite lite;
		struct fk_memflash m;
		uint8_t buf[512];
		size_t len;
		uint8_t *img = read_ref(valid[i].file, &len);

		assert_int_equal(fk_memflash_init(&m, img, len), 0);
		assert_int_equal(fk_image_check_lite(&m.area, &set, buf,
						     sizeof(buf), &lite),
				 FK_OK);
		assert_int_equal(lite.security_counter, valid[i].sec_cnt);
		assert_int_equal(lite.dep_count, valid[i].deps);
		/* signed ones: by their key alone too, not by another */
		if (i) {
			set.count = 1;
			assert_int_equal(fk_image_check_lite(&m.area, &set, buf,
							     sizeof(buf),
							     &lite),
					 i < 7 ? FK_OK : FK_EKEY);
		}
		free(img);
	}
}

/* What the lite check does not do, it refuses: SHA-384 images, which
 * fk_image_validate() checks with a P-384 key, and encrypted images,
 * which it checks when the keys can decrypt them. */
static void test_lite_refuses_sha384_and_encrypted_images(void **state)
{
	static const char *const files[] = {
		"ecdsa-p384-basic.bin",
		"ecdsa-p256-enc-ecies-p256-aes128.bin",
		"ecdsa-p256-enc-ecies-p256-aes256.bin",
	};
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ikeys,
				     .count = KEY_COUNT,
				     .enc_key = enc_p256,
				     .enc_key_len = sizeof(enc_p256) };
	struct fk_image_info info;
	struct fk_image_lite lite;
	struct fk_memflash m;
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		uint8_t *img = read_ref(files[i], &len);

		assert_int_equal(fk_memflash_init(&m, img, len), 0);
		assert_int_equal(fk_image_validate(&m.area, &set, &info),
				 FK_OK);
		assert_int_equal(fk_image_check_lite(&m.area, &set, buf,
						     sizeof(buf), &lite),
				 FK_ENOTSUP);
		free(img);
	}
}

/* Built without the signature check, it never takes an image as signed. */
static void test_lite_without_signatures_refuses_keys(void **state)
{
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ikeys,
				     .count = KEY_COUNT };
	struct fk_image_lite lite;
	struct fk_memflash m;
	uint8_t buf[64];
	size_t len;
	uint8_t *img = read_ref("ecdsa-p256-basic.bin", &len);

	(void)state;
	assert_int_equal(fk_memflash_init(&m, img, len), 0);
	assert_int_equal(fk_image_check_lite_nosig(&m.area, &set, buf,
						   sizeof(buf), &lite),
			 FK_ENOTSUP);
	set.count = 0;
	assert_int_equal(fk_image_check_lite_nosig(&m.area, &set, buf,
						   sizeof(buf), &lite),
			 FK_OK);
	img[100] ^= 1;
	assert_int_equal(fk_image_check_lite_nosig(&m.area, &set, buf,
						   sizeof(buf), &lite),
			 FK_EDIGEST);
	free(img);
}

static void test_lite_refuses_bad_arguments_and_missing_crypto(void **state)
{
	static const struct fk_crypto_port no_sha = { 0 };
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ikeys,
				     .count = 1 };
	struct fk_image_keys none = { .crypto = &no_sha };
	struct fk_image_keys nokeys = { .crypto = &fk_crypto_mbedtls,
					.count = 1 };
	struct fk_image_lite lite;
	struct fk_memflash m;
	uint8_t buf[64];
	size_t len;
	uint8_t *img = read_ref("ecdsa-p256-basic.bin", &len);

	(void)state;
	assert_int_equal(fk_memflash_init(&m, img, len), 0);
	assert_int_equal(fk_image_check_lite(NULL, &set, buf, 64, &lite),
			 FK_EINVAL);
	assert_int_equal(fk_image_check_lite(&m.area, NULL, buf, 64, &lite),
			 FK_EINVAL);
	assert_int_equal(fk_image_check_lite(&m.area, &nokeys, buf, 64, &lite),
			 FK_EINVAL);
	assert_int_equal(fk_image_check_lite(&m.area, &set, NULL, 64, &lite),
			 FK_EINVAL);
	assert_int_equal(fk_image_check_lite(&m.area, &set, buf, 0, &lite),
			 FK_EINVAL);
	assert_int_equal(fk_image_check_lite(&m.area, &set, buf, 64, NULL),
			 FK_EINVAL);
	/* a port without SHA-256, and the built-in one, which has no
	 * signature checks */
	compare_with(img, len, &none, "no SHA-256");
	set.crypto = &fk_crypto_builtin;
	assert_int_equal(compare_with(img, len, &set, "builtin"), FK_ENOTSUP);
	set.count = 0;
	assert_int_equal(compare_with(img, len, &set, "builtin"), FK_OK);
	free(img);
}

/* Images signed here: every key type, protected TLVs of every kind,
 * PUBKEY instead of KEYHASH, --pad with erased runs. */
static void test_lite_agrees_on_signed_images_of_every_kind(void **state)
{
	static uint8_t payload[3001], id[4] = { 7 }, custom[5] = { 1, 2 };
	unsigned before = seen.ok;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	for (int k = -1; k < KEY_COUNT; k++) {
		for (int variant = 0; variant < 6; variant++) {
			struct fk_sign_opts o;
			struct fk_sign_result r;

			fk_sign_opts_init(&o);
			o.version.major = 1;
			o.hdr_size = variant & 1 ? 0x200 : 0x20;
			o.pad_header = true;
			o.key = k < 0 ? NULL : &keys[k];
			o.pubkey_full = variant == 2;
			if (variant >= 3) {
				o.has_sec_cnt = true;
				o.sec_cnt = 0x01020304u * (uint32_t)variant;
				o.dep_count = (uint32_t)variant - 2;
				for (uint32_t d = 0; d < o.dep_count; d++)
					o.deps[d].image_id = (uint8_t)d;
				o.tlvs[0] = (struct fk_sign_tlv){
					FK_TLV_FK_IMAGE_ID, 4, id
				};
				o.tlvs[1] =
					(struct fk_sign_tlv){ 0xa7, 5, custom };
				o.tlv_count = 2;
			}
			if (variant == 5) {
				o.dep_count = FK_IMAGE_MAX_DEPS;
				o.slot_size = 0x2000;
				o.align = 8;
				o.pad = true;
			}
			assert_int_equal(
				fk_sign_image(&o, payload, sizeof(payload), &r),
				0);
			compare_both(r.data, r.len, "signed here");
			free(r.data);
		}
	}
	/* all but the P-384 ones are valid for both */
	assert_int_equal(seen.ok - before, 6 * 2 * 5 - 6);
}

/* Every single-bit flip of the image's header fields (its first 32
 * bytes) and TLV areas, checked with the first count keys, and of every
 * pay_step-th bit of the header padding and payload (each of which gives
 * FK_EDIGEST). */
static unsigned flip_sweep(const char *file, size_t pay_step, uint32_t count)
{
	struct fk_image_info info;
	unsigned n = 0;
	size_t len;
	uint8_t *img = read_ref(file, &len);

	assert_int_equal(parse_buf(img, len, &info), 0);
	for (size_t bit = 0; bit < len * 8; bit++) {
		size_t pos = bit / 8;

		if (pos >= FK_IMAGE_HEADER_SIZE && pos < info.prot_off &&
		    bit % pay_step)
			continue;
		img[pos] ^= (uint8_t)(1u << (bit % 8));
		compare(img, len, count, file);
		img[pos] ^= (uint8_t)(1u << (bit % 8));
		n++;
	}
	free(img);
	return n;
}

static void test_lite_agrees_after_every_bit_flip(void **state)
{
	unsigned n;

	(void)state;
	n = flip_sweep("unsigned-sha256-only.bin", 3, 0);
	n += flip_sweep("ecdsa-p256-seccnt7-dep.bin", 251, KEY_COUNT);
	n += flip_sweep("ed25519-basic.bin", 31, KEY_COUNT);
	print_message("%u single-bit flips, %u comparisons\n", n,
		      seen.compared);
}

static void test_lite_agrees_on_every_truncation(void **state)
{
	size_t len, slot_len;
	uint8_t *img = read_ref("ecdsa-p256-seccnt7-dep.bin", &len);
	uint8_t *slot;

	(void)state;
	slot_len = len + 256;
	slot = malloc(slot_len);
	assert_non_null(slot);
	for (size_t cut = 0; cut <= len; cut++) {
		/* the file cut short, and a slot whose copy stopped there */
		compare_both(img, cut, "truncated");
		memcpy(slot, img, cut);
		memset(slot + cut, 0xff, slot_len - cut);
		compare(slot, slot_len, KEY_COUNT, "truncated in a slot");
	}
	free(slot);
	free(img);
}

/*
 * Hand-made images: a 32-byte header, a small payload, then TLV areas
 * assembled entry by entry. img_sha() writes the true digest into the
 * first SHA256 TLV of the unprotected area, so that what comes after the
 * digest check is reached.
 */
struct mk {
	uint8_t b[4096];
	size_t len;
	size_t area;	   /* offset of the open area's info header */
	size_t prot_off;   /* hdr + payload */
	size_t unprot_off; /* where the unprotected area starts */
	size_t sha_off;	   /* value of the first SHA256 TLV, 0: none */
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void mk_start(struct mk *m, uint32_t payload, uint32_t flags)
{
	memset(m, 0, sizeof(*m));
	put32(m->b, FK_IMAGE_MAGIC);
	put16(m->b + 8, FK_IMAGE_HEADER_SIZE);
	put32(m->b + 12, payload);
	put32(m->b + 16, flags);
	m->b[20] = 1;
	for (uint32_t i = 0; i < payload; i++)
		m->b[FK_IMAGE_HEADER_SIZE + i] = (uint8_t)(i * 13);
	m->len = FK_IMAGE_HEADER_SIZE + payload;
	m->prot_off = m->len;
	m->unprot_off = m->len;
}

/* Opens an area with this magic (its total is set by mk_close()). */
static void mk_area(struct mk *m, uint16_t magic)
{
	m->area = m->len;
	if (magic == FK_TLV_INFO_MAGIC)
		m->unprot_off = m->len;
	put16(m->b + m->len, magic);
	m->len += FK_TLV_INFO_SIZE;
}

/* Closes the open area: its total, and for the protected one the
 * header's protect_tlv_size. */
static void mk_close(struct mk *m)
{
	put16(m->b + m->area + 2, (uint32_t)(m->len - m->area));
	if (m->b[m->area] == (FK_TLV_PROT_INFO_MAGIC & 0xff))
		put16(m->b + 10, (uint32_t)(m->len - m->area));
}

/* An entry of len bytes, its value a pattern (or the bytes of val). */
static void mk_tlv(struct mk *m, uint16_t type, uint16_t len,
		   const uint8_t *val)
{
	put16(m->b + m->len, type);
	put16(m->b + m->len + 2, len);
	m->len += FK_TLV_HDR_SIZE;
	if (type == FK_TLV_SHA256 && !m->sha_off && m->area == m->unprot_off &&
	    m->b[m->area] == (FK_TLV_INFO_MAGIC & 0xff))
		m->sha_off = m->len;
	for (uint16_t i = 0; i < len; i++)
		m->b[m->len + i] = val ? val[i] : (uint8_t)(i + type);
	m->len += len;
}

/* The true SHA-256 of [0, unprot_off) into the first SHA256 TLV. */
static void mk_sha(struct mk *m)
{
	const struct fk_crypto_port *c = &fk_crypto_mbedtls;
	union fk_sha256_state st;

	if (!m->sha_off || m->sha_off + FK_SHA256_SIZE > m->len)
		return;
	c->sha256_init(&st);
	c->sha256_update(&st, m->b, m->unprot_off);
	c->sha256_finish(&st, m->b + m->sha_off);
}

/* An unprotected area: SHA256, then a key TLV and a signature (each
 * left out when its type is 0; key is the value, or NULL for a pattern). */
static void mk_unprot(struct mk *m, uint16_t key_type, uint16_t key_len,
		      const uint8_t *key, uint16_t sig_type, uint16_t sig_len)
{
	mk_area(m, FK_TLV_INFO_MAGIC);
	mk_tlv(m, FK_TLV_SHA256, 32, NULL);
	if (key_type)
		mk_tlv(m, key_type, key_len, key);
	if (sig_type)
		mk_tlv(m, sig_type, sig_len, NULL);
	mk_close(m);
}

/* The usual one: the KEYHASH of the P-256 key, an ECDSA signature. */
static void mk_usual_unprot(struct mk *m)
{
	mk_unprot(m, FK_TLV_KEYHASH, 32, ikeys[0].hash, FK_TLV_ECDSA_SIG, 72);
}

/* Counts a verdict (codes[-rc]). */
static void tally(unsigned codes[64], int rc)
{
	assert_true(rc <= 0 && rc > -64);
	codes[-rc]++;
}

static void test_lite_agrees_on_hostile_tlv_areas(void **state)
{
	/* a key TLV (naming reference key key) and a signature */
	static const struct {
		const char *name;
		uint16_t key_type, key_len, key, sig_type, sig_len;
	} sigs[] = {
		{ "ECDSA signature of 257 bytes", FK_TLV_KEYHASH, 32, 0,
		  FK_TLV_ECDSA_SIG, 257 },
		{ "ECDSA signature of 200 bytes", FK_TLV_KEYHASH, 32, 0,
		  FK_TLV_ECDSA_SIG, 200 },
		{ "PUBKEY of another length", FK_TLV_PUBKEY, 90, 0,
		  FK_TLV_ECDSA_SIG, 72 },
		{ "PUBKEY", FK_TLV_PUBKEY, 91, 0, FK_TLV_ECDSA_SIG, 72 },
		{ "RSA key, Ed25519 signature", FK_TLV_KEYHASH, 32, 2,
		  FK_TLV_ED25519, 64 },
		{ "Ed25519 key, bad signature", FK_TLV_KEYHASH, 32, 1,
		  FK_TLV_ED25519, 64 },
		{ "RSA-3072 key, bad signature", FK_TLV_KEYHASH, 32, 3,
		  FK_TLV_RSA3072_PSS, 384 },
		{ "RSA-2048 key, bad signature", FK_TLV_KEYHASH, 32, 2,
		  FK_TLV_RSA2048_PSS, 256 },
	};
	static const int want[] = { FK_OK,     FK_EBADIMG, FK_ESIG,   FK_EKEY,
				    FK_ENOSPC, FK_ENOTSUP, FK_EDIGEST };
	unsigned cases = 0, codes[64] = { 0 };
	struct mk m;

	(void)state;
#define CASE(name, ...)                                             \
	do {                                                        \
		__VA_ARGS__;                                        \
		mk_sha(&m);                                         \
		tally(codes, compare(m.b, m.len, 0, name));         \
		tally(codes, compare(m.b, m.len, KEY_COUNT, name)); \
		compare_both(m.b, sizeof(m.b), name);               \
		cases++;                                            \
	} while (0)

	CASE("digest only", mk_start(&m, 40, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL); mk_close(&m));
	CASE("no payload, empty protected area", mk_start(&m, 0, 0);
	     mk_area(&m, 0x6908); mk_close(&m); mk_usual_unprot(&m));
	CASE("zero-length unprotected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6907); put16(m.b + m.area + 2, 0));
	CASE("unprotected total 3", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     put16(m.b + m.area + 2, 3));
	CASE("protected total 0 with 0x6908", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_close(&m); put16(m.b + 10, 0);
	     put16(m.b + m.area + 2, 0); mk_usual_unprot(&m));
	CASE("unannounced protected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL);
	     mk_close(&m); put16(m.b + 10, 0); mk_usual_unprot(&m));
	CASE("protect_tlv_size disagrees", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL);
	     mk_close(&m); put16(m.b + 10, 12); mk_usual_unprot(&m));
	CASE("protected total overlaps the unprotected area",
	     mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL);
	     mk_close(&m); mk_usual_unprot(&m); put16(m.b + 10, 16);
	     put16(m.b + m.prot_off + 2, 16));
	CASE("entry past the protected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL);
	     mk_close(&m); put16(m.b + m.prot_off + 6, 9); mk_usual_unprot(&m));
	CASE("entry past the end", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     put16(m.b + m.len - 74, 300));
	CASE("entry length 0xffff", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     put16(m.b + m.len - 74, 0xffff));
	CASE("3 stray bytes at the end of an area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6907); mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     m.len += 3; mk_close(&m));
	CASE("two SHA256", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL); mk_close(&m));
	CASE("SHA256 and SHA384", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     mk_tlv(&m, FK_TLV_SHA384, 48, NULL); mk_close(&m));
	CASE("SHA512 only", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA512, 64, NULL); mk_close(&m));
	CASE("SHA512 then a bad TLV", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA512, 64, NULL);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL); mk_close(&m));
	CASE("no digest", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, 0xa0, 4, NULL); mk_close(&m));
	CASE("SHA256 in the protected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     mk_close(&m); mk_area(&m, 0x6907); mk_close(&m));
	CASE("SEC_CNT unprotected", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL); mk_close(&m));
	CASE("SEC_CNT of 5 bytes", mk_start(&m, 8, 0); mk_area(&m, 0x6908);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 5, NULL); mk_close(&m);
	     mk_usual_unprot(&m));
	CASE("two SEC_CNT", mk_start(&m, 8, 0); mk_area(&m, 0x6908);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 4, NULL); mk_close(&m);
	     mk_usual_unprot(&m));
	CASE("five dependencies", mk_start(&m, 8, 0); mk_area(&m, 0x6908);
	     for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_close(&m); mk_usual_unprot(&m));
	CASE("five dependencies then a bad TLV", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_tlv(&m, FK_TLV_SEC_CNT, 3, NULL); mk_close(&m);
	     mk_usual_unprot(&m));
	CASE("a bad TLV then five dependencies", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); mk_tlv(&m, FK_TLV_FK_HW_ID, 3, NULL);
	     for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_close(&m); mk_usual_unprot(&m));
	CASE("five dependencies, SHA512", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_close(&m); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA512, 64, NULL); mk_close(&m));
	/* fk_image_parse() places both areas before it walks an entry */
	CASE("five dependencies, bad unprotected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_close(&m); mk_usual_unprot(&m); m.b[m.unprot_off] ^= 1);
	CASE("fifth dependency past the protected area", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6908); for (int i = 0; i < 5; i++)
		     mk_tlv(&m, FK_TLV_DEPENDENCY, 12, NULL);
	     mk_close(&m); put16(m.b + 10, (uint32_t)(m.len - m.area - 4));
	     put16(m.b + m.area + 2, (uint32_t)(m.len - m.area - 4));
	     m.len -= 4; mk_usual_unprot(&m));
	CASE("KEYHASH of 48 beside SHA256", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6907); mk_tlv(&m, FK_TLV_SHA256, 32, NULL);
	     mk_tlv(&m, FK_TLV_KEYHASH, 48, NULL); mk_close(&m));
	CASE("KEYHASH of 32 beside SHA384", mk_start(&m, 8, 0);
	     mk_area(&m, 0x6907); mk_tlv(&m, FK_TLV_SHA384, 48, NULL);
	     mk_tlv(&m, FK_TLV_KEYHASH, 32, NULL); mk_close(&m));
	CASE("KEYHASH and PUBKEY", mk_start(&m, 8, 0);
	     mk_unprot(&m, FK_TLV_KEYHASH, 32, ikeys[0].hash, 0, 0);
	     m.area = m.unprot_off; mk_tlv(&m, FK_TLV_PUBKEY, 91, ikeys[0].der);
	     mk_close(&m));
	CASE("two signatures", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     m.area = m.unprot_off; mk_tlv(&m, FK_TLV_ED25519, 64, NULL);
	     mk_close(&m));
	CASE("no signature", mk_start(&m, 8, 0);
	     mk_unprot(&m, FK_TLV_KEYHASH, 32, ikeys[0].hash, 0, 0));
	CASE("no key TLV", mk_start(&m, 8, 0);
	     mk_unprot(&m, 0, 0, NULL, FK_TLV_ECDSA_SIG, 70));
	CASE("ECDSA224", mk_start(&m, 8, 0);
	     mk_unprot(&m, FK_TLV_KEYHASH, 32, ikeys[0].hash, FK_TLV_ECDSA224,
		       56));
	CASE("SIG_PURE", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     m.area = m.unprot_off; mk_tlv(&m, FK_TLV_SIG_PURE, 0, NULL);
	     mk_close(&m));
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		const struct fk_image_key *k = &ikeys[sigs[i].key];

		CASE(sigs[i].name, mk_start(&m, 8, 0);
		     mk_unprot(&m, sigs[i].key_type, sigs[i].key_len,
			       sigs[i].key_type == FK_TLV_PUBKEY ? k->der :
								   k->hash,
			       sigs[i].sig_type, sigs[i].sig_len));
	}
	CASE("encrypted AES-128", mk_start(&m, 8, FK_IMAGE_F_ENCRYPTED_AES128);
	     mk_usual_unprot(&m));
	CASE("both AES flags", mk_start(&m, 8, 0xc); mk_usual_unprot(&m));
	CASE("both AES flags, SHA384", mk_start(&m, 8, 0xc);
	     mk_area(&m, 0x6907); mk_tlv(&m, FK_TLV_SHA384, 48, NULL);
	     mk_close(&m));
	CASE("SHA384 alone", mk_start(&m, 8, 0); mk_area(&m, 0x6907);
	     mk_tlv(&m, FK_TLV_SHA384, 48, NULL); mk_close(&m));
	CASE("ENC_KW twice", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     m.area = m.unprot_off; mk_tlv(&m, FK_TLV_ENC_KW, 24, NULL);
	     mk_tlv(&m, FK_TLV_ENC_KW, 24, NULL); mk_close(&m));
	CASE("BOOT_RECORD empty", mk_start(&m, 8, 0); mk_area(&m, 0x6908);
	     mk_tlv(&m, FK_TLV_BOOT_RECORD, 0, NULL); mk_close(&m);
	     mk_usual_unprot(&m));
	CASE("unknown TLVs everywhere", mk_start(&m, 8, 0); mk_area(&m, 0x6908);
	     mk_tlv(&m, 0x1234, 0, NULL); mk_tlv(&m, 0xa0, 9, NULL);
	     mk_close(&m); mk_area(&m, 0x6907); mk_tlv(&m, 0x77, 1, NULL);
	     mk_tlv(&m, FK_TLV_SHA256, 32, NULL); mk_tlv(&m, 0x110, 5, NULL);
	     mk_close(&m));
	CASE("hdr_size 31", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     put16(m.b + 8, 31));
	CASE("img_size past the end", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     put32(m.b + 12, 0xfffffff0));
	CASE("hdr_size + img_size wraps", mk_start(&m, 8, 0);
	     mk_usual_unprot(&m); put16(m.b + 8, 0xffff);
	     put32(m.b + 12, 0xffff0002));
	CASE("bad magic", mk_start(&m, 8, 0); mk_usual_unprot(&m); m.b[0] ^= 1);
	CASE("digest wrong", mk_start(&m, 8, 0); mk_usual_unprot(&m);
	     m.sha_off = 0);
#undef CASE
	print_message("%u hostile images\n", cases);
	/* each verdict was reached (each check ran) */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(codes[-want[i]] > 0);
}

/* A deterministic xorshift, for the random TLV areas. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* TLV types with their usual lengths, and where they usually are. */
static const struct {
	uint16_t type, len;
	bool prot;
} vocab[] = {
	{ FK_TLV_KEYHASH, 32, 0 },
	{ FK_TLV_KEYHASH, 48, 0 },
	{ FK_TLV_PUBKEY, 91, 0 },
	{ FK_TLV_SHA256, 32, 0 },
	{ FK_TLV_SHA256, 32, 0 },
	{ FK_TLV_SHA384, 48, 0 },
	{ FK_TLV_SHA512, 64, 0 },
	{ FK_TLV_RSA2048_PSS, 256, 0 },
	{ FK_TLV_ECDSA224, 56, 0 },
	{ FK_TLV_ECDSA_SIG, 72, 0 },
	{ FK_TLV_ECDSA_SIG, 71, 0 },
	{ FK_TLV_RSA3072_PSS, 384, 0 },
	{ FK_TLV_ED25519, 64, 0 },
	{ FK_TLV_SIG_PURE, 0, 0 },
	{ FK_TLV_ENC_RSA2048, 256, 0 },
	{ FK_TLV_ENC_KW, 24, 0 },
	{ FK_TLV_ENC_EC256, 113, 0 },
	{ FK_TLV_ENC_X25519, 80, 0 },
	{ FK_TLV_ENC_X25519_SHA512, 80, 0 },
	{ FK_TLV_DEPENDENCY, 12, 1 },
	{ FK_TLV_DEPENDENCY, 12, 1 },
	{ FK_TLV_SEC_CNT, 4, 1 },
	{ FK_TLV_BOOT_RECORD, 10, 1 },
	{ FK_TLV_FK_IMAGE_ID, 4, 1 },
	{ FK_TLV_FK_HW_ID, 4, 1 },
	{ 0xa0, 5, 1 },
	{ 0x99, 0, 0 },
	{ 0x3410, 3, 0 },
};
#define VOCAB (sizeof(vocab) / sizeof(vocab[0]))

/* Puts a random entry into the open area (prot: the protected one). */
static void random_tlv(struct mk *m, bool prot, uint32_t *s)
{
	uint32_t v = rnd(s) % VOCAB, how = rnd(s) % 16;
	uint16_t len = vocab[v].len;
	const uint8_t *val = NULL;
	uint32_t k = rnd(s) % KEY_COUNT;

	if (how == 0)
		len = (uint16_t)(len + 1);
	else if (how == 1 && len)
		len = (uint16_t)(len - 1);
	else if (how == 2)
		len = (uint16_t)(rnd(s) % 70);
	if (vocab[v].prot != prot && rnd(s) % 4)
		return; /* mostly in its own area */
	if (vocab[v].type == FK_TLV_KEYHASH && len <= FK_DIGEST_MAX)
		val = ikeys[k].hash;
	if (vocab[v].type == FK_TLV_PUBKEY && len <= ikeys[k].der_len)
		val = ikeys[k].der;
	if (m->len + FK_TLV_HDR_SIZE + len > sizeof(m->b) - 64)
		return;
	mk_tlv(m, vocab[v].type, len, val);
}

static void random_image(struct mk *m, uint32_t *s)
{
	uint32_t n;

	mk_start(m, rnd(s) % 40, rnd(s) % 8 ? 0 : rnd(s) & 0x0c);
	if (rnd(s) % 2) {
		mk_area(m, 0x6908);
		for (n = rnd(s) % 7; n; n--)
			random_tlv(m, true, s);
		/* now and then more dependencies than are recorded */
		for (n = rnd(s) % 8 ? 0 : FK_IMAGE_MAX_DEPS + 1; n; n--)
			mk_tlv(m, FK_TLV_DEPENDENCY, 12, NULL);
		mk_close(m);
	}
	mk_area(m, 0x6907);
	if (rnd(s) % 8)
		mk_tlv(m, FK_TLV_SHA256, 32, NULL);
	for (n = rnd(s) % 5; n; n--)
		random_tlv(m, false, s);
	mk_close(m);
	mk_sha(m);
	/* now and then a lie in a size or a stray byte */
	switch (rnd(s) % 12) {
	case 0:
		put16(m->b + 10, rnd(s) % 64);
		break;
	case 1:
		m->b[m->prot_off + rnd(s) % (m->len - m->prot_off)] ^=
			(uint8_t)(1u << rnd(s) % 8);
		break;
	case 2:
		m->len -= rnd(s) % 8;
		break;
	}
}

static void test_lite_agrees_on_random_tlv_areas(void **state)
{
	static struct mk m;
	uint32_t s = 0x2545f491;
	unsigned ok = seen.ok, n;

	(void)state;
	for (n = 0; n < 3000; n++) {
		random_image(&m, &s);
		compare_both(m.b, m.len, "random");
	}
	print_message("%u random images, %u valid\n", n, seen.ok - ok);
	assert_true(seen.ok - ok > 50);
}

static int setup(void **state)
{
	(void)state;
	load_ref_keys(key_files, KEY_COUNT, keys, ikeys);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_keys(keys, KEY_COUNT);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lite_agrees_on_every_reference_image),
		cmocka_unit_test(test_lite_accepts_the_valid_reference_images),
		cmocka_unit_test(test_lite_refuses_sha384_and_encrypted_images),
		cmocka_unit_test(
			test_lite_refuses_bad_arguments_and_missing_crypto),
		cmocka_unit_test(test_lite_without_signatures_refuses_keys),
		cmocka_unit_test(
			test_lite_agrees_on_signed_images_of_every_kind),
		cmocka_unit_test(test_lite_agrees_after_every_bit_flip),
		cmocka_unit_test(test_lite_agrees_on_every_truncation),
		cmocka_unit_test(test_lite_agrees_on_hostile_tlv_areas),
		cmocka_unit_test(test_lite_agrees_on_random_tlv_areas),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
