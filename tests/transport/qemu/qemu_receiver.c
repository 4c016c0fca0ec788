/*
 * The update protocol's receiver on the QEMU mps2-an385 target: a
 * Cortex-M3 program that answers `flashkit upload` on the board's CMSDK
 * UART0 (QEMU's -serial pty), over the file-backed flash port whose
 * content outlives a killed QEMU. test_upload_qemu.sh kills QEMU in the
 * middle of an upload, starts it again, and the upload resumes.
 *
 * Flash: 16 x 4 KiB at 0x00100000, 8-byte write unit: bootloader 8 KiB
 * (unused), boot state 4 KiB, primary 24 KiB, staging 28 KiB; SWAP,
 * images checked by digest (no keys: the built-in SHA-256).
 */
#include <stdint.h>
#include <string.h>

#include "cmsdk_uart.h"
#include "flashkit/transport.h"
#include "qemu_flash.h"
#include "semihost.h"

static const struct fk_sector_run runs[] = { { 16, 4096 } };
static const struct fk_flash_geometry geo = {
	.base = 0x00100000u,
	.size = 16 * 4096,
	.runs = runs,
	.run_count = 1,
	.write_unit = 8,
	.erased_value = 0xFF,
};

static struct fk_qemu_flash qf;
static struct fk_boot_config cfg;
static struct fk_tp_device dev;
static uint8_t buf[1024];

static void uart_send(void *ctx, const void *data, uint32_t len)
{
	(void)ctx;
	fk_cmsdk_uart_write(data, len);
}

static void reboot(void *ctx)
{
	(void)ctx;
	fk_sh_puts("reboot\n");
	fk_sh_exit(0);
}

static void no_jump(void *ctx, const struct fk_boot_image_ref *refs,
		    uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

static int setup(void)
{
	const struct fk_flash *f = &qf.flash;
	struct fk_tp_device_config dc = { .boot = &cfg,
					  .send = uart_send,
					  .reboot = reboot,
					  .role = FK_TP_ROLE_BOOTLOADER,
					  .window = 4 };
	int rc = fk_qemu_flash_open(&qf, "flash.bin", &geo, NULL);

	if (rc != FK_OK)
		return rc;
	cfg.strategy = FK_BOOT_SWAP;
	cfg.image_count = 1;
	cfg.trial_boots = 1;
	cfg.buf = buf;
	cfg.buf_len = sizeof(buf);
	cfg.port.jump = no_jump;
	fk_area_init(&cfg.bootloader, f, 0, 8192);
	fk_area_init(&cfg.state, f, 8192, 4096);
	fk_area_init(&cfg.images[0].primary, f, 12288, 24576);
	fk_area_init(&cfg.images[0].secondary, f, 36864, 28672);
	rc = fk_boot_check_config(&cfg);
	return rc == FK_OK ? fk_tp_device_init(&dev, &dc) : rc;
}

int main(void)
{
	int rc = setup();

	if (rc != FK_OK) {
		fk_sh_printf("setup: %s\n", fk_strerror(rc));
		return 1;
	}
	fk_cmsdk_uart_open();
	fk_sh_puts("receiver: ready\n");
	for (;;) {
		int c = fk_cmsdk_uart_read();

		if (c >= 0)
			fk_tp_device_feed(&dev, (uint8_t)c);
	}
}
