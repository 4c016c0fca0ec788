/*
 * A Cortex-M application as products ship them, for the update-history
 * tests (tests/boot/test_boot_history.c, test_boot_regress.c): real code
 * (startup, the CRC and the image parser of src/, a read-only flash
 * driver over its own ROM) and constants. It is linked at several sizes:
 * FW_TABLE_KIB KiB of calibration-like tables, split around an 8 KiB
 * block left erased (0xFF), the kind of gap a linker leaves between
 * regions or a build reserves for data written in the field. Its .bin is
 * the payload the tests sign.
 *
 * Never run: only its bytes matter; main() still does real work so that
 * nothing is optimised away.
 */
#include <stdint.h>
#include <string.h>

#include "flashkit/crc.h"
#include "flashkit/image.h"

#ifndef FW_TABLE_KIB
#define FW_TABLE_KIB 8
#endif

#define FW_GAP 8192
#define FW_HEADER 0x100 /* the image header in front of this program */

/* Constants that look like data: a multiplicative hash of the index. */
#define V(i) (((uint32_t)(i) * 2654435761u) ^ ((uint32_t)(i) >> 3))
#define R4(i) V(i), V((i) + 1), V((i) + 2), V((i) + 3)
#define R16(i) R4(i), R4((i) + 4), R4((i) + 8), R4((i) + 12)
#define R64(i) R16(i), R16((i) + 16), R16((i) + 32), R16((i) + 48)
#define K1(i) R64(i), R64((i) + 64), R64((i) + 128), R64((i) + 192)
#define K2(i) K1(i), K1((i) + 256)
#define K4(i) K2(i), K2((i) + 512)
#define K8(i) K4(i), K4((i) + 1024)
#define K16(i) K8(i), K8((i) + 2048)
#define K32(i) K16(i), K16((i) + 4096)
#define K64(i) K32(i), K32((i) + 8192)

/* The first half of the tables, the erased block, the second half: in
 * this order in .rodata (one section each, declaration order). */
const uint32_t fw_table_a[FW_TABLE_KIB * 128] = {
#if FW_TABLE_KIB & 128
	K64(0x100000),
#endif
#if FW_TABLE_KIB & 64
	K32(0x200000),
#endif
#if FW_TABLE_KIB & 32
	K16(0x300000),
#endif
#if FW_TABLE_KIB & 16
	K8(0x400000),
#endif
#if FW_TABLE_KIB & 8
	K4(0x500000),
#endif
#if FW_TABLE_KIB & 4
	K2(0x600000),
#endif
#if FW_TABLE_KIB & 2
	K1(0x700000),
#endif
};

const uint8_t fw_erased_block[FW_GAP] = { [0 ... FW_GAP - 1] = 0xFF };

const uint32_t fw_table_b[FW_TABLE_KIB * 128] = {
#if FW_TABLE_KIB & 128
	K64(0x800000),
#endif
#if FW_TABLE_KIB & 64
	K32(0x900000),
#endif
#if FW_TABLE_KIB & 32
	K16(0xA00000),
#endif
#if FW_TABLE_KIB & 16
	K8(0xB00000),
#endif
#if FW_TABLE_KIB & 8
	K4(0xC00000),
#endif
#if FW_TABLE_KIB & 4
	K2(0xD00000),
#endif
#if FW_TABLE_KIB & 2
	K1(0xE00000),
#endif
};

/* A read-only flash over this program's own slot. */
static int rom_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	memcpy(buf, (const uint8_t *)flash->ctx + off, len);
	return FK_OK;
}

static const struct fk_flash_ops rom_ops = { .read = rom_read };
static const struct fk_sector_run rom_run = { 64, 2048 };

int main(void)
{
	struct fk_flash rom = {
		.geo = { .size = 64 * 2048, .write_unit = 8, .runs = &rom_run,
			 .run_count = 1, .erased_value = 0xFF },
		.ops = &rom_ops,
		.ctx = (void *)((uintptr_t)main & ~(uintptr_t)0x3FFF),
	};
	struct fk_image_info info;
	struct fk_area slot;
	uint32_t crc = fk_crc32(0, fw_table_a, sizeof(fw_table_a));

	crc = fk_crc32(crc, fw_erased_block, sizeof(fw_erased_block));
	crc = fk_crc32(crc, fw_table_b, sizeof(fw_table_b));
	if (fk_area_init(&slot, &rom, 0, rom.geo.size) != FK_OK ||
	    fk_image_parse(&slot, &info) != FK_OK)
		return (int)(crc | 1u);
	return (int)(crc ^ info.hdr.img_size);
}
