/*
 * The STM32F205 board's bootloader end to end (seed 003):
 * boot_stm32f205_lite.elf, built by fk_boot_board_program(... CORE
 * lite) from examples/stm32f205-wiced-ota, or boot_stm32f205.elf, the
 * same board on the full core (fk_boot()), run whole under Unicorn from
 * its reset on the board's flash models (f205_board.h: the F2/F4 flash
 * for the app slot, a W25Q80DV on SPI1 for the ota, factory and
 * boot-state partitions).
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
 * either memory (f205_board.h, "Power cuts"), and the next boot must end
 * in the new image all the same.
 *
 * Usage: port_f205[_lite]_boot <boot_stm32f205[_lite].elf> <flashkit>
 *        <layout.yaml>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "f205_board.h"
#include "flashkit/update.h"
#include "layout/boot_config.h"

/* The flash of layout memory mem: the model's array behind it. */
static const struct fk_flash *flash_of(void *ctx, uint32_t mem, char *msg,
				       size_t len)
{
	struct f205_board *bd = ctx;
	const char *name = f205.L.memories[mem].name;

	if (strcmp(name, "flash") == 0)
		return f205_internal(bd);
	if (strcmp(name, "sflash") == 0)
		return f205_serial(bd);
	snprintf(msg, len, "no model for memory %s", name);
	return NULL;
}

/* The application's configuration of the same layout, on the models. */
static void host_config(struct f205_board *bd, struct fk_boot_config *cfg,
			uint8_t *buf, uint32_t buf_len)
{
	const struct fk_layout_flashes fl = { flash_of, bd };
	struct fk_diag d = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	if (fk_layout_boot_config(&f205.L, &f205.app, 1, &fl, cfg, &d) != 0)
		fail_msg("host configuration: %s", d.last_error);
	cfg->buf = buf;
	cfg->buf_len = buf_len;
	cfg->port.jump = uc_boot_no_jump;
}

/* An update received by the application through the update API, in
 * three writes, and marked for a permanent install. */
static uint8_t *stage(struct f205_board *bd, const char *version, unsigned n,
		      size_t *len)
{
	static uint8_t buf[512];
	struct fk_boot_config cfg;
	struct fk_update u;
	uint8_t *img = f205_image(version, f205_entry(n), len);
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

static void test_boots_the_valid_image_in_the_app_slot(void **state)
{
	struct f205_board bd;
	size_t len;
	uint8_t *v1;

	(void)state;
	f205_board_open(&bd, true);
	v1 = f205_place_app(&bd, "1.0.0", 1, &len);
	f205_boot_into(&bd, f205_entry(1));
	/* nothing installed, the same image again at the next reset */
	assert_memory_equal(f205_internal_at(&bd, f205.slot_app->address), v1,
			    len);
	f205_boot_into(&bd, f205_entry(1));
	f205_board_close(&bd);
	free(v1);
}

static void test_installs_an_update_staged_through_the_update_api(void **state)
{
	struct f205_board bd;
	size_t len1, len2;
	uint8_t *v1, *v2;

	(void)state;
	f205_board_open(&bd, true);
	v1 = f205_place_app(&bd, "1.0.0", 1, &len1);
	v2 = stage(&bd, "2.0.0", 2, &len2);
	/* the update went to the serial flash, the app slot still holds v1 */
	assert_memory_equal(f205_internal_at(&bd, f205.slot_app->address), v1,
			    len1);
	f205_boot_into(&bd, f205_entry(2));
	assert_memory_equal(f205_internal_at(&bd, f205.slot_app->address), v2,
			    len2);
	/* installed for good: v2 at the next reset too */
	f205_boot_into(&bd, f205_entry(2));
	f205_board_close(&bd);
	free(v1);
	free(v2);
}

/* A byte of the app's payload, past its vector table and inside the
 * sweeps' smaller images too (F205_SWEEP_PAYLOAD), goes to 0: its
 * digest fails. */
static void damage_app(struct f205_board *bd)
{
	uint8_t zero = 0;

	f205_program(f205_internal(bd),
		     f205.slot_app->address - F205_FLASH +
			     f205.app->header_size + 0x20u,
		     &zero, 1);
}

static void test_damaged_app_falls_back_to_the_factory_image(void **state)
{
	struct f205_board bd;
	size_t len1, lenf;
	uint8_t *v1, *fac;

	(void)state;
	f205_board_open(&bd, true);
	fac = f205_place_factory(&bd, "0.9.0", 3, &lenf);
	v1 = f205_place_app(&bd, "1.0.0", 1, &len1);
	f205_boot_into(&bd, f205_entry(1));
	damage_app(&bd);
	f205_boot_into(&bd, f205_entry(3));
	assert_memory_equal(f205_internal_at(&bd, f205.slot_app->address), fac,
			    lenf);
	/* the factory image stays where it was (the next fallback's) */
	assert_memory_equal(f205_serial_at(&bd, f205.slot_factory->address),
			    fac, lenf);
	f205_boot_into(&bd, f205_entry(3));
	f205_board_close(&bd);
	free(v1);
	free(fac);
}

/* An app slot never programmed: the factory image is installed. */
static void test_empty_app_slot_gets_the_factory_image(void **state)
{
	struct f205_board bd;
	size_t lenf;
	uint8_t *fac;

	(void)state;
	f205_board_open(&bd, true);
	fac = f205_place_factory(&bd, "0.9.0", 3, &lenf);
	f205_boot_into(&bd, f205_entry(3));
	assert_memory_equal(f205_internal_at(&bd, f205.slot_app->address), fac,
			    lenf);
	f205_board_close(&bd);
	free(fac);
}

static void test_factory_install_survives_power_cuts(void **state)
{
	struct f205_board bd;
	struct f205_sweep sw = { .bd = &bd };
	size_t len1, lenf;
	uint8_t *v1, *fac;

	(void)state;
	f205.payload = f205_sweep_payload();
	f205_board_open(&bd, true);
	fac = f205_place_factory(&bd, "0.9.0", 3, &lenf);
	v1 = f205_place_app(&bd, "1.0.0", 1, &len1);
	damage_app(&bd);
	f205_sweep_open(&sw, f205_entry(3), fac, lenf);
	f205_sweep_run(&sw, "factory fallback");
	f205_sweep_close(&sw);
	f205_board_close(&bd);
	free(v1);
	free(fac);
	f205.payload = 0;
}

static void test_update_install_survives_power_cuts(void **state)
{
	struct f205_board bd;
	struct f205_sweep sw = { .bd = &bd };
	size_t len1, len2;
	uint8_t *v1, *v2;

	(void)state;
	f205.payload = f205_sweep_payload();
	f205_board_open(&bd, true);
	v1 = f205_place_app(&bd, "1.0.0", 1, &len1);
	v2 = stage(&bd, "2.0.0", 2, &len2);
	f205_sweep_open(&sw, f205_entry(2), v2, len2);
	f205_sweep_run(&sw, "update");
	f205_sweep_close(&sw);
	f205_board_close(&bd);
	free(v1);
	free(v2);
	f205.payload = 0;
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
			"usage: %s boot_stm32f205[_lite].elf flashkit "
			"layout.yaml\n",
			argv[0]);
		return 2;
	}
	f205.elf = argv[1];
	f205.flashkit = argv[2];
	f205.layout = argv[3];
	f205.name = strstr(argv[1], "_lite") ? "f205_lite" : "f205";
	return cmocka_run_group_tests(tests, f205_setup, f205_teardown);
}
