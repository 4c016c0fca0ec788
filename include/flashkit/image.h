/*
 * Signed images in the MCUboot format: parse, walk the TLVs, hash,
 * validate.
 *
 * An image in a slot is laid out as MCUboot lays it out (the byte format
 * is specified in docs/image-format.md):
 *
 *   [header, hdr_size bytes][payload, img_size bytes]
 *   [protected TLV area, protect_tlv_size bytes, absent when 0]
 *   [unprotected TLV area: SHA256, KEYHASH or PUBKEY, signature]
 *   [... erased space ... MCUboot trailer at the end of the slot]
 *
 * The digest is SHA-256 (SHA-384 for imgtool's P-384 images) over header,
 * payload and protected TLV area; the signature signs that digest. The same
 * code runs in the bootloader and in the `flashkit` host tool (which reads
 * files through a RAM-backed fk_flash), so there is one parser of the format.
 *
 * Every read goes through fk_area_read() with small fixed buffers; no
 * length read from flash is trusted before it is checked against the slot
 * (and every sum is checked for overflow), so a hostile image cannot make
 * the code read outside its slot. Nothing here writes to flash: a power
 * loss during any call has no effect on flash, and the call can simply be
 * repeated after reboot.
 *
 * Crypto comes from the port in flashkit/crypto.h.
 */
#ifndef FLASHKIT_IMAGE_H
#define FLASHKIT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/crypto.h"
#include "flashkit/error.h"
#include "flashkit/flash.h"

/* Header (32 bytes, little-endian, at offset 0 of the slot). */
#define FK_IMAGE_MAGIC 0x96f3b83dUL
#define FK_IMAGE_HEADER_SIZE 32

/* Header flags (ih_flags), MCUboot's values. */
#define FK_IMAGE_F_PIC 0x00000001UL
#define FK_IMAGE_F_ENCRYPTED_AES128 0x00000004UL
#define FK_IMAGE_F_ENCRYPTED_AES256 0x00000008UL
#define FK_IMAGE_F_NON_BOOTABLE 0x00000010UL
#define FK_IMAGE_F_RAM_LOAD 0x00000020UL
#define FK_IMAGE_F_ROM_FIXED 0x00000100UL
#define FK_IMAGE_F_COMPRESSED_LZMA1 0x00000200UL
#define FK_IMAGE_F_COMPRESSED_LZMA2 0x00000400UL

/* TLV area info headers. */
#define FK_TLV_INFO_MAGIC 0x6907      /* unprotected area */
#define FK_TLV_PROT_INFO_MAGIC 0x6908 /* protected area */
#define FK_TLV_INFO_SIZE 4
#define FK_TLV_HDR_SIZE 4

/* TLV types: MCUboot's standard ones ... */
#define FK_TLV_KEYHASH 0x01 /* SHA-256 of the signing public key */
#define FK_TLV_PUBKEY 0x02  /* the signing public key itself */
#define FK_TLV_SHA256 0x10  /* image digest */
#define FK_TLV_SHA384 0x11
#define FK_TLV_SHA512 0x12
#define FK_TLV_RSA2048_PSS 0x20
#define FK_TLV_ECDSA224 0x21
#define FK_TLV_ECDSA_SIG 0x22 /* ECDSA P-256 (or P-384), DER */
#define FK_TLV_RSA3072_PSS 0x23
#define FK_TLV_ED25519 0x24
#define FK_TLV_SIG_PURE 0x25
#define FK_TLV_ENC_RSA2048 0x30
#define FK_TLV_ENC_KW 0x31
#define FK_TLV_ENC_EC256 0x32
#define FK_TLV_ENC_X25519 0x33
#define FK_TLV_ENC_X25519_SHA512 0x34 /* HKDF and HMAC over SHA-512 */
#define FK_TLV_DEPENDENCY 0x40	      /* protected; 12 bytes, may repeat */
#define FK_TLV_SEC_CNT 0x50	      /* protected; uint32 security counter */
#define FK_TLV_BOOT_RECORD 0x60	      /* protected; measured-boot record */
/* ... and flashkit's own, in the vendor range (docs/image-format.md).
 * Both are protected, 4 bytes, little-endian. */
#define FK_TLV_VENDOR_MIN 0xa0
#define FK_TLV_FK_IMAGE_ID 0xe0 /* which image/module this is */
#define FK_TLV_FK_HW_ID 0xe1	/* hardware-compatibility id */

