/*
 * The power-cut sweep (rig.h): the power domain wrapped around the
 * simulators, the scenario set-up through the real update API, one life of
 * the device (boots and application steps until it settles), the checks
 * after every boot, the expected outcome of each cut, and the sweep.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"
#include "flashkit/update.h"

#define LIFE_MAX_BOOTS 10
#define NONE UINT64_MAX

enum outcome { OUT_OLD = 1, OUT_NEW = 2, OUT_EITHER = 3 };

/* What one life showed. */
struct life {
	int final;             /* set the device settled on: OUT_OLD/NEW */
	uint64_t attempt_op;   /* op index of the first ATTEMPT record seen */
	uint64_t confirm_op;   /* op index of the app's confirm */
	uint64_t end_op;
	uint64_t cut_at;       /* where the first cut was (NONE: no cut) */
	char error[200];       /* "" when every check passed */
};

/* ---- the power domain ---- */

static struct fk_rig_memory *mem_of(const struct fk_flash *flash)
{
	return (struct fk_rig_memory *)flash;
}

/* Counts one program/erase in the domain; arms the simulator's own cut
 * when this is the scheduled one. */
static int domain_op(struct fk_rig_memory *m)
{
	struct fk_rig *rig = m->rig;
	uint64_t index = rig->op++;

	if (rig->power_lost)
		return FK_EPOWER;
	if (rig->cut_armed && index == rig->cut_op) {
		rig->cut_armed = false;
		fk_sim_schedule_cut(m->sim, fk_sim_op_index(m->sim),
				    rig->cut_kind, FK_TEAR_SEEDED,
				    rig->cut_seed);
	}
	return FK_OK;
}

static int after_op(struct fk_rig_memory *m, int rc)
{
	if (fk_sim_power_lost(m->sim))
		m->rig->power_lost = true;
	return rc;
}

static int rig_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	struct fk_rig_memory *m = mem_of(flash);

	if (m->rig->power_lost)
		return FK_EPOWER;
	return fk_flash_read(fk_sim_flash(m->sim), off, buf, len);
}

static int rig_program(const struct fk_flash *flash, uint32_t off,
		       const void *buf, uint32_t len)
{
	struct fk_rig_memory *m = mem_of(flash);
	int rc = domain_op(m);

	if (rc != FK_OK)
		return rc;
	return after_op(m, fk_flash_program(fk_sim_flash(m->sim), off, buf,
					    len));
}

static int rig_erase(const struct fk_flash *flash, uint32_t off,
		     uint32_t sector_size)
{
	struct fk_rig_memory *m = mem_of(flash);
	int rc = domain_op(m);

	if (rc != FK_OK)
		return rc;
	return after_op(m, fk_flash_erase(fk_sim_flash(m->sim), off,
					  sector_size));
}

static const struct fk_flash_ops rig_ops = {
	.read = rig_read,
	.program = rig_program,
	.erase_sector = rig_erase,
};

int fk_rig_add_memory(struct fk_rig *rig, const struct fk_sim_config *config)
{
	struct fk_rig_memory *m;

	if (rig->mem_count >= FK_RIG_MAX_MEMORIES)
		return -1;
	m = &rig->mem[rig->mem_count];
	m->sim = fk_sim_create(config);
	if (!m->sim)
		return -1;
	m->rig = rig;
	m->flash.geo = fk_sim_flash(m->sim)->geo;
	m->flash.ops = &rig_ops;
	m->flash.ctx = m;
	rig->mem_count++;
	return 0;
}

void fk_rig_destroy(struct fk_rig *rig)
{
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_destroy(rig->mem[i].sim);
	for (uint32_t i = 0; i < FK_BOOT_MAX_IMAGES; i++) {
		free(rig->old_img[i]);
		free(rig->new_img[i]);
	}
	free(rig->buf);
	memset(rig, 0, sizeof(*rig));
}

uint32_t fk_rig_memory_of(const struct fk_rig *rig, const struct fk_area *a)
{
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		if (a->flash == &rig->mem[i].flash)
			return i;
	}
	return 0;
}

static void power_on(struct fk_rig *rig)
{
	rig->power_lost = false;
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_reboot(rig->mem[i].sim);
}

