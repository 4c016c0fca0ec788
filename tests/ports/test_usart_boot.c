/*
 * Serial recovery on the STM32L476 end to end: the board's bootloader
 * (boot_stm32l4.elf, built by fk_boot_board_program from
 * examples/stm32l4-devinfo with ports/boot/boot_serial.c and the USART
 * driver) run whole under Unicorn (uc_boot.h) on the L4 flash model
 * (models/l4.c) and the USART model (models/usart.c). Nothing in the
 * flash: the bootloader enters recovery mode and opens USART2; the
 * host's side of `flashkit upload` (host/transport/client.h) talks to it
 * through the model's line: IDENTIFY, the upload of an image signed by
 * `flashkit image sign`, FINISH, REBOOT. The image lands in the staging
 * slot; the next run from reset installs it and jumps into it.
 *
 * The client's byte stream runs the emulated core (usart_line.h): a
 * read resumes the core until the model hands control back (its reply
 * sent, or the line idle), so the whole exchange is one thread and
 * deterministic.
 *
 * Usage: port_usart_boot <boot_stm32l4.elf> <flashkit> <layout.yaml>
 *        <key.pem>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/pending.h"
#include "layout/layout.h"
#include "models/l4.h"
#include "uc_boot.h"
#include "usart_line.h"

#define MIB (1024u * 1024u)
#define IWDG_BASE 0x40003000u
#define PAYLOAD 6000u

static const char *boot_elf, *flashkit, *layout_path, *key_path;
static char tmp[64];
static struct fk_layout L;
static const struct fk_layout_partition *boot, *slot_a;
static const struct fk_layout_image *app;
static struct fk_pending_window staging; /* where uploads land */

/* USART2 of the NUCLEO-L476RG as ports/stm32/usart_boards.c sets it up,
 * with GPIOA's and the RCC's reset values. */
static const struct usart_model_config usart2 = {
	"USART2",    USART_MODEL_ISR, 0x40004400u, 4000000u,	115200,
	0x40021000u, 0x40021058u,     1u << 17,	   0x48000000u, 0x4002104Cu,
	1u << 0,     0xABFFFFFFu,     0x64000000u, 2,		3,
	7,	     "RM0351 ch. 40"
};

/* The board: the bootloader on its core, the flash and the line (a
 * reset at l.reset_at boots back into recovery mode). */
struct board {
	struct uc_boot *b;
	struct uc *uc;
	struct l4_model *flash;
	struct usart_model *line;
	struct usart_line l;
};

static void power_cycle(void *ctx);

static void board_open(struct board *bd)
{
	memset(bd, 0, sizeof(*bd));
	bd->b = uc_boot_create_for(boot_elf, "cortex-m4", boot, app);
	assert_non_null(bd->b);
	bd->uc = uc_boot_uc(bd->b);
	bd->flash = l4_model_create(bd->uc, MIB, MIB / 2);
	bd->line = usart_model_create(bd->uc, &usart2);
	assert_non_null(bd->flash);
	assert_non_null(bd->line);
	assert_non_null(
		uc_boot_memory(bd->b, "IWDG", IWDG_BASE, 0x400, NULL, NULL));
	bd->l = (struct usart_line){ .b = bd->b,
				     .uc = bd->uc,
				     .m = bd->line,
				     .lo = boot->address,
				     .hi = boot->address + boot->size,
				     .power_cycle = power_cycle,
				     .ctx = bd };
}

static void board_close(struct board *bd)
{
	usart_model_destroy(bd->line);
	l4_model_destroy(bd->flash);
	uc_boot_destroy(bd->b);
}

static const uint8_t *flash_at(struct board *bd, uint32_t addr)
{
	return fk_sim_data(l4_model_sim(bd->flash)) + (addr - L4_MODEL_FLASH);
}

/* A firmware whose vector table holds the top of the image's RAM and a
 * reset handler inside it, signed by flashkit for the layout's image.
 * Returns the file's bytes; *entry the reset handler's address. */
