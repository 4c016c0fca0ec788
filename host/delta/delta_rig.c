/*
 * The patch-application sweep on the power-cut rig (delta_rig.h), and the
 * changed image it is usually given.
 *
 * Invariants of a case: the rig is restored to the snapshot taken before
 * the first flash operation of applying the patch, a cut is armed at one
 * operation, the application runs into it; everything after (boot,
 * resume, resend, mark, boot) runs with the power on and no cut armed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta/delta.h"
#include "delta/delta_rig.h"
#include "flashkit/bytes.h"
#include "flashkit/crypto.h"
#include "flashkit/delta_update.h"
#include "image/memflash.h"

#define DEFAULT_LOG2 13
#define DEFAULT_PIECE 700

struct dsweep {
	struct fk_rig *rig;
	const struct fk_delta_sweep *sw;
	struct fk_delta_sweep_result *res;
	struct fk_delta_update *du;
	uint8_t *stream;
	size_t stream_len;
	struct fk_delta_params params;
	uint8_t old_sha[32];
	uint32_t piece;
};

static void fail_case(struct dsweep *d, const char *fmt, ...)
{
	va_list ap;

	d->res->failures++;
	if (d->res->first_failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->res->first_failure, sizeof(d->res->first_failure), fmt,
		  ap);
	va_end(ap);
}

/* Where block k's data starts in the stream: what a sender computes
 * (each block is its length as a LEB128 number, then its bytes). */
static size_t block_offset(const struct dsweep *d, uint32_t k)
{
	size_t off = 0;

	while (k-- > 0 && off < d->stream_len) {
		size_t len = 0;
		unsigned shift = 0;
		uint8_t b;

		do {
			b = d->stream[off++];
			len |= (size_t)(b & 0x7f) << shift;
			shift += 7;
		} while ((b & 0x80) && off < d->stream_len && shift < 63);
		off += len;
	}
	return off < d->stream_len ? off : d->stream_len;
}

static int send_from(struct dsweep *d, size_t off)
{
	int rc = FK_OK;

	while (rc == FK_OK && off < d->stream_len) {
		size_t n = d->stream_len - off < d->piece ?
				   d->stream_len - off :
				   d->piece;

		rc = fk_delta_update_write(d->du, d->stream + off, (uint32_t)n);
		off += n;
	}
	return rc == FK_OK ? fk_delta_update_finish(d->du) : rc;
}

static int mark(struct dsweep *d)
{
	return fk_boot_set_pending(&d->rig->cfg, 1u << d->sw->image,
				   d->sw->mark);
}

static int apply_and_mark(struct dsweep *d)
{
	int rc = fk_delta_update_begin(d->du, &d->rig->cfg, d->sw->image,
				       &d->params, d->old_sha);

	if (rc == FK_OK)
		rc = send_from(d, 0);
	return rc == FK_OK ? mark(d) : rc;
}

/* After a cut that left the old image running: resume (or begin again),
 * resend from the block the device names, mark, boot the new image. */
static void resume_case(struct dsweep *d, uint64_t op, const char *kind)
{
	uint32_t block = 0;
	int rc = fk_delta_update_resume(d->du, &d->rig->cfg, d->sw->image,
					&d->params, &block);

	if (rc == FK_ENOENT)
		rc = fk_delta_update_begin(d->du, &d->rig->cfg, d->sw->image,
					   &d->params, d->old_sha);
	if (rc != FK_OK) {
		fail_case(d, "cut %s op %llu: resuming failed (%s)", kind,
			  (unsigned long long)op, fk_strerror(rc));
		return;
	}
	d->res->resumed += block > 0;
	rc = send_from(d, block_offset(d, block));
	if (rc != FK_OK) {
		fail_case(d,
			  "cut %s op %llu: the patch resent from block %u "
			  "failed (%s)",
			  kind, (unsigned long long)op, block, fk_strerror(rc));
		return;
	}
	rc = mark(d);
	if (rc != FK_OK) {
		fail_case(d, "cut %s op %llu: marking pending failed (%s)",
			  kind, (unsigned long long)op, fk_strerror(rc));
		return;
	}
	rc = fk_rig_boot(d->rig);
	if (rc != FK_RIG_BOOTED_NEW)
		fail_case(d,
			  "cut %s op %llu: resumed from block %u, then booted "
			  "%s instead of the new image",
			  kind, (unsigned long long)op, block,
			  rc == FK_RIG_BOOTED_OLD ? "the old image" :
						    "something else");
}

static void one_case(struct dsweep *d, const struct fk_rig_snapshot *start,
		     uint64_t op, enum fk_cut_kind kind)
{
	static const char *const names[] = { "before", "after", "torn" };
	const char *name = names[kind == FK_CUT_BEFORE ? 0 :
				 kind == FK_CUT_AFTER  ? 1 :
							 2];
	int rc, booted;

	fk_rig_restore(d->rig, start);
	fk_rig_arm_cut(d->rig, op, kind, op * 7 + (uint64_t)kind);
	rc = apply_and_mark(d);
	d->res->cases++;
	if (rc == FK_OK || !d->rig->power_lost) {
		fail_case(d,
			  "cut %s op %llu: applying ended (%s) without the "
			  "power cut",
			  name, (unsigned long long)op, fk_strerror(rc));
		return;
	}
	booted = fk_rig_boot(d->rig);
	if (booted == FK_RIG_BOOTED_NEW) {
		d->res->landed++; /* the pending mark had landed */
		return;
	}
	if (booted != FK_RIG_BOOTED_OLD) {
		fail_case(d, "cut %s op %llu: booted neither image (%d)", name,
			  (unsigned long long)op, booted);
		return;
	}
	resume_case(d, op, name);
}

