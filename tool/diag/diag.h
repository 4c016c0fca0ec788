/*
 * Diagnostics of the host libraries: where a problem is (struct fk_pos),
 * how bad it is, and the sink that receives it.
 *
 * The libraries never print. They hand each message to the caller's sink
 * (struct fk_diag); the CLI's sink prints it to stderr, a test's sink
 * keeps it, and with no callback at all the sink only counts and keeps
 * the last error for the caller. fk_diag_format() is the one place that
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

/* Longest message kept or formatted; longer ones are cut. */
#define FK_DIAG_MSG_MAX 1024

struct fk_diag;

/* Receives one message: text is the message alone (not escaped, no
 * position, no newline); pos may be NULL. */
typedef void (*fk_diag_emit_fn)(void *ctx, enum fk_severity severity,
				const struct fk_pos *pos, const char *text);

struct fk_diag {
	fk_diag_emit_fn emit; /* NULL: count only, keep the last error */
	void *ctx;	      /* passed to emit */
	bool no_warnings;     /* count warnings but do not emit them */
	uint32_t errors;      /* messages seen, by severity */
	uint32_t warnings;
	uint32_t notes;
	/* The last error, formatted by fk_diag_format(); "" when none. */
	char last_error[FK_DIAG_MSG_MAX];
};

/*
 * The sink a library uses when its caller gave none: the CLI installs
 * its printing sink here at start-up; a program that installs nothing
 * gets a sink that counts. Never NULL.
 */
struct fk_diag *fk_diag_default(void);
void fk_diag_set_default(struct fk_diag *sink);

/* Counts the message, then hands it to the sink (warnings only unless
 * no_warnings). d may be NULL: the default sink. */
void fk_diag_emit(struct fk_diag *d, enum fk_severity severity,
		  const struct fk_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fk_diag_vemit(struct fk_diag *d, enum fk_severity severity,
		   const struct fk_pos *pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Shorthands of fk_diag_emit(). */
void fk_diag_error(struct fk_diag *d, const struct fk_pos *pos, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
void fk_diag_warning(struct fk_diag *d, const struct fk_pos *pos,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fk_diag_note(struct fk_diag *d, const struct fk_pos *pos, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/* An emit function that passes each message on to the sink ctx (a
 * struct fk_diag *): a library gives its own counting sink this emit to
 * count what one call reported while its caller's sink still sees it. */
void fk_diag_relay(void *ctx, enum fk_severity severity,
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
