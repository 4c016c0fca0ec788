/*
 * The modules and images of a layout file, and the names they refer to:
 * partitions (with "did you mean" over all of them), RAM memories or
 * partitions, modules. Runs after the memories, so every partition is
 * known and placed.
 */
#include <stdlib.h>
#include <string.h>

#include "layout_load.h"

/* Resolves a partition name, with "did you mean" over every partition. */
static int find_part(struct loader *ld, const struct fk_ynode *n,
		     const char *what)
{
	struct fk_layout *L = ld->L;
	struct fk_pos p = fk_layout_pos_of(ld, n);
	const char **names;
	const char *hint;

	if (!fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, what))
		return -1;
	for (uint32_t i = 0; i < L->partition_count; i++)
		if (!strcmp(L->partitions[i].name, fk_yaml_text(n)))
			return (int)i;
	names = calloc(L->partition_count + 1, sizeof(*names));
	if (!names)
		return fk_fail_nomem(&ld->d);
	for (uint32_t i = 0; i < L->partition_count; i++)
		names[i] = L->partitions[i].name;
	hint = fk_yaml_suggest(fk_yaml_text(n), names, L->partition_count);
	if (hint)
		fk_diag_error(&ld->d, &p,
			      "%s: no partition named '%s'; did "
			      "you mean '%s'?",
			      what, fk_yaml_text(n), hint);
	else
		fk_diag_error(&ld->d, &p,
			      "%s: no partition named '%s' (define "
			      "it under a memory's 'partitions')",
			      what, fk_yaml_text(n));
	free(names);
	return -1;
}

/* Calls fn for the value, or for each item when it is a list. */
static void
for_each_name(struct loader *ld, const struct fk_ynode *n, const char *what,
	      void (*fn)(struct loader *, const struct fk_ynode *, void *),
	      void *arg)
{
	if (n->type == FK_YAML_LIST) {
		for (size_t i = 0; i < n->count; i++)
			fn(ld, n->kids[i], arg);
	} else if (fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, what)) {
		fn(ld, n, arg);
	}
}

static const char *const module_keys[] = { "flash", "ram", "header" };

