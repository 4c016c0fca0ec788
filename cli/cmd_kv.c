/*
 * flashkit kv build|dump: settings store images for production, and a
 * look inside a store read back from a device.
 *
 * Both run the device's own store code (src/kv) on a simulated flash of
 * the partition's geometry: build mounts an empty store and sets each
 * value of the settings file, then writes the simulated partition out;
 * dump loads a file into the simulator, mounts it and walks it. There is
 * no second implementation of the format here.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flashkit/bytes.h"
#include "flashkit/kv.h"
#include "flashkit/kv_inspect.h"
#include "flashsim.h"
#include "formats/files.h"
#include "kv/schema.h"
#include "kv/settings.h"
#include "layout/layout.h"

/* Where the store lives: a layout partition or explicit geometry. */
struct kv_target {
	const char *layout_path, *partition;
	const char *sector_size, *sectors, *write_unit, *erased;
	int program_once;
	struct fk_layout layout;
	struct fk_sector_run run;
	struct fk_sim_config sim;
};

#define TARGET_OPTIONS(t)                                                  \
	{                                                                  \
		'l',                                                       \
		"layout",                                                  \
		"FILE",                                                    \
		"layout file that has the partition",                      \
		0,                                                         \
		NULL,                                                      \
		&(t).layout_path,                                          \
		NULL                                                       \
	},                                                                 \
		{ 'p',                                                     \
		  "partition",                                             \
		  "NAME",                                                  \
		  "storage partition of the layout",                       \
		  0,                                                       \
		  NULL,                                                    \
		  &(t).partition,                                          \
		  NULL },                                                  \
		{ 0,                                                       \
		  "sector-size",                                           \
		  "N",                                                     \
		  "without a layout: sector size (1K..256K)",              \
		  0,                                                       \
		  NULL,                                                    \
		  &(t).sector_size,                                        \
		  NULL },                                                  \
		{ 0,                                                       \
		  "sectors",                                               \
		  "N",                                                     \
		  "without a layout: number of sectors (>= 2)",            \
		  0,                                                       \
		  NULL,                                                    \
		  &(t).sectors,                                            \
		  NULL },                                                  \
		{ 0,                                                       \
		  "write-unit",                                            \
		  "N",                                                     \
		  "without a layout: write unit (1..32, "                  \
		  "default 1)",                                            \
		  0,                                                       \
		  NULL,                                                    \
		  &(t).write_unit,                                         \
		  NULL },                                                  \
		{ 0,	       "erased-value",                             \
		  "V",	       "without a layout: 0xFF (default) or 0x00", \
		  0,	       NULL,                                       \
		  &(t).erased, NULL },                                     \
	{                                                                  \
		0, "program-once", NULL,                                   \
			"without a layout: ECC flash, one program "        \
			"per write unit",                                  \
			0, &(t).program_once, NULL, NULL                   \
	}

/* The command's input file, capped (formats/files.h); says why not. */
static int read_input(const char *path, size_t cap, uint8_t **data, size_t *len)
{
	struct fk_diag err = { 0 };

	if (fk_file_read(path, fk_input_cap(cap), data, len, &err) == 0)
		return 0;
	fk_cli_report(&err);
	return -1;
}

/* Reads and parses a settings schema; reports every problem. */
static int load_schema(const char *path, struct fk_kv_schema *schema)
{
	uint8_t *text;
	size_t len;
	int rc;

	if (read_input(path, FK_INPUT_CAP_TEXT, &text, &len))
		return -1;
	rc = fk_kv_schema_parse(path, (const char *)text, len, schema,
				fk_cli_diag());
	free(text);
	if (rc)
		fprintf(stderr, "%s: %u error%s in the schema\n", path,
			schema->errors, schema->errors == 1 ? "" : "s");
	return rc ? -1 : 0;
}

/* The geometry of --layout's --partition: FK_EXIT_OK, FK_EXIT_USAGE
 * without --partition, FK_EXIT_FAIL for the layout's faults (reported). */
