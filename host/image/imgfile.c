/*
 * Reading firmware and images, checking an image before it is used,
 * writing signed images (imgfile.h).
 *
 * Every format goes through the production readers and writers
 * (host/formats/): a file becomes segments, and an image is the bytes from
 * the lowest address to the highest with gaps filled with 0xff, as imgtool
 * does for HEX input. A plain binary has no address; HEX, S-record and
 * ELF files carry theirs (ELF: the physical addresses of PT_LOAD
 * segments), which then places a HEX output.
 */
#include <stdlib.h>
#include <string.h>

#include "fk_crypto_mbedtls.h"
#include "flashkit/image.h"
#include "formats/fileio.h"
#include "imgfile.h"
#include "imgopts.h"
#include "memflash.h"

/* Largest span of addresses an input may cover (gaps included). */
#define INPUT_SPAN_MAX (256u << 20)

static int flatten(const char *path, const struct fk_segs *s,
		   struct fk_input *in, struct fk_diag *err)
{
	uint64_t start = fk_segs_start(s), end = fk_segs_end(s);

	if (end - start > INPUT_SPAN_MAX)
		return fk_fail(err,
			       "%s: data spans 0x%llx..0x%llx (%llu "
			       "bytes), too far apart for one image; is a "
			       "second memory in the file?",
			       path, (unsigned long long)start,
			       (unsigned long long)end,
			       (unsigned long long)(end - start));
	in->len = (size_t)(end - start);
	in->data = malloc(in->len ? in->len : 1);
	if (!in->data)
		return fk_fail(err, "out of memory");
	fk_segs_read(s, start, in->data, in->len, 0xff);
	in->base = (uint32_t)start;
	return 0;
}

static int load(const char *path, struct fk_input *in, bool allow_elf,
		struct fk_diag *err)
{
	struct fk_read_opts ro;
	struct fk_segs segs;
	uint8_t *raw;
	size_t raw_len;
	enum fk_format f;
	int rc;

	memset(in, 0, sizeof(*in));
	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_DATA), &raw, &raw_len,
			 err))
		return -1;
	f = fk_format_by_path(path);
	if (f == FK_FMT_UNKNOWN || (f == FK_FMT_BIN && raw_len >= 4 &&
				    !memcmp(raw,
					    "\x7f"
					    "ELF",
					    4)))
		f = fk_format_sniff(raw, raw_len);
	if (f == FK_FMT_BIN) {
		/* Raw bytes: no address, kept as they are. */
		in->data = raw;
		in->len = raw_len;
		in->format = "bin";
		return 0;
	}
	free(raw);
	if (f == FK_FMT_ELF && !allow_elf)
		return fk_fail(err,
			       "%s: an ELF file is firmware, not a "
			       "signed image; sign it first (flashkit "
			       "image sign)",
			       path);
	fk_read_opts_init(&ro);
	fk_segs_init(&segs);
	rc = fk_load_segs(path, f, &ro, &segs, err);
	if (!rc && !segs.n)
		rc = fk_fail(err, "%s: no data in the file", path);
	if (!rc)
		rc = flatten(path, &segs, in, err);
	fk_segs_free(&segs);
	if (rc)
		return -1;
	in->has_base = true;
	in->format = fk_format_name(f);
	return 0;
}

int fk_input_load(const char *path, struct fk_input *in, struct fk_diag *err)
{
	return load(path, in, true, err);
}

int fk_input_load_image(const char *path, struct fk_input *in,
			struct fk_diag *err)
{
	return load(path, in, false, err);
}

int fk_input_check_image(const struct fk_input *in, const char *path,
			 struct fk_diag *err)
{
	static const struct fk_image_keys none = {
		.crypto = &fk_crypto_mbedtls,
	};
	struct fk_image_info info = { 0 };
	struct fk_memflash m;
	int rc = FK_EBADIMG;

