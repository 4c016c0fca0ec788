/*
 * libFuzzer target: the flag state's reader and the flag bootloader
 * (fk_boot_flags(), src/boot/flags.c and flags_boot.c) on a device that
 * runs an old image and has a new one uploaded through the flag state's
 * update API (flags_app.c, linked in place of upload.c and app.c).
 *
 * The first input byte picks the strategy (bit 0: overwrite, xip) and
 * what the state area holds (bits 7-6):
 *
 *   00  raw: the input's bytes;
 *   01  units on an empty area: a valid HEADER (target from bit 1), then
 *       per 6 input bytes one unit programmed as the update API and the
 *       bootloader program them (a flag, or a value with its check) or
 *       as garbage (a torn program);
 *   10, 11  the same units over the real state of the upload (HEADER,
 *       SYNC, a valid STAGED record), so that PENDING, TRIAL and their
 *       neighbours are reached with the real staged image.
 *
 * Then the bootloader runs twice. Whatever the area says, it must not
 * crash, never write the protected bootloader, and start only the old or
 * the new image (or call the recovery hook).
 */
#include <stdlib.h>
#include <string.h>

/* fuzz_boot_state.c's device (build()): an old image running, a new one
 * uploaded through the update API this target links, the flag state's */
#define LLVMFuzzerTestOneInput boot_state_input
#include "fuzz_boot_state.c"
#undef LLVMFuzzerTestOneInput

#include "boot/flags.h"

static struct fk_rig flag_rigs[2];
static struct fk_rig_snapshot *flag_start[2];

/* One unit from 6 input bytes: where, how, and a value. */
static void put_unit(struct fk_rig *rig, uint8_t *area, const uint8_t *in)
{
	struct bf_state st;
	uint32_t value, u;

	if (bf_read(&rig->cfg, &st) < 0 || st.units == 0)
		return;
	u = in[0] % st.units;
	memcpy(&value, in + 2, 4);
	switch (in[1] % 3) {
	case 0: /* a flag */
		bf_put(&rig->cfg, &st, u, 1);
		break;
	case 1: /* a value with its check */
		bf_put(&rig->cfg, &st, u, value);
		break;
	default: /* torn: garbage in the unit */
		for (uint32_t k = 0; k < st.unit; k++)
			area[u * st.unit + k] &= in[2 + k % 4];
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_rig *rig;
	struct bf_state st;
	uint8_t *area;
	uint32_t which;

	if (size < 1)
		return 0;
	which = data[0] & 1;
	rig = &flag_rigs[which];
	if (!flag_start[which]) {
		build(rig, which ? FK_BOOT_XIP : FK_BOOT_OVERWRITE);
		rig->boot = fk_boot_flags;
		flag_start[which] = fk_rig_snapshot(rig);
	}
	fk_rig_restore(rig, flag_start[which]);
	area = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	if ((data[0] >> 6) == 0) {
		memset(area, 0xFF, 4096);
		memcpy(area, data + 1, size - 1 < 4096 ? size - 1 : 4096);
	} else {
		if ((data[0] >> 6) == 1) {
			memset(area, 0xFF, 4096);
			if (bf_read(&rig->cfg, &st) == FK_OK)
				bf_put(&rig->cfg, &st, BF_HEADER,
				       0x46534600u | (data[0] >> 1 & 1u));
		}
		for (size_t i = 1; i + 6 <= size && i < 6 * 64; i += 6)
			put_unit(rig, area, data + i);
	}
	for (int boot = 0; boot < 2; boot++) {
		int rc = fk_rig_boot(rig);

		if (rc == FK_RIG_BOOTED_OTHER ||
		    (rc < 0 && !rig->recovery_reason) ||
		    fk_sim_violations(rig->mem[0].sim))
			abort();
	}
	return 0;
}
