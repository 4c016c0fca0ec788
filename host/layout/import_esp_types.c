/*
 * ESP-IDF's partition kinds (types, subtypes, flags) by name and by
 * number, and its number grammar, as its partition tool reads them
 * (gen_esp32part.py, ESP-IDF v5): one table for the CSV import, the
 * layout's `esp-idf` key and the CSV export.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "layout/import.h"

struct esp_name {
	uint8_t type; /* for subtypes; 0xff for types */
	uint8_t value;
	const char *name;
};

static const struct esp_name esp_types[] = {
	{ 0xff, FK_ESP_TYPE_APP, "app" },
	{ 0xff, FK_ESP_TYPE_DATA, "data" },
	{ 0xff, FK_ESP_TYPE_BOOTLOADER, "bootloader" },
	{ 0xff, FK_ESP_TYPE_PARTITION_TABLE, "partition_table" },
};

/* ota_0..ota_15 (0x10..0x1f) are computed, not listed. */
static const struct esp_name esp_subtypes[] = {
	{ FK_ESP_TYPE_APP, 0x00, "factory" },
	{ FK_ESP_TYPE_APP, 0x20, "test" },
	{ FK_ESP_TYPE_APP, 0x30, "tee_0" },
	{ FK_ESP_TYPE_APP, 0x31, "tee_1" },
	{ FK_ESP_TYPE_DATA, 0x00, "ota" },
	{ FK_ESP_TYPE_DATA, 0x01, "phy" },
	{ FK_ESP_TYPE_DATA, 0x02, "nvs" },
	{ FK_ESP_TYPE_DATA, 0x03, "coredump" },
	{ FK_ESP_TYPE_DATA, 0x04, "nvs_keys" },
	{ FK_ESP_TYPE_DATA, 0x05, "efuse" },
	{ FK_ESP_TYPE_DATA, 0x06, "undefined" },
	{ FK_ESP_TYPE_DATA, 0x80, "esphttpd" },
	{ FK_ESP_TYPE_DATA, 0x81, "fat" },
	{ FK_ESP_TYPE_DATA, 0x82, "spiffs" },
	{ FK_ESP_TYPE_DATA, 0x83, "littlefs" },
	{ FK_ESP_TYPE_DATA, 0x90, "tee_ota" },
	{ FK_ESP_TYPE_DATA, 0x91, "tee_sec_stg" },
	{ FK_ESP_TYPE_BOOTLOADER, 0x00, "primary" },
	{ FK_ESP_TYPE_BOOTLOADER, 0x01, "ota" },
	{ FK_ESP_TYPE_BOOTLOADER, 0x02, "recovery" },
	{ FK_ESP_TYPE_PARTITION_TABLE, 0x00, "primary" },
	{ FK_ESP_TYPE_PARTITION_TABLE, 0x01, "ota" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ESP_SUBTYPE_OTA_MIN 0x10
#define ESP_SUBTYPE_OTA_COUNT 16

/* Python's int(text, 0) on digits only: no sign, no suffix. */
static int python_int(const char *s, uint64_t *out, const char **why)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool digit_before = false;
	const char *start;

	if (s[0] == '0' && s[1] && strchr("xXoObB", s[1])) {
		base = strchr("xX", s[1]) ? 16 : strchr("oO", s[1]) ? 8 : 2;
		s += 2;
		if (*s == '_')
			s++;
	}
	start = s;
	for (; *s; s++) {
		int d;

		if (*s == '_' && digit_before && s[1] && s[1] != '_') {
			digit_before = false;
			continue;
		}
		if (!isxdigit((unsigned char)*s)) {
			*why = "is not a number (decimal, 0x hex, or with a "
			       "K or M suffix)";
			return -1;
		}
		d = isdigit((unsigned char)*s) ?
			    *s - '0' :
			    tolower((unsigned char)*s) - 'a' + 10;
		if ((unsigned)d >= base) {
			*why = "has a digit its base does not have";
			return -1;
		}
		if (v > (UINT64_MAX - (unsigned)d) / base) {
			*why = "is too large";
			return -1;
		}
		v = v * base + (unsigned)d;
		digit_before = true;
	}
	if (!digit_before) {
		*why = "is not a number (decimal, 0x hex, or with a K or M "
		       "suffix)";
		return -1;
	}
	if (base == 10 && start[0] == '0' && v != 0) {
		*why = "has a leading zero, which ESP-IDF (Python) refuses; "
		       "write it without, or in 0x hex";
		return -1;
	}
	*out = v;
	return 0;
}

int fk_esp_parse_int(const char *text, uint64_t *out, const char **why)
{
	char buf[64];
	size_t n = strlen(text);
	uint64_t mul = 1;

	if (n == 0 || n >= sizeof(buf)) {
		*why = n ? "is too long" : "is empty";
		return -1;
	}
	memcpy(buf, text, n + 1);
	while (n && strchr("kKmM", buf[n - 1])) {
		uint64_t m = strchr("kK", buf[n - 1]) ? 1024 : 1024 * 1024;

		if (mul > UINT32_MAX) {
			*why = "is too large";
			return -1;
		}
		mul *= m;
		buf[--n] = '\0';
	}
	if (buf[0] == '-' || buf[0] == '+') {
		*why = buf[0] == '-' ? "is negative; give the size itself" :
				       "has a sign; write the number alone";
		return -1;
	}
	if (python_int(buf, out, why))
		return -1;
	if (*out > UINT64_MAX / mul) {
		*why = "is too large";
		return -1;
	}
	*out *= mul;
	return 0;
}

/* A name of the table (any case) or a number 0..254. */
static int parse_named(const char *text, const struct esp_name *names,
		       size_t count, uint8_t type, uint8_t *out,
		       const char **why)
{
	uint64_t v;

	for (size_t i = 0; i < count; i++)
		if ((names[i].type == type) &&
		    !strcasecmp(text, names[i].name)) {
			*out = names[i].value;
			return 0;
		}
	if (fk_esp_parse_int(text, &v, why))
		return -1;
	if (v > 254) {
		*why = "is above 254 (0xFE)";
		return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

int fk_esp_parse_type(const char *text, uint8_t *out, const char **why)
{
	if (!*text) {
		*why = "is empty; give app, data or a number";
		return -1;
	}
	if (parse_named(text, esp_types, COUNT(esp_types), 0xff, out, why)) {
		*why = "is not a type: app, data, bootloader, partition_table "
		       "or a number 0..254";
		return -1;
	}
	return 0;
}

int fk_esp_parse_subtype(uint8_t type, const char *text, uint8_t *out,
			 const char **why)
{
	if (!*text) {
		if (type == FK_ESP_TYPE_APP) {
			*why = "is empty; an app partition needs one "
			       "(factory, ota_0..ota_15, test)";
			return -1;
		}
		*out = 0x06; /* undefined */
		return 0;
	}
	if (type == FK_ESP_TYPE_APP && !strncasecmp(text, "ota_", 4)) {
		for (unsigned i = 0; i < ESP_SUBTYPE_OTA_COUNT; i++) {
			char name[8];

			snprintf(name, sizeof(name), "ota_%u", i);
			if (!strcasecmp(text, name)) {
				*out = (uint8_t)(ESP_SUBTYPE_OTA_MIN + i);
				return 0;
			}
		}
	}
	if (parse_named(text, esp_subtypes, COUNT(esp_subtypes), type, out,
			why)) {
		*why = type == FK_ESP_TYPE_APP ?
			       "is not an app subtype: factory, ota_0..ota_15, "
			       "test, tee_0, tee_1 or a number 0..254" :
		       type == FK_ESP_TYPE_DATA ?
			       "is not a data subtype: ota, phy, nvs, "
			       "coredump, nvs_keys, efuse, undefined, "
			       "esphttpd, fat, spiffs, littlefs or a number "
			       "0..254" :
			       "is not a subtype of this type (a name ESP-IDF "
			       "knows for it, or a number 0..254)";
		return -1;
	}
	return 0;
}

int fk_esp_parse_flags(const char *text, uint32_t *out, const char **why)
{
	const char *p = text;

	*out = 0;
	while (*p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 9 && !strncmp(p, "encrypted", 9)) {
			*out |= FK_ESP_FLAG_ENCRYPTED;
		} else if (n == 8 && !strncmp(p, "readonly", 8)) {
			*out |= FK_ESP_FLAG_READONLY;
		} else if (n) {
			*why = "holds an unknown flag (ESP-IDF knows "
			       "'encrypted' and 'readonly', separated by ':')";
			return -1;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

/* The n-th comma-separated field of text, trimmed, into buf; NULL when
 * text has fewer fields. */
static const char *field(const char *text, int n, char *buf, size_t len)
{
	const char *p = text;
	size_t k;

	for (int i = 0; i < n; i++) {
		p = strchr(p, ',');
		if (!p)
			return NULL;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	k = strcspn(p, ",");
	while (k && isspace((unsigned char)p[k - 1]))
		k--;
	if (k >= len)
		k = len - 1;
	memcpy(buf, p, k);
	buf[k] = '\0';
	return buf;
}

int fk_esp_parse_kind(const char *text, struct fk_esp_kind *out,
		      const char **why)
{
	char type[32], sub[32], flags[64];
	const char *f;

	memset(out, 0, sizeof(*out));
	if (!field(text, 0, type, sizeof(type)) ||
	    !field(text, 1, sub, sizeof(sub))) {
		*why = "needs the type and subtype, e.g. \"app, ota_0\" or "
		       "\"data, nvs\"";
		return -1;
	}
	if (field(text, 3, flags, sizeof(flags))) {
		*why = "has more than type, subtype and flags";
		return -1;
	}
	if (fk_esp_parse_type(type, &out->type, why) ||
	    fk_esp_parse_subtype(out->type, sub, &out->subtype, why))
		return -1;
	f = field(text, 2, flags, sizeof(flags));
	return f ? fk_esp_parse_flags(f, &out->flags, why) : 0;
}

const char *fk_esp_type_name(uint8_t type)
{
	for (size_t i = 0; i < COUNT(esp_types); i++)
		if (esp_types[i].value == type)
			return esp_types[i].name;
	return NULL;
}

const char *fk_esp_subtype_name(uint8_t type, uint8_t subtype)
{
	static const char *const ota[ESP_SUBTYPE_OTA_COUNT] = {
		"ota_0",  "ota_1",  "ota_2",  "ota_3",	"ota_4",  "ota_5",
		"ota_6",  "ota_7",  "ota_8",  "ota_9",	"ota_10", "ota_11",
		"ota_12", "ota_13", "ota_14", "ota_15",
	};

	if (type == FK_ESP_TYPE_APP && subtype >= ESP_SUBTYPE_OTA_MIN &&
	    subtype < ESP_SUBTYPE_OTA_MIN + ESP_SUBTYPE_OTA_COUNT)
		return ota[subtype - ESP_SUBTYPE_OTA_MIN];
	for (size_t i = 0; i < COUNT(esp_subtypes); i++)
		if (esp_subtypes[i].type == type &&
		    esp_subtypes[i].value == subtype)
			return esp_subtypes[i].name;
	return NULL;
}

uint32_t fk_esp_align(uint8_t type)
{
	return type == FK_ESP_TYPE_APP ? 0x10000 : 0x1000;
}

const char *fk_esp_flags_text(char *buf, size_t len, uint32_t flags)
{
	snprintf(buf, len, "%s%s%s",
		 flags & FK_ESP_FLAG_ENCRYPTED ? "encrypted" : "",
		 (flags & FK_ESP_FLAG_ENCRYPTED) &&
				 (flags & FK_ESP_FLAG_READONLY) ?
			 ":" :
			 "",
		 flags & FK_ESP_FLAG_READONLY ? "readonly" : "");
	return buf;
}
