/*
 * The configuration check of a board bootloader, at build time: the lite
 * core (fk_boot_lite) no longer runs fk_boot_check_config(), so every
 * board bootloader's generated configuration (the boot_config.c of
 * `flashkit layout gen`) is compiled for the host with the bootloader's
 * own build-time sizes (FK_BOOT_MAX_IMAGES, FK_BOOT_MAX_MODULES and
 * FK_BOOT_BUF, as fk_boot_board_program() gives them to boot_main.c),
 * filled as ports/boot/boot_main.c fills it (its copy buffer, the hooks,
 * the key port when the board checks a key), and judged by
 * fk_boot_config_why(). Each memory the configuration asks the board for
 * (fk_boot_flash_<memory>(), written by board_config_stubs.cmake) is a
 * flash of exactly the geometry asked: the check reads no flash, so its
 * operations fail.
 *
 * Usage: boot_config_check_<board> <board name>
 * Prints "<board>: configuration ok", or the rule it breaks
 * (fk_boot_config_problem_text) and where, and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "boot_port.h"

#ifndef FK_BOOT_BUF
#define FK_BOOT_BUF 512 /* boot_main.c's default */
#endif

#define MAX_MEMORIES 8

static int no_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	(void)flash;
	(void)off;
	(void)buf;
	(void)len;
	return FK_EIO;
}

static int no_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	(void)flash;
	(void)off;
	(void)buf;
	(void)len;
	return FK_EIO;
}

static int no_erase(const struct fk_flash *flash, uint32_t off,
		    uint32_t sector_size)
{
	(void)flash;
	(void)off;
	(void)sector_size;
	return FK_EIO;
}

static const struct fk_flash_ops no_ops = { no_read, no_program, no_erase };
static struct fk_flash memories[MAX_MEMORIES];
static unsigned memory_count;

const struct fk_flash *board_check_flash(const struct fk_flash_geometry *geo);

/* The flash a board gives for geometry geo: that geometry. */
const struct fk_flash *board_check_flash(const struct fk_flash_geometry *geo)
{
	if (memory_count == MAX_MEMORIES)
		return NULL;
	memories[memory_count] =
		(struct fk_flash){ .geo = *geo, .ops = &no_ops };
	return &memories[memory_count++];
}

static void jump(void *ctx, const struct fk_boot_image_ref *refs,
		 uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

static void recovery(void *ctx, int reason)
{
	(void)ctx;
	(void)reason;
}

/* The board's key port stands here: the check asks only that there is
 * one (FK_BOOT_CONFIG_NO_CRYPTO). */
static const struct fk_crypto_port some_crypto;
static const struct fk_image_keys keys = { .crypto = &some_crypto };

/* The rule broken, the area it is about and the figures, when given. */
static void report(const char *name, const struct fk_boot_config_why *why)
{
	const char *area = fk_boot_area_name(why->area);

	fprintf(stderr,
		"%s: the layout's boot configuration breaks a rule of "
		"fk_boot_check_config(): %s",
		name, fk_boot_config_problem_text(why->problem));
	if (area[0])
		fprintf(stderr, " (%s of image %u)", area,
			(unsigned)why->image);
	if (why->need || why->have)
		fprintf(stderr, " (needs %u, has %u)", (unsigned)why->need,
			(unsigned)why->have);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	static uint8_t buf[FK_BOOT_BUF];
	struct fk_boot_config cfg = { 0 };
	struct fk_boot_config_why why;
	const char *name = argc > 1 ? argv[1] : "bootloader";

	cfg.check_security_counter = true;
	cfg.buf = buf;
	cfg.buf_len = sizeof(buf);
	cfg.port.jump = jump;
	cfg.port.recovery = recovery;
#ifdef BOARD_CHECK_KEYS
	cfg.keys = &keys;
#else
	(void)keys;
#endif
	if (fk_boot_layout_config(&cfg) != FK_OK) {
		fprintf(stderr, "%s: fk_boot_layout_config() failed\n", name);
		return 1;
	}
	if (fk_boot_config_why(&cfg, &why) != FK_OK) {
		report(name, &why);
		return 1;
	}
	printf("%s: configuration ok\n", name);
	return 0;
}
