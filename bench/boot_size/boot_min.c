/*
 * The smallest complete flashkit bootloader, for measuring its size
 * (bench/boot_size/run.sh): startup, a stub flash driver, one image with
 * its slots on a 1 MiB flash of 4 KiB sectors, fk_boot(), the jump. The
 * strategy and the signature check are chosen at build time:
 *
 *   -DBOOT_MIN_STRATEGY=FK_BOOT_OVERWRITE|FK_BOOT_SWAP|FK_BOOT_XIP
 *   -DBOOT_MIN_ECDSA     images must carry an ECDSA P-256 signature by
 *                        the key in boot_min_key.c, checked by the crypto
 *                        port BOOT_MIN_CRYPTO (otherwise the digest only,
 *                        with the built-in SHA-256)
 *   -DBOOT_MIN_ED25519   images must carry an Ed25519 signature by that
 *                        key, checked by fk_crypto_sodium_ed25519
 *                        (libsodium's ref10, no heap)
 *   -DBOOT_MIN_BEARSSL   images must carry an ECDSA P-256 signature by
 *                        that key, checked by fk_crypto_bearssl_p256
 *                        (BearSSL's P-256 code, no heap)
 *   -DBOOT_MIN_FLAGS     the flag boot core (fk_boot_flags(): the lite
 *                        core's decisions for OVERWRITE and XIP over the
 *                        flag state instead of the log; with
 *                        BOOT_MIN_LITE's build options)
 *   -DBOOT_MIN_LITE      the lite boot core (fk_boot_lite(): one image,
 *                        updates through the update API only)
 *   -DBOOT_MIN_BUF=N     the scratch buffer's bytes (default 512)
 *   -DBOOT_MIN_QEMU      for measuring RAM and time under QEMU
 *                        mps2-an386: the flash is memory at 0x00100000,
 *                        the stack is painted before fk_boot(), and
 *                        instead of jumping the program prints the
 *                        stack's and the heap's high-water marks and the
 *                        SysTick ticks from fk_boot()'s call to the jump
 *                        (instructions / 40 under -icount shift=0,
 *                        ports/qemu-mps2/systick.h) through semihosting
 *
 * The stub driver stands for any real one: reads are memory-mapped, a
 * program or an erase writes a register and waits for a status bit. It is
 * the same in the MCUboot build beside it (bench/boot_size/mcuboot/).
 */
#include <stdint.h>
#include <string.h>

#include "cortexm.h"
#include "flashkit/boot.h"
#ifdef BOOT_MIN_ECDSA
#include <mbedtls/memory_buffer_alloc.h>

#include "fk_crypto_mbedtls.h"
#endif
#ifdef BOOT_MIN_ED25519
#include "fk_crypto_sodium.h"
#define BOOT_MIN_PORT fk_crypto_sodium_ed25519
#endif
#ifdef BOOT_MIN_BEARSSL
#include "fk_crypto_bearssl.h"
#define BOOT_MIN_PORT fk_crypto_bearssl_p256
#endif

#ifdef BOOT_MIN_QEMU
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

static int stub_read(const struct fk_flash *f, uint32_t off, void *buf,
		     uint32_t len)
{
	memcpy(buf, (const void *)(uintptr_t)(f->geo.base + off), len);
	return FK_OK;
}

static int stub_program(const struct fk_flash *f, uint32_t off, const void *buf,
			uint32_t len)
{
	volatile uint32_t *dst = (volatile uint32_t *)(f->geo.base + off);
	const uint8_t *src = buf;

	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t w;

		memcpy(&w, src + i, 4);
		FLASH_CR = 1;
		dst[i / 4] = w;
		while (FLASH_SR & 1)
			;
	}
	return FLASH_SR & 0xF0 ? FK_EIO : FK_OK;
}

static int stub_erase(const struct fk_flash *f, uint32_t off, uint32_t size)
{
	(void)size;
	FLASH_CR = 2 | (off / 4096) << 3;
	FLASH_CR |= 1u << 16;
	while (FLASH_SR & 1)
		;
#ifdef BOOT_MIN_QEMU
	memset((void *)(uintptr_t)(f->geo.base + off), 0xFF, size);
#endif
	(void)f;
	return FLASH_SR & 0xF0 ? FK_EIO : FK_OK;
}

#ifdef BOOT_MIN_ECDSA
extern const struct fk_image_key boot_min_key;
static const struct fk_image_keys keys = { .crypto = &BOOT_MIN_CRYPTO,
					   .keys = &boot_min_key,
					   .count = 1 };
/* mbedTLS's big numbers come from its allocator, over this heap. */
static uint8_t heap[BOOT_MIN_HEAP] __attribute__((aligned(8)));
#endif
#ifdef BOOT_MIN_PORT
extern const struct fk_image_key boot_min_key;
static const struct fk_image_keys keys = { .crypto = &BOOT_MIN_PORT,
					   .keys = &boot_min_key,
					   .count = 1 };
