/*
 * `flashkit image verify` and `image info` output (report.h).
 *
 * All checking is done by the device-side code (fk_image_parse,
 * fk_image_validate) on a RAM-backed flash; this file only turns its
 * results into messages that say what failed and where.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fk_crypto_mbedtls.h"
#include "image/imgopts.h"
#include "image/memflash.h"
#include "image/sign.h"
#include "cmd_image_report.h"

#define MAX_KEYS 8

static void hex(FILE *fp, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(fp, "%02x", p[i]);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static int open_image(const char *path, const struct fk_input *in,
		      struct fk_memflash *m)
{
	if (fk_memflash_init(m, in->data, in->len)) {
		fk_error("%s: too large (%zu bytes) for an image", path,
			 in->len);
		return -1;
	}
	return 0;
}

static void say_bad(const char *path, const struct fk_input *in,
		    const struct fk_image_info *info, int rc)
{
	const char *name = fk_tlv_name(info->bad_tlv);

	if (rc == FK_EBADIMG) {
		printf("%s: invalid: %s, at offset 0x%x", path,
		       fk_image_bad_text(info->bad), info->bad_off);
		if (info->bad_tlv)
			printf(" (TLV 0x%02x%s%s)", info->bad_tlv,
			       name ? " " : "", name ? name : "");
		if (info->bad == FK_IMAGE_BAD_TRUNCATED)
			printf("; the file holds %zu bytes", in->len);
		printf("\n");
	} else if (rc == FK_ENOTSUP) {
		printf("%s: invalid: digest is SHA512 (only SHA256 and "
		       "SHA384 images are supported)\n",
		       path);
	} else if (rc == FK_ENOSPC) {
		printf("%s: invalid: more than %d DEPENDENCY TLVs\n", path,
		       FK_IMAGE_MAX_DEPS);
	} else {
		printf("%s: invalid: %s\n", path, fk_strerror(rc));
	}
}

/* "SHA256" or "SHA384": the image's digest TLV. */
static const char *digest_tlv_name(const struct fk_image_info *info)
{
	return info->digest_len == FK_SHA384_SIZE ? "SHA384" : "SHA256";
}

/* Which of the keys the image names (KEYHASH/PUBKEY), -1 if none. */
static int named_key(const struct fk_input *in,
		     const struct fk_image_info *info, struct fk_key *keys,
		     uint32_t nkeys)
{
	for (uint32_t i = 0; i < nkeys; i++) {
		if (info->key_type == FK_TLV_KEYHASH &&
		    info->key_len == fk_key_digest_len(keys[i].type) &&
		    !memcmp(in->data + info->key_off, keys[i].hash,
			    info->key_len))
			return (int)i;
		if (info->key_type == FK_TLV_PUBKEY &&
		    info->key_len == keys[i].pub_len &&
		    !memcmp(in->data + info->key_off, keys[i].pub,
			    keys[i].pub_len))
			return (int)i;
	}
	return -1;
}

static void say_key_mismatch(const char *path, const struct fk_input *in,
			     const struct fk_image_info *info,
			     struct fk_key *keys, uint32_t nkeys)
{
	const char *sig = fk_tlv_name(info->sig_type);

	printf("%s: invalid: no given key matches the image's %s signature",
	       path, sig ? sig : "unknown");
	if (info->key_type == FK_TLV_KEYHASH) {
		printf(" (its KEYHASH is ");
		hex(stdout, in->data + info->key_off, info->key_len);
		printf(")");
	} else if (info->key_type == FK_TLV_PUBKEY) {
		printf(" (its PUBKEY differs from every given key)");
	}
	printf("; given:");
	for (uint32_t i = 0; i < nkeys; i++) {
		printf(" %s (%s, hash ", keys[i].path,
		       fk_key_type_name(keys[i].type));
		hex(stdout, keys[i].hash, 8);
		printf("...)");
	}
	printf("\n");
}