static int setup(struct dsweep *d)
{
	struct fk_rig *rig = d->rig;
	uint32_t i = d->sw->image;
	struct fk_diag diag = { 0 };
	union fk_sha256_state st;
	unsigned log2 = d->sw->block_log2 ? d->sw->block_log2 : DEFAULT_LOG2;

	if (rig->old_plain[i] || rig->new_plain[i]) {
		snprintf(d->res->first_failure, sizeof(d->res->first_failure),
			 "a patch is made between plaintext images: the "
			 "images are encrypted");
		return -1;
	}
	if (fk_delta_encode(rig->old_img[i], rig->old_len[i], rig->new_img[i],
			    rig->new_len[i], log2, &d->stream, &d->stream_len,
			    NULL, &diag) != 0) {
		snprintf(d->res->first_failure, sizeof(d->res->first_failure),
			 "the patch cannot be made: %.360s", diag.last_text);
		return -1;
	}
	d->res->stream_len = d->stream_len;
	d->params.old_size = (uint32_t)rig->old_len[i];
	d->params.new_size = (uint32_t)rig->new_len[i];
	d->params.block_log2 = log2;
	fk_builtin_sha256_init(&st);
	fk_builtin_sha256_update(&st, rig->old_img[i], rig->old_len[i]);
	fk_builtin_sha256_finish(&st, d->old_sha);
	d->du = malloc(sizeof(*d->du));
	if (!d->du) {
		snprintf(d->res->first_failure, sizeof(d->res->first_failure),
			 "out of memory");
		return -1;
	}
	fk_rig_prepare(rig);
	return 0;
}

static int sweep(struct dsweep *d)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	struct fk_rig_snapshot *start = fk_rig_snapshot(d->rig);
	uint64_t op0 = d->rig->op, end;
	int rc;

	if (!start) {
		snprintf(d->res->first_failure, sizeof(d->res->first_failure),
			 "out of memory");
		return -1;
	}
	/* the life without a cut: applied, marked, the new image boots */
	rc = apply_and_mark(d);
	end = d->rig->op;
	d->res->ops = end - op0;
	if (rc != FK_OK)
		fail_case(d, "without a cut, applying the patch failed (%s)",
			  fk_strerror(rc));
	else if (fk_rig_boot(d->rig) != FK_RIG_BOOTED_NEW)
		fail_case(d, "without a cut, the new image did not boot");
	for (uint64_t op = op0; rc == FK_OK && op < end; op++) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			one_case(d, start, op, kinds[k]);
	}
	fk_rig_snapshot_free(d->rig, start);
	return 0;
}

int fk_delta_sweep(struct fk_rig *rig, const struct fk_delta_sweep *sw,
		   struct fk_delta_sweep_result *res)
{
	struct dsweep d = { .rig = rig, .sw = sw, .res = res };
	int rc;

	memset(res, 0, sizeof(*res));
	d.piece = sw->piece ? sw->piece : DEFAULT_PIECE;
	rc = setup(&d);
	if (rc == 0)
		rc = sweep(&d);
	free(d.du);
	free(d.stream);
	return rc;
}

int fk_delta_changed_image(const uint8_t *old, size_t old_len, uint32_t ins,
			   uint32_t tail, struct fk_sign_opts *o, uint8_t **out,
			   size_t *len, struct fk_diag *diag)
{
	struct fk_image_info info;
	struct fk_memflash mf;
	struct fk_sign_result res;
	const uint8_t *pl;
	uint8_t *np;
	uint32_t n, size, at;

	if (fk_memflash_init(&mf, old, old_len) != 0 ||
	    fk_image_parse(&mf.area, &info) != 0)
		return fk_fail(diag, "the old image is no image");
	size = info.hdr.img_size;
	at = size > 10000 ? 5000 : size / 2;
	pl = old + info.hdr.hdr_size;
	n = size + ins + tail;
	np = malloc(n ? n : 1);
	if (!np)
		return fk_fail_nomem(diag);
	memcpy(np, pl, at);
	for (uint32_t i = 0; i < ins; i++)
		np[at + i] = (uint8_t)(i * 37 + 11);
	memcpy(np + at + ins, pl + at, size - at);
	for (uint32_t i = at + ins; i + 4 <= size + ins; i += 4) {
		if ((np[i + 3] & 0xf0) == 0x00 && np[i + 2] < 0x40)
			fk_put_le32(np + i, fk_le32(np + i) + ins);
	}
	/* matches reaching back past the decoder's 64 buffered bytes, into
	 * the upload's partial unit */
	for (uint32_t i = 0; i < tail; i++)
		np[size + ins + i] =
			(uint8_t)((i % 80) * 151 + (i % 80) / 7 + i / 997);
	o->hdr_size = info.hdr.hdr_size;
	if (fk_sign_image(o, np, n, &res) != 0) {
		free(np);
		return fk_fail(diag, "%s", res.diag.last_text);
	}
	free(np);
	*out = res.data;
	*len = res.image_len;
	return 0;
}
