/*
 * The STM32F205 board of seed 003 under Unicorn (f205_board.h): its
 * models set up, the test images, the boots from reset and the power-cut
 * sweep of a boot that the F205 bootloader tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "f205_board.h"

#define MIB (1024u * 1024u)

struct f205_env f205;
static char after_cut[128]; /* the power cut before this boot, if any */

int f205_setup(void **state)
{
	struct f205_env *e = &f205;

	(void)state;
	if (uc_boot_fixture_open(&e->L, e->layout, e->tmp, e->name) != 0)
		return -1;
	e->boot = fk_layout_find_partition(&e->L, "bootloader");
	e->slot_app = fk_layout_find_partition(&e->L, "app");
	e->slot_ota = fk_layout_find_partition(&e->L, "ota");
	e->slot_factory = fk_layout_find_partition(&e->L, "factory");
	e->app = fk_layout_find_image(&e->L, "app");
	if (!e->boot || !e->slot_app || !e->slot_ota || !e->slot_factory ||
	    !e->app || !e->app->ram_count)
		return -1;
	return 0;
}

int f205_teardown(void **state)
{
	(void)state;
	return uc_boot_fixture_close(&f205.L, f205.tmp);
}

void f205_board_open(struct f205_board *bd, bool rcc)
{
	const struct uc_boot_config cfg = {
		.elf = f205.elf,
		.cpu = "cortex-m3",
		.rom_base = f205.boot->address,
		.rom_size = f205.boot->size,
		.ram_base = f205.app->ram[0].start,
		.ram_size = f205.app->ram[0].size,
		.budget = F205_BOOT_BUDGET,
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
		uc_boot_memory(bd->b, "IWDG", F205_IWDG, 0x400, NULL, NULL));
	if (rcc)
		assert_non_null(uc_boot_memory(bd->b, "RCC", F205_RCC, 0x400,
					       NULL, NULL));
}

void f205_board_close(struct f205_board *bd)
{
	uc_boot_destroy(bd->b);
	spi_model_destroy(bd->spi);
	nor_chip_destroy(bd->chip);
	f4_model_free(bd->flash);
}

const struct fk_flash *f205_internal(struct f205_board *bd)
{
	return fk_sim_flash(f4_model_sim(bd->flash));
}

const uint8_t *f205_internal_at(struct f205_board *bd, uint32_t addr)
{
	return fk_sim_data(f4_model_sim(bd->flash)) + (addr - F205_FLASH);
}

const struct fk_flash *f205_serial(struct f205_board *bd)
{
	return fk_sim_flash(nor_chip_sim(bd->chip));
}

const uint8_t *f205_serial_at(struct f205_board *bd, uint32_t off)
{
	return fk_sim_data(nor_chip_sim(bd->chip)) + off;
}

uint32_t f205_entry(unsigned n)
{
	return f205.slot_app->address + f205.app->header_size + 0x100u * n + 1u;
}

uint8_t *f205_image(const char *version, uint32_t e, size_t *len)
{
	const struct uc_boot_firmware fw = {
		.flashkit = f205.flashkit,
		.layout = f205.layout,
		.key = f205.key,
		.dir = f205.tmp,
		.image = "app",
		.version = version,
		.sp = f205.app->ram[0].start + f205.app->ram[0].size,
		.pc = e,
		.size = f205.payload ? f205.payload : F205_PAYLOAD,
		.mul = 11,
		.add = e,
	};
	uint8_t *data = uc_boot_signed_image(&fw, len);

	assert_non_null(data);
	return data;
}

void f205_program(const struct fk_flash *f, uint32_t addr, const uint8_t *data,
		  size_t len)
{
	assert_int_equal(fk_flash_program(f, addr, data, (uint32_t)len), FK_OK);
}

uint8_t *f205_place_app(struct f205_board *bd, const char *version, unsigned n,
			size_t *len)
{
	uint8_t *img = f205_image(version, f205_entry(n), len);

	f205_program(f205_internal(bd), f205.slot_app->address - F205_FLASH,
		     img, *len);
	return img;
}

uint8_t *f205_place_factory(struct f205_board *bd, const char *version,
			    unsigned n, size_t *len)
{
	uint8_t *img = f205_image(version, f205_entry(n), len);

	f205_program(f205_serial(bd), f205.slot_factory->address, img, *len);
	return img;
}

