/*
 * Long update histories (rig_history.h): the plan (kinds, sizes, erased
 * runs, padding, firmware), the application model that drives one step
 * through the real update API across resets and power cuts, the checks
 * after each step, the walk and the per-step sweep.
 *
 * What is not here: the power domain, snapshots and the boot hooks
 * (rig.c), and signing (the caller's function).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig_history.h"
#include "flashkit/update.h"

#define NONE UINT64_MAX
#define MAX_BOOTS 12
#define HDR_SIZE 0x100
#define TLV_ROOM 512 /* header padding aside: TLVs and their alignment */

/* One image of the plan, per image index. */
struct himage {
	uint8_t *img; /* signed image */
	size_t len;
	uint8_t *send; /* what the app sends: img, padded or damaged */
	size_t send_len;
	uint32_t payload_len;
};

struct fk_history {
	struct fk_rig *rig;
	struct fk_history_config cfg;
	uint32_t nimg; /* images installed together */
	uint32_t steps;
	struct fk_history_step *plan;
	struct himage (*pool)[FK_BOOT_MAX_IMAGES]; /* [0] production,
						    * [s + 1] step s */
	uint32_t running[FK_BOOT_MAX_IMAGES];	   /* pool index running now */
	uint8_t *saved_old[FK_BOOT_MAX_IMAGES], *saved_new[FK_BOOT_MAX_IMAGES];
	size_t saved_old_len[FK_BOOT_MAX_IMAGES];
	size_t saved_new_len[FK_BOOT_MAX_IMAGES];
	uint8_t erased;
	uint32_t unit; /* largest write unit of the slots */
};

/* ---- deterministic randomness ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi] (hi >= lo). */
static uint32_t rnd_in(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(r) % ((uint64_t)hi - lo + 1));
}

static struct rng rng_for(uint64_t seed, uint64_t a, uint64_t b)
{
	struct rng r = { seed * 0x9E3779B97F4A7C15ull +
			 a * 0xBF58476D1CE4E5B9ull + b * 0x94D049BB133111EBull +
			 1 };

	for (int i = 0; i < 4; i++)
		rnd(&r);
	return r;
}

/* ---- names ---- */

static const char *const kind_names[FK_HISTORY_KIND_COUNT] = {
	"confirmed TEST install",
	"reverted TEST install",
	"PERMANENT install",
	"refused (bad signature)",
	"refused (downgrade)",
	"refused (staged image corrupted)",
	"upload interrupted and resumed",
	"upload abandoned and restarted",
};

static const char *const cut_names[FK_HISTORY_CUT_COUNT] = {
	"none", "upload", "install", "revert", "resume",
};

const char *fk_history_kind_name(enum fk_history_kind kind)
{
	return kind < FK_HISTORY_KIND_COUNT ? kind_names[kind] : "?";
}

const char *fk_history_cut_name(enum fk_history_cut cut)
{
	return cut < FK_HISTORY_CUT_COUNT ? cut_names[cut] : "?";
}

static const char *cut_kind_name(enum fk_cut_kind k)
{
	return k == FK_CUT_BEFORE ? "before" :
	       k == FK_CUT_AFTER  ? "after" :
				    "torn";
}

static const char *set_name(int o)
{
	return o == FK_RIG_BOOTED_OLD ? "old" :
	       o == FK_RIG_BOOTED_NEW ? "new" :
					"old or new";
}

/* ---- the plan ---- */

/* The kinds a strategy has: OVERWRITE has no TEST install. */
static enum fk_history_kind kind_for(const struct fk_history *h,
				     enum fk_history_kind k)
{
	if (h->rig->cfg.strategy == FK_BOOT_OVERWRITE &&
	    (k == FK_HISTORY_INSTALL || k == FK_HISTORY_REVERT))
		return FK_HISTORY_PERMANENT;
	return k;
}

/* Kinds dealt from a shuffled deck, so every stretch of 13 steps holds
 * each kind (weights: the common updates more often). */
static void plan_kinds(struct fk_history *h)
{
	static const enum fk_history_kind deck0[] = {
		FK_HISTORY_INSTALL,   FK_HISTORY_INSTALL, FK_HISTORY_INSTALL,
		FK_HISTORY_REVERT,    FK_HISTORY_REVERT,  FK_HISTORY_PERMANENT,
		FK_HISTORY_PERMANENT, FK_HISTORY_BAD_SIG, FK_HISTORY_DOWNGRADE,
		FK_HISTORY_CORRUPT,   FK_HISTORY_RESUMED, FK_HISTORY_RESUMED,
		FK_HISTORY_RESTARTED,
	};
	enum { N = sizeof(deck0) / sizeof(deck0[0]) };
	enum fk_history_kind deck[N];
	struct rng r = rng_for(h->cfg.seed, 1, 0);
	uint32_t cut_no = 0;

	for (uint32_t s = 0; s < h->steps; s++) {
		struct fk_history_step *st = &h->plan[s];

		if (s % N == 0) {
			memcpy(deck, deck0, sizeof(deck));
			for (uint32_t i = N - 1; i > 0; i--) {
				uint32_t j = rnd_in(&r, 0, i);
				enum fk_history_kind t = deck[i];

				deck[i] = deck[j];
				deck[j] = t;
			}
		}
		st->kind = kind_for(h, deck[s % N]);
		st->firmware = -1;
		if (!h->cfg.cut_every ||
		    s % h->cfg.cut_every != h->cfg.cut_every - 1)
			continue;
		/* the phases this kind has, in turn */
		for (;;) {
			enum fk_history_cut c = (enum fk_history_cut)(
				1 + cut_no++ % (FK_HISTORY_CUT_COUNT - 1));

			if ((c == FK_HISTORY_CUT_REVERT &&
			     st->kind != FK_HISTORY_REVERT) ||
			    (c == FK_HISTORY_CUT_RESUME &&
			     st->kind != FK_HISTORY_RESUMED) ||
			    (c == FK_HISTORY_CUT_INSTALL &&
			     (st->kind == FK_HISTORY_BAD_SIG ||
			      st->kind == FK_HISTORY_DOWNGRADE)))
				continue;
			st->cut = c;
			break;
		}
	}
}

