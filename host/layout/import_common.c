/*
 * The layout text the importers write: notes first (as comments, also
 * sent to the sink), then the memories with their partitions, one
 * partition per line in the flow style of the examples.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/error.h"
#include "layout/import_internal.h"
#include "layout/layout_internal.h"

int fk_import_begin(struct fk_import_out *o, struct fk_diag *d)
{
	memset(o, 0, sizeof(*o));
	o->d = d;
	o->notes = open_memstream(&o->notes_buf, &o->notes_len);
	o->body = open_memstream(&o->body_buf, &o->body_len);
	if (!o->notes || !o->body) {
		fk_import_abort(o);
		return FK_ENOSPC;
	}
	return 0;
}

void fk_import_note(struct fk_import_out *o, const struct fk_pos *pos,
		    const char *fmt, ...)
{
	char text[FK_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fk_diag_note(o->d, pos, "%s", text);
	if (pos && pos->line)
		fprintf(o->notes, "#   - line %u: %s\n", pos->line, text);
	else
		fprintf(o->notes, "#   - %s\n", text);
}

void fk_import_memory(struct fk_import_out *o, const char *name,
		      const char *kind, bool has_base, uint32_t base,
		      uint32_t size, uint32_t sector, uint32_t write_unit,
		      const char *comment)
{
	char s[32];

	fprintf(o->body, "\n  %s:%s%s\n    kind: %s\n", name,
		comment ? "  # " : "", comment ? comment : "", kind);
	if (has_base)
		fprintf(o->body, "    base: 0x%08X\n", base);
	if (!sector) {
		fprintf(o->body, "    size: %s\n",
			fk_layout_fmt_size(s, sizeof(s), size));
	} else {
		fprintf(o->body, "    sectors: %ux%s\n", size / sector,
			fk_layout_fmt_size(s, sizeof(s), sector));
		fprintf(o->body, "    write-unit: %u\n", write_unit);
	}
	fprintf(o->body, "    partitions:\n");
}

void fk_import_partition(struct fk_import_out *o,
			 const struct fk_import_part *p)
{
	fprintf(o->body, "      %s: { offset: 0x%X, size: 0x%X", p->name,
		p->offset, p->size);
	if (p->role)
		fprintf(o->body, ", role: %s", p->role);
	if (p->protect)
		fprintf(o->body, ", protect: write");
	if (p->esp)
		fprintf(o->body, ", esp-idf: \"%s\"", p->esp);
	fprintf(o->body, " }\n");
}

void fk_import_abort(struct fk_import_out *o)
{
	if (o->notes)
		fclose(o->notes);
	if (o->body)
		fclose(o->body);
	free(o->notes_buf);
	free(o->body_buf);
	memset(o, 0, sizeof(*o));
}

int fk_import_finish(struct fk_import_out *o, const char *header,
		     const char *title, char **yaml, size_t *yaml_len)
{
	bool failed;
	size_t hlen = strlen(header);
	char *out;

	fprintf(o->notes, "\nname: %s\n\nmemories:", title);
	failed = ferror(o->notes) || ferror(o->body);

	failed |= fclose(o->notes) != 0;
	failed |= fclose(o->body) != 0;
	o->notes = o->body = NULL;
	out = failed ? NULL : malloc(hlen + o->notes_len + o->body_len + 1);
	if (!out) {
		fk_import_abort(o);
		return FK_ENOSPC;
	}
	memcpy(out, header, hlen);
	memcpy(out + hlen, o->notes_buf, o->notes_len);
	memcpy(out + hlen + o->notes_len, o->body_buf, o->body_len);
	*yaml_len = hlen + o->notes_len + o->body_len;
	out[*yaml_len] = '\0';
	*yaml = out;
	fk_import_abort(o);
	return 0;
}

bool fk_import_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 48 || !isalpha((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

bool fk_import_same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = *a == '-' ? '_' : tolower((unsigned char)*a);
		int cb = *b == '-' ? '_' : tolower((unsigned char)*b);

		if (ca != cb)
			return false;
		if (!ca)
			return true;
	}
}
