/*
 * The bootloader's board for the STM32H750 Daisy Seed (seed 002,
 * ../layout.yaml): the app slots are in the IS25LP064A QSPI NOR (8 MiB),
 * reached through ports/nor on the QUADSPI, which the driver leaves in
 * memory-mapped mode at 0x90000000 so the chosen image runs in place. The
 * QUADSPI pins, as the Daisy Seed wires them: PF6 IO3, PF7 IO2, PF10
 * CLK (AF9), PF8 IO0, PF9 IO1, PG6 NCS (AF10). Clocks stay at reset
 * values (HSI 64 MHz; the QUADSPI kernel clock is the AHB clock, divided
 * by 2). The independent watchdog is kicked when running.
 *
 * Serial recovery (ports/boot/boot_serial.c, linked by
 * tests/boot/CMakeLists.txt): `flashkit upload` over USART1 on the Daisy
 * Seed's pins D13 (PB6, TX) and D14 (PB7, RX), through a 3.3 V USB
 * serial adapter, 115200 baud from the 64 MHz HSI
 * (ports/stm32/usart_boards.c).
 *
 * Built by tests/boot/CMakeLists.txt (fk_boot_board_program); not run on
 * hardware yet.
 */
#include <stdint.h>

#include "boot_port.h"
#include "nor.h"
#include "nor_qspi_stm32.h"
#include "usart.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB3ENR REG(0x580244D4u)
#define RCC_AHB4ENR REG(0x580244E0u)
#define GPIOF 0x58021400u
#define GPIOG 0x58021800u
#define IWDG_KR REG(0x58004800u)

static struct fk_nor_qspi qspi;
static struct fk_nor nor;

/* Pin n of the port at gpio to alternate function af, very high speed. */
static void pin_af(uint32_t gpio, uint32_t n, uint32_t af)
{
	volatile uint32_t *afr = &REG(gpio + 0x20u + (n / 8) * 4);

	REG(gpio + 0x08u) |= 3u << (n * 2);
	*afr = (*afr & ~(0xFu << (n % 8 * 4))) | af << (n % 8 * 4);
	REG(gpio) = (REG(gpio) & ~(3u << (n * 2))) | 2u << (n * 2);
}

void fk_boot_board_init(void)
{
	RCC_AHB4ENR |= 1u << 5 | 1u << 6; /* GPIOF, GPIOG */
	RCC_AHB3ENR |= 1u << 14;	  /* QUADSPI */
	(void)RCC_AHB3ENR;
	pin_af(GPIOF, 6, 9);
	pin_af(GPIOF, 7, 9);
	pin_af(GPIOF, 10, 9);
	pin_af(GPIOF, 8, 10);
	pin_af(GPIOF, 9, 10);
	pin_af(GPIOG, 6, 10);
}

void fk_boot_watchdog_kick(void)
{
	IWDG_KR = 0xAAAAu; /* reload; no effect when the IWDG is off */
}

const struct fk_flash *fk_boot_flash_qspi(const struct fk_flash_geometry *geo)
{
	const struct fk_nor_qspi_config qc = {
		.regs = 0x52005000u,
		.prescaler = 1,
		.size_log2 = 23,
	};
	const struct fk_nor_config nc = { .bus = &qspi.bus,
					  .base = 0x90000000u };

	if (fk_nor_qspi_init(&qspi, &qc) || fk_nor_init(&nor, &nc) ||
	    !fk_boot_geometry_is(&nor.flash, geo))
		return NULL;
	return &nor.flash;
}

/* Serial recovery's line (ports/stm32/usart_boot.c). */
const struct fk_usart_config *const fk_boot_usart = &fk_usart_h750_usart1;
