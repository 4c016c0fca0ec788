/*
 * flashkit image: sign, verify and inspect MCUboot-format images.
 *
 *   flashkit image sign [imgtool options] INFILE OUTFILE
 *   flashkit image verify [-k KEY]... FILE
 *   flashkit image info FILE [--json]
 *
 * `sign` takes imgtool's option names with imgtool's meanings, so a build
 * script switches by changing the command name. Parsing and checking use
 * the device-side code (src/image/) through a RAM-backed flash, so the
 * tool and the bootloader cannot disagree on what an image is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_key.h"
#include "flashkit/bytes.h"
#include "fk_crypto_mbedtls.h"
#include "formats/fileio.h"
#include "formats/formats.h"
#include "image/imgfile.h"
#include "image/imgopts.h"
#include "image/keys.h"
#include "image/memflash.h"
#include "image/pending.h"
#include "cmd_image_delta.h"
#include "cmd_image_report.h"
#include "image/sign.h"
#include "image/sign_input.h"
#include "layout/layout.h"

#define MAX_KEYS 8

static int u32_opt(const char *name, const char *text, uint64_t max,
		   uint32_t *out)
{
	uint64_t v;

	if (fk_parse_u64(text, &v) || v > max) {
		fk_error("%s: '%s' is not a number in 0..%llu", name, text,
			 (unsigned long long)max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --custom-tlv TAG VALUE: VALUE is hex after 0x, otherwise UTF-8 text
 * (imgtool's rule). Values live in *store (freed by the caller). */
static int add_custom_tlv(struct fk_sign_opts *o, const char *tag_text,
			  const char *value, uint8_t **store)
{
	uint32_t tag;
	size_t len;
	uint8_t *bytes;

	if (u32_opt("--custom-tlv", tag_text, 0xfffe, &tag))
		return -1;
	if (tag < FK_TLV_VENDOR_MIN || tag == FK_TLV_FK_IMAGE_ID ||
	    tag == FK_TLV_FK_HW_ID) {
		fk_error(
			"--custom-tlv %s: tag must be 0xa0..0xfffe and not one "
			"of flashkit's own (0xe0 image id, 0xe1 hardware id; "
			"use --image-id / --hw-id)",
			tag_text);
		return -1;
	}
	for (uint32_t i = 0; i < o->tlv_count; i++) {
		if (o->tlvs[i].type == tag) {
			fk_error("--custom-tlv %s given twice", tag_text);
			return -1;
		}
	}
	if (!strncmp(value, "0x", 2) || !strncmp(value, "0X", 2)) {
		const char *h = value + 2;

		len = strlen(h);
		if (len % 2 || !len) {
			fk_error("--custom-tlv %s %s: hex value needs an even, "
				 "non-zero number of digits",
				 tag_text, value);
			return -1;
		}
		len /= 2;
		bytes = malloc(len);
		for (size_t i = 0; bytes && i < len; i++) {
			unsigned v;

			if (sscanf(h + 2 * i, "%2x", &v) != 1 ||
			    !strchr("0123456789abcdefABCDEF", h[2 * i]) ||
			    !strchr("0123456789abcdefABCDEF", h[2 * i + 1])) {
				fk_error("--custom-tlv %s: '%s' is not hex",
					 tag_text, value);
				free(bytes);
				return -1;
			}
			bytes[i] = (uint8_t)v;
		}
	} else {
		len = strlen(value);
		bytes = malloc(len ? len : 1);
		if (bytes && len)
			memcpy(bytes, value, len);
	}
	if (!bytes || len > 0xffff || o->tlv_count >= FK_SIGN_MAX_TLVS) {
		fk_error("--custom-tlv %s: value too long or too many TLVs",
			 tag_text);
		free(bytes);
		return -1;
	}
	*store = bytes;
	o->tlvs[o->tlv_count].type = (uint16_t)tag;
	o->tlvs[o->tlv_count].len = (uint16_t)len;
	o->tlvs[o->tlv_count].value = bytes;
	o->tlv_count++;
	return 0;
}

/* --image-id / --hw-id: flashkit's own protected TLVs, 4 bytes LE. */
static int add_u32_tlv(struct fk_sign_opts *o, uint16_t type, const char *name,
		       const char *text, uint8_t *store)
{
	uint32_t v;

	if (u32_opt(name, text, 0xffffffffu, &v))
		return -1;
	if (o->tlv_count >= FK_SIGN_MAX_TLVS) {
		fk_error("too many TLVs");
		return -1;
	}
	fk_put_le32(store, v);
	o->tlvs[o->tlv_count].type = type;
	o->tlvs[o->tlv_count].len = 4;
	o->tlvs[o->tlv_count].value = store;
	o->tlv_count++;
	return 0;
}

struct sign_args {
	const char *key, *version, *hdr_size, *slot_size, *align, *max_align;
	const char *max_sectors, *sec_cnt, *deps, *hex_addr, *load_addr;
	const char *erased_val, *pubkey_format, *rom_fixed, *image_id, *hw_id;
	const char *layout, *image, *pending, *password_file;
	const char *encrypt, *encrypt_keylen, *hmac_sha;
	int pad_header, pad, confirm, test, overwrite_only, non_bootable;
	int resign, clear, save_enctlv;
	int compress;
	struct fk_opt_list custom;
};

