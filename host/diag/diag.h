/*
 * Diagnostics of the host libraries: where a problem is (struct fk_pos),
 * how bad it is, and the sink that receives it.
 *
 * This is the one way a host library reports a problem. The libraries
 * never print and never exit. They hand each message to the sink their
 * caller passes (struct fk_diag); the CLI's sink prints it to stderr, a
 * test's sink keeps it, a sink with no callback only counts and keeps the
 * last error (its text and its kind) for the caller, and a NULL sink
 * drops everything. A call that stops at its first problem reports it
 * with fk_fail(), fk_fail_io() or fk_fail_nomem() and returns -1; a
 * reader that goes on reports every problem with fk_diag_error(). The
 * kind of failure (enum fk_fail) is what the CLI's exit status follows:
 * bad input 1, a file that cannot be read or written or memory that
 * runs out 3. fk_diag_format() is the one place that
 * turns a message into text: "FILE:LINE:COL: severity: message", with
 * the bytes a user's file may smuggle in (ESC, other control bytes,
 * invalid UTF-8) escaped as \xNN so they never reach a terminal raw.
 */
#ifndef FLASHKIT_TOOL_DIAG_H
#define FLASHKIT_TOOL_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a node of an input file is: 1-based line and column. */
struct fk_pos {
	const char *file; /* the path given to the reader (owned by it) */
	uint32_t line;	  /* 1-based; 0 when the entity has no node */
	uint32_t col;	  /* 1-based */
};

enum fk_severity {
	FK_DIAG_ERROR,
	FK_DIAG_WARNING,
	FK_DIAG_NOTE,
};

/* What kind of failure an error is; the CLI's exit status follows it. */
enum fk_fail {
	FK_FAIL_NONE = 0,
	FK_FAIL_INPUT, /* the input is invalid, or a check failed */
	FK_FAIL_IO,    /* a file could not be read or written */
	FK_FAIL_NOMEM, /* memory ran out */
};

/* Longest message kept or formatted; longer ones are cut. */
#define FK_DIAG_MSG_MAX 1024

struct fk_diag;

/* Receives one message: text is the message alone (not escaped, no
 * position, no newline); pos may be NULL; fail is FK_FAIL_NONE for
 * warnings and notes. */
typedef void (*fk_diag_emit_fn)(void *ctx, enum fk_severity severity,
				enum fk_fail fail, const struct fk_pos *pos,
				const char *text);

struct fk_diag {
	fk_diag_emit_fn emit; /* NULL: count only, keep the last error */
	void *ctx;	      /* passed to emit */
	bool no_warnings;     /* count warnings but do not emit them */
	uint32_t errors;      /* messages seen, by severity */
	uint32_t warnings;
	uint32_t notes;
	/* The worst failure seen: I/O and memory over bad input. */
	enum fk_fail fail;
	/* The last error: its text alone, and formatted by
	 * fk_diag_format(); "" when none. */
	char last_text[FK_DIAG_MSG_MAX];
	char last_error[FK_DIAG_MSG_MAX];
};

/* Counts the message, then hands it to the sink (warnings only unless
 * no_warnings). d may be NULL: the message is dropped. An error is of
 * the kind FK_FAIL_INPUT. */
void fk_diag_emit(struct fk_diag *d, enum fk_severity severity,
		  const struct fk_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fk_diag_vemit(struct fk_diag *d, enum fk_severity severity,
		   const struct fk_pos *pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* An error of the given kind, with or without a position; returns -1. */
int fk_diag_fail(struct fk_diag *d, enum fk_fail fail, const struct fk_pos *pos,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The first and only problem of a call that stops there: reports an
 * error with no position (the text names the file and where in it) and
 * returns -1, so a library writes `return fk_fail(d, "...")`.
 * fk_fail: the input is wrong; fk_fail_io: reading or writing a file
 * failed (the text names the file and the system's reason);
 * fk_fail_nomem: "out of memory".
 */
int fk_fail(struct fk_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fk_fail_io(struct fk_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fk_fail_nomem(struct fk_diag *d);

/* Shorthands of fk_diag_emit(). */
void fk_diag_error(struct fk_diag *d, const struct fk_pos *pos, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
void fk_diag_warning(struct fk_diag *d, const struct fk_pos *pos,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fk_diag_note(struct fk_diag *d, const struct fk_pos *pos, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/* An emit function that passes each message on to the sink ctx (a
 * struct fk_diag *, or NULL to drop it): a library gives its own
 * counting sink this emit to count what one call reported while its
 * caller's sink still sees it. */
void fk_diag_relay(void *ctx, enum fk_severity severity, enum fk_fail fail,
		   const struct fk_pos *pos, const char *text);

/* "error", "warning", "note". */
const char *fk_diag_severity_name(enum fk_severity severity);

/*
 * The one text form of a message, into buf (always NUL-terminated,
 * cut to len): "FILE:LINE:COL: severity: text", "FILE: severity: text"
 * when the position has no line, "flashkit: severity: text" without a
 * file. Control bytes and bytes that are not valid UTF-8, in the file
 * name and in the text, come out as \xNN. No newline. Returns buf.
 */
char *fk_diag_format(char *buf, size_t len, enum fk_severity severity,
		     const struct fk_pos *pos, const char *text);

/* Appends text to buf (of len, holding a string) with the escaping of
 * fk_diag_format(). Returns buf. */
char *fk_diag_escape(char *buf, size_t len, const char *text);

#endif
