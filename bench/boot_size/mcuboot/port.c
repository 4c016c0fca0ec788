/*
 * A minimal bare-metal port of MCUboot's bootutil, for measuring its size
 * beside flashkit's (bench/boot_size/mcuboot/build.sh): the same stub
 * flash driver, flash map (4 KiB sectors; bootloader 32K, slots of 224K
 * at 0x9000 and 228K at 0x41000, a scratch sector), startup and jump as
 * bench/boot_size/boot_min.c. No logging, no fault-injection hardening,
 * asserts compiled out. MCUboot's own sources are read from a checkout
 * given to build.sh and never copied here.
 *
 * -DMB_QEMU: for measuring RAM and time under QEMU mps2-an386 as
 * boot_min.c does: the flash is memory at 0x00100000, the stack and the
 * mbedTLS heap are painted before boot_go(), and when it has chosen a
 * valid image the program prints their high-water marks and the SysTick
 * ticks boot_go() took through semihosting.
 */
#include <stdint.h>
#include <string.h>
#include "flash_map_backend/flash_map_backend.h"
#include "sysflash/sysflash.h"
#include "bootutil/bootutil.h"
#include "bootutil/image.h"
#ifdef MB_ECDSA
#include <mbedtls/memory_buffer_alloc.h>
#endif

#ifdef MB_QEMU
#include "semihost.h"
#include "systick.h"
#define FLASH_BASE 0x00100000u
static uint32_t regs[2];
#define FLASH_CR (regs[0])
#define FLASH_SR (regs[1])
#else
#define FLASH_BASE 0x08000000u
#define FLASH_CR (*(volatile uint32_t *)0x40023C10u)
#define FLASH_SR (*(volatile uint32_t *)0x40023C0Cu)
#endif

static const struct flash_area areas[] = {
	{ FLASH_AREA_ID(image_0), 0, 0, 0x9000, 0x38000 },
	{ FLASH_AREA_ID(image_1), 0, 0, 0x41000, 0x39000 },
	{ FLASH_AREA_ID(image_scratch), 0, 0, 0x7A000, 0x1000 },
};

int flash_area_open(uint8_t id, const struct flash_area **fa)
{
	for (unsigned i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (areas[i].fa_id == id) {
			*fa = &areas[i];
			return 0;
		}
	return -1;
}
void flash_area_close(const struct flash_area *fa)
{
	(void)fa;
}
int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst,
		    uint32_t len)
{
	memcpy(dst, (const void *)(uintptr_t)(FLASH_BASE + fa->fa_off + off),
	       len);
	return 0;
}
int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
		     uint32_t len)
{
	volatile uint32_t *dst =
		(volatile uint32_t *)(FLASH_BASE + fa->fa_off + off);
	const uint8_t *s = src;
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t w;
		memcpy(&w, s + i, 4);
		FLASH_CR = 1;
		dst[i / 4] = w;
		while (FLASH_SR & 1)
			;
	}
	return FLASH_SR & 0xF0 ? -1 : 0;
}
int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
	for (uint32_t o = off; o < off + len; o += 4096) {
		FLASH_CR = 2 | ((fa->fa_off + o) / 4096) << 3;
		FLASH_CR |= 1u << 16;
		while (FLASH_SR & 1)
			;
#ifdef MB_QEMU
		memset((void *)(uintptr_t)(FLASH_BASE + fa->fa_off + o), 0xFF,
		       4096);
#endif
	}
	return FLASH_SR & 0xF0 ? -1 : 0;
}
uint32_t flash_area_align(const struct flash_area *fa)
{
	(void)fa;
	return 4;
}
uint8_t flash_area_erased_val(const struct flash_area *fa)
{
	(void)fa;
	return 0xFF;
}
int flash_area_get_sectors(int fa_id, uint32_t *count,
			   struct flash_sector *sectors)
{
	const struct flash_area *fa;
	if (flash_area_open((uint8_t)fa_id, &fa))
		return -1;
	uint32_t n = fa->fa_size / 4096;
	if (n > *count)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		sectors[i].fs_off = i * 4096;
		sectors[i].fs_size = 4096;
	}
	*count = n;
	return 0;
}
int flash_area_get_sector(const struct flash_area *fa, uint32_t off,
			  struct flash_sector *sector)
{
	(void)fa;
	sector->fs_off = off & ~4095u;
	sector->fs_size = 4096;
	return 0;
}
int flash_area_sector_from_off(uint32_t off, struct flash_sector *sector)
{
	sector->fs_off = off & ~4095u;
	sector->fs_size = 4096;
	return 0;
}
int flash_area_id_from_multi_image_slot(int image_index, int slot)
{
	(void)image_index;
	return slot == 0 ? FLASH_AREA_IMAGE_PRIMARY(0) :
			   FLASH_AREA_IMAGE_SECONDARY(0);
}
int flash_area_id_from_image_slot(int slot)
{
	return flash_area_id_from_multi_image_slot(0, slot);
}
int flash_area_id_to_multi_image_slot(int image_index, int area_id)
{
	(void)image_index;
	return area_id == FLASH_AREA_IMAGE_PRIMARY(0)	? 0 :
	       area_id == FLASH_AREA_IMAGE_SECONDARY(0) ? 1 :
							  -1;
}
int flash_device_base(uint8_t fd_id, uintptr_t *ret)
{
	(void)fd_id;
	*ret = FLASH_BASE;
	return 0;
}