/* ---- snapshots of the whole rig ---- */

struct rig_snap {
	struct fk_sim_snapshot *mem[FK_RIG_MAX_MEMORIES];
	uint64_t op;
};

static int snap_take(const struct fk_rig *rig, struct rig_snap *s)
{
	s->op = rig->op;
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		s->mem[i] = fk_sim_snapshot_take(rig->mem[i].sim);
		if (!s->mem[i])
			return -1;
	}
	return 0;
}

static void snap_restore(struct fk_rig *rig, const struct rig_snap *s)
{
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_snapshot_restore(rig->mem[i].sim, s->mem[i]);
	rig->op = s->op;
	rig->cut_armed = false;
	rig->power_lost = false;
}

static void snap_free(const struct fk_rig *rig, struct rig_snap *s)
{
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_snapshot_free(s->mem[i]);
}

/* ---- signature checks, remembered ----
 *
 * A sweep validates the same two image sets tens of thousands of times.
 * The digest is recomputed from flash every time (that is what a cut can
 * change); the signature check is a pure function of (key, digest,
 * signature), so its result is remembered per exact input and the
 * expensive ECDSA/RSA arithmetic runs once per distinct input. */

#define MEMO_MAX 16

struct memo_entry {
	int alg;
	const uint8_t *key;
	size_t key_len;
	uint8_t hash[FK_SHA256_SIZE];
	uint8_t sig[FK_IMAGE_SIG_MAX];
	size_t sig_len;
	int result;
};

static const struct fk_crypto_port *memo_inner;
static struct memo_entry memo[MEMO_MAX];
static uint32_t memo_count, memo_next;

typedef int (*verify_fn)(const uint8_t *, size_t, const uint8_t *,
			 const uint8_t *, size_t);

static int memo_verify(int alg, verify_fn fn, const uint8_t *key,
		       size_t key_len, const uint8_t hash[FK_SHA256_SIZE],
		       const uint8_t *sig, size_t sig_len)
{
	struct memo_entry *e;

	if (!fn)
		return FK_ENOTSUP;
	for (uint32_t i = 0; i < memo_count; i++) {
		e = &memo[i];
		if (e->alg == alg && e->key == key && e->key_len == key_len &&
		    e->sig_len == sig_len &&
		    !memcmp(e->hash, hash, FK_SHA256_SIZE) &&
		    !memcmp(e->sig, sig, sig_len))
			return e->result;
	}
	if (sig_len > FK_IMAGE_SIG_MAX)
		return fn(key, key_len, hash, sig, sig_len);
	e = &memo[memo_next];
	memo_next = (memo_next + 1) % MEMO_MAX;
	if (memo_count < MEMO_MAX)
		memo_count++;
	e->alg = alg;
	e->key = key;
	e->key_len = key_len;
	memcpy(e->hash, hash, FK_SHA256_SIZE);
	memcpy(e->sig, sig, sig_len);
	e->sig_len = sig_len;
	e->result = fn(key, key_len, hash, sig, sig_len);
	return e->result;
}

static int memo_sha_init(union fk_sha256_state *st)
{
	return memo_inner->sha256_init(st);
}

static int memo_sha_update(union fk_sha256_state *st, const void *d, size_t n)
{
	return memo_inner->sha256_update(st, d, n);
}

static int memo_sha_finish(union fk_sha256_state *st,
			   uint8_t out[FK_SHA256_SIZE])
{
	return memo_inner->sha256_finish(st, out);
}

static int memo_ecdsa(const uint8_t *key, size_t key_len,
		      const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
		      size_t sig_len)
{
	return memo_verify(1, memo_inner->ecdsa_p256_verify, key, key_len,
			   hash, sig, sig_len);
}

static int memo_rsa(const uint8_t *key, size_t key_len,
		    const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
		    size_t sig_len)
{
	return memo_verify(2, memo_inner->rsa2048_pss_verify, key, key_len,
			   hash, sig, sig_len);
}

static int memo_ed25519(const uint8_t *key, size_t key_len,
			const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			size_t sig_len)
{
	return memo_verify(3, memo_inner->ed25519_verify, key, key_len, hash,
			   sig, sig_len);
}