void f205_boot_into(struct f205_board *bd, uint32_t e)
{
	const struct fk_layout_partition *boot = f205.boot;
	const struct fk_layout_image *app = f205.app;
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
	assert_int_equal(x.vtor, f205.slot_app->address + app->header_size);
	assert_null(f4_model_idle(bd->flash));
}

/* ---- power cuts ---- */

void f205_sweep_restore(struct f205_sweep *sw)
{
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_restore(sw->sims[m], sw->saved[m]);
	nor_chip_reset(sw->bd->chip);
}

void f205_sweep_open(struct f205_sweep *sw, uint32_t e, const uint8_t *img,
		     size_t len)
{
	sw->sims[0] = f4_model_sim(sw->bd->flash);
	sw->sims[1] = nor_chip_sim(sw->bd->chip);
	for (int m = 0; m < 2; m++) {
		sw->saved[m] = fk_sim_snapshot_take(sw->sims[m]);
		assert_non_null(sw->saved[m]);
		sw->ops[m] = fk_sim_op_index(sw->sims[m]);
	}
	sw->e = e;
	sw->img = img;
	sw->len = len;
	f205_boot_into(sw->bd, e);
	for (int m = 0; m < 2; m++)
		sw->ops[m] = fk_sim_op_index(sw->sims[m]) - sw->ops[m];
}

void f205_sweep_close(struct f205_sweep *sw)
{
	for (int m = 0; m < 2; m++)
		fk_sim_snapshot_free(sw->saved[m]);
}

void f205_power_back(struct f205_board *bd, const char *what)
{
	struct fk_sim *sims[2] = { f4_model_sim(bd->flash),
				   nor_chip_sim(bd->chip) };

	for (int i = 0; i < 2; i++) {
		fk_sim_cancel_cut(sims[i]);
		fk_sim_reboot(sims[i]);
	}
	nor_chip_reset(bd->chip);
	snprintf(after_cut, sizeof(after_cut), " after a cut at %s", what);
}

void f205_cut_done(void)
{
	after_cut[0] = '\0';
}

/* One cut at operation op of memory m, then the boot that must end well. */
static void cut_at(struct f205_sweep *sw, int m, uint64_t op,
		   enum fk_cut_kind kind)
{
	const struct fk_layout_partition *boot = f205.boot;
	struct uc_boot_exit x;
	struct f205_board *bd = sw->bd;
	char what[64];

	snprintf(what, sizeof(what), "%s operation %llu (kind %d)",
		 m ? "serial flash" : "internal flash", (unsigned long long)op,
		 (int)kind);
	f205_sweep_restore(sw);
	fk_sim_schedule_cut(sw->sims[m], fk_sim_op_index(sw->sims[m]) + op,
			    kind, FK_TEAR_SEEDED, op * 3u + (uint64_t)kind);
	uc_reboot(bd->uc);
	uc_boot_run(bd->b, boot->address, boot->address,
		    boot->address + boot->size, 0, &x);
	if (x.run != UC_RUN_POWER)
		fail_msg("cut at %s: %s at 0x%08x (%s)", what,
			 uc_run_name(x.run), x.pc, uc_first_violation(bd->uc));
	f205_power_back(bd, what);
	f205_boot_into(bd, sw->e);
	assert_memory_equal(f205_internal_at(bd, f205.slot_app->address),
			    sw->img, sw->len);
	f205_cut_done();
	sw->cuts++;
}

uint32_t f205_sweep_payload(void)
{
	const char *full = getenv("FK_SWEEP_FULL");

	return full && strcmp(full, "1") == 0 ? F205_PAYLOAD :
						F205_SWEEP_PAYLOAD;
}

void f205_sweep_run(struct f205_sweep *sw, const char *what)
{
	for (int m = 0; m < 2; m++)
		for (uint64_t op = 0; op < sw->ops[m]; op++)
			for (int k = FK_CUT_BEFORE; k <= FK_CUT_TORN; k++)
				cut_at(sw, m, op, (enum fk_cut_kind)k);
	printf("%s (%zu-byte image): %u cuts of %llu operations (%llu "
	       "internal + %llu serial flash), every one before, after and "
	       "torn, each booted the expected image\n",
	       what, sw->len, sw->cuts,
	       (unsigned long long)(sw->ops[0] + sw->ops[1]),
	       (unsigned long long)sw->ops[0], (unsigned long long)sw->ops[1]);
}
