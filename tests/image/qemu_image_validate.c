/*
 * The image checks on the real target: a Cortex-M3 under QEMU validates
 * the image in its file-backed flash with the mbedTLS port built from
 * Debian's mbedtls source (Ed25519 from Debian's libsodium source:
 * FK_MBEDTLS_WITH_SODIUM), against keys compiled in from
 * `flashkit key public --c` (ECDSA P-256 and P-384, RSA-2048 and
 * RSA-3072, Ed25519: imgtool's test keys). test_image_qemu.sh puts each image in the flash file.
 *
 * Encrypted images are validated as they are stored (ciphertext) with
 * the device's private key set (keys.enc_key, from `flashkit key private
 * --c`: imgtool's ECIES-P256, X25519 and RSA-2048 test keys, the one
 * whose TLV the image carries, as a device built for that scheme would
 * hold), so the port's enc_unwrap and aes_ctr_xor run on the target.
 *
 * Prints "image: <result> key=<index> version=<v> sec=<n>" and exits 0
 * (the script compares the result), or 2 when the flash cannot be opened.
 */
#include <stdint.h>

#include <mbedtls/memory_buffer_alloc.h>

#include "fk_crypto_mbedtls.h"
#include "flashkit/image.h"
#include "qemu_flash.h"
#include "semihost.h"

extern const struct fk_image_key test_key_ecdsa;
extern const struct fk_image_key test_key_rsa;
extern const struct fk_image_key test_key_p384;
extern const struct fk_image_key test_key_rsa3072;
extern const struct fk_image_key test_key_ed25519;
extern const uint8_t enc_key_p256[], enc_key_x25519[], enc_key_rsa[];
extern const uint32_t enc_key_p256_len, enc_key_x25519_len, enc_key_rsa_len;

/* mbedTLS's heap: what RSA-3072 or ECDSA P-384 verification needs. */
static uint8_t mbedtls_heap[16 * 1024];

static const struct fk_sector_run runs[] = { { 32, 4096 } };

void fk_mbedtls_panic(int status)
{
	fk_sh_printf("mbedtls: heap corrupted (%d)\n", status);
	fk_sh_exit(3);
}

static const char *result_name(int rc)
{
	switch (rc) {
	case FK_OK: return "valid";
	case FK_EBADIMG: return "FK_EBADIMG";
	case FK_EDIGEST: return "FK_EDIGEST";
	case FK_ESIG: return "FK_ESIG";
	case FK_EKEY: return "FK_EKEY";
	case FK_ENOTSUP: return "FK_ENOTSUP";
	default: return "other";
	}
}

/* The device key of the scheme of the image's ENC_* TLV, if any. */
static void pick_enc_key(const struct fk_area *slot, struct fk_image_keys *set)
{
	struct fk_image_info info;
	struct fk_image_tlv t;

	if (fk_image_parse(slot, &info))
		return;
	if (!fk_image_tlv_find(slot, &info, FK_TLV_ENC_EC256, &t)) {
		set->enc_key = enc_key_p256;
		set->enc_key_len = enc_key_p256_len;
	} else if (!fk_image_tlv_find(slot, &info, FK_TLV_ENC_X25519, &t) ||
		   !fk_image_tlv_find(slot, &info, FK_TLV_ENC_X25519_SHA512,
				      &t)) {
		set->enc_key = enc_key_x25519;
		set->enc_key_len = enc_key_x25519_len;
	} else if (!fk_image_tlv_find(slot, &info, FK_TLV_ENC_RSA2048, &t)) {
		set->enc_key = enc_key_rsa;
		set->enc_key_len = enc_key_rsa_len;
	}
}

int main(void)
{
	struct fk_image_key keys[5];
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls, .keys = keys, .count = 5 };
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

	keys[0] = test_key_ecdsa;
	keys[1] = test_key_rsa;
	keys[2] = test_key_p384;
	keys[3] = test_key_rsa3072;
	keys[4] = test_key_ed25519;
	mbedtls_memory_buffer_alloc_init(mbedtls_heap, sizeof(mbedtls_heap));
	if (fk_qemu_flash_open(&qf, "slot.bin", &geo, NULL) ||
	    fk_area_init(&slot, &qf.flash, 0, geo.size)) {
		fk_sh_printf("image: cannot open slot.bin\n");
		return 2;
	}
	pick_enc_key(&slot, &set);
	rc = fk_image_validate(&slot, &set, &info);
	fk_sh_printf("image: %s key=%d version=%u.%u.%u sec=%u%s\n",
		     result_name(rc), (int)info.key_index,
		     info.hdr.version.major, info.hdr.version.minor,
		     info.hdr.version.revision,
		     (unsigned)info.security_counter,
		     set.enc_key ? " decrypted" : "");
	fk_qemu_flash_close(&qf);
	return 0;
}
