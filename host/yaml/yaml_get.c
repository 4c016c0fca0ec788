/*
 * The schema side of the YAML reader (yaml_reader.h): lookups, the key
 * checks with "did you mean", and the typed getters, each reporting a
 * wrong value at its position and saying what to write instead.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/number.h"
#include "yaml/yaml_reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *fk_yaml_text(const struct fk_ynode *n)
{
	return n && n->type == FK_YAML_SCALAR ? n->text : NULL;
}

bool fk_yaml_key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '_' ? '-' : *a, cb = *b == '_' ? '-' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

const struct fk_ynode *fk_yaml_get(const struct fk_ynode *map, const char *key)
{
	if (!map || map->type != FK_YAML_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++) {
		const char *k = fk_yaml_text(fk_yaml_key(map, i));

		if (k && fk_yaml_key_eq(k, key))
			return fk_yaml_value(map, i);
	}
	return NULL;
}

const char *fk_yaml_type_name(const struct fk_ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case FK_YAML_MAP:
		return "a mapping";
	case FK_YAML_LIST:
		return "a list";
	case FK_YAML_SCALAR:
		return n->len ? "a value" : "empty";
	}
	return "nothing";
}

bool fk_yaml_expect(struct fk_yaml *y, const struct fk_ynode *n,
		    enum fk_ynode_type type, const char *what)
{
	static const char *const want[] = {
		[FK_YAML_SCALAR] = "a single value",
		[FK_YAML_LIST] = "a list",
		[FK_YAML_MAP] = "a mapping of 'key: value' lines",
	};

	if (n && n->type == type && !(type == FK_YAML_SCALAR && !n->len))
		return true;
	fk_diag_error(y->diag, n ? &n->pos : NULL, "%s must be %s, not %s",
		      what, want[type], fk_yaml_type_name(n));
	return false;
}

static size_t edit_distance(const char *a, const char *b)
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
			size_t cost =
				tolower((unsigned char)a[i - 1]) ==
						tolower((unsigned char)
								b[j - 1]) ?
					0 :
					1;
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

const char *fk_yaml_suggest(const char *word, const char *const *candidates,
			    size_t count)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) / 3 + 1;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < count; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

size_t fk_yaml_check_unique(struct fk_yaml *y, const struct fk_ynode *map,
			    const char *what)
{
	size_t reported = 0;

	for (size_t i = 0; map && map->type == FK_YAML_MAP && i < map->count;
	     i++) {
		const struct fk_ynode *k = fk_yaml_key(map, i);

		for (size_t j = 0; fk_yaml_text(k) && j < i; j++) {
			const struct fk_ynode *first = fk_yaml_key(map, j);

			if (!fk_yaml_text(first) ||
			    !fk_yaml_key_eq(first->text, k->text))
				continue;
			fk_diag_error(y->diag, &k->pos,
				      "'%s' is given twice "
				      "in %s (first at line %u); keep one",
				      k->text, what, first->pos.line);
			reported++;
			break;
		}
	}
	return reported;
}

static void unknown_key(struct fk_yaml *y, const struct fk_ynode *k,
			const char *const *known, size_t count,
			const char *what)
{
	const char *hint = fk_yaml_suggest(k->text, known, count);

	if (hint)
		fk_diag_error(y->diag, &k->pos,
			      "unknown key '%s' in %s; did "
			      "you mean '%s'?",
			      k->text, what, hint);
	else
		fk_diag_error(y->diag, &k->pos,
			      "unknown key '%s' in %s (see "
			      "the documentation for the keys allowed here)",
			      k->text, what);
}

size_t fk_yaml_check_keys(struct fk_yaml *y, const struct fk_ynode *map,
			  const char *const *known, size_t count,
			  const char *what)
{
	size_t reported = 0;

	for (size_t i = 0; map && map->type == FK_YAML_MAP && i < map->count;
	     i++) {
		const struct fk_ynode *k = fk_yaml_key(map, i);
		bool found = false;

		if (!fk_yaml_text(k)) {
			fk_diag_error(y->diag, &k->pos,
				      "keys of %s must be "
				      "plain words, not %s",
				      what, fk_yaml_type_name(k));
			reported++;
			continue;
		}
		for (size_t j = 0; j < count; j++)
			found |= fk_yaml_key_eq(k->text, known[j]);
		if (!found) {
			unknown_key(y, k, known, count, what);
			reported++;
		}
	}
	return reported + fk_yaml_check_unique(y, map, what);
}

/* "65535", or "4G-1" for large powers of two less one. */
static const char *limit_text(char *buf, size_t len, uint64_t max)
{
	static const char units[] = "KMGTPE";
	uint64_t v = max + 1;
	int u = -1;

	while (v >= 1024 && !(v % 1024) && u < 5) {
		v /= 1024;
		u++;
	}
	/* max + 1 a power of two from 1M on (64M-1) reads better; anything
	 * else, UINT64_MAX included (max + 1 wraps to 0), in decimal */
	if (max < (1u << 20) || u < 0 || (v & (v - 1)))
		snprintf(buf, len, "%llu", (unsigned long long)max);
	else
		snprintf(buf, len, "%llu%c-1", (unsigned long long)v, units[u]);
	return buf;
}

