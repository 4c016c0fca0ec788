/*
 * Serial recovery for the flashkit bootloader (boot_port.h, "serial
 * recovery"): the update protocol's receiver (flashkit/transport.h) in
 * recovery mode, fed from the board's serial line, and the reset a REBOOT
 * request ends with. A board links this file to make `flashkit upload`
 * work on a device that has nothing to boot or was asked for recovery;
 * all the protocol and every power-cut guarantee are the receiver's.
 *
 * Invariant: the receiver is set up once, on the configuration main()
 * filled, and never again; a device reset is the only way out.
 */
#include <stdint.h>

#include "boot_port.h"
#include "flashkit/transport.h"

/* Bytes taken per call: a frame's worth, so the watchdog kicks between
 * calls come at least once a frame. */
#define BYTES_PER_CALL (FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX)

static struct fk_tp_device receiver;
static bool receiving;

__attribute__((weak)) void fk_boot_reset(void)
{
	/* AIRCR: VECTKEY, SYSRESETREQ (ARMv7-M and ARMv6-M alike) */
	__asm__ volatile("dsb" ::: "memory");
	*(volatile uint32_t *)0xE000ED0Cu = 0x05FA0004u;
	__asm__ volatile("dsb" ::: "memory");
	for (;;)
		;
}

static void send(void *ctx, const void *data, uint32_t len)
{
	(void)ctx;
	fk_boot_serial_write(data, len);
}

static void reboot(void *ctx)
{
	(void)ctx;
	fk_boot_reset();
}

static bool start(const struct fk_boot_config *cfg)
{
	const struct fk_tp_device_config dc = {
		.boot = cfg,
		.send = send,
		.reboot = reboot,
		.role = FK_TP_ROLE_BOOTLOADER,
		.window = FK_BOOT_SERIAL_WINDOW,
	};

	fk_boot_serial_open();
	return fk_tp_device_init(&receiver, &dc) == FK_OK;
}

void fk_boot_serial_recovery(const struct fk_boot_config *cfg, int reason)
{
	(void)reason;
	if (!receiving) {
		if (!cfg)
			return;
		receiving = start(cfg);
	}
	for (uint32_t n = 0; receiving && n < BYTES_PER_CALL; n++) {
		int c = fk_boot_serial_read();

		if (c < 0)
			break;
		fk_tp_device_feed(&receiver, (uint8_t)c);
	}
}
