/*
 * Helpers shared by the image tests: reading the imgtool reference files
 * (tests/data/mcuboot-images, or FK_IMAGE_REFS) and
 * running the device-side checks on a buffer through a RAM-backed flash.
 */
#ifndef FLASHKIT_TESTS_IMAGE_UTIL_H
#define FLASHKIT_TESTS_IMAGE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flashkit/image.h"
#include "fk_crypto_mbedtls.h"
#include "image/keys.h"
#include "image/memflash.h"

/* Directory of the reference files: a copy of the imgtool-made set
 * (../shared/interop/mcuboot-images) kept in tests/data so the tests run
 * anywhere; FK_IMAGE_REFS points elsewhere if wanted. */
static inline const char *refs_dir(void)
{
	static char dir[1024];
	const char *env = getenv("FK_IMAGE_REFS");

	if (env)
		return env;
	snprintf(dir, sizeof(dir), "%s/tests/data/mcuboot-images",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".");
	return dir;
}

static inline char *ref_path(const char *name)
{
	static char path[1200];

	snprintf(path, sizeof(path), "%s/%s", refs_dir(), name);
	return path;
}

/* Reads a whole reference file; aborts the test program if missing. */
static inline uint8_t *read_ref(const char *name, size_t *len)
{
	FILE *fp = fopen(ref_path(name), "rb");
	uint8_t *buf;
	long n;

	if (!fp) {
		fprintf(stderr, "missing reference file %s\n", ref_path(name));
		exit(1);
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n)
		exit(1);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static inline void load_ref_key(struct fk_key *key, const char *name)
{
	if (fk_key_load(key, ref_path(name)))
		exit(1);
}

/* Loads n reference keys and their struct fk_image_key forms. */
static inline void load_ref_keys(const char *const *files, size_t n,
				 struct fk_key *keys,
				 struct fk_image_key *ikeys)
{
	for (size_t k = 0; k < n; k++) {
		load_ref_key(&keys[k], files[k]);
		fk_key_image_key(&keys[k], &ikeys[k]);
	}
}

static inline void free_keys(struct fk_key *keys, size_t n)
{
	for (size_t k = 0; k < n; k++)
		fk_key_free(&keys[k]);
}

/* fk_image_validate() on buf with the given keys (count may be 0). */
static inline int validate_buf(const uint8_t *buf, size_t len,
			       const struct fk_image_key *keys, uint32_t count,
			       struct fk_image_info *info)
{
	struct fk_memflash m;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = keys, .count = count };

	if (fk_memflash_init(&m, buf, len))
		return FK_ERANGE;
	return fk_image_validate(&m.area, &set, info);
}

static inline int parse_buf(const uint8_t *buf, size_t len,
			    struct fk_image_info *info)
{
	struct fk_memflash m;

	if (fk_memflash_init(&m, buf, len))
		return FK_ERANGE;
	return fk_image_parse(&m.area, info);
}

static inline void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

#endif
