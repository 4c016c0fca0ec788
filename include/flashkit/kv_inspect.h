/*
 * Inspecting a settings store, for tools and tests (`flashkit kv dump`,
 * the store's own tests): its configuration read back from flash, and a
 * walk over every sector and record. Implemented in src/kv/kv_inspect.c,
 * which a device build leaves out; the device API is flashkit/kv.h.
 */
#ifndef FLASHKIT_KV_INSPECT_H
#define FLASHKIT_KV_INSPECT_H

#include <stdint.h>

#include "flashkit/kv.h"

/* Reads the configuration a store was formatted with, its header variant
 * included, from the first valid sector header in area (format 3, or
 * format 2). Returns 0, FK_ENOENT when no sector holds a valid header,
 * or a flash error. */
int fk_kv_probe(const struct fk_area *area, struct fk_kv_config *cfg);

enum fk_kv_sector_state {
	FK_KV_SECTOR_FREE,  /* no valid header: erased, torn or garbage */
	FK_KV_SECTOR_DATA,  /* part of the store */
	FK_KV_SECTOR_STALE, /* valid header, but its data was moved on */
};

struct fk_kv_sector_info {
	uint16_t index;
	enum fk_kv_sector_state state;
	uint32_t seq;	 /* sequence number (0 when FREE) */
	uint32_t used;	 /* bytes up to the write frontier (DATA) */
	uint32_t erases; /* erase count derived from seq (see the spec) */
};

struct fk_kv_record_info {
	uint16_t sector;
	uint32_t off; /* offset in the sector */
	uint16_t id;
	int deleted;	   /* the entry deletes the key */
	int live;	   /* this is the key's current entry */
	const void *value; /* valid during the callback only; NULL for a
			      large value */
	uint8_t len;
	uint32_t large_size; /* a large value's size (fk_kv_set_large) */
};

/* Calls sector_fn for every sector and record_fn for every entry of every
 * record in DATA sectors, oldest first. Either callback may be NULL. A
 * non-zero return stops the walk and is returned. The store must be
 * mounted. */
int fk_kv_inspect(struct fk_kv *kv,
		  int (*sector_fn)(void *ctx, const struct fk_kv_sector_info *),
		  int (*record_fn)(void *ctx, const struct fk_kv_record_info *),
		  void *ctx);

#endif
