/*
 * UART0 of QEMU's mps2-an385 (an ARM CMSDK APB UART at 0x40004000), by
 * polling: the serial line the update protocol's receiver talks on in
 * the QEMU tests (QEMU -serial pty puts it on a host pty).
 *
 * The UART holds one received byte; QEMU stops reading the pty while
 * that byte is unread, so the host's bytes wait in the pty however long
 * the program is busy and none is lost (a real board needs a FIFO or an
 * interrupt-fed ring buffer for that).
 */
#ifndef FLASHKIT_PORTS_CMSDK_UART_H
#define FLASHKIT_PORTS_CMSDK_UART_H

#include <stdint.h>

/* Enables transmit and receive. */
void fk_cmsdk_uart_open(void);

/* The next byte received, or -1 when none is waiting. */
int fk_cmsdk_uart_read(void);

/* Sends len bytes; returns once the last one has left the UART. */
void fk_cmsdk_uart_write(const void *data, uint32_t len);

#endif
