/*
 * Where the host's random generator (keyfile.h, fk_rng_start) gets its
 * seed: the platform's entropy (getrandom or /dev/urandom) through
 * mbedTLS, on every start. The generator makes keys, the AES key of each
 * encrypted image, ECIES ephemeral keys, OAEP and PSS padding.
 *
 * This file holds fk_rng_seed and nothing else, so that a test program
 * can link tests/seeded_rng.c in its place (an object file given to the
 * linker wins over an archive member defining the same symbol, and this
 * member is then never taken) and get the same bytes on every run. The
 * flashkit command and the library never link that file:
 * tests/image/test_rng_production.sh checks the built tool.
 */
#include "keyfile.h"

int fk_rng_seed(struct fk_rng *r)
{
	static const char pers[] = "flashkit";

	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->ent,
				     (const unsigned char *)pers, sizeof(pers));
}
