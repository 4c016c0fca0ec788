/*
 * One device's record from the template and its counter value, and the
 * manifest line that says what the device got. The manifest line is read
 * back from the finished record with the device-side reader, never from
 * the values used to build it, so the manifest and the files cannot
 * disagree (and a manifest can be rebuilt from the files after a crash).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "flashkit/crc.h"
#include "flashkit/devinfo.h"
#include "formats/files.h"
#include "provision.h"

int fk_template_serial(const struct fk_template *t, uint64_t n, char *out,
		       size_t cap, struct fk_diag *err)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct fk_tfield *f = &t->fields[i];
		int len;

		if (f->type != FK_TFIELD_SERIAL)
			continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		len = snprintf(out, cap, f->format, (unsigned long long)n);
#pragma GCC diagnostic pop
		if (len <= 0 || (size_t)len >= cap || strchr(out, '/') ||
		    out[0] == '.' || strchr(out, ','))
			return fk_fail(err,
				       "%s:%u: serial '%s' for "
				       "counter %llu cannot name a file "
				       "(empty, too long, '/', ',' or a "
				       "leading '.')",
				       t->path, f->line, out,
				       (unsigned long long)n);
		return 0;
	}
	return fk_fail(err, "%s: the template has no serial field", t->path);
}

static int fill_random(uint8_t *p, uint32_t n, struct fk_diag *err)
{
	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return fk_fail(err, "getrandom failed: %s",
				       strerror(errno));
		p += got;
		n -= (uint32_t)got;
	}
	return 0;
}

/* path with {serial} and {n} replaced, relative to the template. */
static char *device_path(const struct fk_template *t, const char *path,
			 const char *serial, uint64_t n)
{
	char num[24], *out;
	size_t cap =
		strlen(t->dir) + strlen(path) * 8 + strlen(serial) * 8 + 64;
	size_t o = 0;

	out = malloc(cap);
	if (!out)
		return NULL;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
	if (path[0] != '/')
		o += (size_t)snprintf(out, cap, "%s", t->dir);
	for (const char *p = path; *p && o + 32 < cap;) {
		if (!strncmp(p, "{serial}", 8)) {
			o += (size_t)snprintf(out + o, cap - o, "%s", serial);
			p += 8;
		} else if (!strncmp(p, "{n}", 3)) {
			o += (size_t)snprintf(out + o, cap - o, "%s", num);
			p += 3;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return out;
}

static int mac_used_up(const struct fk_template *t, const struct fk_tfield *f,
		       uint64_t n, struct fk_diag *err)
{
	return fk_fail(err,
		       "%s:%u: MAC range of '%s' is used up at "
		       "counter %llu; give the template a new range",
		       t->path, f->line, f->name, (unsigned long long)n);
}

static int add_field(const struct fk_template *t, const struct fk_tfield *f,
		     uint64_t start, uint64_t n, struct fk_devinfo_builder *b,
		     const char *serial, struct fk_diag *err)
{
	uint8_t tmp[1024];
	int rc = 0;

	switch (f->type) {
	case FK_TFIELD_SERIAL:
		rc = fk_devinfo_add(b, f->id, serial, (uint32_t)strlen(serial));
		break;
	case FK_TFIELD_MAC: {
		uint64_t mac = f->mac_first + (n - start);

		if (n - start > f->mac_last - f->mac_first)
			return mac_used_up(t, f, n, err);
		for (int i = 0; i < 6; i++)
			tmp[i] = (uint8_t)(mac >> (8 * (5 - i)));
		rc = fk_devinfo_add(b, f->id, tmp, 6);
		break;
	}
	case FK_TFIELD_RANDOM:
		if (fill_random(tmp, f->size, err))
			return -1;
		rc = fk_devinfo_add(b, f->id, tmp, f->size);
		break;
	case FK_TFIELD_TEXT:
	case FK_TFIELD_HEX:
		rc = fk_devinfo_add(b, f->id, f->value, f->len);
		break;
	case FK_TFIELD_FILE: {
		char *path;
		uint8_t *data;
		size_t len;

		if (!f->per_device) {
			rc = fk_devinfo_add(b, f->id, f->value, f->len);
			break;
		}
		path = device_path(t, f->path, serial, n);
		if (!path || fk_file_read(path, fk_input_cap(FK_INPUT_CAP_TEXT),
					  &data, &len, err)) {
			if (!path)
				fk_fail(err, "out of memory");
			free(path);
			return -1;
		}
		rc = len > FK_DEVINFO_MAX_BODY ?
			     FK_ENOSPC :
			     fk_devinfo_add(b, f->id, data, (uint32_t)len);
		free(data);
		free(path);
		break;
	}
	}
	if (rc)
		return fk_fail(err,
			       "%s:%u: field '%s' does not fit the "
			       "record (%s): the devinfo partition or the "
			       "64 KiB TLV limit is too small",
			       t->path, f->line, f->name, fk_strerror(rc));
	return 0;
}

int fk_device_check_inputs(const struct fk_template *t, uint64_t start,
			   uint64_t n, const char *serial, struct fk_diag *err)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct fk_tfield *f = &t->fields[i];

		if (f->type == FK_TFIELD_MAC &&
		    n - start > f->mac_last - f->mac_first)
			return mac_used_up(t, f, n, err);
		if (f->type == FK_TFIELD_FILE && f->per_device) {
			char *path = device_path(t, f->path, serial, n);
			int ok = path && access(path, R_OK) == 0;

			if (!ok)
				fk_fail(err,
					"%s:%u: '%s' of device %s "
					"cannot be read: %s",
					t->path, f->line, path ? path : f->path,
					serial, strerror(errno));
			free(path);
			if (!ok)
				return -1;
		}
	}
	return 0;
}

