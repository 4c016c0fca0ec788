/*
 * The built-in SHA-256 (fk_crypto_builtin, src/image/sha256.c): the FIPS
 * 180-4 example vectors, and the same digest as the mbedTLS port for every
 * length around the block and padding boundaries, fed in pieces of every
 * size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fk_crypto_mbedtls.h"
#include "flashkit/crypto.h"

static void digest(const struct fk_crypto_port *c, const uint8_t *d,
		   size_t len, size_t piece, uint8_t out[32])
{
	union fk_sha256_state st;

	assert_int_equal(c->sha256_init(&st), 0);
	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;

		assert_int_equal(c->sha256_update(&st, d + off, n), 0);
	}
	assert_int_equal(c->sha256_finish(&st, out), 0);
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		out[2 * i] = "0123456789abcdef"[d[i] >> 4],
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	out[64] = 0;
}

static void test_fips_180_4_examples(void **state)
{
	static const char *const msg[] = {
		"", "abc",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	};
	static const char *const want[] = {
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	};
	static uint8_t million[1000000];
	uint8_t d[32];
	char h[65];

	(void)state;
	for (int i = 0; i < 3; i++) {
		digest(&fk_crypto_builtin, (const uint8_t *)msg[i],
		       strlen(msg[i]), 7, d);
		hex(d, h);
		assert_string_equal(h, want[i]);
	}
	memset(million, 'a', sizeof(million));
	digest(&fk_crypto_builtin, million, sizeof(million), 4096, d);
	hex(d, h);
	assert_string_equal(
		h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_same_digest_as_mbedtls_at_every_boundary(void **state)
{
	uint8_t data[300], a[32], b[32];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len <= sizeof(data); len++) {
		for (size_t piece = 1; piece <= 70; piece += 23) {
			digest(&fk_crypto_builtin, data, len, piece, a);
			digest(&fk_crypto_mbedtls, data, len, 64, b);
			assert_memory_equal(a, b, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_180_4_examples),
		cmocka_unit_test(test_same_digest_as_mbedtls_at_every_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
