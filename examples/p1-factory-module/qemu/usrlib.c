/*
 * The usrlib module of the P1 example: code linked on its own into the
 * factory-backup region, with its own RAM (module-usrlib.ld), called by
 * the user part through the entry table `flashkit module gen` writes
 * (usrlib_table.c). Its variables live in its RAM: `calls` in .bss (the
 * table's init zeroes it), `greeting` and `base` in .data (copied from
 * flash by the init).
 *
 * Built three ways for the QEMU proof: version 1 (usrlib.exports),
 * USRLIB_V2 (usrlib_v2.exports: one function appended, a new greeting),
 * USRLIB_BAD (usrlib_bad.exports: usrlib_add changed, api raised).
 */
#include "usrlib_types.h"

static uint32_t calls;
static uint32_t base = 1000;
#ifdef USRLIB_V2
static char greeting[] = "usrlib v2";
#else
static char greeting[] = "usrlib v1";
#endif

#ifdef USRLIB_BAD
int32_t usrlib_add(int16_t a, int16_t b);
int32_t usrlib_add(int16_t a, int16_t b)
#else
int32_t usrlib_add(int32_t a, int32_t b);
int32_t usrlib_add(int32_t a, int32_t b)
#endif
{
	calls++;
	return (int32_t)base - 1000 + a + b;
}

void usrlib_scale(struct usrlib_vec *v, int32_t k);
void usrlib_scale(struct usrlib_vec *v, int32_t k)
{
	calls++;
	v->x *= k;
	v->y *= k;
}

uint32_t usrlib_calls(void);
uint32_t usrlib_calls(void)
{
	return calls;
}

const char *usrlib_name(void);
const char *usrlib_name(void)
{
	calls++;
	return greeting;
}

#ifdef USRLIB_V2
int32_t usrlib_sub(int32_t a, int32_t b);
int32_t usrlib_sub(int32_t a, int32_t b)
{
	calls++;
	return a - b;
}
#endif
