/*
 * Fuzz target for the Nordic pm_static.yml import: any bytes go through
 * the YAML reader with aliases (bounded copies), the containers and
 * regions, and the checks. When they import, the layout must load (the
 * import promises a valid layout). No crash, no hang, no leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "layout/import.h"
#include "layout/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 }; /* counts, prints nothing */
	struct fk_layout_load_opts opts = { .diag = &counting };
	struct fk_layout L;
	char *yaml = NULL;
	size_t len;

	if (size > 65536)
		return 0;
	if (fk_import_pm_static("fuzz.yml", (const char *)data, size, NULL,
				&counting, &yaml, &len))
		return 0;
	if (fk_layout_load_buffer("fuzz.yaml", yaml, len, &L, &opts))
		abort(); /* the import wrote a layout that does not load */
	fk_layout_free(&L);
	free(yaml);
	return 0;
}
