/*
 * Fuzzes the settings file parser of `flashkit kv build`: any input
 * either parses into values that respect the configuration (a sector
 * header variant the store knows among it), or is refused with
 * diagnostics; never a crash or a leak.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kv/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 }; /* counts, prints nothing */
	struct fk_kv_settings s;

	if (fk_kv_settings_parse("fuzz.yaml", (const char *)data, size, &s,
				 &counting) != FK_OK)
		return 0;
	if (s.cfg.header != FK_KV_HEADER_BITMAP &&
	    s.cfg.header != FK_KV_HEADER_COMPACT)
		abort();
	for (size_t i = 0; i < s.count; i++) {
		if (s.items[i].id >= s.cfg.key_limit ||
		    s.items[i].len > s.cfg.value_max)
			abort();
	}
	fk_kv_settings_free(&s);
	return 0;
}
