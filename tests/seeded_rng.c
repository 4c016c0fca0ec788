/*
 * A seeded stand-in for host/image/rng.c, for test programs only: the
 * host's random generator (fk_rng_start) seeded from xorshift64
 * (test_rand.h) over a fixed seed instead of the platform's entropy, so
 * that the AES key of each encrypted image, the ECIES ephemeral keys and
 * the OAEP and PSS padding come out the same on every run, and with them
 * the images and a power-cut sweep's case counts.
 *
 * The stream runs on across seeds (one per image, per key wrap, per
 * signature), so two images of one run still get different AES keys, as
 * they would in production; only the run as a whole repeats.
 *
 * A test program gets it by linking the object library
 * fk_test_seeded_rng (tests/CMakeLists.txt); the linker then never takes
 * rng.o from fk_host's archive. The flashkit command never links it:
 * tests/image/test_rng_production.sh checks that the built tool has no
 * fk_test_rng_state and makes a different AES key on every run.
 */
#include <stddef.h>
#include <stdint.h>

#include "image/keyfile.h"
#include "test_rand.h"

/* The stream's state (never 0); its name marks a binary holding this
 * file. */
extern uint64_t fk_test_rng_state;
uint64_t fk_test_rng_state = 0x666c6173686b6974ull; /* "flashkit" */

static int seeded_entropy(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)fk_test_rand(&fk_test_rng_state, 256);
	return 0;
}

int fk_rng_seed(struct fk_rng *r)
{
	static const char pers[] = "flashkit test";

	return mbedtls_ctr_drbg_seed(&r->drbg, seeded_entropy, NULL,
				     (const unsigned char *)pers, sizeof(pers));
}
