/*
 * The app the QEMU bootloader starts, built twice (APP_VERSION 1 and 2),
 * linked for the primary slot. It prints its version, and on request:
 *
 *   update   reads new.img from the host and sends it through
 *            fk_update_begin/write/finish in 500-byte pieces, then marks
 *            it pending (TEST) with fk_boot_set_pending;
 *   confirm  confirms itself with fk_boot_confirm();
 *   recover  asks the bootloader for recovery mode: the recovery word
 *            (the last 8 bytes of the layout's RAM, ports/boot/boot_port.h)
 *            set to its magic, then a system reset.
 */
#include <stdint.h>

#include "flashkit/update.h"
#include "qemu_boot_cfg.h"
#include "semihost.h"

static struct fk_qemu_flash qf;
static struct fk_boot_config cfg;
static char cmdline[256];

static void dummy_jump(void *ctx, const struct fk_boot_image_ref *refs,
		       uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

static int update(void)
{
	static uint8_t piece[500];
	struct fk_update u;
	int h = fk_sh_open("new.img", FK_SH_RB);
	long len = h < 0 ? -1 : fk_sh_flen(h);
	int rc;

	if (len <= 0)
		return FK_ENOENT;
	rc = fk_update_begin(&u, &cfg, 0);
	for (uint32_t off = 0; rc == FK_OK && off < (uint32_t)len;) {
		uint32_t n = (uint32_t)len - off;

		n = n < sizeof(piece) ? n : sizeof(piece);
		if (fk_sh_read(h, piece, n) != 0)
			rc = FK_EIO;
		else
			rc = fk_update_write(&u, off, piece, n);
		off += n;
	}
	fk_sh_close(h);
	if (rc == FK_OK)
		rc = fk_update_finish(&u);
	if (rc == FK_OK)
		rc = fk_boot_set_pending(&cfg, 1, FK_BOOT_TEST);
	return rc;
}

int main(void)
{
	int rc = FK_OK;

	fk_sh_cmdline(cmdline, sizeof(cmdline));
	fk_sh_printf("app: version %d running\n", APP_VERSION);
	if (fk_qemu_flash_open(&qf, "flash.bin", &qb_geo, NULL) != FK_OK)
		return 4;
	qb_config(&cfg, &qf.flash);
	cfg.port.jump = dummy_jump;
	if (qb_has_word(cmdline, "update")) {
		rc = update();
		fk_sh_printf("app: update %s\n",
			     rc == FK_OK ? "staged" : fk_strerror(rc));
	}
	if (qb_has_word(cmdline, "recover")) {
		/* ram: 0x20000000, 4M in qemu_boot_layout.yaml */
		*(volatile uint32_t *)0x203FFFF8u = 0x4B52464Bu;
		fk_sh_puts("app: asking for recovery mode\n");
		*(volatile uint32_t *)0xE000ED0Cu = 0x05FA0004u; /* AIRCR */
		for (;;)
			;
	}
	if (qb_has_word(cmdline, "confirm")) {
		rc = fk_boot_confirm(&cfg);
		fk_sh_printf("app: confirm %s\n",
			     rc == FK_OK ? "done" : fk_strerror(rc));
	}
	return rc == FK_OK ? 0 : 6;
}
