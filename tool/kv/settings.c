/*
 * The settings file parser (see settings.h for the format). Every problem
 * is reported at its YAML node, saying what to write instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kv/settings.h"

struct parser {
	struct fk_kv_settings *s;
	yaml_document_t doc;
	FILE *diag;
};

static yaml_node_t *node(struct parser *p, int index)
{
	return yaml_document_get_node(&p->doc, index);
}

static struct fk_pos pos_of(struct parser *p, const yaml_node_t *n)
{
	struct fk_pos pos = { p->s->path, 1, 1 };

	if (n) {
		pos.line = (uint32_t)n->start_mark.line + 1;
		pos.col = (uint32_t)n->start_mark.column + 1;
	}
	return pos;
}

#define ERR(p, n, ...)                                                 \
	do {                                                           \
		struct fk_pos at_ = pos_of(p, n);               \
		fk_layout_diag((p)->diag, &at_, "error", __VA_ARGS__); \
		(p)->s->errors++;                                      \
	} while (0)

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		       (const char *)n->data.scalar.value :
		       NULL;
}

/* An unsigned number no larger than max; reports and returns -1. */
static int number(struct parser *p, yaml_node_t *n, const char *what,
		  unsigned long max, unsigned long *out)
{
	const char *text = scalar(n);
	char *end;

	if (!text || !*text || *text == '-') {
		ERR(p, n, "%s must be a number from 0 to %lu", what, max);
		return -1;
	}
	errno = 0;
	*out = strtoul(text, &end, 0);
	if (errno || *end || *out > max) {
		ERR(p, n, "%s must be a number from 0 to %lu, not '%s'", what,
		    max, text);
		return -1;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_value(struct parser *p, yaml_node_t *n,
		     struct fk_kv_setting *item)
{
	const char *t = scalar(n);
	size_t len = t ? strlen(t) : 0;

	if (!t || len % 2 || len / 2 > 254) {
		ERR(p, n, "hex must be an even number of hex digits, at most "
			  "254 bytes (\"00a1ff\")");
		return -1;
	}
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit(t[2 * i]), lo = hex_digit(t[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			ERR(p, n, "'%c%c' at byte %zu is not a hex byte",
			    t[2 * i], t[2 * i + 1], i);
			return -1;
		}
		item->value[i] = (uint8_t)(hi << 4 | lo);
	}
	item->len = (uint8_t)(len / 2);
	return 0;
}

/* { hex: ... } or { u8|u16|u32: N }. */
static int typed_value(struct parser *p, yaml_node_t *n,
		       struct fk_kv_setting *item)
{
	static const struct { const char *name; unsigned bytes; } ints[] = {
		{ "u8", 1 }, { "u16", 2 }, { "u32", 4 },
	};
	yaml_node_pair_t *pair = n->data.mapping.pairs.start;
	yaml_node_t *k, *v;
	const char *type;
	unsigned long x;

	if (n->data.mapping.pairs.top - pair != 1) {
		ERR(p, n, "a typed value is one of { hex: \"..\" }, "
			  "{ u8: N }, { u16: N }, { u32: N }");
		return -1;
	}
	k = node(p, pair->key);
	v = node(p, pair->value);
	type = scalar(k);
	if (type && strcmp(type, "hex") == 0)
		return hex_value(p, v, item);
	for (size_t i = 0; type && i < 3; i++) {
		if (strcmp(type, ints[i].name) != 0)
			continue;
		if (number(p, v, type, ints[i].bytes == 4 ? 0xFFFFFFFFul :
				       (1ul << 8 * ints[i].bytes) - 1, &x))
			return -1;
		for (unsigned b = 0; b < ints[i].bytes; b++)
			item->value[b] = (uint8_t)(x >> 8 * b);
		item->len = (uint8_t)ints[i].bytes;
		return 0;
	}
	ERR(p, k, "unknown value type '%s': use hex, u8, u16 or u32",
	    type ? type : "?");
	return -1;
}

static void parse_values(struct parser *p, yaml_node_t *map)
{
	yaml_node_pair_t *pair;
	size_t n;

	if (map->type != YAML_MAPPING_NODE) {
		ERR(p, map, "values must be a mapping of 'id: value' lines");
		return;
	}
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	p->s->items = calloc(n ? n : 1, sizeof(*p->s->items));
	if (!p->s->items)
		abort();
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);
		struct fk_kv_setting *item = &p->s->items[p->s->count];
		unsigned long id;
		int rc;

		if (number(p, k, "a key id", 0xFFFF, &id))
			continue;
		item->id = (uint16_t)id;
		item->pos = pos_of(p, k);
		if (v->type == YAML_MAPPING_NODE) {
			rc = typed_value(p, v, item);
		} else if (v->type == YAML_SCALAR_NODE &&
			   v->data.scalar.length <= 254) {
			item->len = (uint8_t)v->data.scalar.length;
			memcpy(item->value, v->data.scalar.value, item->len);
			rc = 0;
		} else {
			ERR(p, v, "the value of key %lu must be a string of at "
				  "most 254 bytes or a typed value", id);
			rc = -1;
		}
		for (size_t i = 0; rc == 0 && i < p->s->count; i++) {
			if (p->s->items[i].id == item->id) {
				ERR(p, k, "key %lu is given twice (first at "
					  "line %u)", id,
				    p->s->items[i].pos.line);
				rc = -1;
			}
		}
		if (rc == 0)
			p->s->count++;
	}
}

