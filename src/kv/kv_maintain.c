/*
 * fk_kv_maintain: the settings store's work ahead of need, for the
 * application's idle time (see flashkit/kv.h). A device that never calls
 * it leaves this file out of its link.
 */
#include "kv_priv.h"

/*
 * The sector after the head holds nothing anyone reads (its live values
 * were copied when the head was opened), so erasing it early keeps every
 * invariant; the opening then skips the erase. After a mount the store
 * does not know whether it is erased: reading it is cheaper than wear.
 * A head that holds nothing but its opening's copies is not replaced:
 * another opening would give no more room, only wear.
 */
int fk_kv_maintain(struct fk_kv *kv, uint32_t room)
{
	uint32_t next;
	int rc;

	if (!kv->mounted)
		return FK_ESTATE;
	kv->mounted = 0;
	if (kv->sector_size - kv->frontier < room && !kv->fresh) {
		rc = fk__kv_rotate(kv);
		if (rc != FK_OK)
			return rc;
	}
	next = kv_sector_off(kv, (kv->head + 1u) % kv->sectors);
	if (!kv->next_erased) {
		rc = fk_area_is_erased(kv->area, next, kv->sector_size, kv->buf,
				       sizeof(kv->buf));
		if (rc == 0 || rc == FK_EECC)
			rc = fk_area_erase(kv->area, next, kv->sector_size);
		if (rc < 0)
			return rc;
		kv->next_erased = 1;
	}
	kv->mounted = 1;
	return (int)(kv->sector_size - kv->frontier);
}
