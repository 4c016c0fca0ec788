/*
 * The flashkit bootloader: main() and the default board hooks
 * (boot_port.h). In order: the board's init; the configuration the
 * layout generated; recovery mode when the application asked for it (the
 * receiver needs the configuration); fk_boot() (or fk_boot_lite(), for
 * one image: FK_BOOT_LITE), which installs, tries or
 * reverts and then validates the images; the jump. When nothing valid can be
 * booted, recovery mode instead of a frozen board: serial recovery
 * (boot_serial.c) when the board links it in.
 *
 * Build-time choices (fk_boot_program() sets them):
 *   FK_BOOT_ECDSA        images must carry an ECDSA P-256 signature by
 *                        fk_boot_key (`flashkit key public --c --name
 *                        fk_boot_key`), checked by fk_crypto_mbedtls_p256
 *                        (an Ed25519 one when that port is built with
 *                        FK_MBEDTLS_WITH_SODIUM, for ECIES-X25519);
 *                        without any of these, their SHA-256 digest only
 *   FK_BOOT_ED25519      images must carry an Ed25519 signature by
 *                        fk_boot_key, checked by fk_crypto_sodium_ed25519
 *                        (libsodium's ref10; no mbedTLS, no heap)
 *   FK_BOOT_BEARSSL      images must carry an ECDSA P-256 signature by
 *                        fk_boot_key, checked by fk_crypto_bearssl_p256
 *                        (BearSSL's P-256 code; no mbedTLS, no heap)
 *   FK_BOOT_MBEDTLS      images must carry a signature by fk_boot_key of
 *                        any type, checked by the full port
 *                        fk_crypto_mbedtls (ECDSA P-384, RSA-2048 and
 *                        RSA-3072 PSS, P-256; Ed25519 when it is built
 *                        with FK_MBEDTLS_WITH_SODIUM), with every scheme
 *                        of encrypted images
 *   FK_BOOT_ENC          with FK_BOOT_ECDSA or FK_BOOT_MBEDTLS: encrypted
 *                        images (imgtool -E) are decrypted while they are
 *                        installed, with fk_boot_enc_key (`flashkit key
 *                        private --c --name fk_boot_enc_key`); with
 *                        FK_BOOT_ECDSA only ECIES-P256 (and ECIES-X25519
 *                        on fk_mbedtls_boot_x25519_config.h), by
 *                        fk_crypto_mbedtls_p256 built with
 *                        FK_MBEDTLS_WITH_ENC
 *   FK_BOOT_HEAP         bytes of mbedTLS's heap (FK_BOOT_ECDSA,
 *                        FK_BOOT_MBEDTLS), default 3584: enough for P-256
 *                        with FK_BOOT_ENC too (3072 were for the
 *                        decrypting validation, tests/image's
 *                        qemu_boot_enc_validate); fk_boot_program() sets
 *                        it for FK_BOOT_MBEDTLS by key type
 *   FK_BOOT_BUF          bytes of the copy buffer, default 512: a
 *                        multiple of every memory's write unit
 *   FK_BOOT_LITE         the lite boot core, fk_boot_lite() (one image,
 *                        no run-time configuration check: the build
 *                        checks the layout's, docs/boot.md) instead of
 *                        fk_boot(); fk_boot_board_program(... CORE lite)
 *   FK_BOOT_FLAGS        with FK_BOOT_LITE: the flag boot core,
 *                        fk_boot_flags() (OVERWRITE or XIP over the flag
 *                        state); fk_boot_board_program(... CORE flags)
 */
#include <stdint.h>

#include "boot_port.h"
#include "cortexm.h"

#if defined(FK_BOOT_ECDSA) || defined(FK_BOOT_MBEDTLS)
#include <mbedtls/memory_buffer_alloc.h>

#include "fk_crypto_mbedtls.h"

#define BOOT_MBEDTLS_HEAP 1
#ifdef FK_BOOT_MBEDTLS
#define BOOT_PORT fk_crypto_mbedtls
#else
#define BOOT_PORT fk_crypto_mbedtls_p256
#endif
#ifndef FK_BOOT_HEAP
#define FK_BOOT_HEAP 3584
#endif
static uint8_t heap[FK_BOOT_HEAP] __attribute__((aligned(8)));
#endif

#ifdef FK_BOOT_ED25519
#include "fk_crypto_sodium.h"
#define BOOT_PORT fk_crypto_sodium_ed25519
#endif

#ifdef FK_BOOT_BEARSSL
#include "fk_crypto_bearssl.h"
#define BOOT_PORT fk_crypto_bearssl_p256
#endif

#ifdef BOOT_PORT
#ifdef FK_BOOT_ENC
/* The device's private key for encrypted images; main() puts it in keys,
 * since its length is a variable of the generated file. */