static const struct fk_crypto_port memo_port = {
	.sha256_init = memo_sha_init,
	.sha256_update = memo_sha_update,
	.sha256_finish = memo_sha_finish,
	.ecdsa_p256_verify = memo_ecdsa,
	.rsa2048_pss_verify = memo_rsa,
	.ed25519_verify = memo_ed25519,
};

/* Puts the remembering port in front of the configuration's crypto. */
static void use_memo(struct fk_rig *rig)
{
	if (!rig->cfg.keys || rig->cfg.keys->crypto == &memo_port)
		return;
	memo_inner = rig->cfg.keys->crypto;
	memo_count = memo_next = 0;
	rig->memo_keys = *rig->cfg.keys;
	rig->memo_keys.crypto = &memo_port;
	rig->cfg.keys = &rig->memo_keys;
}

/* ---- the hooks: which images did the bootloader start? ---- */

static bool slot_holds(const struct fk_area *slot, const uint8_t *img,
		       size_t len)
{
	uint8_t buf[512];

	for (size_t off = 0; off < len; off += sizeof(buf)) {
		uint32_t n = len - off < sizeof(buf) ? (uint32_t)(len - off) :
						       (uint32_t)sizeof(buf);

		if (fk_area_read(slot, (uint32_t)off, buf, n) != FK_OK ||
		    memcmp(buf, img + off, n) != 0)
			return false;
	}
	return true;
}

static void hook_jump(void *ctx, const struct fk_boot_image_ref *refs,
		      uint32_t count)
{
	struct fk_rig *rig = ctx;
	int set = 0;

	for (uint32_t i = 0; i < count; i++) {
		int which = 0;

		if (slot_holds(refs[i].slot, rig->old_img[i], rig->old_len[i]))
			which = OUT_OLD;
		else if (slot_holds(refs[i].slot, rig->new_img[i],
				    rig->new_len[i]))
			which = OUT_NEW;
		if (which == 0 || (set && which != set)) {
			set = -1;
			break;
		}
		set = which;
	}
	rig->jumped = set;
}

static void hook_recovery(void *ctx, int reason)
{
	struct fk_rig *rig = ctx;

	rig->recovery_reason = reason ? reason : FK_EINVAL;
}

/* ---- one life ---- */

