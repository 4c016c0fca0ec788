/*
 * What the files of the layout loader share (layout_load.c reads the
 * file and walks the top level; layout_memories.c the memories, their
 * sector maps and partitions; layout_images.c modules, images and the
 * names they refer to; layout_resolve.c the order and uniqueness of the
 * model). Nothing outside these four files needs it.
 */
#ifndef FLASHKIT_TOOL_LAYOUT_LOAD_H
#define FLASHKIT_TOOL_LAYOUT_LOAD_H

#include "common/number.h"
#include "layout_internal.h"
#include "yaml/yaml_reader.h"

/* What the file says about a partition's placement, before placing. */
struct raw_part {
	bool has_at, at_is_offset, rest;
	uint32_t at, size, align;
};

struct loader {
	struct fk_diag d; /* counts this load, relays to the caller */
	struct fk_yaml y; /* the file's nodes; reports into d */
	struct fk_layout *L;
	struct raw_part *raw; /* parallel to L->partitions while loading */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The position of a node, or of the file when n is NULL. */
struct fk_pos fk_layout_pos_of(struct loader *ld, const struct fk_ynode *n);

/* Whether k is a valid name for a what ("partition"); reports if not. */
bool fk_layout_valid_name(struct loader *ld, const struct fk_ynode *k,
			  const char *what);

/* A copy of s, or NULL after reporting "out of memory" to ld->d (the
 * load then fails with FK_ENOMEM). */
char *fk_layout_strdup(struct loader *ld, const char *s);
/* Grows the array *arrp (arrp: the address of an array pointer) by one
 * zeroed element of elem bytes after count. Returns false, the array
 * untouched, after reporting "out of memory" to ld->d. */
bool fk_layout_grow(struct loader *ld, void *arrp, uint32_t count, size_t elem);

/* One memory entry (name node k, value node v) of 'memories'. */
void fk_layout_parse_memory(struct loader *ld, const struct fk_ynode *k,
			    const struct fk_ynode *v);
/* One entry of 'modules' and of 'images'. */
void fk_layout_parse_module(struct loader *ld, const struct fk_ynode *k,
			    const struct fk_ynode *v);
void fk_layout_parse_image(struct loader *ld, const struct fk_ynode *k,
			   const struct fk_ynode *v);

/* After the memories: partitions in memory order, the sectors each
 * covers, and names unique as C identifiers. */
void fk_layout_sort_partitions(struct loader *ld);
void fk_layout_fill_sectors(struct fk_layout *L);
void fk_layout_check_names(struct loader *ld, const char *kind);

#endif
