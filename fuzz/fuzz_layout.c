/*
 * Fuzz target for the layout parser: any bytes go through the YAML
 * reader, the schema walk, placement and the checks; a layout that
 * passes also goes through every generator. No crash, no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layout/gen.h"
#include "layout/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fk_diag counting = { 0 }; /* counts, prints nothing */
	struct fk_layout L;
	struct fk_layout_load_opts opts = { .diag = &counting };

	if (size > 65536)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (fk_layout_load_buffer("fuzz.yaml", (const char *)data, size, &L,
				  &opts))
		return 0;
	fk_gen_c_header(&L, sink);
	for (uint32_t i = 0; i < L.image_count; i++) {
		fk_gen_ld_image(&L, &L.images[i], 0, sink);
		if (L.images[i].secondary >= 0)
			fk_gen_ld_image(&L, &L.images[i], 1, sink);
	}
	for (uint32_t i = 0; i < L.module_count; i++)
		fk_gen_ld_module(&L, &L.modules[i], sink);
	fk_gen_json(&L, sink);
	fk_gen_dts(&L, sink);
	fk_gen_openocd(&L, sink);
	fk_gen_svg(&L, sink);
	fk_layout_free(&L);
	return 0;
}
