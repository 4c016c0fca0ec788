/*
 * The provisioning template: a small YAML file naming the counter state
 * and the fields of each device's record, read with the one YAML reader.
 * Every problem goes to the caller's diagnostics sink
 * as TEMPLATE:LINE:COL with what to write instead; nothing is printed.
 *
 *   counter: { state: serials.state, start: 1000, last: 999999 }
 *   fields:
 *     serial: { type: serial, format: "FK-%06u" }
 *     mac:    { type: mac, first: "02:00:00:12:00:00", last:
 * "02:00:00:12:ff:ff" } secret: { type: random, size: 16 } hw:     { type:
 * text, id: 0x0003, value: "B2" } key:    { type: hex, id: 0x8001, value:
 * "0011aabb" } cal:    { type: file, id: 0x0006, path: "cal/{serial}.bin" }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "flashkit/devinfo.h"
#include "formats/files.h"
#include "provision.h"
#include "yaml/yaml_reader.h"

struct tload {
	struct fk_template *t;
	struct fk_yaml y;
	struct fk_diag d; /* counts this template's errors, relays them */
	bool no_memory;
};

static void terr(struct tload *L, const struct fk_ynode *n, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));
static void terr(struct tload *L, const struct fk_ynode *n, const char *fmt,
		 ...)
{
	struct fk_pos top = { L->t->path, 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	fk_diag_vemit(&L->d, FK_DIAG_ERROR, n ? &n->pos : &top, fmt, ap);
	va_end(ap);
}

/* Refuses keys other than the allowed ones (a typo must not pass). */
static void only_keys(struct tload *L, const struct fk_ynode *map,
		      const char *what, const char *const *keys, size_t n)
{
	fk_yaml_check_keys(&L->y, map, keys, n, what);
}

static int get_u64(struct tload *L, const struct fk_ynode *map, const char *key,
		   const char *what, uint64_t *out, bool required)
{
	int rc = fk_yaml_get_number(&L->y, map, key, what, 0, UINT64_MAX, out,
				    NULL);

	if (rc == 0 && required)
		terr(L, map, "%s needs '%s'", what, key);
	return rc == 0 ? (required ? -1 : 1) : rc == 1 ? 0 : -1;
}

/* A copy kept by the template; out of memory is an error like others. */
static char *dup_str(struct tload *L, const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d && !L->no_memory) {
		L->no_memory = true;
		terr(L, NULL, "out of memory");
	}
	return d ? d : strdup("");
}

/* "02:00:00:12:00:00" -> 48-bit number. */
static int parse_mac(const char *s, uint64_t *out)
{
	unsigned b[6];
	char end;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
			 &b[3], &b[4], &b[5], &end) != 6)
		return -1;
	*out = 0;
	for (int i = 0; i < 6; i++)
		*out = *out << 8 | b[i];
	return 0;
}

/* A serial format has exactly one integer conversion (%u, %d, %x, %X
 * with flags and width) and no other conversion but %%. Rewrites it to
 * take an unsigned long long. */
static char *check_format(const char *f)
{
	size_t len = strlen(f);
	char *out = malloc(3 * len + 3), *o = out; /* "ll" per conversion */
	int conv = 0;

	if (!out)
		return NULL;
	for (const char *p = f; *p; p++) {
		*o++ = *p;
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			*o++ = *++p;
			continue;
		}
		while (p[1] == '0' || p[1] == '-' ||
		       (p[1] >= '1' && p[1] <= '9'))
			*o++ = *++p;
		if (p[1] != 'u' && p[1] != 'd' && p[1] != 'x' && p[1] != 'X') {
			free(out);
			return NULL;
		}
		*o++ = 'l';
		*o++ = 'l';
		*o++ = (char)(p[1] == 'd' ? 'u' : p[1]);
		p++;
		conv++;
	}
	*o = '\0';
	if (conv != 1) {
		free(out);
		return NULL;
	}
	return out;
}

static const char *const type_names[] = { "serial", "mac", "random",
					  "text",   "hex", "file" };
static const uint16_t default_ids[] = {
	FK_DEVINFO_SERIAL,     FK_DEVINFO_MAC, FK_DEVINFO_SECRET, 0, 0,
	FK_DEVINFO_CALIBRATION
};

