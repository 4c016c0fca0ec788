/*
 * Register and memory-mapped flash access shared by the STM32 flash
 * drivers of this folder (L0/L1, L4, H7). Internal to ports/stm32/: not
 * an API.
 *
 * Everything here is always inlined, so that a driver function placed in
 * RAM (FK_RAMFUNC) never calls back into flash while the flash is busy.
 * Registers are reached by bus address (a uint32_t), as the reference
 * manuals give them; the drivers add offsets to a base from their config.
 */
#ifndef FLASHKIT_PORTS_STM32_MMIO_H
#define FLASHKIT_PORTS_STM32_MMIO_H

#include <stdint.h>

#include "../cortex-m/ramfunc.h"
#include "flashkit/flash.h"

#define FK_STM32_INLINE static inline __attribute__((always_inline))

FK_STM32_INLINE uint32_t fk_stm32_rd(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

FK_STM32_INLINE void fk_stm32_wr(uint32_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

/* Waits until none of the bits in mask is set in the register at addr and
 * returns its last value. The flash sets them for a bounded time; a
 * controller that never clears them is a hardware fault no retry fixes. */
FK_STM32_INLINE uint32_t fk_stm32_wait_clear(uint32_t addr, uint32_t mask)
{
	uint32_t v;

	do {
		v = fk_stm32_rd(addr);
	} while (v & mask);
	return v;
}

/* A little-endian word from a byte buffer of any alignment. */
FK_STM32_INLINE uint32_t fk_stm32_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A word at any alignment, little-endian: one store where the core
 * takes unaligned ones (ARMv7-M, unless built -mno-unaligned-access). */
struct fk_stm32_word {
	uint32_t v;
} __attribute__((packed, may_alias));

/* Copies len bytes of memory-mapped flash at bus address src into buf:
 * whole aligned words where it can, bytes at the ends. Volatile, so every
 * byte is really read (the read is what raises an ECC flag). Each word
 * goes into buf with one store where the core allows it (fk_stm32_word),
 * else byte by byte. */
FK_STM32_INLINE void fk_stm32_copy_in(uint8_t *buf, uint32_t src, uint32_t len)
{
	while (len && (src & 3u)) {
		*buf++ = *(volatile uint8_t *)src++;
		len--;
	}
	for (; len >= 4; len -= 4, src += 4, buf += 4) {
		uint32_t w = fk_stm32_rd(src);

#ifdef __ARM_FEATURE_UNALIGNED
		((struct fk_stm32_word *)buf)->v = w;
#else
		buf[0] = (uint8_t)w;
		buf[1] = (uint8_t)(w >> 8);
		buf[2] = (uint8_t)(w >> 16);
		buf[3] = (uint8_t)(w >> 24);
#endif
	}
	while (len--)
		*buf++ = *(volatile uint8_t *)src++;
}

/* True when every byte of [addr, addr+len) reads erased; len a multiple
 * of 4 and addr word-aligned. */
FK_STM32_INLINE int fk_stm32_words_are(uint32_t addr, uint32_t len,
				       uint32_t erased_word)
{
	for (uint32_t i = 0; i < len; i += 4) {
		if (fk_stm32_rd(addr + i) != erased_word)
			return 0;
	}
	return 1;
}

/* Data and instruction barriers after a register write that starts an
 * operation (the write must reach the controller before the poll). */
FK_STM32_INLINE void fk_stm32_barrier(void)
{
	__asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

/* Masks interrupts and returns the previous PRIMASK, for a sequence no
 * handler (which may fetch from the flash) may interrupt. */
FK_STM32_INLINE uint32_t fk_stm32_irq_save(void)
{
	uint32_t primask;

	__asm__ volatile("mrs %0, primask\n\tcpsid i"
			 : "=r"(primask)::"memory");
	return primask;
}

FK_STM32_INLINE void fk_stm32_irq_restore(uint32_t primask)
{
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/* Fills flash's geometry: one run of equal sectors, ops and ctx. */
FK_STM32_INLINE void fk_stm32_fill(struct fk_flash *flash,
				   struct fk_sector_run *run, uint32_t base,
				   uint32_t size, uint32_t sector,
				   uint32_t write_unit)
{
	run->count = size / sector;
	run->size = sector;
	flash->geo.base = base;
	flash->geo.size = size;
	flash->geo.runs = run;
	flash->geo.run_count = 1;
	flash->geo.write_unit = write_unit;
}

#endif
