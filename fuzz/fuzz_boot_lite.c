/*
 * libFuzzer target: the lite boot core (fk_boot_lite(), src/boot/lite.c
 * and its log replay lite_state.c) against fk_boot() on a device that
 * runs an old image and has a new one uploaded. The first input byte
 * picks the strategy (its value mod 3: overwrite, swap, xip) and what the
 * state sector holds:
 *
 *   bits 7-6 = 01  an install's life (boot_lite_diff.h): the real log of
 *                  the upload, then the records of a mark and an install
 *                  cut short, its choices (where it stops, which records,
 *                  noise) taken from the following bytes;
 *   otherwise      fuzz_boot_state.c's input: raw bytes, or CRC-valid
 *                  records of any type made from them (bit 7).
 *
 * Each input is booted twice by fk_boot() and, from the same start, twice
 * by fk_boot_lite(). Both must pass the boot-state target's checks (only
 * the old or the new image started, or the recovery hook; the bootloader
 * never written), and the lite core must decide as fk_boot() does: the
 * same image started (or both in recovery), the same phase left, the same
 * bytes in the primary and the staging slot. The one exception is
 * test_boot_lite_random's: a SWAP life says groups were saved or placed
 * when they were not, a state no power cut leaves, and there the lite
 * core need only pass the checks. Aborts on the first difference.
 */
#include <stdio.h>

#define LLVMFuzzerTestOneInput boot_state_input
#include "fuzz_boot_state.c"
#undef LLVMFuzzerTestOneInput
#define BOOT_STATE_INPUT boot_state_input
#include "boot_lite_diff.h"

/* A life's choices: the input's bytes after the first, then 1s (which
 * add no noise). */
static const uint8_t *life_in;
static size_t life_len, life_pos;

static uint32_t rnd(uint32_t n)
{
	uint32_t v = life_pos < life_len ? life_in[life_pos++] : 1;

	return v % n;
}

static void rnd_restart(uint64_t seed)
{
	(void)seed;
	life_pos = 0;
}

/* The life of the input's bytes on strategy which, by each core. */
static void lives(uint32_t which, const uint8_t *data, size_t size,
		  struct outcome *f, struct outcome *l)
{
	static bool probed[3];

	if (!probed[which]) {
		/* the rig is built by its first input */
		boot_state_input((const uint8_t[]){ (uint8_t)which }, 1);
		life_len = 0;
		probe_start(which);
		probed[which] = true;
	}
	life_in = data + 1;
	life_len = size - 1;
	*f = run_life(which, 0, NULL);
	*l = run_life(which, 0, fk_boot_lite);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t which;
	struct outcome f, l;
	const char *why;
	bool life;

	if (size < 1)
		return 0;
	which = data[0] % 3;
	life = (data[0] & 0xC0) == 0x40;
	if (life) {
		lives(which, data, size, &f, &l);
	} else {
		f = run(data, size, NULL);
		l = run(data, size, fk_boot_lite);
	}
	why = differs(&f, &l, &rigs[which].cfg);
	if (*why && !(life && which == 1)) {
		fprintf(stderr,
			"fuzz_boot_lite: the lite core %s (%s): full jumped %d "
			"recovery %d phase %d, lite jumped %d recovery %d "
			"phase %d\n",
			why, life ? "life" : "log", f.jumped, f.recovery,
			f.status.phase, l.jumped, l.recovery, l.status.phase);
		abort();
	}
	release(&f);
	release(&l);
	return 0;
}
