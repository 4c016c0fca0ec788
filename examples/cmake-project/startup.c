/*
 * The smallest Cortex-M startup for the generated app.ld: the vector
 * table (section .isr_vector, which the script puts first in the slot,
 * after the image header) and a reset handler that copies .data, zeroes
 * .bss and calls main. A real project uses its vendor's startup file
 * with the same symbols.
 */
#include <stdint.h>
#include <string.h>

extern uint32_t __data_start, __data_end, __data_load;
extern uint32_t __bss_start, __bss_end, __stack_top;

int main(void);

void Reset_Handler(void)
{
	memcpy(&__data_start, &__data_load,
	       (uintptr_t)&__data_end - (uintptr_t)&__data_start);
	memset(&__bss_start, 0,
	       (uintptr_t)&__bss_end - (uintptr_t)&__bss_start);
	main();
	for (;;)
		;
}

static void default_handler(void)
{
	for (;;)
		;
}

__attribute__((section(".isr_vector"),
	       used)) static void (*const vectors[16])(void) = {
	(void (*)(void)) & __stack_top,
	Reset_Handler,
	default_handler,
	default_handler,
	default_handler,
	default_handler,
	default_handler,
};
