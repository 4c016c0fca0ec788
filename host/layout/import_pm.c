/*
 * Nordic Partition Manager's pm_static.yml into a layout. The file maps
 * partition names to an address, a size (or end_address), a region
 * (flash_primary when absent) and, for a container, the span of the
 * partitions it covers (often written with YAML anchors and aliases,
 * which this reader expands).
 *
 * Mapping, and its invariant: a layout's partitions never overlap, while
 * Partition Manager's containers overlap what they span. So MCUboot's
 * slots (mcuboot_primary, mcuboot_secondary, their _N for more images)
 * are kept as slots and everything inside them is dropped (mcuboot_pad,
 * app, mcuboot_primary_app); any other container (b0_container, s0,
 * tfm...) is dropped and what it spans is kept. Regions: flash_primary is
 * the internal flash (base 0), external_flash an external NOR (offsets),
 * sram_primary RAM; other regions (otp, ram_flash) are dropped. Every
 * drop is a note, in the output too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/error.h"
#include "layout/import_internal.h"
#include "layout/layout_internal.h"
#include "yaml/yaml_reader.h"

enum { REGION_FLASH, REGION_EXTERNAL, REGION_SRAM, REGION_COUNT };

/* Where a partition may end: a layout's sector map and addresses are 32
 * bits, and a sector (1M at most) must fit under the end. */
#define PM_END_MAX 0xFFF00000ull

static const struct pm_region {
	const char *pm_name;  /* as Partition Manager names it */
	const char *mem_name; /* the layout memory */
	const char *kind;
	uint32_t write_unit;
} regions[REGION_COUNT] = {
	{ "flash_primary", "flash", "flash", 4 },
	{ "external_flash", "external-flash", "external", 1 },
	{ "sram_primary", "sram", "ram", 0 },
};

struct pm_entry {
	const char *name;
	const struct fk_ynode *span; /* NULL but for containers */
	uint64_t address, size;
	int region; /* REGION_*, or -1 when dropped for its region */
	const char *region_name;
	bool keep;
	struct fk_pos pos, pos_address, pos_size;
};

struct pm_reader {
	struct fk_yaml y;
	struct fk_diag *d;
	struct fk_import_out out;
	struct pm_entry *e;
	size_t count;
	uint32_t sector;
	const char *ignored[16]; /* keys read and not used, for one note */
	size_t ignored_count;
};