/* --encrypt-keylen, --hmac-sha, -c and --save-enctlv (the key itself is
 * loaded later); 0 or -1 (reported). */
static int enc_opts(const struct sign_args *a, struct fk_sign_opts *o)
{
	o->enc_aes_len = 16;
	if (!a->encrypt) {
		if (a->encrypt_keylen || a->hmac_sha || a->clear ||
		    a->save_enctlv) {
			fk_error("--encrypt-keylen, --hmac-sha, -c and "
				 "--save-enctlv need -E (the encryption key)");
			return -1;
		}
		return 0;
	}
	if (a->encrypt_keylen && !strcmp(a->encrypt_keylen, "256")) {
		o->enc_aes_len = 32;
	} else if (a->encrypt_keylen && strcmp(a->encrypt_keylen, "128")) {
		fk_error("--encrypt-keylen must be 128 or 256");
		return -1;
	}
	if (a->hmac_sha && !strcmp(a->hmac_sha, "512")) {
		o->enc_sha512 = true;
	} else if (a->hmac_sha && strcmp(a->hmac_sha, "256") &&
		   strcmp(a->hmac_sha, "auto")) {
		fk_error("--hmac-sha must be auto, 256 or 512");
		return -1;
	}
	o->enc_clear = a->clear;
	o->save_enctlv = a->save_enctlv;
	return 0;
}

static int fill_sign_opts(const struct sign_args *a, struct fk_sign_opts *o,
			  uint8_t **custom_store, uint8_t id_store[2][4])
{
	struct fk_diag err = { 0 };

	fk_sign_opts_init(o);
	if (a->version && fk_version_parse(a->version, &o->version)) {
		fk_error("-v '%s': expected major.minor.revision+build, e.g. "
			 "1.2.3+4",
			 a->version);
		return -1;
	}
	if ((a->hdr_size && u32_opt("-H", a->hdr_size, 0xffff, &o->hdr_size)) ||
	    (a->slot_size &&
	     u32_opt("-S", a->slot_size, 0xffffffffu, &o->slot_size)) ||
	    (a->align && u32_opt("--align", a->align, 32, &o->align)) ||
	    (a->max_align &&
	     u32_opt("--max-align", a->max_align, 0x8000, &o->max_align)) ||
	    (a->max_sectors &&
	     u32_opt("-M", a->max_sectors, 0x10000, &o->max_sectors)) ||
	    (a->load_addr &&
	     u32_opt("-L", a->load_addr, 0xffffffffu, &o->load_addr)) ||
	    (a->rom_fixed &&
	     u32_opt("--rom-fixed", a->rom_fixed, 0xffffffffu, &o->rom_fixed)))
		return -1;
	if (a->erased_val) {
		uint32_t v;

		if (u32_opt("-R", a->erased_val, 0xff, &v))
			return -1;
		if (v != 0 && v != 0xff) {
			fk_error("-R: erased value must be 0 or 0xff");
			return -1;
		}
		o->erased_val = (uint8_t)v;
	}
	o->pad_header = a->pad_header;
	o->overwrite_only = a->overwrite_only;
	o->non_bootable = a->non_bootable;
	o->confirm = a->confirm;
	o->pad = a->pad || a->test || a->confirm;
	if (a->confirm && a->test) {
		fk_error("--confirm and --test exclude each other");
		return -1;
	}
	if (a->sec_cnt) {
		o->has_sec_cnt = true;
		if (!strcmp(a->sec_cnt, "auto"))
			o->sec_cnt = ((uint32_t)o->version.major << 24) |
				     ((uint32_t)o->version.minor << 16) |
				     o->version.revision;
		else if (u32_opt("-s", a->sec_cnt, 0xffffffffu, &o->sec_cnt))
			return -1;
	}
	if (a->deps &&
	    fk_dependencies_parse(a->deps, o->deps, FK_IMAGE_MAX_DEPS,
				  &o->dep_count, &err)) {
		fk_cli_report(&err);
		return -1;
	}
	if (a->pubkey_format) {
		if (!strcmp(a->pubkey_format, "full")) {
			o->pubkey_full = true;
		} else if (strcmp(a->pubkey_format, "hash")) {
			fk_error("--public-key-format must be hash or full");
			return -1;
		}
	}
	for (int i = 0; i + 1 < a->custom.count; i += 2) {
		if (add_custom_tlv(o, a->custom.values[i],
				   a->custom.values[i + 1],
				   &custom_store[i / 2]))
			return -1;
	}
	if (enc_opts(a, o))
		return -1;
	if ((a->image_id && add_u32_tlv(o, FK_TLV_FK_IMAGE_ID, "--image-id",
					a->image_id, id_store[0])) ||
	    (a->hw_id &&
	     add_u32_tlv(o, FK_TLV_FK_HW_ID, "--hw-id", a->hw_id, id_store[1])))
		return -1;
	return 0;
}

