/*
 * flashkit sim: runs the real bootloader core on simulated flash shaped
 * like the user's layout and cuts power at every operation of an update.
 * Its options are the table in cmd_sim(); the usage line and --help are
 * printed from that table.
 *
 * The memories the image's slots, its boot state and the bootloader live
 * on become simulators (geometry and timings from the layout, bootloader
 * write-protected); two signed images are made per image (old, new;
 * with --image twice, both images are installed together), and the sweep
 * of sim/rig.c runs the scenarios of the strategy: a TEST install that
 * is confirmed and one that is reverted (SWAP, XIP), or a PERMANENT
 * install (OVERWRITE), each with a cut before, after and in the middle of
 * every operation, and a second cut in the recovery after each first cut:
 * by default a seeded sample of those double cuts within a time budget,
 * with --exhaustive every one. It prints the verdict, the number of cases,
 * the coverage of the double cuts and what an install costs; on a
 * terminal, a progress line on stderr while it runs.
 *
 * With --patch the new image is delivered as a patch against the old one
 * (flashkit image delta; made-up images become a changed version of the
 * old one, as a firmware update is): its application through the update
 * API is swept first with a cut at every flash operation
 * (host/delta/delta_rig.h), then the install sweeps run as usual.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "delta/delta_image.h"
#include "delta/delta_rig.h"
#include "flashkit/delta.h"
#include "formats/bytes.h"
#include "image/imgfile.h"
#include "image/history_sign.h"
#include "image/rig_image.h"
#include "image/sign.h"
#include "rig.h"
#include "cli.h"
#include "cli_key.h"
#include "fk_crypto_mbedtls.h"
#include "layout/boot_config.h"
#include "layout/layout.h"

struct sim_opts {
	const char *layout, *strategy, *key, *enc, *size, *buffer;
	const char *budget, *seed, *samples, *history, *core;
	struct fk_opt_list images, firmware;
	int json, single, exhaustive, patch;
	uint32_t size_bytes;   /* --size, parsed (0: not given) */
	uint32_t buffer_bytes; /* --buffer, parsed (0: not given) */
};

/* How the double cuts are covered, from the options. */
struct coverage {
	bool doubles;	 /* any double cuts */
	bool exhaustive; /* every one */
	double budget_s; /* the whole run's time budget (sampling) */
	uint64_t seed;
	uint64_t samples; /* per scenario, 0: as many as the budget allows */
};

#define DEFAULT_BUDGET_S 30
#define DEFAULT_SEED 1

struct sim_job {
	struct fk_layout L;
	uint32_t count; /* images installed together */
	const struct fk_layout_image *img[FK_BOOT_MAX_IMAGES];
	const struct fk_layout_partition *primary[FK_BOOT_MAX_IMAGES];
	const struct fk_layout_partition *secondary[FK_BOOT_MAX_IMAGES];
	const struct fk_layout_partition *state_part;
	uint32_t layout_mem[FK_RIG_MAX_MEMORIES]; /* rig memory -> layout */
	struct fk_rig rig;
	struct fk_key key;
	bool has_key;
	struct fk_image_key image_key;
	struct fk_image_keys keys;
	/* -E: images encrypted for it, the bootloader decrypting with it */
	struct fk_enc_key enc;
	bool has_enc;
	uint8_t enc_device[FK_ENC_DEVICE_KEY_MAX];
	uint32_t old_payload, new_payload;
	/* where each old and new image came from, for the report */
	const char *old_from[FK_BOOT_MAX_IMAGES];
	const char *new_from[FK_BOOT_MAX_IMAGES];
	/* --patch: the patch image's size and its application's sweep */
	size_t patch_len;
	struct fk_delta_sweep_result patch;
};

/* --core lite: the rig boots with fk_boot_lite(). The reports say the
 * core from the entry the rig calls, so they cannot claim one that did
 * not run. */
static bool lite_core(const struct sim_job *job)
{
	return job->rig.boot == fk_boot_lite;
}

static const char *core_name(const struct sim_job *job)
{
	return lite_core(job) ? "lite (fk_boot_lite)" : "full (fk_boot)";
}

static const char *strategy_name(enum fk_boot_strategy s)
{
	return s == FK_BOOT_OVERWRITE ? "overwrite" :
	       s == FK_BOOT_SWAP      ? "swap" :
	       s == FK_BOOT_XIP	      ? "xip" :
					"ram-load";
}

/* The first memory the simulation uses whose datasheet timings the
 * layout does not give, or NULL when the duration estimate is complete.
 * Without timings the estimate would read 0 s, which is a lie: the report
 * says "unknown" (JSON null) instead. */
static const struct fk_layout_memory *
memory_without_timing(const struct sim_job *job)
{
	for (uint32_t i = 0; i < job->rig.mem_count; i++) {
		const struct fk_layout_memory *m =
			&job->L.memories[job->layout_mem[i]];
		const struct fk_layout_timing *t = &m->timing;

		if ((t->erase_us_per_kib == 0 && t->erase_us == 0) ||
		    t->program_us == 0)
			return m;
	}
	return NULL;
}

/* Seconds for the JSON report: a number, or null when unknown. */
static const char *json_seconds(const struct sim_job *job, uint64_t est_us,
				char *buf, size_t len)
{
	if (memory_without_timing(job))
		return "null";
	snprintf(buf, len, "%.3f", est_us / 1e6);
	return buf;
}

static int parse_strategy(const char *text, enum fk_boot_strategy *out)
{
	if (!strcmp(text, "overwrite"))
		*out = FK_BOOT_OVERWRITE;
	else if (!strcmp(text, "swap"))
		*out = FK_BOOT_SWAP;
	else if (!strcmp(text, "xip"))
		*out = FK_BOOT_XIP;
	else if (!strcmp(text, "ram-load"))
		*out = FK_BOOT_RAM_LOAD;
	else {
		fk_error("--strategy %s: use overwrite, swap, xip or ram-load",
			 text);
		return -1;
	}
	return 0;
}

/* The rig memory simulating layout memory m, added on first use. */
static int rig_memory(struct sim_job *job, uint32_t m, char *msg, size_t len)
{
	struct fk_sim_config sc;

	for (uint32_t i = 0; i < job->rig.mem_count; i++) {
		if (job->layout_mem[i] == m)
			return (int)i;
	}
	if (job->rig.mem_count == FK_RIG_MAX_MEMORIES) {
		snprintf(msg, len,
			 "image %s uses more than %d memories; the "
			 "simulation handles %d",
			 job->img[0]->name, FK_RIG_MAX_MEMORIES,
			 FK_RIG_MAX_MEMORIES);
		return -1;
	}
	if (fk_layout_sim_config(&job->L.memories[m], &sc) != 0 ||
	    fk_rig_add_memory(&job->rig, &sc) != 0) {
		snprintf(msg, len, "memory %s cannot be simulated",
			 job->L.memories[m].name);
		return -1;
	}
	job->layout_mem[job->rig.mem_count - 1] = m;
	return (int)job->rig.mem_count - 1;
}

/* The layout's boot configuration is built on simulated memories. */
static const struct fk_flash *sim_flash(void *ctx, uint32_t mem, char *msg,
					size_t len)
{
	struct sim_job *job = ctx;
	int m = rig_memory(job, mem, msg, len);

	return m < 0 ? NULL : &job->rig.mem[m].flash;
}

