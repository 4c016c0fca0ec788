/*
 * Parsers and names for `flashkit image` (imgopts.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "imgopts.h"

/* Reads a decimal number no larger than max; advances *p. */
static int number(const char **p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (uint64_t)(**p - '0');
		if (v > max)
			return -1;
		(*p)++;
	}
	*out = v;
	return 0;
}

int fk_version_parse(const char *text, struct fk_image_version *v)
{
	const char *p = text;
	uint64_t major, minor = 0, rev = 0, build = 0;

	if (number(&p, 0xff, &major))
		return -1;
	if (*p == '.' && (p++, number(&p, 0xff, &minor)))
		return -1;
	if (*p == '.' && (p++, number(&p, 0xffff, &rev)))
		return -1;
	if (*p == '+' && (p++, number(&p, 0xffffffffu, &build)))
		return -1;
	if (*p)
		return -1;
	v->major = (uint8_t)major;
	v->minor = (uint8_t)minor;
	v->revision = (uint16_t)rev;
	v->build = (uint32_t)build;
	return 0;
}

void fk_version_format(const struct fk_image_version *v, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u+%lu", v->major, v->minor, v->revision,
		 (unsigned long)v->build);
}

int fk_dependencies_parse(const char *text, struct fk_image_dependency *deps,
			  uint32_t max, uint32_t *count, struct fk_diag *err)
{
	const char *p = text;

	*count = 0;
	for (;;) {
		char ver[64];
		uint64_t id;
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p++ != '(')
			goto bad;
		while (*p == ' ')
			p++;
		if (number(&p, 0xff, &id))
			goto bad;
		while (*p == ' ')
			p++;
		if (*p++ != ',')
			goto bad;
		while (*p == ' ')
			p++;
		n = strcspn(p, " )");
		if (n == 0 || n >= sizeof(ver))
			goto bad;
		memcpy(ver, p, n);
		ver[n] = 0;
		p += n;
		while (*p == ' ')
			p++;
		if (*p++ != ')')
			goto bad;
		if (*count == max) {
			return fk_fail(err, "-d: at most %u dependencies", max);
		}
		deps[*count].image_id = (uint8_t)id;
		if (fk_version_parse(ver, &deps[*count].min_version)) {
			return fk_fail(err,
				       "-d: bad version '%s' "
				       "(expected major.minor.revision+"
				       "build)",
				       ver);
		}
		(*count)++;
	}
	if (*count)
		return 0;
bad:
	return fk_fail(err,
		       "-d '%s': expected \"(IMAGE_ID,VERSION)\" "
		       "entries, e.g. \"(1,2.3.4+0)\"",
		       text);
}

const char *fk_tlv_name(uint16_t type)
{
	switch (type) {
	case FK_TLV_KEYHASH:
		return "KEYHASH";
	case FK_TLV_PUBKEY:
		return "PUBKEY";
	case FK_TLV_SHA256:
		return "SHA256";
	case FK_TLV_SHA384:
		return "SHA384";
	case FK_TLV_SHA512:
		return "SHA512";
	case FK_TLV_RSA2048_PSS:
		return "RSA2048_PSS";
	case FK_TLV_ECDSA224:
		return "ECDSA224";
	case FK_TLV_ECDSA_SIG:
		return "ECDSA_SIG";
	case FK_TLV_RSA3072_PSS:
		return "RSA3072_PSS";
	case FK_TLV_ED25519:
		return "ED25519";
	case FK_TLV_SIG_PURE:
		return "SIG_PURE";
	case FK_TLV_ENC_RSA2048:
		return "ENC_RSA2048";
	case FK_TLV_ENC_KW:
		return "ENC_KW";
	case FK_TLV_ENC_EC256:
		return "ENC_EC256";
	case FK_TLV_ENC_X25519:
		return "ENC_X25519";
	case FK_TLV_ENC_X25519_SHA512:
		return "ENC_X25519_SHA512";
	case FK_TLV_DEPENDENCY:
		return "DEPENDENCY";
	case FK_TLV_SEC_CNT:
		return "SEC_CNT";
	case FK_TLV_BOOT_RECORD:
		return "BOOT_RECORD";
	case FK_TLV_FK_IMAGE_ID:
		return "FK_IMAGE_ID";
	case FK_TLV_FK_HW_ID:
		return "FK_HW_ID";
	default:
		return NULL;
	}
}

const char *fk_image_flag_name(uint32_t bit)
{
	switch (bit) {
	case FK_IMAGE_F_PIC:
		return "PIC";
	case FK_IMAGE_F_ENCRYPTED_AES128:
		return "ENCRYPTED_AES128";
	case FK_IMAGE_F_ENCRYPTED_AES256:
		return "ENCRYPTED_AES256";
	case FK_IMAGE_F_NON_BOOTABLE:
		return "NON_BOOTABLE";
	case FK_IMAGE_F_RAM_LOAD:
		return "RAM_LOAD";
	case FK_IMAGE_F_ROM_FIXED:
		return "ROM_FIXED";
	case FK_IMAGE_F_COMPRESSED_LZMA1:
		return "COMPRESSED_LZMA1";
	case FK_IMAGE_F_COMPRESSED_LZMA2:
		return "COMPRESSED_LZMA2";
	default:
		return NULL;
	}
}

const char *fk_image_bad_text(int bad)
{
	switch (bad) {
	case FK_IMAGE_BAD_MAGIC:
		return "not an MCUboot image (header magic is not 0x96f3b83d)";
	case FK_IMAGE_BAD_HDR_SIZE:
		return "header size field below 32";
	case FK_IMAGE_BAD_TRUNCATED:
		return "truncated: header, payload or TLV area runs past the "
		       "end";
	case FK_IMAGE_BAD_PROT_INFO:
		return "protected TLV area does not match the header's "
		       "protect_tlv_size (magic 0x6908 and size)";
	case FK_IMAGE_BAD_UNANNOUNCED:
		return "protected TLV area present but the header says none";
	case FK_IMAGE_BAD_TLV_INFO:
		return "no unprotected TLV area (magic 0x6907) after the "
		       "payload";
	case FK_IMAGE_BAD_TLV_OVERRUN:
		return "malformed TLV: entry runs past the end of its area";
	case FK_IMAGE_BAD_TLV_LEN:
		return "malformed TLV: wrong length for its type";
	case FK_IMAGE_BAD_TLV_AREA:
		return "malformed TLV: in the wrong area "
		       "(protected/unprotected)";
	case FK_IMAGE_BAD_TLV_DUP:
		return "malformed TLV: given twice (or two digests, keys or "
		       "signatures)";
	case FK_IMAGE_BAD_NO_DIGEST:
		return "no SHA256 TLV";
	default:
		return "malformed";
	}
}
