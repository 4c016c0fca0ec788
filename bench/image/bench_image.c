/*
 * In-process figures for a 1 MiB image, without process start or file
 * I/O: building and signing it (fk_sign_image), and the device-side
 * fk_image_validate() reading it through fk_flash in FK_IMAGE_HASH_CHUNK
 * pieces, from RAM and from the flash simulator. Median of 9 runs.
 * Usage: bench_image KEY.pem
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flashkit/image.h"
#include "fk_crypto_mbedtls.h"
#include "image/keys.h"
#include "image/memflash.h"
#include "image/sign.h"
#include "flashsim.h"

#define RUNS 9
#define PAYLOAD (1024 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t)
{
	qsort(t, RUNS, sizeof(*t), cmp);
	return t[RUNS / 2];
}

static void row(const char *what, double s)
{
	printf("| %-52s | %8.2f ms | %7.1f MB/s |\n", what, s * 1e3,
	       PAYLOAD / 1e6 / s);
}

int main(int argc, char **argv)
{
	static const struct fk_sector_run runs[] = { { 160, 8192 } };
	struct fk_sim_config cfg = { 0 };
	struct fk_sign_opts o;
	struct fk_sign_result r;
	struct fk_image_info info;
	struct fk_image_key ik;
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = &ik, .count = 1 };
	struct fk_memflash m;
	struct fk_area slot;
	struct fk_key key;
	struct fk_sim *sim;
	double t[RUNS], t0;
	uint8_t *payload = malloc(PAYLOAD);

	if (argc != 2 || !payload || fk_key_load(&key, argv[1]))
		return 2;
	for (size_t i = 0; i < PAYLOAD; i++)
		payload[i] = (uint8_t)(i * 2654435761u >> 13);
	fk_key_image_key(&key, &ik);
	fk_sign_opts_init(&o);
	o.hdr_size = 0x200;
	o.pad_header = true;
	o.key = &key;
	for (int i = 0; i < RUNS; i++) {
		t0 = now();
		if (fk_sign_image(&o, payload, PAYLOAD, &r))
			return 1;
		t[i] = now() - t0;
		if (i < RUNS - 1)
			free(r.data);
	}
	row("fk_sign_image (build + SHA-256 + ECDSA P-256 sign)", median(t));

	fk_memflash_init(&m, r.data, r.len);
	for (int i = 0; i < RUNS; i++) {
		t0 = now();
		if (fk_image_validate(&m.area, &set, &info))
			return 1;
		t[i] = now() - t0;
	}
	row("fk_image_validate, ECDSA P-256, image in RAM", median(t));

	cfg.geo.size = 160 * 8192;
	cfg.geo.runs = runs;
	cfg.geo.run_count = 1;
	cfg.geo.write_unit = 8;
	cfg.geo.erased_value = 0xff;
	sim = fk_sim_create(&cfg);
	if (!sim || fk_area_init(&slot, fk_sim_flash(sim), 0, cfg.geo.size))
		return 1;
	memcpy(fk_sim_data(sim), r.data, r.len);
	for (int i = 0; i < RUNS; i++) {
		t0 = now();
		if (fk_image_validate(&slot, &set, &info))
			return 1;
		t[i] = now() - t0;
	}
	row("fk_image_validate, ECDSA P-256, image in the simulator", median(t));
	fk_sim_destroy(sim);
	free(r.data);
	free(payload);
	fk_key_free(&key);
	return 0;
}
