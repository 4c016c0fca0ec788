/*
 * What `flashkit module gen` writes from an exports file and the layout:
 * the module's entry table and init (<m>_table.c), the application's
 * import header (<m>_import.h) and linker fragment (<m>_import.ld), and
 * the lock file that records the table for the next run. The module's
 * own linker script is the layout's (fk_gen_ld_module). Every
 * generator is deterministic and writes to a stdio stream.
 */
#ifndef FLASHKIT_HOST_MODULE_GEN_H
#define FLASHKIT_HOST_MODULE_GEN_H

#include <stdio.h>

#include "layout/layout.h"
#include "module/exports.h"

/* The table, in section .module_table, and the init that copies .data
 * from flash to the module's RAM and zeroes .bss (docs/modules.md). */
void fk_module_gen_table(const struct fk_exports *ex, const char *source,
			 FILE *out);

/* Calls as ordinary C calls (one macro per function, through the
 * table), the expected id/api/count/hash and <m>_bind()/<m>_check(). */
void fk_module_gen_import(const struct fk_exports *ex, const char *source,
			  FILE *out);

/* __fk_module_<m> = the table's address, for an app linked with a
 * script of its own (the layout's image scripts define it too). */
void fk_module_gen_import_ld(const struct fk_layout *layout,
			     const struct fk_layout_module *mod,
			     const char *source, FILE *out);

/* The lock file: an exports file (same grammar) listing the table as
 * generated, each entry's hash in a comment. */
void fk_module_gen_lock(const struct fk_exports *ex, FILE *out);

/*
 * Append-only evolution: the exports now (cur) against the lock of the
 * last run. The same module; with the same api, every locked function
 * still there, at the same index, with the same normalized prototype
 * (new ones only after them); a higher api breaks on purpose and is
 * accepted; a lower one is not. Returns 0, or -1 after reporting each
 * break at its line in cur (or the lock) with what to do.
 */
int fk_module_lock_check(const struct fk_exports *cur,
			 const struct fk_exports *lock, struct fk_diag *diag);

#endif
