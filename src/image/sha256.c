/*
 * SHA-256 (FIPS 180-4) in portable C, as a crypto port with no signature
 * checks: fk_crypto_builtin (flashkit/crypto.h). A bootloader that checks
 * digests only needs no crypto library, and fk_boot() uses it when the
 * configuration gives no keys. Byte order is handled explicitly, so the
 * code is the same on any endianness; nothing is kept between calls but
 * the caller's state.
 */
#include <string.h>

#include "flashkit/crypto.h"

/* Between blocks v is compress()'s window for its first round: v[0..7]
 * the chaining value, which the working variables h, g, ..., a start
 * from (v[0] = H7, ..., v[7] = H0), and v[8..23] the block, its byte n
 * shifted into v[8 + n / 4]: the big-endian W[0..15] once it is full. */
struct sha256 {
	uint32_t v[24];
	uint64_t bytes; /* message bytes so far; bytes % 64 are in the block */
};

/* The sizes FK_SHA256_STATE_SIZE promises. */
typedef char sha256_state_fits
	[sizeof(struct sha256) <= sizeof(union fk_sha256_state) ? 1 : -1];

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* FIPS 180-4's Sigma and sigma functions: c >= 32 rotates by c - 32. */
static uint32_t sigma(uint32_t x, unsigned a, unsigned b, unsigned c)
{
	return ror(x, a) ^ ror(x, b) ^ (c < 32 ? x >> c : ror(x, c - 32));
}

/*
 * One block. Round i reads a window v of 24 words: v[0..7] the working
 * variables h, g, ..., a, v[8..23] the schedule's words W[i..i+15]. It
 * writes the new a over W[i] (v[8]), adds T1 to d (v[4]) and puts
 * W[i+16] behind the window (v[24]); then the window moves up one word,
 * so that the old a is b, ..., d + T1 is e, g is h, and W[i+1] is first.
 * Every 8 rounds the window is copied to the start of x (the first time
 * from the state). A ring of 16 schedule words beside a shift of the 8
 * variables takes more code; a shift of all 24 words every round, twice
 * the instructions.
 */
static void compress(struct sha256 *s)
{
	uint32_t x[32], *v = s->v;

	for (int i = 0; i < 64; i++, v++) {
		if (!(i & 7)) {
			for (int j = 0; j < 24; j++)
				x[j] = v[j];
			v = x;
		}
		uint32_t a = v[7], e = v[3];
		uint32_t t1 = v[0] + sigma(e, 6, 11, 57) +
			      ((e & v[2]) ^ (~e & v[1])) + k256[i] + v[8];
		uint32_t t2 = sigma(a, 2, 13, 54) +
			      ((a & v[6]) ^ (a & v[5]) ^ (v[6] & v[5]));

		v[24] = sigma(v[22], 17, 19, 10) + v[17] +
			sigma(v[9], 7, 18, 3) + v[8];
		v[8] = t1 + t2;
		v[4] += t1;
	}
	for (int i = 0; i < 8; i++)
		s->v[i] += v[i];
}

int fk_builtin_sha256_init(union fk_sha256_state *st)
{
	static const uint32_t h0[8] = {
		0x5be0cd19, 0x1f83d9ab, 0x9b05688c, 0x510e527f,
		0xa54ff53a, 0x3c6ef372, 0xbb67ae85, 0x6a09e667,
	};
	struct sha256 *s = (struct sha256 *)st->bytes;

	memcpy(s->v, h0, sizeof(h0));
	s->bytes = 0;
	return 0;
}

int fk_builtin_sha256_update(union fk_sha256_state *st, const void *data,
			     size_t len)
{
	struct sha256 *s = (struct sha256 *)st->bytes;
	const uint8_t *p = data;

	while (len--) {
		uint32_t n = (uint32_t)s->bytes++ & 63;
		uint32_t *w = &s->v[8 + n / 4];

		*w = *w << 8 | *p++;
		if (n == 63)
			compress(s);
	}
	return 0;
}

/* The padding: 0x80 and the zeros that leave 8 bytes to the end of a
 * block, fed a byte at a time, then the message's length in bits as the
 * block's last two words. */
int fk_builtin_sha256_finish(union fk_sha256_state *st,
			     uint8_t out[FK_SHA256_SIZE])
{
	struct sha256 *s = (struct sha256 *)st->bytes;
	uint64_t bits = s->bytes * 8;
	uint8_t b = 0x80;

	do {
		fk_builtin_sha256_update(st, &b, 1);
		b = 0;
	} while ((s->bytes & 63) != 56);
	s->v[22] = (uint32_t)(bits >> 32);
	s->v[23] = (uint32_t)bits;
	compress(s);
	for (int k = 32; k--;)
		*out++ = (uint8_t)(s->v[k >> 2] >> (k & 3) * 8);
	return 0;
}

const struct fk_crypto_port fk_crypto_builtin = {
	.sha256_init = fk_builtin_sha256_init,
	.sha256_update = fk_builtin_sha256_update,
	.sha256_finish = fk_builtin_sha256_finish,
};
