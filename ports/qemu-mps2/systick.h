/*
 * SysTick as an instruction counter, for measurements under QEMU's
 * mps2-an385/an386 with -icount shift=0: the virtual clock advances 1 ns
 * per instruction and SysTick counts the 25 MHz processor clock, so one
 * tick is 40 instructions (bench/boot_time checks that factor on a loop
 * of known length). The counter runs down from 2^24 - 1 and is read,
 * not interrupted: an interval of up to 2^24 - 1 ticks (671 million
 * instructions) is measured exactly.
 */
#ifndef FK_QEMU_SYSTICK_H
#define FK_QEMU_SYSTICK_H

#include <stdint.h>

#define FK_SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define FK_SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define FK_SYST_CVR (*(volatile uint32_t *)0xE000E018u)

/* Instructions per SysTick tick under -icount shift=0. */
#define FK_SYST_INSNS_PER_TICK 40u

/* Starts SysTick from the processor clock, counting down from 2^24 - 1,
 * no interrupt. */
static inline void fk_systick_start(void)
{
	FK_SYST_RVR = 0x00FFFFFFu;
	FK_SYST_CVR = 0;
	FK_SYST_CSR = 5;
}

/* The counter now; the ticks between two readings a and b (a first) are
 * (a - b) & 0xFFFFFF. */
static inline uint32_t fk_systick_now(void)
{
	return FK_SYST_CVR;
}

#endif
