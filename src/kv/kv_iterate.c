/*
 * fk_kv_iterate: a walk over every key of the settings store, one
 * lookup per key id (see flashkit/kv.h). A device that never iterates
 * leaves this file out of its link.
 */
#include "kv_priv.h"

int fk_kv_iterate(struct fk_kv *kv, fk_kv_visit_fn fn, void *ctx)
{
	for (uint16_t id = 0; id < kv->cfg.key_limit; id++) {
		struct fk__kv_entry e;
		uint16_t sector;
		int rc = fk__kv_lookup(kv, id, &e, &sector);

		if (rc == FK_ENOENT)
			continue;
		if (rc >= 0)
			rc = fn(ctx, id, e.large ? NULL : kv->buf + e.at,
				e.len);
		if (rc != 0)
			return rc;
	}
	return FK_OK;
}
