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

#include "boot/flags.h"
#include "fk_crypto_mbedtls.h"
#include "image/rig_image.h"
#include "rig.h"

static const struct fk_sector_run runs[] = { { 24, 4096 } };
static struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls };
static struct fk_rig rigs[2];
static struct fk_rig_snapshot *start[2];

static void build(struct fk_rig *rig, enum fk_boot_strategy strategy)
{
	struct fk_sim_config sc = { .geo = { .size = 24 * 4096, .runs = runs,
					     .run_count = 1, .write_unit = 8,
					     .erased_value = 0xFF } };
	struct fk_rig_image_spec spec = { .payload_len = 9000, .seed = 1,
					  .version = { .major = 1 },
					  .hdr_size = 0x100, .align = 8 };
	struct fk_boot_config *cfg = &rig->cfg;

	if (fk_rig_add_memory(rig, &sc))
		abort();
	fk_area_init(&cfg->bootloader, &rig->mem[0].flash, 0, 8192);
	fk_area_init(&cfg->state, &rig->mem[0].flash, 8192, 4096);
	fk_area_init(&cfg->images[0].primary, &rig->mem[0].flash, 12288, 40960);
	fk_area_init(&cfg->images[0].secondary, &rig->mem[0].flash, 53248,
		     40960);
	fk_sim_protect(rig->mem[0].sim, 0, 8192);
	cfg->strategy = strategy;
	cfg->image_count = 1;
	cfg->trial_boots = 2;
	cfg->keys = &keys;
	cfg->check_security_counter = true;
	cfg->buf_len = 1024;
	rig->boot = fk_boot_flags;
	if (fk_rig_make_image(&spec, &rig->old_img[0], &rig->old_len[0]))
		abort();
	spec.seed = 2;
	spec.payload_len = 12000;
	spec.version.major = 2;
	if (fk_rig_make_image(&spec, &rig->new_img[0], &rig->new_len[0]))
		abort();
	fk_rig_prepare(rig);
	if (fk_rig_upload(rig, 0) != FK_OK)
		abort();
}

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
	rig = &rigs[which];
	if (!start[which]) {
		build(rig, which ? FK_BOOT_XIP : FK_BOOT_OVERWRITE);
		start[which] = fk_rig_snapshot(rig);
	}
	fk_rig_restore(rig, start[which]);
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
