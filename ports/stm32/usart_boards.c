/*
 * The serial lines of the seed boards' bootloaders (usart.h): which
 * USART, which pins, and the kernel clock each USART runs from with the
 * clocks the part resets with, which the bootloader leaves as they are.
 * Facts from the reference manuals (RCC, clock tree), the datasheets'
 * alternate-function tables and the boards' user manuals; a board that
 * wires another line gives its own struct fk_usart_config instead. Each
 * is 115200 baud, 8N1.
 */
#include "usart.h"

/*
 * STM32F205 (seed 003, RM0033): USART1 on APB2, TX PA9, RX PA10 (AF7). At
 * reset the system clock is the HSI, 16 MHz, and the AHB and APB2
 * prescalers divide by 1: USART1 runs from 16 MHz, BRR 139 (115,108 baud,
 * -0.08 %). RCC_AHB1ENR (0x40023830) bit 0 GPIOA, RCC_APB2ENR
 * (0x40023844) bit 4 USART1.
 */
const struct fk_usart_config fk_usart_f205_usart1 = {
	.regs = 0x40011000u,
	.kind = FK_USART_SR_DR,
	.kernel_hz = 16000000u,
	.baud = FK_USART_BAUD,
	.clocks = { { 0x40023830u, 1u << 0 }, { 0x40023844u, 1u << 4 } },
	.tx = { .gpio = 0x40020000u, .pin = 9, .af = 7 },
	.rx = { .gpio = 0x40020000u, .pin = 10, .af = 7 },
};

/*
 * STM32L476RG (seed 001, RM0351): USART2, TX PA2, RX PA3 (AF7): the
 * ST-LINK virtual COM port of the NUCLEO-L476RG (UM1724), so the USB
 * cable that programs the board also carries the recovery. At reset the
 * system clock is the MSI, 4 MHz (MSIRANGE 6), the AHB and APB1
 * prescalers divide by 1 and RCC_CCIPR.USART2SEL (00) takes PCLK1: USART2
 * runs from 4 MHz, BRR 35 (114,286 baud, -0.8 %). RCC_AHB2ENR
 * (0x4002104C) bit 0 GPIOA, RCC_APB1ENR1 (0x40021058) bit 17 USART2.
 */
const struct fk_usart_config fk_usart_l476_usart2 = {
	.regs = 0x40004400u,
	.kind = FK_USART_ISR,
	.kernel_hz = 4000000u,
	.baud = FK_USART_BAUD,
	.clocks = { { 0x4002104Cu, 1u << 0 }, { 0x40021058u, 1u << 17 } },
	.tx = { .gpio = 0x48000000u, .pin = 2, .af = 7 },
	.rx = { .gpio = 0x48000000u, .pin = 3, .af = 7 },
};

/*
 * STM32H750 on the Daisy Seed (seed 002, RM0433): USART1, TX PB6, RX PB7
 * (AF7), the Daisy Seed's pins D13 and D14 (the board has no ST-LINK: a
 * 3.3 V USB serial adapter goes there). At reset the system clock is the
 * HSI, 64 MHz (HSIDIV 1), D1CPRE, HPRE and D2PPRE2 divide by 1 and
 * RCC_D2CCIP2R.USART16SEL (000) takes rcc_pclk2: USART1 runs from 64 MHz,
 * BRR 556 (115,108 baud, -0.08 %). RCC_AHB4ENR (0x580244E0) bit 1 GPIOB,
 * RCC_APB2ENR (0x580244F0) bit 4 USART1.
 */
const struct fk_usart_config fk_usart_h750_usart1 = {
	.regs = 0x40011000u,
	.kind = FK_USART_ISR,
	.kernel_hz = 64000000u,
	.baud = FK_USART_BAUD,
	.clocks = { { 0x580244E0u, 1u << 1 }, { 0x580244F0u, 1u << 4 } },
	.tx = { .gpio = 0x58020400u, .pin = 6, .af = 7 },
	.rx = { .gpio = 0x58020400u, .pin = 7, .af = 7 },
};

/*
 * STM32H745 on a NUCLEO-H745ZI-Q (seed 004, RM0399), run by the
 * Cortex-M7: USART3, TX PD8, RX PD9 (AF7), the ST-LINK virtual COM port
 * (UM2408). At reset the HSI, 64 MHz, with D1CPRE, HPRE and D2PPRE1
 * dividing by 1, and RCC_D2CCIP2R.USART234578SEL (000) takes rcc_pclk1:
 * USART3 runs from 64 MHz, BRR 556. RCC_AHB4ENR (0x580244E0) bit 3 GPIOD,
 * RCC_APB1LENR (0x580244E8) bit 18 USART3.
 */
const struct fk_usart_config fk_usart_h745_usart3 = {
	.regs = 0x40004800u,
	.kind = FK_USART_ISR,
	.kernel_hz = 64000000u,
	.baud = FK_USART_BAUD,
	.clocks = { { 0x580244E0u, 1u << 3 }, { 0x580244E8u, 1u << 18 } },
	.tx = { .gpio = 0x58020C00u, .pin = 8, .af = 7 },
	.rx = { .gpio = 0x58020C00u, .pin = 9, .af = 7 },
};