void fk_layout_parse_module(struct loader *ld, const struct fk_ynode *k,
			    const struct fk_ynode *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_module *m;
	char what[96];
	const struct fk_ynode *n;
	int idx;

	if (!fk_layout_valid_name(ld, k, "module"))
		return;
	snprintf(what, sizeof(what), "module '%s'", fk_yaml_text(k));
	if (!fk_yaml_expect(&ld->y, v, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&ld->y, v, module_keys, ARRAY_SIZE(module_keys),
			   what);
	n = fk_yaml_get(v, "flash");
	if (!n) {
		struct fk_pos p = fk_layout_pos_of(ld, k);

		fk_diag_error(&ld->d, &p,
			      "%s has no 'flash' (the partition "
			      "of role module that holds its code)",
			      what);
		return;
	}
	idx = find_part(ld, n, what);
	if (idx < 0)
		return;
	if (!fk_layout_grow(ld, &L->modules, L->module_count,
			    sizeof(*L->modules)))
		return;
	m = &L->modules[L->module_count];
	m->name = fk_layout_strdup(ld, fk_yaml_text(k));
	if (!m->name)
		return;
	L->module_count++;
	m->pos = fk_layout_pos_of(ld, k);
	m->flash = (uint32_t)idx;
	m->ram = -1;
	m->pos_ram = m->pos;
	n = fk_yaml_get(v, "ram");
	if (n) {
		m->pos_ram = fk_layout_pos_of(ld, n);
		m->ram = find_part(ld, n, what);
	}
	m->pos_header = m->pos;
	fk_yaml_get_u32(&ld->y, v, "header", what, FK_NUM_SIZE, &m->header_size,
			&m->pos_header);
}

struct image_ctx {
	struct fk_layout_image *img;
	const char *what;
};

/* A RAM partition or a whole RAM memory by name, for the image key `key`
 * ('ram' or 'load'). Returns true when *out is filled. */
static bool ram_ref(struct loader *ld, const struct fk_ynode *n,
		    const char *what, const char *key,
		    struct fk_layout_ram_ref *out)
{
	struct fk_layout *L = ld->L;
	struct fk_pos p = fk_layout_pos_of(ld, n);
	int idx;

	for (uint32_t i = 0; i < L->memory_count; i++) {
		const struct fk_layout_memory *mem = &L->memories[i];

		if (strcmp(mem->name, fk_yaml_text(n)))
			continue;
		if (mem->kind != FK_MEM_RAM) {
			fk_diag_error(&ld->d, &p,
				      "%s: '%s' names memory '%s', "
				      "which is %s, not RAM",
				      what, key, mem->name,
				      fk_layout_kind_name(mem->kind));
			return false;
		}
		*out = (struct fk_layout_ram_ref){ true, i, mem->base,
						   mem->size };
		return true;
	}
	idx = find_part(ld, n, what);
	if (idx < 0)
		return false;
	if (L->memories[L->partitions[idx].memory].kind != FK_MEM_RAM) {
		fk_diag_error(
			&ld->d, &p,
			"%s: '%s' names partition '%s', "
			"which is on %s memory '%s', not RAM",
			what, key, fk_yaml_text(n),
			fk_layout_kind_name(
				L->memories[L->partitions[idx].memory].kind),
			L->memories[L->partitions[idx].memory].name);
		return false;
	}
	*out = (struct fk_layout_ram_ref){ false, (uint32_t)idx,
					   L->partitions[idx].address,
					   L->partitions[idx].size };
	return true;
}

static void add_ram(struct loader *ld, const struct fk_ynode *n, void *arg)
{
	struct image_ctx *c = arg;
	struct fk_layout_image *img = c->img;
	struct fk_pos p = fk_layout_pos_of(ld, n);

	if (!fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, "a RAM name"))
		return;
	if (img->ram_count >= FK_LAYOUT_MAX_RAM) {
		fk_diag_error(&ld->d, &p, "%s: at most %d RAM regions", c->what,
			      FK_LAYOUT_MAX_RAM);
		return;
	}
	if (ram_ref(ld, n, c->what, "ram", &img->ram[img->ram_count]))
		img->ram_count++;
}

static void add_module(struct loader *ld, const struct fk_ynode *n, void *arg)
{
	struct image_ctx *c = arg;
	struct fk_layout *L = ld->L;
	struct fk_pos p = fk_layout_pos_of(ld, n);
	const char **names;
	const char *hint;

	if (!fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, "a module name"))
		return;
	for (uint32_t i = 0; i < L->module_count; i++) {
		if (strcmp(L->modules[i].name, fk_yaml_text(n)))
			continue;
		if (c->img->module_count >= FK_LAYOUT_MAX_REFS) {
			fk_diag_error(&ld->d, &p, "%s: at most %d modules",
				      c->what, FK_LAYOUT_MAX_REFS);
			return;
		}
		c->img->modules[c->img->module_count++] = i;
		return;
	}
	names = calloc(L->module_count + 1, sizeof(*names));
	if (!names) {
		fk_fail_nomem(&ld->d);
		return;
	}
	for (uint32_t i = 0; i < L->module_count; i++)
		names[i] = L->modules[i].name;
	hint = fk_yaml_suggest(fk_yaml_text(n), names, L->module_count);
	fk_diag_error(&ld->d, &p, "%s: no module named '%s'%s%s%s", c->what,
		      fk_yaml_text(n),
		      hint ? "; did you mean '" :
			     " (define it under "
			     "'modules')",
		      hint ? hint : "", hint ? "'?" : "");
	free(names);
}

static void add_use(struct loader *ld, const struct fk_ynode *n, void *arg)
{
	struct image_ctx *c = arg;
	int idx = find_part(ld, n, c->what);

	if (idx < 0)
		return;
	if (c->img->uses_count >= FK_LAYOUT_MAX_REFS) {
		struct fk_pos p = fk_layout_pos_of(ld, n);

		fk_diag_error(&ld->d, &p, "%s: at most %d used partitions",
			      c->what, FK_LAYOUT_MAX_REFS);
		return;
	}
	c->img->uses[c->img->uses_count++] = (uint32_t)idx;
}

