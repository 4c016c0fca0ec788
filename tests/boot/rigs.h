/*
 * The geometries the boot core is proven on, as ready rigs (rig.h):
 *
 *   uniform-4k   one flash of 4K sectors, 8-byte write unit (MCUboot's
 *                figures are for this shape);
 *   stm32f4      STM32F4's mixed map (16K, 64K, 128K sectors), 4-byte
 *                writes: a primary slot of 16K+16K+64K, a staging slot of
 *                128K sectors;
 *   ecc32        program-once flash with 32-byte units (STM32H7-style ECC
 *                words) on 8K sectors;
 *   two-memories internal flash (16K sectors, 16-byte units) for the
 *                primary slot, external SPI NOR (4K sectors, 1-byte
 *                units) for the staging slot: two simulators, one power
 *                domain;
 *   dual-image   uniform 4K sectors holding two images (one per core),
 *                installed together or not at all;
 *   stm32l4      STM32L4-like: 2K sectors, program-once 8-byte units
 *                (ECC double words), 128 KiB slots, a 2 KiB boot-state
 *                log;
 *   erased-zero  program-once 16-byte units on 4K sectors whose erased
 *                value is 0x00;
 *   small-pages  STM32L0/L1-like 128-byte pages, 4-byte units: the
 *                boot-state log needs several pages;
 *   stm32h7      an STM32H743's 2 MiB, two banks of eight 128 KiB
 *                sectors, program-once 32-byte flash words: boot and
 *                state in bank 1's first sectors, the primary slot in
 *                bank 1 (2 sectors), the staging slot in bank 2 (3).
 *
 * Images are signed with the reference ECDSA P-256 key by the real
 * signing code, and the bootloader checks them with the real mbedTLS
 * port; the bootloader partition is write-protected in the simulator.
 */
#ifndef FLASHKIT_TESTS_BOOT_RIGS_H
#define FLASHKIT_TESTS_BOOT_RIGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/rig_image.h"
#include "rig.h"
#include "fk_crypto_mbedtls.h"

enum rig_geo { GEO_UNIFORM_4K, GEO_STM32F4, GEO_ECC32, GEO_TWO_MEM,
	       GEO_DUAL, GEO_STM32L4, GEO_ERASED_ZERO, GEO_SMALL_PAGES,
	       GEO_STM32H7, GEO_COUNT };

static const char *const rig_geo_names[GEO_COUNT] = {
	"uniform-4k", "stm32f4", "ecc32", "two-memories", "dual-image",
	"stm32l4", "erased-zero", "small-pages", "stm32h7",
};

struct rig_area_spec {
	uint32_t mem, off, size;
};

struct rig_geo_spec {
	struct fk_sector_run runs[2][3];
	uint32_t run_count[2];
	uint32_t write_unit[2];
	bool program_once[2];
	uint32_t mem_count;
	struct rig_area_spec boot, state, primary, secondary;
	uint32_t old_payload, new_payload;
	uint32_t images;
	struct rig_area_spec primary2, secondary2;
	uint32_t old_payload2, new_payload2;
	uint32_t buf_len;
	bool erased_zero; /* the flash erases to 0x00 (all memories) */
};

