/*
 * The boot core's power-cut sweeps (sweeps.h) through the STM32 drivers
 * of this folder on their register models: the L4 on an L476, the
 * stm32l4 rig's areas (boot 16K, state 2K, primary 128K, staging 136K)
 * on bank 1's 2 KiB pages.
 *
 *   port_stm32_sweeps <l4_image.elf>          CI subset (port_boot_sweeps:
 *                                             every single cut, every
 *                                             double cut of smaller
 *                                             images)
 *   port_stm32_sweeps <l4_image.elf> --full   every double cut of the
 *                                             rig's images, revert too
 *
 * The H7's are in test_h7_sweeps.c (port_h7_sweeps).
 */
#include <stdio.h>
#include <string.h>

#include "models/l4.h"
#include "sweeps.h"
#include "uc.h"

#define GEO_STM32L4 5 /* enum rig_geo of tests/boot/rigs.h */

struct l476 {
	const char *image;
	struct uc *uc;
	struct l4_model *m;
	struct uc_flash uf;
};

static int l476_open(void *ctx, struct uc **uc, struct fk_sim **sim,
		     const struct fk_flash **flash)
{
	struct l476 *d = ctx;
	struct uc_config c = { .elf = d->image, .cpu = "cortex-m4" };

	d->uc = *uc = uc_create(&c);
	d->m = d->uc ? l4_model_create(d->uc, 0x100000, 0x80000) : NULL;
	if (!d->m || uc_flash_open(&d->uf, d->uc, l4_model_sim(d->m), 0) != 0)
		return -1;
	*sim = l4_model_sim(d->m);
	*flash = &d->uf.flash;
	return 0;
}

static void l476_close(void *ctx)
{
	struct l476 *d = ctx;

	l4_model_destroy(d->m);
	uc_destroy(d->uc);
}

int main(int argc, char **argv)
{
	struct l476 ctx = { 0 };
	struct port_device dev = { "l4 L476", GEO_STM32L4, l476_open,
				   l476_close, &ctx };

	if (argc < 2) {
		fprintf(stderr, "usage: %s <l4_image.elf> [--full]\n", argv[0]);
		return 2;
	}
	ctx.image = argv[1];
	return port_boot_sweeps(&dev, argc > 2 && !strcmp(argv[2], "--full")) ?
		       1 :
		       0;
}
