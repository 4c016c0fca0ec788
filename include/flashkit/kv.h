/*
 * The settings store: a key-value store on flash that survives a power cut
 * at any instant, on 1-byte NOR as on program-once ECC flash with 32-byte
 * words, with sectors from 1 KiB to 256 KiB.
 *
 * Keys are integer ids 0 .. key_limit-1 (give them names with an enum in
 * your code); values are 0 .. value_max bytes (value_max <=
 * FK_KV_VALUE_MAX, which this build sets from FK_KV_RECORD_MAX). Several
 * keys can be written in one atomic commit. The on-flash format and the
 * reasons behind it are in docs/kv-format.md; usage is in docs/kv.md.
 *
 * All state lives in struct fk_kv, which the caller provides; its buffers
 * are sized at compile time by FK_KV_MAX_KEYS and FK_KV_RECORD_MAX, which
 * the application and the library must be built with alike (mount checks
 * it: FK_EABI). Every write is a program into erased flash: nothing is
 * ever rewritten in place.
 *
 * Power loss, in one sentence: a call that returned 0 is durable, and a
 * call interrupted by a power cut leaves either the whole old state or the
 * whole new state, which the next fk_kv_mount() finds.
 *
 * After any flash error inside a write (FK_EPOWER, FK_EIO, ...) the RAM
 * state no longer matches the flash: every call but fk_kv_mount() then
 * returns FK_ESTATE until the store is mounted again.
 */
#ifndef FLASHKIT_KV_H
#define FLASHKIT_KV_H

#include <stdint.h>

#include "flashkit/flash.h"

/* Largest key_limit this build supports; the RAM index holds 2 bytes per
 * key. A multiple of 8. */
#ifndef FK_KV_MAX_KEYS
#define FK_KV_MAX_KEYS 128
#endif

/* Largest record this build can write or read, in bytes: bounds the
 * largest commit (FK_KV_SET_OVERHEAD bytes of framing for one key, 3 more
 * per extra key, plus the values) and so the largest value. */
#ifndef FK_KV_RECORD_MAX
#define FK_KV_RECORD_MAX 128
#endif

/* Bytes a record adds around a single value. */
#define FK_KV_SET_OVERHEAD 7

/* Largest value_max this build accepts: 254, or less when
 * FK_KV_RECORD_MAX cannot hold a record of 254 bytes (121 with the
 * default FK_KV_RECORD_MAX; define FK_KV_RECORD_MAX 261 for 254). */
#define FK_KV_VALUE_MAX                                  \
	(FK_KV_RECORD_MAX - FK_KV_SET_OVERHEAD < 254 ?   \
		 FK_KV_RECORD_MAX - FK_KV_SET_OVERHEAD : \
		 254)

#if FK_KV_MAX_KEYS % 8 != 0 || FK_KV_MAX_KEYS > 4096
#error "FK_KV_MAX_KEYS must be a multiple of 8, at most 4096"
#endif
#if FK_KV_RECORD_MAX > 4095
#error "FK_KV_RECORD_MAX must be at most 4095"
#endif

/*
 * Sector headers (docs/kv-format.md, "Sector header"; docs/kv.md says
 * which to choose). BITMAP, the default, is format 2: each header also
 * names the keys of the sector before it (22 + key_limit/8 bytes, padded
 * to the write unit), so a get reads sector headers and one sector, and
 * an opening reads headers and the sector it collects. COMPACT is format
 * 3: a 16-byte header (the write unit when larger), one record more per
 * sector (write amplification 1.506 instead of 1.515 on 8-byte units for
 * the anchor workload); without the bitmap a get of a key outside the
 * open sector scans the sectors back from the newest, and an opening
 * reads every data sector, unless a RAM index is attached
 * (fk_kv_attach_index), which then answers both.
 */
#define FK_KV_HEADER_BITMAP 0
#define FK_KV_HEADER_COMPACT 1

/* The store's shape. It is written into every sector header, so a store
 * is always mounted with the configuration it was formatted with. */
struct fk_kv_config {
	uint16_t key_limit;  /* ids are 0 .. key_limit-1; multiple of
				8, 8..FK_KV_MAX_KEYS */
	uint8_t value_max;   /* largest value in bytes, 0..FK_KV_VALUE_MAX */
	uint16_t record_max; /* largest commit record in bytes,
				value_max + FK_KV_SET_OVERHEAD ..
				FK_KV_RECORD_MAX */
	uint8_t header;	     /* FK_KV_HEADER_BITMAP (0, format 2) or
				FK_KV_HEADER_COMPACT (format 3) */
};