/* Bits of fk_image_info.present: which TLVs the image carries. */
#define FK_IMAGE_HAS_SHA256 (1UL << 0)
#define FK_IMAGE_HAS_KEYHASH (1UL << 1)
#define FK_IMAGE_HAS_PUBKEY (1UL << 2)
#define FK_IMAGE_HAS_SIG (1UL << 3) /* one signature TLV */
#define FK_IMAGE_HAS_SEC_CNT (1UL << 4)
#define FK_IMAGE_HAS_DEPENDENCY (1UL << 5)
#define FK_IMAGE_HAS_IMAGE_ID (1UL << 6)
#define FK_IMAGE_HAS_HW_ID (1UL << 7)
#define FK_IMAGE_HAS_UNKNOWN (1UL << 8) /* TLVs this code does not know */
#define FK_IMAGE_HAS_BOOT_RECORD (1UL << 9)
#define FK_IMAGE_HAS_ENC (1UL << 10) /* an ENC_* key TLV */
#define FK_IMAGE_HAS_SIG_PURE \
	(1UL << 11) /* signature over the image, not the digest */
#define FK_IMAGE_HAS_SHA384 (1UL << 12) /* the digest is SHA-384 */

/* Most dependency TLVs fk_image_parse() records; more give FK_ENOSPC. */
#ifndef FK_IMAGE_MAX_DEPS
#define FK_IMAGE_MAX_DEPS 4
#endif

/* Largest signature and PUBKEY TLV accepted (RSA-3072 sizes: a 384-byte
 * signature, a 398-byte RSAPublicKey with its usual exponent).
 * fk_image_validate() holds a signature of FK_IMAGE_SIG_MAX bytes on its
 * stack: a bootloader that checks one key type may define it smaller (72
 * for ECDSA P-256's DER signature, as ports/boot/build.sh does), and an
 * image with a longer signature is then refused (FK_EBADIMG). */
#ifndef FK_IMAGE_SIG_MAX
#define FK_IMAGE_SIG_MAX 384
#endif
#define FK_IMAGE_PUBKEY_MAX 512

/* Bytes fk_image_validate() reads at a time while hashing (its stack
 * holds this plus FK_IMAGE_SIG_MAX plus a SHA-256 state). */
#ifndef FK_IMAGE_HASH_CHUNK
#define FK_IMAGE_HASH_CHUNK 128
#endif

/* major.minor.revision+build, compared in that order. */
struct fk_image_version {
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build;
};

/* The header's fields, decoded (host byte order). */
struct fk_image_header {
	uint32_t magic;		   /* FK_IMAGE_MAGIC */
	uint32_t load_addr;	   /* RAM load address (FK_IMAGE_F_RAM_LOAD) */
	uint16_t hdr_size;	   /* bytes before the payload, >= 32 */
	uint16_t protect_tlv_size; /* protected TLV area incl. its info, or 0 */
	uint32_t img_size;	   /* payload bytes */
	uint32_t flags;		   /* FK_IMAGE_F_* */
	struct fk_image_version version;
};

/* One DEPENDENCY TLV: image image_id must be at least min_version. */
struct fk_image_dependency {
	uint8_t image_id;
	struct fk_image_version min_version;
};

/* Why fk_image_parse() returned FK_EBADIMG (fk_image_info.bad). */
enum fk_image_bad {
	FK_IMAGE_BAD_NONE = 0,
	FK_IMAGE_BAD_MAGIC,	  /* header magic is not FK_IMAGE_MAGIC */
	FK_IMAGE_BAD_HDR_SIZE,	  /* hdr_size below 32 */
	FK_IMAGE_BAD_TRUNCATED,	  /* header, payload or a TLV area runs past
				   * the end of the slot (or file) */
	FK_IMAGE_BAD_PROT_INFO,	  /* protected area magic or size disagrees
				   * with the header's protect_tlv_size */
	FK_IMAGE_BAD_UNANNOUNCED, /* a protected area the header says is absent
				   */
	FK_IMAGE_BAD_TLV_INFO,	  /* unprotected area magic wrong or size < 4 */
	FK_IMAGE_BAD_TLV_OVERRUN, /* a TLV entry runs past the end of its area
				   */
	FK_IMAGE_BAD_TLV_LEN,	  /* a known TLV has the wrong length (a
				   * KEYHASH: not the digest's length) */
	FK_IMAGE_BAD_TLV_AREA,	  /* a known TLV is in the wrong area */
	FK_IMAGE_BAD_TLV_DUP,	  /* a known TLV twice, or two digests, two
				   * keys or two signatures */
	FK_IMAGE_BAD_NO_DIGEST,	  /* no SHA256 or SHA384 TLV */
};

