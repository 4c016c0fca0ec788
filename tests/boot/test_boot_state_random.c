/*
 * The boot-state fuzz target (fuzz/fuzz_boot_state.c) on 3000 seeded
 * random inputs, so `make check` runs it without clang: arbitrary bytes
 * and arbitrary CRC-valid record sequences in the state sector, for each
 * strategy. The target aborts when the bootloader starts anything but
 * the old or the new image, writes the protected bootloader, or fails
 * without calling the recovery hook.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../fuzz/fuzz_boot_state.c"

int main(void)
{
	static uint8_t input[1200];
	uint64_t x = 0x243F6A8885A308D3ull;
	unsigned count = 3000;

	for (unsigned r = 0; r < count; r++) {
		size_t size = 1 + (size_t)(x % sizeof(input));

		for (size_t i = 0; i < size; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			input[i] = (uint8_t)x;
		}
		/* records mode half of the time, sparse records often */
		if (r % 2)
			input[0] |= 0x80;
		LLVMFuzzerTestOneInput(input, size);
	}
	printf("boot state: %u random logs, every boot started the old or "
	       "the new image or called recovery\n", count);
	return 0;
}