static uint8_t *signed_image(size_t *len, uint32_t *entry)
{
	uint32_t vt = slot_a->address + app->header_size;
	struct uc_boot_firmware fw = {
		.flashkit = flashkit,
		.layout = layout_path,
		.key = key_path,
		.dir = tmp,
		.image = "app",
		.version = "1.2.3",
		.sp = app->ram[0].start + app->ram[0].size,
		.pc = vt + 0x101u,
		.size = PAYLOAD,
		.mul = 13,
		.add = 5,
	};
	uint8_t *data = uc_boot_signed_image(&fw, len);

	assert_non_null(data);
	*entry = fw.pc;
	return data;
}

/* From reset with nothing to boot: the core polls USART2 in recovery
 * mode and the model hands back. */
static void boot_into_recovery(struct board *bd)
{
	usart_line_recovery(&bd->l);
	/* USART2 on: UE, RE, TE; 115200 baud from the 4 MHz MSI */
	assert_int_equal(usart_model_cr1(bd->line) & 0xDu, 0xDu);
	assert_int_equal(usart_model_brr(bd->line), 35);
}

/* The device reset at a hand-back: it boots back into recovery mode. */
static void power_cycle(void *ctx)
{
	struct board *bd = ctx;

	uc_reboot(bd->uc);
	boot_into_recovery(bd);
}

/* The host's side: IDENTIFY (the bootloader answers), then the upload
 * of img (usart_line_upload); the staging window then holds img. */
static void upload(struct board *bd, struct fk_tp_client *c,
		   struct fk_tp_upload *u, const uint8_t *img, size_t len)
{
	usart_line_upload(&bd->l, c, u, img, len);
	/* the image is in the staging window, byte for byte */
	assert_memory_equal(flash_at(bd, (uint32_t)staging.addr), img, len);
}

/* A run from reset that must jump into the image: its reset handler
 * entry, with its stack pointer. */
static void boot_into(struct board *bd, uint32_t entry)
{
	struct uc_boot_exit x;

	usart_model_hand_back(bd->line, 0);
	uc_boot_run(bd->b, boot->address, boot->address,
		    boot->address + boot->size, 0, &x);
	if (x.run != UC_RUN_EXIT)
		fail_msg("boot: %s at 0x%08x (%s)", uc_run_name(x.run), x.pc,
			 uc_first_violation(bd->uc));
	assert_int_equal(x.pc, entry & ~1u);
	assert_int_equal(x.msp, app->ram[0].start + app->ram[0].size);
}

/* REBOOT answered, then the next run from reset installs the uploaded
 * image and jumps into it. */
static void reboot_into(struct board *bd, struct fk_tp_client *c,
			uint32_t entry)
{
	usart_line_reboot(&bd->l, c);
	uc_reboot(bd->uc);
	boot_into(bd, entry);
}

/* The application's request (boot_port.h): the recovery word set to
 * FK_BOOT_RECOVERY_MAGIC, then a reset. */
static void ask_for_recovery(struct board *bd)
{
	const uint32_t magic = 0x4B52464Bu; /* FK_BOOT_RECOVERY_MAGIC */
	uint32_t word;

	assert_int_equal(uc_symbol(bd->uc, "fk_boot_recovery_word", &word), 0);
	uc_reboot(bd->uc);
	assert_int_equal(uc_write_mem(bd->uc, word, &magic, 4), 0);
}

static void
test_recovery_receives_an_image_that_the_next_boot_runs(void **state)
{
	struct board bd;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	size_t len;
	uint32_t entry;
	uint8_t *img = signed_image(&len, &entry);

	(void)state;
	board_open(&bd);
	boot_into_recovery(&bd);
	upload(&bd, &c, &u, img, len);
	/* the slot it will run from is still erased */
	assert_int_equal(flash_at(&bd, slot_a->address)[0], 0xFF);
	assert_int_equal(u.stat.data_sent, len);
	usart_line_reboot(&bd.l, &c);
	assert_int_equal(usart_model_tx_lost(bd.line), 0);
	assert_int_equal(usart_model_rx_lost(bd.line), 0);
	printf("recovery: %u bytes uploaded, %llu bytes of frames sent, "
	       "%u hand-backs\n",
	       (unsigned)len, (unsigned long long)c.bytes_out, bd.l.resumes);

	/* the next run from reset installs it and jumps into it */
	uc_reboot(bd.uc);
	boot_into(&bd, entry);
	assert_memory_equal(flash_at(&bd, slot_a->address), img, len);

	/* the application asks for recovery: the bootloader answers on the
	 * line instead of starting it, for one reset */
	ask_for_recovery(&bd);
	boot_into_recovery(&bd);
	usart_line_identify(&bd.l, &c);
	reboot_into(&bd, &c, entry);
	board_close(&bd);
	free(img);
}

