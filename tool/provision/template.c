/*
 * The provisioning template: a small YAML file naming the counter state
 * and the fields of each device's record. Every problem is reported as
 * TEMPLATE:LINE:COL with what to write instead.
 *
 *   counter: { state: serials.state, start: 1000, last: 999999 }
 *   fields:
 *     serial: { type: serial, format: "FK-%06u" }
 *     mac:    { type: mac, first: "02:00:00:12:00:00", last: "02:00:00:12:ff:ff" }
 *     secret: { type: random, size: 16 }
 *     hw:     { type: text, id: 0x0003, value: "B2" }
 *     key:    { type: hex, id: 0x8001, value: "0011aabb" }
 *     cal:    { type: file, id: 0x0006, path: "cal/{serial}.bin" }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cli.h"
#include "flashkit/devinfo.h"
#include "provision.h"

struct tload {
	struct fk_template *t;
	yaml_document_t doc;
	int errors;
};

static void terr(struct tload *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void terr(struct tload *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%lu:%lu: error: ", L->t->path,
		n ? (unsigned long)n->start_mark.line + 1 : 0ul,
		n ? (unsigned long)n->start_mark.column + 1 : 0ul);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	L->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

static yaml_node_t *get(struct tload *L, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&L->doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(&L->doc, p->value);
	}
	return NULL;
}

/* Refuses keys other than the allowed ones (a typo must not pass). */
static void only_keys(struct tload *L, yaml_node_t *map, const char *what,
		      const char *const *keys, size_t n)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&L->doc, p->key);
		const char *k = scalar(kn);
		size_t i;

		for (i = 0; k && i < n; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!k || i == n)
			terr(L, kn, "unknown key '%s' in %s", k ? k : "?", what);
	}
}

static int get_u64(struct tload *L, yaml_node_t *map, const char *key,
		   const char *what, uint64_t *out, bool required)
{
	yaml_node_t *n = get(L, map, key);

	if (!n) {
		if (required)
			terr(L, map, "%s needs '%s'", what, key);
		return required ? -1 : 1;
	}
	if (fk_parse_u64(scalar(n), out)) {
		terr(L, n, "%s: '%s' must be a number", what, key);
		return -1;
	}
	return 0;
}

static char *dup_str(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		fk_error("out of memory");
		exit(FK_EXIT_USAGE);
	}
	return d;
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
		while (p[1] == '0' || p[1] == '-' || (p[1] >= '1' && p[1] <= '9'))
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

static const char *const type_names[] = { "serial", "mac", "random", "text",
					  "hex", "file" };
static const uint16_t default_ids[] = { FK_DEVINFO_SERIAL, FK_DEVINFO_MAC,
					FK_DEVINFO_SECRET, 0, 0,
					FK_DEVINFO_CALIBRATION };

static int hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') ? 0 : -1;
}

