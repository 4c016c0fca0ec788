/*
 * How fast the flash simulator runs, which bounds how many power-cut
 * cases a test can afford: program and erase throughput on a 1 MiB
 * STM32F4 bank, the cost of a snapshot restore, and cut-sweep cases per
 * second for a typical scenario (erase a 128 KiB sector, program it in
 * 256-byte pieces).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flashsim.h"

static const struct fk_sector_run stm32f4[] = {
    {4, 16 * 1024}, {1, 64 * 1024}, {7, 128 * 1024}};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Erase sector 5 (128 KiB) and program it 256 bytes at a time. */
static int scenario(struct fk_flash *f)
{
	static uint8_t buf[256];
	int rc = fk_flash_erase(f, 0x20000, 0x20000);

	memset(buf, 0x5A, sizeof(buf));
	for (uint32_t off = 0; rc == FK_OK && off < 0x20000; off += 256)
		rc = fk_flash_program(f, 0x20000 + off, buf, 256);
	return rc;
}

int main(void)
{
	struct fk_sim_config cfg = {
	    .geo = {.base = 0x08000000,
		    .size = 1024 * 1024,
		    .runs = stm32f4,
		    .run_count = 3,
		    .write_unit = 1,
		    .erased_value = 0xFF},
	};
	struct fk_sim *sim = fk_sim_create(&cfg);
	struct fk_flash *f = fk_sim_flash(sim);
	struct fk_sim_snapshot *snap;
	uint64_t first, ops, cases = 0;
	double t0, t;
	int rounds = 20;

	if (!sim)
		return 1;
	t0 = now();
	for (int r = 0; r < rounds; r++) {
		if (fk_flash_erase(f, 0, 1024 * 1024) != FK_OK)
			return 1;
		for (uint32_t off = 0; off < 1024 * 1024; off += 4096) {
			static uint8_t buf[4096];

			if (fk_flash_program(f, off, buf, 4096) != FK_OK)
				return 1;
		}
	}
	t = now() - t0;
	printf("erase + program of 1 MiB (STM32F4 map), 4 KiB calls: "
	       "%.0f MiB/s\n",
	       rounds / t);

	snap = fk_sim_snapshot_take(sim);
	t0 = now();
	for (int r = 0; r < 1000; r++)
		fk_sim_snapshot_restore(sim, snap);
	t = now() - t0;
	printf("snapshot restore of 1 MiB: %.1f us\n", t / 1000 * 1e6);

	first = fk_sim_op_index(sim);
	if (scenario(f) != FK_OK)
		return 1;
	ops = fk_sim_op_index(sim) - first;
	t0 = now();
	for (uint64_t n = 0; n < ops; n++) {
		for (int kind = FK_CUT_BEFORE; kind <= FK_CUT_TORN; kind++) {
			fk_sim_snapshot_restore(sim, snap);
			fk_sim_schedule_cut(sim, first + n, kind,
					    FK_TEAR_SEEDED, n);
			if (scenario(f) != FK_EPOWER)
				return 1;
			fk_sim_reboot(sim);
			cases++;
		}
	}
	t = now() - t0;
	printf("cut sweep, erase 128 KiB + 512 programs of 256 B: %llu "
	       "operations x 3 = %llu cases in %.2f s, %.0f cases/s\n",
	       (unsigned long long)ops, (unsigned long long)cases, t,
	       cases / t);
	fk_sim_snapshot_free(snap);
	fk_sim_destroy(sim);
	return 0;
}