	if (in->len > 0 && in->len <= UINT32_MAX &&
	    fk_memflash_init(&m, in->data, in->len) == FK_OK)
		rc = fk_image_parse(&m.area, &info);
	if (rc == FK_EBADIMG && in->len == 0)
		return fk_fail(err, "%s: empty file, not an image", path);
	if (rc == FK_EBADIMG)
		return fk_fail(err,
			       "%s: not a valid image: %s, at offset 0x%x; "
			       "give an image made by flashkit image sign",
			       path, fk_image_bad_text(info.bad),
			       (unsigned)info.bad_off);
	/* an encrypted image's digest covers its plaintext */
	if (rc == FK_OK && !(info.hdr.flags & (FK_IMAGE_F_ENCRYPTED_AES128 |
					       FK_IMAGE_F_ENCRYPTED_AES256)))
		rc = fk_image_validate(&m.area, &none, &info);
	if (rc == FK_EDIGEST)
		return fk_fail(err,
			       "%s: damaged: its digest does not match its "
			       "%s TLV (header, payload or protected TLVs "
			       "changed since it was signed); sign the "
			       "firmware again",
			       path,
			       info.digest_len == FK_SHA384_SIZE ? "SHA384" :
								   "SHA256");
	if (rc != FK_OK)
		return fk_fail(err, "%s: not a valid image: %s", path,
			       fk_strerror(rc));
	return 0;
}

void fk_input_free(struct fk_input *in)
{
	free(in->data);
	in->data = NULL;
}

/* Where the image goes in an addressed output. */
static int output_base(const char *path, const struct fk_sign_opts *o,
		       const struct fk_input *in, uint64_t hex_addr,
		       uint64_t *base, struct fk_diag *err)
{
	if (hex_addr != FK_NO_HEX_ADDR) {
		*base = hex_addr;
		return 0;
	}
	if (!in->has_base)
		return fk_fail(err,
			       "%s: a %s output needs the image's "
			       "address: give -x ADDR (the input is a "
			       "plain binary)",
			       path, fk_format_name(fk_format_by_path(path)));
	*base = in->base;
	if (o->pad_header) {
		if (*base < o->hdr_size)
			return fk_fail(err,
				       "input starts at 0x%lx, below "
				       "the header size; give -x ADDR",
				       (unsigned long)in->base);
		*base -= o->hdr_size;
	}
	return 0;
}

/* The segments of an addressed output: the image, and with --pad only the
 * trailer's image_ok unit and magic (not the erased fill), like imgtool. */
static int image_segs(const struct fk_sign_opts *o,
		      const struct fk_sign_result *res, uint64_t base,
		      struct fk_segs *s)
{
	uint32_t max_align, magic_size;
	int rc = fk_segs_add(s, base, res->data, res->image_len, NULL);

	if (rc || !(o->pad || o->confirm) || o->layout_trailer)
		return rc;
	max_align = fk_sign_max_align(o);
	magic_size = (16 + max_align - 1) / max_align * max_align;
	if (o->confirm && !o->overwrite_only) {
		uint32_t ok = o->slot_size - magic_size - max_align;

		rc = fk_segs_add(s, base + ok, res->data + ok, max_align, NULL);
	}
	if (!rc)
		rc = fk_segs_add(s, base + o->slot_size - 16,
				 res->data + o->slot_size - 16, 16, NULL);
	return rc;
}

int fk_output_save(const char *path, const struct fk_sign_opts *o,
		   const struct fk_sign_result *res, const struct fk_input *in,
		   uint64_t hex_addr, struct fk_diag *err)
{
	enum fk_format f = fk_format_by_path(path);
	struct fk_write_opts wo;
	struct fk_segs segs;
	uint64_t base = 0;
	int rc;

	/* Like imgtool: binary unless the name says otherwise. */
	if (f == FK_FMT_UNKNOWN || f == FK_FMT_BIN)
		return fk_file_write(path, res->data, res->len, 0, err);
	if (f == FK_FMT_ELF || f == FK_FMT_DFU)
		return fk_fail(err,
			       "%s: cannot write a signed image as "
			       "%s; use .bin, .hex, .s19/.s28/.s37 or .uf2",
			       path, fk_format_name(f));
	if (output_base(path, o, in, hex_addr, &base, err))
		return -1;
	if (base + res->len > 0x100000000ull)
		return fk_fail(err,
			       "%s: image at 0x%llx would end past 4 "
			       "GiB",
			       path, (unsigned long long)base);
	fk_segs_init(&segs);
	rc = image_segs(o, res, base, &segs);
	if (rc) {
		fk_segs_free(&segs);
		return fk_fail(err, "%s: %s", path, fk_segs_strerror(rc));
	}
	fk_write_opts_init(&wo);
	rc = fk_save_segs(path, f, &segs, &wo, err);
	fk_segs_free(&segs);
	return rc;
}