static const char *const used_keys[] = {
	"address", "end_address", "size", "region", "span",
};
static const char *const known_keys[] = {
	"orig_span", "placement", "device",	 "inside",	 "share_size",
	"sharers",   "align",	  "affiliation", "extra_params",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

static void remember_ignored(struct pm_reader *r, const char *key)
{
	for (size_t i = 0; i < r->ignored_count; i++)
		if (!strcmp(r->ignored[i], key))
			return;
	if (r->ignored_count < sizeof(r->ignored) / sizeof(r->ignored[0]))
		r->ignored[r->ignored_count++] = key;
}

static int read_entry(struct pm_reader *r, const struct fk_ynode *k,
		      const struct fk_ynode *v, struct pm_entry *e)
{
	char what[96];
	const char *region = "flash_primary";
	uint64_t end;
	int has_size, has_end;

	e->name = fk_yaml_text(k);
	e->pos = k->pos;
	e->region = -1;
	snprintf(what, sizeof(what), "partition '%s'", e->name ? e->name : "");
	if (!e->name || !fk_yaml_expect(&r->y, v, FK_YAML_MAP, what))
		return -1;
	for (size_t i = 0; i < v->count; i++) {
		const char *key = fk_yaml_text(fk_yaml_key(v, i));

		if (key && !in_list(key, used_keys, 5))
			remember_ignored(r, key);
		if (key && !in_list(key, used_keys, 5) &&
		    !in_list(key, known_keys, 9))
			fk_diag_warning(r->d, &fk_yaml_key(v, i)->pos,
					"key '%s' of %s is not one Partition "
					"Manager writes; ignored",
					key, what);
	}
	if (!fk_import_valid_name(e->name)) {
		fk_diag_error(r->d, &e->pos,
			      "partition name '%s' cannot be a layout name: "
			      "start it with a letter and use only letters, "
			      "digits, '-' and '_'",
			      e->name);
		return -1;
	}
	if (fk_yaml_get_number(&r->y, v, "address", what, 0, UINT32_MAX,
			       &e->address, &e->pos_address) == 0) {
		fk_diag_error(r->d, &e->pos,
			      "%s has no 'address'; pm_static.yml gives "
			      "every partition its address",
			      what);
		return -1;
	}
	has_size = fk_yaml_get_number(&r->y, v, "size", what, 0, UINT32_MAX,
				      &e->size, &e->pos_size);
	has_end = fk_yaml_get_number(&r->y, v, "end_address", what, 0,
				     (uint64_t)UINT32_MAX + 1, &end,
				     has_size ? NULL : &e->pos_size);
	if (has_size < 0 || has_end < 0)
		return -1;
	if (!has_size && !has_end) {
		fk_diag_error(r->d, &e->pos,
			      "%s has neither 'size' nor 'end_address'; give "
			      "one",
			      what);
		return -1;
	}
	if (has_end &&
	    (end < e->address || (has_size && end != e->address + e->size))) {
		fk_diag_error(r->d, &e->pos_size,
			      "%s: end_address 0x%llX is not address 0x%llX + "
			      "size; make them agree",
			      what, (unsigned long long)end,
			      (unsigned long long)e->address);
		return -1;
	}
	if (!has_size)
		e->size = end - e->address;
	if (e->address + e->size > PM_END_MAX) {
		fk_diag_error(r->d, &e->pos_size,
			      "%s ends at 0x%llX, past the 32-bit address "
			      "space; check its address and size",
			      what, (unsigned long long)(e->address + e->size));
		return -1;
	}
	if (fk_yaml_get(v, "region") &&
	    fk_yaml_get_string(&r->y, v, "region", what, &region) < 0)
		return -1;
	for (int i = 0; i < REGION_COUNT; i++)
		if (!strcmp(region, regions[i].pm_name))
			e->region = i;
	e->region_name = region;
	e->span = fk_yaml_get(v, "span");
	e->keep = e->region >= 0;
	return 0;
}

static bool is_mcuboot_slot(const char *name)
{
	const char *rest = !strncmp(name, "mcuboot_primary", 15)   ? name + 15 :
			   !strncmp(name, "mcuboot_secondary", 17) ? name + 17 :
								     NULL;

	if (!rest)
		return false;
	if (!*rest)
		return true;
	if (*rest++ != '_' || !*rest)
		return false;
	while (*rest >= '0' && *rest <= '9')
		rest++;
	return !*rest;
}

static const char *pm_role(const struct pm_entry *e)
{
	size_t n = strlen(e->name);

	if (e->region == REGION_SRAM)
		return NULL;
	if (!strcmp(e->name, "mcuboot") || !strcmp(e->name, "b0") ||
	    !strcmp(e->name, "b0n"))
		return "bootloader";
	if (is_mcuboot_slot(e->name) || !strcmp(e->name, "app") ||
	    !strcmp(e->name, "s0_image") || !strcmp(e->name, "s1_image"))
		return "slot";
	if ((n > 8 && !strcmp(e->name + n - 8, "_storage")) ||
	    !strcmp(e->name, "zboss_nvram"))
		return "storage";
	if (!strcmp(e->name, "provision"))
		return "config";
	if (!strcmp(e->name, "factory_data"))
		return "devinfo";
	return NULL;
}

static bool inside(const struct pm_entry *a, const struct pm_entry *box)
{
	return a != box && a->region == box->region &&
	       a->address >= box->address &&
	       a->address + a->size <= box->address + box->size;
}

static void span_text(const struct fk_ynode *span, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (span && span->type == FK_YAML_SCALAR)
		snprintf(buf, len, "%s", span->text);
	for (size_t i = 0;
	     span && span->type == FK_YAML_LIST && i < span->count && n < len;
	     i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
				      fk_yaml_text(span->kids[i]) ?
					      fk_yaml_text(span->kids[i]) :
					      "?");
}

/* Containers and what MCUboot slots cover go; notes say so. */
static void choose(struct pm_reader *r)
{
	char text[200];

	for (size_t i = 0; i < r->count; i++) {
		struct pm_entry *e = &r->e[i];

		if (e->region < 0)
			fk_import_note(&r->out, &e->pos,
				       "'%s' dropped: region '%s' is not "
				       "flash_primary, external_flash or "
				       "sram_primary",
				       e->name, e->region_name);
		else if (e->span && !is_mcuboot_slot(e->name)) {
			span_text(e->span, text, sizeof(text));
			e->keep = false;
			fk_import_note(&r->out, &e->pos,
				       "'%s' dropped: a container (span "
				       "[%s]); a layout keeps what it spans",
				       e->name, text);
		} else if (e->size == 0) {
			e->keep = false;
			fk_import_note(&r->out, &e->pos, "'%s' dropped: size 0",
				       e->name);
		}
	}
	for (size_t i = 0; i < r->count; i++) {
		struct pm_entry *box = &r->e[i];

		if (!box->keep || !is_mcuboot_slot(box->name))
			continue;
		for (size_t k = 0; k < r->count; k++)
			if (r->e[k].keep && inside(&r->e[k], box) &&
			    !is_mcuboot_slot(r->e[k].name)) {
				r->e[k].keep = false;
				fk_import_note(
					&r->out, &r->e[k].pos,
					"'%s' dropped: inside MCUboot "
					"slot '%s' (0x%llX..0x%llX)",
					r->e[k].name, box->name,
					(unsigned long long)box->address,
					(unsigned long long)(box->address +
							     box->size));
			}
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pm_entry *x = a, *y = b;

	if (x->region != y->region)
		return x->region < y->region ? -1 : 1;
	return x->address < y->address ? -1 : x->address > y->address;
}

/* Overlaps, page alignment and name clashes of what is kept. */
static int verify(struct pm_reader *r)
{
	const struct pm_entry *prev = NULL;
	uint64_t flash_end = 0, sram_start = UINT64_MAX;
	const struct pm_entry *first_sram = NULL;
	int errors = 0, kept = 0;

	for (size_t i = 0; i < r->count; i++) {
		const struct pm_entry *e = &r->e[i];

		if (!e->keep)
			continue;
		kept++;
		if (e->region == REGION_FLASH &&
		    e->address + e->size > flash_end)
			flash_end = e->address + e->size;
		if (e->region == REGION_SRAM && e->address < sram_start) {
			sram_start = e->address;
			first_sram = e;
		}
		if (prev && prev->region == e->region &&
		    e->address < prev->address + prev->size) {
			fk_diag_error(r->d, &e->pos_address,
				      "'%s' at 0x%llX overlaps '%s' "
				      "(0x%llX..0x%llX); only containers "
				      "(span) may overlap: fix the addresses",
				      e->name, (unsigned long long)e->address,
				      prev->name,
				      (unsigned long long)prev->address,
				      (unsigned long long)(prev->address +
							   prev->size));
			errors++;
		}
		if (e->region != REGION_SRAM &&
		    (e->address % r->sector || e->size % r->sector)) {
			fk_diag_error(r->d,
				      e->address % r->sector ? &e->pos_address :
							       &e->pos_size,
				      "'%s' (0x%llX, size 0x%llX) does not "
				      "cover whole %u-byte pages; a layout's "
				      "partitions do (give --sector-size if "
				      "the part's pages are smaller)",
				      e->name, (unsigned long long)e->address,
				      (unsigned long long)e->size, r->sector);
			errors++;
		}
		for (size_t k = 0; k < i; k++)
			if (r->e[k].keep &&
			    fk_import_same_name(r->e[k].name, e->name)) {
				fk_diag_error(r->d, &e->pos,
					      "'%s' and '%s' differ only in "
					      "case or '-'/'_'; rename one",
					      e->name, r->e[k].name);
				errors++;
			}
		prev = e;
	}
	if (first_sram && sram_start < flash_end) {
		fk_diag_error(r->d, &first_sram->pos_address,
			      "sram_primary's '%s' at 0x%llX is inside the "
			      "flash (which reaches 0x%llX); both are on one "
			      "address map: fix the addresses",
			      first_sram->name, (unsigned long long)sram_start,
			      (unsigned long long)flash_end);
		errors++;
	}
	if (!kept && !errors) {
		struct fk_pos pos = { r->y.file, 1, 1 };

		fk_diag_error(r->d, &pos,
			      "nothing to import: every partition was dropped "
			      "(see the notes)");
		errors++;
	}
	return errors;
}

static void emit_region(struct pm_reader *r, int region,
			const struct fk_import_opts *opts)
{
	const struct pm_region *g = &regions[region];
	uint64_t base = UINT64_MAX, end = 0;
	uint32_t size;
	bool any = false;

	for (size_t i = 0; i < r->count; i++) {
		const struct pm_entry *e = &r->e[i];

		if (!e->keep || e->region != region)
			continue;
		any = true;
		if (e->address < base)
			base = e->address;
		if (e->address + e->size > end)
			end = e->address + e->size;
	}
	if (!any)
		return;
	if (region != REGION_SRAM) {
		uint64_t lowest = base;

		base = region == REGION_FLASH && opts ? opts->flash_base : 0;
		if (lowest < base)
			fk_diag_error(
				r->d, NULL,
				"flash_primary has a partition at 0x%llX, "
				"below --flash-base 0x%llX",
				(unsigned long long)lowest,
				(unsigned long long)base);
		if (lowest < base)
			return;
	}
	size = (uint32_t)(end - base);
	if (region == REGION_FLASH && opts && opts->flash_size) {
		if (opts->flash_size < end - base)
			fk_diag_error(r->d, NULL,
				      "--flash-size 0x%X is smaller than the "
				      "end of flash_primary's partitions "
				      "0x%llX",
				      opts->flash_size,
				      (unsigned long long)(end - base));
		size = opts->flash_size;
	}
	if (region != REGION_SRAM)
		size = (size + r->sector - 1) / r->sector * r->sector;
	fk_import_memory(&r->out, g->mem_name, g->kind,
			 region != REGION_EXTERNAL, (uint32_t)base, size,
			 region == REGION_SRAM ? 0 : r->sector, g->write_unit,
			 g->pm_name);
	for (size_t i = 0; i < r->count; i++) {
		const struct pm_entry *e = &r->e[i];
		const char *role = pm_role(e);
		struct fk_import_part p = {
			e->name,
			(uint32_t)(e->address - base),
			(uint32_t)e->size,
			role,
			NULL,
			role && !strcmp(role, "bootloader"),
		};

		if (e->keep && e->region == region)
			fk_import_partition(&r->out, &p);
	}
}

static void general_notes(struct pm_reader *r,
			  const struct fk_import_opts *opts)
{
	fk_import_note(&r->out, NULL,
		       "flash_primary -> memory 'flash' (internal, base "
		       "--flash-base (default 0), "
		       "%u-byte pages, write unit 4%s), external_flash -> "
		       "'external-flash' (offsets, write unit 1), "
		       "sram_primary -> 'sram'",
		       r->sector,
		       opts && opts->flash_size ?
			       "" :
			       "; size up to the last partition: give "
			       "--flash-size for your part");
	fk_import_note(&r->out, NULL,
		       "roles by name: mcuboot/b0 -> bootloader, "
		       "mcuboot_primary/secondary, app, s0_image, s1_image "
		       "-> slot, *_storage -> storage, provision -> config, "
		       "factory_data -> devinfo, others -> raw; "
		       "bootloaders get protect: write (set the part's "
		       "protection: BPROT/ACL/SPU); no images "
		       "are made (add them: an MCUboot image's header is "
		       "mcuboot_pad's size)");
	if (r->ignored_count) {
		char keys[256];
		size_t n = 0;

		keys[0] = '\0';
		for (size_t i = 0; i < r->ignored_count && n < sizeof(keys);
		     i++)
			n += (size_t)snprintf(keys + n, sizeof(keys) - n,
					      "%s%s", i ? ", " : "",
					      r->ignored[i]);
		fk_import_note(&r->out, NULL,
			       "keys not carried over: %s (placement hints "
			       "and spans: the static addresses are what a "
			       "layout keeps)",
			       keys);
	}
}

static int read_all(struct pm_reader *r)
{
	const struct fk_ynode *root = r->y.root;
	int errors = 0;

	if (!root || root->type != FK_YAML_MAP || !root->count) {
		struct fk_pos pos = { r->y.file, 1, 1 };

		fk_diag_error(r->d, root ? &root->pos : &pos,
			      "a pm_static.yml is a mapping from partition "
			      "names to their address and size");
		return 1;
	}
	r->e = calloc(root->count, sizeof(*r->e));
	if (!r->e)
		return FK_ENOSPC;
	for (size_t i = 0; i < root->count; i++)
		if (read_entry(r, fk_yaml_key(root, i), fk_yaml_value(root, i),
			       &r->e[r->count]) == 0)
			r->count++;
		else
			errors++;
	fk_yaml_check_unique(&r->y, root, "pm_static.yml");
	return errors;
}

int fk_import_pm_static(const char *file, const char *text, size_t len,
			const struct fk_import_opts *opts, struct fk_diag *d,
			char **yaml, size_t *yaml_len)
{
	struct pm_reader r;
	char header[512];
	uint32_t errors_before = d ? d->errors : 0;
	int rc;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.sector = opts && opts->sector_size ? opts->sector_size : 0x1000;
	if (r.sector < 4 || r.sector > 0x100000 ||
	    (r.sector & (r.sector - 1)) ||
	    (opts && opts->flash_size % r.sector)) {
		fk_diag_error(d, NULL,
			      "--sector-size must be a power of two from 4 to "
			      "1M, and --flash-size a multiple of it");
		return FK_EINVAL;
	}
	rc = fk_yaml_read_aliases(&r.y, file, text, len, d);
	if (rc)
		return rc;
	rc = fk_import_begin(&r.out, d);
	if (rc)
		goto out;
	rc = read_all(&r);
	if (rc == FK_ENOSPC)
		goto out_abort;
	if (r.count) /* qsort's array may not be NULL, even empty */
		qsort(r.e, r.count, sizeof(*r.e), cmp_entry);
	general_notes(&r, opts);
	choose(&r);
	if (!rc)
		rc = verify(&r);
	if (!rc)
		for (int g = 0; g < REGION_COUNT; g++)
			emit_region(&r, g, opts);
	if (rc || (d && d->errors != errors_before)) {
		rc = FK_EINVAL;
		goto out_abort;
	}
	snprintf(header, sizeof(header),
		 "# Imported by `flashkit layout import` from %s\n"
		 "# (a Nordic Partition Manager pm_static.yml). Notes:\n",
		 file);
	rc = fk_import_finish(&r.out, header,
			      "Nordic Partition Manager static partitions",
			      yaml, yaml_len);
	goto out;
out_abort:
	fk_import_abort(&r.out);
out:
	free(r.e);
	fk_yaml_free(&r.y);
	return rc;
}