/* Largest payload image i takes. */
static uint32_t max_payload(const struct fk_history *h, uint32_t i)
{
	uint32_t max = fk_boot_max_image_size(&h->rig->cfg, i);

	return max > HDR_SIZE + TLV_ROOM + 1024 ? max - HDR_SIZE - TLV_ROOM :
						  1024;
}

static uint32_t sector_of(const struct fk_history *h, uint32_t i)
{
	struct fk_sector s;

	if (fk_area_sector_at(&h->rig->cfg.images[i].primary, 0, &s) != FK_OK)
		return 4096;
	return s.size;
}

/* Length of the next erased run: its class cycles through the history
 * so that every class appears, from one byte to several sectors. */
static uint32_t run_length(struct rng *r, uint32_t cls, uint32_t wu,
			   uint32_t sector)
{
	switch (cls % 10) {
	case 0:
		return wu > 1 ? rnd_in(r, 1, wu - 1) : 1;
	case 1:
		return wu;
	case 2:
		return rnd_in(r, wu + 1, 2 * wu + 3);
	case 3:
		return wu * rnd_in(r, 2, 64);
	case 4:
		return sector - 1;
	case 5:
		return sector;
	case 6:
		return sector + 1;
	case 7:
		return 2 * sector + rnd_in(r, 0, wu);
	case 8:
		return 3 * sector + rnd_in(r, 0, sector / 2);
	default:
		return rnd_in(r, 1, 3 * sector);
	}
}

/* Where the run starts, as an image offset: aligned to the write unit,
 * to a sector of the slot, or anywhere. */
static uint32_t run_start(struct rng *r, uint32_t cls, uint32_t wu,
			  uint32_t sector, uint32_t lo, uint32_t hi)
{
	uint32_t at = rnd_in(r, lo, hi);

	switch (cls % 3) {
	case 0:
		at = at / wu * wu;
		break;
	case 1:
		at = at / sector * sector;
		break;
	default:
		break;
	}
	return at < lo ? lo : at;
}

/* A synthetic payload: pseudo-random code-like bytes with erased runs. */
static void fill_payload(struct fk_history *h, struct fk_history_step *st,
			 struct rng *r, uint8_t *p, uint32_t len,
			 uint32_t sector, uint32_t *run_class)
{
	uint32_t runs = rnd_in(r, 1, 5);

	for (uint32_t k = 0; k < len; k++)
		p[k] = (uint8_t)rnd(r);
	for (uint32_t k = 0; k < runs && len > 2; k++) {
		uint32_t cls = (*run_class)++;
		uint32_t n = run_length(r, cls, h->unit, sector);
		uint32_t at = run_start(r, cls / 10, h->unit, sector, HDR_SIZE,
					HDR_SIZE + len - 1) -
			      HDR_SIZE;

		if (n > len - at)
			n = len - at;
		memset(p + at, h->erased, n);
		st->erased_runs++;
		if (n > st->longest_run)
			st->longest_run = n;
	}
}

/* The payload length of step s image i, against the previous one. */
static uint32_t plan_length(struct fk_history *h, struct rng *r, uint32_t prev,
			    uint32_t max, uint32_t s)
{
	uint32_t min = max / 5 > 512 ? max / 5 : 512;
	uint32_t cls = (uint32_t)((s + rnd(r) % 2) % 3);

	(void)h;
	if (cls == 0 && prev <= min)
		cls = 2;
	if (cls == 2 && prev >= max)
		cls = 0;
	if (cls == 0)
		return rnd_in(r, min, prev - 1);
	if (cls == 2)
		return rnd_in(r, prev + 1, max);
	return prev;
}

static int sign(struct fk_history *h, uint32_t i, uint32_t seq,
		uint32_t sec_cnt, const uint8_t *payload, uint32_t len,
		struct himage *out)
{
	struct fk_history_sign_req req = {
		.payload = payload,
		.payload_len = len,
		.image = i,
		.sequence = seq,
		.sec_cnt = sec_cnt,
		.align = h->unit,
		.erased = h->erased,
		.hdr_size = HDR_SIZE,
		.load_addr = h->rig->cfg.strategy == FK_BOOT_RAM_LOAD ?
				     h->rig->cfg.images[i].ram.addr :
				     0,
	};

	out->payload_len = len;
	if (h->cfg.sign(h->cfg.sign_ctx, &req, &out->img, &out->len) != 0)
		return -1;
	out->send = out->img;
	out->send_len = out->len;
	return 0;
}

/* What the app sends: the image, padded to the slot, or with its
 * signature damaged. */
