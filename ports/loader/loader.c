/*
 * A CMSIS-Pack flash algorithm for an external serial NOR, built from the
 * same NOR driver as the firmware (ports/nor/nor.c) over the plain SPI
 * bus of an STM32F2/F4 (ports/nor/nor_spi_stm32.c): the production
 * programming of seed 003's F205 serial flash through a debugger.
 *
 * It runs from RAM wherever the debugger loaded it: compiled -fPIE and
 * linked by loader.ld as PrgCode (at 0), PrgData and DevDscr, with no
 * absolute address left but those of nor.c's operations table, which
 * Init copies moved by the load address (check_flm.sh checks both at
 * build time; docs/ports.md). Build-time settings, all with defaults for the
 * STM32F205 + W25Q128JV of the tests:
 *   FK_LOADER_DEV_ADR   address the tools name the chip by (0x90000000;
 *                       nothing is mapped there on an F205)
 *   FK_LOADER_DEV_SIZE  bytes described in FlashDevice (16 MiB); Init
 *                       fails on a smaller chip
 *   FK_LOADER_SECTOR    sector size described, one of the chip's erase
 *                       sizes (4 KiB); EraseSector erases one
 *   FK_LOADER_PAGE      bytes a ProgramPage call may bring (4 KiB: fewer
 *                       calls; the driver splits at the chip's pages)
 *   FK_LOADER_SPI, FK_LOADER_GPIO, FK_LOADER_CS_PIN, FK_LOADER_SPI_BR
 *                       the bus (SPI1, GPIOA, pin 4, PCLK/4)
 * The clocks and pins are set by fk_loader_board_init() (board_f205.c).
 *
 * Addresses outside [DevAdr, DevAdr + size) and sizes that are not
 * whole are refused (1). Power loss during programming: see nor.h; the
 * debugger starts again from the erase.
 */
#include "flash_os.h"
#include "nor/nor.h"
#include "nor/nor_spi_stm32.h"

#ifndef FK_LOADER_DEV_ADR
#define FK_LOADER_DEV_ADR 0x90000000u
#endif
#ifndef FK_LOADER_DEV_SIZE
#define FK_LOADER_DEV_SIZE (16u << 20)
#endif
#ifndef FK_LOADER_SECTOR
#define FK_LOADER_SECTOR 4096u
#endif
#ifndef FK_LOADER_PAGE
#define FK_LOADER_PAGE 4096u
#endif
#ifndef FK_LOADER_SPI
#define FK_LOADER_SPI 0x40013000u
#endif
#ifndef FK_LOADER_GPIO
#define FK_LOADER_GPIO 0x40020000u
#endif
#ifndef FK_LOADER_CS_PIN
#define FK_LOADER_CS_PIN 4u
#endif
#ifndef FK_LOADER_SPI_BR
#define FK_LOADER_SPI_BR 1u
#endif

#define VERIFY_CHUNK 64u

/* Sets the clocks and pins of the SPI and the chip select. */
void fk_loader_board_init(void);

/* What the debugger reads before it runs anything. */
const struct fk_flash_device FlashDevice
	__attribute__((section("DevDscr"), used)) = {
		.vers = FK_FLASH_DRV_VERS,
		.name = "flashkit SPI NOR (SFDP) on STM32 SPI",
		.type = FK_FLASH_EXTSPI,
		.addr = FK_LOADER_DEV_ADR,
		.size = FK_LOADER_DEV_SIZE,
		.page_size = FK_LOADER_PAGE,
		.erased = 0xFF,
		.program_timeout_ms = 100, /* 16 pages, 3 ms max each */
		.erase_timeout_ms = 3000,  /* 64 KiB block: 2 s max */
		.sectors = { { FK_LOADER_SECTOR, 0 },
			     { FK_FLASH_SECTOR_END, FK_FLASH_SECTOR_END } },
	};

/* Where the loader returns to when a script, not a CMSIS-aware tool,
 * drives it (openocd-flashkit.cfg): a breakpoint. loader.ld's entry
 * table names it. */
__attribute__((naked, noreturn, used)) void fk_loader_bkpt(void)
{
	__asm__ volatile("bkpt #0");
}

/* The entry table at the start of PrgCode (loader.ld); word 9 is its
 * link-time address. Its address computed PC-relative is where the host
 * put it: the difference is how far every link-time address moved. */
#define ENTRY_LINK_ADDRESS 9
extern const uint32_t fk_loader_entries[] __attribute__((visibility("hidden")));