static const struct rig_geo_spec rig_geos[GEO_COUNT] = {
	[GEO_UNIFORM_4K] = {
		.runs = { { { 16, 4096 } } }, .run_count = { 1 },
		.write_unit = { 8 }, .mem_count = 1,
		.boot = { 0, 0, 8192 }, .state = { 0, 8192, 4096 },
		.primary = { 0, 12288, 24576 }, .secondary = { 0, 36864, 28672 },
		.old_payload = 15000, .new_payload = 19500, .buf_len = 4096,
	},
	[GEO_STM32F4] = {
		.runs = { { { 4, 16384 }, { 1, 65536 }, { 3, 131072 } } },
		.run_count = { 3 }, .write_unit = { 4 }, .mem_count = 1,
		.boot = { 0, 0, 16384 }, .state = { 0, 16384, 16384 },
		.primary = { 0, 32768, 98304 },
		.secondary = { 0, 131072, 262144 },
		.old_payload = 30000, .new_payload = 60000, .buf_len = 16384,
	},
	[GEO_ECC32] = {
		.runs = { { { 16, 8192 } } }, .run_count = { 1 },
		.write_unit = { 32 }, .program_once = { true }, .mem_count = 1,
		.boot = { 0, 0, 8192 }, .state = { 0, 8192, 8192 },
		.primary = { 0, 16384, 32768 }, .secondary = { 0, 49152, 40960 },
		.old_payload = 20000, .new_payload = 27000, .buf_len = 4096,
	},
	[GEO_TWO_MEM] = {
		.runs = { { { 8, 16384 } }, { { 32, 4096 } } },
		.run_count = { 1, 1 }, .write_unit = { 16, 1 }, .mem_count = 2,
		.boot = { 0, 0, 16384 }, .state = { 0, 16384, 16384 },
		.primary = { 0, 32768, 65536 }, .secondary = { 1, 0, 81920 },
		.old_payload = 16000, .new_payload = 26000, .buf_len = 4096,
	},
	[GEO_DUAL] = {
		.runs = { { { 32, 4096 } } }, .run_count = { 1 },
		.write_unit = { 8 }, .mem_count = 1,
		.boot = { 0, 0, 8192 }, .state = { 0, 8192, 4096 },
		.primary = { 0, 12288, 24576 }, .secondary = { 0, 36864, 28672 },
		.old_payload = 11000, .new_payload = 15000, .buf_len = 4096,
		.images = 2,
		.primary2 = { 0, 65536, 16384 },
		.secondary2 = { 0, 81920, 20480 },
		.old_payload2 = 7000, .new_payload2 = 9000,
	},
	[GEO_STM32L4] = {
		.runs = { { { 256, 2048 } } }, .run_count = { 1 },
		.write_unit = { 8 }, .program_once = { true }, .mem_count = 1,
		.boot = { 0, 0, 16384 }, .state = { 0, 16384, 2048 },
		.primary = { 0, 18432, 131072 },
		.secondary = { 0, 149504, 139264 },
		.old_payload = 60000, .new_payload = 50000, .buf_len = 2048,
	},
	[GEO_ERASED_ZERO] = {
		.runs = { { { 32, 4096 } } }, .run_count = { 1 },
		.write_unit = { 16 }, .program_once = { true }, .mem_count = 1,
		.boot = { 0, 0, 8192 }, .state = { 0, 8192, 4096 },
		.primary = { 0, 12288, 32768 }, .secondary = { 0, 45056, 40960 },
		.old_payload = 20000, .new_payload = 26000, .buf_len = 4096,
		.erased_zero = true,
	},
	[GEO_SMALL_PAGES] = {
		.runs = { { { 512, 128 } } }, .run_count = { 1 },
		.write_unit = { 4 }, .mem_count = 1,
		.boot = { 0, 0, 4096 }, .state = { 0, 4096, 1024 },
		.primary = { 0, 5120, 24576 }, .secondary = { 0, 29696, 28672 },
		.old_payload = 12000, .new_payload = 15000, .buf_len = 128,
	},
	[GEO_STM32H7] = {
		.runs = { { { 16, 131072 } } }, .run_count = { 1 },
		.write_unit = { 32 }, .program_once = { true }, .mem_count = 1,
		.boot = { 0, 0, 131072 }, .state = { 0, 131072, 131072 },
		.primary = { 0, 262144, 262144 },
		.secondary = { 0, 1048576, 393216 },
		.old_payload = 150000, .new_payload = 100000, .buf_len = 16384,
	},
};

static struct fk_key rig_key;
static struct fk_image_key rig_image_key;
static struct fk_image_keys rig_keys;

/* Loads the reference key once. */
static inline int rig_load_key(void)
{
	char path[1024];

	if (rig_keys.crypto)
		return 0;
	snprintf(path, sizeof(path), "%s/tests/data/mcuboot-images/ecdsa-p256.pem",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".");
	if (fk_key_load(&rig_key, path) != 0)
		return -1;
	fk_key_image_key(&rig_key, &rig_image_key);
	rig_keys.crypto = &fk_crypto_mbedtls;
	rig_keys.keys = &rig_image_key;
	rig_keys.count = 1;
	return 0;
}

static inline void rig_area(struct fk_rig *rig, struct fk_area *a,
			    const struct rig_area_spec *s)
{
	if (fk_area_init(a, &rig->mem[s->mem].flash, s->off, s->size) != 0) {
		fprintf(stderr, "bad rig area %u+%u\n", s->off, s->size);
		exit(1);
	}
}

