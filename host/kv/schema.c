/*
 * The settings schema (schema.h): parsing on the one YAML reader, the
 * schema's hash, and the C header `flashkit kv gen` writes. Every
 * problem is reported at its node and the parse goes on, so one run
 * shows them all.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/crc.h"
#include "flashkit/kv.h"
#include "formats/formats.h"
#include "kv/schema.h"
#include "yaml/yaml_reader.h"

struct parser {
	struct fk_kv_schema *s;
	struct fk_yaml y;
	struct fk_diag d;
};

static const char *const type_names[] = { "u8",	  "u16",    "u32",
					  "i8",	  "i16",    "i32",
					  "bool", "string", "bytes" };
static const uint8_t type_size[] = { 1, 2, 4, 1, 2, 4, 1, 0, 0 };
static const char *const field_keys[] = { "type", "size", "default", "doc" };

/* A C identifier in lower case, as the generated names need. */
static int name_ok(const char *n)
{
	if (!n || !(islower((unsigned char)n[0]) || n[0] == '_') ||
	    strlen(n) > 40)
		return 0;
	for (; *n; n++) {
		if (!islower((unsigned char)*n) &&
		    !isdigit((unsigned char)*n) && *n != '_')
			return 0;
	}
	return 1;
}

/* A signed value: "-" and digits, within the type's range. */
static int signed_value(struct fk_yaml *y, struct fk_diag *d,
			const struct fk_ynode *v, const struct fk_kv_field *f,
			const char *what, uint8_t *out)
{
	const char *t = fk_yaml_text(v);
	int64_t lo = -(1ll << (8 * f->size - 1)), hi = -lo - 1, x;
	char *end;

	(void)y;
	x = t ? strtoll(t, &end, 10) : 0;
	if (!t || !*t || *end || x < lo || x > hi ||
	    isspace((unsigned char)*t)) {
		fk_diag_error(d, &v->pos,
			      "%s '%s' must be a whole number from %lld to "
			      "%lld",
			      what, f->name, (long long)lo, (long long)hi);
		return -1;
	}
	for (unsigned b = 0; b < f->size; b++)
		out[b] = (uint8_t)((uint64_t)x >> 8 * b);
	return f->size;
}

int fk_kv_schema_value(struct fk_yaml *y, struct fk_diag *d,
		       const struct fk_ynode *v, const struct fk_kv_field *f,
		       const char *what, uint8_t *out)
{
	const char *t = fk_yaml_text(v);
	uint64_t x;
	size_t bad;

	switch (f->type) {
	case FK_KV_I8:
	case FK_KV_I16:
	case FK_KV_I32:
		return signed_value(y, d, v, f, what, out);
	case FK_KV_BOOL:
		if (t && (strcmp(t, "true") == 0 || strcmp(t, "false") == 0)) {
			out[0] = t[0] == 't';
			return 1;
		}
		fk_diag_error(d, &v->pos, "%s '%s' must be true or false", what,
			      f->name);
		return -1;
	case FK_KV_STRING:
		if (!t || v->len > f->size) {
			fk_diag_error(d, &v->pos,
				      "%s '%s' must be a string of at most %u "
				      "bytes (its size)",
				      what, f->name, f->size);
			return -1;
		}
		memcpy(out, t, v->len);
		return (int)v->len;
	case FK_KV_BYTES:
		if (!t || v->len % 2 || v->len / 2 > f->size ||
		    fk_hex_decode((const uint8_t *)t, v->len / 2, out, &bad)) {
			fk_diag_error(d, &v->pos,
				      "%s '%s' must be an even number of hex "
				      "digits, at most %u bytes (\"00a1ff\")",
				      what, f->name, f->size);
			return -1;
		}
		return (int)(v->len / 2);
	default:
		if (fk_yaml_number(y, v, what, 0,
				   f->size == 4 ? UINT32_MAX :
						  (1u << 8 * f->size) - 1,
				   &x))
			return -1;
		for (unsigned b = 0; b < f->size; b++)
			out[b] = (uint8_t)(x >> 8 * b);
		return f->size;
	}
}

