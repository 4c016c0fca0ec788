/*
 * Little- and big-endian loads and stores of unaligned bytes (fk_le*,
 * fk_be*, fk_put_le*, fk_put_be*): flashkit's one set, for the device
 * code (the boot state, image, settings and device-record formats) and
 * the host code alike. Byte by byte, so any alignment and any host byte
 * order works; freestanding.
 */
#ifndef FLASHKIT_BYTES_H
#define FLASHKIT_BYTES_H

#include <stdint.h>

static inline uint16_t fk_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fk_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t fk_le64(const uint8_t *p)
{
	return (uint64_t)fk_le32(p) | (uint64_t)fk_le32(p + 4) << 32;
}

static inline uint16_t fk_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fk_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t fk_be64(const uint8_t *p)
{
	return (uint64_t)fk_be32(p) << 32 | fk_be32(p + 4);
}

static inline void fk_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void fk_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void fk_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fk_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
