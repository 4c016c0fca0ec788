/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the one zlib,
 * Ethernet and the DFU suffix use. Used by every flashkit record format.
 */
#ifndef FLASHKIT_CRC_H
#define FLASHKIT_CRC_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC over len more bytes: start with crc = 0, feed the data
 * in any number of pieces; the result equals zlib's crc32() of the whole.
 * fk_crc32(0, "123456789", 9) == 0xCBF43926. Built with FK_CRC32_SMALL
 * it computes the same one bit at a time, without its 64-byte table. */
uint32_t fk_crc32(uint32_t crc, const void *data, size_t len);

#endif
