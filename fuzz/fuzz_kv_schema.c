/*
 * Fuzzes the settings schema parser of `flashkit kv gen`: any input
 * either parses into settings the generator can describe (ids in order,
 * sizes within value_max, defaults within their size) and a header is
 * generated, or is refused with diagnostics; never a crash or a leak.
 */
#include <stdlib.h>

#include "kv/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 }; /* counts, prints nothing */
	struct fk_kv_schema s;
	char *header;

	if (fk_kv_schema_parse("fuzz.yaml", (const char *)data, size, &s,
			       &counting) != FK_OK)
		return 0;
	for (size_t i = 0; i < s.count; i++) {
		const struct fk_kv_field *f = &s.fields[i];

		if (f->id != i || f->size == 0 || f->size > s.value_max ||
		    f->def_len > f->size)
			abort();
	}
	if (s.hash_id != s.count || s.key_limit <= s.hash_id)
		abort();
	header = fk_kv_schema_header(&s, "fuzz");
	free(header);
	fk_kv_schema_free(&s);
	return 0;
}