/* Checks that an option given with --layout agrees with the layout. */
static int agrees(const char *opt, const char *given, uint64_t want,
		  const struct fk_pos *pos, const char *what)
{
	uint64_t v;

	if (!given)
		return 0;
	if (!fk_parse_u64(given, &v) && v == want)
		return 0;
	fk_layout_diag(stderr, pos, "error",
		       "%s %s conflicts with the "
		       "layout's %s 0x%llx; drop %s, the layout decides",
		       opt, given, what, (unsigned long long)want, opt);
	return -1;
}

/*
 * --layout L --image MODULE: a library module that is an image of its own
 * (a `header` in the layout): header size, slot size (its partition),
 * alignment and erased value from the layout, no boot state trailer, the
 * image id TLV its module image id (what an app's DEPENDENCY names). The
 * module is linked after its header: sign its binary with --pad-header.
 */
static int apply_layout_module(const struct sign_args *a,
			       struct fk_sign_opts *o,
			       const struct fk_layout *L,
			       const struct fk_layout_module *mod, char *desc,
			       size_t desc_size, uint64_t *hex_base,
			       uint8_t id_store[4])
{
	const struct fk_layout_partition *p = &L->partitions[mod->flash];
	const struct fk_layout_memory *mem = fk_layout_partition_memory(L, p);

	if (a->pending || a->test || a->confirm) {
		fk_error("module '%s': --pending/--test/--confirm are for "
			 "images the bootloader installs; a module is "
			 "written into its partition as it is",
			 mod->name);
		return -1;
	}
	if (!mod->header_size) {
		fk_layout_diag(stderr, &mod->pos, "error",
			       "module '%s' has no image header: give it "
			       "'header: 0x200' in the layout to sign and "
			       "update it as an image of its own",
			       mod->name);
		return -1;
	}
	if (agrees("-H", a->hdr_size, mod->header_size, &mod->pos_header,
		   "header size") ||
	    agrees("-S", a->slot_size, p->size, &p->pos_size,
		   "module partition size") ||
	    agrees("--align", a->align, mem->write_unit, &mem->pos,
		   "write unit") ||
	    agrees("-R", a->erased_val, mem->erased_value, &mem->pos,
		   "erased value"))
		return -1;
	o->hdr_size = mod->header_size;
	o->slot_size = p->size;
	o->align = mem->write_unit;
	o->erased_val = mem->erased_value;
	o->max_image = p->size;
	o->max_image_hdr = mod->header_size;
	snprintf(desc, desc_size, "module '%s' (%s:%u:%u; partition '%s')",
		 mod->name, mod->pos.file, mod->pos.line, mod->pos.col,
		 p->name);
	o->slot_desc = desc;
	*hex_base = p->address;
	if (!a->image_id) {
		fk_put_le32(id_store, fk_layout_module_image_id(L, mod));
		if (o->tlv_count >= FK_SIGN_MAX_TLVS)
			return -1;
		o->tlvs[o->tlv_count++] =
			(struct fk_sign_tlv){ FK_TLV_FK_IMAGE_ID, 4, id_store };
	}
	return 0;
}

/*
 * --layout L --image NAME, L loaded: header size, slot size (the smaller
 * slot, what --pad fills), write alignment, erased value, the room kept
 * for flashkit's boot state and the largest image the bootloader installs
 * (fk_layout_image_max_payload() plus the header) come from the layout,
 * and for ram-load the load address (-L: its `load` RAM); the image id TLV
 * is the layout's image number unless --image-id says otherwise.
 * *hex_base gets the primary slot's address, where a HEX output goes.
 */
