/*
 * The STM32F205 board's bootloader on the lite core end to end (seed
 * 003): boot_stm32f205_lite.elf, built by fk_boot_board_program(... CORE
 * lite) from examples/stm32f205-wiced-ota, run whole under Unicorn
 * (uc_boot.h) from its reset on the F2/F4 flash model (models/f4.c: the
 * app slot) and a 1 MiB SPI NOR chip (models/nor_chip.c, W25Q80DV) on
 * SPI1 (models/spi_stm32.c: the ota, factory and boot-state partitions),
 * as the board's drivers (ports/stm32/flash_f4.c, ports/nor) reach them.
 *
 * The host side writes what the application and the factory would: a
 * programmer's image in the app slot and in the factory partition, and
 * an update received through the update API (fk_update_begin/write/
 * finish, fk_boot_set_pending on the host's configuration of the same
 * layout, fk_layout_boot_config(), over the models' flash arrays). The
 * bootloader then boots the valid image, installs the staged one, or,
 * the app slot damaged, installs the factory image from the serial
 * flash; each run ends with the jump into the image's reset handler.
 * Both installs are also cut by a power failure at flash operations of
 * either memory (see "Power cuts" below), and the next boot must end in
 * the new image all the same.
 *
 * Usage: port_f205_lite_boot <boot_stm32f205_lite.elf> <flashkit>
 *        <layout.yaml>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flashkit/update.h"
#include "layout/boot_config.h"
#include "layout/layout.h"
#include "models/f4.h"
#include "models/nor_chip.h"
#include "models/spi_stm32.h"
#include "uc_boot.h"

#define MIB (1024u * 1024u)
#define IWDG_BASE 0x40003000u
#define RCC_BASE 0x40023800u
#define PAYLOAD 6000u
#define F4_FLASH 0x08000000u
/* Instructions a run may take: a boot that copies and checks the factory
 * image takes some 10 million; more is a board looping in recovery. */
#define BOOT_BUDGET 100000000u

static const char *boot_elf, *flashkit, *layout_path;
static char tmp[64];
static char after_cut[96]; /* the power cut before this boot, if any */
static struct fk_layout L;
static const struct fk_layout_partition *boot, *slot_app, *slot_factory;
static const struct fk_layout_image *app;

/* The board: the bootloader on its core, the internal flash, the serial
 * flash on SPI1. */
struct board {
	struct uc_boot *b;
	struct uc *uc;
	struct f4_model *flash;
	struct nor_chip *chip;
	struct spi_model *spi;
};

static void board_open(struct board *bd)
{
	const struct uc_boot_config cfg = {
		.elf = boot_elf,
		.cpu = "cortex-m3",
		.rom_base = boot->address,
		.rom_size = boot->size,
		.ram_base = app->ram[0].start,
		.ram_size = app->ram[0].size,
		.budget = BOOT_BUDGET,
	};
	/* STM32F205xG at 2.7-3.6 V: x32 programs */
	const struct f4_model_config fc = { .size = MIB, .max_psize = 2 };

	memset(bd, 0, sizeof(*bd));
	bd->b = uc_boot_create(&cfg);
	assert_non_null(bd->b);
	bd->uc = uc_boot_uc(bd->b);
	bd->flash = f4_model_attach(bd->uc, &fc);
	bd->chip = nor_chip_create(bd->uc, NOR_CHIP_W25Q80DV);
	assert_non_null(bd->flash);
	assert_non_null(bd->chip);
	bd->spi = spi_model_create(bd->uc, bd->chip, SPI1_F2_REGS,
				   GPIOA_F2_REGS, 4);
	assert_non_null(bd->spi);
	assert_non_null(
		uc_boot_memory(bd->b, "IWDG", IWDG_BASE, 0x400, NULL, NULL));
	assert_non_null(
		uc_boot_memory(bd->b, "RCC", RCC_BASE, 0x400, NULL, NULL));
}

