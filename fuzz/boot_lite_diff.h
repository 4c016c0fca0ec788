/*
 * The lite boot core against the full one on fuzz_boot_state.c's inputs:
 * what a device ends up as after an input's two boots, and whether two
 * such outcomes differ. Shared by the fuzz target fuzz_boot_lite.c and
 * the seeded test tests/boot/test_boot_lite_random.c; included after
 * fuzz_boot_state.c (its rigs and its input function).
 *
 * BOOT_STATE_INPUT names fuzz_boot_state.c's input function (default
 * LLVMFuzzerTestOneInput; a fuzz target that has its own renames it).
 */
#ifndef FLASHKIT_FUZZ_BOOT_LITE_DIFF_H
#define FLASHKIT_FUZZ_BOOT_LITE_DIFF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_internal.h"

#ifndef BOOT_STATE_INPUT
#define BOOT_STATE_INPUT LLVMFuzzerTestOneInput
#endif

/* An outcome's slot bytes live in buffers of its core (full or lite),
 * reused by that core's next outcome: a caller holds one outcome of each
 * core at a time (the full one and the lite one it compares). */
struct outcome {
	int jumped;
	bool recovery;
	struct fk_boot_status status;
	uint8_t *primary, *secondary;
};

/* Copies area a into *buf (grown to *cap as needed; kept for the next
 * copy, so no input allocates). */
static uint8_t *copy_area(struct fk_rig *rig, const struct fk_area *a,
			  uint8_t **buf, size_t *cap)
{
	if (*cap < a->size) {
		free(*buf);
		*buf = malloc(a->size);
		if (!*buf)
			abort();
		*cap = a->size;
	}
	memcpy(*buf, fk_sim_data(rig->mem[0].sim) + a->off, a->size);
	return *buf;
}

/* What the device ends up as, its slots copied into core lite's (0 or
 * 1) buffers. */
static struct outcome capture(struct fk_rig *rig, int lite)
{
	static uint8_t *bufs[2][2];
	static size_t caps[2][2];
	struct outcome o;

	o.jumped = rig->jumped;
	o.recovery = rig->recovery_reason != 0;
	if (fk_boot_status(&rig->cfg, &o.status) != FK_OK)
		abort();
	o.primary = copy_area(rig, &rig->cfg.images[0].primary, &bufs[lite][0],
			      &caps[lite][0]);
	o.secondary = copy_area(rig, &rig->cfg.images[0].secondary,
				&bufs[lite][1], &caps[lite][1]);
	return o;
}

/* Done with o (its buffers stay for the core's next outcome). */
static void release(struct outcome *o)
{
	o->primary = NULL;
	o->secondary = NULL;
}

/* Runs the input with boot core `boot` (NULL: fk_boot()). */
static struct outcome run(const uint8_t *in, size_t size,
			  int (*boot)(const struct fk_boot_config *))
{
	struct fk_rig *rig = &rigs[in[0] % 3];

	rig->boot = boot;
	BOOT_STATE_INPUT(in, size);
	return capture(rig, boot != NULL);
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

/*
 * Install lives: the real log of the rig's upload, then the records of a
 * mark and an install cut short anywhere (PENDING, START, STEP SAVED and
 * PLACED of each group, INSTALLED, ATTEMPTs, RSTEPs, CONFIRMED or
 * REVERTED), now and then a torn slot, a record out of phase or one of
 * image 1. The includer gives the choices: rnd(n) in [0, n), and
 * rnd_restart(seed), which starts the same choices again for the same
 * seed (so that both cores get the same life). A life with seed 1 starts
 * with no noise.
 */
static uint32_t rnd(uint32_t n);
static void rnd_restart(uint64_t seed);
static bool verbose; /* print each life's log and boots */

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
	rnd_restart(1); /* no noise */
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
	rnd_restart(seed);
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
	return capture(rig, boot != NULL);
}

#endif
