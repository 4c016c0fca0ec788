/*
 * For the same payload and options, `flashkit image sign` writes the same
 * bytes as imgtool except the randomized signature: same header, same
 * protected TLVs, same unprotected TLVs but the signature's bytes, same
 * trailer. Each case runs the real command line (cmd_image) with the
 * options written in the reference MANIFEST, and compares with the file
 * imgtool made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "commands.h"
#include "image/sign.h"
#include "image_test_util.h"

struct compat_case {
	const char *ref;
	const char *key;
	const char *payload;
	const char *opts[16];
	uint32_t slot_size;  /* padded cases: the trailer is compared */
};

static const struct compat_case cases[] = {
	{ "ecdsa-p256-basic.bin", "ecdsa-p256.pem", "payload-12k.bin",
	  { "-v", "1.2.3+4", "-H", "0x200", "--pad-header", "-S", "0x20000" }, 0 },
	{ "ecdsa-p256-padded-confirmed-align4.bin", "ecdsa-p256.pem",
	  "payload-12k.bin",
	  { "-v", "2.0.0", "-H", "0x200", "--pad-header", "-S", "0x8000",
	    "--align", "4", "--pad", "--confirm" }, 0x8000 },
	{ "ecdsa-p256-padded-test-align8.bin", "ecdsa-p256.pem",
	  "payload-12k.bin",
	  { "-v", "2.0.1", "-H", "0x200", "--pad-header", "-S", "0x8000",
	    "--align", "8", "--pad", "--test" }, 0x8000 },
	{ "rsa2048-basic.bin", "rsa-2048.pem", "payload-12k.bin",
	  { "-v", "3.1.4+1", "-H", "0x200", "--pad-header", "-S", "0x20000" }, 0 },
	{ "ecdsa-p256-seccnt7-dep.bin", "ecdsa-p256.pem", "payload-12k.bin",
	  { "-v", "1.5.0+9", "-s", "7", "-d", "(1,2.3.4+0)", "-H", "0x200",
	    "--pad-header", "-S", "0x20000" }, 0 },
	{ "unsigned-sha256-only.bin", NULL, "payload-3001.bin",
	  { "-v", "1.0.0", "-H", "0x20", "--pad-header", "-S", "0x20000" }, 0 },
	{ "ecdsa-p256-custom-tlv.bin", "ecdsa-p256.pem", "payload-12k.bin",
	  { "-v", "1.2.0", "-H", "0x200", "--pad-header", "-S", "0x20000",
	    "--custom-tlv", "0xa0", "0x12345678", "--custom-tlv", "0xa1",
	    "hello" }, 0 },
	{ "ecdsa-p256-pubkey-full.bin", "ecdsa-p256.pem", "payload-12k.bin",
	  { "-v", "1.2.0", "-H", "0x200", "--pad-header", "-S", "0x20000",
	    "--public-key-format", "full" }, 0 },
	/* SHA384 digest, 48-byte KEYHASH, ECDSA_SIG of a P-384 key */
	{ "ecdsa-p384-basic.bin", "ecdsa-p384.pem", "payload-12k.bin",
	  { "-v", "1.4.0+2", "-H", "0x200", "--pad-header", "-S", "0x20000" }, 0 },
	{ "rsa3072-basic.bin", "rsa-3072.pem", "payload-12k.bin",
	  { "-v", "3.0.0", "-H", "0x200", "--pad-header", "-S", "0x20000" }, 0 },
	/* Ed25519 over the SHA-256 digest: deterministic, so every byte */
	{ "ed25519-basic.bin", "ed25519.pem", "payload-3001.bin",
	  { "-v", "0.9.0+77", "-H", "0x100", "--pad-header", "-S", "0x20000" },
	  0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static char out_path[] = "/tmp/fk-compat-XXXXXX";

static int run_sign(const struct compat_case *c)
{
	char *argv[32];
	char key[1200], payload[1200];
	int argc = 0;

	argv[argc++] = "image";
	argv[argc++] = "sign";
	if (c->key) {
		snprintf(key, sizeof(key), "%s", ref_path(c->key));
		argv[argc++] = "-k";
		argv[argc++] = key;
	}
	for (int i = 0; c->opts[i]; i++)
		argv[argc++] = (char *)c->opts[i];
	snprintf(payload, sizeof(payload), "%s", ref_path(c->payload));
	argv[argc++] = payload;
	argv[argc++] = out_path;
	argv[argc] = NULL;
	return cmd_image(argc, argv);
}

static uint8_t *read_path(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Same unprotected TLVs in the same order with the same values, except
 * the signature's value. */
static void compare_unprotected(const uint8_t *ours, size_t ours_len,
				const uint8_t *theirs, size_t theirs_len)
{
	struct fk_image_info a, b;
	struct fk_memflash ma, mb;
	struct fk_image_tlv_iter ia, ib;
	struct fk_image_tlv ta, tb;
	int ra, rb, n = 0;

	fk_memflash_init(&ma, ours, ours_len);
	fk_memflash_init(&mb, theirs, theirs_len);
	assert_int_equal(fk_image_parse(&ma.area, &a), 0);
	assert_int_equal(fk_image_parse(&mb.area, &b), 0);
	fk_image_tlv_begin(&ia, &ma.area, &a);
	fk_image_tlv_begin(&ib, &mb.area, &b);
	for (;;) {
		ra = fk_image_tlv_next(&ia, &ta);
		rb = fk_image_tlv_next(&ib, &tb);
		assert_int_equal(ra, rb);
		if (ra != 1)
			break;
		assert_int_equal(ta.type, tb.type);
		assert_int_equal(ta.is_protected, tb.is_protected);
		if (ta.type == a.sig_type && !ta.is_protected) {
			n++;
			continue;
		}
		assert_int_equal(ta.len, tb.len);
		assert_memory_equal(ours + ta.off, theirs + tb.off, ta.len);
		n++;
	}
	assert_true(n >= 1);
}

static void test_signed_image_equals_imgtools_but_the_signature(void **state)
{
	struct fk_key key;

	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		const struct compat_case *c = &cases[i];
		struct fk_image_info a, b;
		struct fk_image_key ik;
		size_t ours_len, theirs_len;
		uint8_t *ours, *theirs;

		print_message("%s\n", c->ref);
		assert_int_equal(run_sign(c), 0);
		ours = read_path(out_path, &ours_len);
		theirs = read_ref(c->ref, &theirs_len);
		assert_int_equal(parse_buf(ours, ours_len, &a), 0);
		assert_int_equal(parse_buf(theirs, theirs_len, &b), 0);
		/* Header, payload and protected TLVs: every byte. */
		assert_int_equal(a.unprot_off, b.unprot_off);
		assert_memory_equal(ours, theirs, a.unprot_off);
		compare_unprotected(ours, ours_len, theirs, theirs_len);
		if (c->slot_size) {
			/* Padded: same length, erased up to the trailer
			 * magic and image_ok, which are equal. */
			assert_int_equal(ours_len, c->slot_size);
			assert_int_equal(theirs_len, c->slot_size);
			for (size_t k = a.end; k < ours_len - 64; k++)
				assert_int_equal(ours[k], 0xff);
			for (size_t k = b.end; k < theirs_len - 64; k++)
				assert_int_equal(theirs[k], 0xff);
			assert_memory_equal(ours + ours_len - 64,
					    theirs + theirs_len - 64, 64);
		} else {
			assert_int_equal(ours_len, a.end);
			/* Only the signature's length may differ. */
			assert_int_equal(ours_len - a.sig_len,
					 theirs_len - b.sig_len);
		}
		if (c->key) {
			load_ref_key(&key, c->key);
			fk_key_image_key(&key, &ik);
			assert_int_equal(validate_buf(ours, ours_len, &ik, 1, &a),
					 FK_OK);
			if (key.type == FK_KEY_ED25519)
				assert_memory_equal(ours, theirs, ours_len);
			fk_key_free(&key);
		} else {
			assert_memory_equal(ours, theirs, ours_len);
		}
		free(ours);
		free(theirs);
	}
}

static int setup(void **state)
{
	int fd = mkstemp(out_path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(out_path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_image_equals_imgtools_but_the_signature),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