static int parse_hex_bytes(const char *s, uint8_t **out, uint32_t *len)
{
	size_t n = strlen(s);

	if (n % 2)
		return -1;
	*out = malloc(n / 2 + 1);
	if (!*out)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (hex_digit(s[2 * i]) < 0 || hex_digit(s[2 * i + 1]) < 0 ||
		    sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(*out);
			*out = NULL; /* the caller's template is freed later */
			return -1;
		}
		(*out)[i] = (uint8_t)v;
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

static void parse_type_specific(struct tload *L, yaml_node_t *v,
				struct fk_tfield *f)
{
	const char *what = f->name;
	uint64_t n;

	switch (f->type) {
	case FK_TFIELD_SERIAL:
		f->format = check_format(scalar(get(L, v, "format")) ?
					 scalar(get(L, v, "format")) : "");
		if (!f->format)
			terr(L, get(L, v, "format") ? get(L, v, "format") : v,
			     "%s: 'format' needs exactly one integer conversion"
			     " (%%u, %%06u, %%x...), like \"SN-%%06u\"", what);
		break;
	case FK_TFIELD_MAC:
		if (parse_mac(scalar(get(L, v, "first")), &f->mac_first) ||
		    parse_mac(scalar(get(L, v, "last")), &f->mac_last) ||
		    f->mac_last < f->mac_first)
			terr(L, v, "%s: needs 'first' and 'last' MAC addresses "
			     "like \"02:00:00:12:00:00\", first <= last", what);
		break;
	case FK_TFIELD_RANDOM:
		if (get_u64(L, v, "size", what, &n, true) == 0) {
			if (n == 0 || n > 1024)
				terr(L, get(L, v, "size"), "%s: size must be "
				     "1..1024 bytes", what);
			f->size = (uint32_t)n;
		}
		break;
	case FK_TFIELD_TEXT:
		if (!scalar(get(L, v, "value"))) {
			terr(L, v, "%s: needs 'value'", what);
			break;
		}
		f->value = (uint8_t *)dup_str(scalar(get(L, v, "value")));
		f->len = (uint32_t)strlen((char *)f->value);
		break;
	case FK_TFIELD_HEX:
		if (!scalar(get(L, v, "value")) ||
		    parse_hex_bytes(scalar(get(L, v, "value")), &f->value,
				    &f->len))
			terr(L, v, "%s: needs 'value' in hex digits, like "
			     "\"0011aabb\"", what);
		break;
	case FK_TFIELD_FILE:
		if (!scalar(get(L, v, "path"))) {
			terr(L, v, "%s: needs 'path'", what);
			break;
		}
		f->path = dup_str(scalar(get(L, v, "path")));
		f->per_device = strstr(f->path, "{serial}") ||
				strstr(f->path, "{n}");
		break;
	}
}

static void parse_field(struct tload *L, yaml_node_t *k, yaml_node_t *v,
			struct fk_tfield *f)
{
	static const char *const keys[] = { "type", "id", "format", "first",
					     "last", "size", "value", "path" };
	const char *type = scalar(get(L, v, "type"));
	uint64_t id;
	size_t i;

	f->name = dup_str(scalar(k));
	f->line = (unsigned)k->start_mark.line + 1;
	if (!v || v->type != YAML_MAPPING_NODE) {
		terr(L, v ? v : k, "field '%s' must be a mapping like "
		     "{ type: text, id: 0x0003, value: \"B2\" }", f->name);
		return;
	}
	only_keys(L, v, f->name, keys, sizeof(keys) / sizeof(keys[0]));
	for (i = 0; type && i < 6; i++)
		if (!strcmp(type, type_names[i]))
			break;
	if (!type || i == 6) {
		terr(L, get(L, v, "type") ? get(L, v, "type") : v,
		     "field '%s': type must be serial, mac, random, text, hex "
		     "or file", f->name);
		return;
	}
	f->type = (enum fk_tfield_type)i;
	f->id = default_ids[i];
	if (get_u64(L, v, "id", f->name, &id, default_ids[i] == 0) == 0) {
		if (id == 0 || id >= 0xFFFF)
			terr(L, get(L, v, "id"), "field '%s': id must be "
			     "0x0001..0xFFFE", f->name);
		f->id = (uint16_t)id;
	}
	parse_type_specific(L, v, f);
}

static void parse_counter(struct tload *L, yaml_node_t *c)
{
	static const char *const keys[] = { "state", "start", "last" };
	struct fk_template *t = L->t;
	const char *state = scalar(get(L, c, "state"));

	if (!c || c->type != YAML_MAPPING_NODE) {
		terr(L, c, "'counter' must be a mapping like { state: "
		     "serials.state, start: 1 }");
		return;
	}
	only_keys(L, c, "counter", keys, 3);
	if (!state) {
		terr(L, c, "counter needs 'state': the file that remembers the "
		     "next serial");
		return;
	}
	if (state[0] == '/') {
		t->state_path = dup_str(state);
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

static void check_fields(struct tload *L, yaml_node_t *fields)
{
	struct fk_template *t = L->t;
	size_t serials = 0;

	if (L->errors)
		return; /* fields that failed to parse have no type or id */
	for (size_t i = 0; i < t->nfields; i++) {
		serials += t->fields[i].type == FK_TFIELD_SERIAL;
		for (size_t j = 0; j < i; j++)
			if (t->fields[i].id == t->fields[j].id)
				fprintf(stderr, "%s:%u: error: field '%s' uses id"
					" 0x%04x like '%s' (line %u)\n",
					t->path, t->fields[i].line,
					t->fields[i].name, t->fields[i].id,
					t->fields[j].name, t->fields[j].line),
					L->errors++;
	}
	if (serials != 1)
		terr(L, fields, "the template needs exactly one field of type "
		     "serial (it names the device and its files), not %zu",
		     serials);
}

static void parse_root(struct tload *L, yaml_node_t *root)
{
	static const char *const keys[] = { "counter", "fields" };
	yaml_node_t *fields = get(L, root, "fields");
	struct fk_template *t = L->t;

	if (!root || root->type != YAML_MAPPING_NODE) {
		terr(L, root, "a template is a mapping with 'counter' and "
		     "'fields'");
		return;
	}
	only_keys(L, root, "the template", keys, 2);
	parse_counter(L, get(L, root, "counter"));
	if (!fields || fields->type != YAML_MAPPING_NODE) {
		terr(L, fields ? fields : root, "'fields' must be a mapping of "
		     "field names to { type: ..., ... }");
		return;
	}
	t->nfields = (size_t)(fields->data.mapping.pairs.top -
			      fields->data.mapping.pairs.start);
	t->fields = calloc(t->nfields ? t->nfields : 1, sizeof(*t->fields));
	if (!t->fields) {
		terr(L, fields, "out of memory");
		return;
	}
	for (size_t i = 0; i < t->nfields; i++) {
		yaml_node_pair_t *p = &fields->data.mapping.pairs.start[i];

		parse_field(L, yaml_document_get_node(&L->doc, p->key),
			    yaml_document_get_node(&L->doc, p->value),
			    &t->fields[i]);
	}
	check_fields(L, fields);
}

/* File fields without {serial} or {n} are the same for every device:
 * read them once. */
static void load_fixed_files(struct tload *L)
{
	struct fk_template *t = L->t;

	for (size_t i = 0; i < t->nfields; i++) {
		struct fk_tfield *f = &t->fields[i];
		size_t cap, len;
		char *path;

		if (f->type != FK_TFIELD_FILE || f->per_device)
			continue;
		cap = strlen(t->dir) + strlen(f->path) + 1;
		path = malloc(cap);
		if (!path) {
			L->errors++;
			return;
		}
		snprintf(path, cap, "%s%s", f->path[0] == '/' ? "" : t->dir,
			 f->path);
		if (fk_read_file(path, &f->value, &len)) {
			L->errors++;
		} else if (len > FK_DEVINFO_MAX_BODY) {
			fprintf(stderr, "%s:%u: error: '%s' is %zu bytes; a "
				"record holds at most 65535\n", t->path, f->line,
				path, len);
			L->errors++;
		}
		f->len = (uint32_t)len;
		free(path);
	}
}

int fk_template_parse(const char *path, const uint8_t *text, size_t len,
		      struct fk_template *t)
{
	struct tload L = { .t = t };
	yaml_parser_t parser;
	const char *slash = strrchr(path, '/');

	memset(t, 0, sizeof(*t));
	t->path = dup_str(path);
	t->dir = dup_str(path);
	t->dir[slash ? (size_t)(slash - path) + 1 : 0] = '\0';
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, text, len);
	if (!yaml_parser_load(&parser, &L.doc)) {
		fprintf(stderr, "%s:%lu:%lu: error: %s\n", path,
			(unsigned long)parser.problem_mark.line + 1,
			(unsigned long)parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "not YAML");
		L.errors++;
	} else {
		parse_root(&L, yaml_document_get_root_node(&L.doc));
		yaml_document_delete(&L.doc);
	}
	yaml_parser_delete(&parser);
	if (!L.errors)
		load_fixed_files(&L);
	if (L.errors) {
		fk_template_free(t);
		return -1;
	}
	return 0;
}

int fk_template_load(const char *path, struct fk_template *t)
{
	uint8_t *text;
	size_t len;
	int rc;

	memset(t, 0, sizeof(*t));
	if (fk_read_file(path, &text, &len))
		return -1;
	rc = fk_template_parse(path, text, len, t);
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