extern const uint8_t fk_boot_enc_key[];
extern const uint32_t fk_boot_enc_key_len;
#define KEYS_CONST
#else
#define KEYS_CONST const
#endif
extern const struct fk_image_key fk_boot_key;
static KEYS_CONST struct fk_image_keys keys = { .crypto = &BOOT_PORT,
						.keys = &fk_boot_key,
						.count = 1 };
#endif

#ifndef FK_BOOT_BUF
#define FK_BOOT_BUF 512
#endif
static uint8_t buf[FK_BOOT_BUF] __attribute__((aligned(8)));

__attribute__((weak)) void fk_boot_board_init(void)
{
}

__attribute__((weak)) void fk_boot_watchdog_kick(void)
{
}

__attribute__((weak)) bool fk_boot_recovery_requested(void)
{
	bool asked = fk_boot_recovery_word == FK_BOOT_RECOVERY_MAGIC;

	fk_boot_recovery_word = 0;
	return asked;
}

__attribute__((weak)) void fk_boot_recovery(const struct fk_boot_config *cfg,
					    int reason)
{
	if (fk_boot_serial_recovery)
		fk_boot_serial_recovery(cfg, reason);
}

__attribute__((weak)) void fk_boot_start(const struct fk_boot_image_ref *refs,
					 uint32_t count)
{
	fk_boot_jump(refs, count);
}

void fk_boot_jump(const struct fk_boot_image_ref *refs, uint32_t count)
{
	const struct fk_area *slot = refs[0].slot;
	const struct fk_boot_layout_image *li = &fk_boot_layout_images[0];
	uint32_t start = slot->flash->geo.base + slot->off;
	uint32_t vt = start + refs[0].info.hdr.hdr_size;

	(void)count;
	if (fk_cortexm_vector_table_ok(vt, li->ram_lo, li->ram_hi, vt,
				       start + slot->size))
		fk_cortexm_jump(vt);
}

bool fk_boot_geometry_is(const struct fk_flash *flash,
			 const struct fk_flash_geometry *layout)
{
	const struct fk_flash_geometry *g = &flash->geo;
	const struct fk_flash want = { .geo = *layout };
	struct fk_sector a, b;
	uint32_t n = fk_flash_sector_count(flash);

	if (g->base != layout->base || g->size != layout->size ||
	    g->write_unit != layout->write_unit ||
	    g->erased_value != layout->erased_value ||
	    g->program_once != layout->program_once ||
	    n != fk_flash_sector_count(&want))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (fk_flash_sector_by_index(flash, i, &a) ||
		    fk_flash_sector_by_index(&want, i, &b) || a.size != b.size)
			return false;
	return true;
}

/* The configuration main() fills from the layout; recovery mode gets it
 * only once it is filled (NULL before, or when that failed). */
static struct fk_boot_config cfg;
static const struct fk_boot_config *configured;

static void __attribute__((noreturn)) recovery_loop(int reason)
{
	for (;;) {
		fk_boot_watchdog_kick();
		fk_boot_recovery(configured, reason);
	}
}

static void kick(void *ctx)
{
	(void)ctx;
	fk_boot_watchdog_kick();
}

static void jump(void *ctx, const struct fk_boot_image_ref *refs,
		 uint32_t count)
{
	(void)ctx;
	fk_boot_start(refs, count);
	recovery_loop(FK_ECORRUPT);
}

static void recovery(void *ctx, int reason)
{
	(void)ctx;
	recovery_loop(reason);
}

int main(void)
{
	int rc;

	fk_boot_board_init();
	cfg.check_security_counter = true;
	cfg.buf = buf;
	cfg.buf_len = sizeof(buf);
	cfg.port.kick = kick;
	cfg.port.jump = jump;
	cfg.port.recovery = recovery;
#ifdef BOOT_MBEDTLS_HEAP
	mbedtls_memory_buffer_alloc_init(heap, sizeof(heap));
#endif
#ifdef BOOT_PORT
#ifdef FK_BOOT_ENC
	keys.enc_key = fk_boot_enc_key;
	keys.enc_key_len = fk_boot_enc_key_len;
#endif
	cfg.keys = &keys;
#endif
	rc = fk_boot_layout_config(&cfg);
	if (rc == FK_OK)
		configured = &cfg;
	if (fk_boot_recovery_requested())
		recovery_loop(0);
#if defined(FK_BOOT_FLAGS)
	if (rc == FK_OK)
		rc = fk_boot_flags(&cfg);
#elif defined(FK_BOOT_LITE)
	if (rc == FK_OK)
		rc = fk_boot_lite(&cfg);
#else
	if (rc == FK_OK)
		rc = fk_boot(&cfg);
#endif
	recovery_loop(rc);
}