/* RAM_LOAD: where image i runs from (the rig allocates its bytes). */
#define RIG_RAM_ADDR(i) (0x20000000u + (uint32_t)(i) * 0x01000000u)

/* An image for slot write unit wu; version major.minor; for RAM_LOAD,
 * load_addr its RAM (else 0). */
static inline int rig_image_at(uint32_t payload, uint32_t seed, uint8_t major,
			       uint32_t wu, uint32_t load_addr, uint8_t **out,
			       size_t *len)
{
	struct fk_rig_image_spec spec = {
		.payload_len = payload, .seed = seed,
		.version = { .major = major }, .hdr_size = 0x100,
		.align = wu, .key = &rig_key, .load_addr = load_addr,
	};

	return fk_rig_make_image(&spec, out, len);
}

static inline int rig_image(uint32_t payload, uint32_t seed, uint8_t major,
			    uint32_t wu, uint8_t **out, size_t *len)
{
	struct fk_rig_image_spec spec = {
		.payload_len = payload, .seed = seed,
		.version = { .major = major }, .hdr_size = 0x100,
		.align = wu, .key = &rig_key,
	};

	return fk_rig_make_image(&spec, out, len);
}

/* The boot core the rigs run (rig->boot): NULL for fk_boot(),
 * fk_boot_lite when the strategy was named "lite-<strategy>", or
 * fk_boot_flags for "flags-overwrite" and "flags-xip" (the programs
 * linked with the flag state's update API, src/boot/flags_app.c). */
static int (*rig_boot_core)(const struct fk_boot_config *cfg);

/* A strategy and a geometry from their names (a test's argv); the lite
 * core's strategies are "lite-overwrite", "lite-swap" and "lite-xip" (it
 * boots one image: the dual-image rig serves it only as room for a
 * factory slot). Returns 0 or -1 when either is unknown. */
static inline int rig_parse_names(const char *strategy_name,
				  const char *geo_name,
				  enum fk_boot_strategy *strategy,
				  enum rig_geo *geo)
{
	static const char *const strategies[] = { "overwrite", "swap", "xip",
						  "ram-load" };
	bool lite = !strncmp(strategy_name, "lite-", 5);
	bool flags = !strncmp(strategy_name, "flags-", 6);
	int found = 0;

	if (lite) {
		strategy_name += 5;
		rig_boot_core = fk_boot_lite;
	}
	if (flags) {
		strategy_name += 6;
		rig_boot_core = fk_boot_flags;
	}
	for (int i = 0; i < (lite || flags ? 3 : 4); i++) {
		/* the flag state has no SWAP */
		if (flags && i == 1)
			continue;
		if (!strcmp(strategy_name, strategies[i])) {
			*strategy = (enum fk_boot_strategy)(FK_BOOT_OVERWRITE + i);
			found++;
		}
	}
	for (int g = 0; g < GEO_COUNT; g++) {
		if (!strcmp(geo_name, rig_geo_names[g])) {
			*geo = (enum rig_geo)g;
			found++;
		}
	}
	return found == 2 ? 0 : -1;
}

static inline int rig_configure(struct fk_rig *rig,
				enum fk_boot_strategy strategy,
				enum rig_geo geo);

/* Builds the rig: memories, areas, keys, images (old version 1, new 2). */
static inline int rig_build(struct fk_rig *rig, enum fk_boot_strategy strategy,
			    enum rig_geo geo)
{
	const struct rig_geo_spec *g = &rig_geos[geo];

	memset(rig, 0, sizeof(*rig));
	for (uint32_t m = 0; m < g->mem_count; m++) {
		struct fk_sim_config sc = { 0 };

		sc.geo.runs = g->runs[m];
		sc.geo.run_count = g->run_count[m];
		sc.geo.write_unit = g->write_unit[m];
		sc.geo.program_once = g->program_once[m];
		sc.geo.erased_value = g->erased_zero ? 0x00 : 0xFF;
		for (uint32_t r = 0; r < g->run_count[m]; r++)
			sc.geo.size += g->runs[m][r].count * g->runs[m][r].size;
		sc.timing.erase_us_per_kib = 6700;
		sc.timing.erase_us_fixed = 20000;
		sc.timing.program_us_per_unit = 16;
		if (fk_rig_add_memory(rig, &sc) != 0)
			return -1;
	}
	return rig_configure(rig, strategy, geo);
}

