/*
 * The bootloader's board for the STM32L476RG (seed 001, ../layout.yaml):
 * its 1 MiB flash (two banks of 256 pages of 2 KiB, 64-bit ECC double
 * words) through ports/stm32/flash_l4, the independent watchdog kicked
 * when running. Clocks stay at reset values (MSI 4 MHz). The devinfo
 * page is the application's to read (src/devinfo): it is no area of the
 * bootloader's configuration, so the bootloader never writes it.
 *
 * Serial recovery (ports/boot/boot_serial.c, linked by
 * tests/boot/CMakeLists.txt): `flashkit upload` over USART2, TX PA2, RX
 * PA3, the ST-LINK virtual COM port of the NUCLEO-L476RG, 115200 baud
 * from the 4 MHz MSI (ports/stm32/usart_boards.c).
 *
 * Built by tests/boot/CMakeLists.txt (fk_boot_board_program); not run on
 * hardware yet.
 */
#include <stdint.h>

#include "boot_port.h"
#include "flash_l4.h"
#include "usart.h"

#define IWDG_KR (*(volatile uint32_t *)0x40003000u)

static struct fk_l4_flash l4;

void fk_boot_watchdog_kick(void)
{
	IWDG_KR = 0xAAAAu; /* reload; no effect when the IWDG is off */
}

const struct fk_flash *fk_boot_flash_flash(const struct fk_flash_geometry *geo)
{
	const struct fk_l4_flash_config c = { .regs = FK_L4_FLASH_REGS,
					      .base = FK_L4_FLASH_BASE,
					      .size = 1024u * 1024u,
					      .bank_size = 512u * 1024u };

	if (fk_l4_flash_init(&l4, &c) || !fk_boot_geometry_is(&l4.flash, geo))
		return NULL;
	return &l4.flash;
}

/* Serial recovery's line (ports/stm32/usart_boot.c). */
const struct fk_usart_config *const fk_boot_usart = &fk_usart_l476_usart2;
