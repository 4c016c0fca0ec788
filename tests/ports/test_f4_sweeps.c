/*
 * The boot core's power-cut sweeps through the STM32F4 driver on its
 * register model (sweeps.h): F407, 1 MiB, x32, the stm32f4 rig's areas
 * (boot 16K, state 16K, primary 16K+16K+64K, staging 2 x 128K).
 *
 *   port_f4_sweeps <image>          CI subset: every single cut of each
 *                                   strategy's install, 20 double cuts
 *   port_f4_sweeps <image> --full   install and revert, every double
 *                                   cut
 */
#include <stdio.h>
#include <string.h>

#include "models/f4.h"
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

int main(int argc, char **argv)
{
	struct f407 ctx = { 0 };
	struct port_device dev = { "f4 F407", GEO_STM32F4, f407_open,
				   f407_close, &ctx };

	if (argc < 2) {
		fprintf(stderr, "usage: %s <f4_image.elf> [--full]\n", argv[0]);
		return 2;
	}
	ctx.image = argv[1];
	return port_boot_sweeps(&dev, argc > 2 && !strcmp(argv[2], "--full")) ?
		       1 :
		       0;
}
