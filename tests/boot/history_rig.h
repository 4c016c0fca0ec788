/*
 * What the update-history tests share (test_boot_history.c,
 * test_boot_regress.c): the real linked firmware built at build time
 * (tests/boot/firmware/, found through FK_FIRMWARE_DIR), and a history
 * over a rig of rigs.h signed with the reference key.
 */
#ifndef FLASHKIT_TESTS_BOOT_HISTORY_RIG_H
#define FLASHKIT_TESTS_BOOT_HISTORY_RIG_H

#include "image/history_sign.h"
#include "rig_history.h"
#include "rigs.h"

/* The firmware sizes tests/boot/CMakeLists.txt links (KiB of tables). */
static const unsigned hist_fw_kib[] = { 2, 8, 40, 96 };
#define HIST_FW_COUNT (sizeof(hist_fw_kib) / sizeof(hist_fw_kib[0]))

static struct fk_history_payload hist_fw[HIST_FW_COUNT];
static char hist_fw_names[HIST_FW_COUNT][32];

/* Longest run of byte b in p[0, n). */
static inline size_t hist_longest_run(const uint8_t *p, size_t n, uint8_t b)
{
	size_t best = 0, cur = 0;

	for (size_t i = 0; i < n; i++) {
		cur = p[i] == b ? cur + 1 : 0;
		best = cur > best ? cur : best;
	}
	return best;
}

/* Loads every firmware .bin. The cross compiler is always installed
 * (scripts/deps.sh), so a missing file is an error, never a skip. */
static inline int hist_load_firmware(void)
{
	const char *dir = getenv("FK_FIRMWARE_DIR");

	if (hist_fw[0].data)
		return 0;
	if (!dir) {
		fprintf(stderr, "FK_FIRMWARE_DIR is not set: run through "
			"ctest (tests/boot/CMakeLists.txt sets it)\n");
		return -1;
	}
	for (size_t k = 0; k < HIST_FW_COUNT; k++) {
		char path[1024];
		FILE *f;
		uint8_t *d;
		long n;

		snprintf(path, sizeof(path), "%s/fw_%uk.bin", dir,
			 hist_fw_kib[k]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
		    fseek(f, 0, SEEK_SET) || !(d = malloc((size_t)n)) ||
		    fread(d, 1, (size_t)n, f) != (size_t)n) {
			fprintf(stderr, "%s: cannot read the linked firmware "
				"(built by arm-none-eabi-gcc at build time)\n",
				path);
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		if (hist_longest_run(d, (size_t)n, 0xFF) < 8192) {
			fprintf(stderr, "%s: no 8 KiB run of 0xFF\n", path);
			return -1;
		}
		snprintf(hist_fw_names[k], sizeof(hist_fw_names[k]),
			 "fw_%uk.bin", hist_fw_kib[k]);
		hist_fw[k].data = d;
		hist_fw[k].len = (size_t)n;
		hist_fw[k].name = hist_fw_names[k];
	}
	return 0;
}

/* A history of steps updates on rig (built by rig_build), with the
 * firmware and the reference key. */
static inline struct fk_history *hist_create(struct fk_rig *rig,
					     uint64_t seed, uint32_t steps,
					     uint32_t cut_every,
					     struct fk_history_result *res)
{
	struct fk_history_config hc = {
		.seed = seed, .steps = steps, .sign = fk_history_sign,
		.sign_ctx = &rig_key, .firmware = hist_fw,
		.firmware_count = HIST_FW_COUNT, .cut_every = cut_every,
	};

	if (hist_load_firmware() != 0)
		return NULL;
	return fk_history_create(rig, &hc, res);
}

#endif
