/*
 * The number grammar (number.h): digits, separators, the base, the
 * size suffix, and the range.
 */
#include <string.h>

#include "common/number.h"

static int digit_value(char c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

/* The multiplier of a size suffix at *p (advanced past it), 1 if none. */
static uint64_t size_suffix(const char **p)
{
	uint64_t mult;

	switch (**p) {
	case 'K':
	case 'k':
		mult = 1ull << 10;
		break;
	case 'M':
	case 'm':
		mult = 1ull << 20;
		break;
	case 'G':
	case 'g':
		mult = 1ull << 30;
		break;
	default:
		return 1;
	}
	(*p)++;
	if (!strncmp(*p, "iB", 2))
		*p += 2;
	else if (**p == 'B')
		(*p)++;
	return mult;
}

/* The digits at *p; -1 with *why on a bad digit run or overflow. */
static int digits(const char **p, int base, uint64_t *v, const char **why)
{
	const char *s = *p;
	int n = 0;

	*v = 0;
	for (;; s++) {
		int dv;

		if (*s == '_' && n && digit_value(s[1], base) >= 0)
			continue;
		dv = digit_value(*s, base);
		if (dv < 0)
			break;
		if (*v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base) {
			*why = "is too large";
			return -2;
		}
		*v = *v * (uint64_t)base + (uint64_t)dv;
		n++;
	}
	if (!n) {
		*why = "is not a number (write 4096 or 0x1000)";
		return -1;
	}
	*p = s;
	return 0;
}

int fk_number_parse(const char *text, unsigned flags, uint64_t max,
		    uint64_t *out, const char **why)
{
	const char *p = text ? text : "";
	uint64_t v, mult = 1;
	int base = 10, rc;

	while (*p == ' ')
		p++;
	if (*p == '-') {
		*why = "is negative (numbers here are 0 or more)";
		return -1;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') {
		*why = "has a leading zero, which other tools read as octal: "
		       "write it without the zero (decimal) or with 0x (hex)";
		return -1;
	}
	rc = digits(&p, base, &v, why);
	if (rc)
		return rc;
	if (flags & FK_NUM_SIZE)
		mult = size_suffix(&p);
	while (*p == ' ')
		p++;
	if (*p) {
		*why = flags & FK_NUM_SIZE ?
			       "has trailing characters (write 4096, 0x1000, "
			       "128K "
			       "or 1M)" :
			       "has trailing characters (write 4096 or 0x1000)";
		return -1;
	}
	if (v > max / mult) {
		*why = "is too large";
		return -2;
	}
	*out = v * mult;
	return 0;
}
