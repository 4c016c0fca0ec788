/*
 * The bootloader's decryption on the target: a Cortex-M3 under QEMU
 * validates the image in its file-backed flash exactly with the crypto a
 * bootloader built with fk_boot_program(... ENC_KEY) links:
 * fk_crypto_mbedtls_p256 compiled with FK_MBEDTLS_WITH_ENC on the mbedTLS
 * build of fk_mbedtls_boot_enc_config.h, mbedTLS's heap as large as
 * boot_main.c's default FK_BOOT_HEAP (3584 bytes; 3072 were enough when
 * tried, 2560 were not), the ECDSA P-256
 * key from `flashkit key public --c` and the ECIES-P256 device key from
 * `flashkit key private --c` (imgtool's test keys).
 *
 * Prints "image: <result> version=<v>" and exits 0 (test_image_qemu.sh
 * compares the result), or 2 when the flash cannot be opened.
 */
#include <stdint.h>

#include <mbedtls/memory_buffer_alloc.h>

#include "fk_crypto_mbedtls.h"
#include "flashkit/image.h"
#include "qemu_flash.h"
#include "semihost.h"

extern const struct fk_image_key test_key_ecdsa;
extern const uint8_t enc_key_p256[];
extern const uint32_t enc_key_p256_len;

/* boot_main.c's FK_BOOT_HEAP */
static uint8_t mbedtls_heap[3584] __attribute__((aligned(8)));

static const struct fk_sector_run runs[] = { { 32, 4096 } };

void fk_mbedtls_panic(int status)
{
	fk_sh_printf("mbedtls: heap corrupted (%d)\n", status);
	fk_sh_exit(3);
}

static const char *result_name(int rc)
{
	switch (rc) {
	case FK_OK:
		return "valid";
	case FK_EDIGEST:
		return "FK_EDIGEST";
	case FK_ESIG:
		return "FK_ESIG";
	case FK_EKEY:
		return "FK_EKEY";
	case FK_ENOTSUP:
		return "FK_ENOTSUP";
	default:
		return "other";
	}
}

int main(void)
{
	struct fk_image_keys set = {
		.crypto = &fk_crypto_mbedtls_p256,
		.keys = &test_key_ecdsa,
		.count = 1,
	};
	struct fk_flash_geometry geo = {
		.base = 0x00100000,
		.size = 32 * 4096,
		.runs = runs,
		.run_count = 1,
		.write_unit = 4,
		.erased_value = 0xff,
	};
	struct fk_qemu_flash qf;
	struct fk_image_info info;
	struct fk_area slot;
	int rc;

	set.enc_key = enc_key_p256;
	set.enc_key_len = enc_key_p256_len;
	mbedtls_memory_buffer_alloc_init(mbedtls_heap, sizeof(mbedtls_heap));
	if (fk_qemu_flash_open(&qf, "slot.bin", &geo, NULL) ||
	    fk_area_init(&slot, &qf.flash, 0, geo.size)) {
		fk_sh_printf("image: cannot open slot.bin\n");
		return 2;
	}
	rc = fk_image_validate(&slot, &set, &info);
	fk_sh_printf("image: %s version=%u.%u.%u\n", result_name(rc),
		     info.hdr.version.major, info.hdr.version.minor,
		     info.hdr.version.revision);
	fk_qemu_flash_close(&qf);
	return 0;
}