static int apply_layout(const struct sign_args *a, struct fk_sign_opts *o,
			struct fk_layout *L, char *desc, size_t desc_size,
			uint64_t *hex_base, uint8_t id_store[4])
{
	const struct fk_layout_image *img;
	const struct fk_layout_partition *p, *s;
	const struct fk_layout_memory *mem;
	uint32_t slot, max_payload;

	img = fk_layout_find_image(L, a->image);
	if (!img && fk_layout_find_module(L, a->image))
		return apply_layout_module(a, o, L,
					   fk_layout_find_module(L, a->image),
					   desc, desc_size, hex_base, id_store);
	if (!img) {
		fk_error("%s: no image '%s'; the layout has:", a->layout,
			 a->image);
		for (uint32_t i = 0; i < L->image_count; i++)
			fprintf(stderr, "  %s\n", L->images[i].name);
		return -1;
	}
	if (img->strategy == FK_STRATEGY_NONE) {
		fk_layout_diag(stderr, &img->pos_strategy, "error",
			       "image '%s' has no bootloader (strategy none): "
			       "nothing verifies a signed image, so flash its "
			       "ELF or binary as it is (flashkit merge "
			       "--layout puts it in the factory file)",
			       img->name);
		return -1;
	}
	p = &L->partitions[img->primary];
	s = img->secondary >= 0 ? &L->partitions[img->secondary] : NULL;
	slot = s && s->size < p->size ? s->size : p->size;
	mem = fk_layout_partition_memory(L, p);
	if (agrees("-H", a->hdr_size, img->header_size, &img->pos_header,
		   "header size") ||
	    agrees("-S", a->slot_size, slot, &p->pos_size, "slot size") ||
	    agrees("--align", a->align, fk_layout_image_align(L, img),
		   &mem->pos, "write unit") ||
	    agrees("-R", a->erased_val, mem->erased_value, &mem->pos,
		   "erased value") ||
	    (img->strategy == FK_STRATEGY_RAM_LOAD &&
	     agrees("-L", a->load_addr, img->load.start, &img->pos_load,
		    "load RAM address")))
		return -1;
	/* ram-load: the image runs from its `load` RAM (sets RAM_LOAD) */
	if (img->strategy == FK_STRATEGY_RAM_LOAD)
		o->load_addr = img->load.start;
	o->hdr_size = img->header_size;
	o->slot_size = slot;
	o->align = fk_layout_image_align(L, img);
	o->erased_val = mem->erased_value;
	o->layout_trailer = true;
	o->layout_trailer_size = fk_layout_image_trailer(L, img);
	/* the bootloader's limit, the figure `layout show` prints: for swap
	 * it is below the slot less the boot state (docs/boot.md, "Sizing") */
	max_payload = fk_layout_image_max_payload(L, img);
	if (max_payload == 0) {
		fk_layout_diag(stderr, &img->pos, "error",
			       "image '%s' has no "
			       "room for any payload in this layout; run "
			       "`flashkit layout check`",
			       img->name);
		return -1;
	}
	o->max_image = img->header_size + max_payload;
	o->max_image_hdr = img->header_size;
	snprintf(desc, desc_size, "image '%s' (%s:%u:%u; slots '%s'/'%s')",
		 img->name, img->pos.file, img->pos.line, img->pos.col, p->name,
		 s ? s->name : "-");
	o->slot_desc = desc;
	*hex_base = p->address;
	if (!a->image_id) {
		fk_put_le32(id_store, img->id);
		if (o->tlv_count >= FK_SIGN_MAX_TLVS)
			return -1;
		o->tlvs[o->tlv_count++] =
			(struct fk_sign_tlv){ FK_TLV_FK_IMAGE_ID, 4, id_store };
	}
	return 0;
}

/* --pending test|permanent, or imgtool's --test / --confirm (with or
 * without --pad): 0 none, FK_BOOT_TEST, FK_BOOT_PERMANENT, -1 refused. */
static int pending_mode(const struct sign_args *a)
{
	int mode = a->confirm ? FK_BOOT_PERMANENT : a->test ? FK_BOOT_TEST : 0;

	if (!a->pending)
		return mode;
	if (strcmp(a->pending, "test") && strcmp(a->pending, "permanent")) {
		fk_error("--pending '%s': expected test or permanent",
			 a->pending);
		return -1;
	}
	if (mode && mode != (strcmp(a->pending, "test") ? FK_BOOT_PERMANENT :
							  FK_BOOT_TEST)) {
		fk_error("--pending %s conflicts with --%s", a->pending,
			 a->confirm ? "confirm" : "test");
		return -1;
	}
	return strcmp(a->pending, "test") ? FK_BOOT_PERMANENT : FK_BOOT_TEST;
}

/*
 * --pending with --layout: the output is the image's staging window,
 * padded, with MCUboot's trailer at its end (host/image/pending.h), at
 * the window's address. Refuses what the bootloader could not install:
 * a test install on overwrite, a write unit above imgtool's largest
 * trailer unit, an image reaching the trailer's sector.
 */
static int apply_pending(const struct sign_args *a, int mode,
			 struct fk_sign_opts *o, const struct fk_layout *L,
			 const struct fk_layout_image *img,
			 struct fk_pending_window *w, uint64_t *hex_base)
{
	if (fk_pending_window(L, img, w)) {
		fk_layout_diag(stderr, &img->pos, "error",
			       "--pending: image "
			       "'%s' has no staging slot the bootloader can "
			       "use; run `flashkit layout check`",
			       img->name);
		return -1;
	}
	if (w->strategy == FK_BOOT_OVERWRITE && mode == FK_BOOT_TEST) {
		fk_layout_diag(stderr, &img->pos, "error",
			       "image '%s' uses "
			       "overwrite, which keeps no copy to revert to: "
			       "use --pending permanent (or --confirm)",
			       img->name);
		return -1;
	}
	if (w->max_align > FK_PENDING_MAX_ALIGN) {
		fk_layout_diag(stderr, &img->pos, "error",
			       "--pending: slot "
			       "'%s' is written in %u-byte units, more than "
			       "MCUboot's trailer allows (%u); such a slot "
			       "cannot carry a marker: upload with fk_update_* "
			       "instead",
			       w->slot, w->write_unit, FK_PENDING_MAX_ALIGN);
		return -1;
	}
	if (a->overwrite_only || a->max_align || a->max_sectors) {
		fk_error("--pending: --overwrite-only, --max-align and -M "
			 "come from the layout; drop them");
		return -1;
	}
	o->pad = true;
	o->confirm = mode == FK_BOOT_PERMANENT;
	o->layout_trailer = false;
	o->align = w->max_align;
	o->slot_size = w->size;
	if (w->max_image < o->max_image) {
		o->max_image = w->max_image;
		snprintf(w->why, sizeof(w->why),
			 "the window's last sector, "
			 "0x%x.., holds the trailer and no image bytes: the "
			 "most a --pending image has is 0x%x, one sector less "
			 "than without --pending",
			 w->trailer_off, w->max_image);
		o->max_image_why = w->why;
	}
	*hex_base = w->addr;
	return 0;
}