static int make_send(struct fk_history *h, uint32_t i,
		     struct fk_history_step *st, struct himage *im)
{
	size_t n = im->len;

	if (st->padded) {
		size_t max = fk_boot_max_image_size(&h->rig->cfg, i);

		n = max > im->len ? max : im->len;
	}
	if (st->kind != FK_HISTORY_BAD_SIG && n == im->len)
		return 0;
	im->send = malloc(n);
	if (!im->send)
		return -1;
	memset(im->send, h->erased, n);
	memcpy(im->send, im->img, im->len);
	if (st->kind == FK_HISTORY_BAD_SIG)
		im->send[im->len - 1] ^= 0x5A; /* in the signature TLV */
	im->send_len = n;
	return 0;
}

static int plan_images(struct fk_history *h, struct fk_history_result *res)
{
	uint32_t run_class = 0, fw_next = 0;
	uint32_t prev[FK_BOOT_MAX_IMAGES];

	for (uint32_t i = 0; i < h->nimg; i++) {
		uint32_t max = max_payload(h, i);
		uint8_t *p = malloc(max);
		struct fk_history_step prod = { 0 };
		struct rng r = rng_for(h->cfg.seed, 2, i);

		prev[i] = max / 2;
		if (!p)
			return -1;
		fill_payload(h, &prod, &r, p, prev[i], sector_of(h, i),
			     &run_class);
		if (sign(h, i, 0, 1, p, prev[i], &h->pool[0][i]) != 0) {
			free(p);
			return -1;
		}
		free(p);
	}
	for (uint32_t s = 0; s < h->steps; s++) {
		struct fk_history_step *st = &h->plan[s];
		struct rng r = rng_for(h->cfg.seed, 3, s);
		bool use_fw = h->cfg.firmware_count && rnd(&r) % 4 == 0;

		st->padded = rnd(&r) % 5 == 0;
		for (uint32_t i = 0; i < h->nimg; i++) {
			struct himage *im = &h->pool[s + 1][i];
			uint32_t max = max_payload(h, i);
			uint32_t len = plan_length(h, &r, prev[i], max, s);
			uint32_t sec_cnt =
				st->kind == FK_HISTORY_DOWNGRADE ? 0 : s + 2;
			const struct fk_history_payload *fw =
				use_fw && i == 0 ?
					&h->cfg.firmware
						 [fw_next %
						  h->cfg.firmware_count] :
					NULL;
			uint8_t *p;
			int rc;

			if (fw && fw->len <= max) {
				st->firmware =
					(int)(fw_next % h->cfg.firmware_count);
				len = (uint32_t)fw->len;
				fw_next++;
				rc = sign(h, i, s + 1, sec_cnt, fw->data, len,
					  im);
			} else {
				p = malloc(len);
				if (!p)
					return -1;
				fill_payload(h, st, &r, p, len, sector_of(h, i),
					     &run_class);
				rc = sign(h, i, s + 1, sec_cnt, p, len, im);
				free(p);
			}
			if (rc != 0 || make_send(h, i, st, im) != 0) {
				snprintf(res->first_failure,
					 sizeof(res->first_failure),
					 "step %u: signing image %u (%u bytes "
					 "of payload) failed",
					 s, i, len);
				return -1;
			}
			if (i == 0) {
				res->shorter += len < prev[i];
				res->equal += len == prev[i];
				res->longer += len > prev[i];
			}
			st->payload_len[i] = len;
			st->image_len[i] = im->len;
			st->send_len[i] = im->send_len;
			prev[i] = len;
		}
		res->padded += st->padded;
		res->firmware += st->firmware >= 0;
		res->erased_runs += st->erased_runs;
		if (st->longest_run > res->longest_run)
			res->longest_run = st->longest_run;
	}
	return 0;
}

static uint32_t slots_unit(const struct fk_boot_config *cfg)
{
	uint32_t wu = 1;

	for (uint32_t i = 0; i < cfg->image_count; i++) {
		uint32_t a = cfg->images[i].primary.flash->geo.write_unit;
		uint32_t b = cfg->images[i].secondary.flash->geo.write_unit;

		wu = a > wu ? a : wu;
		wu = b > wu ? b : wu;
	}
	return wu;
}

struct fk_history *fk_history_create(struct fk_rig *rig,
				     const struct fk_history_config *cfg,
				     struct fk_history_result *res)
{
	struct fk_history *h = calloc(1, sizeof(*h));

	memset(res, 0, sizeof(*res));
	if (!h || !cfg->sign || cfg->steps == 0) {
		snprintf(res->first_failure, sizeof(res->first_failure),
			 "a history needs a signing function and >= 1 step");
		free(h);
		return NULL;
	}
	h->rig = rig;
	h->cfg = *cfg;
	h->steps = cfg->steps;
	h->nimg = rig->cfg.image_count;
	h->erased = rig->cfg.state.flash->geo.erased_value;
	h->unit = slots_unit(&rig->cfg);
	for (uint32_t i = 0; i < FK_BOOT_MAX_IMAGES; i++) {
		h->saved_old[i] = rig->old_img[i];
		h->saved_old_len[i] = rig->old_len[i];
		h->saved_new[i] = rig->new_img[i];
		h->saved_new_len[i] = rig->new_len[i];
	}
	h->plan = calloc(h->steps, sizeof(*h->plan));
	h->pool = calloc(h->steps + 1, sizeof(*h->pool));
	if (!h->plan || !h->pool) {
		fk_history_free(h);
		return NULL;
	}
	plan_kinds(h);
	if (plan_images(h, res) != 0) {
		if (!res->first_failure[0])
			snprintf(res->first_failure, sizeof(res->first_failure),
				 "signing the production image failed");
		fk_history_free(h);
		return NULL;
	}
	for (uint32_t i = 0; i < h->nimg; i++) {
		rig->old_img[i] = h->pool[0][i].img;
		rig->old_len[i] = h->pool[0][i].len;
		rig->new_img[i] = h->pool[1][i].img;
		rig->new_len[i] = h->pool[1][i].len;
	}
	fk_rig_prepare(rig);
	return h;
}