/* On a rig whose memories are in place (rig_build, or a driver added
 * with fk_rig_add_device by tests/ports): areas, keys, images. */
static inline int rig_configure(struct fk_rig *rig,
				enum fk_boot_strategy strategy,
				enum rig_geo geo)
{
	const struct rig_geo_spec *g = &rig_geos[geo];
	struct fk_boot_config *cfg = &rig->cfg;
	uint32_t wu;

	if (rig_load_key() != 0)
		return -1;
	rig->boot = rig_boot_core;
	cfg->strategy = strategy;
	cfg->image_count = g->images ? g->images : 1;
	rig_area(rig, &cfg->bootloader, &g->boot);
	if (g->images > 1) {
		rig_area(rig, &cfg->images[1].primary, &g->primary2);
		rig_area(rig, &cfg->images[1].secondary, &g->secondary2);
	}
	rig_area(rig, &cfg->state, &g->state);
	rig_area(rig, &cfg->images[0].primary, &g->primary);
	rig_area(rig, &cfg->images[0].secondary, &g->secondary);
	fk_sim_protect(rig->mem[g->boot.mem].sim, g->boot.off, g->boot.size);
	cfg->trial_boots = 1;
	cfg->keys = &rig_keys;
	cfg->check_security_counter = true;
	cfg->buf_len = g->buf_len;
	rig->buf = malloc(g->buf_len);
	cfg->buf = rig->buf;
	wu = g->write_unit[g->primary.mem];
	if (g->write_unit[g->secondary.mem] > wu)
		wu = g->write_unit[g->secondary.mem];
	/* RAM_LOAD: each image gets RAM as large as its larger slot */
	for (uint32_t i = 0; strategy == FK_BOOT_RAM_LOAD &&
			     i < cfg->image_count; i++) {
		struct fk_boot_ram *r = &cfg->images[i].ram;
		uint32_t a = cfg->images[i].primary.size;
		uint32_t b = cfg->images[i].secondary.size;

		r->addr = RIG_RAM_ADDR(i);
		r->size = a > b ? a : b;
		r->mem = rig->ram[i] = malloc(r->size);
		if (!r->mem)
			return -1;
	}
	if (rig_image_at(g->old_payload, 1, 1, wu, cfg->images[0].ram.addr,
			 &rig->old_img[0], &rig->old_len[0]) != 0 ||
	    rig_image_at(g->new_payload, 2, 2, wu, cfg->images[0].ram.addr,
			 &rig->new_img[0], &rig->new_len[0]) != 0)
		return -1;
	if (g->images > 1 &&
	    (rig_image_at(g->old_payload2, 3, 1, wu, cfg->images[1].ram.addr,
			  &rig->old_img[1], &rig->old_len[1]) != 0 ||
	     rig_image_at(g->new_payload2, 4, 2, wu, cfg->images[1].ram.addr,
			  &rig->new_img[1], &rig->new_len[1]) != 0))
		return -1;
	return 0;
}

/* A smaller workload on a configured rig: image 0's old and new images
 * made again, as rig_configure makes them, of old_payload and
 * new_payload bytes of payload. 0 or -1. */
static inline int rig_resize_images(struct fk_rig *rig, enum rig_geo geo,
				    uint32_t old_payload, uint32_t new_payload)
{
	const struct rig_geo_spec *g = &rig_geos[geo];
	uint32_t wu = g->write_unit[g->primary.mem];
	uint32_t ram = rig->cfg.images[0].ram.addr;

	if (g->write_unit[g->secondary.mem] > wu)
		wu = g->write_unit[g->secondary.mem];
	free(rig->old_img[0]);
	free(rig->new_img[0]);
	rig->old_img[0] = rig->new_img[0] = NULL;
	if (rig_image_at(old_payload, 1, 1, wu, ram, &rig->old_img[0],
			 &rig->old_len[0]) != 0)
		return -1;
	return rig_image_at(new_payload, 2, 2, wu, ram, &rig->new_img[0],
			    &rig->new_len[0]);
}

