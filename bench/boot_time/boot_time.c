/*
 * How long the bootloader takes to validate a 256 KiB image, counted in
 * Cortex-M3 instructions (bench/boot_time/run.sh): fk_image_validate() on
 * an image in memory-mapped flash (QEMU loads it at 0x00200000), with the
 * crypto port a bootloader links for each check:
 *
 *   digest    SHA-256 only (fk_crypto_builtin)
 *   ecdsa     ECDSA P-256 (fk_crypto_mbedtls_p256, Debian's mbedtls)
 *   ed25519   Ed25519 (fk_crypto_sodium_ed25519, Debian's libsodium)
 *   bearssl   ECDSA P-256 (fk_crypto_bearssl_p256, Debian's bearssl)
 *   ecdsa_enc ECDSA P-256 of an image encrypted with ECIES-P256 and
 *             AES-128 (fk_crypto_mbedtls_p256 with FK_MBEDTLS_WITH_ENC):
 *             the key unwrapped, the payload decrypted while hashed
 *
 * chosen with -DBOOT_TIME_<CHECK>. QEMU runs with -icount shift=0, so its
 * virtual clock advances 1 ns per instruction; SysTick counts the 25 MHz
 * processor clock of mps2-an385, one tick per 40 instructions. A loop of
 * a known 2,000,000 instructions is counted first, to check that factor.
 * Prints "boot_time: loop T ticks, validate T ticks, result R".
 */
#include <stdint.h>
#include <string.h>

#include "flashkit/image.h"
#include "semihost.h"
#include "systick.h"

#if defined(BOOT_TIME_ECDSA_ENC)
#define BOOT_TIME_ECDSA
extern const uint8_t boot_time_enc_key[];
extern const uint32_t boot_time_enc_key_len;
#endif
#if defined(BOOT_TIME_ECDSA)
#include <mbedtls/memory_buffer_alloc.h>

#include "fk_crypto_mbedtls.h"
#define CRYPTO fk_crypto_mbedtls_p256
static uint8_t heap[4096] __attribute__((aligned(8)));
#elif defined(BOOT_TIME_ED25519)
#include "fk_crypto_sodium.h"
#define CRYPTO fk_crypto_sodium_ed25519
#elif defined(BOOT_TIME_BEARSSL)
#include "fk_crypto_bearssl.h"
#define CRYPTO fk_crypto_bearssl_p256
#else
#define CRYPTO fk_crypto_builtin
#define NO_KEYS /* the digest only */
#endif

#define FLASH_BASE 0x00200000u

#ifndef NO_KEYS
extern const struct fk_image_key boot_time_key;
#endif

static int mem_read(const struct fk_flash *f, uint32_t off, void *buf,
		    uint32_t len)
{
	memcpy(buf, (const void *)(uintptr_t)(f->geo.base + off), len);
	return FK_OK;
}

static int no_write(const struct fk_flash *f, uint32_t off, const void *buf,
		    uint32_t len)
{
	(void)f;
	(void)off;
	(void)buf;
	(void)len;
	return FK_EPROTECT;
}

static int no_erase(const struct fk_flash *f, uint32_t off, uint32_t size)
{
	(void)f;
	(void)off;
	(void)size;
	return FK_EPROTECT;
}

static const struct fk_flash_ops ops = { mem_read, no_write, no_erase };
static const struct fk_sector_run runs[] = { { 128, 4096 } };
static const struct fk_flash flash = {
	.geo = { .base = FLASH_BASE,
		 .size = 128 * 4096,
		 .runs = runs,
		 .run_count = 1,
		 .write_unit = 4,
		 .erased_value = 0xFF },
	.ops = &ops,
};

/* 1,000,000 iterations of two instructions (subs, bne). */
static void __attribute__((noinline)) known_loop(void)
{
	uint32_t n = 1000000;

	__asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
}

int main(void)
{
#ifdef NO_KEYS
	const struct fk_image_keys keys = { .crypto = &CRYPTO,
					    .keys = NULL,
					    .count = 0 };
#else
	struct fk_image_keys keys = { .crypto = &CRYPTO,
				      .keys = &boot_time_key,
				      .count = 1 };
#endif
#if defined(BOOT_TIME_ECDSA_ENC)
	keys.enc_key = boot_time_enc_key;
	keys.enc_key_len = boot_time_enc_key_len;
#endif
	struct fk_area slot = { &flash, 0, 128 * 4096 };
	struct fk_image_info info;
	uint32_t t0, t1, t2, t3;
	int rc;

#if defined(BOOT_TIME_ECDSA)
	mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
#endif
	fk_systick_start();
	t0 = fk_systick_now();
	known_loop();
	t1 = fk_systick_now();
	t2 = fk_systick_now();
	rc = fk_image_validate(&slot, &keys, &info);
	t3 = fk_systick_now();
	fk_sh_printf("boot_time: loop %u ticks, validate %u ticks, result %d\n",
		     (unsigned)((t0 - t1) & 0xFFFFFFu),
		     (unsigned)((t2 - t3) & 0xFFFFFFu), rc);
	return rc == FK_OK ? 0 : 1;
}