static void board_close(struct board *bd)
{
	uc_boot_destroy(bd->b);
	spi_model_destroy(bd->spi);
	nor_chip_destroy(bd->chip);
	f4_model_free(bd->flash);
}

/* The flash of layout memory mem: the model's array behind it. */
static const struct fk_flash *flash_of(void *ctx, uint32_t mem, char *msg,
				       size_t len)
{
	struct board *bd = ctx;
	const char *name = L.memories[mem].name;

	if (strcmp(name, "flash") == 0)
		return fk_sim_flash(f4_model_sim(bd->flash));
	if (strcmp(name, "sflash") == 0)
		return fk_sim_flash(nor_chip_sim(bd->chip));
	snprintf(msg, len, "no model for memory %s", name);
	return NULL;
}

static void no_jump(void *ctx, const struct fk_boot_image_ref *refs,
		    uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

/* The application's configuration of the same layout, on the models. */
static void host_config(struct board *bd, struct fk_boot_config *cfg,
			uint8_t *buf, uint32_t buf_len)
{
	const struct fk_layout_flashes fl = { flash_of, bd };
	struct fk_diag d = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	if (fk_layout_boot_config(&L, &app, 1, &fl, cfg, &d) != 0)
		fail_msg("host configuration: %s", d.last_error);
	cfg->buf = buf;
	cfg->buf_len = buf_len;
	cfg->port.jump = no_jump;
}

/* A firmware whose vector table holds the top of the image's RAM and
 * the reset handler entry (inside the app slot), its digest only (the
 * board checks no key); *len its bytes. */
static uint8_t *image(const char *version, uint32_t entry, size_t *len)
{
	const struct uc_boot_firmware fw = {
		.flashkit = flashkit,
		.layout = layout_path,
		.dir = tmp,
		.image = "app",
		.version = version,
		.sp = app->ram[0].start + app->ram[0].size,
		.pc = entry,
		.size = PAYLOAD,
		.mul = 11,
		.add = (uint32_t)entry,
	};
	uint8_t *data = uc_boot_signed_image(&fw, len);

	assert_non_null(data);
	return data;
}

/* Reset handler entries of the test images, inside the app slot. */
static uint32_t entry(unsigned n)
{
	return slot_app->address + app->header_size + 0x100u * n + 1u;
}

/* Programs bytes at addr of a memory, as a programmer does. */
static void program(const struct fk_flash *f, uint32_t addr,
		    const uint8_t *data, size_t len)
{
	assert_int_equal(fk_flash_program(f, addr, data, (uint32_t)len), FK_OK);
}

static const struct fk_flash *internal(struct board *bd)
{
	return fk_sim_flash(f4_model_sim(bd->flash));
}

static const uint8_t *internal_at(struct board *bd, uint32_t addr)
{
	return fk_sim_data(f4_model_sim(bd->flash)) + (addr - F4_FLASH);
}

/* The image programmed into the app slot (the internal flash). */
static uint8_t *place_app(struct board *bd, const char *version, unsigned n,
			  size_t *len)
{
	uint8_t *img = image(version, entry(n), len);

	program(internal(bd), slot_app->address - F4_FLASH, img, *len);
	return img;
}

/* The image programmed into the factory partition (the serial flash). */
static uint8_t *place_factory(struct board *bd, const char *version, unsigned n,
			      size_t *len)
{
	uint8_t *img = image(version, entry(n), len);

	program(fk_sim_flash(nor_chip_sim(bd->chip)), slot_factory->address,
		img, *len);
	return img;
}

/* An update received by the application through the update API, in
 * three writes, and marked for a permanent install. */
static uint8_t *stage(struct board *bd, const char *version, unsigned n,
		      size_t *len)
{
	static uint8_t buf[512];
	struct fk_boot_config cfg;
	struct fk_update u;
	uint8_t *img = image(version, entry(n), len);
	uint32_t third = (uint32_t)*len / 3;

	host_config(bd, &cfg, buf, sizeof(buf));
	assert_int_equal(fk_update_begin(&u, &cfg, 0), FK_OK);
	assert_int_equal(fk_update_write(&u, 0, img, third), FK_OK);
	assert_int_equal(fk_update_write(&u, third, img + third, third), FK_OK);
	assert_int_equal(fk_update_write(&u, 2 * third, img + 2 * third,
					 (uint32_t)*len - 2 * third),
			 FK_OK);
	assert_int_equal(fk_update_finish(&u), FK_OK);
	assert_int_equal(fk_boot_set_pending(&cfg, 1u, FK_BOOT_PERMANENT),
			 FK_OK);
	return img;
}

/* A run from reset that must jump into the image whose entry is e, with
 * the stack pointer at the top of its RAM, leaving the flash controller
 * as a driver must. */
static void boot_into(struct board *bd, uint32_t e)
{
	struct uc_boot_exit x;

	uc_reboot(bd->uc);
	uc_boot_run(bd->b, boot->address, boot->address,
		    boot->address + boot->size, 0, &x);
	if (x.run != UC_RUN_EXIT)
		fail_msg("boot%s: %s at 0x%08x (%s)", after_cut,
			 uc_run_name(x.run), x.pc, uc_first_violation(bd->uc));
	assert_string_equal(uc_first_violation(bd->uc), "");
	assert_int_equal(x.pc, e & ~1u);
	assert_int_equal(x.msp, app->ram[0].start + app->ram[0].size);
	assert_int_equal(x.vtor, slot_app->address + app->header_size);
	assert_null(f4_model_idle(bd->flash));
}

static void test_boots_the_valid_image_in_the_app_slot(void **state)
{
	struct board bd;
	size_t len;
	uint8_t *v1;

	(void)state;
	board_open(&bd);
	v1 = place_app(&bd, "1.0.0", 1, &len);
	boot_into(&bd, entry(1));
	/* nothing installed, the same image again at the next reset */
	assert_memory_equal(internal_at(&bd, slot_app->address), v1, len);
	boot_into(&bd, entry(1));
	board_close(&bd);
	free(v1);
}

static void test_installs_an_update_staged_through_the_update_api(void **state)
{
	struct board bd;
	size_t len1, len2;
	uint8_t *v1, *v2;

	(void)state;
	board_open(&bd);
	v1 = place_app(&bd, "1.0.0", 1, &len1);
	v2 = stage(&bd, "2.0.0", 2, &len2);
	/* the update went to the serial flash, the app slot still holds v1 */
	assert_memory_equal(internal_at(&bd, slot_app->address), v1, len1);
	boot_into(&bd, entry(2));
	assert_memory_equal(internal_at(&bd, slot_app->address), v2, len2);
	/* installed for good: v2 at the next reset too */
	boot_into(&bd, entry(2));
	board_close(&bd);
	free(v1);
	free(v2);
}

static void test_damaged_app_falls_back_to_the_factory_image(void **state)
{
	struct board bd;
	size_t len1, lenf;
	uint8_t *v1, *fac;
	uint8_t zero = 0;

	(void)state;
	board_open(&bd);
	fac = place_factory(&bd, "0.9.0", 3, &lenf);
	v1 = place_app(&bd, "1.0.0", 1, &len1);
	boot_into(&bd, entry(1));
	/* a bit of the app's payload flips to 0: its digest fails */
	program(internal(&bd),
		slot_app->address - F4_FLASH + app->header_size + 0x400u, &zero,
		1);
	boot_into(&bd, entry(3));
	assert_memory_equal(internal_at(&bd, slot_app->address), fac, lenf);
	/* the factory image stays where it was (the next fallback's) */
	assert_memory_equal(fk_sim_data(nor_chip_sim(bd.chip)) +
				    slot_factory->address,
			    fac, lenf);
	boot_into(&bd, entry(3));
	board_close(&bd);
	free(v1);
	free(fac);
}

/* An app slot never programmed: the factory image is installed. */
static void test_empty_app_slot_gets_the_factory_image(void **state)
{
	struct board bd;
	size_t lenf;
	uint8_t *fac;

	(void)state;
	board_open(&bd);
	fac = place_factory(&bd, "0.9.0", 3, &lenf);
	boot_into(&bd, entry(3));
	assert_memory_equal(internal_at(&bd, slot_app->address), fac, lenf);
	board_close(&bd);
	free(fac);
}

/*
 * Power cuts: the board prepared for an install (the factory fallback or
 * a staged update), both flash arrays saved; then for each cut, the
 * arrays restored, one cut scheduled at an operation of the boot on one
 * memory (before it, after it, or tearing it), the boot run until the
 * power fails, and a boot from reset that must end in the expected image,
 * the app slot holding it byte for byte. Every operation of the serial
 * flash is cut; of the internal flash (the copy: an erase and some 1,500
 * word programs) the first and last 8 and every 200th, or every one with
 * FK_SWEEP_FULL=1 in the environment.
 */
struct sweep {
	struct board bd;
	struct fk_sim *sims[2]; /* the internal flash, the serial flash */
	struct fk_sim_snapshot *saved[2];
	uint64_t ops[2];    /* operations of one uninterrupted boot */
	uint32_t e;	    /* the entry the boots must end in */
	const uint8_t *img; /* what the app slot must then hold */
	size_t len;
	unsigned cuts;
};

static void sweep_restore(struct sweep *sw)
{
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_restore(sw->sims[m], sw->saved[m]);
	nor_chip_reset(sw->bd.chip);
}

/* Saves the prepared board and counts one boot's operations. */
static void sweep_open(struct sweep *sw, uint32_t e, const uint8_t *img,
		       size_t len)
{
	sw->sims[0] = f4_model_sim(sw->bd.flash);
	sw->sims[1] = nor_chip_sim(sw->bd.chip);
	for (int m = 0; m < 2; m++) {
		sw->saved[m] = fk_sim_snapshot_take(sw->sims[m]);
		assert_non_null(sw->saved[m]);
		sw->ops[m] = fk_sim_op_index(sw->sims[m]);
	}
	sw->e = e;
	sw->img = img;
	sw->len = len;
	boot_into(&sw->bd, e);
	for (int m = 0; m < 2; m++)
		sw->ops[m] = fk_sim_op_index(sw->sims[m]) - sw->ops[m];
}

static void sweep_close(struct sweep *sw)
{
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_free(sw->saved[m]);
	board_close(&sw->bd);
}

/* One cut at operation op of memory m, then the boot that must end well. */
static void cut_at(struct sweep *sw, int m, uint64_t op, enum fk_cut_kind kind)
{
	struct uc_boot_exit x;
	struct board *bd = &sw->bd;

	sweep_restore(sw);
	fk_sim_schedule_cut(sw->sims[m], fk_sim_op_index(sw->sims[m]) + op,
			    kind, FK_TEAR_SEEDED, op * 3u + (uint64_t)kind);
	uc_reboot(bd->uc);
	uc_boot_run(bd->b, boot->address, boot->address,
		    boot->address + boot->size, 0, &x);
	if (x.run != UC_RUN_POWER)
		fail_msg(
			"cut at %s operation %llu (kind %d): %s at 0x%08x (%s)",
			m ? "serial flash" : "internal flash",
			(unsigned long long)op, (int)kind, uc_run_name(x.run),
			x.pc, uc_first_violation(bd->uc));
	for (int i = 0; i < 2; i++) {
		fk_sim_cancel_cut(sw->sims[i]);
		fk_sim_reboot(sw->sims[i]);
	}
	nor_chip_reset(bd->chip);
	snprintf(after_cut, sizeof(after_cut),
		 " after a cut at %s operation %llu (kind %d)",
		 m ? "serial flash" : "internal flash", (unsigned long long)op,
		 (int)kind);
	boot_into(bd, sw->e);
	assert_memory_equal(internal_at(bd, slot_app->address), sw->img,
			    sw->len);
	after_cut[0] = '\0';
	sw->cuts++;
}

static bool sampled(uint64_t op, uint64_t n)
{
	const char *full = getenv("FK_SWEEP_FULL");

	return (full && strcmp(full, "1") == 0) || op < 8 || op + 8 >= n ||
	       op % 200 == 0;
}

static void sweep_run(struct sweep *sw, const char *what)
{
	for (int m = 0; m < 2; m++)
		for (uint64_t op = 0; op < sw->ops[m]; op++)
			if (m == 1 || sampled(op, sw->ops[m]))
				for (int k = FK_CUT_BEFORE; k <= FK_CUT_TORN;
				     k++)
					cut_at(sw, m, op, (enum fk_cut_kind)k);
	printf("%s: %u cuts (of %llu + %llu operations), each booted the "
	       "expected image\n",
	       what, sw->cuts, (unsigned long long)sw->ops[0],
	       (unsigned long long)sw->ops[1]);
}

static void test_factory_install_survives_power_cuts(void **state)
{
	struct sweep sw = { 0 };
	size_t len1, lenf;
	uint8_t *v1, *fac;
	uint8_t zero = 0;

	(void)state;
	board_open(&sw.bd);
	fac = place_factory(&sw.bd, "0.9.0", 3, &lenf);
	v1 = place_app(&sw.bd, "1.0.0", 1, &len1);
	program(internal(&sw.bd),
		slot_app->address - F4_FLASH + app->header_size + 0x400u, &zero,
		1);
	sweep_open(&sw, entry(3), fac, lenf);
	sweep_run(&sw, "factory fallback");
	sweep_close(&sw);
	free(v1);
	free(fac);
}

static void test_update_install_survives_power_cuts(void **state)
{
	struct sweep sw = { 0 };
	size_t len1, len2;
	uint8_t *v1, *v2;

	(void)state;
	board_open(&sw.bd);
	v1 = place_app(&sw.bd, "1.0.0", 1, &len1);
	v2 = stage(&sw.bd, "2.0.0", 2, &len2);
	sweep_open(&sw, entry(2), v2, len2);
	sweep_run(&sw, "update");
	sweep_close(&sw);
	free(v1);
	free(v2);
}

static int load_layout(void **state)
{
	(void)state;
	if (uc_boot_fixture_open(&L, layout_path, tmp, "f205_lite") != 0)
		return -1;
	boot = fk_layout_find_partition(&L, "bootloader");
	slot_app = fk_layout_find_partition(&L, "app");
	slot_factory = fk_layout_find_partition(&L, "factory");
	app = fk_layout_find_image(&L, "app");
	if (!boot || !slot_app || !slot_factory || !app || !app->ram_count)
		return -1;
	return 0;
}

static int unload_layout(void **state)
{
	(void)state;
	return uc_boot_fixture_close(&L, tmp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boots_the_valid_image_in_the_app_slot),
		cmocka_unit_test(
			test_installs_an_update_staged_through_the_update_api),
		cmocka_unit_test(
			test_damaged_app_falls_back_to_the_factory_image),
		cmocka_unit_test(test_empty_app_slot_gets_the_factory_image),
		cmocka_unit_test(test_factory_install_survives_power_cuts),
		cmocka_unit_test(test_update_install_survives_power_cuts),
	};

	if (argc != 4) {
		fprintf(stderr,
			"usage: %s boot_stm32f205_lite.elf flashkit "
			"layout.yaml\n",
			argv[0]);
		return 2;
	}
	boot_elf = argv[1];
	flashkit = argv[2];
	layout_path = argv[3];
	return cmocka_run_group_tests(tests, load_layout, unload_layout);
}