int fk_report_verify(const char *path, const struct fk_input *in,
		     struct fk_key *keys, uint32_t nkeys,
		     const char *decrypted_with)
{
	struct fk_image_key ik[MAX_KEYS];
	struct fk_image_keys set = { .crypto = &fk_crypto_mbedtls,
				     .keys = ik,
				     .count = nkeys };
	struct fk_image_info info;
	struct fk_memflash m;
	uint8_t digest[FK_DIGEST_MAX], buf[4096];
	char ver[48];
	int rc, k;

	if (nkeys > MAX_KEYS || open_image(path, in, &m))
		return FK_EXIT_USAGE;
	for (uint32_t i = 0; i < nkeys; i++)
		fk_key_image_key(&keys[i], &ik[i]);
	rc = decrypted_with ? fk_image_validate_plain(&m.area, &set, &info) :
			      fk_image_validate(&m.area, &set, &info);
	fk_version_format(&info.hdr.version, ver, sizeof(ver));
	if (decrypted_with)
		printf("%s: decrypted with %s\n", path, decrypted_with);
	switch (rc) {
	case FK_OK:
		printf("%s: valid: version %s, digest ", path, ver);
		hex(stdout, info.digest, info.digest_len);
		if (nkeys)
			printf(", %s signature by %s\n",
			       fk_key_type_name(keys[info.key_index].type),
			       keys[info.key_index].path);
		else
			printf(" (no -k given: signature not checked)\n");
		return FK_EXIT_OK;
	case FK_EDIGEST:
		fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, digest, buf,
			      sizeof(buf));
		printf("%s: invalid: digest mismatch: header, payload and "
		       "protected TLVs (0x0..0x%x) hash to ",
		       path, info.unprot_off);
		hex(stdout, digest, info.digest_len);
		printf(", the %s TLV says ", digest_tlv_name(&info));
		hex(stdout, info.digest, info.digest_len);
		printf("\n");
		return FK_EXIT_FAIL;
	case FK_ESIG:
		if (!(info.present & FK_IMAGE_HAS_SIG)) {
			printf("%s: invalid: the image is not signed (no "
			       "signature TLV) but keys were given\n",
			       path);
			return FK_EXIT_FAIL;
		}
		k = named_key(in, &info, keys, nkeys);
		printf("%s: invalid: %s signature does not verify with %s\n",
		       path, fk_tlv_name(info.sig_type),
		       k >= 0 ? keys[k].path : "any given key");
		return FK_EXIT_FAIL;
	case FK_EKEY:
		say_key_mismatch(path, in, &info, keys, nkeys);
		return FK_EXIT_FAIL;
	case FK_ENOTSUP:
		if (info.hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
				      FK_IMAGE_F_ENCRYPTED_AES256)) {
			printf("%s: not checked: the image is encrypted (its "
			       "digest is over the plaintext); give the "
			       "private encryption key with --enc-key to "
			       "decrypt and check it\n",
			       path);
			return FK_EXIT_FAIL;
		}
		if (info.digest_len) {
			k = named_key(in, &info, keys, nkeys);
			printf("%s: digest OK, but the %s signature cannot be "
			       "checked: unsupported by the mbedTLS crypto "
			       "port%s%s\n",
			       path,
			       fk_tlv_name(info.sig_type) ?
				       fk_tlv_name(info.sig_type) :
				       "",
			       k >= 0 ? "; the image names key " : "",
			       k >= 0 ? keys[k].path : "");
			return FK_EXIT_FAIL;
		}
		say_bad(path, in, &info, rc);
		return FK_EXIT_FAIL;
	default:
		say_bad(path, in, &info, rc);
		return FK_EXIT_FAIL;
	}
}

