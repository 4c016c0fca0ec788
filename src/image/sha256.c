/*
 * SHA-256 (FIPS 180-4) in portable C, as a crypto port with no signature
 * checks: fk_crypto_builtin (flashkit/crypto.h). A bootloader that checks
 * digests only needs no crypto library, and fk_boot() uses it when the
 * configuration gives no keys. Byte order is handled explicitly, so the
 * code is the same on any endianness; nothing is kept between calls but
 * the caller's state.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crypto.h"

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* message bytes so far */
	uint32_t used;	/* bytes waiting in block */
	uint8_t block[64];
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

/* One 64-byte block. The message schedule is kept as a ring of its last
 * 16 words (w[i & 15]): 64 bytes of stack instead of 256. */
static void compress(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[16], v[8];

	memcpy(v, s->h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t x = i < 16 ? fk_be32(p + 4 * i) : w[i & 15];

		if (i >= 16) {
			uint32_t a = w[(i - 15) & 15], b = w[(i - 2) & 15];

			x += (ror(a, 7) ^ ror(a, 18) ^ a >> 3) +
			     w[(i - 7) & 15] +
			     (ror(b, 17) ^ ror(b, 19) ^ b >> 10);
		}
		w[i & 15] = x;
		uint32_t t1 = v[7] +
			      (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + k256[i] + x;
		uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));

		for (int k = 7; k > 0; k--)
			v[k] = v[k - 1];
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		s->h[i] += v[i];
}

int fk_builtin_sha256_init(union fk_sha256_state *st)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	struct sha256 *s = (struct sha256 *)st->bytes;

	memcpy(s->h, h0, sizeof(h0));
	s->bytes = 0;
	s->used = 0;
	return 0;
}

int fk_builtin_sha256_update(union fk_sha256_state *st, const void *data,
			     size_t len)
{
	struct sha256 *s = (struct sha256 *)st->bytes;
	const uint8_t *p = data;

	s->bytes += len;
	while (len > 0) {
		size_t n = 64 - s->used < len ? 64 - s->used : len;

		memcpy(s->block + s->used, p, n);
		s->used += (uint32_t)n;
		p += n;
		len -= n;
		if (s->used == 64) {
			compress(s, s->block);
			s->used = 0;
		}
	}
	return 0;
}

int fk_builtin_sha256_finish(union fk_sha256_state *st,
			     uint8_t out[FK_SHA256_SIZE])
{
	struct sha256 *s = (struct sha256 *)st->bytes;
	uint64_t bits = s->bytes * 8;
	uint8_t pad[72] = { 0x80 };
	size_t n = (s->used < 56 ? 56 : 120) - s->used;

	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	fk_builtin_sha256_update(st, pad, n + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
	return 0;
}

const struct fk_crypto_port fk_crypto_builtin = {
	.sha256_init = fk_builtin_sha256_init,
	.sha256_update = fk_builtin_sha256_update,
	.sha256_finish = fk_builtin_sha256_finish,
};