void fk_history_free(struct fk_history *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < FK_BOOT_MAX_IMAGES; i++) {
		h->rig->old_img[i] = h->saved_old[i];
		h->rig->old_len[i] = h->saved_old_len[i];
		h->rig->new_img[i] = h->saved_new[i];
		h->rig->new_len[i] = h->saved_new_len[i];
	}
	for (uint32_t s = 0; h->pool && s <= h->steps; s++) {
		for (uint32_t i = 0; i < FK_BOOT_MAX_IMAGES; i++) {
			if (h->pool[s][i].send != h->pool[s][i].img)
				free(h->pool[s][i].send);
			free(h->pool[s][i].img);
		}
	}
	free(h->pool);
	free(h->plan);
	free(h);
}

uint32_t fk_history_steps(const struct fk_history *h)
{
	return h->steps;
}

const struct fk_history_step *fk_history_step(const struct fk_history *h,
					      uint32_t i)
{
	return i < h->steps ? &h->plan[i] : NULL;
}

/* ---- one step: the application and the bootloader ---- */

struct cut {
	uint64_t op;
	enum fk_cut_kind kind;
	uint64_t seed;
};

/* Op ranges of the phases of a cut-free run, to place the walk's cuts
 * and to name where a cut fell. */
struct phases {
	uint64_t from[FK_HISTORY_CUT_COUNT], to[FK_HISTORY_CUT_COUNT];
};

/* One run of one step. */
struct run {
	struct fk_history *h;
	uint32_t s;
	const struct fk_history_step *st;
	const struct cut *cut;
	/* the application's memory, kept across resets (an update agent
	 * keeps this much in its own settings) */
	bool fresh;			/* nothing done yet */
	bool begun[FK_BOOT_MAX_IMAGES]; /* its fk_update_begin returned 0:
					 * an open upload is its own */
	bool marked;			/* it called fk_boot_set_pending */
	bool done;			/* nothing more to send or mark */
	/* what was seen */
	uint64_t op0, pending_op, attempt_op, confirm_op, end_op;
	int final;
	struct phases ph;
	char error[400];
};