/* `release: { stub: ADDRESS, mailbox: PARTITION }` (fk_layout_image);
 * judged by fk_layout_check_release() once the layout is whole. */
static void parse_release(struct loader *ld, const struct fk_ynode *n,
			  struct fk_layout_image *img, const char *what)
{
	static const char *const keys[] = { "stub", "mailbox" };
	char rwhat[128];
	const struct fk_ynode *m;

	img->pos_release = img->pos_stub = img->pos_mailbox =
		fk_layout_pos_of(ld, n);
	snprintf(rwhat, sizeof(rwhat), "'release' of %s", what);
	if (!fk_yaml_expect(&ld->y, n, FK_YAML_MAP, rwhat))
		return;
	fk_yaml_check_keys(&ld->y, n, keys, ARRAY_SIZE(keys), rwhat);
	if (fk_yaml_get_u32(&ld->y, n, "stub", rwhat, FK_NUM_SIZE,
			    &img->release_stub, &img->pos_stub) == 0)
		fk_diag_error(&ld->d, &img->pos_release,
			      "%s has no 'stub' (the address in the "
			      "bootloader partition the core boots from: "
			      "its BOOT_CM4_ADD0)",
			      rwhat);
	m = fk_yaml_get(n, "mailbox");
	if (!m) {
		fk_diag_error(&ld->d, &img->pos_release,
			      "%s has no 'mailbox' (the RAM partition both "
			      "cores use whose first %u bytes tell the stub "
			      "where the image is)",
			      rwhat, FK_LAYOUT_MAILBOX_SIZE);
		return;
	}
	img->pos_mailbox = fk_layout_pos_of(ld, m);
	img->release_mailbox = find_part(ld, m, rwhat);
	img->has_release = img->release_mailbox >= 0 && img->release_stub;
}

static const char *const image_keys[] = {
	"primary", "secondary", "strategy", "header", "boot-state", "ram",
	"modules", "uses",	"factory",  "load",   "release",
};
static const char *const strategy_names[] = { "overwrite", "swap", "xip",
					      "ram-load", "none" };

/* A plain application (strategy none) has no bootloader: nothing receives
 * an update into a second slot, keeps a boot state or installs a factory
 * image. Its header defaults to 0: the vector table at the partition's
 * start. */
static void plain_image(struct loader *ld, const struct fk_ynode *v,
			struct fk_layout_image *img, const char *what)
{
	static const char *const keys[] = { "secondary", "boot-state",
					    "factory" };
	static const char *const why[] = {
		"no bootloader receives an update into a second slot",
		"no bootloader keeps a boot state for it",
		"no bootloader installs a factory image",
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct fk_ynode *n = fk_yaml_get(v, keys[i]);
		struct fk_pos p;

		if (!n)
			continue;
		p = fk_layout_pos_of(ld, n);
		fk_diag_error(&ld->d, &p,
			      "%s: strategy none has no '%s' (%s); remove "
			      "it, or pick a strategy the bootloader runs "
			      "(overwrite, swap, xip, ram-load)",
			      what, keys[i], why[i]);
	}
	img->secondary = -1;
	img->factory = -1;
	img->boot_state = FK_LAYOUT_BOOT_STATE_TRAILER;
	if (!fk_yaml_get(v, "header"))
		img->header_size = 0;
}

