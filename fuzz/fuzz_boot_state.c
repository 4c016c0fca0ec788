/*
 * Fuzzes the boot state reader and everything the bootloader does with
 * what it reads: the state sector of a device that runs an old image and
 * has a new one uploaded holds the input, then the bootloader runs twice.
 *
 * The first input byte picks the strategy (overwrite, swap, xip) and a
 * mode: raw (the sector holds the input bytes) or records (every 8 input
 * bytes become a record with a valid CRC, after a valid header, so the
 * fuzzer reaches every phase and every inconsistent sequence of records).
 * Whatever the log says, the bootloader must not crash, must never write
 * the protected bootloader, and must start only the old or the new image
 * (or call the recovery hook).
 */
#include <stdlib.h>
#include <string.h>

#include "image/rig_image.h"
#include "rig.h"
#include "flashkit/crc.h"
#include "fk_crypto_mbedtls.h"

static const struct fk_sector_run runs[] = { { 24, 4096 } };
static struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls, .keys = NULL, .count = 0 };
static struct fk_rig rigs[3];
static struct fk_rig_snapshot *start[3];

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
		     45056);
	fk_sim_protect(rig->mem[0].sim, 0, 8192);
	cfg->strategy = strategy;
	cfg->image_count = 1;
	cfg->trial_boots = 2;
	cfg->keys = &keys;
	cfg->check_security_counter = true;
	cfg->buf_len = 1024;
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

static void put_record(uint8_t *slot, const uint8_t *in, uint32_t rec_size)
{
	static const uint8_t types[] = { 0x46, 0x10, 0x11, 0x12, 0x20, 0x21,
					 0x22, 0x23, 0x24, 0x30, 0x31, 0x32,
					 0x33 };
	uint32_t crc;

	memset(slot, 0xFF, rec_size);
	memset(slot, 0, 20);
	slot[0] = types[in[0] % sizeof(types)];
	slot[1] = in[1] & 0x80 ? 0xFF : in[1] & 1;
	slot[2] = in[2] & 0x1F;
	slot[4] = in[3];
	slot[5] = in[4] & 0x7F;
	slot[8] = in[5];
	memcpy(slot + 9, in + 6, 2);
	crc = fk_crc32(0x53424B46u, slot, 16);
	for (int i = 0; i < 4; i++)
		slot[16 + i] = (uint8_t)(crc >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_rig *rig;
	uint8_t *log;
	uint32_t which;

	if (size < 1)
		return 0;
	which = data[0] % 3;
	rig = &rigs[which];
	if (!start[which]) {
		build(rig, (enum fk_boot_strategy)(which + 1));
		start[which] = fk_rig_snapshot(rig);
	}
	fk_rig_restore(rig, start[which]);
	log = fk_sim_data(rig->mem[0].sim) + rig->cfg.state.off;
	memset(log, 0xFF, 4096);
	if (data[0] & 0x80) {
		put_record(log, (const uint8_t[8]){ 0 }, 24);
		for (size_t i = 1, s = 1; i + 8 <= size && s < 170; i += 8, s++)
			put_record(log + s * 24, data + i, 24);
	} else {
		memcpy(log, data + 1, size - 1 < 4096 ? size - 1 : 4096);
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