/* -E with --layout: the bootloader decrypts an image only while it
 * installs it from the staging slot (docs/boot.md, "Encrypted images"),
 * so an encrypted image cannot run from where XIP receives it, nor from a
 * primary slot a placed output (.hex, ...) would program it into. 1 when
 * refused (said), else 0. */
static int encrypted_misplaced(const struct sign_args *a,
			       const struct fk_layout *L, int mode,
			       const char *out)
{
	const struct fk_layout_image *img = fk_layout_find_image(L, a->image);
	enum fk_format f = fk_format_by_path(out);

	if (img && img->strategy == FK_STRATEGY_XIP) {
		fk_layout_diag(stderr, &img->pos_strategy, "error",
			       "image '%s' runs in place (strategy xip): an "
			       "encrypted image cannot run from the slot it "
			       "is received in; sign it without -E",
			       img->name);
		return 1;
	}
	if (a->clear || mode || f == FK_FMT_BIN || f == FK_FMT_UNKNOWN)
		return 0;
	fk_error("%s: an encrypted image placed at the primary slot cannot "
		 "boot: the bootloader decrypts while it installs from the "
		 "staging slot. Use --pending (the image placed in the "
		 "staging window), -c (payload left clear, for programming "
		 "the primary slot) or a .bin output for an update",
		 out);
	return 1;
}

/* Writes the --pending output: the whole window as a binary, or the
 * image and the trailer's units at their addresses. */
static int save_pending(const char *path, const struct fk_pending_window *w,
			bool confirmed, const struct fk_sign_result *res)
{
	enum fk_format f = fk_format_by_path(path);
	struct fk_diag err = { 0 };
	struct fk_write_opts wo;
	struct fk_segs segs;
	int rc;

	if (f == FK_FMT_UNKNOWN || f == FK_FMT_BIN) {
		rc = fk_file_write(path, res->data, res->len, 0, &err);
		if (rc)
			fk_cli_report(&err);
		return rc;
	}
	if (f == FK_FMT_ELF) {
		fk_error("%s: use .bin, .hex, .s19/.s28/.s37, .uf2 or .dfu",
			 path);
		return -1;
	}
	fk_segs_init(&segs);
	rc = fk_pending_segs(w, confirmed, res, &segs);
	if (rc) {
		fk_error("%s: %s", path, fk_segs_strerror(rc));
		fk_segs_free(&segs);
		return -1;
	}
	fk_write_opts_init(&wo);
	rc = fk_save_segs(path, f, &segs, &wo, &err);
	if (rc)
		fk_cli_report(&err);
	fk_segs_free(&segs);
	return rc;
}

static void report_pending(const char *path, const struct fk_pending_window *w,
			   int mode, const struct fk_sign_result *res)
{
	printf("%s: image 0x%zx bytes, %s install, for staging slot '%s' "
	       "at 0x%08llx",
	       path, res->image_len,
	       mode == FK_BOOT_TEST ? "test" : "permanent", w->slot,
	       (unsigned long long)w->addr);
	if (w->offset)
		printf(" (slot + swap offset 0x%x)", w->offset);
	printf("; window 0x%x bytes, trailer at its end\n", w->size);
	if (fk_format_by_path(path) == FK_FMT_BIN ||
	    fk_format_by_path(path) == FK_FMT_UNKNOWN)
		printf("program it at 0x%08llx, e.g. dfu-util -a 0 -s "
		       "0x%08llx -D %s\n",
		       (unsigned long long)w->addr, (unsigned long long)w->addr,
		       path);
}

/*
 * The input, checked before it is wrapped (image/sign_input.h): not an
 * image already (--resign: its payload, signed again with a new header),
 * and with --layout linked for the image's slot. The output of an image
 * that is not --pending goes to the slot its code was linked for (XIP:
 * slot A or B), which -x, when given, must agree with. Returns 0 or -1
 * (reported).
 */
static int check_input(const struct sign_args *a, struct fk_sign_opts *o,
		       const struct fk_layout *L, const char *name,
		       struct fk_input *in, int mode, uint64_t *hex_at)
{
	const struct fk_layout_partition *slot;
	struct fk_sign_place place;

