/*
 * Reset handler and vector table for Cortex-M3/M4.
 *
 * The reset handler copies .data and .ramfunc from their load address in
 * flash to RAM, clears .bss, calls main() and hands its return value to
 * fk_cortexm_main_returned(). Faults go to fk_cortexm_fault() with their
 * number, so a port can report them instead of hanging. The symbols come
 * from sections.ld.
 */
#include <stdint.h>

#include "cortexm.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern uint32_t _siramfunc, _sramfunc, _eramfunc;

int main(void);

void __attribute__((weak, noreturn)) fk_cortexm_main_returned(int status)
{
	(void)status;
	for (;;)
		__asm__ volatile("wfi");
}

void __attribute__((weak, noreturn)) fk_cortexm_fault(uint32_t exception)
{
	(void)exception;
	for (;;)
		__asm__ volatile("wfi");
}

static void copy_words(uint32_t *dst, const uint32_t *src, uint32_t *end)
{
	while (dst < end)
		*dst++ = *src++;
}

void __attribute__((noreturn)) fk_cortexm_reset(void)
{
	uint32_t *p;

	copy_words(&_sdata, &_sidata, &_edata);
	copy_words(&_sramfunc, &_siramfunc, &_eramfunc);
	for (p = &_sbss; p < &_ebss; p++)
		*p = 0;
	fk_cortexm_main_returned(main());
}

static uint32_t active_exception(void)
{
	uint32_t ipsr;

	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr & 0x1FF;
}

static void __attribute__((noreturn)) fault_handler(void)
{
	fk_cortexm_fault(active_exception());
}

static void __attribute__((noreturn)) unexpected_irq(void)
{
	fk_cortexm_fault(active_exception());
}

/* 16 system exceptions and the 32 interrupts of the CMSDK (mps2-an385)
 * and most small parts; a port with more adds its own table. */
typedef void (*fk_vector)(void);

__attribute__((section(".vectors"), used))
const fk_vector fk_cortexm_vectors[16 + 32] = {
	[0] = (fk_vector)(uintptr_t)&_estack,
	[1] = fk_cortexm_reset,
	[2] = unexpected_irq,  /* NMI */
	[3] = fault_handler,   /* HardFault */
	[4] = fault_handler,   /* MemManage */
	[5] = fault_handler,   /* BusFault */
	[6] = fault_handler,   /* UsageFault */
	[11] = unexpected_irq, /* SVCall */
	[12] = unexpected_irq, /* DebugMonitor */
	[14] = unexpected_irq, /* PendSV */
	[15] = unexpected_irq, /* SysTick */
	[16 ... 47] = unexpected_irq,
};
