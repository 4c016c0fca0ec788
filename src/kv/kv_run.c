/*
 * The run of the settings store's data sectors, for the parts that walk
 * them all (the RAM index, large values, inspection); the store's own
 * reads and writes never need it.
 */
#include "kv_priv.h"

int fk__kv_data_run(struct fk_kv *kv)
{
	uint32_t seq, d;

	for (d = 0; d + 1 < kv->sectors; d++) {
		int rc = fk__kv_read_header(kv, kv_behind(kv, d), &seq);

		if (rc < 0)
			return rc;
		if (rc == 0 || seq != kv->seq - d)
			break;
	}
	return (int)d;
}
