/*
 * The QEMU port's file-backed flash driver (ports/qemu-mps2/qemu_flash.c)
 * as a test image: its semihosting calls are served by the harness
 * (uc_enable_semihosting), its "file" a byte array on the host. Variant
 * n opens it with the n-th geometry below (test_qemu_flash.c).
 */
#include "qemu_flash.h"
#include "shim/shim.h"

static const struct fk_sector_run nor_4k[] = { { 16, 4096 } };
static const struct fk_sector_run f4_map[] = { { 4, 16384 }, { 1, 65536 } };
static const struct fk_sector_run ecc_8k[] = { { 8, 8192 } };

static const struct fk_flash_geometry geos[] = {
	{ 0, 16 * 4096, nor_4k, 1, 1, 0xFF, false },
	{ 0, 4 * 16384 + 65536, f4_map, 2, 4, 0xFF, false },
	{ 0, 8 * 8192, ecc_8k, 1, 16, 0x00, true },
};

static struct fk_qemu_flash qf;

const struct fk_flash *fk_shim_open(uint32_t variant)
{
	if (variant >= sizeof(geos) / sizeof(geos[0]))
		return 0;
	if (fk_qemu_flash_open(&qf, "flash.bin", &geos[variant], 0) != FK_OK)
		return 0;
	return &qf.flash;
}
