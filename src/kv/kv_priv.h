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

#define KV_MAGIC 0x31564B46u /* "FKV1" little-endian */
#define KV_HDR_FIXED 18	     /* header bytes before the key bitmap */
#define KV_REC_MIN 6	     /* length + CRC: the GC-done marker */
#define KV_ENTRY_HDR 3	     /* id (2) + value length (1) */
#define KV_TOMBSTONE 0xFF    /* value length of a deletion entry */
#define KV_NOWHERE 0xFFFFu   /* where[] of a key absent from the head */

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

/* Finds the newest entry for id: *sector and *off of its record. Returns
 * 0, FK_ENOENT, or an error. */
int fk__kv_locate(struct fk_kv *kv, uint16_t id, uint16_t *sector,
		  uint32_t *off);

#endif
