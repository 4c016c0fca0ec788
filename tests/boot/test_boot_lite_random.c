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
#include "boot/boot_internal.h"

static uint64_t lx = 0x9E3779B97F4A7C15ull;
static bool verbose;

static uint32_t rnd(uint32_t n)
{
	lx ^= lx << 13;
	lx ^= lx >> 7;
	lx ^= lx << 17;
	return (uint32_t)(lx % n);
}

struct outcome {
	int jumped;
	bool recovery;
	struct fk_boot_status status;
	uint8_t *primary, *secondary;
};

static uint8_t *copy_area(struct fk_rig *rig, const struct fk_area *a)
{
	uint8_t *p = malloc(a->size);

	if (!p)
		abort();
	memcpy(p, fk_sim_data(rig->mem[0].sim) + a->off, a->size);
	return p;
}

/* What the device ends up as. */
static struct outcome capture(struct fk_rig *rig)
{
	struct outcome o;

	o.jumped = rig->jumped;
	o.recovery = rig->recovery_reason != 0;
	if (fk_boot_status(&rig->cfg, &o.status) != FK_OK)
		abort();
	o.primary = copy_area(rig, &rig->cfg.images[0].primary);
	o.secondary = copy_area(rig, &rig->cfg.images[0].secondary);
	return o;
}

/* Runs the input with boot core `boot`. */
static struct outcome run(const uint8_t *in, size_t size,
			  int (*boot)(const struct fk_boot_config *))
{
	struct fk_rig *rig = &rigs[in[0] % 3];

	rig->boot = boot;
	LLVMFuzzerTestOneInput(in, size);
	return capture(rig);
}

/* "" when both cores decided the same, else what differs. */
static const char *differs(const struct outcome *f, const struct outcome *l,
			   const struct fk_boot_config *cfg)
{
	if (f->jumped != l->jumped || f->recovery != l->recovery)
		return "started another image (or recovery)";
	if (f->status.phase != l->status.phase)
		return "left another phase";
	if (memcmp(f->primary, l->primary, cfg->images[0].primary.size))
		return "left other bytes in the primary slot";
	if (memcmp(f->secondary, l->secondary, cfg->images[0].secondary.size))
		return "left other bytes in the staging slot";
	return "";
}

/* Appends rec at slot *i of the rig's log (24-byte slots), torn now and
 * then (a bad CRC). */
static void append(struct fk_rig *rig, uint32_t *i, struct bs_rec rec)
{
	uint8_t *log = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	uint8_t raw[24];

	if (*i >= 4096 / 24)
		return;
	if (rnd(30) == 0) { /* image 1's record, or one out of phase */
		rec.image = rec.image == 0 ? 1 : rec.image;
		rec.type = (uint8_t[]){ 0x10, 0x12, 0x20, 0x21, 0x22, 0x23,
					0x24, 0x30, 0x31, 0x32, 0x33 }[rnd(11)];
	}
	memset(raw, 0xFF, sizeof(raw));
	bs_rec_encode(&rec, raw);
	if (rnd(40) == 0)
		raw[rnd(20)] ^= 0x10;
	memcpy(log + 24 * (*i)++, raw, sizeof(raw));
}

static struct bs_rec rec_of(uint8_t type, uint8_t image, uint16_t arg,
			    uint32_t value)
{
	struct bs_rec r = {
		.type = type, .image = image, .arg = arg, .value = value
	};

	return r;
}

/* The START fk_boot() writes for the rig's update (its groups and flags:
 * a START that does not match the slots is no record either core
 * writes). */
static struct bs_rec real_start[3];

/* The first free slot of the rig's log. */
static uint32_t log_end(struct fk_rig *rig)
{
	const uint8_t *log = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	uint32_t i = 0;

	while (i < 4096 / 24 && log[24 * i] != 0xFF)
		i++;
	return i;
}

/* The mark: TEST but on OVERWRITE, now and then the other. */
static struct bs_rec pending(const struct fk_rig *rig, bool other)
{
	bool test = (rig->cfg.strategy != FK_BOOT_OVERWRITE) ^ other;

	return rec_of(BS_REC_PENDING, 0xFF,
		      test ? FK_BOOT_TEST : FK_BOOT_PERMANENT, 1);
}