static int geometry_from_layout(struct kv_target *t)
{
	const struct fk_layout_partition *part;
	const struct fk_layout_memory *mem;
	struct fk_flash f = { { 0 }, NULL, NULL };
	struct fk_sector s, si;

	if (!t->partition) {
		fk_error("--layout needs --partition NAME (the storage "
			 "partition)");
		return FK_EXIT_USAGE;
	}
	if (fk_layout_load(t->layout_path, &t->layout, fk_cli_layout_opts()) !=
	    FK_OK)
		return FK_EXIT_FAIL;
	part = fk_layout_find_partition(&t->layout, t->partition);
	if (!part) {
		fk_error(
			"%s: no partition '%s' (see 'flashkit layout show %s')",
			t->layout_path, t->partition, t->layout_path);
		return FK_EXIT_FAIL;
	}
	mem = fk_layout_partition_memory(&t->layout, part);
	if (part->role != FK_ROLE_STORAGE ||
	    fk_layout_memory_geometry(mem, &f.geo) != FK_OK) {
		fk_layout_diag(stderr, &part->pos, "error",
			       "partition '%s' has role %s; a settings store "
			       "needs a flash partition of role storage",
			       part->name, fk_layout_role_name(part->role));
		return FK_EXIT_FAIL;
	}
	fk_flash_sector_at(&f, part->offset, &s);
	for (uint32_t i = 0; i < part->sector_count; i++) {
		fk_flash_sector_by_index(&f, part->first_sector + i, &si);
		if (si.size != s.size) {
			fk_layout_diag(
				stderr, &part->pos, "error",
				"partition '%s' mixes %u- and %u-byte "
				"sectors; a settings store needs sectors "
				"of one size",
				part->name, s.size, si.size);
			return FK_EXIT_FAIL;
		}
	}
	t->run.count = part->sector_count;
	t->run.size = s.size;
	t->sim.geo = f.geo;
	t->sim.geo.size = part->size;
	return 0;
}

static int geometry_from_options(struct kv_target *t)
{
	uint64_t ss, n, wu = 1, erased = 0xFF;

	if (!t->sector_size || !t->sectors) {
		fk_error("give the store's place: --layout FILE --partition "
			 "NAME, or --sector-size N --sectors N");
		return -1;
	}
	if (fk_opt_number("--sector-size", t->sector_size, 256 * 1024, &ss) ||
	    fk_opt_number("--sectors", t->sectors, 0xFFFF, &n) ||
	    (t->write_unit &&
	     fk_opt_number("--write-unit", t->write_unit, 256, &wu)) ||
	    (t->erased &&
	     fk_opt_number("--erased-value", t->erased, 0xFF, &erased)))
		return -1;
	if (ss < 1024 || n < 2) {
		fk_error("--sectors %s --sector-size %s: a store needs at "
			 "least 2 sectors of 1K..256K (docs/kv.md)",
			 t->sectors, t->sector_size);
		return -1;
	}
	if (ss * n > 0xFFFFFFFFull || (erased != 0xFF && erased != 0)) {
		fk_error("bad geometry: %s sectors of %s bytes make more than "
			 "4G, or --erased-value %s is not 0xFF or 0x00",
			 t->sectors, t->sector_size,
			 t->erased ? t->erased : "0xFF");
		return -1;
	}
	t->run.count = (uint32_t)n;
	t->run.size = (uint32_t)ss;
	t->sim.geo.size = (uint32_t)(ss * n);
	t->sim.geo.write_unit = (uint32_t)wu;
	t->sim.geo.erased_value = (uint8_t)erased;
	t->sim.geo.program_once = t->program_once != 0;
	return 0;
}

/* Fills t->sim from the options: FK_EXIT_OK, FK_EXIT_USAGE for wrong
 * options, FK_EXIT_FAIL for a layout at fault (reported). */
