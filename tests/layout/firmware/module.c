/*
 * A library module: an entry table at the start of its partition (the
 * section .module_table), code, and its own data in its own RAM.
 */
#include <stdint.h>

static volatile uint32_t calls = 1;
static volatile uint32_t scratch[32];

static uint32_t module_add(uint32_t a, uint32_t b)
{
	calls++;
	scratch[calls & 31] = a;
	return a + b + calls;
}

__attribute__((section(".module_table"), used))
const uintptr_t module_table[2] = { 0x464b4d31u, (uintptr_t)module_add };