#endif

static const struct fk_flash_ops stub_ops = { stub_read, stub_program,
					      stub_erase };
static const struct fk_sector_run runs[] = { { 256, 4096 } };
static const struct fk_flash flash = {
	.geo = { .base = FLASH_BASE,
		 .size = 256 * 4096,
		 .runs = runs,
		 .run_count = 1,
		 .write_unit = 4,
		 .erased_value = 0xFF },
	.ops = &stub_ops,
};

#ifdef BOOT_MIN_QEMU
#define PAINT 0xA5A5A5A5u
extern uint32_t _ebss, _estack;

/* Bytes of [lo, hi) from the first one not equal to fill to hi. */
static uint32_t used_from(const uint32_t *lo, const uint32_t *hi, uint32_t fill)
{
	const uint32_t *p = lo;

	while (p < hi && *p == fill)
		p++;
	return (uint32_t)(hi - p) * 4;
}

#ifdef BOOT_MIN_ECDSA
/* Bytes of [lo, hi) up to the last one not equal to fill. */
static uint32_t used_to(const uint32_t *lo, const uint32_t *hi, uint32_t fill)
{
	const uint32_t *p = hi;

	while (p > lo && p[-1] == fill)
		p--;
	return (uint32_t)(p - lo) * 4;
}
#endif

/* SysTick when fk_boot() was called. */
static uint32_t t_boot;

static void __attribute__((noinline)) paint_stack(void)
{
	uint32_t *p = &_ebss, *sp = (uint32_t *)__builtin_frame_address(0);

	while (p < sp - 16)
		*p++ = PAINT;
}
#endif

static void jump(void *ctx, const struct fk_boot_image_ref *refs,
		 uint32_t count)
{
	uint32_t vt =
		FLASH_BASE + refs[0].slot->off + refs[0].info.hdr.hdr_size;

	(void)ctx;
	(void)count;
#ifdef BOOT_MIN_QEMU
	{
		uint32_t stack = used_from(&_ebss, &_estack, PAINT), hused = 0;
#ifdef BOOT_MIN_ECDSA
		hused = used_to((const uint32_t *)heap,
				(const uint32_t *)(heap + sizeof(heap)), PAINT);
#endif
		uint32_t ticks = (t_boot - fk_systick_now()) & 0xFFFFFFu;

		fk_sh_printf("boot_min: image at 0x%x valid, stack %u heap %u "
			     "ticks %u\n",
			     (unsigned)vt, (unsigned)stack, (unsigned)hused,
			     (unsigned)ticks);
		fk_sh_exit(0);
	}
#endif
	fk_cortexm_jump(vt);
}

#ifndef BOOT_MIN_BUF
#define BOOT_MIN_BUF 512
#endif
/* The boot core's scratch (copies, hashing); the lite builds take 256
 * bytes, as MCUboot's direct-xip and overwrite builds hold 256 and more. */
static uint8_t buf[BOOT_MIN_BUF];

/* Bootloader 32K, boot state 4K, slots of 224K (swap: 228K staging). */
static const struct fk_boot_config cfg = {
	.strategy = BOOT_MIN_STRATEGY,
	.image_count = 1,
	.images = { { .primary = { &flash, 0x9000, 0x38000 },
		      .secondary = { &flash, 0x41000, 0x39000 } } },
	.state = { &flash, 0x8000, 0x1000 },
	.bootloader = { &flash, 0, 0x8000 },
	.trial_boots = 1,
#if defined(BOOT_MIN_ECDSA) || defined(BOOT_MIN_PORT)
	.keys = &keys,
#endif
	.check_security_counter = true,
	.buf = buf,
	.buf_len = sizeof(buf),
	.port = { .jump = jump },
};

int main(void)
{
#ifdef BOOT_MIN_QEMU
	paint_stack();
#endif
#ifdef BOOT_MIN_ECDSA
	mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
#ifdef BOOT_MIN_QEMU
	/* Past the allocator's first header: whatever it writes later (a
	 * block, a header, zeros when it frees) shows against the paint. */
	for (uint32_t *p = (uint32_t *)(heap + 64);
	     p < (uint32_t *)(heap + sizeof(heap)); p++)
		*p = PAINT;
#endif
#endif
#ifdef BOOT_MIN_QEMU
	fk_systick_start();
	t_boot = fk_systick_now();
#endif
#if defined(BOOT_MIN_FLAGS)
	return fk_boot_flags(&cfg);
#elif defined(BOOT_MIN_LITE)
	return fk_boot_lite(&cfg);
#else
	return fk_boot(&cfg);
#endif
}
