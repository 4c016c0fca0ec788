/*
 * What the two importers (import_esp.c, import_pm.c) share: the YAML
 * they write (memories, partitions, notes as comments) and the name
 * rule of layouts. Internal to host/layout/.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_IMPORT_INTERNAL_H
#define FLASHKIT_TOOL_LAYOUT_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layout/import.h"

/* The layout being written: notes and body apart, joined at the end so
 * the notes come first. */
struct fk_import_out {
	struct fk_diag *d;
	FILE *notes, *body;
	char *notes_buf, *body_buf;
	size_t notes_len, body_len;
	bool nomem;
};

/* One partition of the output. */
struct fk_import_part {
	const char *name;
	uint32_t offset; /* from the memory's start */
	uint32_t size;
	const char *role; /* a layout role, or NULL for the default */
	const char *esp;  /* the `esp-idf` key's value, or NULL */
	bool protect;	  /* protect: write (a bootloader) */
};

/* 0, or FK_ENOSPC. */
int fk_import_begin(struct fk_import_out *o, struct fk_diag *d);

/* A note: to the sink (at pos, which may be NULL) and into the output as
 * a comment. */
void fk_import_note(struct fk_import_out *o, const struct fk_pos *pos,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "  NAME:\n    kind: KIND\n ..." up to "partitions:"; base only when
 * has_base; sector 0 for RAM (then size is given). */
void fk_import_memory(struct fk_import_out *o, const char *name,
		      const char *kind, bool has_base, uint32_t base,
		      uint32_t size, uint32_t sector, uint32_t write_unit,
		      const char *comment);
void fk_import_partition(struct fk_import_out *o,
			 const struct fk_import_part *p);

/* Joins header, notes, "name: TITLE", "memories:" and the body into
 * *yaml. 0 or FK_ENOSPC; frees the streams in both cases. */
int fk_import_finish(struct fk_import_out *o, const char *header,
		     const char *title, char **yaml, size_t *yaml_len);
void fk_import_abort(struct fk_import_out *o);

/* Whether s is a layout name: a letter, then letters, digits, '-', '_',
 * at most 48 in all. */
bool fk_import_valid_name(const char *s);

/* Whether two names would clash in a layout (equal but for case and
 * '-' versus '_'). */
bool fk_import_same_name(const char *a, const char *b);

#endif