int fk_device_build(const struct fk_template *t, uint64_t start, uint64_t n,
		    uint8_t *buf, uint32_t cap, struct fk_device_rec *out,
		    struct fk_diag *err)
{
	struct fk_devinfo_builder b;

	out->counter = n;
	if (fk_template_serial(t, n, out->serial, sizeof(out->serial), err))
		return -1;
	fk_devinfo_begin(&b, buf, cap);
	for (size_t i = 0; i < t->nfields; i++)
		if (add_field(t, &t->fields[i], start, n, &b, out->serial, err))
			return -1;
	if (fk_devinfo_finish(&b, &out->record_len))
		return fk_fail(err,
			       "%s: the record does not fit the %u "
			       "bytes of the devinfo partition",
			       t->path, cap);
	out->record = buf;
	return 0;
}

struct csv {
	char *p;
	size_t len, cap;
};

static int csv_put(struct csv *o, const char *s, size_t n)
{
	if (o->len + n + 2 > o->cap) {
		size_t cap = (o->cap + n + 2) * 2;
		char *p = realloc(o->p, cap);

		if (!p)
			return -1;
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	return 0;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static int csv_field(struct csv *o, const uint8_t *s, size_t n, bool first)
{
	bool quote = false;

	for (size_t i = 0; i < n; i++)
		quote |= s[i] == ',' || s[i] == '"' || s[i] == '\n' ||
			 s[i] == '\r';
	if ((!first && csv_put(o, ",", 1)) || (quote && csv_put(o, "\"", 1)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' && csv_put(o, "\"", 1))
			return -1;
		if (csv_put(o, (const char *)s + i, 1))
			return -1;
	}
	return quote ? csv_put(o, "\"", 1) : 0;
}

static int csv_hex(struct csv *o, const uint8_t *v, uint32_t n, const char *sep)
{
	char two[4];

	if (csv_put(o, ",", 1))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		snprintf(two, sizeof(two), "%02x", v[i]);
		if ((i && sep && csv_put(o, sep, 1)) || csv_put(o, two, 2))
			return -1;
	}
	return 0;
}

char *fk_manifest_header(const struct fk_template *t)
{
	struct csv o = { 0 };

	csv_put(&o, "counter,serial", 14);
	for (size_t i = 0; i < t->nfields; i++)
		if (t->fields[i].type != FK_TFIELD_SERIAL)
			csv_field(&o, (const uint8_t *)t->fields[i].name,
				  strlen(t->fields[i].name), false);
	csv_put(&o, ",file\n", 6);
	return o.p;
}

int fk_manifest_row(const struct fk_template *t, uint64_t counter,
		    const uint8_t *record, uint32_t len, const char *file,
		    char **line)
{
	struct csv o = { 0 };
	char num[24];
	static uint8_t v[FK_DEVINFO_MAX_BODY];
	uint32_t vlen;
	const struct fk_tfield *serial = NULL;

	for (size_t i = 0; i < t->nfields; i++)
		if (t->fields[i].type == FK_TFIELD_SERIAL)
			serial = &t->fields[i];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)counter);
	if (!serial || csv_put(&o, num, strlen(num)) ||
	    fk_devinfo_get_mem(record, len, serial->id, v, sizeof(v), &vlen) ||
	    csv_field(&o, v, vlen, false))
		goto fail;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct fk_tfield *f = &t->fields[i];
		int rc;

		if (f->type == FK_TFIELD_SERIAL)
			continue;
		if (fk_devinfo_get_mem(record, len, f->id, v, sizeof(v), &vlen))
			goto fail;
		if (f->type == FK_TFIELD_TEXT)
			rc = csv_field(&o, v, vlen, false);
		else if (f->type == FK_TFIELD_MAC)
			rc = csv_hex(&o, v, vlen, ":");
		else if (f->type == FK_TFIELD_FILE) {
			char crc[40];

			snprintf(crc, sizeof(crc), ",crc32:%08x/%u",
				 fk_crc32(0, v, vlen), vlen);
			rc = csv_put(&o, crc, strlen(crc));
		} else
			rc = csv_hex(&o, v, vlen, NULL);
		if (rc)
			goto fail;
	}
	if (csv_field(&o, (const uint8_t *)file, strlen(file), false) ||
	    csv_put(&o, "\n", 1))
		goto fail;
	*line = o.p;
	return 0;
fail:
	free(o.p);
	return -1;
}
