/*
 * The image the "boot" phase of qemu_flash_demo jumps to: linked to run
 * from sector 4 of the file-backed flash (0x00104000). It proves the jump
 * set VTOR and the stack as a reset would, and that its .data was copied.
 */
#include <stdint.h>

#include "semihost.h"

#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

static volatile uint32_t initialised = 0x600DDA7Au;

int main(void)
{
	uint32_t sp;

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	fk_sh_printf("app: running from 0x%08x, VTOR 0x%08x, sp 0x%08x\n",
		     (unsigned)(uintptr_t)main, (unsigned)SCB_VTOR,
		     (unsigned)sp);
	if (SCB_VTOR != 0x00104000u || initialised != 0x600DDA7Au)
		return 1;
	fk_sh_puts("app: ok\n");
	return 0;
}
