/*
 * What one install costs, per strategy and geometry: erases and bytes
 * programmed by the bootloader for an image of N sectors (the life of a
 * TEST install that is confirmed, or a PERMANENT one for OVERWRITE; the
 * upload is counted apart), and what a revert adds. The real boot code
 * on the simulator, through sim/rig.c without cuts. Prints a markdown
 * table; bench/boot/run.sh puts MCUboot's published figures beside it.
 *
 *   bench_boot KEYFILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/rig_image.h"
#include "rig.h"
#include "fk_crypto_mbedtls.h"

struct memspec {
	struct fk_sector_run runs[4];
	uint32_t run_count, write_unit;
	bool program_once;
};

struct geo {
	const char *name;
	struct memspec mem[2];
	uint32_t mem_count;
	/* memory, offset, size */
	uint32_t boot[3], state[3], primary[3], secondary[3];
	uint32_t image_bytes; /* header + payload + TLVs, about */
	uint32_t buf_len;
};

static struct fk_key key;
static struct fk_image_key image_key;
static struct fk_image_keys keys;

static void area(struct fk_rig *rig, struct fk_area *a, const uint32_t *s)
{
	if (fk_area_init(a, &rig->mem[s[0]].flash, s[1], s[2]) != FK_OK) {
		fprintf(stderr, "bad area %u+%u\n", s[1], s[2]);
		exit(1);
	}
}

static void build(struct fk_rig *rig, const struct geo *g,
		  enum fk_boot_strategy strategy)
{
	struct fk_rig_image_spec spec = { .hdr_size = 0x200, .key = &key };

	memset(rig, 0, sizeof(*rig));
	for (uint32_t m = 0; m < g->mem_count; m++) {
		struct fk_sim_config sc = { 0 };

		sc.geo.runs = g->mem[m].runs;
		sc.geo.run_count = g->mem[m].run_count;
		sc.geo.write_unit = g->mem[m].write_unit;
		sc.geo.program_once = g->mem[m].program_once;
		sc.geo.erased_value = 0xFF;
		for (uint32_t r = 0; r < sc.geo.run_count; r++)
			sc.geo.size += g->mem[m].runs[r].count *
				       g->mem[m].runs[r].size;
		if (fk_rig_add_memory(rig, &sc) != 0)
			exit(1);
	}
	rig->cfg.strategy = strategy;
	rig->cfg.image_count = 1;
	area(rig, &rig->cfg.bootloader, g->boot);
	area(rig, &rig->cfg.state, g->state);
	area(rig, &rig->cfg.images[0].primary, g->primary);
	area(rig, &rig->cfg.images[0].secondary, g->secondary);
	rig->cfg.trial_boots = 1;
	rig->cfg.keys = &keys;
	rig->cfg.buf_len = g->buf_len;
	spec.align = g->mem[g->primary[0]].write_unit;
	spec.payload_len = g->image_bytes - 0x200 - 400;
	spec.seed = 1;
	spec.version.major = 1;
	if (fk_rig_make_image(&spec, &rig->old_img[0], &rig->old_len[0]))
		exit(1);
	spec.seed = 2;
	spec.version.major = 2;
	if (fk_rig_make_image(&spec, &rig->new_img[0], &rig->new_len[0]))
		exit(1);
}

static uint32_t sectors(const struct fk_area *a, uint32_t len)
{
	uint32_t n = 0, off = 0;
	struct fk_sector s;

	while (off < len && fk_area_sector_at(a, off, &s) == FK_OK) {
		off = s.off + s.size;
		n++;
	}
	return n;
}

