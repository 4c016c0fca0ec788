/*
 * Cortex-M glue shared by every Cortex-M target: the startup code's hooks,
 * placing flash-programming routines in RAM, and the final jump from a
 * bootloader to an image.
 *
 * The startup code (startup.c) and the linker script (sections.ld with a
 * MEMORY block from memory.ld.in) go together: the script defines the
 * symbols the reset handler uses to copy .data and .ramfunc to RAM and to
 * clear .bss. Nothing here knows the board; ports/qemu-mps2/ and real
 * ports add the board.
 */
#ifndef FLASHKIT_PORTS_CORTEXM_H
#define FLASHKIT_PORTS_CORTEXM_H

#include <stdint.h>

#include "ramfunc.h"

/*
 * Starts the image whose vector table is at vector_table, as a reset
 * would: interrupts and SysTick off and nothing pending, VTOR set to the
 * table, MSP loaded from its first word, thread mode privileged on MSP,
 * then a branch to its reset handler (second word). Never returns. The
 * caller checks first that the table is plausible
 * (fk_cortexm_vector_table_ok) and that the image is valid.
 */
void fk_cortexm_jump(uint32_t vector_table) __attribute__((noreturn));

/*
 * True when the vector table at vector_table looks like a bootable
 * image's: an initial stack pointer inside [ram_lo, ram_hi] and 8-byte
 * aligned, and a Thumb reset handler inside [code_lo, code_hi).
 */
int fk_cortexm_vector_table_ok(uint32_t vector_table, uint32_t ram_lo,
			       uint32_t ram_hi, uint32_t code_lo,
			       uint32_t code_hi);

/* Hooks of the startup code; weak, a board port overrides them. */

/* Called with main()'s return value. The default waits forever; the QEMU
 * port ends the emulation with that status. */
void fk_cortexm_main_returned(int status) __attribute__((noreturn));

/* Called from every fault handler with the exception number (3 HardFault,
 * 4 MemManage, 5 BusFault, 6 UsageFault). The default waits forever. */
void fk_cortexm_fault(uint32_t exception) __attribute__((noreturn));

#endif