void fk_layout_parse_image(struct loader *ld, const struct fk_ynode *k,
			   const struct fk_ynode *v)
{
	struct fk_layout *L = ld->L;
	struct fk_layout_image *img;
	struct image_ctx c;
	char what[96];
	const struct fk_ynode *n;
	int idx, strategy;

	if (!fk_layout_valid_name(ld, k, "image"))
		return;
	if (!fk_layout_grow(ld, &L->images, L->image_count, sizeof(*L->images)))
		return;
	img = &L->images[L->image_count];
	img->name = fk_layout_strdup(ld, fk_yaml_text(k));
	if (!img->name)
		return;
	img->id = L->image_count++;
	img->pos = fk_layout_pos_of(ld, k);
	img->pos_primary = img->pos_secondary = img->pos_strategy = img->pos;
	img->pos_header = img->pos_ram = img->pos_uses = img->pos;
	img->pos_load = img->pos;
	img->secondary = -1;
	img->factory = -1;
	img->pos_factory = img->pos;
	img->boot_state = FK_LAYOUT_BOOT_STATE_TRAILER;
	img->header_size = 0x200;
	snprintf(what, sizeof(what), "image '%s'", img->name);
	c.img = img;
	c.what = what;
	if (!fk_yaml_expect(&ld->y, v, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&ld->y, v, image_keys, ARRAY_SIZE(image_keys), what);

	n = fk_yaml_get(v, "primary");
	if (!n) {
		fk_diag_error(&ld->d, &img->pos,
			      "%s has no 'primary' (the slot "
			      "partition it runs from)",
			      what);
	} else {
		img->pos_primary = fk_layout_pos_of(ld, n);
		idx = find_part(ld, n, what);
		img->primary = idx < 0 ? 0 : (uint32_t)idx;
		if (idx < 0 && L->partition_count == 0)
			return;
	}
	n = fk_yaml_get(v, "secondary");
	if (n) {
		img->pos_secondary = fk_layout_pos_of(ld, n);
		img->secondary = find_part(ld, n, what);
	}
	if (fk_yaml_get(v, "strategy"))
		img->pos_strategy =
			fk_layout_pos_of(ld, fk_yaml_get(v, "strategy"));
	if (fk_yaml_get_enum(&ld->y, v, "strategy", what, strategy_names,
			     ARRAY_SIZE(strategy_names), &strategy) == 0)
		fk_diag_error(&ld->d, &img->pos,
			      "%s has no 'strategy' "
			      "(overwrite, swap, xip, ram-load, or none for "
			      "a plain application without bootloader)",
			      what);
	else
		img->strategy = (enum fk_layout_strategy)strategy;
	if (img->strategy == FK_STRATEGY_NONE)
		plain_image(ld, v, img, what);
	fk_yaml_get_u32(&ld->y, v, "header", what, FK_NUM_SIZE,
			&img->header_size, &img->pos_header);
	n = fk_yaml_get(v, "factory");
	if (n) {
		img->pos_factory = fk_layout_pos_of(ld, n);
		img->factory = find_part(ld, n, what);
	}
	n = fk_yaml_get(v, "boot-state");
	if (n && !(fk_yaml_text(n) && !strcmp(fk_yaml_text(n), "trailer")))
		img->boot_state = find_part(ld, n, what);
	n = fk_yaml_get(v, "ram");
	if (!n) {
		fk_diag_error(&ld->d, &img->pos,
			      "%s has no 'ram' (the RAM "
			      "partition or memory it links its data and stack "
			      "into)",
			      what);
	} else {
		img->pos_ram = fk_layout_pos_of(ld, n);
		for_each_name(ld, n, "'ram'", add_ram, &c);
	}
	n = fk_yaml_get(v, "load");
	if (n) {
		img->pos_load = fk_layout_pos_of(ld, n);
		img->has_load =
			fk_yaml_expect(&ld->y, n, FK_YAML_SCALAR, "'load'") &&
			ram_ref(ld, n, what, "load", &img->load);
	}
	n = fk_yaml_get(v, "modules");
	if (n)
		for_each_name(ld, n, "'modules'", add_module, &c);
	n = fk_yaml_get(v, "uses");
	if (n)
		img->pos_uses = fk_layout_pos_of(ld, n);
	if (n)
		for_each_name(ld, n, "'uses'", add_use, &c);
	img->pos_release = img->pos_stub = img->pos_mailbox = img->pos;
	img->release_mailbox = -1;
	n = fk_yaml_get(v, "release");
	if (n)
		parse_release(ld, n, img, what);
}