/* Everything fk_image_parse() learns; offsets are relative to the slot. */
struct fk_image_info {
	struct fk_image_header hdr;
	uint32_t prot_off;    /* protected area (its info header) = hdr_size +
				 img_size */
	uint32_t prot_size;   /* = hdr.protect_tlv_size; 0 when absent */
	uint32_t unprot_off;  /* unprotected area = prot_off + prot_size */
	uint32_t unprot_size; /* incl. its 4-byte info header */
	uint32_t
		end; /* first byte after the image = unprot_off + unprot_size */
	uint32_t present;	       /* FK_IMAGE_HAS_* */
	uint8_t digest[FK_DIGEST_MAX]; /* the SHA256 or SHA384 TLV (the
					* claimed digest) */
	uint8_t digest_len;	       /* FK_SHA256_SIZE or FK_SHA384_SIZE */
	uint32_t security_counter;     /* SEC_CNT TLV, 0 when absent */
	uint32_t dep_count;
	struct fk_image_dependency deps[FK_IMAGE_MAX_DEPS];
	uint32_t image_id; /* FK_TLV_FK_IMAGE_ID, 0 when absent */
	uint32_t hw_id;	   /* FK_TLV_FK_HW_ID, 0 when absent */
	uint16_t sig_type; /* FK_TLV_* of the signature; 0 when unsigned */
	uint16_t sig_len;
	uint32_t sig_off;  /* offset of the signature bytes */
	uint16_t key_type; /* FK_TLV_KEYHASH or FK_TLV_PUBKEY; 0 when none */
	uint16_t key_len;
	uint32_t key_off;  /* offset of the key hash / key bytes */
	int32_t key_index; /* set by fk_image_validate(): index in the key
			    * table of the key that verified, else -1 */
	/* After FK_EBADIMG: why (enum fk_image_bad), at which slot offset
	 * (the field or TLV entry at fault), and the TLV type when a TLV is. */
	uint8_t bad;
	uint16_t bad_tlv;
	uint32_t bad_off;
};

/* One TLV entry, as fk_image_tlv_next() reports it. */
struct fk_image_tlv {
	uint16_t type;
	uint16_t len;	   /* value bytes */
	uint32_t off;	   /* offset of the value in the slot */
	bool is_protected; /* inside the protected area (covered by the digest)
			    */
};

/* Walker state; fields are private to image code. */
struct fk_image_tlv_iter {
	const struct fk_area *slot;
	uint32_t off;	     /* next entry header */
	uint32_t prot_end;   /* end of the protected area */
	uint32_t unprot_off; /* info header of the unprotected area */
	uint32_t end;	     /* end of the unprotected area */
};

/* Signature algorithms a key is for. */
enum fk_image_key_type {
	FK_KEY_ECDSA_P256 = 1,
	FK_KEY_RSA2048 = 2,
	FK_KEY_ED25519 = 3,
	FK_KEY_ECDSA_P384 = 4, /* images with SHA384 digests */
	FK_KEY_RSA3072 = 5,
};

/*
 * A public key compiled into the bootloader (`flashkit key public --c`
 * writes these). der is the key as imgtool embeds it: SubjectPublicKeyInfo
 * DER for ECDSA and Ed25519, PKCS#1 RSAPublicKey DER for RSA. hash is what
 * an image's KEYHASH TLV carries: the SHA-256 of der, or its SHA-384 (all
 * 48 bytes) for a P-384 key, whose images are hashed with SHA-384.
 */
struct fk_image_key {
	enum fk_image_key_type type;
	const uint8_t *der;
	uint32_t der_len;
	uint8_t hash[FK_DIGEST_MAX];
};

/* The keys an image may be signed with, and the crypto to check them. */
struct fk_image_keys {
	const struct fk_crypto_port *crypto; /* required */
	const struct fk_image_key *keys;     /* may be NULL when count is 0 */
	uint32_t count; /* 0: integrity only (digest checked, no signature
			 * required); >0: a valid signature by one of them
			 * is required */
	/* The device's private key for encrypted images, in the form
	 * crypto->enc_unwrap takes for the images' scheme (`flashkit key
	 * private --c` writes it); NULL: encrypted images are FK_ENOTSUP. */
	const uint8_t *enc_key;
	uint32_t enc_key_len;
};