	if (fk_sign_check_not_image(in, name, a->resign, fk_cli_diag()))
		return -1;
	if (a->resign)
		o->pad_header = true;
	/* a module (apply_layout_module) is placed by its own link */
	if (!a->layout || !fk_layout_find_image(L, a->image))
		return 0;
	if (fk_sign_check_place(L, fk_layout_find_image(L, a->image), in,
				o->pad_header, &place, fk_cli_diag()))
		return -1;
	if (mode || !place.from_file)
		return 0;
	slot = &L->partitions[place.slot];
	if (a->hex_addr && *hex_at != slot->address) {
		fk_error("-x %s puts the image at 0x%llx, but its code was "
			 "linked for slot '%s' at 0x%08x; drop -x",
			 a->hex_addr, (unsigned long long)*hex_at, slot->name,
			 (unsigned)slot->address);
		return -1;
	}
	*hex_at = slot->address;
	return 0;
}

static int image_sign(int argc, char **argv)
{
	struct sign_args a;
	memset(&a, 0, sizeof(a));
	const struct fk_option options[] = {
		{ 'k', "key", "FILE",
		  "signing key (PEM); none: unsigned, SHA256 only",
		  .value = &a.key },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &a.password_file },
		{ 'v', "version", "VER",
		  "image version major.minor.revision+build",
		  .value = &a.version },
		{ 'H', "header-size", "N", "header size in bytes (default 32)",
		  .value = &a.hdr_size },
		{ 0, "pad-header", NULL,
		  "prepend the header instead of overwriting zeros",
		  .flag = &a.pad_header },
		{ 0, "resign", NULL,
		  "INFILE is an image: sign its payload again",
		  .flag = &a.resign },
		{ 'S', "slot-size", "N",
		  "slot size; the image must fit with its trailer",
		  .value = &a.slot_size },
		{ 0, "align", "N",
		  "flash write size: 1, 2, 4, 8, 16 or 32 (default 1)",
		  .value = &a.align },
		{ 0, "max-align", "N",
		  "trailer alignment (default max(8, align))",
		  .value = &a.max_align },
		{ 'M', "max-sectors", "N",
		  "sectors in the swap status (default 128)",
		  .value = &a.max_sectors },
		{ 0, "overwrite-only", NULL,
		  "the bootloader only overwrites (smaller trailer)",
		  .flag = &a.overwrite_only },
		{ 0, "pad", NULL,
		  "fill to the slot size and write the trailer magic",
		  .flag = &a.pad },
		{ 0, "confirm", NULL,
		  "like --pad, and mark the image confirmed (image_ok)",
		  .flag = &a.confirm },
		{ 0, "test", NULL, "like --pad: the image will be tested once",
		  .flag = &a.test },
		{ 's', "security-counter", "N|auto",
		  "security counter (protected SEC_CNT TLV)",
		  .value = &a.sec_cnt },
		{ 'd', "dependencies", "DEPS",
		  "\"(IMAGE_ID,VERSION), ...\" (DEPENDENCY TLVs)",
		  .value = &a.deps },
		{ 'x', "hex-addr", "ADDR",
		  "address of the image in a .hex output",
		  .value = &a.hex_addr },
		{ 'L', "load-addr", "ADDR", "RAM load address (sets RAM_LOAD)",
		  .value = &a.load_addr },
		{ 'R', "erased-val", "0|0xff",
		  "value of erased flash (default 0xff)",
		  .value = &a.erased_val },
		{ 0, "rom-fixed", "ADDR",
		  "address the image is built for (sets ROM_FIXED)",
		  .value = &a.rom_fixed },
		{ 0, "non-bootable", NULL, "mark the image non-bootable",
		  .flag = &a.non_bootable },
		{ 0, "custom-tlv", "TAG VALUE",
		  "protected TLV; VALUE 0x<hex> or text (repeatable)",
		  .nargs = 2, .list = &a.custom },
		{ 0, "public-key-format", "hash|full",
		  "KEYHASH (default) or the full PUBKEY",
		  .value = &a.pubkey_format },
		{ 'E', "encrypt", "FILE",
		  "encrypt for this public key (RSA-2048, EC P-256 or "
		  "X25519 PEM), as imgtool -E",
		  .value = &a.encrypt },
		{ 0, "encrypt-keylen", "128|256",
		  "AES key length with -E (default 128)",
		  .value = &a.encrypt_keylen },
		{ 'c', "clear", NULL,
		  "with -E: flag and wrap a key, but leave the payload clear",
		  .flag = &a.clear },
		{ 0, "hmac-sha", "auto|256|512",
		  "ECIES HMAC and HKDF hash (512: X25519 only)",
		  .value = &a.hmac_sha },
		{ 0, "save-enctlv", NULL,
		  "the trailer keeps the key TLVs (MCUboot's "
		  "BOOT_SWAP_SAVE_ENCTLV)",
		  .flag = &a.save_enctlv },
		{ 0, "image-id", "N", "flashkit image/module id (TLV 0xe0)",
		  .value = &a.image_id },
		{ 0, "hw-id", "N",
		  "flashkit hardware-compatibility id (TLV 0xe1)",
		  .value = &a.hw_id },
		{ 0, "layout", "FILE",
		  "take -H, -S, --align, -R and the boot state room from a "
		  "layout",
		  .value = &a.layout },
		{ 0, "image", "NAME",
		  "the layout's image to sign for (with --layout)",
		  .value = &a.image },
		{ 0, "pending", "test|permanent",
		  "with --layout: pad to the staging window and mark it "
		  "(MCUboot trailer) so the bootloader installs it, whoever "
		  "writes it",
		  .value = &a.pending },
		{ 0, "compress", NULL,
		  "write it compressed: a signed image that rebuilds it "
		  "(docs/delta.md)",
		  .flag = &a.compress },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image sign [options] INFILE OUTFILE",
		.summary =
			"Makes a signed MCUboot-format image from a .bin, "
			"Intel .hex, S-record or ELF file, with imgtool's "
			"options. OUTFILE is Intel HEX (.hex) or S-record "
			"(.s19/.s28/.s37) by its name, binary otherwise. An "
			"image that does not fit its slot (-S) with its "
			"trailer is refused. With --layout L --image NAME the "
			"header size, slot size, alignment and erased value "
			"come from the layout, and an image larger than the "
			"bootloader installs (header + `layout show`'s max "
			"payload) is refused. With --layout, --pending "
			"test|permanent (or imgtool's --test / --confirm) "
			"writes the image for its staging window with "
			"MCUboot's trailer at the window's end: written there "
			"by any programmer (dfu-util, OpenOCD, a debugger), it "
			"installs at the next boot with no application code.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	uint8_t *custom_store[FK_OPT_LIST_MAX] = { 0 };
	uint8_t id_store[3][4];
	char slot_desc[512], hex_addr[24];
	const char *hex = NULL;
	uint64_t hex_base = 0, hex_at = FK_NO_HEX_ADDR;
	struct fk_diag err = { 0 };
	struct fk_layout layout = { 0 };
	struct fk_sign_opts o;
	struct fk_sign_result res;
	struct fk_pending_window pw;
	struct fk_input in;
	struct fk_key key;
	struct fk_enc_key enc;
	bool have_key = false, have_enc = false;
	int mode = 0, npos, rc = fk_opt_parse(&help, argc, argv, &npos);
	int exit_code = FK_EXIT_USAGE;

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 2) {
		fk_error("image sign needs INFILE and OUTFILE");
		return FK_EXIT_USAGE;
	}
	if (fill_sign_opts(&a, &o, custom_store, id_store))
		goto out;
	hex = a.hex_addr;
	mode = pending_mode(&a);
	if (mode < 0)
		goto out;
	if (a.layout) {
		if (!a.image) {
			fk_error("--layout needs --image NAME (which image of "
				 "the layout)");
			goto out;
		}
		/* a layout with errors is the input's fault, not the
		 * command line's */
		if (fk_layout_load(a.layout, &layout, fk_cli_layout_opts())) {
			exit_code = FK_EXIT_FAIL;
			goto out;
		}
		if (apply_layout(&a, &o, &layout, slot_desc, sizeof(slot_desc),
				 &hex_base, id_store[2]))
			goto out;
		if (mode &&
		    apply_pending(&a, mode, &o, &layout,
				  fk_layout_find_image(&layout, a.image), &pw,
				  &hex_base))
			goto out;
		if (mode && hex &&
		    agrees("-x", hex, pw.addr,
			   &fk_layout_find_image(&layout, a.image)->pos,
			   "staging window address"))
			goto out;
		if (!hex) {
			snprintf(hex_addr, sizeof(hex_addr), "0x%llx",
				 (unsigned long long)hex_base);
			hex = hex_addr;
		}
	} else if (a.image || a.pending) {
		fk_error("--%s needs --layout", a.image ? "image" : "pending");
		goto out;
	}
	if (hex && (fk_parse_u64(hex, &hex_at) || hex_at > 0xffffffffu)) {
		fk_error("-x: '%s' is not a 32-bit address", hex);
		goto out;
	}
	if (a.key) {
		if (fk_cli_key_load(&key, a.key, a.password_file)) {
			exit_code = fk_cli_report(&key.diag);
			goto out;
		}
		have_key = true;
		o.key = &key;
	}
	if (a.encrypt && a.layout &&
	    encrypted_misplaced(&a, &layout, mode, argv[1]))
		goto out;
	if (a.encrypt) {
		if (fk_enc_key_load(&enc, a.encrypt, NULL)) {
			fk_cli_report(&enc.diag);
			goto out;
		}
		have_enc = true;
		o.enc = &enc;
	}
	if (fk_input_load(argv[0], &in, &err)) {
		exit_code = fk_cli_report(&err);
		goto out;
	}
	if (check_input(&a, &o, &layout, argv[0], &in, mode, &hex_at)) {
		fk_input_free(&in);
		exit_code = FK_EXIT_FAIL;
		goto out;
	}
	rc = fk_sign_image(&o, in.data, in.len, &res);
	if (rc)
		fk_cli_report(&res.diag);
	if (!rc && a.compress) {
		rc = fk_image_save_compressed(argv[1], &res, o.key);
		free(res.data);
	} else if (!rc && mode && a.layout) {
		rc = save_pending(argv[1], &pw, o.confirm, &res);
		if (!rc)
			report_pending(argv[1], &pw, mode, &res);
		free(res.data);
	} else if (!rc) {
		rc = fk_output_save(argv[1], &o, &res, &in, hex_at, &err);
		if (rc)
			fk_cli_report(&err);
		free(res.data);
	}
	fk_input_free(&in);
	if (!rc)
		exit_code = FK_EXIT_OK;
