/*
 * The boot core's power-cut sweeps (sweeps.h) through the STM32H7 driver
 * (ports/stm32/flash_h7.c, Cortex-M7 object code) on its register model
 * (models/h7.c): an H743, 2 MiB in two banks of eight 128 KiB sectors,
 * the driver covering both, with the stm32h7 rig's areas
 * (tests/boot/rigs.h): boot and state in bank 1's sectors 0 and 1, the
 * primary slot in sectors 2-3, the staging slot in bank 2's sectors 8-10,
 * so every install reads and writes through both banks' registers. The
 * old image (150,000 bytes of payload) spans both primary sectors, the
 * new one (100,000) one and a part.
 *
 *   port_h7_sweeps <h7_m7_image.elf>          CI subset: every single cut
 *                                             of each strategy's install,
 *                                             every double cut of smaller
 *                                             images (sweeps.h)
 *   port_h7_sweeps <h7_m7_image.elf> --full   install and revert, every
 *                                             double cut
 */
#include <stdio.h>
#include <string.h>

#include "models/h7.h"
#include "sweeps.h"
#include "uc.h"

#define GEO_STM32H7 8  /* enum rig_geo of tests/boot/rigs.h */
#define VARIANT_H743 0 /* h7_image.c: both banks */
#define MIB (1024u * 1024u)

struct h743 {
	const char *image;
	struct uc *uc;
	struct h7_model *m;
	struct uc_flash uf;
};

static int h743_open(void *ctx, struct uc **uc, struct fk_sim **sim,
		     const struct fk_flash **flash)
{
	struct h743 *d = ctx;
	struct uc_config c = { .elf = d->image, .cpu = "cortex-m7" };

	d->uc = *uc = uc_create(&c);
	d->m = d->uc ? h7_model_create(d->uc, 2 * MIB, MIB) : NULL;
	if (!d->m ||
	    uc_flash_open(&d->uf, d->uc, h7_model_sim(d->m), VARIANT_H743) != 0)
		return -1;
	*sim = h7_model_sim(d->m);
	*flash = &d->uf.flash;
	return 0;
}

static void h743_close(void *ctx)
{
	struct h743 *d = ctx;

	h7_model_destroy(d->m);
	uc_destroy(d->uc);
	d->m = NULL;
	d->uc = NULL;
}

int main(int argc, char **argv)
{
	struct h743 ctx = { 0 };
	struct port_device dev = { "h7 H743", GEO_STM32H7, h743_open,
				   h743_close, &ctx };

	if (argc < 2) {
		fprintf(stderr, "usage: %s <h7_m7_image.elf> [--full]\n",
			argv[0]);
		return 2;
	}
	ctx.image = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0); /* each sweep's line as it ends */
	return port_boot_sweeps(&dev, argc > 2 && !strcmp(argv[2], "--full")) ?
		       1 :
		       0;
}
