/*
 * The shared boot configuration (qemu_boot_cfg.h); built with
 * QB_RAM_LOAD, that of qemu_ramload_layout.yaml.
 */
#include <mbedtls/memory_buffer_alloc.h>

#include "qemu_boot_cfg.h"

#include "fk_crypto_mbedtls.h"

extern const struct fk_image_key test_key_ecdsa;

static const struct fk_sector_run qb_runs[] = { { 64, 4096 } };

const struct fk_flash_geometry qb_geo = {
	.base = QB_FLASH_BASE,
	.size = 64 * 4096,
	.runs = qb_runs,
	.run_count = 1,
	.write_unit = 8,
	.erased_value = 0xFF,
};

static struct fk_image_keys keys = { .crypto = &fk_crypto_mbedtls, .keys = NULL, .count = 1 };
static uint8_t buf[4096];
static uint8_t mbedtls_heap[16 * 1024]; /* ECDSA verification's memory */

void qb_config(struct fk_boot_config *cfg, const struct fk_flash *flash)
{
	mbedtls_memory_buffer_alloc_init(mbedtls_heap, sizeof(mbedtls_heap));
	keys.keys = &test_key_ecdsa;
	cfg->image_count = 1;
	fk_area_init(&cfg->state, flash, 0x0000, 0x1000);
	fk_area_init(&cfg->images[0].primary, flash, QB_PRIMARY_OFF, 0x10000);
#ifdef QB_RAM_LOAD
	/* qemu_ramload_layout.yaml: the image runs from app-load */
	cfg->strategy = FK_BOOT_RAM_LOAD;
	fk_area_init(&cfg->images[0].secondary, flash, 0x14000, 0x10000);
	cfg->images[0].ram = (struct fk_boot_ram){ 0x20000000u, 0x20000u,
						   (uint8_t *)0x20000000u };
#else
	cfg->strategy = FK_BOOT_SWAP;
	fk_area_init(&cfg->images[0].secondary, flash, 0x14000, 0x11000);
#endif
	cfg->trial_boots = 1;
	cfg->keys = &keys;
	cfg->check_security_counter = true;
	cfg->buf = buf;
	cfg->buf_len = sizeof(buf);
}

int qb_has_word(const char *s, const char *w)
{
	while (*s) {
		const char *a = s, *b = w;

		while (*a && *a != ' ' && *a == *b)
			a++, b++;
		if ((*a == '\0' || *a == ' ') && *b == '\0')
			return 1;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return 0;
}