out:
	fk_layout_free(&layout);
	if (have_key)
		fk_key_free(&key);
	if (have_enc)
		fk_enc_key_free(&enc);
	for (int i = 0; i < FK_OPT_LIST_MAX; i++)
		free(custom_store[i]);
	return exit_code;
}

/* Decrypts the image in `in` in place with the private encryption key at
 * path; 0, or -1 having said why. */
static int decrypt_input(const char *path, const char *password_file,
			 struct fk_input *in)
{
	struct fk_enc_key ek;
	struct fk_diag err = { 0 };
	int rc;

	if (fk_cli_enc_key_load(&ek, path, password_file)) {
		fk_cli_report(&ek.diag);
		return -1;
	}
	rc = fk_enc_image_decrypt(&ek, in->data, in->len, &err);
	fk_enc_key_free(&ek);
	if (rc)
		fk_cli_report(&err);
	return rc;
}

static int image_verify(int argc, char **argv)
{
	struct fk_opt_list keys = { 0 };
	const char *enc_key = NULL, *password_file = NULL;
	const struct fk_option options[] = {
		{ 'k', "key", "FILE",
		  "a key the image may be signed with (repeatable)",
		  .list = &keys },
		{ 0, "enc-key", "FILE",
		  "private encryption key: decrypt an encrypted image and "
		  "check its plaintext",
		  .value = &enc_key },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &password_file },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image verify [-k KEY]... [--enc-key KEY] "
			 "FILE",
		.summary = "Checks an image (.bin or .hex): its structure, its "
			   "digest, and with -k its signature by one of the "
			   "keys. An encrypted image is checked after "
			   "decryption with --enc-key (its digest and "
			   "signature are over the plaintext). Exit 0 when "
			   "valid, 1 when not, saying what failed.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_key key[MAX_KEYS];
	int nkeys = 0, npos, rc = fk_opt_parse(&help, argc, argv, &npos);
	struct fk_diag err = { 0 };
	struct fk_input in;

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1) {
		fk_error("image verify needs exactly one FILE");
		return FK_EXIT_USAGE;
	}
	if (keys.count > MAX_KEYS) {
		fk_error("at most %d keys", MAX_KEYS);
		return FK_EXIT_USAGE;
	}
	for (; nkeys < keys.count; nkeys++) {
		if (fk_cli_key_load(&key[nkeys], keys.values[nkeys], NULL)) {
			rc = fk_cli_report(&key[nkeys].diag);
			goto out;
		}
	}
	if (fk_input_load_image(argv[0], &in, &err)) {
		rc = fk_cli_report(&err);
		goto out;
	}
	if (enc_key && decrypt_input(enc_key, password_file, &in)) {
		fk_input_free(&in);
		rc = FK_EXIT_FAIL;
		goto out;
	}
	rc = fk_report_verify(argv[0], &in, key, (uint32_t)nkeys, enc_key);
	fk_input_free(&in);
