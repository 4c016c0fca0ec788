/*
 * The diagnostics sink (diag.h): counting, the kinds of failure, and the
 * one text form of a message with the escaping that keeps a user's bytes
 * from driving the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "diag/diag.h"

const char *fk_diag_severity_name(enum fk_severity severity)
{
	switch (severity) {
	case FK_DIAG_ERROR:
		return "error";
	case FK_DIAG_WARNING:
		return "warning";
	case FK_DIAG_NOTE:
		return "note";
	}
	return "?";
}

/* Length of the valid UTF-8 sequence at s (1..4) that is printable, or 0
 * when the bytes there must be escaped (C1 controls included). */
static size_t utf8_printable(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

char *fk_diag_escape(char *buf, size_t len, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t used = strlen(buf);

	while (*s) {
		size_t n = utf8_printable(s);
		char esc[5];
		const char *piece = (const char *)s;

		if (n == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[0]);
			piece = esc;
			n = 1;
		}
		if (piece == esc) {
			if (used + 4 >= len)
				break;
			memcpy(buf + used, esc, 4);
			used += 4;
		} else {
			if (used + n >= len)
				break;
			memcpy(buf + used, piece, n);
			used += n;
		}
		s += n;
	}
	buf[used] = '\0';
	return buf;
}

char *fk_diag_format(char *buf, size_t len, enum fk_severity severity,
		     const struct fk_pos *pos, const char *text)
{
	char tail[48];

	if (!len)
		return buf;
	buf[0] = '\0';
	fk_diag_escape(buf, len, pos && pos->file ? pos->file : "flashkit");
	if (pos && pos->file && pos->line)
		snprintf(tail, sizeof(tail), ":%u:%u: %s: ", pos->line,
			 pos->col, fk_diag_severity_name(severity));
	else
		snprintf(tail, sizeof(tail),
			 ": %s: ", fk_diag_severity_name(severity));
	fk_diag_escape(buf, len, tail);
	return fk_diag_escape(buf, len, text);
}

/* Counts and hands on one message; fail is FK_FAIL_NONE unless an
 * error. */
static void vemit(struct fk_diag *d, enum fk_severity severity,
		  enum fk_fail fail, const struct fk_pos *pos, const char *fmt,
		  va_list ap)
{
	char text[FK_DIAG_MSG_MAX];

	if (!d)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	switch (severity) {
	case FK_DIAG_ERROR:
		d->errors++;
		if (fail > d->fail)
			d->fail = fail;
		snprintf(d->last_text, sizeof(d->last_text), "%s", text);
		fk_diag_format(d->last_error, sizeof(d->last_error), severity,
			       pos, text);
		break;
	case FK_DIAG_WARNING:
		d->warnings++;
		if (d->no_warnings)
			return;
		break;
	case FK_DIAG_NOTE:
		d->notes++;
		break;
	}
	if (d->emit)
		d->emit(d->ctx, severity, fail, pos, text);
}

void fk_diag_vemit(struct fk_diag *d, enum fk_severity severity,
		   const struct fk_pos *pos, const char *fmt, va_list ap)
{
	vemit(d, severity,
	      severity == FK_DIAG_ERROR ? FK_FAIL_INPUT : FK_FAIL_NONE, pos,
	      fmt, ap);
}

void fk_diag_emit(struct fk_diag *d, enum fk_severity severity,
		  const struct fk_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fk_diag_vemit(d, severity, pos, fmt, ap);
	va_end(ap);
}

int fk_diag_fail(struct fk_diag *d, enum fk_fail fail, const struct fk_pos *pos,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(d, FK_DIAG_ERROR, fail, pos, fmt, ap);
	va_end(ap);
	return -1;
}

#define FK_FAIL_SHORTHAND(name, fail)                         \
	int name(struct fk_diag *d, const char *fmt, ...)     \
	{                                                     \
		va_list ap;                                   \
                                                              \
		va_start(ap, fmt);                            \
		vemit(d, FK_DIAG_ERROR, fail, NULL, fmt, ap); \
		va_end(ap);                                   \
		return -1;                                    \
	}
FK_FAIL_SHORTHAND(fk_fail, FK_FAIL_INPUT)
FK_FAIL_SHORTHAND(fk_fail_io, FK_FAIL_IO)

int fk_fail_nomem(struct fk_diag *d)
{
	fk_diag_fail(d, FK_FAIL_NOMEM, NULL, "out of memory");
	return -1;
}

void fk_diag_relay(void *ctx, enum fk_severity severity, enum fk_fail fail,
		   const struct fk_pos *pos, const char *text)
{
	if (severity == FK_DIAG_ERROR)
		fk_diag_fail(ctx, fail, pos, "%s", text);
	else
		fk_diag_emit(ctx, severity, pos, "%s", text);
}

#define FK_DIAG_SHORTHAND(name, severity)                      \
	void name(struct fk_diag *d, const struct fk_pos *pos, \
		  const char *fmt, ...)                        \
	{                                                      \
		va_list ap;                                    \
                                                               \
		va_start(ap, fmt);                             \
		fk_diag_vemit(d, severity, pos, fmt, ap);      \
		va_end(ap);                                    \
	}
FK_DIAG_SHORTHAND(fk_diag_error, FK_DIAG_ERROR)
FK_DIAG_SHORTHAND(fk_diag_warning, FK_DIAG_WARNING)
FK_DIAG_SHORTHAND(fk_diag_note, FK_DIAG_NOTE)
