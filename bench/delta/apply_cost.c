/*
 * What applying a patch costs on the device, counted in Cortex-M3
 * instructions (bench/delta/run.sh): the device decoder (src/delta/) run
 * under QEMU mps2-an385 with -icount shift=0, fed the stream in 256-byte
 * pieces as a UART would deliver it, reading the old image from memory
 * (QEMU loads it at 0x00200000, as the primary slot) and writing the new
 * one through the write callback to 0x00280000 (the staging slot),
 * reading it back from there for matches. The run's parameters are four
 * words at 0x003ff000: old size, new size, block size log2, stream
 * length; the stream is at 0x00300000. SysTick counts one tick per 40
 * instructions (as bench/boot_time/boot_time.c, whose calibration loop
 * is repeated here). The stack below main's frame is painted first and
 * the depth the decoder reached read back after (callbacks included).
 * Prints "delta_apply: loop T ticks, apply T ticks, result R, crc C,
 * stack S" (C: CRC-32 of the output, for the script to check).
 */
#include <stdint.h>
#include <string.h>

#include "flashkit/crc.h"
#include "flashkit/delta.h"
#include "semihost.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

#define OLD_BASE ((const uint8_t *)0x00200000u)
#define OUT_BASE ((uint8_t *)0x00280000u)
#define STREAM_BASE ((const uint8_t *)0x00300000u)
#define PARAMS ((const volatile uint32_t *)0x003ff000u)
#define PIECE 256

static int read_old(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	(void)ctx;
	memcpy(buf, OLD_BASE + off, len);
	return FK_OK;
}

static int read_out(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	(void)ctx;
	memcpy(buf, OUT_BASE + off, len);
	return FK_OK;
}

static int write_out(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
	(void)ctx;
	memcpy(OUT_BASE + off, buf, len);
	return FK_OK;
}

static void __attribute__((noinline)) known_loop(void)
{
	uint32_t n = 1000000;

	__asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
}

static struct fk_delta dec;

#define PAINT 0xA5u
#define PAINT_SPAN 2048u /* bytes below the caller's frame */

static uint8_t *stack_pointer(void)
{
	uint8_t *sp;

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

/* Fills PAINT_SPAN bytes below a margin under the current frame. */
static void __attribute__((noinline)) paint(uint8_t *top)
{
	for (uint8_t *p = top - PAINT_SPAN; p < top; p++)
		*(volatile uint8_t *)p = PAINT;
}

/* Bytes of the painted span written since, from its top down. */
static uint32_t painted_used(const uint8_t *top)
{
	const uint8_t *p = top - PAINT_SPAN;

	while (p < top && *p == PAINT)
		p++;
	return (uint32_t)(top - p);
}

int main(void)
{
	const struct fk_delta_io io = { read_old, read_out, write_out, NULL };
	const struct fk_delta_params p = { PARAMS[0], PARAMS[1],
					   (uint8_t)PARAMS[2] };
	uint32_t len = PARAMS[3], off, t0, t1, t2, t3, used;
	uint8_t *top = stack_pointer() - 64;
	int rc;

	paint(top);

	SYST_RVR = 0x00FFFFFFu;
	SYST_CVR = 0;
	SYST_CSR = 5;
	t0 = SYST_CVR;
	known_loop();
	t1 = SYST_CVR;
	t2 = SYST_CVR;
	rc = fk_delta_init(&dec, &p, &io, 0);
	for (off = 0; rc == FK_OK && off < len; off += PIECE)
		rc = fk_delta_feed(&dec, STREAM_BASE + off,
				   len - off < PIECE ? len - off : PIECE);
	if (rc == FK_OK)
		rc = fk_delta_finish(&dec);
	t3 = SYST_CVR;
	used = painted_used(top) + 64; /* and the margin, at most */
	fk_sh_printf("delta_apply: loop %u ticks, apply %u ticks, result %d, "
		     "crc %u, stack %u\n",
		     (unsigned)((t0 - t1) & 0xFFFFFFu),
		     (unsigned)((t2 - t3) & 0xFFFFFFu), rc,
		     (unsigned)fk_crc32(0, OUT_BASE, p.new_size),
		     (unsigned)used);
	return rc == FK_OK ? 0 : 1;
}
