/*
 * Runs the mount fuzz target (fuzz/fuzz_kv_mount.c) on reproducible
 * random inputs, so `make check` covers random and randomly corrupted
 * flash without clang: it aborts on a crash, a corrupted value returned
 * as valid, or a value that does not read back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../fuzz/fuzz_kv_mount.c"

int main(void)
{
	static uint8_t input[4096];
	uint64_t rng = 0xC0FFEE;
	unsigned raw = 0, corrupted = 0;

	for (unsigned n = 0; n < 3000; n++) {
		size_t size = 2 + (size_t)(n * 37u % (sizeof(input) - 2));

		for (size_t i = 0; i < size; i++) {
			rng = rng * 6364136223846793005ull + 1;
			input[i] = (uint8_t)(rng >> 56);
		}
		/* Few flips for most corrupted cases: a store that still
		 * mostly mounts exercises more than noise does. */
		if (!(input[1] & 2) && n % 4)
			size = 2 + 3 * (n % 7);
		LLVMFuzzerTestOneInput(input, size);
		if (input[1] & 2)
			raw++;
		else
			corrupted++;
	}
	printf("kv corrupt: %u raw and %u corrupted stores mounted and read, "
	       "%lu values of corrupted stores verified as written versions; "
	       "no crash, no value that was never written\n", raw, corrupted,
	       values_verified);
	return values_verified > 1000 ? 0 : 1;
}
