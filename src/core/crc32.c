/*
 * CRC-32 with a 16-entry table: 64 bytes of constants instead of 1 KiB,
 * at half the speed of a byte table, which is fast enough for records
 * and images read through a small buffer. With FK_CRC32_SMALL (a
 * bootloader: its 20-byte boot records and, with serial recovery, frames
 * at line rate) it is one bit at a time: no table, about 70 bytes less
 * code and data on Cortex-M, a quarter of the table's speed (some 100
 * cycles a byte, 1.2 M cycles a second at 115,200 baud). Both give the
 * same CRC (tests/flash/test_small_builds.c).
 */
#include "flashkit/crc.h"

#ifdef FK_CRC32_SMALL
uint32_t fk_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}
#else

static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
	0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t fk_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0F];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0F];
	}
	return ~crc;
}
#endif
