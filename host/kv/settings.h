/*
 * The settings file of `flashkit kv build`: the store's configuration and
 * the values a device leaves the factory with (docs/kv.md):
 *
 *   keys: 64            # key ids 0..63 (a multiple of 8)
 *   value-max: 32       # largest value in bytes
 *   record-max: 128     # largest commit record (optional)
 *   values:
 *     0: "text"         # the string's bytes, no terminator
 *     1: { hex: "00a1ff" }
 *     2: { u32: 48000 } # also u8, u16; little-endian
 *
 * Parsing only: the values are written by the device's own store code.
 */
#ifndef FLASHKIT_TOOL_KV_SETTINGS_H
#define FLASHKIT_TOOL_KV_SETTINGS_H

#include <stddef.h>

#include "flashkit/kv.h"
#include "layout/layout.h"

struct fk_kv_setting {
	uint16_t id;
	uint8_t len;
	uint8_t value[255];
	struct fk_pos pos; /* the value's id in the file */
};

struct fk_kv_settings {
	char *path; /* file name used in diagnostics */
	struct fk_kv_config cfg;
	struct fk_pos pos; /* the top of the file */
	struct fk_kv_setting *items;
	size_t count;
	unsigned errors;
};

/* Parses a settings file from a buffer; name is used in positions.
 * Every problem goes to diag (NULL: dropped) at its
 * FILE:LINE:COL. Returns 0, or FK_EINVAL after reporting every problem
 * (then *out is freed; out->errors says how many). */
int fk_kv_settings_parse(const char *name, const char *text, size_t len,
			 struct fk_kv_settings *out, struct fk_diag *diag);
void fk_kv_settings_free(struct fk_kv_settings *s);

struct fk_kv_schema;
/* The same with a settings schema (kv/schema.h, NULL: none): the store
 * takes the schema's configuration (the file's keys, value-max and
 * record-max are refused), and values may be given by setting name,
 * written as the setting's type (volume: 7, wifi_ssid: "home",
 * calibration: "00a1ff"). */
int fk_kv_settings_parse_with(const char *name, const char *text, size_t len,
			      const struct fk_kv_schema *schema,
			      struct fk_kv_settings *out, struct fk_diag *diag);

#endif
