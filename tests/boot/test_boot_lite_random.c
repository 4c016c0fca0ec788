/*
 * The lite core against the full one on the boot-state fuzz target's
 * kind of input (fuzz/fuzz_boot_state.c, 3000 seeded inputs as
 * test_boot_state_random runs): the same state sector (random bytes, or
 * CRC-valid records of any type, image and argument after a header), the
 * same device (old image running, new one uploaded and marked), two boots
 * by fk_boot() and, from the same start, two by fk_boot_lite(). The lite
 * core must pass the fuzz target's own checks (only the old or the new
 * image started, or recovery; the bootloader never written), and decide
 * as fk_boot() does: start the same image (or both go to recovery), leave
 * the same phase, and leave the primary slot and the staging slot holding
 * the same bytes.
 *
 * Random records seldom reach an install's later phases, so the same is
 * done with lives: the real log of the upload, then the records of a
 * mark and an install cut short anywhere (PENDING, START, STEP SAVED and PLACED
 * of each group, INSTALLED, ATTEMPTs, RSTEPs, CONFIRMED or REVERTED, with
 * arguments near the real ones), with now and then a torn slot, a record
 * out of phase or one of image 1. The slots' contents do not follow the
 * records. OVERWRITE (which copies from the staging slot again whatever
 * the log says) and XIP (which copies nothing) must still decide as
 * fk_boot() does. A SWAP log that says groups were saved or placed when
 * they were not is a state no power cut leaves: there the lite core must
 * pass the fuzz target's checks only, and the lives where it chose
 * otherwise are counted (fk_boot() reads the image headers of the
 * half-swapped slots to find decryption keys, and goes to recovery when
 * they do not parse; the lite core, which decrypts nothing, goes on with
 * the copy and validates what it boots).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../fuzz/fuzz_boot_state.c"
#include "../../fuzz/boot_lite_diff.h"
#include "test_rand.h"

static uint64_t lx = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	return fk_test_rand(&lx, n);
}

static void rnd_restart(uint64_t seed)
{
	lx = seed;
}

static const char *const names[] = { "overwrite", "swap", "xip" };

static unsigned lives(void)
{
	unsigned disagree = 0, count = 0, phases[5] = { 0 };
	unsigned swap_other = 0;

	for (uint32_t which = 0; which < 3; which++) {
		/* the rig is built by its first input */
		LLVMFuzzerTestOneInput((const uint8_t[]){ (uint8_t)which }, 1);
		probe_start(which);
		for (uint64_t k = 0; k < 1500; k++, count++) {
			uint64_t seed = (k + 1) * 0x2545F4914F6CDD1Dull + which;
			const char *only = getenv("FK_LITE_LIFE");

			verbose = only && strtoull(only, NULL, 10) == k;
			struct outcome f = run_life(which, seed, NULL);
			struct outcome l = run_life(which, seed, fk_boot_lite);
			const char *why = differs(&f, &l, &rigs[which].cfg);

			if (*why && which == 1) {
				swap_other++;
				why = "";
			}
			if (*why && disagree++ < 5)
				printf("life %llu (%s): the lite core %s: "
				       "full jumped %d recovery %d phase %d, "
				       "lite jumped %d recovery %d phase %d\n",
				       (unsigned long long)k, names[which], why,
				       f.jumped, f.recovery, f.status.phase,
				       l.jumped, l.recovery, l.status.phase);
			phases[f.status.phase]++;
			release(&f);
			release(&l);
		}
	}
	printf("%u install lives cut short, booted twice by each core (left "
	       "idle %u, trial %u, reverting %u): %u disagreements on "
	       "OVERWRITE and XIP; SWAP, logs that do not match the slots: "
	       "%u lives where the lite core chose otherwise, safely\n",
	       count, phases[FK_BOOT_IDLE], phases[FK_BOOT_TRIAL],
	       phases[FK_BOOT_REVERTING], disagree, swap_other);
	return disagree;
}

int main(void)
{
	static uint8_t input[1200];
	unsigned count = 3000, disagree = 0, recovered = 0, new_booted = 0;

	for (unsigned r = 0; r < count; r++) {
		size_t size = 1 + rnd(sizeof(input));
		struct outcome f, l;
		const char *why;

		for (size_t i = 0; i < size; i++)
			input[i] = (uint8_t)rnd(256);
		if (r % 2)
			input[0] |= 0x80;
		f = run(input, size, NULL);
		l = run(input, size, fk_boot_lite);
		why = differs(&f, &l, &rigs[input[0] % 3].cfg);
		if (*why && disagree++ < 5)
			printf("input %u (%s, %s log): the lite core %s: full "
			       "jumped %d recovery %d phase %d, lite jumped %d "
			       "recovery %d phase %d\n",
			       r, names[input[0] % 3],
			       input[0] & 0x80 ? "records" : "raw", why,
			       f.jumped, f.recovery, f.status.phase, l.jumped,
			       l.recovery, l.status.phase);
		recovered += f.recovery;
		new_booted += f.jumped == 2;
		release(&f);
		release(&l);
	}
	printf("boot state: %u random logs, each booted twice by fk_boot() "
	       "and by fk_boot_lite() (%u new image, %u recovery): %u "
	       "disagreements\n",
	       count, new_booted, recovered, disagree);
	disagree += lives();
	return disagree ? 1 : 0;
}
