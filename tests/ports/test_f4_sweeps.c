/*
 * The boot core's power-cut sweeps through the STM32F4 driver on its
 * register model (sweeps.h): F407, 1 MiB, x32, the stm32f4 rig's areas
 * (boot 16K, state 16K, primary 16K+16K+64K, staging 2 x 128K).
 *
 *   port_f4_sweeps <image>          CI subset: every single cut of each
 *                                   strategy's install, every double cut
 *                                   of a smaller one (sweeps.h); every
 *                                   cut of the last 100 of 2400 store
 *                                   operations (a collection among them)
 *   port_f4_sweeps <image> --full   install and revert, every double
 *                                   cut of the rig's images; 3000 store
 *                                   operations, all cut
 *
 * And the settings store's sweep (port_kv_sweep.h) on sectors 1-3.
 */
#include <stdio.h>
#include <string.h>

#include "models/f4.h"
#include "port_kv_sweep.h"
#include "sweeps.h"
#include "uc.h"

#define GEO_STM32F4 1 /* enum rig_geo of tests/boot/rigs.h */

struct f407 {
	const char *image;
	struct uc *uc;
	struct f4_model *m;
	struct uc_flash uf;
};

static int f407_open(void *ctx, struct uc **uc, struct fk_sim **sim,
		     const struct fk_flash **flash)
{
	struct f407 *d = ctx;
	struct uc_config c = { .elf = d->image, .cpu = "cortex-m4" };
	struct f4_model_config mc = { .size = 0x100000, .max_psize = 2 };

	d->uc = *uc = uc_create(&c);
	d->m = d->uc ? f4_model_attach(d->uc, &mc) : NULL;
	if (!d->m || uc_flash_open(&d->uf, d->uc, f4_model_sim(d->m), 0) != 0)
		return -1;
	*sim = f4_model_sim(d->m);
	*flash = &d->uf.flash;
	return 0;
}

static void f407_close(void *ctx)
{
	struct f407 *d = ctx;

	f4_model_free(d->m);
	uc_destroy(d->uc);
}

/* The settings store on sectors 1-3 (3 x 16 KiB), x32 writes, 16 keys of
 * 8-24 bytes: the cut operations start just before the ring is full, so
 * they cross a rotation that collects the oldest sector. */
static const struct kvh_geometry f4_store = {
	.name = "3 x 16 KiB, x32",
	.sector_size = 16384,
	.sectors = 3,
	.write_unit = 4,
	.erased_value = 0xFF,
	.cfg = { 16, 24, 64, FK_KV_HEADER_BITMAP },
	.keys_used = 16,
	.vmin = 8,
	.vmax = 24,
};

static int kv_sweep(struct f407 *d, bool full)
{
	struct port_kv_counts n;
	const struct fk_flash *flash;
	struct fk_sim *sim;
	struct uc *uc;
	char msg[400] = "";
	int rc = -1;

	memset(&n, 0, sizeof(n));
	if (f407_open(d, &uc, &sim, &flash) == 0) {
		struct port_kv_sweep s = {
			.name = "f4 F407 kv 3 x 16 KiB",
			.uf = &d->uf,
			.off = 0x4000,
			.size = 0xC000,
			.g = &f4_store,
			.ops = full ? 3000 : 2400,
			.warmup = full ? 0 : 2300,
			.seed = 4,
		};

		rc = port_kv_sweep(&s, &n, msg, sizeof(msg));
		printf("%s: %llu user ops, %llu flash ops, %llu erases, %llu "
		       "cuts (old %llu, new %llu)%s%s\n",
		       s.name, (unsigned long long)n.user_ops,
		       (unsigned long long)n.flash_ops,
		       (unsigned long long)n.erases,
		       (unsigned long long)n.cases,
		       (unsigned long long)n.saw_old,
		       (unsigned long long)n.saw_new, msg[0] ? ": " : "", msg);
	}
	f407_close(d);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct f407 ctx = { 0 };
	struct port_device dev = { "f4 F407", GEO_STM32F4, f407_open,
				   f407_close, &ctx };
	bool full = argc > 2 && !strcmp(argv[2], "--full");
	int fails;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <f4_image.elf> [--full]\n", argv[0]);
		return 2;
	}
	ctx.image = argv[1];
	fails = port_boot_sweeps(&dev, full);
	fails += kv_sweep(&ctx, full);
	return fails ? 1 : 0;
}