static void parse_field(struct parser *p, const struct fk_ynode *k,
			const struct fk_ynode *v, struct fk_kv_field *f)
{
	char what[80];
	const char *doc;
	const struct fk_ynode *def;
	uint64_t size;
	int type, rc;

	f->pos = k->pos;
	snprintf(what, sizeof(what), "setting '%.40s'", f->name);
	if (!fk_yaml_expect(&p->y, v, FK_YAML_MAP, what))
		return;
	fk_yaml_check_keys(&p->y, v, field_keys, 4, what);
	rc = fk_yaml_get_enum(&p->y, v, "type", what, type_names, 9, &type);
	if (rc == 0)
		fk_diag_error(&p->d, &v->pos,
			      "%s has no type: give one of u8, u16, u32, i8, "
			      "i16, i32, bool, string, bytes",
			      what);
	if (rc != 1)
		return;
	f->type = (enum fk_kv_type)type;
	f->size = type_size[type];
	rc = fk_yaml_get_number(&p->y, v, "size", what, 0, 254, &size, NULL);
	if (rc == 1 && f->size && size != f->size)
		fk_diag_error(&p->d, &v->pos, "%s: a %s has %u bytes, not %llu",
			      what, type_names[type], f->size,
			      (unsigned long long)size);
	else if (!f->size && rc != 1)
		fk_diag_error(&p->d, &v->pos,
			      "%s: a %s needs a size (its most bytes, 1..%d)",
			      what, type_names[type], FK_KV_VALUE_MAX);
	else if (!f->size && (size < 1 || size > FK_KV_VALUE_MAX))
		fk_diag_error(&p->d, &v->pos,
			      "%s: size %llu is not in 1..%d (FK_KV_VALUE_MAX "
			      "of this build)",
			      what, (unsigned long long)size, FK_KV_VALUE_MAX);
	else if (!f->size)
		f->size = (uint8_t)size;
	def = fk_yaml_get(v, "default");
	rc = def && f->size ? fk_kv_schema_value(&p->y, &p->d, def, f,
						 "the default of", f->def) :
			      -1;
	if (rc >= 0) {
		f->def_len = (uint8_t)rc;
		f->has_default = 1;
	}
	if (fk_yaml_get_string(&p->y, v, "doc", what, &doc) == 1) {
		f->doc = strdup(doc);
		if (!f->doc)
			fk_diag_error(&p->d, &v->pos, "out of memory");
	}
}

static void parse_settings(struct parser *p, const struct fk_ynode *map)
{
	struct fk_kv_schema *s = p->s;

	if (!fk_yaml_expect(&p->y, map, FK_YAML_MAP, "settings"))
		return;
	if (map->count == 0) {
		fk_diag_error(&p->d, &map->pos,
			      "'settings' names no setting: give at least one");
		return;
	}
	if (map->count + 1 > FK_KV_MAX_KEYS) {
		fk_diag_error(&p->d, &map->pos,
			      "%zu settings: this build holds at most %d",
			      map->count, FK_KV_MAX_KEYS - 1);
		return;
	}
	fk_yaml_check_unique(&p->y, map, "settings");
	s->fields = calloc(map->count ? map->count : 1, sizeof(*s->fields));
	if (!s->fields) {
		fk_diag_error(&p->d, &map->pos, "out of memory");
		return;
	}
	for (size_t i = 0; i < map->count; i++) {
		const struct fk_ynode *k = fk_yaml_key(map, i);
		struct fk_kv_field *f = &s->fields[s->count++];

		f->id = (uint16_t)i;
		f->name = strdup(fk_yaml_text(k) ? fk_yaml_text(k) : "");
		if (!f->name) {
			fk_diag_error(&p->d, &k->pos, "out of memory");
			return;
		}
		if (!name_ok(f->name)) {
			fk_diag_error(&p->d, &k->pos,
				      "'%.40s' is not a setting name: use "
				      "lower-case letters, digits and '_', "
				      "starting with a letter (at most 40)",
				      f->name);
			continue;
		}
		parse_field(p, k, fk_yaml_value(map, i), f);
	}
}

