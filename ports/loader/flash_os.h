/*
 * The CMSIS-Pack flash-algorithm interface (the Keil "FlashOS.h"
 * contract, as pyOCD, probe-rs, Keil MDK and OpenOCD's cmsis-flash
 * users read it): the device description a debugger finds in section
 * DevDscr, and the entry points it calls with the arguments in r0-r3,
 * returning to a breakpoint it placed in LR.
 *
 * Every entry point returns 0 on success and 1 on failure, except Verify
 * (the address after the last byte that matched).
 */
#ifndef FLASHKIT_PORT_LOADER_FLASH_OS_H
#define FLASHKIT_PORT_LOADER_FLASH_OS_H

#include <stdint.h>

#define FK_FLASH_DRV_VERS 0x0101u /* interface 1, driver version 1 */
#define FK_FLASH_SECTOR_NUM 512u
#define FK_FLASH_SECTOR_END 0xFFFFFFFFu

/* DevType values. */
#define FK_FLASH_ONCHIP 1u
#define FK_FLASH_EXTSPI 5u

/* Init's and UnInit's fnc: what the debugger is about to do. */
#define FK_FLASH_FNC_ERASE 1u
#define FK_FLASH_FNC_PROGRAM 2u
#define FK_FLASH_FNC_VERIFY 3u

struct fk_flash_sectors {
	uint32_t size; /* sector size in bytes */
	uint32_t addr; /* offset of the first sector of this size */
};

/* The layout is fixed by the tools that parse it: 16-bit Vers, 128-char
 * name, 16-bit type, then 32-bit words with natural alignment. */
struct fk_flash_device {
	uint16_t vers;		     /* FK_FLASH_DRV_VERS */
	char name[128];		     /* device name and description */
	uint16_t type;		     /* FK_FLASH_EXTSPI */
	uint32_t addr;		     /* default start address */
	uint32_t size;		     /* total bytes */
	uint32_t page_size;	     /* bytes per ProgramPage call at most */
	uint32_t reserved;	     /* 0 */
	uint8_t erased;		     /* content of erased memory */
	uint32_t program_timeout_ms; /* one ProgramPage */
	uint32_t erase_timeout_ms;   /* one EraseSector */
	struct fk_flash_sectors sectors[FK_FLASH_SECTOR_NUM];
};

int Init(uint32_t adr, uint32_t clk, uint32_t fnc);
int UnInit(uint32_t fnc);
int BlankCheck(uint32_t adr, uint32_t sz, uint32_t pat);
int EraseChip(void);
int EraseSector(uint32_t adr);
int ProgramPage(uint32_t adr, uint32_t sz, const uint8_t *buf);
uint32_t Verify(uint32_t adr, uint32_t sz, const uint8_t *buf);

#endif
