/*
 * CRC-32 with a 16-entry table: 64 bytes of constants instead of 1 KiB,
 * at half the speed of a byte table, which is fast enough for records
 * and images read through a small buffer. With FK_CRC32_SMALL (a
 * bootloader: its 20-byte boot records and, with serial recovery, frames
 * at line rate) it is one bit at a time: no table, about 70 bytes less
 * code and data on Cortex-M, a quarter of the table's speed (some 100
 * cycles a byte, 1.2 M cycles a second at 115,200 baud). With
 * FK_CRC32_FAST (the host's library, whose tests and tools checksum
 * whole flash images) it is sliced by eight: eight table lookups per
 * eight bytes, through 8 KiB of tables made on first use. All three give
 * the same CRC (tests/flash/test_small_builds.c).
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
#elif defined(FK_CRC32_FAST)
/* t[0] the byte table; t[s][i] the CRC of byte i followed by s zero
 * bytes. Made on the first call: the host library runs its callers one
 * thread at a time, and every maker writes the same values. */
static uint32_t t[8][256];
static int made;

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
		t[0][i] = c;
	}
	for (int s = 1; s < 8; s++)
		for (uint32_t i = 0; i < 256; i++)
			t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
	made = 1;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t fk_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!made)
		make_tables();
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t a = crc ^ le32(p), b = le32(p + 4);

		crc = t[7][a & 0xFF] ^ t[6][a >> 8 & 0xFF] ^
		      t[5][a >> 16 & 0xFF] ^ t[4][a >> 24] ^ t[3][b & 0xFF] ^
		      t[2][b >> 8 & 0xFF] ^ t[1][b >> 16 & 0xFF] ^
		      t[0][b >> 24];
	}
	while (len--)
		crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF];
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