static int measure(const struct geo *g, enum fk_boot_strategy strategy,
		   const char *name)
{
	struct fk_rig rig;
	struct fk_rig_sweep sw = { .no_cuts = true };
	struct fk_rig_result inst, rev;
	uint32_t np, ns, n;
	char revert[24];

	sw.scenario = strategy == FK_BOOT_OVERWRITE ? FK_SCENARIO_PERMANENT :
						      FK_SCENARIO_INSTALL;
	build(&rig, g, strategy);
	if (fk_rig_sweep(&rig, &sw, &inst) != 0 || inst.failures) {
		fprintf(stderr, "%s %s: %s\n", g->name, name,
			inst.first_failure);
		return 1;
	}
	memset(&rev, 0, sizeof(rev));
	if (strategy != FK_BOOT_OVERWRITE) {
		sw.scenario = FK_SCENARIO_REVERT;
		if (fk_rig_sweep(&rig, &sw, &rev) != 0 || rev.failures)
			return 1;
	}
	np = sectors(&rig.cfg.images[0].primary, (uint32_t)rig.new_len[0]);
	ns = sectors(&rig.cfg.images[0].secondary, (uint32_t)rig.new_len[0]);
	n = np > ns ? np : ns;
	if (strategy == FK_BOOT_OVERWRITE)
		snprintf(revert, sizeof(revert), "-");
	else
		snprintf(revert, sizeof(revert), "%llu",
			 (unsigned long long)(rev.life.erases -
					      inst.life.erases));
	printf("| %s | %s | %u | %u / %u | %u K | %llu | %u | %.2f | %s | "
	       "%llu |\n",
	       g->name, name, n, np, ns,
	       fk_boot_staging_offset(&rig.cfg, 0) / 1024,
	       (unsigned long long)inst.life.erases, 2 * n + 2,
	       (double)inst.life.bytes_programmed / (double)rig.new_len[0],
	       revert, (unsigned long long)inst.update.erases);
	fk_rig_destroy(&rig);
	return 0;
}

#define K 1024u

int main(int argc, char **argv)
{
	static struct geo geos[5];
	static const char *const names[] = { "overwrite", "swap", "xip" };
	static const enum fk_boot_strategy strats[] = {
		FK_BOOT_OVERWRITE, FK_BOOT_SWAP, FK_BOOT_XIP };
	static char titles[3][48];
	uint32_t ng = 0, fails = 0;

	if (argc != 2 || fk_key_load(&key, argv[1]) != 0)
		return 2;
	fk_key_image_key(&key, &image_key);
	keys.crypto = &fk_crypto_mbedtls;
	keys.keys = &image_key;
	keys.count = 1;
	/* uniform 4K sectors, 8-byte writes, N = 4, 16, 64 */
	for (uint32_t i = 0, n = 4; i < 3; i++, n *= 4) {
		struct geo *g = &geos[ng++];

		snprintf(titles[i], sizeof(titles[i]), "uniform 4K, N=%u", n);
		g->name = titles[i];
		g->mem[0] = (struct memspec){ { { 3 + 2 * n + 8, 4 * K } }, 1, 8,
					      false };
		g->mem_count = 1;
		memcpy(g->boot, (uint32_t[]){ 0, 0, 8 * K }, sizeof(g->boot));
		memcpy(g->state, (uint32_t[]){ 0, 8 * K, 4 * K },
		       sizeof(g->state));
		memcpy(g->primary, (uint32_t[]){ 0, 12 * K, n * 4 * K },
		       sizeof(g->primary));
		memcpy(g->secondary,
		       (uint32_t[]){ 0, 12 * K + n * 4 * K, (n + 8) * 4 * K },
		       sizeof(g->secondary));
		g->image_bytes = n * 4 * K - 64;
		g->buf_len = 4 * K;
	}
	/* STM32F4: primary 16K+16K+64K+128K, staging 128K sectors */
	geos[ng] = (struct geo){
		.name = "STM32F4 16/64/128K",
		.mem = { { { { 4, 16 * K }, { 1, 64 * K }, { 7, 128 * K } }, 3,
			   4, false } },
		.mem_count = 1,
		.boot = { 0, 0, 16 * K }, .state = { 0, 16 * K, 16 * K },
		.primary = { 0, 32 * K, 224 * K },
		.secondary = { 0, 256 * K, 512 * K },
		.image_bytes = 224 * K - 64, .buf_len = 16 * K,
	};
	ng++;
	/* internal 128K sectors (32-byte ECC words) + external 4K NOR */
	geos[ng] = (struct geo){
		.name = "internal 128K ECC + SPI NOR 4K",
		.mem = { { { { 8, 128 * K } }, 1, 32, true },
			 { { { 128, 4 * K } }, 1, 1, false } },
		.mem_count = 2,
		.boot = { 0, 0, 128 * K }, .state = { 0, 128 * K, 128 * K },
		.primary = { 0, 256 * K, 256 * K },
		.secondary = { 1, 0, 384 * K },
		.image_bytes = 256 * K - 64, .buf_len = 4 * K,
	};
	ng++;
	printf("| geometry | strategy | N | primary / staging sectors "
	       "| staging offset | erases per install | 2N+2 | bytes programmed / image "
	       "bytes | a revert adds (erases) | upload erases |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (uint32_t g = 0; g < ng; g++) {
		for (int s = 0; s < 3; s++)
			fails += (uint32_t)measure(&geos[g], strats[s], names[s]);
	}
	fk_key_free(&key);
	return fails ? 1 : 0;
}