/*
 * Reads and checks the header and both TLV areas of the image at the start
 * of slot, and fills *info. Checks: magic; hdr_size >= 32; every size sum
 * without overflow and inside the slot; a protected area exactly where the
 * header says, with magic 0x6908 and a total equal to protect_tlv_size (and
 * no 0x6908 area when the header says 0); an unprotected area with magic
 * 0x6907; TLV entries that exactly fill each area; each known TLV with its
 * exact length and in its area (SEC_CNT, DEPENDENCY and flashkit's TLVs
 * protected; digest, key and signature unprotected); no known TLV twice
 * (except DEPENDENCY); one signature at most; a SHA256 or SHA384 TLV
 * present, and a KEYHASH as long as it.
 * Unknown TLVs are skipped (FK_IMAGE_HAS_UNKNOWN). Does not hash or verify.
 * Returns 0; FK_EBADIMG for a malformed image; FK_ENOTSUP for an image
 * whose digest is SHA512; FK_ENOSPC when it has
 * more than FK_IMAGE_MAX_DEPS dependencies; FK_EINVAL for NULL arguments;
 * or the flash read error. *info is meaningful only when 0 is returned,
 * except that after FK_EBADIMG info->bad, bad_off and bad_tlv say what is
 * wrong and where (for messages and logs).
 */
int fk_image_parse(const struct fk_area *slot, struct fk_image_info *info);

/*
 * Starts a walk over the TLVs of a parsed image (protected area first,
 * then unprotected, in stored order). info must come from a successful
 * fk_image_parse() of the same slot. Returns 0 or FK_EINVAL.
 */
int fk_image_tlv_begin(struct fk_image_tlv_iter *it, const struct fk_area *slot,
		       const struct fk_image_info *info);

/*
 * Reports the next TLV in *tlv. Returns 1 when one was reported, 0 at the
 * end, FK_EBADIMG when an entry does not fit its area (possible only if
 * flash changed since the parse), or the flash read error.
 */
int fk_image_tlv_next(struct fk_image_tlv_iter *it, struct fk_image_tlv *tlv);

/*
 * Finds the first TLV of the given type. Returns 0 with *tlv filled,
 * FK_ENOENT when there is none, or an error from fk_image_tlv_next().
 */
int fk_image_tlv_find(const struct fk_area *slot,
		      const struct fk_image_info *info, uint16_t type,
		      struct fk_image_tlv *tlv);

/*
 * Computes the image digest over [0, info->unprot_off), i.e. the header,
 * payload and protected TLV area, with the image's digest algorithm
 * (SHA-256, or SHA-384 when info->digest_len is 48), reading through buf
 * (caller's scratch, buf_len >= 1; larger is faster). Writes
 * info->digest_len bytes to digest (room for FK_DIGEST_MAX); does not
 * compare it. Returns 0, FK_EINVAL, FK_ENOTSUP (port lacks the hash), the
 * port's error or the flash read error.
 */
int fk_image_hash(const struct fk_area *slot, const struct fk_image_info *info,
		  const struct fk_crypto_port *crypto,
		  uint8_t digest[FK_DIGEST_MAX], void *buf, uint32_t buf_len);

/*
 * Full check of the image in slot: fk_image_parse(), then the digest
 * recomputed and compared with the SHA256 (or SHA384) TLV, then (when
 * keys->count > 0) the signature checked with a key of the table: the one whose
 * hash equals the KEYHASH TLV, or whose DER equals the PUBKEY TLV (like
 * MCUboot, an image with neither is refused with FK_EKEY). Fills *info
 * (key_index tells which key verified). Uses about FK_IMAGE_HASH_CHUNK +
 * FK_IMAGE_SIG_MAX + FK_SHA256_STATE_SIZE bytes of stack.
 * Returns:
 *   FK_OK        valid;
 *   FK_EBADIMG   malformed (see fk_image_parse());
 *   FK_EDIGEST   content does not match the SHA256 TLV;
 *   FK_ESIG      signature required but absent, or does not verify;
 *   FK_EKEY      no key of the table matches the KEYHASH/PUBKEY TLV and
 *                the signature type, the image has neither TLV, or the
 *                matching key is unusable;
 *   FK_ENOTSUP   the port lacks the algorithm (Ed25519 without a port),
 *                the signature type is not one of ECDSA P-256 (SHA-256),
 *                ECDSA P-384 (SHA-384), RSA-2048-PSS, RSA-3072-PSS and
 *                Ed25519 (all three with SHA-256), the image signs itself
 * rather than its digest (SIG_PURE), or the image is encrypted and keys
 * cannot decrypt it; FK_EINVAL, FK_ENOSPC, or a flash read error.
 * An encrypted image is taken as the tools write it, its payload
 * ciphertext, and checked decrypted (see "Encrypted images" below).
 */
