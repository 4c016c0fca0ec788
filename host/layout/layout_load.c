/*
 * Layout file -> model. The YAML reader (host/yaml/) turns the text into
 * positioned nodes; this file walks the top level against the schema
 * (docs/layout.md) and hands each part to its file: the memories and
 * their partitions (layout_memories.c), modules and images
 * (layout_images.c), order and unique names (layout_resolve.c). Then the
 * hardware checks run (layout_check.c).
 *
 * It keeps going after an error, so one run shows every problem the
 * parser can see; the hardware checks only run on a model without
 * parse errors. Every message goes to the caller's diagnostics sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/files.h"
#include "layout_load.h"

struct fk_pos fk_layout_pos_of(struct loader *ld, const struct fk_ynode *n)
{
	struct fk_pos p = { ld->L->path, 0, 0 };

	return n ? n->pos : p;
}

/* Names become C macros and linker symbols: keep them identifiers. */
bool fk_layout_valid_name(struct loader *ld, const struct fk_ynode *k,
			  const char *what)
{
	const char *s = fk_yaml_text(k);
	struct fk_pos p = fk_layout_pos_of(ld, k);

	if (s &&
	    ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	    strlen(s) <= 48) {
		const char *c = s;

		while (*c &&
		       (*c == '_' || *c == '-' || (*c >= '0' && *c <= '9') ||
			(*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			c++;
		if (!*c)
			return true;
	}
	fk_diag_error(&ld->d, &p,
		      "%s name '%s' must start with a letter and "
		      "hold only letters, digits, '-' and '_' (at most 48): it "
		      "becomes a C macro and a linker symbol",
		      what, s ? s : "");
	return false;
}

char *fk_layout_strdup(struct loader *ld, const char *s)
{
	char *d = strdup(s);

	if (!d)
		fk_fail_nomem(&ld->d);
	return d;
}

bool fk_layout_grow(struct loader *ld, void *arrp, uint32_t count, size_t elem)
{
	void *arr, *n;

	memcpy(&arr, arrp, sizeof(arr));
	n = realloc(arr, (count + 1) * elem);
	if (!n) {
		fk_fail_nomem(&ld->d);
		return false;
	}
	memset((char *)n + count * elem, 0, elem);
	memcpy(arrp, &n, sizeof(n));
	return true;
}

static const char *const top_keys[] = { "name", "memories", "modules",
					"images" };

/* Calls fn on each pair of the mapping under key of the root. */
static void each_entry(struct loader *ld, const struct fk_ynode *root,
		       const char *key,
		       void (*fn)(struct loader *, const struct fk_ynode *,
				  const struct fk_ynode *))
{
	const struct fk_ynode *map = fk_yaml_get(root, key);
	char what[64];

	if (!map)
		return;
	snprintf(what, sizeof(what), "'%s'", key);
	if (!fk_yaml_expect(&ld->y, map, FK_YAML_MAP, what))
		return;
	for (size_t i = 0; i < map->count; i++) {
		const struct fk_ynode *k = fk_yaml_key(map, i);

		if (!fk_yaml_text(k)) {
			struct fk_pos p = fk_layout_pos_of(ld, k);

			fk_diag_error(&ld->d, &p,
				      "names under %s must be plain "
				      "words",
				      what);
			continue;
		}
		fn(ld, k, fk_yaml_value(map, i));
	}
}

static void parse_root(struct loader *ld, const struct fk_ynode *root)
{
	struct fk_layout *L = ld->L;
	struct fk_pos p = { L->path, 1, 1 };
	const struct fk_ynode *n;

	if (!root || (root->type == FK_YAML_SCALAR && root->len == 0)) {
		fk_diag_error(&ld->d, &p,
			      "the layout is empty; it needs at "
			      "least 'memories:' (see docs/layout.md)");
		return;
	}
	if (!fk_yaml_expect(&ld->y, root, FK_YAML_MAP, "a layout file"))
		return;
	fk_yaml_check_keys(&ld->y, root, top_keys, ARRAY_SIZE(top_keys),
			   "the layout");
	n = fk_yaml_get(root, "name");
	if (n && fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, "'name'"))
		L->title = fk_layout_strdup(ld, fk_yaml_text(n));
	if (!fk_yaml_get(root, "memories")) {
		fk_diag_error(&ld->d, &p, "the layout has no 'memories:'");
		return;
	}
	/* Modules and images are read even when a memory had errors, so
	 * one run reports every mistake in the file. */
	each_entry(ld, root, "memories", fk_layout_parse_memory);
	fk_layout_sort_partitions(ld);
	fk_layout_fill_sectors(L);
	fk_layout_check_names(ld, "memory");
	fk_layout_check_names(ld, "partition");
	each_entry(ld, root, "modules", fk_layout_parse_module);
	fk_layout_check_names(ld, "module");
	each_entry(ld, root, "images", fk_layout_parse_image);
	fk_layout_check_names(ld, "image");
}

int fk_layout_load_buffer(const char *name, const char *text, size_t len,
			  struct fk_layout *out,
			  const struct fk_layout_load_opts *opts)
{
	struct loader ld;

	memset(&ld, 0, sizeof(ld));
	memset(out, 0, sizeof(*out));
	ld.L = out;
	ld.d.emit = fk_diag_relay;
	ld.d.ctx = opts ? opts->diag : NULL;
	ld.d.no_warnings = opts && opts->no_warnings;
	out->path = fk_layout_strdup(&ld, name);
	if (out->path && fk_yaml_read(&ld.y, out->path, text, len, &ld.d) == 0)
		parse_root(&ld, ld.y.root);
	fk_yaml_free(&ld.y);
	free(ld.raw);
	if (!ld.d.errors && !(opts && opts->no_checks))
		fk_layout_check(out, &ld.d);
	out->error_count = ld.d.errors;
	out->warning_count = ld.d.warnings;
	if (ld.d.errors) {
		uint32_t errors = ld.d.errors, warnings = ld.d.warnings;

		fk_layout_free(out);
		out->error_count = errors;
		out->warning_count = warnings;
		return ld.d.fail == FK_FAIL_NOMEM ? FK_ENOSPC : FK_EINVAL;
	}
	return 0;
}

int fk_layout_load(const char *path, struct fk_layout *out,
		   const struct fk_layout_load_opts *opts)
{
	struct fk_diag *diag = opts ? opts->diag : NULL;
	struct fk_pos at = { path, 0, 0 };
	struct fk_diag err = { 0 };
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	/* a layout is text: capped like every text input (files.h) */
	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT), &buf, &n,
			 &err)) {
		fk_diag_fail(diag, err.fail, &at, "cannot read the layout: %s",
			     err.last_text);
		return FK_EIO;
	}
	rc = fk_layout_load_buffer(path, (const char *)buf, n, out, opts);
	free(buf);
	return rc;
}