static int target_geometry(struct kv_target *t)
{
	int rc = t->layout_path		  ? geometry_from_layout(t) :
		 geometry_from_options(t) ? FK_EXIT_USAGE :
					    FK_EXIT_OK;

	t->sim.geo.runs = &t->run;
	t->sim.geo.run_count = 1;
	if (rc == FK_EXIT_OK && fk_flash_check_geometry(&t->sim.geo) != FK_OK) {
		fk_error("%u sectors of %u bytes with a %u-byte write unit is "
			 "not a valid flash geometry",
			 t->run.count, t->run.size, t->sim.geo.write_unit);
		rc = t->layout_path ? FK_EXIT_FAIL : FK_EXIT_USAGE;
	}
	return rc;
}

/* A simulator shaped like the target, holding data (or erased). */
static struct fk_sim *target_sim(const struct kv_target *t, const uint8_t *data,
				 struct fk_area *area)
{
	struct fk_sim *sim = fk_sim_create(&t->sim);

	if (!sim)
		return NULL;
	if (data)
		memcpy(fk_sim_data(sim), data, t->sim.geo.size);
	fk_area_init(area, fk_sim_flash(sim), 0, t->sim.geo.size);
	return sim;
}

static const char *mount_hint(int rc)
{
	if (rc == FK_ENOSPC)
		return "the configuration does not fit: the store needs every "
		       "key at value-max, plus one record-max commit, to fit "
		       "one sector (docs/kv-format.md, Capacity); lower keys "
		       "or value-max, or give it larger sectors";
	if (rc == FK_EINVAL)
		return "the store needs at least 2 sectors of 1K..256K with a "
		       "write unit of at most 32 (docs/kv.md)";
	return fk_strerror(rc);
}

/* The sector header variant, as the settings file and schema name it. */
static const char *header_name(const struct fk_kv_config *cfg)
{
	return cfg->header ? "header compact (format 3)" :
			     "header bitmap (format 2)";
}

/* In a dump the configuration is the store's own (its header): when it
 * does not mount, the geometry given is not the one it was built for. */
static const char *dump_mount_hint(int rc, const struct fk_kv_config *cfg)
{
	static char hint[320];

	if (rc != FK_EINVAL && rc != FK_ENOSPC && rc != FK_EMISMATCH)
		return fk_strerror(rc);
	snprintf(hint, sizeof(hint),
		 "its header (keys %u, value-max %u, "
		 "record-max %u, %s) does not fit the geometry given: the "
		 "store was built for other sectors or another write unit; "
		 "give the --layout/--partition or --sector-size/--sectors/"
		 "--write-unit it was built with, or none of them to detect "
		 "its geometry",
		 cfg->key_limit, cfg->value_max, cfg->record_max,
		 header_name(cfg));
	return hint;
}

/*
 * With a schema, the store takes the schema's configuration, every
 * default the settings file does not override, and the schema's hash;
 * each value of the file must be a setting of the schema, within its
 * size. Returns 0, or -1 after reporting.
 */
static int write_schema(struct fk_kv *kv, const struct fk_kv_schema *schema,
			const struct fk_kv_settings *set)
{
	uint8_t hash[4];
	int rc, bad = 0;

	for (size_t i = 0; i < set->count; i++) {
		const struct fk_kv_setting *it = &set->items[i];

		if (it->id >= schema->count)
			fk_layout_diag(stderr, &it->pos, "error",
				       "key %u is not a setting of %s (ids "
				       "0..%zu)",
				       it->id, schema->path, schema->count - 1);
		else if (it->len > schema->fields[it->id].size)
			fk_layout_diag(stderr, &it->pos, "error",
				       "%u bytes for '%s', whose size is %u",
				       it->len, schema->fields[it->id].name,
				       schema->fields[it->id].size);
		else
			continue;
		bad = 1;
	}
	for (size_t i = 0; !bad && i < schema->count; i++) {
		const struct fk_kv_field *f = &schema->fields[i];
		size_t j = 0;

		while (j < set->count && set->items[j].id != f->id)
			j++;
		if (!f->has_default || j < set->count)
			continue;
		rc = fk_kv_set(kv, f->id, f->def, f->def_len);
		if (rc != FK_OK) {
			fk_error("%s: default of '%s': %s", schema->path,
				 f->name, fk_strerror(rc));
			return -1;
		}
	}
	fk_put_le32(hash, schema->hash);
	if (!bad && (rc = fk_kv_set(kv, schema->hash_id, hash, 4)) != FK_OK) {
		fk_error("%s: the schema's hash: %s", schema->path,
			 fk_strerror(rc));
		return -1;
	}
	return bad ? -1 : 0;
}