/* One key of an atomic commit. */
struct fk_kv_entry {
	uint16_t id; /* key id, < key_limit; each id at most once per commit */
	const void *value; /* the new value, or NULL to delete the key */
	uint8_t len; /* value length, <= value_max; ignored when deleting */
};

#define FK_KV_HEADER_MAX (22 + FK_KV_MAX_KEYS / 8)
#define FK_KV_BUF_SIZE                                              \
	((FK_KV_RECORD_MAX > FK_KV_HEADER_MAX ? FK_KV_RECORD_MAX :  \
						FK_KV_HEADER_MAX) + \
	 32)

/* One key's place in the optional RAM index (fk_kv_attach_index). */
struct fk_kv_slot {
	uint16_t sector; /* sector of the key's current entry */
	uint16_t off;	 /* its record's offset / alignment; 0xFFFF: none */
};

/* The store's state. Treat as opaque; sizeof(struct fk_kv) is its RAM. */
struct fk_kv {
	const struct fk_area *area; /* the partition, uniform sectors */
	struct fk_kv_config cfg;
	uint32_t sector_size;
	uint32_t seq;	     /* sequence number of the open (head) sector */
	uint32_t frontier;   /* next free offset in the head sector */
	uint16_t sectors;    /* number of sectors, >= 2 */
	uint16_t head;	     /* index of the head sector */
	uint16_t align;	     /* record alignment: max(write unit, sector/64K) */
	uint16_t hdr_size;   /* sector header size, padded to align */
	uint8_t erased;	     /* the flash's erased byte value */
	uint8_t mounted;     /* 1 when RAM matches flash */
	uint8_t next_erased; /* the sector after the head is known erased */
	uint8_t fresh; /* the head holds nothing but its opening's copies */
	struct fk_kv_slot *index; /* the caller's RAM index, or NULL */
	uint32_t large_room;	  /* bound on the bytes large values take (their
				     records, padded); 0xFFFFFFFF: not known */
	/* offset/align of the newest record holding each key in the head
	 * sector, or 0xFFFF; during garbage collection, the same for the
	 * sector being collected. */
	uint16_t where[FK_KV_MAX_KEYS];
	uint8_t newer[FK_KV_MAX_KEYS / 8]; /* GC: keys held by newer sectors */
	uint8_t held[FK_KV_MAX_KEYS / 8];  /* GC: the next header's bitmap */
	uint8_t buf[FK_KV_BUF_SIZE];	   /* one record or one header */
};

/*
 * Mounts the store on area (two or more sectors of one size, 1..256 KiB,
 * write unit <= 32 bytes). Reads every sector header once and the open
 * sector's records; writes nothing unless the area holds no store yet, in
 * which case it formats it (erases one sector and writes its header).
 * Returns 0, or:
 *   FK_EINVAL    the configuration or geometry breaks a rule above or in
 *                struct fk_kv_config (or a NULL argument);
 *   FK_ENOSPC    the configuration does not fit one sector (see
 *                docs/kv-format.md, "Capacity");
 *   FK_EMISMATCH the area holds a store formatted with another
 *                configuration or geometry, or another format version
 *                (a format-2 store under COMPACT headers, a format-3
 *                store under BITMAP, format 1 under either): it is left
 *                alone, never reformatted;
 *   FK_EABI      the caller was built with other FK_KV_MAX_KEYS or
 *                FK_KV_RECORD_MAX than the library: kv is not touched;
 *   a flash error.
 * Power loss: mount only reads, except when formatting, which a cut
 * leaves to be done again by the next mount.
 */
#define fk_kv_mount(kv, area, cfg) \
	fk__kv_mount(kv, area, cfg, FK_KV_ABI, (uint32_t)sizeof(struct fk_kv))

/* What fk_kv_mount() passes for the check above: the caller's view of
 * the compile-time sizes. Not to be called directly. */
#define FK_KV_ABI ((uint32_t)FK_KV_MAX_KEYS << 16 | FK_KV_RECORD_MAX)
int fk__kv_mount(struct fk_kv *kv, const struct fk_area *area,
		 const struct fk_kv_config *cfg, uint32_t abi, uint32_t size);