static void run_fail(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void run_fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static bool lost(const struct run *r)
{
	return r->h->rig->power_lost;
}

static const struct himage *cand(const struct run *r, uint32_t i)
{
	return &r->h->pool[r->s + 1][i];
}

static enum fk_boot_mode step_mode(const struct run *r)
{
	enum fk_history_kind k = r->st->kind;

	if (r->h->rig->cfg.strategy == FK_BOOT_OVERWRITE ||
	    k == FK_HISTORY_PERMANENT)
		return FK_BOOT_PERMANENT;
	return FK_BOOT_TEST;
}

/* Sends image i's bytes [off, end) in pieces of seeded odd sizes. */
static int send(struct run *r, struct fk_update *u, uint32_t i, uint32_t off,
		uint32_t end)
{
	const struct himage *im = cand(r, i);
	struct rng g = rng_for(r->h->cfg.seed, 4, ((uint64_t)r->s << 32) ^ off);
	int rc = FK_OK;

	while (rc == FK_OK && off < end) {
		uint32_t n = rnd_in(&g, 1, 2600);

		n = n < end - off ? n : end - off;
		rc = fk_update_write(u, off, im->send + off, n);
		off += n;
	}
	return rc;
}

/* The abandoned upload of RESTARTED: a third of another image. */
static int send_decoy(struct run *r, uint32_t i)
{
	const struct himage *other = &r->h->pool[r->s][i];
	struct fk_update u;
	uint32_t n = (uint32_t)other->len / 3;
	int rc = fk_update_begin(&u, &r->h->rig->cfg, i);

	for (uint32_t off = 0; rc == FK_OK && off < n; off += 700) {
		uint32_t k = n - off < 700 ? n - off : 700;

		rc = fk_update_write(&u, off, other->img + off, k);
	}
	return rc;
}

/* Where the app continues image i after a reset: resume, or begin. */
static int reopen(struct run *r, struct fk_update *u, uint32_t i, uint32_t *off,
		  bool *consumed)
{
	const struct fk_boot_config *cfg = &r->h->rig->cfg;
	int rc = FK_ENOENT;

	*consumed = false;
	/* An upload open before the app's own began (one a refusal left)
	 * is not the app's to resume. */
	if (r->begun[i] || r->marked)
		rc = fk_update_resume(u, cfg, i, off);
	if (rc == FK_OK) {
		if (*off > cand(r, i)->send_len || *off % r->h->unit)
			run_fail(r,
				 "fk_update_resume of image %u gave offset "
				 "%u (image %zu bytes, write unit %u)",
				 i, *off, cand(r, i)->send_len, r->h->unit);
		return r->error[0] ? FK_EINVAL : FK_OK;
	}
	if (rc != FK_ENOENT)
		return rc;
	if (r->marked) {
		*consumed = true; /* the install (or a refusal) took it */
		return FK_OK;
	}
	if (r->st->kind == FK_HISTORY_RESUMED && !r->cut && i == 0)
		run_fail(r,
			 "upload interrupted after %u bytes: "
			 "fk_update_resume says no upload is open",
			 (unsigned)(cand(r, 0)->send_len / 2));
	*off = 0;
	rc = fk_update_begin(u, cfg, i);
	r->begun[i] = rc == FK_OK;
	return rc;
}

/* Sends (or resumes) image i to its end and finishes it. 1: the app
 * gives up (refused at finish), 0: staged, <0 an error. */
static int deliver_one(struct run *r, uint32_t i, bool first, bool *consumed)
{
	struct fk_update u;
	uint32_t off = 0, end = (uint32_t)cand(r, i)->send_len;
	int rc;

	if (first) {
		if (r->st->kind == FK_HISTORY_RESTARTED && r->s > 0) {
			rc = send_decoy(r, i);
			if (rc != FK_OK)
				return rc;
		}
		rc = fk_update_begin(&u, &r->h->rig->cfg, i);
		r->begun[i] = rc == FK_OK;
		*consumed = false;
	} else {
		rc = reopen(r, &u, i, &off, consumed);
		if (rc != FK_OK || *consumed)
			return rc;
	}
	if (rc == FK_OK && first && r->st->kind == FK_HISTORY_RESUMED && i == 0)
		end = end / 2; /* the connection drops, the device resets */
	if (rc == FK_OK)
		rc = send(r, &u, i, off, end);
	if (rc != FK_OK || end < cand(r, i)->send_len)
		return rc;
	rc = fk_update_finish(&u);
	if (r->st->kind == FK_HISTORY_BAD_SIG && !lost(r)) {
		if (rc == FK_OK)
			run_fail(r,
				 "fk_update_finish accepted image %u whose "
				 "signature does not verify",
				 i);
		return 1;
	}
	return rc;
}

/* The application's update work after a boot (or before the first). */
static void deliver(struct run *r)
{
	const struct fk_boot_config *cfg = &r->h->rig->cfg;
	bool first = r->fresh;
	bool interrupted = first && r->st->kind == FK_HISTORY_RESUMED;
	int rc = FK_OK;

	r->fresh = false; /* a reset from here on: resume */
	for (uint32_t i = 0; i < r->h->nimg; i++) {
		bool consumed = false;

		rc = deliver_one(r, i, first, &consumed);
		if (lost(r) || r->error[0])
			return;
		if (rc == 1 || consumed) {
			r->done = true;
			return;
		}
		if (rc != FK_OK) {
			run_fail(r,
				 "the upload of image %u failed with power "
				 "on: %s",
				 i, fk_strerror(rc));
			return;
		}
		if (interrupted)
			return; /* reset with half of image 0 sent */
	}
	r->marked = true;
	rc = fk_boot_set_pending(cfg, (1u << r->h->nimg) - 1, step_mode(r));
	if (lost(r))
		return;
	if (r->st->kind == FK_HISTORY_DOWNGRADE) {
		if (rc != FK_EDOWNGRADE)
			run_fail(r,
				 "fk_boot_set_pending of a downgrade "
				 "returned %s, FK_EDOWNGRADE expected",
				 fk_strerror(rc));
	} else if (rc != FK_OK) {
		run_fail(r, "fk_boot_set_pending failed with power on: %s",
			 fk_strerror(rc));
	} else {
		r->pending_op = r->h->rig->op - 1;
	}
	r->done = true;
}

/* The staged copy of image i: damaged the same way every time (bit rot
 * between the mark and the install). */
static void damage_staged(struct run *r)
{
	struct fk_rig *rig = r->h->rig;
	const struct fk_boot_slots *sl = &rig->cfg.images[0];
	const struct himage *im = cand(r, 0);
	uint32_t off[3] = { fk_boot_staging_offset(&rig->cfg, 0), 0, 0 };
	const struct fk_area *area[3] = { &sl->secondary, &sl->secondary,
					  &sl->primary };
	uint32_t at = HDR_SIZE + im->payload_len / 2;

	for (int k = 0; k < 3; k++) {
		const struct fk_area *a = area[k];
		uint8_t *mem =
			fk_sim_data(rig->mem[fk_rig_memory_of(rig, a)].sim) +
			a->off + off[k];

		if (off[k] + im->len > a->size ||
		    memcmp(mem, im->img, HDR_SIZE))
			continue;
		if (memcmp(mem + HDR_SIZE, im->img + HDR_SIZE,
			   im->len - HDR_SIZE) &&
		    mem[at] != (im->img[at] ^ 0x5A))
			continue;
		mem[at] = im->img[at] ^ 0x5A;
		return;
	}
}

static int status_phase(struct run *r)
{
	struct fk_boot_status st;

	if (fk_boot_status(&r->h->rig->cfg, &st) != FK_OK)
		return -1;
	return (int)st.phase;
}

/* One boot and what the app does after it. 1: settled, 0: go on, -1:
 * failed. */
static int boot_once(struct run *r, int n)
{
	struct fk_rig *rig = r->h->rig;
	struct fk_boot_status before, after;
	uint64_t op0 = rig->op;
	int rc;

	if (r->st->kind == FK_HISTORY_CORRUPT &&
	    status_phase(r) == FK_BOOT_PENDING)
		damage_staged(r);
	if (fk_boot_status(&rig->cfg, &before) != FK_OK) {
		run_fail(r, "boot %d: boot state unreadable", n);
		return -1;
	}
	rc = fk_rig_boot(rig);
	if (lost(r))
		return 0;
	if (rc < 0 || rig->recovery_reason) {
		run_fail(r, "boot %d: recovery hook (%s)", n,
			 fk_strerror(rig->recovery_reason ?
					     rig->recovery_reason :
					     rc));
		return -1;
	}
	if (rc == FK_RIG_BOOTED_OTHER) {
		run_fail(r,
			 "boot %d jumped to a mix of old and new images, "
			 "or to an image that is neither",
			 n);
		return -1;
	}
	if (fk_boot_status(&rig->cfg, &after) != FK_OK)
		return -1;
	if (before.phase == FK_BOOT_PENDING ||
	    before.phase == FK_BOOT_INSTALLING) {
		r->ph.from[FK_HISTORY_CUT_INSTALL] = op0;
		r->ph.to[FK_HISTORY_CUT_INSTALL] = rig->op;
	}
	if ((before.phase == FK_BOOT_TRIAL && rc == FK_RIG_BOOTED_OLD) ||
	    before.phase == FK_BOOT_REVERTING) {
		r->ph.from[FK_HISTORY_CUT_REVERT] = op0;
		r->ph.to[FK_HISTORY_CUT_REVERT] = rig->op;
	}
	if (after.phase == FK_BOOT_TRIAL && after.attempts > before.attempts &&
	    r->attempt_op == NONE && rig->op > op0)
		r->attempt_op = rig->op - 1;
	if (after.phase == FK_BOOT_TRIAL && rc == FK_RIG_BOOTED_NEW &&
	    r->st->kind != FK_HISTORY_REVERT) {
		if (r->confirm_op == NONE)
			r->confirm_op = rig->op;
		if (fk_boot_confirm(&rig->cfg) != FK_OK && !lost(r)) {
			run_fail(r, "fk_boot_confirm failed with power on");
			return -1;
		}
	}
	if (!lost(r) && !r->done) {
		uint64_t d0 = rig->op;

		deliver(r);
		r->ph.from[FK_HISTORY_CUT_RESUME] = d0;
		r->ph.to[FK_HISTORY_CUT_RESUME] = rig->op;
	}
	if (lost(r) || r->error[0])
		return r->error[0] ? -1 : 0;
	r->final = rc;
	return r->done && status_phase(r) == FK_BOOT_IDLE;
}

/* A settled device boots the same images again without writing, and
 * has no upload open when the step's upload was consumed. */
static void check_settled(struct run *r)
{
	struct fk_rig *rig = r->h->rig;
	enum fk_history_kind k = r->st->kind;
	uint64_t op0 = rig->op;
	int rc = fk_rig_boot(rig);

	if (rc != r->final)
		run_fail(r, "the settled device boots %s next time (%s)",
			 rc > 0 ? set_name(rc) : "nothing",
			 rc > 0 ? "a different set" : fk_strerror(rc));
	else if (rig->op != op0)
		run_fail(r,
			 "the settled device still writes flash at boot "
			 "(%llu operations)",
			 (unsigned long long)(rig->op - op0));
	for (uint32_t m = 0; m < rig->mem_count; m++) {
		if (fk_sim_violations(rig->mem[m].sim))
			run_fail(r, "the bootloader area was written");
	}
	if (k == FK_HISTORY_BAD_SIG || k == FK_HISTORY_DOWNGRADE)
		return; /* those uploads stay open: nothing consumed them */
	for (uint32_t i = 0; i < r->h->nimg; i++) {
		struct fk_update u;
		uint32_t off = 0;

		rc = fk_update_resume(&u, &rig->cfg, i, &off);
		if (rc != FK_ENOENT)
			run_fail(r,
				 "settled on the %s images, then "
				 "fk_update_resume of image %u returned %s "
				 "(offset %u), FK_ENOENT expected",
				 set_name(r->final), i,
				 rc ? fk_strerror(rc) : "0", off);
	}
}

static void arm(struct fk_rig *rig, const struct cut *c)
{
	if (c)
		fk_rig_arm_cut(rig, c->op, c->kind, c->seed);
	else
		rig->cut_armed = false;
}

/* Runs step s from the device as it is, with cut c (NULL: none). */
static void run_step(struct fk_history *h, uint32_t s, const struct cut *c,
		     struct run *r)
{
	struct fk_rig *rig = h->rig;

	memset(r, 0, sizeof(*r));
	r->h = h;
	r->s = s;
	r->st = &h->plan[s];
	r->cut = c;
	r->fresh = true;
	r->pending_op = r->attempt_op = r->confirm_op = NONE;
	for (uint32_t i = 0; i < h->nimg; i++) {
		rig->old_img[i] = h->pool[h->running[i]][i].img;
		rig->old_len[i] = h->pool[h->running[i]][i].len;
		rig->new_img[i] = h->pool[s + 1][i].send;
		rig->new_len[i] = h->pool[s + 1][i].len;
	}
	r->op0 = rig->op;
	arm(rig, c);
	r->ph.from[FK_HISTORY_CUT_UPLOAD] = rig->op;
	deliver(r);
	r->ph.to[FK_HISTORY_CUT_UPLOAD] = rig->op;
	r->ph.from[FK_HISTORY_CUT_RESUME] = r->ph.to[FK_HISTORY_CUT_RESUME] = 0;
	if (r->error[0])
		return;
	for (int n = 0; n < MAX_BOOTS; n++) {
		int rc;

		if (rig->power_lost)
			fk_rig_power_on(rig);
		rc = boot_once(r, n);
		if (rc < 0)
			return;
		if (rc == 1) {
			r->end_op = rig->op;
			check_settled(r);
			return;
		}
	}
	run_fail(r, "the device did not settle within %d boots", MAX_BOOTS);
}

/* ---- expected outcomes ---- */

/* The set a cut at c leaves the device on: see rig.c's expect_install
 * for the TEST install; the app retries an upload the cut broke. */
static int expect(const struct run *ref, const struct fk_history_step *st,
		  enum fk_boot_mode mode, const struct cut *c)
{
	uint64_t a = ref->attempt_op, conf = ref->confirm_op;

	switch (st->kind) {
	case FK_HISTORY_REVERT:
	case FK_HISTORY_BAD_SIG:
	case FK_HISTORY_DOWNGRADE:
	case FK_HISTORY_CORRUPT:
		return FK_RIG_BOOTED_OLD;
	default:
		break;
	}
	if (!c || mode == FK_BOOT_PERMANENT)
		return FK_RIG_BOOTED_NEW;
	if ((c->op == a || c->op == conf) && c->kind == FK_CUT_TORN)
		return 3;
	if (c->op < a || (c->op == a && c->kind == FK_CUT_BEFORE))
		return FK_RIG_BOOTED_NEW;
	if (c->op < conf || (c->op == conf && c->kind == FK_CUT_BEFORE))
		return FK_RIG_BOOTED_OLD;
	return FK_RIG_BOOTED_NEW;
}

/* The phase op fell in, in the cut-free run ref. */
static enum fk_history_cut phase_of(const struct run *ref, uint64_t op)
{
	for (int p = FK_HISTORY_CUT_COUNT - 1; p > 0; p--) {
		if (op >= ref->ph.from[p] && op < ref->ph.to[p])
			return (enum fk_history_cut)p;
	}
	return FK_HISTORY_CUT_NONE;
}

static void describe_step(const struct fk_history *h, uint32_t s, char *buf,
			  size_t len)
{
	const struct fk_history_step *st = &h->plan[s];
	uint32_t prev =
		s ? h->plan[s - 1].payload_len[0] : h->pool[0][0].payload_len;
	const char *cmp = st->payload_len[0] < prev ? "shorter than" :
			  st->payload_len[0] > prev ? "longer than" :
						      "the same size as";

	snprintf(buf, len,
		 "step %u (%s; image %zu bytes, payload %s "
		 "the previous step's%s%s%s, %u erased runs up to %u bytes)",
		 s, kind_names[st->kind], st->image_len[0], cmp,
		 st->padded ? ", padded to the slot" : "",
		 st->firmware >= 0 ? ", firmware " : "",
		 st->firmware >= 0 ? h->cfg.firmware[st->firmware].name : "",
		 st->erased_runs, st->longest_run);
}

/* Checks a finished run against what was wanted; records it. */
static bool record(struct fk_history *h, const struct run *r,
		   const struct run *ref, const struct cut *c, const char *then,
		   struct fk_history_result *res)
{
	char step[300], where[160] = "no cut", seen[120] = "";
	int want = expect(ref, r->st, step_mode(r), c);
	const char *err = r->error;

	res->cases++;
	res->cuts += c != NULL;
	res->ops += r->h->rig->op - r->op0;
	if (!err[0] && !(want & r->final)) {
		snprintf(seen, sizeof(seen),
			 "settled on the %s images, %s "
			 "expected",
			 set_name(r->final), set_name(want));
		err = seen;
	}
	if (!err[0] && !then)
		return true;
	res->failures++;
	if (res->first_failure[0])
		return false;
	describe_step(h, r->s, step, sizeof(step));
	if (c)
		snprintf(where, sizeof(where),
			 "cut %s op %llu (op %llu of the "
			 "step, %s phase)",
			 cut_kind_name(c->kind), (unsigned long long)c->op,
			 (unsigned long long)(c->op - ref->op0),
			 cut_names[phase_of(ref, c->op)]);
	snprintf(res->first_failure, sizeof(res->first_failure),
		 "%.300s, %.150s: %.500s", step, where, err[0] ? err : then);
	return false;
}

/* After a settled step: what runs now. */
static void advance(struct fk_history *h, const struct run *r)
{
	if (r->final == FK_RIG_BOOTED_NEW)
		for (uint32_t i = 0; i < h->nimg; i++)
			h->running[i] = r->s + 1;
}

static void count_kind(struct fk_history_result *res,
		       const struct fk_history_step *st)
{
	res->steps++;
	res->kinds[st->kind]++;
}

/* ---- the walk ---- */

/* Device and history state at the start of a step. */
struct point {
	struct fk_rig_snapshot *snap;
	uint32_t running[FK_BOOT_MAX_IMAGES];
};

static bool take(struct fk_history *h, struct point *p)
{
	p->snap = fk_rig_snapshot(h->rig);
	memcpy(p->running, h->running, sizeof(p->running));
	return p->snap != NULL;
}

static void back(struct fk_history *h, const struct point *p)
{
	fk_rig_restore(h->rig, p->snap);
	memcpy(h->running, p->running, sizeof(h->running));
}

/* The walk's planned cut for step s, placed in its phase of ref. */
static struct cut planned_cut(const struct fk_history *h, uint32_t s,
			      const struct run *ref)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };
	enum fk_history_cut p = h->plan[s].cut;
	struct rng g = rng_for(h->cfg.seed, 5, s);
	uint64_t lo = ref->ph.from[p], hi = ref->ph.to[p];
	struct cut c;

	if (hi <= lo) {
		lo = ref->op0;
		hi = ref->end_op;
	}
	c.op = lo + rnd(&g) % (hi - lo);
	c.kind = kinds[rnd(&g) % 3];
	c.seed = rnd(&g);
	return c;
}