static int kv_build(int argc, char **argv)
{
	static struct kv_target t;
	static const char *out, *schema_path;
	static const struct fk_option options[] = {
		{ 'o', "output", "FILE",
		  "the store image (raw binary of the "
		  "partition)",
		  0, NULL, &out, NULL },
		{ 0, "schema", "FILE",
		  "settings schema: its configuration, defaults and hash "
		  "(the file's keys and value-max are not used)",
		  0, NULL, &schema_path, NULL },
		TARGET_OPTIONS(t),
	};
	static const struct fk_command_help help = {
		.usage = "flashkit kv build SETTINGS.yaml -o OUT.bin "
			 "[--schema SCHEMA.yaml] "
			 "(--layout L --partition NAME | --sector-size N "
			 "--sectors N [--write-unit N] [--erased-value V] "
			 "[--program-once])",
		.summary = "Makes the image of a settings store holding the "
			   "values of SETTINGS.yaml, for the storage partition "
			   "(merge it like any input: OUT.bin@NAME). The "
			   "device's own store code writes it, on a simulated "
			   "flash of the partition's geometry.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_diag err = { 0 };
	struct fk_kv_schema schema = { 0 };
	struct fk_kv_settings set;
	struct fk_sim *sim = NULL;
	struct fk_area area;
	struct fk_kv *kv = NULL;
	uint8_t *text = NULL;
	size_t len;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || !out) {
		fk_error("usage: %s", help.usage);
		return FK_EXIT_USAGE;
	}
	rc = target_geometry(&t);
	if (rc == FK_EXIT_OK && schema_path &&
	    load_schema(schema_path, &schema))
		rc = FK_EXIT_FAIL;
	if (rc == FK_EXIT_OK &&
	    read_input(argv[0], FK_INPUT_CAP_TEXT, &text, &len))
		rc = FK_EXIT_FAIL;
	if (rc != FK_EXIT_OK) {
		fk_kv_schema_free(&schema);
		fk_layout_free(&t.layout);
		return rc;
	}
	if (fk_kv_settings_parse_with(argv[0], (char *)text, len,
				      schema_path ? &schema : NULL, &set,
				      fk_cli_diag())) {
		fprintf(stderr, "%s: %u error%s; no image written\n", argv[0],
			set.errors, set.errors == 1 ? "" : "s");
		rc = FK_EXIT_FAIL;
		goto done;
	}
	sim = target_sim(&t, NULL, &area);
	kv = malloc(sizeof(*kv));
	if (!sim || !kv) {
		fk_error("out of memory for a store of %u x %u bytes",
			 t.run.count, t.run.size);
		rc = FK_EXIT_IO;
		goto free_set;
	}
	rc = fk_kv_mount(kv, &area, &set.cfg);
	if (rc != FK_OK) {
		fk_error("%s: cannot make a store of %u x %u-byte sectors: %s",
			 argv[0], t.run.count, t.run.size, mount_hint(rc));
		rc = FK_EXIT_FAIL;
		goto free_set;
	}
	if (schema_path && write_schema(kv, &schema, &set)) {
		rc = FK_EXIT_FAIL;
		goto free_set;
	}
	for (size_t i = 0; i < set.count; i++) {
		const struct fk_kv_setting *it = &set.items[i];

		rc = fk_kv_set(kv, it->id, it->value, it->len);
		if (rc != FK_OK) {
			fk_layout_diag(stderr, &it->pos, "error", "key %u: %s",
				       it->id, fk_strerror(rc));
			rc = FK_EXIT_FAIL;
			goto free_set;
		}
	}
	rc = FK_EXIT_OK;
	if (fk_file_write(out, fk_sim_data(sim), t.sim.geo.size, 0, &err)) {
		rc = fk_cli_report(&err);
	}
	if (rc == FK_EXIT_OK)
		printf("%s: %zu value%s in a store of %u x %u bytes (keys "
		       "0..%u, values up to %u bytes, %s)\n",
		       out, set.count, set.count == 1 ? "" : "s", t.run.count,
		       t.run.size, set.cfg.key_limit - 1u, set.cfg.value_max,
		       header_name(&set.cfg));
free_set:
	fk_kv_settings_free(&set);
done:
	fk_kv_schema_free(&schema);
	free(kv);
	fk_sim_destroy(sim);
	free(text);
	fk_layout_free(&t.layout);
	return rc;
}