/* Write-protects every bootloader partition on the simulated memories. */
static void protect_bootloaders(struct sim_job *job)
{
	for (uint32_t i = 0; i < job->L.partition_count; i++) {
		const struct fk_layout_partition *p = &job->L.partitions[i];

		if (p->role != FK_ROLE_BOOTLOADER)
			continue;
		for (uint32_t m = 0; m < job->rig.mem_count; m++) {
			if (job->layout_mem[m] != p->memory)
				continue;
			fk_sim_protect(job->rig.mem[m].sim, p->offset, p->size);
		}
	}
}

static uint32_t largest_sector(const struct fk_rig *rig)
{
	uint32_t n = 0;

	for (uint32_t m = 0; m < rig->mem_count; m++) {
		const struct fk_flash_geometry *g = &rig->mem[m].flash.geo;

		for (uint32_t r = 0; r < g->run_count; r++)
			n = g->runs[r].size > n ? g->runs[r].size : n;
	}
	return n;
}

static int parse_size(const char *name, const char *text, uint32_t *out)
{
	uint64_t v;

	if (fk_parse_u64(text, &v) || v == 0 || v > 0x40000000) {
		fk_error("%s %s: expected a size such as 4096 or 96K", name,
			 text);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --size, --buffer and --strategy, before any file is read: a bad value
 * is the command line's fault (exit 2). 0 or -1 (said). */
static int parse_values(struct sim_opts *o)
{
	enum fk_boot_strategy strategy;

	if (o->size && parse_size("--size", o->size, &o->size_bytes))
		return -1;
	if (o->buffer && parse_size("--buffer", o->buffer, &o->buffer_bytes))
		return -1;
	if (o->strategy && parse_strategy(o->strategy, &strategy))
		return -1;
	if (o->firmware.count && o->size) {
		fk_error("--size makes up images: it does not go with "
			 "--firmware");
		return -1;
	}
	return 0;
}

/* -E: the encryption key's private half, the device key of the simulated
 * bootloader (docs/boot.md, "Encrypted images"). */
static int load_enc_key(struct sim_job *job, const char *path)
{
	size_t len = 0;

	if (fk_cli_enc_key_load(&job->enc, path, NULL) != 0) {
		fk_cli_report(&job->enc.diag);
		return -1;
	}
	job->has_enc = true;
	if (fk_enc_device_key(&job->enc, job->enc_device,
			      sizeof(job->enc_device), &len) != 0) {
		fk_error("-E %s: a public key; the simulated bootloader "
			 "decrypts with the private one",
			 path);
		return -1;
	}
	job->keys.enc_key = job->enc_device;
	job->keys.enc_key_len = (uint32_t)len;
	return 0;
}

static int make_config(struct sim_job *job, const struct sim_opts *o)
{
	struct fk_boot_config *cfg = &job->rig.cfg;
	enum fk_boot_strategy strategy = cfg->strategy; /* --strategy */
	struct fk_layout_flashes fl = { sim_flash, job };
	uint32_t buf_len;

	if (fk_layout_boot_config(&job->L, job->img, job->count, &fl, cfg,
				  fk_cli_diag()))
		return -1;
	cfg->strategy = strategy;
	cfg->check_security_counter = true;
	if (job->img[0]->boot_state >= 0)
		job->state_part = &job->L.partitions[job->img[0]->boot_state];
	protect_bootloaders(job);
	buf_len = o->buffer ? o->buffer_bytes : largest_sector(&job->rig);
	cfg->buf_len = buf_len;
	job->keys.crypto = &fk_crypto_mbedtls;
	if (o->key) {
		if (fk_key_load(&job->key, o->key) != 0) {
			fk_cli_report(&job->key.diag);
			return -1;
		}
		job->has_key = true;
		fk_key_image_key(&job->key, &job->image_key);
		job->keys.keys = &job->image_key;
		job->keys.count = 1;
	}
	if (o->enc && load_enc_key(job, o->enc))
		return -1;
	cfg->keys = &job->keys;
	job->rig.buf = malloc(buf_len);
	cfg->buf = job->rig.buf;
	fk_rig_hooks(&job->rig);
	/* ram-load: each image's `load` RAM, simulated by a buffer */
	for (uint32_t i = 0; strategy == FK_BOOT_RAM_LOAD && i < job->count;
	     i++) {
		if (!cfg->images[i].ram.size)
			continue; /* no `load`: check_config says so */
		job->rig.ram[i] = malloc(cfg->images[i].ram.size);
		cfg->images[i].ram.mem = job->rig.ram[i];
		if (!cfg->images[i].ram.mem)
			return -1;
	}
	return cfg->buf ? 0 : -1;
}

/* Explains a configuration the boot core refuses, in layout terms. */
static int check_config(struct sim_job *job)
{
	const struct fk_boot_config *cfg = &job->rig.cfg;
	struct fk_boot_config_why why;
	int rc = fk_boot_config_why(cfg, &why);

	if (rc == FK_OK)
		return 0;
	if (why.problem == FK_BOOT_CONFIG_NO_ROOM)
		fk_layout_diag(stderr, &job->secondary[why.image]->pos, "error",
			       "slot %s has no room for a swap: it must hold "
			       "the new image above the save room of the old "
			       "one (see docs/boot.md, \"Sizing\"); make it at "
			       "least one sector larger than %s",
			       job->secondary[why.image]->name,
			       job->primary[why.image]->name);
	else if (why.problem == FK_BOOT_CONFIG_RAM_MISSING)
		fk_layout_diag(stderr, &job->img[why.image]->pos, "error",
			       "image %s: strategy ram-load needs 'load', the "
			       "RAM partition or memory the image is copied "
			       "into and runs from (docs/layout.md)",
			       job->img[why.image]->name);
	else if (why.problem == FK_BOOT_CONFIG_BUFFER_UNIT)
		fk_error("--buffer %u must be a multiple of the %u-byte write "
			 "unit of the %s",
			 cfg->buf_len, why.need, fk_boot_area_name(why.area));
	else if (why.problem == FK_BOOT_CONFIG_BUFFER_SMALL)
		fk_error("--buffer %u: the bootloader's copy buffer must be at "
			 "least %u bytes (a multiple of every write unit)",
			 cfg->buf_len, why.need);
	else
		fk_error("%s: image %s: the boot configuration is refused: %s "
			 "(%s)",
			 job->L.path, job->img[0]->name,
			 fk_boot_config_problem_text(why.problem),
			 fk_strerror(rc));
	return -1;
}

/*
 * --core lite: what fk_boot_lite() does not take (include/flashkit/boot.h,
 * the layout check of fk_boot_board_program()'s CORE lite), said in
 * layout terms before anything is simulated: a second image, ram-load,
 * library modules, encryption. An encrypted --firmware image is refused
 * when it is read (plain_copy). 0 or -1 (said).
 */
static int check_lite(const struct sim_job *job, const struct sim_opts *o)
{
	const struct fk_layout *L = &job->L;
	/* what to do instead, the end of every refusal below */
	const char *use_full = "simulate and build the full core (--core full, "
			       "CORE full)";

	if (!lite_core(job))
		return 0;
	if (L->image_count > 1) {
		fk_layout_diag(stderr, &L->images[1].pos, "error",
			       "--core lite: the layout has %u images; the "
			       "lite core boots one: %s, or give the layout "
			       "one image",
			       L->image_count, use_full);
		return -1;
	}
	if (job->rig.cfg.strategy == FK_BOOT_RAM_LOAD && o->strategy) {
		fk_error("--core lite with --strategy ram-load: the lite core "
			 "installs by overwrite, swap or xip: %s",
			 use_full);
		return -1;
	}
	if (job->rig.cfg.strategy == FK_BOOT_RAM_LOAD) {
		fk_layout_diag(stderr, &job->img[0]->pos_strategy, "error",
			       "--core lite: image %s: strategy ram-load; the "
			       "lite core installs by overwrite, swap or xip: "
			       "%s, or choose one of those",
			       job->img[0]->name, use_full);
		return -1;
	}
	if (L->module_count) {
		fk_layout_diag(stderr, &L->modules[0].pos, "error",
			       "--core lite: the layout has library modules; "
			       "the lite core loads none: %s",
			       use_full);
		return -1;
	}
	if (o->enc) {
		fk_error("--core lite with -E %s: the lite core decrypts "
			 "nothing (an encrypted image is FK_ENOTSUP): %s, or "
			 "simulate unencrypted images",
			 o->enc, use_full);
		return -1;
	}
	return 0;
}

/* True when the build starts with hdr zero bytes: room left for the
 * header, as imgtool expects without --pad-header. */
static bool header_room(const struct fk_input *in, uint32_t hdr)
{
	if (in->len < hdr)
		return false;
	for (uint32_t k = 0; k < hdr; k++) {
		if (in->data[k])
			return false;
	}
	return true;
}

/* *plain: image (len bytes) decrypted when it is encrypted, else NULL.
 * An encrypted image needs -E. 0 or -1 (said). */
static int plain_copy(struct sim_job *job, const char *path,
		      const uint8_t *image, size_t len, uint8_t **plain)
{
	struct fk_diag err = { 0 };
	uint32_t flags = len >= 20 ? fk_le32(image + 16) : 0;

	*plain = NULL;
	if (!(flags &
	      (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256)))
		return 0;
	if (lite_core(job)) {
		fk_error("--firmware %s: an encrypted image; --core lite "
			 "decrypts nothing (FK_ENOTSUP): give the image "
			 "unencrypted, or simulate the full core (--core full)",
			 path);
		return -1;
	}
	if (!job->has_enc) {
		fk_error("--firmware %s: an encrypted image; give -E with the "
			 "private encryption key the bootloader decrypts with",
			 path);
		return -1;
	}
	*plain = malloc(len);
	if (!*plain) {
		fk_error("out of memory");
		return -1;
	}
	memcpy(*plain, image, len);
	if (fk_enc_image_decrypt(&job->enc, *plain, len, &err) != 0) {
		fk_error("--firmware %s: %s", path, err.last_text);
		free(*plain);
		*plain = NULL;
		return -1;
	}
	return 0;
}

/* An image from the user's build: a signed image (MCUboot magic) as it
 * is, otherwise firmware (ELF, Intel HEX or bin, read by the formats'
 * readers) signed here as `flashkit image sign` would, with the header
 * prepended unless the build left it zeroed. Refuses one that does not
 * fit what the bootloader installs from the slot. With -E the image is
 * encrypted (a signed one must be already) and *plain gets its
 * plaintext form. */
static int firmware_image(struct sim_job *job, uint32_t i, const char *path,
			  uint8_t major, uint8_t **out, uint8_t **plain,
			  size_t *len)
{
	const struct fk_layout_image *img = job->img[i];
	uint32_t max = fk_boot_max_image_size(&job->rig.cfg, i);
	uint32_t hdr = img->header_size ? img->header_size : 32;
	struct fk_diag err = { 0 };
	struct fk_input in;
	struct fk_sign_opts so;
	struct fk_sign_result r;
	int rc = 0;

	if (fk_input_load(path, &in, &err) != 0) {
		fk_cli_report(&err);
		return -1;
	}
	if (in.len >= 4 && fk_le32(in.data) == FK_IMAGE_MAGIC) {
		if (in.len > max) {
			fk_error(
				"--firmware %s: the signed image is %zu bytes; "
				"slot %s takes at most %u with strategy %s",
				path, in.len, job->primary[i]->name, max,
				strategy_name(job->rig.cfg.strategy));
			rc = -1;
		}
		*out = in.data;
		*len = in.len;
		in.data = NULL;
		fk_input_free(&in);
		return rc ? rc : plain_copy(job, path, *out, *len, plain);
	}
	fk_sign_opts_init(&so);
	so.version.major = major;
	so.hdr_size = hdr;
	so.pad_header = !header_room(&in, hdr);
	so.align = job->rig.cfg.images[i].primary.flash->geo.write_unit;
	so.key = job->has_key ? &job->key : NULL;
	so.max_image = max;
	so.max_image_hdr = hdr;
	so.load_addr = job->rig.cfg.images[i].ram.addr; /* ram-load, else 0 */
	so.enc = job->has_enc ? &job->enc : NULL;
	rc = fk_sign_image(&so, in.data, in.len, &r);
	if (rc != 0)
		fk_error("--firmware %s: cannot be used as image %s (%s "
			 "firmware, %zu bytes, slot %s): %s",
			 path, img->name, in.format, in.len,
			 job->primary[i]->name, r.diag.last_text);
	fk_input_free(&in);
	if (rc != 0)
		return -1;
	*out = r.data;
	*len = r.image_len;
	return plain_copy(job, path, *out, *len, plain);
}

/* The user's builds for image i: with one file per --image, the new
 * image (the old one is made up); with two per --image, old then new. */
static int firmware_images(struct sim_job *job, const struct sim_opts *o,
			   uint32_t i)
{
	struct fk_rig *rig = &job->rig;
	int per = o->firmware.count / (int)job->count;
	const char *const *f = &o->firmware.values[per * i];

	if (per == 2) {
		free(rig->old_img[i]);
		rig->old_img[i] = NULL;
		if (firmware_image(job, i, f[0], 1, &rig->old_img[i],
				   &rig->old_plain[i], &rig->old_len[i]))
			return -1;
		job->old_from[i] = f[0];
	}
	if (firmware_image(job, i, f[per - 1], 2, &rig->new_img[i],
			   &rig->new_plain[i], &rig->new_len[i]))
		return -1;
	job->new_from[i] = f[per - 1];
	return 0;
}

/* --patch without --firmware: the new image (2.0.0) is the old one
 * changed as an update changes firmware (code inserted, addresses moved,
 * a part appended; fk_delta_changed_image), grown by more bytes; a patch
 * between two unrelated pseudo-random images would be as large as the
 * image and tell nothing about patches. */
static int changed_image(struct sim_job *job, uint32_t i, uint32_t more)
{
	struct fk_rig *rig = &job->rig;
	uint32_t ins = more < 300 ? more : 300;
	struct fk_diag err = { 0 };
	struct fk_sign_opts so;

	fk_sign_opts_init(&so);
	so.version.major = 2;
	so.pad_header = true;
	so.align = rig->cfg.images[i].primary.flash->geo.write_unit;
	so.key = job->has_key ? &job->key : NULL;
	if (fk_delta_changed_image(rig->old_img[i], rig->old_len[i], ins,
				   more - ins, &so, &rig->new_img[i],
				   &rig->new_len[i], &err)) {
		fk_error("--patch: the new image cannot be made: %s",
			 err.last_text);
		return -1;
	}
	job->new_from[i] = "2.0.0, 1.0.0 changed";
	return 0;
}

/* Signs image i's old (version 1.0.0) and new (2.0.0) images. */
static int make_images(struct sim_job *job, const struct sim_opts *o,
		       uint32_t i)
{
	struct fk_rig *rig = &job->rig;
	const struct fk_layout_image *img = job->img[i];
	uint32_t max = fk_boot_max_image_size(&rig->cfg, i);
	uint32_t room = max > img->header_size + 1024 ?
				max - img->header_size - 1024 :
				0;
	uint32_t payload = room;
	struct fk_rig_image_spec spec = {
		.hdr_size = img->header_size ? img->header_size : 32,
		.align = rig->cfg.images[i].primary.flash->geo.write_unit,
		.key = job->has_key ? &job->key : NULL,
		.load_addr = rig->cfg.images[i].ram.addr, /* ram-load, else 0 */
		.enc = job->has_enc ? &job->enc : NULL,
	};

	if (o->size)
		payload = o->size_bytes;
	if (payload > room) {
		fk_error("--size %u: image %s holds at most %u bytes of "
			 "firmware with strategy %s",
			 payload, img->name, room,
			 strategy_name(rig->cfg.strategy));
		return -1;
	}
	job->old_from[i] = "1.0.0";
	job->new_from[i] = "2.0.0";
	spec.payload_len = payload / 4 * 3;
	spec.seed = 1 + 2 * i;
	spec.version.major = 1;
	if (fk_rig_make_image_plain(&spec, &rig->old_img[i], &rig->old_plain[i],
				    &rig->old_len[i]))
		return -1;
	if (o->firmware.count)
		return firmware_images(job, o, i);
	if (o->patch)
		return changed_image(job, i, payload - spec.payload_len);
	spec.payload_len = payload;
	spec.seed = 2 + 2 * i;
	spec.version.major = 2;
	return fk_rig_make_image_plain(&spec, &rig->new_img[i],
				       &rig->new_plain[i], &rig->new_len[i]);
}

static int find_image(struct sim_job *job, const char *name, uint32_t i)
{
	const struct fk_layout_image *img = fk_layout_find_image(&job->L, name);

	if (!img) {
		fk_error("%s: no image named '%s' (the layout's images: %s%s)",
			 job->L.path, name,
			 job->L.image_count ? job->L.images[0].name : "none",
			 job->L.image_count > 1 ? ", ..." : "");
		return -1;
	}
	if (img->strategy == FK_STRATEGY_NONE) {
		fk_layout_diag(stderr, &img->pos_strategy, "error",
			       "image %s has no bootloader (strategy none): "
			       "nothing installs, updates or reverts it, so "
			       "there is nothing to simulate; sim runs the "
			       "strategies a bootloader runs (overwrite, "
			       "swap, xip, ram-load)",
			       img->name);
		return -1;
	}
	if (!img->header_size) {
		fk_layout_diag(stderr, &img->pos_header, "error",
			       "image %s has header 0: a bootloader flashkit "
			       "does not build installs it, so sim cannot "
			       "run that bootloader's install",
			       img->name);
		return -1;
	}
	if (img->secondary < 0) {
		fk_layout_diag(stderr, &img->pos, "error",
			       "image %s has no secondary slot: nothing to "
			       "update into",
			       img->name);
		return -1;
	}
	if (i > 0 && img->strategy != job->img[0]->strategy) {
		fk_layout_diag(stderr, &img->pos_strategy, "error",
			       "image %s does not use the strategy of %s: "
			       "images installed together share one",
			       img->name, job->img[0]->name);
		return -1;
	}
	job->img[i] = img;
	job->primary[i] = &job->L.partitions[img->primary];
	job->secondary[i] = &job->L.partitions[img->secondary];
	return 0;
}

static int find_images(struct sim_job *job, const struct sim_opts *o)
{
	for (uint32_t i = 0; i < job->count; i++) {
		if (find_image(job, o->images.values[i], i) != 0)
			return -1;
	}
	if (job->count > 1 && job->img[0] == job->img[1]) {
		fk_error("--image %s given twice", job->img[0]->name);
		return -1;
	}
	return 0;
}

struct scenario_run {
	const char *name;
	const char *label;
	enum fk_rig_scenario scenario;
	struct fk_rig_result res;
};

static void print_cost(const struct sim_job *job, const char *what,
		       const struct fk_rig_cost *c)
{
	const struct fk_layout_memory *m =
		&job->L.memories[job->layout_mem[c->max_sector_memory]];

	const struct fk_layout_memory *untimed = memory_without_timing(job);
	char when[96];

	if (untimed)
		snprintf(when, sizeof(when),
			 "time unknown (memory '%s' has no timing in the "
			 "layout)",
			 untimed->name);
	else
		snprintf(when, sizeof(when), "~%.2f s", c->est_us / 1e6);
	printf("  %-22s %llu erases, %llu bytes programmed, most-worn sector "
	       "%s#%u (%u erase%s), %s\n",
	       what, (unsigned long long)c->erases,
	       (unsigned long long)c->bytes_programmed, m->name,
	       c->max_sector_index, c->max_sector_erases,
	       c->max_sector_erases == 1 ? "" : "s", when);
}

/* "12,345": counts of cases are long. */
static const char *grouped(uint64_t v, char *buf, size_t len)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t k = 0;

	for (int i = 0; i < n && k + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	return buf;
}

/* The coverage of the double cuts, in one line. */
static void print_coverage(const struct coverage *cov,
			   const struct scenario_run *runs, int n)
{
	uint64_t done = 0, pairs = 0;
	double singles = 0;
	bool spent = false;
	char a[32], b[32];

	for (int i = 0; i < n; i++) {
		done += runs[i].res.double_cuts;
		pairs += runs[i].res.double_pairs;
		singles += runs[i].res.single_seconds;
		spent |= runs[i].res.budget_spent;
	}
	if (!cov->doubles) {
		printf("double cuts: none (--single)\n");
		return;
	}
	if (cov->exhaustive) {
		printf("double cuts: all %s pairs (--exhaustive)\n",
		       grouped(pairs, a, sizeof(a)));
		return;
	}
	printf("double cuts: %s of %s pairs sampled (%.1f%%), seed %llu%s\n",
	       grouped(done, a, sizeof(a)), grouped(pairs, b, sizeof(b)),
	       pairs ? 100.0 * (double)done / (double)pairs : 100.0,
	       (unsigned long long)cov->seed,
	       done == pairs ? " (all of them)" :
	       cov->samples  ? " (--samples)" :
			       "");
	if (spent && singles >= cov->budget_s)
		printf("note: the single cuts alone took %.1f s, past the "
		       "budget of %.0f s; they all ran (they are the proof), "
		       "and the double cuts got what was left\n",
		       singles, cov->budget_s);
}

/* --patch: the patch against the full image, and its sweep. */
static void print_patch(const struct sim_job *job)
{
	const struct fk_delta_sweep_result *p = &job->patch;

	printf("  patch: %zu bytes for the %zu-byte image (%.1f%%), "
	       "%zu-byte stream in %u-byte blocks\n",
	       job->patch_len, job->rig.new_len[0],
	       100.0 * (double)job->patch_len / (double)job->rig.new_len[0],
	       p->stream_len, 1u << FK_DELTA_BLOCK_LOG2_DEFAULT);
	printf("  %-22s %llu cases (every one of %llu operations cut before, "
	       "after, torn), %llu resumed mid-image, %llu failures\n",
	       "patch applied:", (unsigned long long)p->cases,
	       (unsigned long long)p->ops, (unsigned long long)p->resumed,
	       (unsigned long long)p->failures);
	if (p->failures)
		printf("    first failure: %s\n", p->first_failure);
}

static void print_text(const struct sim_job *job, struct scenario_run *runs,
		       int n, uint64_t cases, uint64_t failures,
		       const struct coverage *cov)
{
	const struct fk_boot_config *cfg = &job->rig.cfg;

	printf("flashkit sim: %s, image%s %s%s%s, strategy %s\n", job->L.path,
	       job->count > 1 ? "s" : "", job->img[0]->name,
	       job->count > 1 ? " + " : "",
	       job->count > 1 ? job->img[1]->name : "",
	       strategy_name(cfg->strategy));
	for (uint32_t i = 0; i < job->count; i++) {
		printf("  %s: slots %s (%u bytes for the image), %s (new image "
		       "at +%u); old %zu bytes (%s), new %zu bytes "
		       "(%s)\n",
		       job->img[i]->name, job->primary[i]->name,
		       cfg->images[i].primary.size, job->secondary[i]->name,
		       fk_boot_staging_offset(cfg, i), job->rig.old_len[i],
		       job->old_from[i], job->rig.new_len[i], job->new_from[i]);
	}
	printf("  core: %s\n", core_name(job));
	printf("  boot state: %s; images %s%s%s\n",
	       job->state_part ? job->state_part->name :
				 "last sector of the primary slot",
	       job->has_key ? "signed" : "SHA-256 only (no --key)",
	       job->has_enc ? ", encrypted with " : "",
	       job->has_enc ? fk_enc_scheme_name(job->enc.scheme) : "");
	if (job->patch_len)
		print_patch(job);
	for (int i = 0; i < n; i++) {
		const struct fk_rig_result *r = &runs[i].res;

		printf("  %-22s %llu cases (%llu single cuts, %llu double "
		       "cuts), %llu failures, %.1f s\n",
		       runs[i].label, (unsigned long long)r->cases,
		       (unsigned long long)r->single_cuts,
		       (unsigned long long)r->double_cuts,
		       (unsigned long long)r->failures, r->seconds);
		if (r->failures)
			printf("    first failure: %s\n", r->first_failure);
	}
	print_cost(job, "upload:", &runs[0].res.update);
	print_cost(job, "install:", &runs[0].res.life);
	if (n > 1)
		print_cost(job, "install + revert:", &runs[1].res.life);
	print_coverage(cov, runs, n);
	printf("verdict: %s: %llu cases, %llu failures\n",
	       failures ? "FAIL" : "PASS", (unsigned long long)cases,
	       (unsigned long long)failures);
}

static void print_json(const struct sim_job *job, struct scenario_run *runs,
		       int n, uint64_t cases, uint64_t failures,
		       const struct coverage *cov)
{
	const struct fk_rig_cost *c = &runs[0].res.life;
	char names[160], secs[32];
	uint64_t done = 0, pairs = 0;

	for (int i = 0; i < n; i++) {
		done += runs[i].res.double_cuts;
		pairs += runs[i].res.double_pairs;
	}
	snprintf(names, sizeof(names), "\"%s\"%s%s%s", job->img[0]->name,
		 job->count > 1 ? ", \"" : "",
		 job->count > 1 ? job->img[1]->name : "",
		 job->count > 1 ? "\"" : "");
	printf("{\"layout\": \"%s\", \"image\": \"%s\", \"images\": [%s], "
	       "\"strategy\": \"%s\", \"core\": \"%s\", "
	       "\"verdict\": \"%s\", \"cases\": %llu, \"failures\": %llu, "
	       "\"erases\": %llu, \"bytes_programmed\": %llu, "
	       "\"seconds\": %s, \"most_worn_sector\": {\"memory\": \"%s\", "
	       "\"index\": %u, \"erases\": %u}, \"image_bytes\": %zu, "
	       "\"double_cuts\": {\"mode\": \"%s\", \"run\": %llu, "
	       "\"pairs\": %llu, \"seed\": %llu, \"budget_seconds\": %.0f}, "
	       "\"scenarios\": [",
	       job->L.path, job->img[0]->name, names,
	       strategy_name(job->rig.cfg.strategy),
	       lite_core(job) ? "lite" : "full", failures ? "fail" : "pass",
	       (unsigned long long)cases, (unsigned long long)failures,
	       (unsigned long long)c->erases,
	       (unsigned long long)c->bytes_programmed,
	       json_seconds(job, c->est_us, secs, sizeof(secs)),
	       job->L.memories[job->layout_mem[c->max_sector_memory]].name,
	       c->max_sector_index, c->max_sector_erases, job->rig.new_len[0],
	       !cov->doubles   ? "none" :
	       cov->exhaustive ? "exhaustive" :
				 "sample",
	       (unsigned long long)done, (unsigned long long)pairs,
	       (unsigned long long)cov->seed, cov->budget_s);
	for (int i = 0; i < n; i++) {
		const struct fk_rig_result *r = &runs[i].res;

		printf("%s{\"name\": \"%s\", \"cases\": %llu, \"single_cuts\": "
		       "%llu, \"double_cuts\": %llu, \"double_pairs\": %llu, "
		       "\"failures\": %llu, "
		       "\"erases\": %llu, \"bytes_programmed\": %llu, "
		       "\"seconds\": %s, \"run_seconds\": %.3f}",
		       i ? ", " : "", runs[i].name,
		       (unsigned long long)r->cases,
		       (unsigned long long)r->single_cuts,
		       (unsigned long long)r->double_cuts,
		       (unsigned long long)r->double_pairs,
		       (unsigned long long)r->failures,
		       (unsigned long long)r->life.erases,
		       (unsigned long long)r->life.bytes_programmed,
		       json_seconds(job, r->life.est_us, secs, sizeof(secs)),
		       r->seconds);
	}
	printf("], \"upload\": {\"erases\": %llu, \"bytes_programmed\": %llu, "
	       "\"seconds\": %s}",
	       (unsigned long long)runs[0].res.update.erases,
	       (unsigned long long)runs[0].res.update.bytes_programmed,
	       json_seconds(job, runs[0].res.update.est_us, secs,
			    sizeof(secs)));
	if (job->patch_len)
		printf(", \"patch\": {\"bytes\": %zu, \"stream_bytes\": %zu, "
		       "\"ops\": %llu, \"cases\": %llu, \"resumed\": %llu, "
		       "\"failures\": %llu}",
		       job->patch_len, job->patch.stream_len,
		       (unsigned long long)job->patch.ops,
		       (unsigned long long)job->patch.cases,
		       (unsigned long long)job->patch.resumed,
		       (unsigned long long)job->patch.failures);
	printf("}\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The progress line: on a terminal only, redrawn in place at most four
 * times a second. */
struct progress_line {
	const char *label;
	double drawn;	      /* when it was last drawn */
	double budget_left_s; /* of the scenario's sweep, for the ETA */
	bool shown;
};

static void progress_draw(void *ctx, const struct fk_rig_progress *p)
{
	struct progress_line *pl = ctx;
	double now = now_s(), rate, eta;
	char done[32], total[32];

	if (now - pl->drawn < 0.25)
		return;
	pl->drawn = now;
	pl->shown = true;
	rate = p->elapsed_s > 0 ? (double)p->res->cases / p->elapsed_s : 0;
	if (p->total)
		eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	else
		eta = pl->budget_left_s - p->elapsed_s;
	fprintf(stderr, "\r%s %s cuts %s%s%s, %.0f cases/s, ETA %.0f s\033[K",
		pl->label, p->doubles ? "double" : "single",
		grouped(p->done, done, sizeof(done)), p->total ? " of " : "",
		p->total ? grouped(p->total, total, sizeof(total)) : "", rate,
		eta > 0 ? eta : 0);
	fflush(stderr);
}

static void progress_end(struct progress_line *pl)
{
	if (pl->shown)
		fputs("\r\033[K", stderr);
	pl->shown = false;
}

/* --patch: the patch image as `flashkit image delta` makes it (its
 * size), then the sweep of its application. 0, or -1 (said). */
static int sweep_patch(struct sim_job *job)
{
	struct fk_rig *rig = &job->rig;
	struct fk_delta_sweep sw = {
		.image = 0,
		.block_log2 = FK_DELTA_BLOCK_LOG2_DEFAULT,
		.mark = rig->cfg.strategy == FK_BOOT_OVERWRITE ?
				FK_BOOT_PERMANENT :
				FK_BOOT_TEST,
	};
	struct fk_sign_result pr;
	struct fk_diag err = { 0 };

	if (fk_delta_make(rig->old_img[0], rig->old_len[0], rig->new_img[0],
			  rig->new_len[0], sw.block_log2,
			  job->has_key ? &job->key : NULL, &pr, NULL, &err)) {
		fk_error("%s: image %s: --patch: %s", job->L.path,
			 job->img[0]->name, err.last_text);
		return -1;
	}
	job->patch_len = pr.image_len;
	free(pr.data);
	if (fk_delta_sweep(rig, &sw, &job->patch) != 0) {
		fk_error("%s: image %s: --patch: %s", job->L.path,
			 job->img[0]->name, job->patch.first_failure);
		return -1;
	}
	return 0;
}

static int run(struct sim_job *job, const struct sim_opts *o,
	       const struct coverage *cov)
{
	struct scenario_run runs[2] = {
		{ "install-confirmed",
		  "install (confirmed):",
		  FK_SCENARIO_INSTALL,
		  { 0 } },
		{ "install-reverted",
		  "install (reverted):",
		  FK_SCENARIO_REVERT,
		  { 0 } },
	};
	struct progress_line pl = { 0 };
	bool tty = isatty(STDERR_FILENO);
	uint64_t cases = 0, failures = 0;
	double t0 = now_s();
	int n = 2;

	if (job->rig.cfg.strategy == FK_BOOT_OVERWRITE) {
		runs[0].name = "install-permanent";
		runs[0].label = "permanent install:";
		runs[0].scenario = FK_SCENARIO_PERMANENT;
		n = 1;
	}
	if (o->patch) {
		if (sweep_patch(job))
			return FK_EXIT_FAIL;
		cases += job->patch.cases;
		failures += job->patch.failures;
	}
	for (int i = 0; i < n; i++) {
		double left = cov->budget_s - (now_s() - t0);
		struct fk_rig_sweep sw = {
			.scenario = runs[i].scenario,
			.double_cuts = cov->doubles,
			.double_sample = !cov->exhaustive,
			.seed = cov->seed,
			.max_samples = cov->samples,
			/* what is left, shared by the scenarios to come */
			.budget_s = cov->samples ? 0 :
				    left > 0	 ? left / (n - i) :
						   1e-9,
			.progress = tty ? progress_draw : NULL,
			.progress_ctx = &pl,
		};

		pl.label = runs[i].label;
		pl.budget_left_s = sw.budget_s;
		if (fk_rig_sweep(&job->rig, &sw, &runs[i].res) != 0) {
			progress_end(&pl);
			fk_error("%s: image %s: %s", job->L.path,
				 job->img[0]->name, runs[i].res.first_failure);
			return FK_EXIT_FAIL;
		}
		cases += runs[i].res.cases;
		failures += runs[i].res.failures;
	}
	progress_end(&pl);
	if (o->json)
		print_json(job, runs, n, cases, failures, cov);
	else
		print_text(job, runs, n, cases, failures, cov);
	return failures ? FK_EXIT_FAIL : FK_EXIT_OK;
}

/* --history: the firmware builds as payloads the history signs itself
 * (one version per step), unsigned bytes only. */
static int history_firmware(const struct sim_opts *o, struct fk_input *in,
			    struct fk_history_payload *fw)
{
	struct fk_diag err = { 0 };

	for (int k = 0; k < o->firmware.count; k++) {
		if (fk_input_load(o->firmware.values[k], &in[k], &err) != 0) {
			fk_cli_report(&err);
			return -1;
		}
		if (in[k].len >= 4 && fk_le32(in[k].data) == FK_IMAGE_MAGIC) {
			fk_error("--firmware %s: a signed image; --history "
				 "signs every version itself: give the build "
				 "(ELF, Intel HEX or bin)",
				 o->firmware.values[k]);
			return -1;
		}
		fw[k] = (struct fk_history_payload){ in[k].data, in[k].len,
						     o->firmware.values[k] };
	}
	return 0;
}

struct history_budget {
	double t0, budget_s;
	uint32_t swept, steps;
	bool tty; /* a progress line on stderr */
};

/* After each swept update: the progress line, and whether the budget
 * leaves room for another. */
static bool history_in_budget(void *ctx, uint32_t step,
			      const struct fk_history_result *res)
{
	struct history_budget *b = ctx;
	double elapsed = now_s() - b->t0;

	b->swept++;
	if (b->tty)
		fprintf(stderr,
			"\rhistory sweep: update %u of %u, %llu cases, "
			"%.0f cases/s\033[K",
			step + 1, b->steps, (unsigned long long)res->cases,
			elapsed > 0 ? (double)res->cases / elapsed : 0);
	return b->budget_s <= 0 || elapsed < b->budget_s;
}

static void print_history_result(const char *what,
				 const struct fk_history_result *r)
{
	printf("  %-6s %llu cases (%llu with a power cut), %llu failures\n",
	       what, (unsigned long long)r->cases, (unsigned long long)r->cuts,
	       (unsigned long long)r->failures);
	if (r->failures)
		printf("         first failure: %s\n", r->first_failure);
}

static void print_history(const struct sim_job *job, uint32_t steps,
			  uint64_t seed, const struct fk_history_result *walk,
			  const struct fk_history_result *sweep, uint32_t swept,
			  const char *sweep_what)
{
	printf("flashkit sim: %s, image %s, strategy %s, a history of %u "
	       "updates (seed %llu)\n",
	       job->L.path, job->img[0]->name,
	       strategy_name(job->rig.cfg.strategy), steps,
	       (unsigned long long)seed);
	printf("  core: %s\n", core_name(job));
	printf("  kinds:");
	for (int k = 0; k < FK_HISTORY_KIND_COUNT; k++)
		printf("%s %s %llu", k ? ";" : "", fk_history_kind_name(k),
		       (unsigned long long)walk->kinds[k]);
	printf("\n  images: %u shorter, %u same size, %u longer than the "
	       "previous; %u padded to the slot; %u of --firmware; %u runs "
	       "of erased bytes, the longest %u bytes\n",
	       walk->shorter, walk->equal, walk->longer, walk->padded,
	       walk->firmware, walk->erased_runs, walk->longest_run);
	print_history_result("walk:", walk);
	printf("  sweep: every cut of %u steps (%s)\n", swept, sweep_what);
	print_history_result("", sweep);
	printf("verdict: %s: %llu cases, %llu failures\n",
	       walk->failures + sweep->failures ? "FAIL" : "PASS",
	       (unsigned long long)(walk->cases + sweep->cases),
	       (unsigned long long)(walk->failures + sweep->failures));
}

static void print_history_json(uint32_t steps, uint64_t seed,
			       const struct fk_history_result *walk,
			       const struct fk_history_result *sweep,
			       uint32_t swept)
{
	printf("{\"history\": %u, \"seed\": %llu, \"walk\": {\"cases\": "
	       "%llu, \"cuts\": %llu, \"failures\": %llu}, \"sweep\": "
	       "{\"steps\": %u, \"cases\": %llu, \"cuts\": %llu, "
	       "\"failures\": %llu}, \"failures\": %llu}\n",
	       steps, (unsigned long long)seed, (unsigned long long)walk->cases,
	       (unsigned long long)walk->cuts,
	       (unsigned long long)walk->failures, swept,
	       (unsigned long long)sweep->cases,
	       (unsigned long long)sweep->cuts,
	       (unsigned long long)sweep->failures,
	       (unsigned long long)(walk->failures + sweep->failures));
}

/*
 * --history N: N consecutive updates of the layout's image on its own
 * geometry (sim/rig_history.h): confirmed, reverted, permanent, refused,
 * resumed and restarted, images that shrink and grow, padded, with runs
 * of erased bytes and the user's --firmware builds. The walk cuts power
 * in every third step; then every cut of one step of each kind is swept
 * (every step with --exhaustive), within the budget.
 */
static int run_history(struct sim_job *job, const struct sim_opts *o,
		       uint32_t steps, const struct coverage *cov)
{
	struct fk_input in[2 * FK_BOOT_MAX_IMAGES] = { 0 };
	struct fk_history_payload fw[2 * FK_BOOT_MAX_IMAGES];
	struct fk_history_result walk = { 0 }, sweep = { 0 };
	struct history_budget budget = { now_s(),
					 cov->exhaustive ? 0 : cov->budget_s, 0,
					 steps, isatty(STDERR_FILENO) };
	struct fk_history_config hc = {
		.seed = cov->seed,
		.steps = steps,
		.sign = fk_history_sign,
		.sign_ctx = job->has_key ? &job->key : NULL,
		.firmware = fw,
		.firmware_count = (uint32_t)o->firmware.count,
		.cut_every = 3,
	};
	struct fk_history_sweep sw = {
		.follow = 2,
		.once_per_kind = !cov->exhaustive,
		.progress = history_in_budget,
		.progress_ctx = &budget,
	};
	struct fk_history *h = NULL;
	int rc = FK_EXIT_FAIL;

	if (history_firmware(o, in, fw) == 0) {
		h = fk_history_create(&job->rig, &hc, &walk);
		if (!h)
			fk_error("%s: image %s: --history: %s", job->L.path,
				 job->img[0]->name, walk.first_failure);
	}
	if (h) {
		fk_history_run(h, &walk);
		/* the sweep replays the same history from production */
		fk_history_free(h);
		h = fk_history_create(&job->rig, &hc, &sweep);
	}
	if (h) {
		fk_history_sweep(h, &sw, &sweep);
		if (budget.tty && budget.swept)
			fputs("\r\033[K", stderr);
		if (o->json)
			print_history_json(steps, cov->seed, &walk, &sweep,
					   budget.swept);
		else
			print_history(
				job, steps, cov->seed, &walk, &sweep,
				budget.swept,
				cov->exhaustive ?
					"all of them" :
					"the first of each kind, within the "
					"budget");
		rc = walk.failures || sweep.failures ? FK_EXIT_FAIL :
						       FK_EXIT_OK;
		fk_history_free(h);
	}
	for (int k = 0; k < o->firmware.count; k++)
		fk_input_free(&in[k]);
	return rc;
}

/* The coverage the options ask for. */
static int parse_coverage(const struct sim_opts *o, struct coverage *cov)
{
	uint64_t v;

	memset(cov, 0, sizeof(*cov));
	cov->doubles = !o->single;
	cov->exhaustive = o->exhaustive > 0;
	cov->budget_s = DEFAULT_BUDGET_S;
	cov->seed = DEFAULT_SEED;
	if (o->single && (o->exhaustive || o->samples)) {
		fk_error("--single runs no double cuts: it goes with neither "
			 "--exhaustive nor --samples");
		return -1;
	}
	if (o->exhaustive && (o->budget || o->samples)) {
		fk_error("--exhaustive runs every double cut: it goes with "
			 "neither --budget nor --samples");
		return -1;
	}
	if (o->budget) {
		if (fk_parse_u64(o->budget, &v) || v == 0 || v > 1000000) {
			fk_error("--budget %s: expected a number of seconds "
				 "such as 30",
				 o->budget);
			return -1;
		}
		cov->budget_s = (double)v;
	}
	if (o->seed && fk_parse_u64(o->seed, &cov->seed)) {
		fk_error("--seed %s: expected a whole number such as 42",
			 o->seed);
		return -1;
	}
	if (o->samples &&
	    (fk_parse_u64(o->samples, &cov->samples) || cov->samples == 0)) {
		fk_error("--samples %s: expected a number of double cuts such "
			 "as 1000",
			 o->samples);
		return -1;
	}
	return 0;
}

/* --history N: how many updates; what does not go with it. */
static int parse_history(const struct sim_opts *o, uint32_t *steps)
{
	uint64_t v;

	if (!o->history)
		return 0;
	if (fk_parse_u64(o->history, &v) || v == 0 || v > 100000) {
		fk_error("--history %s: expected a number of updates such as "
			 "50",
			 o->history);
		return -1;
	}
	if (o->enc) {
		fk_error("--history signs its own images, not encrypted ones: "
			 "run -E without --history (the encrypted install and "
			 "revert, every cut)");
		return -1;
	}
	if (o->size || o->single || o->samples) {
		fk_error("--history makes its own images and sweeps single "
			 "cuts: it goes with none of --size, --single, "
			 "--samples");
		return -1;
	}
	*steps = (uint32_t)v;
	return 0;
}

/* --patch: what it does not go with, and why. 0 or -1 (said). */
static int check_patch(const struct sim_job *job, const struct sim_opts *o)
{
	if (!o->patch)
		return 0;
	if (o->history) {
		fk_error("--patch sweeps one update delivered as a patch; "
			 "--history a series of whole-image updates: run them "
			 "separately");
		return -1;
	}
	if (job->count > 1) {
		fk_error("--patch updates one image (the rig installs both "
			 "--image together, and a patch rebuilds one): give "
			 "--image once");
		return -1;
	}
	if (o->enc) {
		fk_error(
			"--patch: -E: a patch is rebuilt against the old image "
			"as the primary slot holds it, decrypted, and an "
			"encrypted new image does not diff against that; "
			"send encrypted updates whole (docs/delta.md)");
		return -1;
	}
	if (job->rig.cfg.strategy == FK_BOOT_RAM_LOAD) {
		fk_error("--patch: strategy ram-load: the update API does not "
			 "apply patches there yet (fk_delta_update_begin() is "
			 "FK_ENOTSUP: docs/delta.md); use swap, overwrite or "
			 "xip");
		return -1;
	}
	return 0;
}

/* --core: full (NULL too) or lite. 0 or -1 (said). */
static int parse_core(const char *text, bool *lite)
{
	*lite = text && !strcmp(text, "lite");
	if (!text || *lite || !strcmp(text, "full"))
		return 0;
	fk_error("--core %s: use full (fk_boot(), the default) or lite "
		 "(fk_boot_lite(), one image)",
		 text);
	return -1;
}

/* The usage line, from the option table: the first `required` options
 * are required, the rest shown in brackets. */
static void usage_from(const struct fk_option *opts, size_t count,
		       size_t required, char *buf, size_t len)
{
	size_t k = (size_t)snprintf(buf, len, "flashkit sim");

	for (size_t i = 0; i < count && k < len; i++) {
		const struct fk_option *op = &opts[i];

		k += (size_t)snprintf(buf + k, len - k, " %s--%s%s%s%s",
				      i < required ? "" : "[", op->long_name,
				      op->metavar ? " " : "",
				      op->metavar ? op->metavar : "",
				      i < required ? "" : "]");
	}
}

int cmd_sim(int argc, char **argv)
{
	static struct sim_opts o;
	/* The first two are required; the usage line and --help come from
	 * this table. */
	static const struct fk_option options[] = {
		{ 'l', "layout", "FILE", "the layout file", 0, NULL, &o.layout,
		  NULL },
		{ 'i', "image", "NAME",
		  "the image of the layout to update; "
		  "twice: two images installed together (all or nothing)",
		  1, NULL, NULL, &o.images },
		{ 's', "strategy", "S",
		  "overwrite, swap or xip (default: the "
		  "layout's)",
		  0, NULL, &o.strategy, NULL },
		{ 0, "core", "CORE",
		  "the boot core simulated: full (fk_boot(), the default) or "
		  "lite (fk_boot_lite(): one image; fk_boot_board_program's "
		  "CORE lite)",
		  0, NULL, &o.core, NULL },
		{ 'k', "key", "KEY",
		  "sign the test images with this key and "
		  "check signatures (default: digest only)",
		  0, NULL, &o.key, NULL },
		{ 'E', "encrypt", "KEY",
		  "encrypt the images for this private encryption key (RSA, "
		  "EC P-256 or X25519) and decrypt with it in the simulated "
		  "bootloader",
		  0, NULL, &o.enc, NULL },
		{ 'f', "firmware", "FILE",
		  "the user's build (ELF, Intel HEX, "
		  "bin, or a signed image) as the new image; twice per "
		  "--image: old then new",
		  1, NULL, NULL, &o.firmware },
		{ 0, "size", "BYTES",
		  "firmware bytes of the new image "
		  "(default: as large as the slots allow)",
		  0, NULL, &o.size, NULL },
		{ 0, "buffer", "BYTES",
		  "the bootloader's copy buffer (default: "
		  "the largest sector)",
		  0, NULL, &o.buffer, NULL },
		{ 0, "budget", "SECONDS",
		  "time for the whole run; double cuts "
		  "are sampled until it is spent (default: 30; every single "
		  "cut runs even past it)",
		  0, NULL, &o.budget, NULL },
		{ 0, "seed", "N",
		  "the order in which double cuts are sampled "
		  "(default: 1; printed)",
		  0, NULL, &o.seed, NULL },
		{ 0, "samples", "N",
		  "sample exactly N double cuts per "
		  "scenario instead of a time budget",
		  0, NULL, &o.samples, NULL },
		{ 0, "history", "N",
		  "N consecutive updates of every kind "
		  "(confirmed, reverted, permanent, refused, resumed) with "
		  "images that shrink and grow, cuts in every third, then "
		  "every cut of one update of each kind",
		  0, NULL, &o.history, NULL },
		{ 0, "patch", NULL,
		  "deliver the new image as a patch against the old one "
		  "(flashkit image delta) and sweep its application with a "
		  "cut at every operation before the install sweeps",
		  0, &o.patch, NULL, NULL },
		{ 0, "exhaustive", NULL,
		  "every double cut, no budget (can take "
		  "hours on large slots)",
		  0, &o.exhaustive, NULL, NULL },
		{ 0, "single", NULL,
		  "single cuts only (no second cut during "
		  "recovery)",
		  0, &o.single, NULL, NULL },
		{ 0, "json", NULL, "print one JSON object", 0, &o.json, NULL,
		  NULL },
	};
	static char usage[640];
	static struct fk_command_help help = {
		.usage = usage,
		.summary = "Runs the bootloader core on simulated flash shaped "
			   "like the layout: an install that is confirmed and "
			   "one that is reverted (a permanent install for "
			   "overwrite), each with a power cut before, after "
			   "and in the middle of every flash operation (every "
			   "one, always), and a second cut during the recovery "
			   "after each first cut: by default a seeded sample "
			   "of those double cuts within the time budget, with "
			   "--exhaustive every one. Prints the verdict, the "
			   "number of cases, the double cuts' coverage and the "
			   "cost: erases, bytes programmed, the most-worn "
			   "sector, the time from the memory timings. On a "
			   "terminal a progress line shows on stderr. Exit 1 "
			   "when any case fails.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct coverage cov;
	struct sim_job *job;
	uint32_t history = 0;
	bool lite = false;
	int npos, rc;

	usage_from(options, help.option_count, 2, usage, sizeof(usage));
	rc = fk_opt_parse(&help, argc, argv, &npos);
	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 0 || !o.layout || o.images.count < 1 ||
	    o.images.count > FK_BOOT_MAX_IMAGES) {
		fk_error("usage: %s (see --help)", help.usage);
		return FK_EXIT_USAGE;
	}
	if (parse_values(&o) || parse_coverage(&o, &cov) ||
	    parse_history(&o, &history) || parse_core(o.core, &lite))
		return FK_EXIT_USAGE;
	if (o.firmware.count && o.firmware.count != o.images.count &&
	    o.firmware.count != 2 * o.images.count) {
		fk_error("--firmware given %d times for %d image%s: give one "
			 "file per --image (the new build) or two (old, then "
			 "new)",
			 o.firmware.count, o.images.count,
			 o.images.count > 1 ? "s" : "");
		return FK_EXIT_USAGE;
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		return FK_EXIT_USAGE;
	rc = fk_layout_load(o.layout, &job->L, fk_cli_layout_opts());
	if (rc) {
		free(job);
		return fk_cli_layout_status(rc);
	}
	rc = FK_EXIT_FAIL;
	job->count = (uint32_t)o.images.count;
	job->rig.boot = lite ? fk_boot_lite : NULL;
	if (find_images(job, &o) == 0) {
		job->rig.cfg.strategy =
			fk_layout_boot_strategy(job->img[0]->strategy);
		if ((!o.strategy ||
		     parse_strategy(o.strategy, &job->rig.cfg.strategy) == 0) &&
		    check_lite(job, &o) == 0 && make_config(job, &o) == 0 &&
		    check_config(job) == 0 && check_patch(job, &o) == 0) {
			if (o.history)
				rc = run_history(job, &o, history, &cov);
			else if (make_images(job, &o, 0) == 0 &&
				 (job->count < 2 ||
				  make_images(job, &o, 1) == 0))
				rc = run(job, &o, &cov);
		}
	}
	if (job->has_key)
		fk_key_free(&job->key);
	if (job->has_enc)
		fk_enc_key_free(&job->enc);
	fk_rig_destroy(&job->rig);
	fk_layout_free(&job->L);
	free(job);
	return rc;
}