/* Installs the rig's update with fk_boot() and keeps its START. */
static void probe_start(uint32_t which)
{
	struct fk_rig *rig = &rigs[which];
	const uint8_t *log = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	uint32_t i;
	struct bs_rec r;

	fk_rig_restore(rig, start[which]);
	i = log_end(rig);
	lx = 1; /* no noise */
	append(rig, &i, pending(rig, false));
	rig->boot = NULL;
	(void)fk_rig_boot(rig);
	for (i = 0; i < log_end(rig); i++)
		if (bs_rec_decode(log + 24 * i, &r) && r.type == BS_REC_START)
			real_start[which] = r;
}

/* After the log the rig's upload left: an install's life, cut short. */
static void write_life(struct fk_rig *rig, uint32_t which)
{
	uint32_t i = log_end(rig), groups = real_start[which].arg;
	uint32_t end = rnd(40), n = 0;
	struct bs_rec st = real_start[which];

	if (n++ < end || rnd(4))
		append(rig, &i, pending(rig, rnd(10) == 0));
	if (rig->cfg.strategy != FK_BOOT_XIP && n++ < end)
		append(rig, &i, st);
	for (uint32_t g = 0; rig->cfg.strategy == FK_BOOT_SWAP && g < groups;
	     g++) {
		if (n++ < end)
			append(rig, &i,
			       rec_of(BS_REC_STEP, 0, (uint16_t)g,
				      BS_STEP_SAVED));
		if (n++ < end)
			append(rig, &i,
			       rec_of(BS_REC_STEP, 0, (uint16_t)g,
				      BS_STEP_PLACED));
	}
	if (n++ < end)
		append(rig, &i, rec_of(BS_REC_INSTALLED, 0xFF, 0, 0));
	for (uint32_t a = 1; a <= 3; a++)
		if (n++ < end && rnd(2))
			append(rig, &i, rec_of(BS_REC_ATTEMPT, 0xFF, 0, a));
	if (rnd(2) && n++ < end) {
		append(rig, &i, rec_of(BS_REC_CONFIRMED, 0xFF, 0, rnd(2)));
		return;
	}
	for (uint32_t g = 0; rig->cfg.strategy == FK_BOOT_SWAP && g < groups;
	     g++)
		if (n++ < end)
			append(rig, &i,
			       rec_of(BS_REC_RSTEP, 0, (uint16_t)g, 0));
	if (n++ < end)
		append(rig, &i, rec_of(BS_REC_REVERTED, 0xFF, 0, rnd(2)));
}

/* FK_LITE_LIFE=k: life k's log and each boot, printed. */
static void dump(struct fk_rig *rig, const char *when)
{
	const uint8_t *log = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	struct bs_rec r;

	printf("  log %s:", when);
	for (uint32_t i = 0; i < 4096 / 24 && log[24 * i] != 0xFF; i++) {
		if (!bs_rec_decode(log + 24 * i, &r))
			printf(" [torn]");
		else
			printf(" %02x/%d:%u:%u", r.type,
			       r.image == 0xFF ? -1 : r.image, r.arg, r.value);
	}
	printf("\n");
}

/* One life on strategy which's rig by core boot (NULL: fk_boot). */
static struct outcome run_life(uint32_t which, uint64_t seed,
			       int (*boot)(const struct fk_boot_config *))
{
	struct fk_rig *rig = &rigs[which];

	rig->boot = boot;
	fk_rig_restore(rig, start[which]);
	lx = seed;
	write_life(rig, which);
	if (verbose)
		dump(rig, boot ? "(lite)" : "(full)");
	for (int b = 0; b < 2; b++) {
		int rc = fk_rig_boot(rig);

		if (verbose) {
			printf("  boot %d: rc %d jumped %d recovery %d\n", b,
			       rc, rig->jumped, rig->recovery_reason);
			dump(rig, "after");
		}

		if (rc == FK_RIG_BOOTED_OTHER ||
		    (rc < 0 && !rig->recovery_reason) ||
		    fk_sim_violations(rig->mem[0].sim))
			abort();
	}
	return capture(rig);
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
			free(f.primary);
			free(f.secondary);
			free(l.primary);
			free(l.secondary);
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
		free(f.primary);
		free(f.secondary);
		free(l.primary);
		free(l.secondary);
	}
	printf("boot state: %u random logs, each booted twice by fk_boot() "
	       "and by fk_boot_lite() (%u new image, %u recovery): %u "
	       "disagreements\n",
	       count, new_booted, recovered, disagree);
	disagree += lives();
	return disagree ? 1 : 0;
}