/* The TLV's value, decoded when the type is known, as text or JSON. */
static void tlv_value(FILE *fp, const uint8_t *v, const struct fk_image_tlv *t,
		      int json)
{
	struct fk_image_version ver;
	char vs[48];
	bool text = t->len > 0;

	if (t->type == FK_TLV_SEC_CNT || t->type == FK_TLV_FK_IMAGE_ID ||
	    t->type == FK_TLV_FK_HW_ID) {
		uint32_t n = (uint32_t)v[0] | (uint32_t)v[1] << 8 |
			     (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
		fprintf(fp, json ? ", \"number\": %lu" : "  = %lu",
			(unsigned long)n);
		return;
	}
	if (t->type == FK_TLV_DEPENDENCY) {
		ver.major = v[4];
		ver.minor = v[5];
		ver.revision = (uint16_t)(v[6] | v[7] << 8);
		ver.build = (uint32_t)v[8] | (uint32_t)v[9] << 8 |
			    (uint32_t)v[10] << 16 | (uint32_t)v[11] << 24;
		fk_version_format(&ver, vs, sizeof(vs));
		fprintf(fp,
			json ? ", \"image_id\": %u, \"min_version\": \"%s\"" :
			       "  = image %u >= %s",
			v[0], vs);
		return;
	}
	if (t->type < FK_TLV_VENDOR_MIN)
		return;
	for (uint16_t i = 0; i < t->len; i++)
		text = text && v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' &&
		       v[i] != '\\';
	if (text)
		fprintf(fp, json ? ", \"text\": \"%.*s\"" : "  = \"%.*s\"",
			(int)t->len, (const char *)v);
}

static uint32_t header_pad(const struct fk_input *in)
{
	const uint8_t *p = in->data + 28;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void print_header(FILE *fp, const struct fk_input *in,
			 const struct fk_image_info *info, int json)
{
	const struct fk_image_header *h = &info->hdr;
	char ver[48];
	int first = 1;

	fk_version_format(&h->version, ver, sizeof(ver));
	if (json) {
		fprintf(fp,
			"  \"header\": {\"magic\": %lu, \"load_addr\": %lu, "
			"\"hdr_size\": %u, \"protect_tlv_size\": %u, "
			"\"img_size\": %lu, \"flags\": %lu, \"flag_names\": [",
			(unsigned long)h->magic, (unsigned long)h->load_addr,
			h->hdr_size, h->protect_tlv_size,
			(unsigned long)h->img_size, (unsigned long)h->flags);
	} else {
		fprintf(fp,
			"header:\n  magic             0x%08lx\n"
			"  load_addr         0x%08lx\n  hdr_size          %u "
			"(0x%x)\n"
			"  protect_tlv_size  %u\n  img_size          %lu "
			"(0x%lx)\n"
			"  flags             0x%08lx",
			(unsigned long)h->magic, (unsigned long)h->load_addr,
			h->hdr_size, h->hdr_size, h->protect_tlv_size,
			(unsigned long)h->img_size, (unsigned long)h->img_size,
			(unsigned long)h->flags);
	}
	for (int b = 0; b < 32; b++) {
		uint32_t bit = 1UL << b;
		const char *n = fk_image_flag_name(bit);

		if (!(h->flags & bit))
			continue;
		if (json)
			fprintf(fp, "%s\"%s\"", first ? "" : ", ",
				n ? n : "unknown");
		else
			fprintf(fp, "%s%s", first ? " (" : " ",
				n ? n : "unknown");
		first = 0;
	}
	if (json)
		fprintf(fp, "], \"version\": \"%s\", \"pad\": %lu},\n", ver,
			(unsigned long)header_pad(in));
	else
		fprintf(fp,
			"%s\n  version           %s\n  pad               "
			"0x%08lx\n",
			first ? "" : ")", ver, (unsigned long)header_pad(in));
}

static void print_tlvs(FILE *fp, const struct fk_input *in,
		       const struct fk_area *slot,
		       const struct fk_image_info *info, int json)
{
	struct fk_image_tlv_iter it;
	struct fk_image_tlv t;
	int n = 0, area = -1;

	if (json)
		fprintf(fp, "  \"tlvs\": [");
	fk_image_tlv_begin(&it, slot, info);
	while (fk_image_tlv_next(&it, &t) == 1) {
		const char *name = fk_tlv_name(t.type);
		const uint8_t *v = in->data + t.off;

		if (json) {
			fprintf(fp,
				"%s\n    {\"type\": %u, \"name\": \"%s\", "
				"\"protected\": %s, \"offset\": %lu, "
				"\"len\": %u, \"value\": \"",
				n ? "," : "", t.type,
				name ? name :
				       (t.type >= FK_TLV_VENDOR_MIN ?
						"custom" :
						"unknown"),
				t.is_protected ? "true" : "false",
				(unsigned long)t.off, t.len);
			hex(fp, v, t.len);
			fprintf(fp, "\"");
			tlv_value(fp, v, &t, 1);
			fprintf(fp, "}");
		} else {
			if (area != t.is_protected) {
				area = t.is_protected;
				fprintf(fp, "%s TLVs at 0x%lx (%lu bytes):\n",
					area ? "protected" : "unprotected",
					(unsigned long)(area ? info->prot_off :
							       info->unprot_off),
					(unsigned long)(area ? info->prot_size :
							       info->unprot_size));
			}
			fprintf(fp, "  0x%02x %-12s len %-4u ", t.type,
				name ? name :
				       (t.type >= FK_TLV_VENDOR_MIN ?
						"(custom)" :
						"(unknown)"),
				t.len);
			hex(fp, v, t.len);
			tlv_value(fp, v, &t, 0);
			fprintf(fp, "\n");
		}
		n++;
	}
	if (json)
		fprintf(fp, "\n  ],\n");
	else if (!info->prot_size)
		fprintf(fp, "protected TLVs: none\n");
}

/* The MCUboot trailer at the end of a padded image, if any: fills
 * *max_align and *image_ok. Returns 1 when a boot magic is there. */
static int find_trailer(const struct fk_input *in,
			const struct fk_image_info *info, uint32_t *max_align,
			int *image_ok)
{
	uint32_t magic_size;

	if (in->len < (size_t)info->end + 16)
		return 0;
	*max_align = fk_sign_magic_align(in->data + in->len - 16);
	if (!*max_align)
		return 0;
	magic_size = (16 + *max_align - 1) / *max_align * *max_align;
	*image_ok = -1;
	if (in->len >= (size_t)info->end + magic_size + *max_align)
		*image_ok = in->data[in->len - magic_size - *max_align];
	return 1;
}

int fk_report_info(const char *path, const struct fk_input *in, int json)
{
	struct fk_image_info info;
	struct fk_memflash m;
	uint8_t digest[FK_DIGEST_MAX], buf[4096];
	uint32_t max_align = 0;
	int image_ok = -1, has_trailer, rc, match;
	FILE *fp = stdout;

	if (open_image(path, in, &m))
		return FK_EXIT_USAGE;
	rc = fk_image_parse(&m.area, &info);
	if (rc) {
		/* Show the header when there is one: it tells what the
		 * lengths claimed. */
		if (!json && in->len >= FK_IMAGE_HEADER_SIZE &&
		    info.hdr.magic == FK_IMAGE_MAGIC)
			print_header(fp, in, &info, 0);
		if (json) {
			fprintf(fp, "{\n  \"file\": ");
			json_str(fp, path);
			fprintf(fp,
				",\n  \"valid\": false,\n  \"error\": \"%s\",\n"
				"  \"offset\": %lu,\n  \"tlv\": %u\n}\n",
				rc == FK_EBADIMG ? fk_image_bad_text(info.bad) :
						   fk_strerror(rc),
				(unsigned long)info.bad_off, info.bad_tlv);
			return FK_EXIT_FAIL;
		}
		say_bad(path, in, &info, rc);
		return FK_EXIT_FAIL;
	}
	if (fk_image_hash(&m.area, &info, &fk_crypto_mbedtls, digest, buf,
			  sizeof(buf))) {
		fk_error("%s: cannot hash the image", path);
		return FK_EXIT_USAGE;
	}
	match = !memcmp(digest, info.digest, info.digest_len);
	has_trailer = find_trailer(in, &info, &max_align, &image_ok);
	if (json) {
		fprintf(fp, "{\n  \"file\": ");
		json_str(fp, path);
		fprintf(fp, ",\n  \"format\": \"%s\",\n  \"file_size\": %zu,\n",
			in->format, in->len);
		if (in->has_base)
			fprintf(fp, "  \"address\": %lu,\n",
				(unsigned long)in->base);
	} else {
		fprintf(fp, "%s: MCUboot image, %s, %zu bytes", path,
			in->format, in->len);
		if (in->has_base)
			fprintf(fp, " at 0x%08lx", (unsigned long)in->base);
		fprintf(fp, "\n");
	}
	print_header(fp, in, &info, json);
	if (!json)
		fprintf(fp, "payload: 0x%x..0x%lx (%lu bytes)\n",
			info.hdr.hdr_size, (unsigned long)info.prot_off,
			(unsigned long)info.hdr.img_size);
	print_tlvs(fp, in, &m.area, &info, json);
	if (json) {
		fprintf(fp, "  \"digest\": \"");
		hex(fp, digest, info.digest_len);
		fprintf(fp,
			"\",\n  \"digest_ok\": %s,\n  \"image_end\": %lu,\n"
			"  \"trailer\": ",
			match ? "true" : "false", (unsigned long)info.end);
		if (has_trailer)
			fprintf(fp,
				"{\"max_align\": %lu, \"image_ok\": %d}\n}\n",
				(unsigned long)max_align, image_ok);
		else
			fprintf(fp, "null\n}\n");
		return FK_EXIT_OK;
	}
	fprintf(fp, "digest: ");
	hex(fp, digest, info.digest_len);
	fprintf(fp,
		match ? " (matches the %s TLV)\n" :
			" (DOES NOT match the %s TLV)\n",
		digest_tlv_name(&info));
	fprintf(fp, "image end: 0x%lx", (unsigned long)info.end);
	if (has_trailer)
		fprintf(fp,
			"; trailer: boot magic (max-align %lu), image_ok "
			"0x%02x (%s)\n",
			(unsigned long)max_align, image_ok & 0xff,
			image_ok == 1 ? "confirmed" : "not confirmed");
	else if (in->len > info.end)
		fprintf(fp, "; %zu bytes follow, no trailer magic\n",
			in->len - info.end);
	else
		fprintf(fp, "\n");
	return FK_EXIT_OK;
}