static void life_fail(struct life *lf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void life_fail(struct life *lf, const char *fmt, ...)
{
	va_list ap;

	if (lf->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(lf->error, sizeof(lf->error), fmt, ap);
	va_end(ap);
}

/* What the application does after a boot: confirm a TEST image in the
 * INSTALL scenario. */
static void app_step(struct fk_rig *rig, enum fk_rig_scenario scenario,
		     struct life *lf)
{
	struct fk_boot_status st;

	if (scenario != FK_SCENARIO_INSTALL || rig->jumped != OUT_NEW ||
	    fk_boot_status(&rig->cfg, &st) != FK_OK ||
	    st.phase != FK_BOOT_TRIAL)
		return;
	if (lf->confirm_op == NONE)
		lf->confirm_op = rig->op;
	if (fk_boot_confirm(&rig->cfg) != FK_OK && !rig->power_lost)
		life_fail(lf, "fk_boot_confirm failed with power on");
}

/* One boot; returns 1 when it settled the device, 0 to go on, -1 on a
 * failed check. second_* is a cut armed at the first reboot. */
static int one_boot(struct fk_rig *rig, enum fk_rig_scenario scenario,
		    struct life *lf)
{
	struct fk_boot_status before, after;
	uint64_t op0 = rig->op;
	int rc;

	rig->jumped = 0;
	rig->recovery_reason = 0;
	if (fk_boot_status(&rig->cfg, &before) != FK_OK) {
		life_fail(lf, "boot state unreadable after power-on");
		return -1;
	}
	rc = fk_boot(&rig->cfg);
	if (rig->power_lost)
		return 0;
	if (rc != FK_OK || rig->recovery_reason) {
		life_fail(lf, "boot %d with power on: recovery (%s)", rc,
			  fk_strerror(rig->recovery_reason ?
					      rig->recovery_reason : rc));
		return -1;
	}
	if (rig->jumped <= 0) {
		life_fail(lf, "booted a mix of old and new images, or an "
			      "image that is neither");
		return -1;
	}
	if (fk_boot_status(&rig->cfg, &after) != FK_OK)
		return -1;
	if (after.phase == FK_BOOT_TRIAL && after.attempts > before.attempts &&
	    lf->attempt_op == NONE && rig->op > op0)
		lf->attempt_op = rig->op - 1;
	app_step(rig, scenario, lf);
	if (rig->power_lost || lf->error[0])
		return lf->error[0] ? -1 : 0;
	if (fk_boot_status(&rig->cfg, &after) != FK_OK)
		return -1;
	return after.phase == FK_BOOT_IDLE;
}

/* A settled device boots the same images again without writing. */
static void check_settled(struct fk_rig *rig, struct life *lf)
{
	int jumped = rig->jumped;
	uint64_t op0 = rig->op;

	rig->jumped = 0;
	if (fk_boot(&rig->cfg) != FK_OK || rig->jumped != jumped)
		life_fail(lf, "settled device boots something else next time");
	else if (rig->op != op0)
		life_fail(lf, "settled device still writes flash at boot");
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		if (fk_sim_violations(rig->mem[i].sim))
			life_fail(lf, "wrote the protected bootloader");
	}
}

struct cut {
	uint64_t op;
	enum fk_cut_kind kind;
	uint64_t seed;
};

static void arm(struct fk_rig *rig, const struct cut *c)
{
	rig->cut_armed = c->op != NONE;
	rig->cut_op = c->op;
	rig->cut_kind = c->kind;
	rig->cut_seed = c->seed;
}

/* first and second carry the seeds of their torn content: a double-cut
 * life repeats its single-cut life exactly up to the second cut. */
static void run_life(struct fk_rig *rig, enum fk_rig_scenario scenario,
		     const struct cut *first, const struct cut *second,
		     struct life *lf)
{
	bool second_armed = false;

	memset(lf, 0, sizeof(*lf));
	lf->attempt_op = lf->confirm_op = lf->cut_at = NONE;
	arm(rig, first);
	for (int boot = 0; boot < LIFE_MAX_BOOTS; boot++) {
		int rc;

		if (rig->power_lost) {
			if (lf->cut_at == NONE)
				lf->cut_at = first->op;
			power_on(rig);
			if (second && !second_armed) {
				arm(rig, second);
				second_armed = true;
			}
		}
		rc = one_boot(rig, scenario, lf);
		if (rc < 0)
			return;
		if (rc == 1) {
			lf->final = rig->jumped;
			lf->end_op = rig->op;
			check_settled(rig, lf);
			return;
		}
	}
	life_fail(lf, "device did not settle within %d boots",
		  LIFE_MAX_BOOTS);
}

/* ---- expected outcomes ---- */

/* Where a cut lands relative to the trial's ATTEMPT record (A) and the
 * application's confirmation (C) decides the INSTALL scenario: before A
 * the install completes and the app confirms; between A and C the trial
 * boot was used without a confirmation, so the next boot reverts; after
 * C the image is confirmed. A torn A or C may have landed or not. */
static int expect_install(const struct cut *c, uint64_t a, uint64_t conf)
{
	if (c->op == NONE)
		return OUT_NEW;
	if (c->op == a && c->kind == FK_CUT_TORN)
		return OUT_EITHER;
	if (c->op == conf && c->kind == FK_CUT_TORN)
		return OUT_EITHER;
	if (c->op < a || (c->op == a && c->kind == FK_CUT_BEFORE))
		return OUT_NEW;
	if (c->op < conf || (c->op == conf && c->kind == FK_CUT_BEFORE))
		return OUT_OLD;
	return OUT_NEW;
}

static int expect(enum fk_rig_scenario scenario, const struct cut *c,
		  uint64_t a, uint64_t conf)
{
	switch (scenario) {
	case FK_SCENARIO_INSTALL:
		return expect_install(c, a, conf);
	case FK_SCENARIO_REVERT:
		return OUT_OLD;
	case FK_SCENARIO_PERMANENT:
		return OUT_NEW;
	case FK_SCENARIO_FACTORY:
		return OUT_OLD;
	}
	return OUT_EITHER;
}

static const char *kind_name(enum fk_cut_kind k)
{
	return k == FK_CUT_BEFORE ? "before" : k == FK_CUT_AFTER ? "after" :
								  "torn";
}

static const char *outcome_name(int o)
{
	return o == OUT_OLD ? "old" : o == OUT_NEW ? "new" : "old or new";
}

static void record(struct fk_rig_result *res, const struct life *lf,
		   int want, const struct cut *c1, const struct cut *c2)
{
	char where[96];
	const char *err = lf->error;
	char buf[160];

	res->cases++;
	if (!err[0] && !(want & lf->final)) {
		snprintf(buf, sizeof(buf), "settled on the %s images, %s "
			 "expected", outcome_name(lf->final),
			 outcome_name(want));
		err = buf;
	}
	if (!err[0])
		return;
	res->failures++;
	if (res->first_failure[0])
		return;
	if (c2)
		snprintf(where, sizeof(where), "cut %s op %llu, then %s op %llu",
			 kind_name(c1->kind), (unsigned long long)c1->op,
			 kind_name(c2->kind), (unsigned long long)c2->op);
	else
		snprintf(where, sizeof(where), "cut %s op %llu",
			 kind_name(c1->kind), (unsigned long long)c1->op);
	snprintf(res->first_failure, sizeof(res->first_failure), "%s: %s",
		 where, err);
}

/* ---- set-up and cost ---- */

static uint32_t sector_total(const struct fk_rig *rig)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < rig->mem_count; i++)
		n += fk_flash_sector_count(&rig->mem[i].flash);
	return n;
}

