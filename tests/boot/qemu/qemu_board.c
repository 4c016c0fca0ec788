/*
 * The QEMU mps2-an385 board of the flashkit bootloader (ports/boot/,
 * built for tests/boot/qemu/qemu_boot_layout.yaml by fk_boot_program()):
 * the layout's memory "flash" is the file-backed flash (flash.bin in the
 * run's folder, mirrored at its bus address so the app executes in
 * place), and the hooks report through semihosting what the tests check.
 * Recovery mode ends the run, or, in a program that links
 * ports/boot/boot_serial.c, answers `flashkit upload` on UART0.
 *
 * Command-line words (run.sh --arg):
 *   cut-before=N, cut-after=N, cut-torn=N  the flash driver ends QEMU
 *                                          at flash operation N
 *   spin-at=N    print "boot: spinning at flash operation N" from the
 *                watchdog hook before operation N and never return, so
 *                run.sh --cut-on kills QEMU there (SIGKILL)
 */
#include <stdint.h>

#include "boot_port.h"
#include "cmsdk_uart.h"
#include "qemu_flash.h"
#include "semihost.h"

static struct fk_qemu_flash qf;
static char cmdline[256];
static uint32_t spin_at = 0xFFFFFFFFu;

static uint32_t number_after(const char *s, const char *key)
{
	for (; *s; s++) {
		const char *a = s, *k = key;
		uint32_t n = 0;

		while (*k && *a == *k)
			a++, k++;
		if (*k)
			continue;
		while (*a >= '0' && *a <= '9')
			n = n * 10 + (uint32_t)(*a++ - '0');
		return n;
	}
	return 0xFFFFFFFFu;
}

void fk_boot_board_init(void)
{
	fk_sh_cmdline(cmdline, sizeof(cmdline));
	spin_at = number_after(cmdline, "spin-at=");
}

const struct fk_flash *fk_boot_flash_flash(const struct fk_flash_geometry *geo)
{
	int rc = fk_qemu_flash_open(&qf, "flash.bin", geo,
				    (void *)(uintptr_t)geo->base);

	if (rc != FK_OK) {
		fk_sh_printf("boot: cannot open flash.bin: %s\n",
			     fk_strerror(rc));
		return NULL;
	}
	fk_qemu_flash_cut_from_cmdline(&qf, cmdline);
	return &qf.flash;
}

void fk_boot_watchdog_kick(void)
{
	if (qf.ops == spin_at) {
		fk_sh_printf("boot: spinning at flash operation %u\n",
			     (unsigned)spin_at);
		for (;;)
			;
	}
}

void fk_boot_start(const struct fk_boot_image_ref *refs, uint32_t count)
{
	const struct fk_image_version *v = &refs[0].info.hdr.version;

	fk_sh_printf("boot: image %u.%u.%u valid, %u flash operations, "
		     "jumping to 0x%08x\n",
		     v->major, v->minor, (unsigned)v->revision,
		     (unsigned)qf.ops,
		     (unsigned)(refs[0].slot->flash->geo.base +
				refs[0].slot->off + refs[0].info.hdr.hdr_size));
	fk_boot_jump(refs, count);
	fk_sh_puts("boot: FAIL: bad vector table\n");
	fk_sh_exit(3);
}

/* Says why once; then serial recovery when the program links it in
 * (qemu_boot_serial, tests/transport), else the run ends with status 2. */
void fk_boot_recovery(const struct fk_boot_config *cfg, int reason)
{
	static bool said;

	if (!said) {
		if (reason == 0)
			fk_sh_puts("boot: recovery mode (asked by the "
				   "application)\n");
		else
			fk_sh_printf("boot: recovery mode (%s)\n",
				     fk_strerror(reason));
		said = true;
	}
	if (!fk_boot_serial_recovery)
		fk_sh_exit(2);
	fk_boot_serial_recovery(cfg, reason);
}

/* The serial line of recovery mode: UART0 on QEMU's -serial. */
void fk_boot_serial_open(void)
{
	fk_cmsdk_uart_open();
}

int fk_boot_serial_read(void)
{
	return fk_cmsdk_uart_read();
}

void fk_boot_serial_write(const void *data, uint32_t len)
{
	fk_cmsdk_uart_write(data, len);
}
