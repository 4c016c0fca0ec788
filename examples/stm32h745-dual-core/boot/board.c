/*
 * The bootloader's board for the STM32H745 (seed 004, ../layout.yaml),
 * run by the Cortex-M7: bank 1 (bootloader, the M7's slots, the boot
 * state) and bank 2 (the M4's slots) through ports/stm32/flash_h7, 256-bit
 * flash words programmed whole; both cores' images installed together,
 * all or nothing (one configuration, two images). Clocks stay at reset
 * values (HSI 64 MHz). The independent watchdog is kicked when running.
 *
 * fk_boot_start() releases the M4 into its image, then jumps into the
 * M7's (ports/boot/release_h7.h): the M4 boots from the stub linked at
 * the layout's `release: stub` address (its BOOT_CM4_ADD0 option) and
 * waits there for the mailbox in SRAM4 and RCC_GCR.BOOT_C2. When either
 * image's vector table is implausible, neither core starts: recovery
 * (FK_ECORRUPT), as for the M7's image alone.
 *
 * Serial recovery (`flashkit upload` when nothing can boot or on request)
 * runs on the M7 over USART3, PD8/PD9, the NUCLEO-H745ZI-Q's ST-LINK
 * virtual COM port, from the 64 MHz HSI (ports/stm32/usart_boards.c);
 * the M4 stays held while it runs.
 *
 * Built by tests/boot/CMakeLists.txt (fk_boot_board_program), with
 * ports/boot/release_h7.c; run whole under Unicorn by
 * tests/ports/test_h745_boot.c; not run on hardware yet.
 */
#include <stdint.h>

#include "boot_port.h"
#include "flash_h7.h"
#include "release_h7.h"
#include "usart.h"

#define IWDG1_KR (*(volatile uint32_t *)0x58004800u)

static struct fk_h7_flash bank1, bank2;

void fk_boot_watchdog_kick(void)
{
	IWDG1_KR = 0xAAAAu; /* reload; no effect when the IWDG is off */
}

static const struct fk_flash *bank(struct fk_h7_flash *h7, uint32_t base,
				   const struct fk_flash_geometry *geo)
{
	const struct fk_h7_flash_config c = { .regs = FK_H7_FLASH_REGS,
					      .flash_base = FK_H7_FLASH_BASE,
					      .bank_size = 1024u * 1024u,
					      .base = base,
					      .size = 1024u * 1024u,
					      .psize = FK_H7_PSIZE_X64 };

	if (fk_h7_flash_init(h7, &c) || !fk_boot_geometry_is(&h7->flash, geo))
		return NULL;
	return &h7->flash;
}

const struct fk_flash *fk_boot_flash_bank1(const struct fk_flash_geometry *geo)
{
	return bank(&bank1, FK_H7_FLASH_BASE, geo);
}

const struct fk_flash *fk_boot_flash_bank2(const struct fk_flash_geometry *geo)
{
	return bank(&bank2, FK_H7_BANK2_BASE, geo);
}

void fk_boot_start(const struct fk_boot_image_ref *refs, uint32_t count)
{
	if (fk_h7_release_cm4(refs, count) == FK_OK)
		fk_boot_jump(refs, count);
}

/* Serial recovery's line (ports/stm32/usart_boot.c). */
const struct fk_usart_config *const fk_boot_usart = &fk_usart_h745_usart3;
