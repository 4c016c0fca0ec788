/*
 * The application's side of a library module: checking the entry table
 * in flash against what the application was built for, and starting the
 * module (its init). The table's format is in flashkit/module.h and
 * docs/modules.md; the table itself is generated, never written here.
 */
#include "flashkit/module.h"

#include <stddef.h>

int fk_module_check(const struct fk_module_header *m,
		    const struct fk_module_expect *expect)
{
	if (!m || !expect || !expect->count)
		return FK_EINVAL;
	if (m->magic != FK_MODULE_MAGIC)
		return FK_ENOENT;
	if (m->format != FK_MODULE_FORMAT || m->id != expect->id ||
	    m->api != expect->api)
		return FK_EMISMATCH;
	if (m->count < expect->count)
		return FK_EDEPEND;
	/* The chain at count - 1 covers every prototype the caller uses. */
	if (m->entries[expect->count - 1].hash != expect->hash)
		return FK_EMISMATCH;
	return FK_OK;
}

int fk_module_bind(const struct fk_module_header *m,
		   const struct fk_module_expect *expect)
{
	int rc = fk_module_check(m, expect);

	if (rc == FK_OK && m->init)
		m->init();
	return rc;
}