out:
	while (nkeys--)
		fk_key_free(&key[nkeys]);
	return rc;
}

static int image_info(int argc, char **argv)
{
	int json = 0;
	const struct fk_option options[] = {
		{ 0, "json", NULL, "print JSON instead of text",
		  .flag = &json },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image info FILE [--json]",
		.summary = "Prints every header field, every TLV decoded, the "
			   "digest (recomputed and compared) and the trailer "
			   "state of an image (.bin or .hex).",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);
	struct fk_diag err = { 0 };
	struct fk_input in;

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1) {
		fk_error("image info needs exactly one FILE");
		return FK_EXIT_USAGE;
	}
	if (fk_input_load_image(argv[0], &in, &err)) {
		return fk_cli_report(&err);
	}
	rc = fk_report_info(argv[0], &in, json);
	fk_input_free(&in);
	return rc;
}

static const struct fk_subcommand subs[] = {
	{ "sign", image_sign, "make a signed image (imgtool-compatible)" },
	{ "verify", image_verify, "check an image's digest and signature" },
	{ "info", image_info, "print an image's header, TLVs and trailer" },
	{ "delta", fk_image_delta,
	  "make a patch that rebuilds an image from the old one" },
	{ "compress", fk_image_compress, "make a compressed image" },
	{ "apply", fk_image_apply,
	  "rebuild an image from a patch or compressed image" },
};

int cmd_image(int argc, char **argv)
{
	return fk_subcommand_run("image", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
