/*
 * The settings schema of `flashkit kv gen` (docs/kv.md, "Named
 * settings"): each setting's name, type, size, default and doc, in the
 * order that gives them their ids (0, 1, ...):
 *
 *   header: compact   # optional: the sector header (bitmap, the default,
 *                     # or compact; docs/kv.md, "Sector headers")
 *   settings:
 *     volume:    { type: u8, default: 7, doc: "Speaker volume, 0..10" }
 *     wifi_ssid: { type: string, size: 32, default: "flashkit" }
 *     cal:       { type: bytes, size: 12, default: "00a1ff" }
 *
 * Types: u8 u16 u32 i8 i16 i32 bool (little-endian on flash), string and
 * bytes (size: the most bytes; a bytes default is hex). The schema's
 * hash (CRC-32 of every setting's name, type and size, in order) is
 * kept in the store under the id after the last setting, so a firmware
 * or an image made from another schema (a setting renamed, removed,
 * retyped or moved) is caught. Parsing and generating only: no I/O.
 */
#ifndef FLASHKIT_TOOL_KV_SCHEMA_H
#define FLASHKIT_TOOL_KV_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "flashkit/error.h"

enum fk_kv_type {
	FK_KV_U8,
	FK_KV_U16,
	FK_KV_U32,
	FK_KV_I8,
	FK_KV_I16,
	FK_KV_I32,
	FK_KV_BOOL,
	FK_KV_STRING,
	FK_KV_BYTES,
};

struct fk_kv_field {
	char *name;
	enum fk_kv_type type;
	uint16_t id;
	uint8_t size;	  /* bytes: the fixed size, or the most */
	uint8_t def_len;  /* bytes of the default (0: none) */
	uint8_t def[254]; /* the default as stored on flash */
	int has_default;
	char *doc;	   /* NULL when absent */
	struct fk_pos pos; /* the setting's name in the file */
};

struct fk_kv_schema {
	char *path;
	struct fk_kv_field *fields;
	size_t count;
	uint32_t hash;	     /* see above */
	uint16_t hash_id;    /* the id that holds the hash: count */
	uint16_t key_limit;  /* count + 1 rounded up to a multiple of 8 */
	uint8_t value_max;   /* the largest size, at least 4 (the hash) */
	uint16_t record_max; /* value_max + 7, at least 128 */
	uint8_t header;	     /* FK_KV_HEADER_*: the schema's 'header' */
	unsigned errors;
};

/* Parses a schema; every problem goes to diag at its FILE:LINE:COL.
 * Returns 0, or FK_EINVAL after reporting them all (*out freed). */
int fk_kv_schema_parse(const char *name, const char *text, size_t len,
		       struct fk_kv_schema *out, struct fk_diag *diag);
void fk_kv_schema_free(struct fk_kv_schema *s);

struct fk_yaml;
struct fk_ynode;

/* Converts the YAML value v of setting f into its bytes on flash (out:
 * f->size bytes or more); what starts the message of a wrong value ("the
 * default of", "the value of"). Returns the length, or -1 after
 * reporting to d. */
int fk_kv_schema_value(struct fk_yaml *y, struct fk_diag *d,
		       const struct fk_ynode *v, const struct fk_kv_field *f,
		       const char *what, uint8_t *out);

/* The store's sector header named by v ("bitmap" or "compact") into
 * *out (FK_KV_HEADER_*). Returns 0, or -1 after reporting to d at v. */
int fk_kv_header_parse(struct fk_diag *d, const struct fk_ynode *v,
		       uint8_t *out);

/* The field named name, or NULL. */
const struct fk_kv_field *fk_kv_schema_find(const struct fk_kv_schema *s,
					    const char *name);

/* Writes the C header for s (ids, types, defaults, accessors, the hash)
 * into a malloc'd NUL-terminated buffer; prefix names everything
 * ("settings": SETTINGS_VOLUME, settings_volume()). NULL when out of
 * memory. */
char *fk_kv_schema_header(const struct fk_kv_schema *s, const char *prefix);

#endif
