/*
 * Small pieces every part of the layout code uses: diagnostics in the
 * FILE:LINE:COL form, the size/address parser, "did you mean", sector
 * arithmetic on a memory's sector map, and the enum names.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "layout_internal.h"

static void vdiag(FILE *out, const struct fk_pos *pos,
		  const char *severity, const char *fmt, va_list ap)
{
	if (pos && pos->line)
		fprintf(out, "%s:%u:%u: %s: ", pos->file, pos->line, pos->col,
			severity);
	else if (pos && pos->file)
		fprintf(out, "%s: %s: ", pos->file, severity);
	else
		fprintf(out, "flashkit: %s: ", severity);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

void fk_layout_diag(FILE *out, const struct fk_pos *pos,
		    const char *severity, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(out ? out : stderr, pos, severity, fmt, ap);
	va_end(ap);
}

void fk_diag_error(struct fk_diag *d, const struct fk_pos *pos,
		   const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	vdiag(d->out, pos, "error", fmt, ap);
	va_end(ap);
}

void fk_diag_warning(struct fk_diag *d, const struct fk_pos *pos,
		     const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	if (d->no_warnings)
		return;
	va_start(ap, fmt);
	vdiag(d->out, pos, "warning", fmt, ap);
	va_end(ap);
}

void fk_diag_note(struct fk_diag *d, const struct fk_pos *pos,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(d->out, pos, "note", fmt, ap);
	va_end(ap);
}

int fk_layout_parse_u32(const char *text, uint32_t *out, const char **why)
{
	const char *p = text;
	uint64_t v = 0, mult = 1;
	int base = 10, digits = 0;

	while (*p == ' ')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		int dv;

		if (*p == '_' && digits)
			continue;
		if (isdigit((unsigned char)*p))
			dv = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			dv = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		v = v * base + dv;
		digits++;
		if (v > 0xFFFFFFFFull) {
			*why = "is larger than 4G-1 (32-bit addresses)";
			return -1;
		}
	}
	if (!digits) {
		*why = "is not a number (write 128K, 1M, 4096 or 0x08000000)";
		return -1;
	}
	switch (*p) {
	case 'K': case 'k': mult = 1024; p++; break;
	case 'M': case 'm': mult = 1024 * 1024; p++; break;
	case 'G': case 'g': mult = 1024ull * 1024 * 1024; p++; break;
	default: break;
	}
	if (mult > 1 && (!strcmp(p, "B") || !strcmp(p, "iB")))
		p += strlen(p);
	while (*p == ' ')
		p++;
	if (*p) {
		*why = "has trailing characters (sizes are like 128K, 1M, "
		       "4096 or 0x200)";
		return -1;
	}
	if (v * mult > 0xFFFFFFFFull) {
		*why = "is larger than 4G-1 (32-bit addresses)";
		return -1;
	}
	*out = (uint32_t)(v * mult);
	return 0;
}

size_t fk_layout_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) ==
					      tolower((unsigned char)b[j - 1])
					      ? 0 : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *fk_layout_suggest(const char *word, const char *const *candidates,
			      size_t count)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) / 3 + 1;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < count; i++) {
		size_t d = fk_layout_edit_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

const char *fk_layout_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes && bytes % (1024 * 1024) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

void fk_layout_sector_at(const struct fk_layout_memory *mem, uint32_t off,
			 uint32_t *index, uint32_t *start, uint32_t *size)
{
	uint64_t at = 0;
	uint32_t idx = 0;

	for (uint32_t r = 0; r < mem->run_count; r++) {
		uint64_t run_len = (uint64_t)mem->runs[r].count *
				   mem->runs[r].size;

		if (off < at + run_len) {
			uint32_t k = (uint32_t)((off - at) / mem->runs[r].size);

			*index = idx + k;
			*start = (uint32_t)(at + (uint64_t)k * mem->runs[r].size);
			*size = mem->runs[r].size;
			return;
		}
		at += run_len;
		idx += mem->runs[r].count;
	}
	*index = idx;
	*start = (uint32_t)at;
	*size = 0;
}

bool fk_layout_is_boundary(const struct fk_layout_memory *mem, uint32_t off)
{
	uint32_t index, start, size;

	if (mem->kind == FK_MEM_RAM)
		return true;
	if (off >= mem->size)
		return off == mem->size;
	fk_layout_sector_at(mem, off, &index, &start, &size);
	return start == off;
}

const char *fk_layout_role_name(enum fk_layout_role role)
{
	static const char *const names[] = {
		[FK_ROLE_RAW] = "raw",
		[FK_ROLE_BOOTLOADER] = "bootloader",
		[FK_ROLE_SLOT] = "slot",
		[FK_ROLE_BOOT_STATE] = "boot-state",
		[FK_ROLE_FACTORY] = "factory",
		[FK_ROLE_CONFIG] = "config",
		[FK_ROLE_DEVINFO] = "devinfo",
		[FK_ROLE_STORAGE] = "storage",
		[FK_ROLE_MODULE] = "module",
		[FK_ROLE_RAM] = "ram",
	};
	return (unsigned)role < sizeof(names) / sizeof(names[0]) ? names[role]
								 : "?";
}

const char *fk_layout_kind_name(enum fk_layout_mem_kind kind)
{
	switch (kind) {
	case FK_MEM_FLASH: return "flash";
	case FK_MEM_RAM: return "ram";
	case FK_MEM_EXTERNAL: return "external";
	}
	return "?";
}

const char *fk_layout_strategy_name(enum fk_layout_strategy strategy)
{
	switch (strategy) {
	case FK_STRATEGY_OVERWRITE: return "overwrite";
	case FK_STRATEGY_SWAP: return "swap";
	case FK_STRATEGY_XIP: return "xip";
	}
	return "?";
}

const char *fk_layout_protect_name(enum fk_layout_protect protect)
{
	switch (protect) {
	case FK_PROTECT_NONE: return "none";
	case FK_PROTECT_WRITE: return "write";
	case FK_PROTECT_SECURE: return "secure";
	}
	return "?";
}