static void wear_take(const struct fk_rig *rig, uint32_t *wear)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < rig->mem_count; i++) {
		uint32_t n = fk_flash_sector_count(&rig->mem[i].flash);

		for (uint32_t s = 0; s < n; s++)
			wear[k++] = fk_sim_sector_erases(rig->mem[i].sim, s);
	}
}

struct cost_probe {
	struct fk_sim_stats stats[FK_RIG_MAX_MEMORIES];
	uint32_t *wear;
	uint64_t op;
};

static int cost_begin(const struct fk_rig *rig, struct cost_probe *p)
{
	p->wear = calloc(sector_total(rig), sizeof(*p->wear));
	if (!p->wear)
		return -1;
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_get_stats(rig->mem[i].sim, &p->stats[i]);
	wear_take(rig, p->wear);
	p->op = rig->op;
	return 0;
}

static void cost_end(const struct fk_rig *rig, struct cost_probe *p,
		     struct fk_rig_cost *out)
{
	uint32_t *now = calloc(sector_total(rig), sizeof(*now));
	uint32_t k = 0;

	memset(out, 0, sizeof(*out));
	out->ops = rig->op - p->op;
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		struct fk_sim_stats s;

		fk_sim_get_stats(rig->mem[i].sim, &s);
		out->erases += s.erases - p->stats[i].erases;
		out->bytes_programmed += s.bytes_programmed -
					 p->stats[i].bytes_programmed;
		out->est_us += s.est_us - p->stats[i].est_us;
	}
	if (now) {
		wear_take(rig, now);
		for (uint32_t i = 0; i < rig->mem_count; i++) {
			uint32_t n = fk_flash_sector_count(&rig->mem[i].flash);

			for (uint32_t s = 0; s < n; s++, k++) {
				uint32_t d = now[k] - p->wear[k];

				if (d > out->max_sector_erases) {
					out->max_sector_erases = d;
					out->max_sector_memory = i;
					out->max_sector_index = s;
				}
			}
		}
	}
	free(now);
	free(p->wear);
	p->wear = NULL;
}

/* Direct write of production content, not counted, not cut. */
void fk_rig_program_direct(struct fk_rig *rig, const struct fk_area *a,
			   const uint8_t *data, size_t len, uint8_t fill)
{
	uint8_t *mem = fk_sim_data(rig->mem[fk_rig_memory_of(rig, a)].sim);

	memset(mem + a->off, fill, a->size);
	if (data)
		memcpy(mem + a->off, data, len);
}

