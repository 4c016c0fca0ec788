/*
 * The F2/F4 driver's test image (test_f4.c): fk_shim_open(variant)
 * turns on the ART caches and prefetch, as a startup does, and opens the
 * driver in one of the parts' configurations (f4_variants.h).
 */
#include "f4_variants.h"
#include "shim/shim.h"
#include "stm32/flash_f4.h"

#define FLASH_ACR (*(volatile uint32_t *)(FK_F4_FLASH_REGS + 0x00u))
#define ACR_STARTUP 0x00000705u /* DCEN, ICEN, PRFTEN, 5 wait states */

static struct fk_f4_flash f4;

const struct fk_flash *fk_shim_open(uint32_t variant)
{
	static const struct f4_variant v[] = F4_VARIANTS;
	struct fk_f4_flash_config cfg;

	if (variant >= sizeof(v) / sizeof(v[0]))
		return 0;
	FLASH_ACR = ACR_STARTUP;
	cfg = (struct fk_f4_flash_config){
		.regs = FK_F4_FLASH_REGS,
		.base = FK_F4_FLASH_BASE,
		.size = v[variant].size,
		.dual_bank = v[variant].dual_bank,
		.vrange = (enum fk_f4_vrange)v[variant].vrange,
	};
	return fk_f4_flash_init(&f4, &cfg) == FK_OK ? &f4.flash : 0;
}