int fk_yaml_number(struct fk_yaml *y, const struct fk_ynode *n,
		   const char *label, unsigned flags, uint64_t max,
		   uint64_t *out)
{
	char lim[32];
	const char *why;
	int rc;

	if (!fk_yaml_expect(y, n, FK_YAML_SCALAR, label))
		return -1;
	rc = fk_number_parse(n->text, flags, max, out, &why);
	if (rc == -2)
		fk_diag_error(y->diag, &n->pos, "%s: '%s' is larger than %s",
			      label, n->text,
			      limit_text(lim, sizeof(lim), max));
	else if (rc)
		fk_diag_error(y->diag, &n->pos, "%s: '%s' %s", label, n->text,
			      why);
	return rc ? -1 : 0;
}

/* The value of key, or NULL; label receives "'KEY' of WHAT". */
static const struct fk_ynode *lookup(const struct fk_ynode *map,
				     const char *key, const char *what,
				     char *label, size_t len)
{
	snprintf(label, len, "'%s' of %s", key, what);
	return fk_yaml_get(map, key);
}

int fk_yaml_get_number(struct fk_yaml *y, const struct fk_ynode *map,
		       const char *key, const char *what, unsigned flags,
		       uint64_t max, uint64_t *out, struct fk_pos *at)
{
	char label[160];
	const struct fk_ynode *n = lookup(map, key, what, label, sizeof(label));

	if (!n)
		return 0;
	if (at)
		*at = n->pos;
	return fk_yaml_number(y, n, label, flags, max, out) ? -1 : 1;
}

int fk_yaml_get_u32(struct fk_yaml *y, const struct fk_ynode *map,
		    const char *key, const char *what, unsigned flags,
		    uint32_t *out, struct fk_pos *at)
{
	uint64_t v;
	int rc = fk_yaml_get_number(y, map, key, what, flags, UINT32_MAX, &v,
				    at);

	if (rc == 1)
		*out = (uint32_t)v;
	return rc;
}

int fk_yaml_get_bool(struct fk_yaml *y, const struct fk_ynode *map,
		     const char *key, const char *what, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char label[160];
	const struct fk_ynode *n = lookup(map, key, what, label, sizeof(label));

	if (!n)
		return 0;
	if (!fk_yaml_expect(y, n, FK_YAML_SCALAR, label))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(n->text, yes[i]) || !strcmp(n->text, no[i])) {
			*out = !strcmp(n->text, yes[i]);
			return 1;
		}
	}
	fk_diag_error(y->diag, &n->pos, "%s must be true or false, not '%s'",
		      label, n->text);
	return -1;
}

int fk_yaml_get_enum(struct fk_yaml *y, const struct fk_ynode *map,
		     const char *key, const char *what,
		     const char *const *names, size_t count, int *out)
{
	char label[160], list[256];
	const struct fk_ynode *n = lookup(map, key, what, label, sizeof(label));
	const char *hint;
	size_t used = 0;

	if (!n)
		return 0;
	if (!fk_yaml_expect(y, n, FK_YAML_SCALAR, label))
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (fk_yaml_key_eq(n->text, names[i])) {
			*out = (int)i;
			return 1;
		}
	}
	list[0] = 0;
	for (size_t i = 0; i < count && used < sizeof(list); i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", names[i]);
	hint = fk_yaml_suggest(n->text, names, count);
	if (hint)
		fk_diag_error(y->diag, &n->pos,
			      "%s: unknown value '%s'; did "
			      "you mean '%s'? (one of: %s)",
			      label, n->text, hint, list);
	else
		fk_diag_error(y->diag, &n->pos,
			      "%s: unknown value '%s' (one "
			      "of: %s)",
			      label, n->text, list);
	return -1;
}

/* A value of the given type under key. */
static int get_typed(struct fk_yaml *y, const struct fk_ynode *map,
		     const char *key, const char *what, enum fk_ynode_type type,
		     const struct fk_ynode **out)
{
	char label[160];
	const struct fk_ynode *n = lookup(map, key, what, label, sizeof(label));

	if (!n)
		return 0;
	if (!fk_yaml_expect(y, n, type, label))
		return -1;
	*out = n;
	return 1;
}

int fk_yaml_get_string(struct fk_yaml *y, const struct fk_ynode *map,
		       const char *key, const char *what, const char **out)
{
	const struct fk_ynode *n;
	int rc = get_typed(y, map, key, what, FK_YAML_SCALAR, &n);

	if (rc == 1)
		*out = n->text;
	return rc;
}
