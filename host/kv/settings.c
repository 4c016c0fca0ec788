/*
 * The settings file parser (see settings.h for the format), on the one
 * YAML reader. Every problem is reported at its node, saying what to
 * write instead.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "common/number.h"
#include "kv/schema.h"
#include "kv/settings.h"
#include "yaml/yaml_reader.h"

struct parser {
	struct fk_kv_settings *s;
	const struct fk_kv_schema *schema; /* or NULL */
	struct fk_yaml y;
	struct fk_diag d; /* counts this file's errors, relays them */
};

static const char *const top_keys[] = { "keys", "value-max", "record-max",
					"header", "values" };

/* An unsigned number no larger than max; reports and returns -1. */
static int number(struct parser *p, const struct fk_ynode *n, const char *what,
		  uint64_t max, uint64_t *out)
{
	return fk_yaml_number(&p->y, n, what, 0, max, out);
}

static int hex_value(struct parser *p, const struct fk_ynode *n,
		     struct fk_kv_setting *item)
{
	const char *t = fk_yaml_text(n);
	size_t len = t ? n->len : 0, bad;

	if (!t || len % 2 || len / 2 > 254) {
		fk_diag_error(&p->d, &n->pos,
			      "hex must be an even number of "
			      "hex digits, at most 254 bytes (\"00a1ff\")");
		return -1;
	}
	if (fk_hex_decode((const uint8_t *)t, len / 2, item->value, &bad)) {
		fk_diag_error(&p->d, &n->pos,
			      "'%c%c' at byte %zu is not a hex "
			      "byte",
			      t[bad & ~(size_t)1], t[bad | 1], bad / 2);
		return -1;
	}
	item->len = (uint8_t)(len / 2);
	return 0;
}

/* { hex: ... } or { u8|u16|u32: N }. */
static int typed_value(struct parser *p, const struct fk_ynode *n,
		       struct fk_kv_setting *item)
{
	static const struct {
		const char *name;
		unsigned bytes;
	} ints[] = {
		{ "u8", 1 },
		{ "u16", 2 },
		{ "u32", 4 },
	};
	const struct fk_ynode *k, *v;
	const char *type;
	uint64_t x;

	if (n->count != 1) {
		fk_diag_error(&p->d, &n->pos,
			      "a typed value is one of { hex: "
			      "\"..\" }, { u8: N }, { u16: N }, { u32: N }");
		return -1;
	}
	k = fk_yaml_key(n, 0);
	v = fk_yaml_value(n, 0);
	type = fk_yaml_text(k);
	if (type && strcmp(type, "hex") == 0)
		return hex_value(p, v, item);
	for (size_t i = 0; type && i < 3; i++) {
		if (strcmp(type, ints[i].name) != 0)
			continue;
		if (number(p, v, type,
			   ints[i].bytes == 4 ? UINT32_MAX :
						(1u << 8 * ints[i].bytes) - 1,
			   &x))
			return -1;
		for (unsigned b = 0; b < ints[i].bytes; b++)
			item->value[b] = (uint8_t)(x >> 8 * b);
		item->len = (uint8_t)ints[i].bytes;
		return 0;
	}
	fk_diag_error(&p->d, &k->pos,
		      "unknown value type '%s': use hex, u8, "
		      "u16 or u32",
		      type ? type : "?");
	return -1;
}

/* The value of one key id into item; 0 or -1 after reporting. */
static int one_value(struct parser *p, const struct fk_ynode *v, uint64_t id,
		     struct fk_kv_setting *item)
{
	if (v->type == FK_YAML_MAP)
		return typed_value(p, v, item);
	if (v->type == FK_YAML_SCALAR && v->len <= 254) {
		item->len = (uint8_t)v->len;
		memcpy(item->value, v->text, item->len);
		return 0;
	}
	fk_diag_error(&p->d, &v->pos,
		      "the value of key %llu must be a string "
		      "of at most 254 bytes or a typed value",
		      (unsigned long long)id);
	return -1;
}

/* A value given by setting name, in the setting's type (or a typed
 * value); 0 or -1 after reporting. */
static int named_value(struct parser *p, const struct fk_ynode *k,
		       const struct fk_ynode *v, struct fk_kv_setting *item)
{
	const struct fk_kv_field *f =
		fk_kv_schema_find(p->schema, fk_yaml_text(k));
	int len;

	item->pos = k->pos;
	if (!f) {
		fk_diag_error(&p->d, &k->pos,
			      "'%s' is not a setting of %s (give a setting "
			      "name or a key id)",
			      fk_yaml_text(k), p->schema->path);
		return -1;
	}
	item->id = f->id;
	if (v->type == FK_YAML_MAP)
		return typed_value(p, v, item);
	len = fk_kv_schema_value(&p->y, &p->d, v, f, "the value of",
				 item->value);
	if (len < 0)
		return -1;
	item->len = (uint8_t)len;
	return 0;
}

static void parse_values(struct parser *p, const struct fk_ynode *map)
{
	if (!fk_yaml_expect(&p->y, map, FK_YAML_MAP, "values"))
		return;
	p->s->items = calloc(map->count ? map->count : 1, sizeof(*p->s->items));
	if (!p->s->items) {
		fk_diag_error(&p->d, &map->pos, "out of memory");
		return;
	}
	for (size_t i = 0; i < map->count; i++) {
		const struct fk_ynode *k = fk_yaml_key(map, i);
		struct fk_kv_setting *item = &p->s->items[p->s->count];
		uint64_t id;
		int rc;

		if (p->schema && fk_yaml_text(k) &&
		    !(*fk_yaml_text(k) >= '0' && *fk_yaml_text(k) <= '9')) {
			rc = named_value(p, k, fk_yaml_value(map, i), item);
		} else {
			if (number(p, k, "a key id", 0xFFFF, &id))
				continue;
			item->id = (uint16_t)id;
			item->pos = k->pos;
			rc = one_value(p, fk_yaml_value(map, i), id, item);
		}
		id = item->id;
		for (size_t j = 0; rc == 0 && j < p->s->count; j++) {
			if (p->s->items[j].id == item->id) {
				fk_diag_error(&p->d, &k->pos,
					      "key %llu is given"
					      " twice (first at line %u)",
					      (unsigned long long)id,
					      p->s->items[j].pos.line);
				rc = -1;
			}
		}
		if (rc == 0)
			p->s->count++;
	}
}

