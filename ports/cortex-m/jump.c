/*
 * The final jump from a bootloader to an image: the one place flashkit
 * reads memory-mapped flash directly (the image's vector table).
 */
#include <stdint.h>

#include "cortexm.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define NVIC_ICER ((volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR ((volatile uint32_t *)0xE000E280u)

int fk_cortexm_vector_table_ok(uint32_t vector_table, uint32_t ram_lo,
			       uint32_t ram_hi, uint32_t code_lo,
			       uint32_t code_hi)
{
	const volatile uint32_t *vt = (const volatile uint32_t *)vector_table;
	uint32_t sp = vt[0], pc = vt[1];

	if ((vector_table & 0x7F) != 0)
		return 0; /* VTOR needs at least 128-byte alignment */
	if (sp < ram_lo || sp > ram_hi || (sp & 7) != 0)
		return 0;
	if ((pc & 1) == 0 || (pc & ~1u) < code_lo || (pc & ~1u) >= code_hi)
		return 0;
	return 1;
}

void fk_cortexm_jump(uint32_t vector_table)
{
	const volatile uint32_t *vt = (const volatile uint32_t *)vector_table;
	uint32_t sp = vt[0], pc = vt[1];

	__asm__ volatile("cpsid i" ::: "memory");
	SYST_CSR = 0;
	for (int i = 0; i < 8; i++) {
		NVIC_ICER[i] = 0xFFFFFFFFu;
		NVIC_ICPR[i] = 0xFFFFFFFFu;
	}
	SCB_ICSR = (1u << 25) | (1u << 27); /* clear pending SysTick, PendSV */
	SCB_VTOR = vector_table;
	/* From here the bootloader's stack is gone: one asm block. */
	__asm__ volatile("msr msp, %0\n\t"
			 "movs r2, #0\n\t"
			 "msr control, r2\n\t"
			 "isb\n\t"
			 "dsb\n\t"
			 "cpsie i\n\t"
			 "bx %1\n\t"
			 :
			 : "r"(sp), "r"(pc)
			 : "r2", "memory");
	__builtin_unreachable();
}
