/*
 * Semihosting calls (ARM "Semihosting for AArch32 and AArch64", the
 * operation numbers in semihost.h) and a small printf on top of
 * SYS_WRITE0.
 * Everything is freestanding: no C library, no heap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cortexm.h"
#include "semihost.h"

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static int32_t sh_call(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
	return (int32_t)r0;
}

static uint32_t str_len(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

void fk_sh_puts(const char *s)
{
	sh_call(SYS_WRITE0, s);
}

int fk_sh_open(const char *path, enum fk_sh_mode mode)
{
	uint32_t args[3] = { (uint32_t)(uintptr_t)path, (uint32_t)mode,
			     str_len(path) };
	int32_t handle = sh_call(SYS_OPEN, args);

	return handle < 0 ? -1 : (int)handle;
}

int fk_sh_close(int handle)
{
	uint32_t args[1] = { (uint32_t)handle };

	return sh_call(SYS_CLOSE, args) == 0 ? 0 : -1;
}

/* SYS_WRITE and SYS_READ return the number of bytes NOT transferred. */
int fk_sh_write(int handle, const void *buf, uint32_t len)
{
	uint32_t args[3] = { (uint32_t)handle, (uint32_t)(uintptr_t)buf, len };

	return sh_call(SYS_WRITE, args) == 0 ? 0 : -1;
}

int fk_sh_read(int handle, void *buf, uint32_t len)
{
	uint32_t args[3] = { (uint32_t)handle, (uint32_t)(uintptr_t)buf, len };

	return sh_call(SYS_READ, args) == 0 ? 0 : -1;
}

int fk_sh_seek(int handle, uint32_t pos)
{
	uint32_t args[2] = { (uint32_t)handle, pos };

	return sh_call(SYS_SEEK, args) == 0 ? 0 : -1;
}

long fk_sh_flen(int handle)
{
	uint32_t args[1] = { (uint32_t)handle };
	int32_t len = sh_call(SYS_FLEN, args);

	return len < 0 ? -1 : (long)len;
}

int fk_sh_cmdline(char *buf, uint32_t len)
{
	uint32_t args[2] = { (uint32_t)(uintptr_t)buf, len };

	return sh_call(SYS_GET_CMDLINE, args) == 0 ? 0 : -1;
}

void fk_sh_exit(int status)
{
	uint32_t args[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };

	sh_call(SYS_EXIT_EXTENDED, args);
	for (;;)
		; /* not reached under QEMU */
}

/* printf: output collects in a small buffer flushed with SYS_WRITE0. */
struct out {
	char buf[129];
	uint32_t n;
};

static void out_flush(struct out *o)
{
	if (o->n) {
		o->buf[o->n] = '\0';
		fk_sh_puts(o->buf);
		o->n = 0;
	}
}

static void out_char(struct out *o, char c)
{
	if (o->n == sizeof(o->buf) - 1)
		out_flush(o);
	o->buf[o->n++] = c;
}

struct spec {
	char pad;	/* ' ' or '0' */
	uint32_t width; /* minimum field width */
};

static void out_field(struct out *o, const char *s, uint32_t len,
		      struct spec sp)
{
	while (sp.width > len) {
		out_char(o, sp.pad);
		sp.width--;
	}
	while (len--)
		out_char(o, *s++);
}

static void out_number(struct out *o, uint32_t v, uint32_t base, bool upper,
		       bool negative, struct spec sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[12];
	uint32_t n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (sp.pad == '0') {
			out_char(o, '-');
			sp.width = sp.width ? sp.width - 1 : 0;
		} else {
			tmp[--n] = '-';
		}
	}
	out_field(o, tmp + n, sizeof(tmp) - n, sp);
}

void fk_sh_vprintf(const char *fmt, va_list ap)
{
	struct out o = { .n = 0 };

	for (; *fmt; fmt++) {
		struct spec sp = { ' ', 0 };
		const char *s;
		int d;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			sp.pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (uint32_t)(*fmt++ - '0');
		if (*fmt == 'l')
			fmt++; /* long is 32 bits here */
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			s = s ? s : "(null)";
			out_field(&o, s, str_len(s), sp);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 'd':
		case 'i':
			d = va_arg(ap, int);
			out_number(&o, d < 0 ? 0u - (uint32_t)d : (uint32_t)d,
				   10, false, d < 0, sp);
			break;
		case 'u':
			out_number(&o, va_arg(ap, unsigned int), 10, false,
				   false, sp);
			break;
		case 'x':
		case 'X':
			out_number(&o, va_arg(ap, unsigned int), 16,
				   *fmt == 'X', false, sp);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			sp.pad = '0', sp.width = 8;
			out_number(&o, (uint32_t)(uintptr_t)va_arg(ap, void *),
				   16, false, false, sp);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end */
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	out_flush(&o);
}

void fk_sh_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fk_sh_vprintf(fmt, ap);
	va_end(ap);
}

/* The Cortex-M startup hooks, for QEMU: main's return value becomes
 * QEMU's exit status; a fault is reported and ends the run with 128 +
 * the exception number, so a test sees it instead of a hang. */
void fk_cortexm_main_returned(int status)
{
	fk_sh_exit(status);
}

void fk_cortexm_fault(uint32_t exception)
{
	fk_sh_printf("fault: exception %u\n", (unsigned int)exception);
	fk_sh_exit(128 + (int)exception);
}