/* The device resets in the middle of the upload (seed 004: the cable
 * came loose, the board was power-cycled): it comes back in recovery
 * mode, the client's START resumes the upload the device kept in flash,
 * and the sectors already whole are kept by digest, not sent again. */
static void test_upload_resumes_after_a_reset_mid_upload(void **state)
{
	struct board bd;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	size_t len;
	uint32_t entry;
	uint8_t *img = signed_image(&len, &entry);

	(void)state;
	board_open(&bd);
	boot_into_recovery(&bd);
	bd.l.reset_at = bd.l.resumes + 5; /* IDENTIFY, START, 3 WRITEs */
	upload(&bd, &c, &u, img, len);
	assert_int_equal(bd.l.resets, 1);
	/* START resumed the upload; what the device already held was
	 * kept (SKIP by digest), not sent again: less than the 3 WRITEs
	 * sent before the reset went out twice */
	assert_int_equal(u.resumes, 1);
	assert_true(u.stat.skipped > 0);
	assert_true(u.stat.data_sent < len + 3 * 1024);
	assert_true(u.stat.data_sent < 2 * len);
	reboot_into(&bd, &c, entry);
	assert_memory_equal(flash_at(&bd, slot_a->address), img, len);
	printf("reset mid-upload: %u bytes kept, %llu sent for %u\n",
	       (unsigned)u.stat.skipped, (unsigned long long)u.stat.data_sent,
	       (unsigned)len);
	board_close(&bd);
	free(img);
}

/* The cable is out for a frame (lost both ways, the receive pin pulled
 * up so no break comes in): the client's read times out, it sends the
 * frame again, and the upload completes. */
static void test_upload_survives_a_loose_cable(void **state)
{
	struct board bd;
	struct fk_tp_client c;
	struct fk_tp_upload u;
	size_t len;
	uint32_t entry;
	uint8_t *img = signed_image(&len, &entry);

	(void)state;
	board_open(&bd);
	boot_into_recovery(&bd);
	bd.l.unplug_at = 4; /* IDENTIFY, START, a WRITE, then the next */
	upload(&bd, &c, &u, img, len);
	assert_true(c.timeouts >= 1);
	assert_true(usart_model_rx_lost(bd.line) > 0);
	reboot_into(&bd, &c, entry);
	board_close(&bd);
	free(img);
}

/* Half a frame on the line before the host's frames (a cable plugged in
 * mid-frame): the receiver drops it and answers the next frame. */
static void test_junk_before_the_frames_is_skipped(void **state)
{
	struct board bd;
	struct fk_tp_client c;
	static const uint8_t junk[] = { 0xF5, 0x4B, 0x01, 0x00, 0x00 };

	(void)state;
	board_open(&bd);
	boot_into_recovery(&bd);
	usart_model_queue(bd.line, junk, sizeof(junk), 1);
	usart_line_identify(&bd.l, &c);
	board_close(&bd);
}

static int load_layout(void **state)
{
	(void)state;
	if (uc_boot_fixture_open(&L, layout_path, tmp, "usart_boot") != 0)
		return -1;
	boot = fk_layout_find_partition(&L, "boot");
	slot_a = fk_layout_find_partition(&L, "app-a");
	app = fk_layout_find_image(&L, "app");
	if (!boot || !slot_a || !app || !app->ram_count ||
	    fk_pending_window(&L, app, &staging) != 0)
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
		cmocka_unit_test(
			test_recovery_receives_an_image_that_the_next_boot_runs),
		cmocka_unit_test(test_upload_resumes_after_a_reset_mid_upload),
		cmocka_unit_test(test_upload_survives_a_loose_cable),
		cmocka_unit_test(test_junk_before_the_frames_is_skipped),
	};

	if (argc != 5) {
		fprintf(stderr,
			"usage: %s boot_stm32l4.elf flashkit layout.yaml "
			"key.pem\n",
			argv[0]);
		return 2;
	}
	boot_elf = argv[1];
	flashkit = argv[2];
	layout_path = argv[3];
	key_path = argv[4];
	return cmocka_run_group_tests(tests, load_layout, unload_layout);
}
