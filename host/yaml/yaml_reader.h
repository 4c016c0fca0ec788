/*
 * The one YAML reader of flashkit's input files (layouts, settings files,
 * provisioning templates): libyaml's parser turned into a tree of
 * positioned nodes, and the typed getters every schema walk uses, each
 * reporting a wrong value at its FILE:LINE:COL to a diagnostics sink and
 * carrying on, so one run reports every problem it can see.
 *
 * What the reader refuses for every file, before any schema sees it:
 * YAML syntax errors, nesting deeper than FK_YAML_MAX_DEPTH, anchors and
 * aliases (but in fk_yaml_read_aliases()), a second document, and
 * scalars holding a NUL character ("x\0y" would otherwise be read as
 * "x"). A key given twice in one
 * mapping is reported by fk_yaml_check_keys() and fk_yaml_check_unique(),
 * which know what the mapping is called ('_' and '-' count as the same
 * letter in keys).
 *
 * It never prints and never exits; out of memory is an error like any
 * other (FK_ENOSPC: no room).
 */
#ifndef FLASHKIT_TOOL_YAML_READER_H
#define FLASHKIT_TOOL_YAML_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

/* Deepest nesting of lists and mappings a file may have. flashkit's
 * schemas need 5; the bound keeps hostile input linear. */
#define FK_YAML_MAX_DEPTH 64

enum fk_ynode_type {
	FK_YAML_SCALAR,
	FK_YAML_LIST,
	FK_YAML_MAP,
};

struct fk_ynode {
	enum fk_ynode_type type;
	struct fk_pos pos; /* where the node starts */
	/* Scalars: the text, NUL-terminated (holds no NUL itself). */
	char *text;
	size_t len;
	bool plain_one_line; /* plain style, on one line: columns of
			      * its characters are pos.col + index */
	/* Lists: count items. Mappings: count pairs, keys at kids[2i],
	 * values at kids[2i + 1]. */
	struct fk_ynode **kids;
	size_t count;
};

/* A file read into nodes. */
struct fk_yaml {
	struct fk_ynode *root; /* NULL for an empty file */
	struct fk_diag *diag;  /* where the reader and getters report */
	const char *file;      /* positions point to it */
};

/*
 * Reads text (len bytes, NUL bytes allowed: refused where they appear)
 * into y. file names it in positions and must outlive y; diag receives
 * the problems (NULL: the default sink). Returns 0 when the text is
 * YAML the tree could be built from (problems that leave the tree
 * usable, like a NUL in a scalar, are reported and counted in diag
 * while the tree is kept, so the caller reports more); FK_EINVAL after
 * reporting a syntax error or too deep a nesting (no tree); FK_ENOSPC.
 */
int fk_yaml_read(struct fk_yaml *y, const char *file, const char *text,
		 size_t len, struct fk_diag *diag);

/*
 * The same, for files of other tools that use anchors and aliases
 * (Nordic's pm_static.yml: "span: *id001"): an alias reads as a copy of
 * the latest node with its anchor, at the alias's position. The copies
 * are bounded (100,000 nodes per file) so nested aliases cannot blow up.
 */
int fk_yaml_read_aliases(struct fk_yaml *y, const char *file, const char *text,
			 size_t len, struct fk_diag *diag);
void fk_yaml_free(struct fk_yaml *y);

/* The i-th key and value of a mapping. */
static inline const struct fk_ynode *fk_yaml_key(const struct fk_ynode *map,
						 size_t i)
{
	return map->kids[2 * i];
}
static inline const struct fk_ynode *fk_yaml_value(const struct fk_ynode *map,
						   size_t i)
{
	return map->kids[2 * i + 1];
}

/* The text of a scalar, NULL for anything else (or NULL). */
const char *fk_yaml_text(const struct fk_ynode *n);

/* Whether two keys are the same ('_' and '-' alike). */
bool fk_yaml_key_eq(const char *a, const char *b);

/* The value of key in a mapping, or NULL (also when map is not one). */
const struct fk_ynode *fk_yaml_get(const struct fk_ynode *map, const char *key);

/* "a mapping", "a list", "a value", "empty". */
const char *fk_yaml_type_name(const struct fk_ynode *n);

/* Whether n is of the type (a scalar must not be empty); otherwise
 * reports "WHAT must be ..., not ..." at n. */
bool fk_yaml_expect(struct fk_yaml *y, const struct fk_ynode *n,
		    enum fk_ynode_type type, const char *what);

/*
 * Reports each key of map that is not in known (count of them), with the
 * closest known key as a "did you mean" when one is close; what names
 * the mapping ("memory 'flash'"). Returns the number reported.
 */
size_t fk_yaml_check_keys(struct fk_yaml *y, const struct fk_ynode *map,
			  const char *const *known, size_t count,
			  const char *what);

/* Reports each key of map given twice; what names the mapping.
 * Returns the number reported. */
size_t fk_yaml_check_unique(struct fk_yaml *y, const struct fk_ynode *map,
			    const char *what);

/* The closest of the candidates to word when it is likely a typo of it,
 * otherwise NULL. */
const char *fk_yaml_suggest(const char *word, const char *const *candidates,
			    size_t count);

/*
 * Typed getters: the value of key in map. Each returns 1 when found and
 * valid, 0 when absent (nothing reported), -1 after reporting why the
 * value is wrong at its position. what names the mapping in messages
 * ("'size' of partition 'app'" is built from key and what); at, when not
 * NULL, receives the value's position when the key is there.
 */
int fk_yaml_get_number(struct fk_yaml *y, const struct fk_ynode *map,
		       const char *key, const char *what, unsigned flags,
		       uint64_t max, uint64_t *out, struct fk_pos *at);
int fk_yaml_get_u32(struct fk_yaml *y, const struct fk_ynode *map,
		    const char *key, const char *what, unsigned flags,
		    uint32_t *out, struct fk_pos *at);
int fk_yaml_get_bool(struct fk_yaml *y, const struct fk_ynode *map,
		     const char *key, const char *what, bool *out);
/* One of names (count of them); *out its index. */
int fk_yaml_get_enum(struct fk_yaml *y, const struct fk_ynode *map,
		     const char *key, const char *what,
		     const char *const *names, size_t count, int *out);
/* A non-empty scalar; *out points into the tree. */
int fk_yaml_get_string(struct fk_yaml *y, const struct fk_ynode *map,
		       const char *key, const char *what, const char **out);

/* A scalar node read as a number of the one grammar (common/number.h);
 * label names it in the message. 0 or -1 after reporting. */
int fk_yaml_number(struct fk_yaml *y, const struct fk_ynode *n,
		   const char *label, unsigned flags, uint64_t max,
		   uint64_t *out);

#endif
