/*
 * Board setup of the flash loader for an STM32F205 (RM0033) with the
 * serial flash on SPI1: SCK PA5, MISO PA6, MOSI PA7 (alternate function
 * 5), chip select PA4 (a GPIO, set up by nor_spi_stm32.c). Clocks: GPIOA
 * (RCC_AHB1ENR bit 0) and SPI1 (RCC_APB2ENR bit 12). Another board
 * replaces this file.
 */
#include <stdint.h>

#define RCC 0x40023800u
#define RCC_AHB1ENR (*(volatile uint32_t *)(RCC + 0x30u))
#define RCC_APB2ENR (*(volatile uint32_t *)(RCC + 0x44u))
#define GPIOA 0x40020000u
#define GPIOA_MODER (*(volatile uint32_t *)(GPIOA + 0x00u))
#define GPIOA_OSPEEDR (*(volatile uint32_t *)(GPIOA + 0x08u))
#define GPIOA_AFRL (*(volatile uint32_t *)(GPIOA + 0x20u))

#define PINS_5_6_7 (0x3Fu << 10) /* two bits per pin */
#define AF_5_6_7 (0xFFFu << 20)	 /* four bits per pin */

void fk_loader_board_init(void);

void fk_loader_board_init(void)
{
	RCC_AHB1ENR |= 1u << 0;
	RCC_APB2ENR |= 1u << 12;
	(void)RCC_APB2ENR; /* RM0033 6.3: a read delays the first access */
	GPIOA_AFRL = (GPIOA_AFRL & ~AF_5_6_7) | 0x555u << 20;
	GPIOA_OSPEEDR |= PINS_5_6_7 | 3u << 8;
	GPIOA_MODER = (GPIOA_MODER & ~PINS_5_6_7) | 0x2Au << 10;
}
