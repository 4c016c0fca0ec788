/*
 * The NOR port test image (nor.cmake): the SFDP NOR driver (ports/nor/
 * nor.c) over the STM32 QUADSPI (built with NOR_BUS_QSPI, Cortex-M7, the
 * code standing for code in the QSPI chip) or over a plain SPI with a
 * GPIO chip select (NOR_BUS_SPI, Cortex-M3, an F205), in the
 * configurations the tests open by variant; and a few functions the
 * tests use to break the datasheet's and the manual's rules on purpose,
 * so they can show the models (tests/ports/models/) catch each one.
 */
#include <stdint.h>

#include "nor/nor.h"
#include "shim/shim.h"

#if defined(NOR_BUS_QSPI)
#include "nor/nor_qspi_stm32.h"
#elif defined(NOR_BUS_SPI)
#include "nor/nor_spi_stm32.h"
#else
#error "NOR_BUS_QSPI or NOR_BUS_SPI"
#endif

/* What fk_shim_open saw, for the host (read through uc_symbol): the
 * init code, then the driver's choices. */
int32_t nor_test_init_rc;
uint32_t nor_test_desc[16];

static struct fk_nor nor;

#if defined(NOR_BUS_QSPI)
static struct fk_nor_qspi bus;

static int open_bus(void)
{
	struct fk_nor_qspi_config c = { .regs = 0x52005000u,
					.prescaler = 1,
					.size_log2 = 26,
					.cs_high_clocks = 2 };

	return fk_nor_qspi_init(&bus, &c);
}

#define BASE 0x90000000u
#else
static struct fk_nor_spi bus;

static int open_bus(void)
{
	struct fk_nor_spi_config c = {
		.spi = 0x40013000u, .gpio = 0x40020000u, .cs_pin = 4, .br = 1
	};

	return fk_nor_spi_init(&bus, &c);
}

#define BASE 0u
#endif

static void describe(void)
{
	uint32_t *d = nor_test_desc;

	d[0] = (uint32_t)nor.id[0] << 16 | (uint32_t)nor.id[1] << 8 | nor.id[2];
	d[1] = nor.addr_len;
	d[2] = nor.read_op;
	d[3] = nor.program_op;
	d[4] = nor.page_size;
	d[5] = nor.erase_count;
	for (uint32_t i = 0; i < nor.erase_count; i++) {
		d[6 + 2 * i] = nor.erase[i].size;
		d[7 + 2 * i] = nor.erase[i].opcode;
	}
}

/* Variant 0: default (4 KiB sectors); 1: 64 KiB sectors; 2: any vendor;
 * 3: a poll bound of one status read. */
const struct fk_flash *fk_shim_open(uint32_t variant)
{
	struct fk_nor_config c = { .bus = &bus.bus, .base = BASE };

	if (variant > 3)
		return 0;
	c.sector_size = variant == 1 ? 64u << 10 : 0;
	c.any_vendor = variant == 2;
	c.max_polls = variant == 3 ? 1 : 0;
	nor_test_init_rc = open_bus();
	if (nor_test_init_rc == FK_OK)
		nor_test_init_rc = fk_nor_init(&nor, &c);
	if (nor_test_init_rc != FK_OK)
		return 0;
	describe();
	return &nor.flash;
}

/* The driver's range erase and chip erase on the opened chip. */
int nor_test_erase_range(uint32_t off, uint32_t len)
{
	return fk_nor_erase(&nor, off, len);
}

int nor_test_erase_chip(void)
{
	return fk_nor_erase_chip(&nor);
}

/* One raw command through the bus, with no write enable, no busy wait:
 * flags bits 0-7 the opcode, 8-11 the address length, bit 16 the data
 * phase reads into fk_shim_buf (else it sends len bytes from it), bit 17
 * the bus is left out of its resting state (no idle). */
FK_RAMFUNC int nor_test_raw(uint32_t flags, uint32_t addr, uint32_t len)
{
	struct fk_nor_cmd cmd = { .opcode = (uint8_t)flags,
				  .addr_len = (uint8_t)(flags >> 8 & 15u),
				  .addr = addr };
	struct fk_nor_cmd read = { .opcode = 0x0B, .addr_len = 3, .dummy = 1 };
	int rx = flags & (1u << 16);
	int rc = bus.bus.xfer(&bus.bus, &cmd, rx ? 0 : fk_shim_buf,
			      rx ? fk_shim_buf : 0, len);

	if (!(flags & (1u << 17)) && bus.bus.idle)
		bus.bus.idle(&bus.bus, &read);
	return rc;
}

#if defined(NOR_BUS_QSPI)
static FK_RAMFUNC uint32_t primask(void)
{
	uint32_t v;

	__asm__ volatile("mrs %0, primask" : "=r"(v));
	return v & 1u;
}

/* PRIMASK before a command, while the chip is out of memory-mapped mode,
 * and after the bus's idle(): bits 0, 1 and 2. */
FK_RAMFUNC uint32_t nor_test_irq_mask(void)
{
	struct fk_nor_cmd rdsr = { .opcode = 0x05 };
	struct fk_nor_cmd read = { .opcode = 0x0B, .addr_len = 3, .dummy = 1 };
	uint32_t before = primask(), during, after;
	uint8_t sr;

	bus.bus.xfer(&bus.bus, &rdsr, 0, &sr, 1);
	during = primask();
	bus.bus.idle(&bus.bus, &read);
	after = primask();
	return before | during << 1 | after << 2;
}
#endif

/* Register accesses for the tests that break the manual's rules; in RAM
 * so that leaving memory-mapped mode does not also fetch from ROM. */
FK_RAMFUNC void nor_test_poke(uint32_t addr, uint32_t value, uint32_t size)
{
	if (size == 1)
		*(volatile uint8_t *)addr = (uint8_t)value;
	else
		*(volatile uint32_t *)addr = value;
}

FK_RAMFUNC uint32_t nor_test_peek(uint32_t addr, uint32_t size)
{
	if (size == 1)
		return *(volatile uint8_t *)addr;
	return *(volatile uint32_t *)addr;
}

/* A function in ROM that reads a word of the memory-mapped window. */
uint32_t nor_test_read_window(uint32_t off)
{
	return *(volatile uint32_t *)(BASE + off);
}