/* A store image read where it lies, to guess its geometry without a
 * copy per guess: reads come from the file's bytes; a program or erase
 * is refused and noted (mount formats an area that holds no store). */
struct in_place {
	const uint8_t *data;
	bool wrote; /* a write was asked for (and refused) */
};

static int in_place_read(const struct fk_flash *flash, uint32_t off, void *buf,
			 uint32_t len)
{
	const struct in_place *ip = flash->ctx;

	memcpy(buf, ip->data + off, len);
	return FK_OK;
}

static int in_place_program(const struct fk_flash *flash, uint32_t off,
			    const void *buf, uint32_t len)
{
	struct in_place *ip = flash->ctx;

	(void)off;
	(void)buf;
	(void)len;
	ip->wrote = true;
	return FK_EPROTECT;
}

static int in_place_erase(const struct fk_flash *flash, uint32_t off,
			  uint32_t sector_size)
{
	struct in_place *ip = flash->ctx;

	(void)off;
	(void)sector_size;
	ip->wrote = true;
	return FK_EPROTECT;
}

static const struct fk_flash_ops in_place_ops = {
	in_place_read,
	in_place_program,
	in_place_erase,
};

/* Whether the store mounts under t's geometry and cfg, tried in place:
 * 1 it mounts, 0 it does not, -1 mount asked to write (only a copy can
 * tell). The same reads a simulator holding the data would give. */
static int mounts_in_place(const struct kv_target *t, const uint8_t *data,
			   const struct fk_kv_config *cfg, struct fk_kv *kv)
{
	struct in_place ip = { data, false };
	struct fk_flash flash = { t->sim.geo, &in_place_ops, &ip };
	struct fk_area area;
	int rc;

	fk_area_init(&area, &flash, 0, t->sim.geo.size);
	rc = fk_kv_mount(kv, &area, cfg);
	return ip.wrote ? -1 : rc == FK_OK;
}

/* Whether a sector of t's size (any write unit, any erased value) starts
 * with a valid store header: cfg filled from the first. In place. */
static bool probes_in_place(const struct kv_target *t, const uint8_t *data,
			    struct fk_kv_config *cfg)
{
	struct in_place ip = { data, false };
	struct fk_flash flash = { t->sim.geo, &in_place_ops, &ip };
	struct fk_area area;

	fk_area_init(&area, &flash, 0, t->sim.geo.size);
	return fk_kv_probe(&area, cfg) == FK_OK;
}

/*
 * Tries every geometry a store header can describe, in a fixed order,
 * until one mounts; NULL when none does, or (*nomem) when memory ran out.
 * Each guess is tried on the file's bytes in place (a header probe per
 * sector size, then a mount per write unit and erased value: bounded
 * work, no copy), and only a guess that mounts there, or whose mount
 * would write, is made into the simulator a copy of the data is loaded
 * into, where it is tried again as before: the first guess that mounts
 * on a copy is the same as when every guess was a copy.
 */