/* Uploads image i through the update API, in odd-sized pieces. */
int fk_rig_upload(struct fk_rig *rig, uint32_t i)
{
	struct fk_update u;
	size_t off = 0;
	int rc = fk_update_begin(&u, &rig->cfg, i);

	while (rc == FK_OK && off < rig->new_len[i]) {
		uint32_t n = rig->new_len[i] - off < 1000 ?
				     (uint32_t)(rig->new_len[i] - off) :
				     1000;

		rc = fk_update_write(&u, (uint32_t)off, rig->new_img[i] + off,
				     n);
		off += n;
	}
	return rc == FK_OK ? fk_update_finish(&u) : rc;
}

/* The factory scenario's start: the old images in the factory slots,
 * the primary slots holding them with one payload byte flipped. */
static int setup_factory(struct fk_rig *rig, struct fk_rig_result *res)
{
	struct fk_boot_config *cfg = &rig->cfg;

	for (uint32_t i = 0; i < cfg->image_count; i++) {
		const struct fk_area *p = &cfg->images[i].primary;

		if (cfg->images[i].factory.size == 0) {
			snprintf(res->first_failure, sizeof(res->first_failure),
				 "image %u has no factory slot", i);
			return -1;
		}
		fk_rig_program_direct(rig, &cfg->images[i].factory,
				      rig->old_img[i], rig->old_len[i],
				      cfg->state.flash->geo.erased_value);
		fk_sim_data(rig->mem[fk_rig_memory_of(rig, p)].sim)
			[p->off + rig->old_len[i] / 2] ^= 0x10;
	}
	return 0;
}

/* The start of every life: old images running (production-programmed,
 * nothing in the boot state), stale bytes in the staging slots, the new
 * images uploaded and pending. */
static int setup(struct fk_rig *rig, const struct fk_rig_sweep *sw,
		 struct fk_rig_result *res)
{
	struct fk_boot_config *cfg = &rig->cfg;
	enum fk_boot_mode mode = sw->scenario == FK_SCENARIO_PERMANENT ?
					 FK_BOOT_PERMANENT :
					 FK_BOOT_TEST;
	struct cost_probe probe;
	int rc = FK_OK;

	fk_rig_prepare(rig);
	if (sw->scenario == FK_SCENARIO_FACTORY)
		return setup_factory(rig, res);
	if (cost_begin(rig, &probe) != 0)
		return -1;
	for (uint32_t i = 0; rc == FK_OK && i < cfg->image_count; i++)
		rc = fk_rig_upload(rig, i);
	if (rc == FK_OK)
		rc = fk_boot_set_pending(cfg, (1u << cfg->image_count) - 1,
					 mode);
	cost_end(rig, &probe, &res->update);
	if (rc != FK_OK) {
		snprintf(res->first_failure, sizeof(res->first_failure),
			 "setting up the update failed: %s", fk_strerror(rc));
		return -1;
	}
	return 0;
}

void fk_rig_hooks(struct fk_rig *rig)
{
	rig->cfg.port.jump = hook_jump;
	rig->cfg.port.recovery = hook_recovery;
	rig->cfg.port.ctx = rig;
}

void fk_rig_prepare(struct fk_rig *rig)
{
	struct fk_boot_config *cfg = &rig->cfg;
	uint8_t erased = cfg->state.flash->geo.erased_value;

	use_memo(rig);
	if (!rig->buf) {
		rig->buf = malloc(cfg->buf_len);
		cfg->buf = rig->buf;
	}
	fk_rig_hooks(rig);
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		fk_rig_program_direct(rig, &cfg->images[i].primary,
				      rig->old_img[i], rig->old_len[i], erased);
		fk_rig_program_direct(rig, &cfg->images[i].secondary, NULL, 0,
				      0x5A);
	}
	fk_rig_program_direct(rig, &cfg->state, NULL, 0, erased);
}

int fk_rig_boot(struct fk_rig *rig)
{
	int rc;

	if (rig->power_lost)
		power_on(rig);
	rig->jumped = 0;
	rig->recovery_reason = 0;
	rc = fk_boot(&rig->cfg);
	if (rc != FK_OK)
		return rc;
	return rig->jumped == OUT_OLD ? FK_RIG_BOOTED_OLD :
	       rig->jumped == OUT_NEW ? FK_RIG_BOOTED_NEW :
					FK_RIG_BOOTED_OTHER;
}