static struct fk_nor_spi bus;
static struct fk_nor nor;
static struct fk_flash_ops moved_ops;
static int ready;

/* nor.c's operations table holds its functions' link-time addresses (the
 * one table of absolute words check_flm.sh allows): the loader calls
 * through a copy moved to where the host loaded the code. */
static void move_ops(void)
{
	uintptr_t delta = (uintptr_t)fk_loader_entries -
			  fk_loader_entries[ENTRY_LINK_ADDRESS];
	const struct fk_flash_ops *ops = nor.flash.ops;

#define MOVED(fn) ((__typeof__(fn))((uintptr_t)(fn) + delta))
	moved_ops.read = MOVED(ops->read);
	moved_ops.program = MOVED(ops->program);
	moved_ops.erase_sector = MOVED(ops->erase_sector);
#undef MOVED
	nor.flash.ops = &moved_ops;
}

/* Offset of [adr, adr + sz) in the chip, or -1 when it leaves it. */
static int64_t offset_of(uint32_t adr, uint32_t sz)
{
	uint32_t off = adr - FK_LOADER_DEV_ADR;

	if (!ready || adr < FK_LOADER_DEV_ADR || off > FK_LOADER_DEV_SIZE ||
	    sz > FK_LOADER_DEV_SIZE - off)
		return -1;
	return off;
}

int Init(uint32_t adr, uint32_t clk, uint32_t fnc)
{
	struct fk_nor_spi_config sc = { .spi = FK_LOADER_SPI,
					.gpio = FK_LOADER_GPIO,
					.cs_pin = FK_LOADER_CS_PIN,
					.br = FK_LOADER_SPI_BR };
	struct fk_nor_config nc = { .bus = &bus.bus,
				    .base = FK_LOADER_DEV_ADR,
				    .sector_size = FK_LOADER_SECTOR };

	(void)adr;
	(void)clk;
	(void)fnc;
	ready = 0;
	fk_loader_board_init();
	if (fk_nor_spi_init(&bus, &sc) != FK_OK ||
	    fk_nor_init(&nor, &nc) != FK_OK ||
	    nor.flash.geo.size < FK_LOADER_DEV_SIZE)
		return 1;
	move_ops();
	ready = 1;
	return 0;
}

int UnInit(uint32_t fnc)
{
	(void)fnc;
	ready = 0;
	return 0;
}

int EraseChip(void)
{
	return ready && fk_nor_erase_chip(&nor) == FK_OK ? 0 : 1;
}

int EraseSector(uint32_t adr)
{
	int64_t off = offset_of(adr, FK_LOADER_SECTOR);

	if (off < 0)
		return 1;
	off &= ~(int64_t)(FK_LOADER_SECTOR - 1);
	return fk_nor_erase(&nor, (uint32_t)off, FK_LOADER_SECTOR) == FK_OK ?
		       0 :
		       1;
}

int ProgramPage(uint32_t adr, uint32_t sz, const uint8_t *buf)
{
	int64_t off = offset_of(adr, sz);

	if (off < 0)
		return 1;
	return nor.flash.ops->program(&nor.flash, (uint32_t)off, buf, sz) ==
			       FK_OK ?
		       0 :
		       1;
}

/* Compares the chip with buf (or with the byte pat when buf is NULL);
 * returns the address of the first difference, or adr + sz. */
static uint32_t compare(uint32_t adr, uint32_t sz, const uint8_t *buf,
			uint8_t pat)
{
	uint8_t chunk[VERIFY_CHUNK];
	int64_t off = offset_of(adr, sz);

	if (off < 0)
		return adr;
	for (uint32_t done = 0; done < sz; done += VERIFY_CHUNK) {
		uint32_t n =
			sz - done < VERIFY_CHUNK ? sz - done : VERIFY_CHUNK;

		if (nor.flash.ops->read(&nor.flash, (uint32_t)off + done, chunk,
					n) != FK_OK)
			return adr + done;
		for (uint32_t i = 0; i < n; i++)
			if (chunk[i] != (buf ? buf[done + i] : pat))
				return adr + done + i;
	}
	return adr + sz;
}

uint32_t Verify(uint32_t adr, uint32_t sz, const uint8_t *buf)
{
	return compare(adr, sz, buf, 0);
}

int BlankCheck(uint32_t adr, uint32_t sz, uint32_t pat)
{
	return compare(adr, sz, 0, (uint8_t)pat) == adr + sz ? 0 : 1;
}
