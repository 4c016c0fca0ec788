/*
 * Probes (probe.h): each function is one access, or one store and a
 * poll, with nothing else in between.
 */
#include "probe.h"

#define REG32(a) (*(volatile uint32_t *)(a))

uint32_t fk_probe_rd8(uint32_t addr)
{
	return *(volatile uint8_t *)addr;
}

uint32_t fk_probe_rd16(uint32_t addr)
{
	return *(volatile uint16_t *)addr;
}

uint32_t fk_probe_rd32(uint32_t addr)
{
	return REG32(addr);
}

void fk_probe_wr8(uint32_t addr, uint32_t value)
{
	*(volatile uint8_t *)addr = (uint8_t)value;
}

void fk_probe_wr16(uint32_t addr, uint32_t value)
{
	*(volatile uint16_t *)addr = (uint16_t)value;
}

void fk_probe_wr32(uint32_t addr, uint32_t value)
{
	REG32(addr) = value;
}

void fk_probe_wr64(uint32_t addr, uint32_t lo, uint32_t hi)
{
	REG32(addr) = lo;
	REG32(addr + 4) = hi;
}

FK_RAMFUNC uint32_t fk_probe_rd32_ram(uint32_t addr)
{
	return REG32(addr);
}

FK_RAMFUNC void fk_probe_wr32_ram(uint32_t addr, uint32_t value)
{
	REG32(addr) = value;
}

FK_RAMFUNC uint32_t fk_probe_start_wait_ram(uint32_t addr, uint32_t value,
					    uint32_t poll, uint32_t mask)
{
	uint32_t v;

	REG32(addr) = value;
	do {
		v = REG32(poll);
	} while (v & mask);
	return v;
}

uint32_t fk_probe_start_wait_rom(uint32_t addr, uint32_t value, uint32_t poll,
				 uint32_t mask)
{
	uint32_t v;

	REG32(addr) = value;
	do {
		v = REG32(poll);
	} while (v & mask);
	return v;
}
