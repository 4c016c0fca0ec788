/*
 * FK_RAMFUNC on Cortex-M: puts a function in RAM (section .ramfunc,
 * copied there by the reset handler). Flash-programming routines need it
 * on parts where the flash cannot be read (fetched from) while it is being
 * programmed or erased, and when the code runs from a QSPI chip that must
 * leave memory-mapped mode to be written. long_call because RAM is
 * usually out of reach of a BL from flash.
 *
 * The device-side library never includes a port header: a build that
 * wants its flash-writing functions in RAM compiles src/ with
 * `-include ports/cortex-m/ramfunc.h` (cmake/qemu.cmake does). A build
 * may also pass its own -DFK_RAMFUNC=..., which wins.
 */
#ifndef FLASHKIT_PORT_CORTEXM_RAMFUNC_H
#define FLASHKIT_PORT_CORTEXM_RAMFUNC_H

#ifndef FK_RAMFUNC
#define FK_RAMFUNC __attribute__((section(".ramfunc"), noinline, long_call))
#endif

#endif