int fk_image_validate(const struct fk_area *slot,
		      const struct fk_image_keys *keys,
		      struct fk_image_info *info);

/*
 * fk_image_validate() of an encrypted image whose payload in slot has
 * already been decrypted (the header keeps its ENCRYPTED flag, which the
 * digest covers): the same checks and returns, without the FK_ENOTSUP for
 * encryption. The caller vouches that slot holds the plaintext.
 */
int fk_image_validate_plain(const struct fk_area *slot,
			    const struct fk_image_keys *keys,
			    struct fk_image_info *info);

/*
 * Encrypted images on the device (imgtool -E; docs/image-format.md,
 * "Encrypted images"). The payload [hdr_size, hdr_size + img_size) of an
 * encrypted image as the tools write it is AES-CTR ciphertext; header and
 * TLVs are clear, and digest and signature cover the plaintext. The
 * staging slot and factory slot hold it so; a primary slot holds the
 * plaintext (fk_image_validate_plain()).
 *
 * fk_image_validate() of an image whose header says ENCRYPTED_AES128 or
 * _AES256 unwraps its AES key from its ENC_* TLV (keys->enc_key,
 * crypto->enc_unwrap) and checks digest and signature over the decrypted
 * payload: the same returns, plus FK_ENOTSUP when keys has no enc_key or
 * the port no enc_unwrap/aes_ctr_xor, FK_ENOENT when the image carries no
 * ENC_* TLV, FK_EBADIMG when both AES flags are set, and enc_unwrap's
 * FK_EKEY when the TLV does not unwrap with the device key.
 */

/* Largest AES key (AES-256). */
#define FK_IMAGE_AES_MAX 32

/* The AES key of the encrypted image in slot (info from fk_image_parse()
 * of it): found in its ENC_* TLV (the first of types 0x30, 0x32, 0x33,
 * 0x34) and unwrapped with keys->enc_key. Writes *key_len (16 or 32)
 * bytes to key. Returns 0, FK_EINVAL when the image is not encrypted,
 * or the errors listed above. Stack: the TLV value (up to 256 bytes) and
 * the port's unwrap. */
int fk_image_enc_key(const struct fk_area *slot,
		     const struct fk_image_info *info,
		     const struct fk_image_keys *keys,
		     uint8_t key[FK_IMAGE_AES_MAX], uint32_t *key_len);

/*
 * A read-only view of a flash through AES-CTR: reads read the underlying
 * flash and XOR the keystream over the bytes that are payload. Under
 * address x is payload byte x + ks_delta (mod 2^32) when that is below
 * pay_len. Since CTR is its own inverse, a view over ciphertext reads
 * plaintext and a view over plaintext reads ciphertext. Program and erase
 * through the view fail with FK_EPROTECT. Lives as long as its users; the
 * key is copied in (wipe it with fk_image_crypt_wipe()).
 */
struct fk_image_crypt {
	struct fk_flash flash; /* the view: geometry of the underlying one */
	const struct fk_flash *under;
	const struct fk_crypto_port *crypto;
	uint32_t ks_delta;
	uint32_t pay_len;
	uint32_t key_len;
	uint8_t key[FK_IMAGE_AES_MAX];
};

/* Sets c up over under (payload byte 0 at under address pay_start, mod
 * 2^32) and makes *view the area of a seen through it (same offset and
 * size, on c's flash). crypto must have aes_ctr_xor. */
void fk_image_crypt_init(struct fk_image_crypt *c, const struct fk_area *a,
			 uint32_t pay_start, uint32_t pay_len,
			 const struct fk_crypto_port *crypto,
			 const uint8_t *key, uint32_t key_len,
			 struct fk_area *view);
/* Clears the key. */
void fk_image_crypt_wipe(struct fk_image_crypt *c);

/* Compares two versions (major, minor, revision, then build).
 * Returns <0, 0 or >0 like memcmp. */
int fk_image_version_cmp(const struct fk_image_version *a,
			 const struct fk_image_version *b);

#endif
