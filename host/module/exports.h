/*
 * The exports file of a library module: which functions the module
 * offers, in table order, and the hash chain over their prototypes.
 *
 * Grammar (docs/modules.md, "The exports file"), line comments with
 * `#` or `//`, block comments with slash-star:
 *
 *   module NAME          the module (a name of the layout's modules:)
 *   api N                API version, 1..; raise it only to break apps
 *   header "FILE"        a header the prototypes' types come from
 *                        (included by the generated files; repeatable)
 *   from "FILE"          take the prototypes from this header instead
 *   RET NAME(TYPE NAME, ...);   one prototype per exported function
 *
 * A line that starts with one of the four directive words is a
 * directive: a prototype whose type starts with such a word begins
 * with `extern` (as the lock file writes every prototype).
 *
 * A prototype: a return type, the function's name, then `(void)` or
 * named parameters (the name is the last word: the import wrapper
 * passes it on). Refused, with where and what to write instead:
 * variadic functions, array or function-pointer parameters (use a
 * pointer or a typedef), unnamed parameters, storage classes, two
 * functions of one name. In a header read with `from`, preprocessor
 * lines, typedefs, struct/enum/union definitions, variables and
 * static inline functions are skipped; every other declaration with
 * parentheses must be such a prototype.
 *
 * The normalized prototype (what the hash covers) is the return type,
 * the name and the parameter types, each as tokens joined by one
 * space: "const char * name(int32_t, uint8_t *)". Parameter names,
 * spacing and comments do not count; the types' meanings (a typedef's
 * target) are not seen.
 */
#ifndef FLASHKIT_HOST_MODULE_EXPORTS_H
#define FLASHKIT_HOST_MODULE_EXPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"

#define FK_EXPORTS_MAX_FNS 256	 /* functions in one module */
#define FK_EXPORTS_MAX_PARAMS 16 /* parameters of one function */
#define FK_EXPORTS_MAX_HEADERS 8 /* `header` lines */
#define FK_EXPORTS_NAME_MAX 64	 /* an identifier, NUL included */
#define FK_EXPORTS_TYPE_MAX 128	 /* a type's text, NUL included */
#define FK_EXPORTS_PATH_MAX 256	 /* a header's name, NUL included */
#define FK_EXPORTS_API_MAX 65535u

struct fk_export_param {
	char type[FK_EXPORTS_TYPE_MAX];
	char name[FK_EXPORTS_NAME_MAX];
};

struct fk_export_fn {
	char name[FK_EXPORTS_NAME_MAX];
	char ret[FK_EXPORTS_TYPE_MAX]; /* normalized return type */
	uint32_t param_count;	       /* 0 for (void) */
	struct fk_export_param params[FK_EXPORTS_MAX_PARAMS];
	char *normalized;  /* the text the hash covers (malloc'd) */
	uint32_t hash;	   /* chain over functions 0..this one */
	struct fk_pos pos; /* where its prototype starts */
};

struct fk_exports {
	char *path; /* the exports file, for positions (owned) */
	char name[FK_EXPORTS_NAME_MAX];
	uint32_t api;
	uint32_t id; /* fk_module_id(name) */
	uint32_t header_count;
	char headers[FK_EXPORTS_MAX_HEADERS][FK_EXPORTS_PATH_MAX];
	char from[FK_EXPORTS_PATH_MAX]; /* "" unless `from` */
	struct fk_pos pos_name, pos_api, pos_from;
	uint32_t count;
	struct fk_export_fn *fns;
	/* The header `from` names, read by the caller and handed to
	 * fk_exports_add_header(); its path for positions (owned). */
	char *from_path;
};

/*
 * Parses an exports file (text of len bytes, need not be NUL-
 * terminated; path names it in diagnostics). Returns 0, or -1 after
 * reporting every problem to diag as FILE:LINE:COL errors. On success
 * the caller owns *out (fk_exports_free). When the file says
 * `from "FILE"`, out->count is 0 until fk_exports_add_header() reads
 * that header's prototypes. The hashes are computed by
 * fk_exports_finish(), which the two call.
 */
int fk_exports_parse(const char *path, const char *text, size_t len,
		     struct fk_exports *out, struct fk_diag *diag);

/* Takes the prototypes of the header `from` named (its text, read by
 * the caller from path) into ex. Returns 0 or -1 after reporting. */
int fk_exports_add_header(struct fk_exports *ex, const char *path,
			  const char *text, size_t len, struct fk_diag *diag);

/* The module id: the first 4 bytes of SHA-256("flashkit module " name),
 * little-endian. */
uint32_t fk_module_id(const char *name);

/* The hash chain: seed from the module's id and api, then each entry's
 * hash from the one before and its normalized prototype (docs). */
uint32_t fk_module_hash_seed(uint32_t id, uint32_t api);
uint32_t fk_module_hash_next(uint32_t prev, const char *normalized);

void fk_exports_free(struct fk_exports *ex);

#endif