static void parse_root(struct parser *p, const struct fk_ynode *root)
{
	struct fk_kv_config *cfg = &p->s->cfg;
	const struct fk_ynode *values;
	uint64_t x;

	if (!root || root->type != FK_YAML_MAP) {
		fk_diag_error(&p->d, root ? &root->pos : &p->s->pos,
			      "a "
			      "settings file is a mapping with keys, value-max,"
			      " record-max, header and values");
		return;
	}
	fk_yaml_check_keys(&p->y, root, top_keys, 5, "a settings file");
	for (size_t i = 0; p->schema && i < 4; i++) {
		const struct fk_ynode *n = fk_yaml_get(root, top_keys[i]);

		if (n)
			fk_diag_error(&p->d, &n->pos,
				      "'%s': with a schema the store's "
				      "configuration comes from %s; remove it",
				      top_keys[i], p->schema->path);
	}
	if (fk_yaml_get_number(&p->y, root, "keys", "the settings", 0,
			       FK_KV_MAX_KEYS, &x, NULL) == 1)
		cfg->key_limit = (uint16_t)x;
	if (fk_yaml_get_number(&p->y, root, "value-max", "the settings", 0,
			       FK_KV_VALUE_MAX, &x, NULL) == 1)
		cfg->value_max = (uint8_t)x;
	if (fk_yaml_get_number(&p->y, root, "record-max", "the settings", 0,
			       FK_KV_RECORD_MAX, &x, NULL) == 1)
		cfg->record_max = (uint16_t)x;
	if (!p->schema && fk_yaml_get(root, "header"))
		fk_kv_header_parse(&p->d, fk_yaml_get(root, "header"),
				   &cfg->header);
	values = fk_yaml_get(root, "values");
	if (values)
		parse_values(p, values);
}

/* The rules fk_kv_mount() applies, said in the file's terms. */
static void check(struct parser *p)
{
	struct fk_kv_config *cfg = &p->s->cfg;
	const struct fk_pos *top = &p->s->pos;

	if (cfg->key_limit < 8 || cfg->key_limit % 8)
		fk_diag_error(&p->d, top,
			      "keys must be a multiple of 8 from 8 "
			      "to %d, not %u",
			      FK_KV_MAX_KEYS, cfg->key_limit);
	if (cfg->record_max < cfg->value_max + FK_KV_SET_OVERHEAD)
		fk_diag_error(&p->d, top,
			      "record-max (%u) must be at least "
			      "value-max + %d (%u)",
			      cfg->record_max, FK_KV_SET_OVERHEAD,
			      cfg->value_max + FK_KV_SET_OVERHEAD);
	for (size_t i = 0; i < p->s->count; i++) {
		const struct fk_kv_setting *it = &p->s->items[i];

		if (it->id >= cfg->key_limit)
			fk_diag_error(&p->d, &it->pos,
				      "key %u is not below "
				      "keys (%u); raise keys or renumber",
				      it->id, cfg->key_limit);
		else if (it->len > cfg->value_max)
			fk_diag_error(&p->d, &it->pos,
				      "the value of key %u has "
				      "%u bytes, more than value-max (%u)",
				      it->id, it->len, cfg->value_max);
	}
}

int fk_kv_settings_parse(const char *name, const char *text, size_t len,
			 struct fk_kv_settings *out, struct fk_diag *diag)
{
	return fk_kv_settings_parse_with(name, text, len, NULL, out, diag);
}

int fk_kv_settings_parse_with(const char *name, const char *text, size_t len,
			      const struct fk_kv_schema *schema,
			      struct fk_kv_settings *out, struct fk_diag *diag)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	memset(out, 0, sizeof(*out));
	p.s = out;
	p.schema = schema;
	p.d.emit = fk_diag_relay;
	p.d.ctx = diag;
	out->path = strdup(name);
	if (!out->path) {
		fk_diag_error(&p.d, NULL, "out of memory");
		out->errors = 1;
		return FK_ENOSPC;
	}
	out->pos = (struct fk_pos){ out->path, 1, 1 };
	out->cfg.key_limit = 64;
	out->cfg.value_max = 32;
	out->cfg.record_max = FK_KV_RECORD_MAX;
	if (fk_yaml_read(&p.y, out->path, text, len, &p.d) == 0) {
		parse_root(&p, p.y.root);
		if (schema) {
			out->cfg.key_limit = schema->key_limit;
			out->cfg.value_max = schema->value_max;
			out->cfg.record_max = schema->record_max;
			out->cfg.header = schema->header;
		}
		if (!p.d.errors)
			check(&p);
	}
	fk_yaml_free(&p.y);
	out->errors = p.d.errors;
	if (out->errors) {
		unsigned errors = out->errors;

		fk_kv_settings_free(out);
		out->errors = errors;
		return FK_EINVAL;
	}
	return FK_OK;
}

void fk_kv_settings_free(struct fk_kv_settings *s)
{
	free(s->path);
	free(s->items);
	memset(s, 0, sizeof(*s));
}
