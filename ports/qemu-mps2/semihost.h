/*
 * ARM semihosting as QEMU implements it (-semihosting-config
 * enable=on,target=native): console output, host files, the command line
 * and exit with a status. Every call traps into QEMU with BKPT 0xAB and
 * blocks until the host has done it, so a host file written here is on
 * disk before the call returns: killing QEMU afterwards keeps it.
 *
 * Only for emulation: on real hardware without a debugger a BKPT halts
 * the core.
 */
#ifndef FLASHKIT_PORTS_QEMU_SEMIHOST_H
#define FLASHKIT_PORTS_QEMU_SEMIHOST_H

#include <stdarg.h>
#include <stdint.h>

/* The operations used, as r0 of BKPT 0xAB (the port test harness,
 * tests/ports/uc, serves the same numbers). */
enum {
	SYS_OPEN = 0x01,
	SYS_CLOSE = 0x02,
	SYS_WRITE0 = 0x04,
	SYS_WRITE = 0x05,
	SYS_READ = 0x06,
	SYS_SEEK = 0x0A,
	SYS_FLEN = 0x0C,
	SYS_GET_CMDLINE = 0x15,
	SYS_EXIT_EXTENDED = 0x20,
};

/* fk_sh_open modes (fopen's): */
enum fk_sh_mode {
	FK_SH_RB = 1,	  /* "rb": read, must exist */
	FK_SH_RPLUSB = 3, /* "r+b": read and write, must exist */
	FK_SH_WPLUSB = 7, /* "w+b": read and write, created or truncated */
};

/* Writes a NUL-terminated string to the console (QEMU's stdout). */
void fk_sh_puts(const char *s);

/* printf to the console, for a few conversions: %s %c %d %i %u %x %X %p
 * %%, with an optional '0' flag, width and 'l'. Output goes out in
 * pieces of at most 128 bytes; a long line is not torn otherwise. */
void fk_sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fk_sh_vprintf(const char *fmt, va_list ap);

/* Opens a host file (path relative to QEMU's working directory). Returns
 * a handle >= 0, or -1. */
int fk_sh_open(const char *path, enum fk_sh_mode mode);
/* 0 or -1. */
int fk_sh_close(int handle);
/* Writes all len bytes at the file position: 0, or -1 when not all were
 * written. */
int fk_sh_write(int handle, const void *buf, uint32_t len);
/* Reads len bytes at the file position: 0 when all were read, -1 on
 * error or a short read (end of file). */
int fk_sh_read(int handle, void *buf, uint32_t len);
/* Moves the file position to pos from the start: 0 or -1. */
int fk_sh_seek(int handle, uint32_t pos);
/* Length of the file in bytes, or -1. */
long fk_sh_flen(int handle);

/* Copies the command line given with -semihosting-config arg=... (the
 * arguments separated by spaces) into buf: 0, or -1 when it does not fit
 * or there is none. */
int fk_sh_cmdline(char *buf, uint32_t len);

/* Ends the emulation; QEMU exits with status (0..255). */
void fk_sh_exit(int status) __attribute__((noreturn));

#endif