/* CRC-32 of each setting's name, NUL, type and size, in id order. */
static void finish(struct fk_kv_schema *s)
{
	uint32_t h = 0;

	s->value_max = 4;
	for (size_t i = 0; i < s->count; i++) {
		const struct fk_kv_field *f = &s->fields[i];
		uint8_t ts[2] = { (uint8_t)f->type, f->size };

		h = fk_crc32(h, f->name, strlen(f->name) + 1);
		h = fk_crc32(h, ts, 2);
		if (f->size > s->value_max)
			s->value_max = f->size;
	}
	s->hash = h;
	s->record_max = s->value_max + FK_KV_SET_OVERHEAD > 128 ?
				(uint16_t)(s->value_max + FK_KV_SET_OVERHEAD) :
				128;
	s->hash_id = (uint16_t)s->count;
	s->key_limit = (uint16_t)((s->count + 1 + 7) / 8 * 8);
}

int fk_kv_header_parse(struct fk_diag *d, const struct fk_ynode *v,
		       uint8_t *out)
{
	const char *t = fk_yaml_text(v);

	if (t && strcmp(t, "bitmap") == 0) {
		*out = FK_KV_HEADER_BITMAP;
		return 0;
	}
	if (t && strcmp(t, "compact") == 0) {
		*out = FK_KV_HEADER_COMPACT;
		return 0;
	}
	fk_diag_error(d, &v->pos,
		      "header must be bitmap (format 2, the default: "
		      "sector headers name the keys of the sector before) or "
		      "compact (format 3: 16-byte headers, less written; "
		      "docs/kv.md)");
	return -1;
}

int fk_kv_schema_parse(const char *name, const char *text, size_t len,
		       struct fk_kv_schema *out, struct fk_diag *diag)
{
	static const char *const top[] = { "settings", "header" };
	const struct fk_ynode *header = NULL;
	struct parser p;

	memset(&p, 0, sizeof(p));
	memset(out, 0, sizeof(*out));
	p.s = out;
	p.d.emit = fk_diag_relay;
	p.d.ctx = diag;
	out->path = strdup(name);
	if (!out->path) {
		out->errors = 1;
		return FK_ENOSPC;
	}
	if (fk_yaml_read(&p.y, out->path, text, len, &p.d) == 0) {
		const struct fk_ynode *root = p.y.root, *settings = NULL;
		struct fk_pos at = { out->path, 1, 1 };

		if (root && root->type == FK_YAML_MAP)
			settings = fk_yaml_get(root, "settings");
		if (!root || root->type != FK_YAML_MAP)
			fk_diag_error(&p.d, root ? &root->pos : &at,
				      "a settings schema is a mapping with "
				      "'settings'");
		else if (fk_yaml_check_keys(&p.y, root, top, 2,
					    "a settings schema") == 0 &&
			 !settings)
			fk_diag_error(&p.d, &root->pos,
				      "a settings schema needs 'settings', "
				      "a mapping of setting names");
		if (settings)
			parse_settings(&p, settings);
		if (root && root->type == FK_YAML_MAP)
			header = fk_yaml_get(root, "header");
		if (header)
			fk_kv_header_parse(&p.d, header, &out->header);
	}
	fk_yaml_free(&p.y);
	out->errors = p.d.errors;
	if (out->errors) {
		unsigned errors = out->errors;

		fk_kv_schema_free(out);
		out->errors = errors;
		return FK_EINVAL;
	}
	finish(out);
	return FK_OK;
}

void fk_kv_schema_free(struct fk_kv_schema *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free(s->fields[i].name);
		free(s->fields[i].doc);
	}
	free(s->fields);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

const struct fk_kv_field *fk_kv_schema_find(const struct fk_kv_schema *s,
					    const char *name)
{
	for (size_t i = 0; i < s->count; i++) {
		if (strcmp(s->fields[i].name, name) == 0)
			return &s->fields[i];
	}
	return NULL;
}
