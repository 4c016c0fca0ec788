/*
 * Imports of other tools' partition files into a flashkit layout:
 * ESP-IDF's partition table CSV (partitions.csv) and Nordic Partition
 * Manager's pm_static.yml. Each reads the text, reports every problem at
 * its FILE:LINE:COL saying what to change, and returns the layout as YAML
 * text: the caller checks it with fk_layout_load_buffer() and writes it.
 * What maps to what and what is dropped is said twice: as notes to the
 * sink and as comments at the top of the YAML (docs/layout.md, "Imports
 * and exports").
 *
 * Also here: ESP-IDF's partition types, subtypes and flags by name and
 * number, shared by the CSV reader, the layout's `esp-idf` key and the
 * CSV writer (`layout gen --esp-idf`), so the three cannot disagree.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_IMPORT_H
#define FLASHKIT_TOOL_LAYOUT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

struct fk_import_opts {
	/* ESP-IDF: flash offset of the partition table (the project's
	 * CONFIG_PARTITION_TABLE_OFFSET); 0 means ESP-IDF's 0x8000. The
	 * first free offset is this plus 0x1000. */
	uint32_t table_offset;
	/* Size of the (primary) flash; 0: ESP-IDF, the smallest power of
	 * two holding every partition; Partition Manager, the end of the
	 * last flash_primary partition. */
	uint32_t flash_size;
	/* Erase sector (page) size of the flash; 0: 4K. */
	uint32_t sector_size;
	/* Partition Manager: the bus address of flash_primary (0, or
	 * 0x01000000 for the nRF5340's network core). */
	uint32_t flash_base;
};

/*
 * Both importers: text (len bytes; NULs refused where they appear) read
 * from file (the name used in positions). Return 0 with *yaml a malloc'd,
 * NUL-terminated layout (*yaml_len bytes), FK_EINVAL after reporting
 * every error to d, FK_ENOSPC when memory ran out. Notes go to d too.
 */
int fk_import_esp_csv(const char *file, const char *text, size_t len,
		      const struct fk_import_opts *opts, struct fk_diag *d,
		      char **yaml, size_t *yaml_len);
int fk_import_pm_static(const char *file, const char *text, size_t len,
			const struct fk_import_opts *opts, struct fk_diag *d,
			char **yaml, size_t *yaml_len);

/* ESP-IDF partition types (the first byte of a table entry's kind). */
enum {
	FK_ESP_TYPE_APP = 0x00,
	FK_ESP_TYPE_DATA = 0x01,
	FK_ESP_TYPE_BOOTLOADER = 0x02,
	FK_ESP_TYPE_PARTITION_TABLE = 0x03,
};

/* ESP-IDF flags column: bit numbers as in the binary table. */
#define FK_ESP_FLAG_ENCRYPTED (1u << 0)
#define FK_ESP_FLAG_READONLY (1u << 1)

/* A partition's ESP-IDF kind: type, subtype, flags. */
struct fk_esp_kind {
	uint8_t type;
	uint8_t subtype;
	uint32_t flags;
};

/*
 * A number as ESP-IDF's gen_esp32part.py reads the offset and size
 * columns (and numeric types): Python's int(text, 0) (decimal without
 * leading zeros, 0x/0o/0b, '_' between digits) after any k/K/m/M
 * suffixes (binary multiples). Returns 0, or -1 with *why set.
 */
int fk_esp_parse_int(const char *text, uint64_t *out, const char **why);

/* The type column: "app", "data", "bootloader", "partition_table" (any
 * case) or a number 0..254. 0 or -1 with *why. */
int fk_esp_parse_type(const char *text, uint8_t *out, const char **why);

/* The subtype column for a type: a name of that type (any case) or a
 * number 0..254; empty is "undefined" (0x06) but for app, which needs
 * one. 0 or -1 with *why. */
int fk_esp_parse_subtype(uint8_t type, const char *text, uint8_t *out,
			 const char **why);

/* The flags column: names separated by ':' ("encrypted", "readonly").
 * 0 or -1 with *why. */
int fk_esp_parse_flags(const char *text, uint32_t *out, const char **why);

/* "app, ota_0" or "data, nvs_keys, encrypted": the value of a layout's
 * `esp-idf` key (the CSV's type, subtype and flags columns). 0 or -1. */
int fk_esp_parse_kind(const char *text, struct fk_esp_kind *out,
		      const char **why);

/* The names ESP-IDF writes; NULL when it writes the number. */
const char *fk_esp_type_name(uint8_t type);
const char *fk_esp_subtype_name(uint8_t type, uint8_t subtype);

/* The alignment ESP-IDF gives a partition of the type with no offset:
 * 64K for app, 4K for the others. */
uint32_t fk_esp_align(uint8_t type);

/* "encrypted:readonly" into buf ("" for none). */
const char *fk_esp_flags_text(char *buf, size_t len, uint32_t flags);

#endif