void fk_rig_arm_cut(struct fk_rig *rig, uint64_t op, enum fk_cut_kind kind,
		    uint64_t seed)
{
	struct cut c = { op, kind, seed };

	arm(rig, &c);
}

struct fk_rig_snapshot *fk_rig_snapshot(const struct fk_rig *rig)
{
	struct rig_snap *s = calloc(1, sizeof(*s));

	if (s && snap_take(rig, s) != 0) {
		snap_free(rig, s);
		free(s);
		s = NULL;
	}
	return (struct fk_rig_snapshot *)s;
}

void fk_rig_restore(struct fk_rig *rig, const struct fk_rig_snapshot *snap)
{
	snap_restore(rig, (const struct rig_snap *)snap);
}

void fk_rig_snapshot_free(const struct fk_rig *rig, struct fk_rig_snapshot *snap)
{
	if (snap)
		snap_free(rig, (struct rig_snap *)snap);
	free(snap);
}

void fk_rig_power_on(struct fk_rig *rig)
{
	power_on(rig);
}

/* ---- the sweep ---- */

static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
					  FK_CUT_TORN };

static uint64_t after(uint64_t op, uint64_t cut)
{
	return op != NONE && op > cut ? op : NONE;
}

static void sweep_doubles(struct fk_rig *rig, const struct fk_rig_sweep *sw,
			  const struct rig_snap *start, const struct cut *c1,
			  const struct life *l1, int want1,
			  struct fk_rig_result *res)
{
	for (uint64_t op2 = c1->op + 1; op2 < l1->end_op; op2++) {
		for (int k = 0; k < 3; k++) {
			struct cut c2 = { op2, kinds[k],
					  c1->seed * 1000003 + op2 * 3 + (uint64_t)k };
			struct life l2;
			int want = want1;

			/* Only a cut that let the install go on can be
			 * changed by a second one, relative to the trial
			 * steps of the recovery. */
			if (want1 == OUT_NEW)
				want = expect(sw->scenario, &c2,
					      after(l1->attempt_op, c1->op),
					      after(l1->confirm_op, c1->op));
			snap_restore(rig, start);
			run_life(rig, sw->scenario, c1, &c2, &l2);
			record(res, &l2, want, c1, &c2);
			res->double_cuts++;
		}
	}
}

int fk_rig_sweep(struct fk_rig *rig, const struct fk_rig_sweep *sw,
		 struct fk_rig_result *res)
{
	struct rig_snap start = { 0 };
	struct cost_probe probe;
	struct cut none = { NONE, FK_CUT_BEFORE, 0 };
	struct life ref;

	memset(res, 0, sizeof(*res));
	if (setup(rig, sw, res) != 0 || snap_take(rig, &start) != 0) {
		snap_free(rig, &start);
		return -1;
	}
	if (cost_begin(rig, &probe) != 0)
		return -1;
	run_life(rig, sw->scenario, &none, NULL, &ref);
	cost_end(rig, &probe, &res->life);
	record(res, &ref, expect(sw->scenario, &none, NONE, NONE), &none, NULL);
	if (res->failures || sw->no_cuts) {
		snap_free(rig, &start);
		return 0;
	}
	for (uint64_t op = start.op; op < ref.end_op; op++) {
		for (int k = 0; k < 3; k++) {
			struct cut c1 = { op, kinds[k], op * 3 + (uint64_t)k + 1 };
			struct life l1;
			int want1 = expect(sw->scenario, &c1, ref.attempt_op,
					   ref.confirm_op);

			snap_restore(rig, &start);
			run_life(rig, sw->scenario, &c1, NULL, &l1);
			record(res, &l1, want1, &c1, NULL);
			res->single_cuts++;
			if (!sw->double_cuts || l1.error[0] ||
			    (sw->double_stride &&
			     (op - start.op) % sw->double_stride))
				continue;
			sweep_doubles(rig, sw, &start, &c1, &l1, want1, res);
		}
	}
	snap_free(rig, &start);
	return 0;
}
