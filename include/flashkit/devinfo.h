/*
 * The per-device record ("devinfo"): serial number, MAC addresses,
 * secrets, calibration and manufacturing data, written once per device at
 * production into a partition of role devinfo and read by the firmware.
 * The format is specified in docs/devinfo-format.md: a 12-byte header
 * (magic, version, sizes, CRC-32) followed by TLVs.
 *
 * Reading checks the CRC over the whole record before returning any
 * field, so a record torn by a power cut during production, or an erased
 * partition, reads as FK_ECORRUPT and never as a wrong serial number.
 * The device never writes the record; the builder below is what
 * `flashkit provision` uses (and what a device could use to provision
 * itself), so there is one implementation of the format.
 *
 * Freestanding: no allocation, all state in the caller's buffers.
 */
#ifndef FLASHKIT_DEVINFO_H
#define FLASHKIT_DEVINFO_H

#include <stddef.h>
#include <stdint.h>

#include "flashkit/flash.h"

#define FK_DEVINFO_MAGIC 0x49444B46u /* "FKDI" in memory order */
#define FK_DEVINFO_VERSION 1
#define FK_DEVINFO_HEADER_SIZE 12u
#define FK_DEVINFO_TLV_HEADER 4u
#define FK_DEVINFO_MAX_BODY 0xFFFFu /* TLV area, bytes */

/* Field ids flashkit defines (docs/devinfo-format.md, "Field ids"). */
enum fk_devinfo_id {
	FK_DEVINFO_SERIAL = 0x0001,	 /* UTF-8 text, no NUL */
	FK_DEVINFO_MAC = 0x0002,	 /* 6 bytes, first interface */
	FK_DEVINFO_HW_REVISION = 0x0003, /* UTF-8 text */
	FK_DEVINFO_MFG_DATE = 0x0004,	 /* UTF-8 text, ISO 8601 */
	FK_DEVINFO_SECRET = 0x0005,	 /* bytes: per-device key material */
	FK_DEVINFO_CALIBRATION = 0x0006, /* bytes: product-defined blob */
	FK_DEVINFO_BATCH = 0x0007,	 /* UTF-8 text: lot / batch */
	FK_DEVINFO_MAC2 = 0x0008,	 /* 6 bytes, second interface */
	FK_DEVINFO_PRODUCT = 0x8000,	 /* first id of the product's range */
};

/*
 * Reads field id from the record at the start of area into buf (cap
 * bytes); *len (may be NULL) receives the field's length.
 * Returns 0; FK_ENOENT when the record has no such field; FK_ENOSPC when
 * cap is too small (*len says how much is needed, buf untouched);
 * FK_ECORRUPT when there is no valid record (erased, torn, bad CRC, bad
 * structure); FK_ENOTSUP for a record of a newer format version; or the
 * flash driver's error. Reads only; nothing happens on power loss.
 */
int fk_devinfo_get(const struct fk_area *area, uint16_t id, void *buf,
		   uint32_t cap, uint32_t *len);

/* The same for a record in memory (memory-mapped flash, a host buffer):
 * size is the bytes available at rec (the partition size, say). */
int fk_devinfo_get_mem(const void *rec, size_t size, uint16_t id, void *buf,
		       uint32_t cap, uint32_t *len);

/* 0 when area starts with a valid record (same checks as fk_devinfo_get);
 * *record_size (may be NULL) receives its size in bytes. */
int fk_devinfo_check(const struct fk_area *area, uint32_t *record_size);

/* The same for a record in memory. */
int fk_devinfo_check_mem(const void *rec, size_t size, uint32_t *record_size);

/* Building a record in a caller's buffer. */
struct fk_devinfo_builder {
	uint8_t *buf; /* the record being built */
	uint32_t cap; /* bytes at buf */
	uint32_t len; /* bytes used, header included */
	int error;    /* first error of an add, reported by finish */
};

/* Starts a record in buf (cap >= FK_DEVINFO_HEADER_SIZE). */
void fk_devinfo_begin(struct fk_devinfo_builder *b, void *buf, uint32_t cap);

/* Appends a field. Errors (FK_ENOSPC when it does not fit buf or the
 * 64 KiB TLV area, FK_EINVAL for ids 0x0000/0xFFFF or an id already
 * added) are returned and kept for fk_devinfo_finish. */
int fk_devinfo_add(struct fk_devinfo_builder *b, uint16_t id, const void *value,
		   uint32_t len);

/* Writes the header and CRC. Returns the first error of the adds, or 0
 * with *size the record's length (the bytes to program). */
int fk_devinfo_finish(struct fk_devinfo_builder *b, uint32_t *size);

#endif