static int parse_hex_bytes(const char *s, uint8_t **out, uint32_t *len)
{
	size_t n = strlen(s), bad;

	if (n % 2)
		return -1;
	*out = malloc(n / 2 + 1);
	if (!*out)
		return -1;
	if (fk_hex_decode((const uint8_t *)s, n / 2, *out, &bad)) {
		free(*out);
		*out = NULL; /* the caller's template is freed later */
		return -1;
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

static void parse_type_specific(struct tload *L, const struct fk_ynode *v,
				struct fk_tfield *f)
{
	const char *what = f->name;
	uint64_t n;

	switch (f->type) {
	case FK_TFIELD_SERIAL:
		f->format = check_format(
			fk_yaml_text(fk_yaml_get(v, "format")) ?
				fk_yaml_text(fk_yaml_get(v, "format")) :
				"");
		if (!f->format)
			terr(L,
			     fk_yaml_get(v, "format") ?
				     fk_yaml_get(v, "format") :
				     v,
			     "%s: 'format' needs exactly one integer conversion"
			     " (%%u, %%06u, %%x...), like \"SN-%%06u\"",
			     what);
		break;
	case FK_TFIELD_MAC:
		if (parse_mac(fk_yaml_text(fk_yaml_get(v, "first")),
			      &f->mac_first) ||
		    parse_mac(fk_yaml_text(fk_yaml_get(v, "last")),
			      &f->mac_last) ||
		    f->mac_last < f->mac_first)
			terr(L, v,
			     "%s: needs 'first' and 'last' MAC addresses "
			     "like \"02:00:00:12:00:00\", first <= last",
			     what);
		break;
	case FK_TFIELD_RANDOM:
		if (get_u64(L, v, "size", what, &n, true) == 0) {
			if (n == 0 || n > 1024)
				terr(L, fk_yaml_get(v, "size"),
				     "%s: size must be "
				     "1..1024 bytes",
				     what);
			f->size = (uint32_t)n;
		}
		break;
	case FK_TFIELD_TEXT:
		if (!fk_yaml_text(fk_yaml_get(v, "value"))) {
			terr(L, v, "%s: needs 'value'", what);
			break;
		}
		f->value = (uint8_t *)dup_str(
			L, fk_yaml_text(fk_yaml_get(v, "value")));
		f->len = (uint32_t)strlen((char *)f->value);
		break;
	case FK_TFIELD_HEX:
		if (!fk_yaml_text(fk_yaml_get(v, "value")) ||
		    parse_hex_bytes(fk_yaml_text(fk_yaml_get(v, "value")),
				    &f->value, &f->len))
			terr(L, v,
			     "%s: needs 'value' in hex digits, like "
			     "\"0011aabb\"",
			     what);
		break;
	case FK_TFIELD_FILE:
		if (!fk_yaml_text(fk_yaml_get(v, "path"))) {
			terr(L, v, "%s: needs 'path'", what);
			break;
		}
		f->path = dup_str(L, fk_yaml_text(fk_yaml_get(v, "path")));
		f->per_device =
			strstr(f->path, "{serial}") || strstr(f->path, "{n}");
		break;
	}
}

static void parse_field(struct tload *L, const struct fk_ynode *k,
			const struct fk_ynode *v, struct fk_tfield *f)
{
	static const char *const keys[] = { "type", "id",   "format", "first",
					    "last", "size", "value",  "path" };
	const char *type = fk_yaml_text(fk_yaml_get(v, "type"));
	uint64_t id;
	size_t i;

	f->name = dup_str(L, fk_yaml_text(k));
	f->line = k->pos.line;
	if (!v || v->type != FK_YAML_MAP) {
		terr(L, v ? v : k,
		     "field '%s' must be a mapping like "
		     "{ type: text, id: 0x0003, value: \"B2\" }",
		     f->name);
		return;
	}
	only_keys(L, v, f->name, keys, sizeof(keys) / sizeof(keys[0]));
	for (i = 0; type && i < 6; i++)
		if (!strcmp(type, type_names[i]))
			break;
	if (!type || i == 6) {
		terr(L, fk_yaml_get(v, "type") ? fk_yaml_get(v, "type") : v,
		     "field '%s': type must be serial, mac, random, text, hex "
		     "or file",
		     f->name);
		return;
	}
	f->type = (enum fk_tfield_type)i;
	f->id = default_ids[i];
	if (get_u64(L, v, "id", f->name, &id, default_ids[i] == 0) == 0) {
		if (id == 0 || id >= 0xFFFF)
			terr(L, fk_yaml_get(v, "id"),
			     "field '%s': id must be "
			     "0x0001..0xFFFE",
			     f->name);
		f->id = (uint16_t)id;
	}
	parse_type_specific(L, v, f);
}

static void parse_counter(struct tload *L, const struct fk_ynode *c)
{
	static const char *const keys[] = { "state", "start", "last" };
	struct fk_template *t = L->t;
	const char *state = fk_yaml_text(fk_yaml_get(c, "state"));

	if (!c || c->type != FK_YAML_MAP) {
		terr(L, c,
		     "'counter' must be a mapping like { state: "
		     "serials.state, start: 1 }");
		return;
	}
	only_keys(L, c, "counter", keys, 3);
	if (!state) {
		terr(L, c,
		     "counter needs 'state': the file that remembers the "
		     "next serial");
		return;
	}
	if (state[0] == '/') {
		t->state_path = dup_str(L, state);
	} else {
		size_t len = strlen(t->dir) + strlen(state) + 1;

		t->state_path = malloc(len);
		if (t->state_path)
			snprintf(t->state_path, len, "%s%s", t->dir, state);
	}
	t->start = 1;
	t->last = UINT64_MAX / 2;
	get_u64(L, c, "start", "counter", &t->start, false);
	get_u64(L, c, "last", "counter", &t->last, false);
	if (t->last < t->start)
		terr(L, c, "counter: last is below start");
}

static void check_fields(struct tload *L, const struct fk_ynode *fields)
{
	struct fk_template *t = L->t;
	size_t serials = 0;

	if (L->d.errors)
		return; /* fields that failed to parse have no type or id */
	for (size_t i = 0; i < t->nfields; i++) {
		serials += t->fields[i].type == FK_TFIELD_SERIAL;
		for (size_t j = 0; j < i; j++) {
			struct fk_pos at = { t->path, t->fields[i].line, 1 };

			if (t->fields[i].id == t->fields[j].id)
				fk_diag_error(
					&L->d, &at,
					"field '%s' uses id "
					"0x%04x like '%s' (line %u)",
					t->fields[i].name, t->fields[i].id,
					t->fields[j].name, t->fields[j].line);
		}
	}
	if (serials != 1)
		terr(L, fields,
		     "the template needs exactly one field of type "
		     "serial (it names the device and its files), not %zu",
		     serials);
}

static void parse_root(struct tload *L, const struct fk_ynode *root)
{
	static const char *const keys[] = { "counter", "fields" };
	const struct fk_ynode *fields = fk_yaml_get(root, "fields");
	struct fk_template *t = L->t;

	if (!root || root->type != FK_YAML_MAP) {
		terr(L, root,
		     "a template is a mapping with 'counter' and "
		     "'fields'");
		return;
	}
	only_keys(L, root, "the template", keys, 2);
	parse_counter(L, fk_yaml_get(root, "counter"));
	if (!fields || fields->type != FK_YAML_MAP) {
		terr(L, fields ? fields : root,
		     "'fields' must be a mapping of "
		     "field names to { type: ..., ... }");
		return;
	}
	t->nfields = fields->count;
	t->fields = calloc(t->nfields ? t->nfields : 1, sizeof(*t->fields));
	if (!t->fields) {
		terr(L, fields, "out of memory");
		return;
	}
	fk_yaml_check_unique(&L->y, fields, "'fields'");
	for (size_t i = 0; i < t->nfields; i++)
		parse_field(L, fk_yaml_key(fields, i), fk_yaml_value(fields, i),
			    &t->fields[i]);
	check_fields(L, fields);
}

/* File fields without {serial} or {n} are the same for every device:
 * read them once. */
static void load_fixed_files(struct tload *L)
{
	struct fk_template *t = L->t;

	for (size_t i = 0; i < t->nfields; i++) {
		struct fk_tfield *f = &t->fields[i];
		struct fk_pos at = { t->path, f->line, 1 };
		struct fk_diag err = { 0 };
		size_t cap, len;
		char *path;

		if (f->type != FK_TFIELD_FILE || f->per_device)
			continue;
		cap = strlen(t->dir) + strlen(f->path) + 1;
		path = malloc(cap);
		if (!path) {
			terr(L, NULL, "out of memory");
			return;
		}
		snprintf(path, cap, "%s%s", f->path[0] == '/' ? "" : t->dir,
			 f->path);
		if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT),
				 &f->value, &len, &err))
			fk_diag_fail(&L->d, err.fail, &at, "field '%s': %s",
				     f->name, err.last_text);
		else if (len > FK_DEVINFO_MAX_BODY)
			fk_diag_error(&L->d, &at,
				      "'%s' is %zu bytes; a record "
				      "holds at most 65535",
				      path, len);
		f->len = (uint32_t)len;
		free(path);
	}
}

