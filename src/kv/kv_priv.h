/*
 * What the store's two files share: the on-flash constants of
 * docs/kv-format.md and the helpers that read sector headers and walk a
 * sector's records. Not a public interface.
 */
#ifndef FLASHKIT_KV_PRIV_H
#define FLASHKIT_KV_PRIV_H

#include "flashkit/bytes.h"
#include "flashkit/kv.h"

/*
 * Functions that issue a program or an erase. A port whose CPU must not
 * fetch from the flash being written (code and store on one bank, or a
 * QSPI chip leaving memory-mapped mode) defines FK_RAMFUNC as a section
 * attribute that its linker script places in RAM; elsewhere it is empty.
 */
#ifndef FK_RAMFUNC
#define FK_RAMFUNC
#endif

#define KV_MAGIC 0x32564B46u	/* "FKV2" little-endian */
#define KV_MAGIC_V1 0x31564B46u /* "FKV1": refused, never reformatted */
#define KV_HDR_FIXED 18		/* header bytes before the key bitmap */
#define KV_HDR_COMPACT 16	/* a format-3 (compact) header */
#define KV_SEED3                                                       \
	0xB0C52118u	   /* CRC-32 of "FKV3": a compact header's CRC \
			      starts from it (the magic, folded in) */
#define KV_REC_MIN 6	   /* the smallest record: a deletion */
#define KV_CRC 4	   /* the CRC-32 closing every record */
#define KV_ENTRY_HDR 3	   /* commit entry: id (2) + value length (1) */
#define KV_TOMBSTONE 0xFF  /* value length of a deleted commit entry */
#define KV_NOWHERE 0xFFFFu /* where[] of a key absent from the head */

/* Record kinds: the high nibble of a record's first two bytes (its tag);
 * the low 12 bits hold the key id, or a commit's length. Never 0 or 15,
 * so a record's first bytes never read as erased flash. */
enum kv_kind {
	KV_SET = 1,    /* id, value length (1), value, CRC */
	KV_DELETE = 2, /* id, CRC */
	KV_COMMIT = 3, /* length, entries (id, length or 0xFF, value), CRC */
	KV_CHUNK = 4,  /* id, length (1), a piece of a large value, CRC */
	KV_LARGE = 5,  /* id, size (4), first chunk (2, offset / A), chunks
			  (2), CRC of the value (4), CRC: a large value */
};

#define KV_LARGE_LEN 18 /* a large value's closing record */

/* One entry of a record held in kv->buf. */
struct fk__kv_entry {
	uint16_t id;
	uint8_t deleted;
	uint8_t large; /* a large value: its record describes the chunks */
	uint8_t len;   /* value length (0 when deleted or large) */
	uint32_t at;   /* offset of the value in the record */
	uint32_t next; /* where the walk goes on (0 to start) */
};

/* Steps e to the next entry of the valid record b[0..len) (e->next 0 for
 * the first). Returns 1 with e filled, 0 after the last entry. */
int fk__kv_next_entry(const uint8_t *b, uint32_t len, struct fk__kv_entry *e);

static inline uint32_t kv_sector_off(const struct fk_kv *kv, uint32_t index)
{
	return index * kv->sector_size;
}

/* The sector d steps behind the head in the ring (d < sectors). */
static inline uint16_t kv_behind(const struct fk_kv *kv, uint32_t d)
{
	return (uint16_t)((kv->head + kv->sectors - d) % kv->sectors);
}

/* Reads sector index's header into kv->buf. Returns 1 with *seq set when
 * it is valid and matches kv's configuration, 0 when it is not a valid
 * header (erased, torn, garbage), FK_EMISMATCH when it is a valid header of
 * a store with another configuration, or a flash error. */
int fk__kv_read_header(struct fk_kv *kv, uint16_t index, uint32_t *seq);

/* Called with each valid record of a sector, in kv->buf[0..len). A
 * non-zero return stops the walk and is returned. */
typedef int (*fk__kv_record_fn)(struct fk_kv *kv, uint32_t off, uint32_t len,
				void *ctx);

/* Walks sector index's records in order and sets *frontier to the offset
 * where the next record would go. Returns 0, fn's non-zero result, or a
 * flash error. */
int fk__kv_walk(struct fk_kv *kv, uint16_t index, fk__kv_record_fn fn,
		void *ctx, uint32_t *frontier);

/* Opens the sector after the head (docs/kv-format.md, "Opening a
 * sector"): erase unless next_erased, copies, header. */
FK_RAMFUNC int fk__kv_rotate(struct fk_kv *kv);
/* The same in two steps, for an opening that carries a new value of key
 * skip: begin (erase, copies of every live key but skip), then the
 * caller appends the value, then end (the header). */
FK_RAMFUNC int fk__kv_open_begin(struct fk_kv *kv, uint16_t skip);
FK_RAMFUNC int fk__kv_open_end(struct fk_kv *kv);

/* The current entry of key id, its record in kv->buf: 0 with *e and
 * *sector set, FK_ENOENT (no value), FK_ESTATE, FK_EINVAL (bad id), or
 * an error. */
int fk__kv_lookup(struct fk_kv *kv, uint16_t id, struct fk__kv_entry *e,
		  uint16_t *sector);

/* Notes in the RAM index, when there is one, that id's current entry is
 * the record at off of sector (off KV_NOWHERE: the key has none). */
void fk__kv_index_note(struct fk_kv *kv, uint16_t id, uint16_t sector,
		       uint32_t off);

/* Number of sectors, from the head back, whose headers carry the
 * expected sequence numbers (at most sectors - 1: the data sectors and
 * their run), or a flash error. */
int fk__kv_data_run(struct fk_kv *kv);

/* Appends the record in kv->buf[0..len) (tag and body already there) to
 * the head; returns its offset or an error. */
FK_RAMFUNC int fk__kv_append(struct fk_kv *kv, uint32_t len);

/* Builds the record of entries[0..count), len bytes, in kv->buf (after
 * any opening, which uses kv->buf); returns len. */
typedef uint32_t (*fk__kv_build_fn)(struct fk_kv *kv,
				    const struct fk_kv_entry *entries,
				    uint32_t count, uint32_t len);

/* Writes the record of entries[0..count) (len bytes, at most
 * record_max: FK_ENOSPC otherwise) at the head, opening the next sector
 * first when it does not fit, and notes where each entry now is. The
 * entries are checked by the caller. */
int fk__kv_put(struct fk_kv *kv, const struct fk_kv_entry *entries,
	       uint32_t count, uint32_t len, fk__kv_build_fn build);

/* A large value's closing record. */
struct fk__kv_large {
	uint32_t size;	/* value bytes */
	uint32_t first; /* offset of its first chunk in the sector */
	uint32_t count; /* chunks */
	uint32_t crc;	/* CRC-32 of the value */
};

/* Builds the closing record of large value l of key id in kv->buf
 * (KV_LARGE_LEN bytes, for fk__kv_append). */
void fk__kv_large_close(struct fk_kv *kv, uint16_t id,
			const struct fk__kv_large *l);

/* Bytes of chunk data per chunk record. */
static inline uint32_t kv_chunk_max(const struct fk_kv *kv)
{
	uint32_t n = kv->cfg.record_max - FK_KV_SET_OVERHEAD;

	return n < 254 ? n : 254;
}

/* Finds the newest entry for id: *sector and *off of its record. Returns
 * 0, FK_ENOENT, or an error. */
int fk__kv_locate(struct fk_kv *kv, uint16_t id, uint16_t *sector,
		  uint32_t *off);

#endif