#ifdef MB_ECDSA
static uint8_t heap[4096] __attribute__((aligned(8)));
#endif

void fk_cortexm_jump(uint32_t vector_table) __attribute__((noreturn));

#ifdef MB_QEMU
#define PAINT 0xA5A5A5A5u
extern uint32_t _ebss, _estack;

/* SysTick when boot_go() was called (ports/qemu-mps2/systick.h). */
static uint32_t t_boot;

static void __attribute__((noinline)) paint_stack(void)
{
	uint32_t *p = &_ebss, *sp = (uint32_t *)__builtin_frame_address(0);

	while (p < sp - 16)
		*p++ = PAINT;
}

/* Bytes of the stack used: from the first word not equal to the paint. */
static uint32_t stack_used(void)
{
	const uint32_t *p = &_ebss;

	while (p < &_estack && *p == PAINT)
		p++;
	return (uint32_t)(&_estack - p) * 4;
}

static uint32_t heap_used(void)
{
#ifdef MB_ECDSA
	const uint32_t *lo = (const uint32_t *)heap,
		       *p = (const uint32_t *)(heap + sizeof(heap));

	while (p > lo && p[-1] == PAINT)
		p--;
	return (uint32_t)(p - lo) * 4;
#else
	return 0;
#endif
}
#endif

int main(void)
{
	struct boot_rsp rsp;
#ifdef MB_QEMU
	paint_stack();
#endif
#ifdef MB_ECDSA
	mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
#ifdef MB_QEMU
	/* past the allocator's first header, as boot_min.c paints it */
	for (uint32_t *p = (uint32_t *)(heap + 64);
	     p < (uint32_t *)(heap + sizeof(heap)); p++)
		*p = PAINT;
#endif
#endif
#ifdef MB_QEMU
	fk_systick_start();
	t_boot = fk_systick_now();
#endif
	if (boot_go(&rsp) != 0) {
#ifdef MB_QEMU
		fk_sh_printf("mcuboot: boot_go failed\n");
		fk_sh_exit(1);
#endif
		for (;;)
			;
	}
#ifdef MB_QEMU
	fk_sh_printf("mcuboot: image at 0x%x valid, stack %u heap %u "
		     "ticks %u\n",
		     (unsigned)(FLASH_BASE + rsp.br_image_off +
				rsp.br_hdr->ih_hdr_size),
		     (unsigned)stack_used(), (unsigned)heap_used(),
		     (unsigned)((t_boot - fk_systick_now()) & 0xFFFFFFu));
	fk_sh_exit(0);
#endif
	fk_cortexm_jump(FLASH_BASE + rsp.br_image_off +
			rsp.br_hdr->ih_hdr_size);
}
int flash_area_to_sectors(int idx, int *cnt, struct flash_area *ret)
{
	const struct flash_area *fa;
	if (flash_area_open((uint8_t)idx, &fa))
		return -1;
	int n = (int)(fa->fa_size / 4096);
	for (int i = 0; i < n; i++) {
		ret[i] = *fa;
		ret[i].fa_off = fa->fa_off + (uint32_t)i * 4096;
		ret[i].fa_size = 4096;
	}
	*cnt = n;
	return 0;
}
