/*
 * Fuzz target for the YAML reader (host/yaml/): any bytes become a node
 * tree or a reported refusal; the tree is then walked with every getter.
 * No crash, no hang, no leak; every node within FK_YAML_MAX_DEPTH.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/number.h"
#include "yaml/yaml_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct fk_yaml *y, const struct fk_ynode *n, int depth)
{
	static const char *const keys[] = { "size", "kind", "values" };
	const char *s;
	uint64_t v;
	bool b;
	int e;

	if (depth > FK_YAML_MAX_DEPTH)
		abort();
	if (n->type == FK_YAML_SCALAR)
		return;
	if (n->type == FK_YAML_MAP) {
		fk_yaml_check_keys(y, n, keys, 3, "fuzz");
		fk_yaml_get_number(y, n, "size", "fuzz", FK_NUM_SIZE,
				   UINT32_MAX, &v, NULL);
		fk_yaml_get_bool(y, n, "kind", "fuzz", &b);
		fk_yaml_get_enum(y, n, "kind", "fuzz", keys, 3, &e);
		fk_yaml_get_string(y, n, "values", "fuzz", &s);
	}
	for (size_t i = 0; i < (n->type == FK_YAML_MAP ? 2 * n->count
						       : n->count); i++)
		walk(y, n->kids[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag counting = { 0 };
	struct fk_yaml y;

	if (size > 65536)
		return 0;
	if (fk_yaml_read(&y, "fuzz.yaml", (const char *)data, size,
			 &counting) == 0 && y.root)
		walk(&y, y.root, 1);
	fk_yaml_free(&y);
	return 0;
}