/*
 * Encrypted images (imgtool -E) on a configured rig: the old and new
 * images made again with the same payloads, encrypted for the test key of
 * scheme ("ecies-p256", "x25519" with AES-256, "rsa-oaep"), the device
 * key in the rig's keys. "SCHEME/shrink" swaps the two payload sizes, so
 * that the new image is the smaller one. The old images are production-programmed as
 * plaintext (rig->old_plain), the new ones sent encrypted. Returns 0 or
 * -1 (unknown scheme, key or signing failure).
 */
static struct fk_enc_key rig_enc_key;
static uint8_t rig_enc_device[FK_ENC_DEVICE_KEY_MAX];

static inline int rig_encrypt_image(uint32_t payload, uint32_t seed,
				    uint8_t major, uint32_t wu,
				    uint32_t aes_len, uint8_t **img,
				    uint8_t **plain, size_t *len)
{
	struct fk_rig_image_spec spec = {
		.payload_len = payload, .seed = seed,
		.version = { .major = major }, .hdr_size = 0x100,
		.align = wu, .key = &rig_key, .enc = &rig_enc_key,
		.enc_aes_len = aes_len,
	};

	free(*img);
	free(*plain);
	*img = *plain = NULL;
	return fk_rig_make_image_plain(&spec, img, plain, len);
}

/* Loads the test encryption key of scheme and makes it the rig's device
 * key. Returns 0 or -1. */
static inline int rig_device_key(const char *scheme)
{
	static const char *const names[][2] = {
		{ "ecies-p256", "enc-ecies-p256.pem" },
		{ "x25519", "enc-x25519.pem" },
		{ "rsa-oaep", "enc-rsa-2048.pem" },
	};
	const char *file = NULL;
	char path[1024];
	size_t dlen = 0;

	for (uint32_t i = 0; i < 3; i++)
		if (!strcmp(scheme, names[i][0]))
			file = names[i][1];
	if (!file)
		return -1;
	snprintf(path, sizeof(path), "%s/tests/data/mcuboot-images/%s",
		 getenv("FK_ROOT") ? getenv("FK_ROOT") : ".", file);
	fk_enc_key_free(&rig_enc_key);
	if (fk_enc_key_load(&rig_enc_key, path, NULL) != 0 ||
	    fk_enc_device_key(&rig_enc_key, rig_enc_device,
			      sizeof(rig_enc_device), &dlen) != 0)
		return -1;
	rig_keys.enc_key = rig_enc_device;
	rig_keys.enc_key_len = (uint32_t)dlen;
	return 0;
}

static inline int rig_encrypt(struct fk_rig *rig, enum rig_geo geo,
			      const char *scheme)
{
	const struct rig_geo_spec *g = &rig_geos[geo];
	uint32_t wu = g->write_unit[g->primary.mem];
	uint32_t old_payload = g->old_payload, new_payload = g->new_payload;
	const char *slash = strchr(scheme, '/');
	char name[32];
	uint32_t aes_len;

	snprintf(name, sizeof(name), "%.*s",
		 slash ? (int)(slash - scheme) : (int)strlen(scheme), scheme);
	if (slash && strcmp(slash, "/shrink"))
		return -1;
	if (slash) {
		old_payload = g->new_payload;
		new_payload = g->old_payload;
	}
	aes_len = strcmp(name, "x25519") ? 16 : 32;
	if (g->write_unit[g->secondary.mem] > wu)
		wu = g->write_unit[g->secondary.mem];
	if (rig_device_key(name) != 0)
		return -1;
	if (rig_encrypt_image(old_payload, 1, 1, wu, aes_len,
			      &rig->old_img[0], &rig->old_plain[0],
			      &rig->old_len[0]) != 0 ||
	    rig_encrypt_image(new_payload, 2, 2, wu, aes_len,
			      &rig->new_img[0], &rig->new_plain[0],
			      &rig->new_len[0]) != 0)
		return -1;
	if (rig->cfg.image_count > 1 &&
	    (rig_encrypt_image(g->old_payload2, 3, 1, wu, aes_len,
			       &rig->old_img[1], &rig->old_plain[1],
			       &rig->old_len[1]) != 0 ||
	     rig_encrypt_image(g->new_payload2, 4, 2, wu, aes_len,
			       &rig->new_img[1], &rig->new_plain[1],
			       &rig->new_len[1]) != 0))
		return -1;
	return 0;
}

#endif
