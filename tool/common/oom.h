/*
 * Out of memory in host code: the one policy. Most host libraries return
 * an error when an allocation fails; the few places that cannot do
 * without a small allocation (the layout model, the SVG drawing) call
 * fk_oom(). The CLI installs a handler that says "out of memory" and
 * exits with status 1; with none installed, fk_oom() aborts. The input
 * caps (formats/files.h) keep absurd inputs from getting this far.
 */
#ifndef FLASHKIT_TOOL_COMMON_OOM_H
#define FLASHKIT_TOOL_COMMON_OOM_H

typedef void (*fk_oom_handler)(void);

/* Installs the handler fk_oom() calls (it must not return). */
void fk_oom_set_handler(fk_oom_handler handler);

/* Never returns. */
_Noreturn void fk_oom(void);

#endif
