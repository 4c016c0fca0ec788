/*
 * The generators: each turns a checked layout into one kind of file,
 * written to a stdio stream (the caller decides where the bytes go, so
 * `layout gen` can produce everything in memory first and write nothing
 * when anything fails).
 *
 * Every generator is deterministic: same layout, same bytes (the golden
 * tests rely on it). Files name the layout by its base name only.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_GEN_H
#define FLASHKIT_TOOL_LAYOUT_GEN_H

#include <stdio.h>

#include "layout.h"

/* flash_layout.h: addresses, sizes, sector maps, image ids. */
void fk_gen_c_header(const struct fk_layout *layout, FILE *out);

/* A GNU ld script for one image linked to run from one of its slots
 * (slot 0 primary, 1 secondary: only xip images link for both). */
void fk_gen_ld_image(const struct fk_layout *layout,
		     const struct fk_layout_image *img, int slot, FILE *out);

/* A GNU ld script for a library module. */
void fk_gen_ld_module(const struct fk_layout *layout,
		      const struct fk_layout_module *mod, FILE *out);

/* boot_config.c: the bootloader's struct fk_boot_config for all the
 * layout's images, fk_boot_layout_config() (ports/boot/boot_port.h), or
 * an #error saying why the boot core cannot take the layout. */
void fk_gen_boot_config(const struct fk_layout *layout, FILE *out);
/* layout.json (schema in docs/layout.md, "layout.json"). */
void fk_gen_json(const struct fk_layout *layout, FILE *out);

/* A Zephyr devicetree overlay with fixed-partitions per flash memory. */
void fk_gen_dts(const struct fk_layout *layout, FILE *out);

/* An OpenOCD script that programs factory-<memory>.hex of each memory. */
void fk_gen_openocd(const struct fk_layout *layout, FILE *out);

/* The picture: one column per memory, partitions to scale. Returns 0,
 * or -1 when memory ran out (nothing written). */
int fk_gen_svg(const struct fk_layout *layout, FILE *out);

/* The memory whose partitions an ESP-IDF partition table describes:
 * the one holding the partitions with an `esp-idf` key, else the only
 * flash or external memory. -1 when there is none, -2 when several
 * qualify. */
int fk_gen_esp_memory(const struct fk_layout *layout);

/* partitions.csv: ESP-IDF's partition table CSV for that memory. */
void fk_gen_esp_csv(const struct fk_layout *layout, uint32_t memory, FILE *out);

/* The base name of the layout file, for comments in generated files. */
const char *fk_gen_source_name(const struct fk_layout *layout);

/* "APP_A" from "app-a": an upper-case C identifier into buf. */
const char *fk_gen_macro(char *buf, size_t len, const char *name);

/* "app_a" from "app-a": a lower-case symbol into buf. */
const char *fk_gen_symbol(char *buf, size_t len, const char *name);

#endif