uint64_t fk_history_run(struct fk_history *h, struct fk_history_result *res)
{
	uint64_t failures = res->failures;

	for (uint32_t s = 0; s < h->steps; s++) {
		struct run ref, cr;
		struct point p;

		count_kind(res, &h->plan[s]);
		if (h->plan[s].cut == FK_HISTORY_CUT_NONE) {
			run_step(h, s, NULL, &ref);
			if (!record(h, &ref, &ref, NULL, NULL, res))
				break;
			advance(h, &ref);
			continue;
		}
		if (!take(h, &p))
			break;
		run_step(h, s, NULL, &ref);
		if (record(h, &ref, &ref, NULL, NULL, res)) {
			struct cut c = planned_cut(h, s, &ref);

			back(h, &p);
			run_step(h, s, &c, &cr);
			res->cut_phases[h->plan[s].cut]++;
			if (record(h, &cr, &ref, &c, NULL, res))
				advance(h, &cr);
		}
		fk_rig_snapshot_free(h->rig, p.snap);
		if (res->failures != failures)
			break;
	}
	return res->failures - failures;
}

/* ---- the sweep ---- */

/* The cut-free steps after a recovery: the device still updates. */
static bool follow_up(struct fk_history *h, uint32_t s, uint32_t follow,
		      char *then, size_t len, struct fk_history_result *res)
{
	for (uint32_t k = s + 1; k <= s + follow && k < h->steps; k++) {
		struct run fr;
		char step[300];

		count_kind(res, &h->plan[k]);
		run_step(h, k, NULL, &fr);
		res->ops += h->rig->op - fr.op0;
		if (fr.error[0] ||
		    !(expect(&fr, fr.st, step_mode(&fr), NULL) & fr.final)) {
			describe_step(h, k, step, sizeof(step));
			snprintf(then, len,
				 "recovered, but then %.200s "
				 "failed: %.250s",
				 step,
				 fr.error[0] ? fr.error :
					       "settled on the wrong images");
			return false;
		}
		advance(h, &fr);
	}
	return true;
}