/*
 * Attaches a RAM index of count >= key_limit slots (4 bytes per key,
 * owned by the caller, kept until the next mount): builds it by reading
 * every data sector once, then keeps it up to date, so that every get
 * reads one record (about 7 + value bytes) instead of up to a sector.
 * Without it, a get of a key outside the open sector reads sector headers
 * and one sector (FK_KV_HEADER_COMPACT: the sectors back from the newest
 * until one holds the key). Mount detaches it: attach again after each mount.
 * Returns 0, FK_EINVAL (NULL or too few slots), FK_ESTATE (not mounted),
 * or a flash error (then no index is attached).
 */
int fk_kv_attach_index(struct fk_kv *kv, struct fk_kv_slot *slots,
		       uint32_t count);

/*
 * Copies the value of key id into out (size bytes) and returns its length
 * (0..value_max, or up to FK_KV_LARGE_MAX for a large value). FK_ENOENT when
 * the key has no value, FK_ENOSPC when out is too small, FK_EINVAL for a bad
 * id, FK_ECORRUPT when flash changed under the store. Reads at most one sector
 * plus sector headers (FK_KV_HEADER_COMPACT: up to every data sector); one
 * record with a RAM index (fk_kv_attach_index).
 */
int fk_kv_get(struct fk_kv *kv, uint16_t id, void *out, uint32_t size);

/*
 * Sets key id to len bytes of value. Returns 0 once the value is on flash.
 * FK_EINVAL for a bad id or length. When the open sector is full it first
 * moves to the next sector and copies the live values of the oldest one.
 * Power loss: the key holds the old or the new value, never anything else.
 */
int fk_kv_set(struct fk_kv *kv, uint16_t id, const void *value, uint8_t len);

/* Largest value fk_kv_set_large() takes. */
#define FK_KV_LARGE_MAX 65536u

/*
 * Sets key id to a value of len bytes, up to FK_KV_LARGE_MAX: above
 * value_max it is written as chunks of up to record_max - 7 bytes (at
 * most 254) followed by a closing record that names them, all in the
 * open sector; at or below value_max it is fk_kv_set(). Read it back with
 * fk_kv_get() (out of len bytes or more); fk_kv_iterate() visits it with
 * value NULL and len 0. Large values share the room a sector has beyond
 * what every key at value_max and one record_max commit take (see
 * docs/kv-format.md, "Capacity"): FK_ENOSPC when they would not fit it.
 * FK_ENOTSUP when record_max is below 18. The first large write after a
 * mount reads every data sector to learn the room taken.
 * Power loss: the key holds the whole old value or the whole new one.
 */
int fk_kv_set_large(struct fk_kv *kv, uint16_t id, const void *value,
		    uint32_t len);

/* Deletes key id (writes a deletion record even when it has no value).
 * Same contract as fk_kv_set(). */
int fk_kv_delete(struct fk_kv *kv, uint16_t id);

/*
 * Writes count entries as one record: after a power cut either all of
 * them or none of them are visible. FK_EINVAL for count 0, a bad entry or
 * a repeated id; FK_ENOSPC when the record would exceed record_max.
 */
int fk_kv_commit(struct fk_kv *kv, const struct fk_kv_entry *entries,
		 uint32_t count);

/*
 * Work done ahead of need, for the application to call when it is idle
 * (power-cut safe like every call here): erases the sector after the
 * head unless it reads erased already (a sector read), and when the
 * open sector has fewer than room bytes free, opens the next sector now
 * (copying the live values of the oldest one). Then, until sets and
 * commits have written more than room bytes of records (a set of n bytes
 * writes 7 + n rounded up to the write unit), none of them erases or
 * copies anything: each is one program. Without it, the set that fills
 * a sector erases one and copies up to a sector of live values.
 * Returns the bytes free in the open sector (>= room unless room is
 * more than a sector can offer after the copies: an open sector that
 * holds nothing but copies is never replaced early), FK_ESTATE, or a
 * flash error.
 */
int fk_kv_maintain(struct fk_kv *kv, uint32_t room);

/*
 * Calls fn for every key that has a value, in id order (a large value
 * with value NULL and len 0: read it with fk_kv_get). value points into
 * kv's buffer and is valid only during the call; fn must not call other
 * fk_kv functions. A non-zero return from fn stops the walk and is
 * returned. Cost: one lookup per key id (see fk_kv_get).
 */
typedef int (*fk_kv_visit_fn)(void *ctx, uint16_t id, const void *value,
			      uint8_t len);
int fk_kv_iterate(struct fk_kv *kv, fk_kv_visit_fn fn, void *ctx);

#endif
