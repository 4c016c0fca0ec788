/*
 * The optional RAM index of the settings store (fk_kv_attach_index):
 * building it from the data sectors. The store's writes keep it up to
 * date (fk__kv_index_note in kv.c) and lookups use it (fk__kv_locate).
 * A device that attaches no index leaves this file out of its link.
 */
#include "kv_priv.h"

static int index_record(struct fk_kv *kv, uint32_t off, uint32_t len, void *ctx)
{
	struct fk__kv_entry e = { 0 };

	while (fk__kv_next_entry(kv->buf, len, &e))
		fk__kv_index_note(kv, e.id, *(const uint16_t *)ctx, off);
	return 0;
}

/* The data sectors are the head and the sectors behind it, up to
 * sectors-2 steps, whose headers carry the expected sequence numbers;
 * walking them oldest first leaves each key at its newest entry. */
int fk_kv_attach_index(struct fk_kv *kv, struct fk_kv_slot *slots,
		       uint32_t count)
{
	uint32_t frontier;
	int run, rc = FK_OK;

	if (!kv->mounted)
		return FK_ESTATE;
	if (!slots || count < kv->cfg.key_limit)
		return FK_EINVAL;
	kv->index = slots;
	for (uint16_t k = 0; k < kv->cfg.key_limit; k++)
		fk__kv_index_note(kv, k, 0, KV_NOWHERE);
	run = fk__kv_data_run(kv);
	rc = run < 0 ? run : FK_OK;
	while (rc == FK_OK && run-- > 0) {
		uint16_t sector = kv_behind(kv, (uint32_t)run);

		rc = fk__kv_walk(kv, sector, index_record, &sector, &frontier);
	}
	if (rc != FK_OK)
		kv->index = NULL;
	return rc;
}
