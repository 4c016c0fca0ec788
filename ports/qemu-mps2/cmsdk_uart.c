/*
 * UART0 of mps2-an385 by polling (cmsdk_uart.h): the CMSDK APB UART's
 * data, state and control registers, nothing else.
 */
#include "cmsdk_uart.h"

#define UART0 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0 + 0x000))
#define UART_STATE (*(volatile uint32_t *)(UART0 + 0x004))
#define UART_CTRL (*(volatile uint32_t *)(UART0 + 0x008))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0 + 0x010))
#define STATE_TXFULL 1u
#define STATE_RXFULL 2u
#define CTRL_TX_RX 3u

void fk_cmsdk_uart_open(void)
{
	UART_BAUDDIV = 16; /* the smallest the UART takes; QEMU ignores it */
	UART_CTRL = CTRL_TX_RX;
}

int fk_cmsdk_uart_read(void)
{
	return (UART_STATE & STATE_RXFULL) ? (int)(UART_DATA & 0xFFu) : -1;
}

void fk_cmsdk_uart_write(const void *data, uint32_t len)
{
	const uint8_t *p = data;

	for (uint32_t i = 0; i < len; i++) {
		while (UART_STATE & STATE_TXFULL)
			;
		UART_DATA = p[i];
	}
	while (UART_STATE & STATE_TXFULL)
		;
}
