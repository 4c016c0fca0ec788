/*
 * The bootloader's serial line (ports/boot/boot_port.h, "serial
 * recovery") on an STM32 USART: fk_boot_serial_open/read/write over the
 * line the board names in fk_boot_usart (usart.h). A board links this
 * file with usart.c, usart_boards.c and ports/boot/boot_serial.c.
 *
 * The driver has no buffer: bytes are lost when the receiver is busy
 * for longer than a byte's time, so the bootloader keeps
 * FK_BOOT_SERIAL_WINDOW at 1 (the host waits for each reply).
 */
#include <stdint.h>

#include "../boot/boot_port.h"
#include "usart.h"

#if FK_BOOT_SERIAL_WINDOW != 1
#error "a polled USART holds one byte: FK_BOOT_SERIAL_WINDOW must be 1"
#endif

static struct fk_usart line;

void fk_boot_serial_open(void)
{
	/* cannot fail on the boards' lines: port_usart opens each one */
	(void)fk_usart_init(&line, fk_boot_usart);
	fk_usart_open(&line);
}

int fk_boot_serial_read(void)
{
	return fk_usart_read(&line);
}

void fk_boot_serial_write(const void *data, uint32_t len)
{
	fk_usart_write(&line, data, len);
}
