/*
 * fk_kv_commit: several keys written as one record, so that a power cut
 * leaves all of them or none (the commit record of docs/kv-format.md).
 * Reading commits is in kv.c, since any store may hold them; a device
 * that never commits several keys at once leaves this file out of its
 * link (a commit of one key is fk_kv_set or fk_kv_delete).
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "kv_priv.h"

/* Builds the commit record of entries[0..count) in kv->buf (len bytes
 * with its CRC); returns len. */
static uint32_t build_commit(struct fk_kv *kv,
			     const struct fk_kv_entry *entries, uint32_t count,
			     uint32_t len)
{
	uint8_t *b = kv->buf;
	uint32_t q = 2;

	fk_put_le16(b, (uint16_t)(KV_COMMIT << 12 | len));
	for (uint32_t i = 0; i < count; i++) {
		const struct fk_kv_entry *e = &entries[i];

		fk_put_le16(b + q, e->id);
		b[q + 2] = e->value ? e->len : KV_TOMBSTONE;
		q += KV_ENTRY_HDR;
		if (e->value && e->len) {
			memcpy(b + q, e->value, e->len);
			q += e->len;
		}
	}
	return len;
}

int fk_kv_commit(struct fk_kv *kv, const struct fk_kv_entry *entries,
		 uint32_t count)
{
	uint32_t len = 2 + KV_CRC;

	if (!kv->mounted)
		return FK_ESTATE;
	if (count == 0 || !entries)
		return FK_EINVAL;
	if (count == 1)
		return entries->value ?
			       fk_kv_set(kv, entries->id, entries->value,
					 entries->len) :
			       fk_kv_delete(kv, entries->id);
	for (uint32_t i = 0; i < count; i++) {
		const struct fk_kv_entry *e = &entries[i];

		if (e->id >= kv->cfg.key_limit ||
		    (e->value && e->len > kv->cfg.value_max))
			return FK_EINVAL;
		for (uint32_t j = 0; j < i; j++) {
			if (entries[j].id == e->id)
				return FK_EINVAL;
		}
		len += KV_ENTRY_HDR + (e->value ? e->len : 0);
	}
	return fk__kv_put(kv, entries, count, len, build_commit);
}
