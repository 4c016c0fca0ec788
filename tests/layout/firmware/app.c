/*
 * A small Cortex-M program linked with every generated image script:
 * a vector table, a reset handler that copies .data and the extra RAM
 * sections and zeroes .bss, and a main touching code, read-only data,
 * initialised and zeroed data. extra_sections.h (written by the test
 * from the script's MEMORY block) puts one variable in each extra RAM
 * region, so those sections are linked too.
 */
#include <stdint.h>
#include <string.h>

#include "extra_sections.h"

extern uint32_t __data_start, __data_end, __data_load;
extern uint32_t __bss_start, __bss_end, __stack_top;

int main(void);

void Reset_Handler(void)
{
	memcpy(&__data_start, &__data_load,
	       (uintptr_t)&__data_end - (uintptr_t)&__data_start);
	memset(&__bss_start, 0, (uintptr_t)&__bss_end - (uintptr_t)&__bss_start);
	FK_COPY_EXTRA_SECTIONS();
	main();
	for (;;)
		;
}

static void default_handler(void)
{
	for (;;)
		;
}

__attribute__((section(".isr_vector"), used))
static void (*const vectors[16])(void) = {
	(void (*)(void))&__stack_top, Reset_Handler, default_handler,
	default_handler,
};

static const char greeting[] = "flashkit layout link test";
static volatile uint32_t counter = 42;
static volatile uint32_t zeroed[64];

int main(void)
{
	zeroed[counter & 63] = (uint32_t)greeting[counter % sizeof(greeting)];
	FK_TOUCH_EXTRA_SECTIONS();
	return (int)zeroed[0];
}