static void sweep_step(struct fk_history *h, uint32_t s,
		       const struct fk_history_sweep *sw, const struct point *p,
		       const struct run *ref, struct fk_history_result *res)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };

	for (uint64_t op = ref->op0; op < ref->end_op; op++) {
		for (int k = 0; k < 3; k++) {
			struct cut c = { op, kinds[k],
					 h->cfg.seed ^ (op * 3 + (uint64_t)k) };
			char then[500] = "";
			struct run cr;

			back(h, p);
			count_kind(res, &h->plan[s]);
			run_step(h, s, &c, &cr);
			if (!cr.error[0]) {
				advance(h, &cr);
				follow_up(h, s, sw->follow, then, sizeof(then),
					  res);
			}
			record(h, &cr, ref, &c, then[0] ? then : NULL, res);
		}
	}
}

uint64_t fk_history_sweep(struct fk_history *h,
			  const struct fk_history_sweep *sw,
			  struct fk_history_result *res)
{
	uint64_t failures = res->failures;
	uint32_t last = sw->count ? sw->first + sw->count : h->steps;
	bool swept_kind[FK_HISTORY_KIND_COUNT] = { false };

	last = last < h->steps ? last : h->steps;
	for (uint32_t s = 0; s < last; s++) {
		struct run ref;
		struct point p;

		if (!take(h, &p))
			break;
		count_kind(res, &h->plan[s]);
		run_step(h, s, NULL, &ref);
		if (!record(h, &ref, &ref, NULL, NULL, res)) {
			fk_rig_snapshot_free(h->rig, p.snap);
			break;
		}
		advance(h, &ref);
		if (s >= sw->first &&
		    !(sw->once_per_kind && swept_kind[h->plan[s].kind])) {
			struct fk_rig_snapshot *next = fk_rig_snapshot(h->rig);
			uint32_t running[FK_BOOT_MAX_IMAGES];

			memcpy(running, h->running, sizeof(running));
			swept_kind[h->plan[s].kind] = true;
			sweep_step(h, s, sw, &p, &ref, res);
			if (next)
				fk_rig_restore(h->rig, next);
			memcpy(h->running, running, sizeof(running));
			fk_rig_snapshot_free(h->rig, next);
		}
		fk_rig_snapshot_free(h->rig, p.snap);
		if (sw->progress && !sw->progress(sw->progress_ctx, s, res))
			break;
	}
	return res->failures - failures;
}
