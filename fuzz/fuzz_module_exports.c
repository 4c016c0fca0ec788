/*
 * Fuzzes the exports file reader of `flashkit module gen`: any input is
 * either refused with diagnostics or parsed into a table whose every
 * function has a name, a normalized prototype and the chained hash; the
 * generated files are written, and the lock written from it reads back
 * as the same table (same hashes) and passes its own lock check. The
 * same bytes are also read as a header given by `from`. Never a crash
 * or a leak.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/exports.h"
#include "module/module_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_chain(const struct fk_exports *ex)
{
	uint32_t h = fk_module_hash_seed(ex->id, ex->api);

	for (uint32_t i = 0; i < ex->count; i++) {
		h = fk_module_hash_next(h, ex->fns[i].normalized);
		if (!ex->fns[i].name[0] || h != ex->fns[i].hash)
			abort();
	}
}

static void round_trip(const struct fk_exports *ex)
{
	struct fk_diag counting = { 0 };
	struct fk_exports back;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (!fp)
		return;
	fk_module_gen_lock(ex, fp);
	fk_module_gen_table(ex, "fuzz", fp);
	fk_module_gen_import(ex, "fuzz", fp);
	fclose(fp);
	free(text);
	fp = open_memstream(&text, &len);
	if (!fp)
		return;
	fk_module_gen_lock(ex, fp);
	fclose(fp);
	if (fk_exports_parse("lock", text, len, &back, &counting))
		abort();
	if (back.count != ex->count || back.api != ex->api ||
	    strcmp(back.name, ex->name) ||
	    (ex->count &&
	     back.fns[ex->count - 1].hash != ex->fns[ex->count - 1].hash) ||
	    fk_module_lock_check(ex, &back, &counting))
		abort();
	fk_exports_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 };
	struct fk_exports ex;
	static const char from[] = "module m\napi 1\nfrom \"h.h\"\n";

	if (fk_exports_parse("fuzz.exports", (const char *)data, size, &ex,
			     &counting) == 0) {
		if (ex.count) {
			check_chain(&ex);
			round_trip(&ex);
		}
		fk_exports_free(&ex);
	}
	if (fk_exports_parse("m.exports", from, sizeof(from) - 1, &ex,
			     &counting))
		abort();
	if (fk_exports_add_header(&ex, "h.h", (const char *)data, size,
				  &counting) == 0) {
		check_chain(&ex);
		round_trip(&ex);
	}
	fk_exports_free(&ex);
	return 0;
}
