/*
 * Fuzz target for the ESP-IDF partition table import: any bytes go
 * through the CSV reader and placement. When they import, the layout
 * must load (the import promises a valid layout), and the partition
 * table `layout gen --esp-idf` writes from it must import to the same
 * layout. No crash, no hang, no leak.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/gen.h"
#include "layout/import.h"
#include "layout/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The layout without its notes: from the title on. */
static const char *body(const char *yaml)
{
	const char *b = strstr(yaml, "\nname: ");

	return b ? b : yaml;
}

static void round_trip(const char *yaml, size_t len)
{
	struct fk_diag counting = { 0 };
	struct fk_layout_load_opts opts = { .diag = &counting };
	struct fk_layout L;
	char *csv = NULL, *again = NULL;
	size_t csv_len = 0, again_len;
	FILE *f;
	int mem;

	if (fk_layout_load_buffer("fuzz.yaml", yaml, len, &L, &opts))
		abort(); /* the import wrote a layout that does not load */
	mem = fk_gen_esp_memory(&L);
	f = open_memstream(&csv, &csv_len);
	if (mem < 0 || !f)
		abort();
	fk_gen_esp_csv(&L, (uint32_t)mem, f);
	fclose(f);
	if (fk_import_esp_csv("fuzz.csv", csv, csv_len, NULL, &counting, &again,
			      &again_len) ||
	    strcmp(body(yaml), body(again)))
		abort(); /* gen --esp-idf lost or changed a partition */
	free(again);
	free(csv);
	fk_layout_free(&L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 }; /* counts, prints nothing */
	char *yaml = NULL;
	size_t len;

	if (size > 65536)
		return 0;
	if (fk_import_esp_csv("fuzz.csv", (const char *)data, size, NULL,
			      &counting, &yaml, &len))
		return 0;
	round_trip(yaml, len);
	free(yaml);
	return 0;
}