static struct fk_sim *detect(struct kv_target *t, const uint8_t *data,
			     size_t len, struct fk_area *area, struct fk_kv *kv,
			     bool *nomem)
{
	static const uint8_t erased[] = { 0xFF, 0x00 };

	for (uint32_t ss = 1024; ss <= 256 * 1024; ss *= 2) {
		struct fk_kv_config cfg;

		if (len % ss || len / ss < 2 || len / ss > 0xFFFF)
			continue;
		t->run.count = (uint32_t)(len / ss);
		t->run.size = ss;
		t->sim.geo.size = (uint32_t)len;
		t->sim.geo.runs = &t->run;
		t->sim.geo.run_count = 1;
		t->sim.geo.write_unit = 1;
		t->sim.geo.erased_value = erased[0];
		if (!probes_in_place(t, data, &cfg))
			continue;
		for (uint32_t wu = 1; wu <= 32 && wu <= ss; wu *= 2) {
			for (int e = 0; e < 2; e++) {
				struct fk_sim *sim;

				t->sim.geo.write_unit = wu;
				t->sim.geo.erased_value = erased[e];
				if (mounts_in_place(t, data, &cfg, kv) == 0)
					continue;
				sim = target_sim(t, data, area);
				*nomem = !sim;
				if (!sim)
					return NULL;
				if (fk_kv_probe(area, &cfg) == FK_OK &&
				    fk_kv_mount(kv, area, &cfg) == FK_OK)
					return sim;
				fk_sim_destroy(sim);
			}
		}
	}
	return NULL;
}

/* Whether the store was made from the schema: its hash key holds the
 * schema's hash. Returns 0, or -1 after saying what differs. */
static int check_schema_hash(const char *file, struct fk_kv *kv,
			     const struct fk_kv_schema *schema)
{
	uint8_t b[4];
	int rc = schema->hash_id < kv->cfg.key_limit ?
			 fk_kv_get(kv, schema->hash_id, b, sizeof(b)) :
			 FK_EINVAL;

	if (rc == 4 && fk_le32(b) == schema->hash) {
		printf("schema %s: matches (hash 0x%08lx in key %u)\n",
		       schema->path, (unsigned long)schema->hash,
		       schema->hash_id);
		return 0;
	}
	if (rc == 4)
		fk_error("%s: made from another schema than %s (hash 0x%08lx, "
			 "the schema's 0x%08lx): a setting was renamed, "
			 "removed, retyped or moved; dump it with the schema "
			 "it was made from, or without --schema",
			 file, schema->path, (unsigned long)fk_le32(b),
			 (unsigned long)schema->hash);
	else
		fk_error(
			"%s: key %u holds no schema hash of %s (%s): the store "
			"was not made from it; dump it without --schema",
			file, schema->hash_id, schema->path,
			rc < 0 ? fk_strerror(rc) : "not 4 bytes");
	return -1;
}

struct dump_ctx {
	int records;
	uint32_t live, superseded, deleted, min_erases, max_erases;
	const struct fk_kv_schema *schema; /* names the ids, or NULL */
};

static void print_value(const uint8_t *v, uint8_t len)
{
	bool text = true;

	for (uint8_t i = 0; i < len; i++)
		text &= v[i] >= 0x20 && v[i] < 0x7F && v[i] != '"';
	if (text && len) {
		printf("\"%.*s\"", len, (const char *)v);
		return;
	}
	printf("hex ");
	for (uint8_t i = 0; i < len; i++)
		printf("%02x", v[i]);
}

static int dump_sector(void *arg, const struct fk_kv_sector_info *s)
{
	static const char *const state[] = { "free", "data", "stale" };
	struct dump_ctx *c = arg;

	printf("  sector %3u  %-5s  seq %-8u  erases %-6u", s->index,
	       state[s->state], s->seq, s->erases);
	if (s->state == FK_KV_SECTOR_DATA)
		printf("  used %u bytes", s->used);
	printf("\n");
	if (s->erases < c->min_erases)
		c->min_erases = s->erases;
	if (s->erases > c->max_erases)
		c->max_erases = s->erases;
	return 0;
}