static void parse_root(struct parser *p, yaml_node_t *root)
{
	struct fk_kv_config *cfg = &p->s->cfg;
	yaml_node_pair_t *pair;

	if (!root || root->type != YAML_MAPPING_NODE) {
		ERR(p, root, "a settings file is a mapping with keys, "
			     "value-max, record-max and values");
		return;
	}
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);
		const char *key = scalar(k);
		unsigned long x;

		if (!key) {
			ERR(p, k, "a settings file's keys are names (keys, "
				  "value-max, record-max, values)");
			continue;
		}
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
		     key && q < pair; q++) {
			const char *prev = scalar(node(p, q->key));

			if (prev && strcmp(prev, key) == 0) {
				ERR(p, k, "'%s' is given twice (first at line "
					  "%u)", key,
				    pos_of(p, node(p, q->key)).line);
				key = NULL;
			}
		}
		if (!key)
			continue;
		if (strcmp(key, "values") == 0) {
			parse_values(p, v);
		} else if (strcmp(key, "keys") == 0) {
			if (number(p, v, "keys", FK_KV_MAX_KEYS, &x) == 0)
				cfg->key_limit = (uint16_t)x;
		} else if (strcmp(key, "value-max") == 0) {
			if (number(p, v, "value-max", 254, &x) == 0)
				cfg->value_max = (uint8_t)x;
		} else if (strcmp(key, "record-max") == 0) {
			if (number(p, v, "record-max", FK_KV_RECORD_MAX, &x) == 0)
				cfg->record_max = (uint16_t)x;
		} else {
			ERR(p, k, "unknown key '%s': a settings file has keys, "
				  "value-max, record-max and values", key);
		}
	}
}

/* The rules fk_kv_mount() applies, said in the file's terms. */
static void check(struct parser *p)
{
	struct fk_kv_config *cfg = &p->s->cfg;
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);

	if (cfg->key_limit < 8 || cfg->key_limit % 8)
		ERR(p, root, "keys must be a multiple of 8 from 8 to %d, not "
			     "%u", FK_KV_MAX_KEYS, cfg->key_limit);
	if (cfg->record_max < cfg->value_max + 9u)
		ERR(p, root, "record-max (%u) must be at least value-max + 9 "
			     "(%u)", cfg->record_max, cfg->value_max + 9u);
	for (size_t i = 0; i < p->s->count; i++) {
		const struct fk_kv_setting *it = &p->s->items[i];

		if (it->id >= cfg->key_limit)
			fk_layout_diag(p->diag, &it->pos, "error",
				       "key %u is not below keys (%u); raise "
				       "keys or renumber", it->id,
				       cfg->key_limit);
		else if (it->len > cfg->value_max)
			fk_layout_diag(p->diag, &it->pos, "error",
				       "the value of key %u has %u bytes, more "
				       "than value-max (%u)", it->id, it->len,
				       cfg->value_max);
		else
			continue;
		p->s->errors++;
	}
}

int fk_kv_settings_parse(const char *name, const char *text, size_t len,
			 struct fk_kv_settings *out, FILE *diag)
{
	struct parser p;
	yaml_parser_t parser;

	memset(&p, 0, sizeof(p));
	p.s = out;
	p.diag = diag ? diag : stderr;
	memset(out, 0, sizeof(*out));
	out->path = strdup(name);
	if (!out->path || !yaml_parser_initialize(&parser))
		abort();
	out->cfg.key_limit = 64;
	out->cfg.value_max = 32;
	out->cfg.record_max = FK_KV_RECORD_MAX;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (yaml_parser_load(&parser, &p.doc)) {
		parse_root(&p, yaml_document_get_root_node(&p.doc));
		if (!out->errors)
			check(&p);
		yaml_document_delete(&p.doc);
	} else {
		struct fk_pos at = {
			out->path, (uint32_t)parser.problem_mark.line + 1,
			(uint32_t)parser.problem_mark.column + 1
		};

		fk_layout_diag(p.diag, &at, "error", "YAML: %s",
			       parser.problem ? parser.problem : "error");
		out->errors++;
	}
	yaml_parser_delete(&parser);
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
