/*
 * The bootloader's board for the STM32F205 + SPI serial flash (seed 003,
 * ../layout.yaml): the internal flash through ports/stm32/flash_f4 (2.7-
 * 3.6 V supply: 32-bit programs), the serial flash through ports/nor on
 * SPI1 (pins and clocks: ports/loader/board_f205.c, shared with the
 * flash loader), the independent watchdog kicked when running. Clocks
 * stay at reset values (HSI 16 MHz). Each driver's flash is used only
 * when its geometry is the layout's (fk_boot_geometry_is).
 *
 * Serial recovery's line, for a build that links ports/boot/
 * boot_serial.c: USART1, TX PA9, RX PA10, 115200 baud from the 16 MHz
 * HSI (ports/stm32/usart_boards.c). tests/boot/CMakeLists.txt links it
 * into the lite core's build (boot_stm32f205_lite), not the full core's:
 * there recovery needs 3 KB more than the WICED layout's 16 KiB
 * bootloader partition holds (docs/boot.md).
 *
 * Built by tests/boot/CMakeLists.txt (fk_boot_board_program); not run on
 * hardware yet.
 */
#include <stdint.h>

#include "boot_port.h"
#include "flash_f4.h"
#include "nor.h"
#include "nor_spi_stm32.h"
#include "usart.h"

#define IWDG_KR (*(volatile uint32_t *)0x40003000u)

void fk_loader_board_init(void);

static struct fk_f4_flash f4;
static struct fk_nor_spi spi;
static struct fk_nor nor;

void fk_boot_board_init(void)
{
	fk_loader_board_init();
}

void fk_boot_watchdog_kick(void)
{
	IWDG_KR = 0xAAAAu; /* reload; no effect when the IWDG is off */
}

const struct fk_flash *fk_boot_flash_flash(const struct fk_flash_geometry *geo)
{
	const struct fk_f4_flash_config c = { .regs = FK_F4_FLASH_REGS,
					      .base = FK_F4_FLASH_BASE,
					      .size = 1024u * 1024u,
					      .vrange = FK_F4_VRANGE_2V7 };

	if (fk_f4_flash_init(&f4, &c) || !fk_boot_geometry_is(&f4.flash, geo))
		return NULL;
	return &f4.flash;
}

const struct fk_flash *fk_boot_flash_sflash(const struct fk_flash_geometry *geo)
{
	const struct fk_nor_spi_config sc = {
		.spi = 0x40013000u, .gpio = 0x40020000u, .cs_pin = 4, .br = 1
	};
	const struct fk_nor_config nc = { .bus = &spi.bus };

	if (fk_nor_spi_init(&spi, &sc) || fk_nor_init(&nor, &nc) ||
	    !fk_boot_geometry_is(&nor.flash, geo))
		return NULL;
	return &nor.flash;
}

/* Serial recovery's line (ports/stm32/usart_boot.c). */
const struct fk_usart_config *const fk_boot_usart = &fk_usart_f205_usart1;