static int dump_record(void *arg, const struct fk_kv_record_info *r)
{
	struct dump_ctx *c = arg;

	c->live += r->live && !r->deleted;
	c->deleted += r->live && r->deleted;
	c->superseded += !r->live;
	if (!c->records && !r->live)
		return 0;
	printf("  key %-5u ", r->id);
	if (c->schema)
		printf("%-16s ", r->id < c->schema->count ?
					 c->schema->fields[r->id].name :
				 r->id == c->schema->hash_id ?
					 "(schema hash)" :
					 "(not in schema)");
	printf("%-10s sector %u +0x%05x  ",
	       r->live ? (r->deleted ? "deleted" : "live") : "superseded",
	       r->sector, r->off);
	if (r->deleted)
		printf("(deletion)");
	else if (!r->value)
		printf("(large value, %u bytes)", r->large_size);
	else
		print_value(r->value, r->len);
	printf("\n");
	return 0;
}

static int kv_dump(int argc, char **argv)
{
	static struct kv_target t;
	static int records;
	static const char *schema_path;
	static const struct fk_option options[] = {
		{ 'r', "records", NULL, "list superseded entries too", 0,
		  &records, NULL, NULL },
		{ 0, "schema", "FILE",
		  "settings schema: name the entries, check the store's "
		  "schema hash",
		  0, NULL, &schema_path, NULL },
		TARGET_OPTIONS(t),
	};
	static const struct fk_command_help help = {
		.usage = "flashkit kv dump FILE [--records] [--schema S.yaml] "
			 "[--layout L --partition NAME | --sector-size N "
			 "--sectors N ...]",
		.summary = "Shows what a settings store image holds: each "
			   "sector's state, sequence number and erase count "
			   "(wear), then every entry from oldest to newest, "
			   "live or superseded, and totals. Without a layout "
			   "or geometry, the geometry is read from the store's "
			   "sector headers.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct dump_ctx c = { 0, 0, 0, 0, UINT32_MAX, 0, NULL };
	struct fk_kv_schema schema = { 0 };
	struct fk_kv_config cfg;
	struct fk_sim *sim = NULL;
	struct fk_area area;
	struct fk_kv *kv = malloc(sizeof(*kv));
	uint8_t *data = NULL;
	size_t len = 0;
	bool nomem = false;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (!kv) {
		fk_error("out of memory");
		return FK_EXIT_IO;
	}
	if (rc || npos != 1 ||
	    read_input(argv[0], FK_INPUT_CAP_DATA, &data, &len)) {
		if (rc == 0 && npos != 1)
			fk_error("usage: %s", help.usage);
		free(kv);
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	}
	c.records = records;
	rc = FK_EXIT_FAIL;
	if (schema_path && load_schema(schema_path, &schema))
		goto out;
	c.schema = schema_path ? &schema : NULL;
	if (t.layout_path || t.sector_size) {
		rc = target_geometry(&t);
		if (rc != FK_EXIT_OK)
			goto out;
		rc = FK_EXIT_FAIL;
		if (len != t.sim.geo.size) {
			fk_error("%s: %zu bytes, but the store's place is %u "
				 "bytes",
				 argv[0], len, t.sim.geo.size);
			goto out;
		}
		t.sim.geo.program_once = false; /* reading a copy */
		sim = target_sim(&t, data, &area);
		if (!sim) {
			nomem = true;
			goto out;
		}
		if (fk_kv_probe(&area, &cfg) != FK_OK) {
			fk_error("%s: no sector holds a valid store header",
				 argv[0]);
			goto out;
		}
		if ((rc = fk_kv_mount(kv, &area, &cfg)) != FK_OK) {
			fk_error("%s: cannot mount the store: %s", argv[0],
				 dump_mount_hint(rc, &cfg));
			rc = FK_EXIT_FAIL;
			goto out;
		}
	} else if (!(sim = detect(&t, data, len, &area, kv, &nomem))) {
		if (nomem)
			goto out;
		fk_error("%s: no settings store found (no sector of 1K..256K "
			 "starts with a valid store header); give --layout and "
			 "--partition, or the geometry",
			 argv[0]);
		goto out;
	}
	printf("%s: settings store, %u sectors of %u bytes, write unit %u, "
	       "erased 0x%02X\n  keys 0..%u, values up to %u bytes, commits up "
	       "to %u bytes, %s\n",
	       argv[0], t.run.count, t.run.size, t.sim.geo.write_unit,
	       t.sim.geo.erased_value, kv->cfg.key_limit - 1u,
	       kv->cfg.value_max, kv->cfg.record_max, header_name(&kv->cfg));
	if (c.schema && check_schema_hash(argv[0], kv, c.schema))
		goto out;
	printf("sectors (oldest first):\n");
	rc = fk_kv_inspect(kv, dump_sector, NULL, &c);
	printf("entries (oldest first%s):\n", records ? "" : ", live only");
	if (rc == FK_OK)
		rc = fk_kv_inspect(kv, NULL, dump_record, &c);
	if (rc != FK_OK) {
		fk_error("%s: %s", argv[0], fk_strerror(rc));
		rc = FK_EXIT_FAIL;
		goto out;
	}
	printf("%u live key%s, %u deleted, %u superseded entr%s; erases per "
	       "sector min %u, max %u\n",
	       c.live, c.live == 1 ? "" : "s", c.deleted, c.superseded,
	       c.superseded == 1 ? "y" : "ies", c.min_erases, c.max_erases);
	rc = FK_EXIT_OK;
out:
	if (nomem) {
		fk_error("%s: out of memory for a store of %zu bytes", argv[0],
			 len);
		rc = FK_EXIT_IO;
	}
	fk_kv_schema_free(&schema);
	fk_sim_destroy(sim);
	free(data);
	free(kv);
	fk_layout_free(&t.layout);
	return rc;
}

static int kv_gen(int argc, char **argv)
{
	static const char *out, *prefix = "settings";
	static const struct fk_option options[] = {
		{ 'o', "output", "FILE", "the C header to write", 0, NULL, &out,
		  NULL },
		{ 0, "prefix", "NAME",
		  "prefix of every generated name (default settings)", 0, NULL,
		  &prefix, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit kv gen SCHEMA.yaml -o SETTINGS.h "
			 "[--prefix NAME]",
		.summary = "Writes the C header of a settings schema: an id "
			   "for each setting, the store configuration, each "
			   "default, typed accessors (a getter that falls back "
			   "to the default, a setter) and the schema check to "
			   "run after mounting (docs/kv.md, Named settings).",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_diag err = { 0 };
	struct fk_kv_schema schema;
	char *header;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || !out) {
		fk_error("usage: %s", help.usage);
		return FK_EXIT_USAGE;
	}
	for (const char *c = prefix; *c; c++) {
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (c > prefix && *c >= '0' && *c <= '9'))) {
			fk_error("--prefix '%s' is not a C name in lower case",
				 prefix);
			return FK_EXIT_USAGE;
		}
	}
	if (load_schema(argv[0], &schema))
		return FK_EXIT_FAIL;
	header = fk_kv_schema_header(&schema, prefix);
	rc = FK_EXIT_OK;
	if (!header) {
		fk_error("out of memory");
		rc = FK_EXIT_IO;
	} else if (fk_file_write(out, header, strlen(header), 0, &err)) {
		rc = fk_cli_report(&err);
	} else {
		printf("%s: %zu setting%s (ids 0..%zu), schema hash 0x%08lx in "
		       "key %u\n",
		       out, schema.count, schema.count == 1 ? "" : "s",
		       schema.count ? schema.count - 1 : 0,
		       (unsigned long)schema.hash, schema.hash_id);
	}
	free(header);
	fk_kv_schema_free(&schema);
	return rc;
}

static const struct fk_subcommand subs[] = {
	{ "build", kv_build, "build a settings-store image from a file" },
	{ "dump", kv_dump, "list the records of a settings-store image" },
	{ "gen", kv_gen, "write the C header of a settings schema" },
};

int cmd_kv(int argc, char **argv)
{
	return fk_subcommand_run("kv", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