int fk_template_parse(const char *path, const uint8_t *text, size_t len,
		      struct fk_template *t, struct fk_diag *d)
{
	struct tload L = { .t = t };
	const char *slash = strrchr(path, '/');

	memset(t, 0, sizeof(*t));
	L.d.emit = fk_diag_relay;
	L.d.ctx = d;
	t->path = dup_str(&L, path);
	t->dir = dup_str(&L, path);
	t->dir[slash ? (size_t)(slash - path) + 1 : 0] = '\0';
	if (fk_yaml_read(&L.y, t->path, (const char *)text, len, &L.d) == 0)
		parse_root(&L, L.y.root);
	fk_yaml_free(&L.y);
	if (!L.d.errors)
		load_fixed_files(&L);
	if (L.d.errors) {
		fk_template_free(t);
		return -1;
	}
	return 0;
}

int fk_template_load(const char *path, struct fk_template *t, struct fk_diag *d)
{
	struct fk_pos at = { path, 0, 0 };
	struct fk_diag err = { 0 };
	uint8_t *text;
	size_t len;
	int rc;

	memset(t, 0, sizeof(*t));
	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT), &text, &len,
			 &err)) {
		fk_diag_fail(d, err.fail, &at, "%s", err.last_text);
		return -1;
	}
	rc = fk_template_parse(path, text, len, t, d);
	free(text);
	return rc;
}

void fk_template_free(struct fk_template *t)
{
	for (size_t i = 0; i < t->nfields; i++) {
		free(t->fields[i].name);
		free(t->fields[i].format);
		free(t->fields[i].value);
		free(t->fields[i].path);
	}
	free(t->fields);
	free(t->path);
	free(t->dir);
	free(t->state_path);
	memset(t, 0, sizeof(*t));
}
