/*
 * The power-cut sweep (rig.h): the power domain wrapped around the
 * simulators, the traces that let a case start at its cut instead of at
 * the start of the life, the scenario set-up through the real update API,
 * one life of the device (boots and application steps until it settles),
 * the checks after every boot, the expected outcome of each cut, and the
 * sweep of single cuts and of double cuts (all, or a seeded sample).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig.h"
#include "flashkit/update.h"

#define LIFE_MAX_BOOTS 10
#define NONE UINT64_MAX

enum outcome { OUT_OLD = 1, OUT_NEW = 2, OUT_EITHER = 3 };

/* How far a life has got: all a case needs, with the memories, to go on
 * from any operation of a recorded run. */
struct progress {
	int boot;	     /* boots begun, minus one */
	uint64_t attempt_op; /* op index of the first ATTEMPT record seen */
	uint64_t confirm_op; /* op index of the app's confirm */
};

/* What one life showed. */
struct life {
	struct progress at;
	int final; /* set the device settled on: OUT_OLD/NEW */
	uint64_t end_op;
	char error[200]; /* "" when every check passed */
};

static void trace_op(struct fk_rig *rig, uint64_t index, uint32_t mem,
		     uint32_t off, const void *buf, uint32_t len, bool erase);
static void arm_cut(struct fk_rig_memory *m, uint32_t len, bool erase);
static void memo_forget(void);

/* ---- the power domain ---- */

static struct fk_rig_memory *mem_of(const struct fk_flash *flash)
{
	return (struct fk_rig_memory *)flash;
}

/* Counts one program/erase that reaches a memory (none while the power
 * is off, though the code under test may go on calling), records it when
 * a run is traced, and arms the simulator's own cut when this is the
 * scheduled one. */
static int domain_op(struct fk_rig_memory *m, uint32_t off, const void *buf,
		     uint32_t len, bool erase)
{
	struct fk_rig *rig = m->rig;
	uint64_t index;

	if (rig->power_lost)
		return FK_EPOWER;
	index = rig->op++;
	if (rig->trace)
		trace_op(rig, index, (uint32_t)(m - rig->mem), off, buf, len,
			 erase);
	if (rig->cut_armed && index == rig->cut_op) {
		rig->cut_armed = false;
		arm_cut(m, len, erase);
	}
	return FK_OK;
}

/* Schedules the rig's cut on the memory's simulator: at its next
 * operation, or through a driver (fk_rig_add_device) at the driver's
 * first operation (before), at one of its units (torn) or, for after,
 * not at all: after_op cuts when the driver returns. */
static void arm_cut(struct fk_rig_memory *m, uint32_t len, bool erase)
{
	struct fk_rig *rig = m->rig;
	uint64_t at = fk_sim_op_index(m->sim);

	if (m->dev) {
		m->cut_pending = true;
		if (rig->cut_kind == FK_CUT_AFTER)
			return;
		if (rig->cut_kind == FK_CUT_TORN && !erase)
			at += rig->cut_seed % (len / m->dev->geo.write_unit);
	}
	fk_sim_schedule_cut(m->sim, at, rig->cut_kind, FK_TEAR_SEEDED,
			    rig->cut_seed);
}

static int after_op(struct fk_rig_memory *m, int rc)
{
	if (m->cut_pending) {
		m->cut_pending = false;
		if (!fk_sim_power_lost(m->sim)) {
			fk_sim_cancel_cut(m->sim);
			m->rig->power_lost = true;
			return FK_EPOWER;
		}
	}
	if (fk_sim_power_lost(m->sim))
		m->rig->power_lost = true;
	return rc;
}

/* What the code under test reaches: the driver, or the simulator. */
static const struct fk_flash *target(const struct fk_rig_memory *m)
{
	return m->dev ? m->dev : fk_sim_flash(m->sim);
}

static int rig_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	struct fk_rig_memory *m = mem_of(flash);

	if (m->rig->power_lost)
		return FK_EPOWER;
	return fk_flash_read(target(m), off, buf, len);
}

static int rig_program(const struct fk_flash *flash, uint32_t off,
		       const void *buf, uint32_t len)
{
	struct fk_rig_memory *m = mem_of(flash);
	int rc = domain_op(m, off, buf, len, false);

	if (rc != FK_OK)
		return rc;
	return after_op(m, fk_flash_program(target(m), off, buf, len));
}

static int rig_erase(const struct fk_flash *flash, uint32_t off,
		     uint32_t sector_size)
{
	struct fk_rig_memory *m = mem_of(flash);
	int rc = domain_op(m, off, NULL, sector_size, true);

	if (rc != FK_OK)
		return rc;
	return after_op(m, fk_flash_erase(target(m), off, sector_size));
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

int fk_rig_add_device(struct fk_rig *rig, struct fk_sim *sim,
		      const struct fk_flash *dev)
{
	struct fk_rig_memory *m;

	if (rig->mem_count >= FK_RIG_MAX_MEMORIES || dev->geo.write_unit == 0)
		return -1;
	m = &rig->mem[rig->mem_count++];
	m->sim = sim;
	m->dev = dev;
	m->rig = rig;
	m->flash.geo = dev->geo;
	m->flash.ops = &rig_ops;
	m->flash.ctx = m;
	return 0;
}

void fk_rig_destroy(struct fk_rig *rig)
{
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		if (!rig->mem[i].dev)
			fk_sim_destroy(rig->mem[i].sim);
	}
	for (uint32_t i = 0; i < FK_BOOT_MAX_IMAGES; i++) {
		free(rig->old_img[i]);
		free(rig->new_img[i]);
		free(rig->old_plain[i]);
		free(rig->new_plain[i]);
		free(rig->ram[i]);
	}
	free(rig->buf);
	if (rig->cfg.keys == &rig->memo_keys)
		memo_forget();
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
	for (uint32_t i = 0; i < rig->mem_count; i++) {
		fk_sim_snapshot_restore(rig->mem[i].sim, s->mem[i]);
		rig->mem[i].cut_pending = false;
	}
	rig->op = s->op;
	rig->cut_armed = false;
	rig->power_lost = false;
}

static void snap_free(const struct fk_rig *rig, struct rig_snap *s)
{
	for (uint32_t i = 0; i < rig->mem_count; i++)
		fk_sim_snapshot_free(s->mem[i]);
}

/* ---- traces: one forward run, recorded ----
 *
 * While a run is traced, every operation that reaches a memory is kept
 * (which memory, where, the bytes programmed) with the life's progress
 * at that moment, and the whole rig is snapshotted before some of them:
 * at a stride that doubles whenever the snapshots would pass their memory
 * budget, or exactly before the operations a caller names. A case cut at
 * operation N then restores the last snapshot at or before N, replays the
 * recorded operations up to N straight into the simulators (the run is
 * deterministic: the same operations, the same bytes), issues N with the
 * cut armed, and goes on with the life from where it was. */

#define SNAP_BUDGET (48u << 20) /* bytes of snapshots per trace */

struct op_rec {
	uint32_t off;
	uint32_t len; /* program: bytes; erase: the sector size */
	uint32_t mem;
	bool erase;
	size_t data;	    /* program: offset of its bytes in data */
	struct progress at; /* the life when it was issued */
};

struct fk_rig_trace {
	uint64_t first; /* op index of ops[0] */
	struct op_rec *ops;
	size_t n, cap;
	uint8_t *data;
	size_t data_len, data_cap;
	struct rig_snap *snaps; /* in op order; snaps[i].op: taken before it */
	size_t snap_n, snap_cap, snap_max;
	uint64_t stride;
	const uint64_t *want; /* when set: snapshots before exactly these
			       * (sorted), instead of the stride */
	size_t want_n, want_next;
	const struct life *lf; /* the life being recorded */
	bool failed;	       /* memory ran out */
};

static size_t snap_bytes(const struct fk_rig *rig)
{
	size_t n = sizeof(struct rig_snap);

	for (uint32_t i = 0; i < rig->mem_count; i++) {
		const struct fk_flash_geometry *g = &rig->mem[i].flash.geo;

		n += g->size + g->size / g->write_unit +
		     4 * fk_flash_sector_count(&rig->mem[i].flash);
	}
	return n;
}

static void trace_init(struct fk_rig_trace *t, const struct fk_rig *rig,
		       uint64_t first, const uint64_t *want, size_t want_n)
{
	memset(t, 0, sizeof(*t));
	t->first = first;
	t->stride = 1;
	t->want = want;
	t->want_n = want_n;
	t->snap_max = want ? want_n : SNAP_BUDGET / snap_bytes(rig);
	if (t->snap_max < 2)
		t->snap_max = 2;
}

static void trace_free(const struct fk_rig *rig, struct fk_rig_trace *t)
{
	for (size_t i = 0; i < t->snap_n; i++)
		snap_free(rig, &t->snaps[i]);
	free(t->snaps);
	free(t->ops);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

/* Keeps every other snapshot and doubles the stride. */
static void trace_thin(const struct fk_rig *rig, struct fk_rig_trace *t)
{
	size_t k = 0;

	t->stride *= 2;
	for (size_t i = 0; i < t->snap_n; i++) {
		if ((t->snaps[i].op - t->first) % t->stride == 0)
			t->snaps[k++] = t->snaps[i];
		else
			snap_free(rig, &t->snaps[i]);
	}
	t->snap_n = k;
}

static bool trace_wants_snap(const struct fk_rig *rig, struct fk_rig_trace *t,
			     uint64_t index)
{
	if (t->want) {
		while (t->want_next < t->want_n &&
		       t->want[t->want_next] < index)
			t->want_next++;
		return t->want_next < t->want_n &&
		       t->want[t->want_next] == index;
	}
	if ((index - t->first) % t->stride)
		return false;
	if (t->snap_n == t->snap_max)
		trace_thin(rig, t);
	return (index - t->first) % t->stride == 0;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static void trace_op(struct fk_rig *rig, uint64_t index, uint32_t mem,
		     uint32_t off, const void *buf, uint32_t len, bool erase)
{
	struct fk_rig_trace *t = rig->trace;
	struct op_rec *r;

	if (t->failed)
		return;
	if (trace_wants_snap(rig, t, index)) {
		if (!grow((void **)&t->snaps, &t->snap_cap, t->snap_n + 1,
			  sizeof(*t->snaps))) {
			t->failed = true;
			return;
		}
		memset(&t->snaps[t->snap_n], 0, sizeof(*t->snaps));
		if (snap_take(rig, &t->snaps[t->snap_n]) != 0) {
			snap_free(rig, &t->snaps[t->snap_n]);
			t->failed = true;
			return;
		}
		t->snaps[t->snap_n++].op = index;
	}
	if (!grow((void **)&t->ops, &t->cap, t->n + 1, sizeof(*t->ops)) ||
	    (!erase &&
	     !grow((void **)&t->data, &t->data_cap, t->data_len + len, 1))) {
		t->failed = true;
		return;
	}
	r = &t->ops[t->n++];
	r->off = off;
	r->len = len;
	r->mem = mem;
	r->erase = erase;
	r->data = t->data_len;
	r->at = t->lf->at;
	if (!erase) {
		memcpy(t->data + t->data_len, buf, len);
		t->data_len += len;
	}
}

/* Restores the rig to just before operation op of the traced run. */
static void trace_seek(struct fk_rig *rig, const struct fk_rig_trace *t,
		       uint64_t op)
{
	size_t lo = 0, hi = t->snap_n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (t->snaps[mid].op <= op)
			lo = mid;
		else
			hi = mid;
	}
	snap_restore(rig, &t->snaps[lo]);
	for (uint64_t i = t->snaps[lo].op; i < op; i++) {
		const struct op_rec *r = &t->ops[i - t->first];
		const struct fk_flash *f = fk_sim_flash(rig->mem[r->mem].sim);

		if (r->erase)
			fk_flash_erase(f, r->off, r->len);
		else
			fk_flash_program(f, r->off, t->data + r->data, r->len);
	}
	rig->op = op;
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
	uint8_t hash[FK_DIGEST_MAX];
	size_t hash_len;
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
		       size_t key_len, const uint8_t *hash, size_t hash_len,
		       const uint8_t *sig, size_t sig_len)
{
	struct memo_entry *e;

	if (!fn)
		return FK_ENOTSUP;
	for (uint32_t i = 0; i < memo_count; i++) {
		e = &memo[i];
		if (e->alg == alg && e->key == key && e->key_len == key_len &&
		    e->sig_len == sig_len && e->hash_len == hash_len &&
		    !memcmp(e->hash, hash, hash_len) &&
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
	memcpy(e->hash, hash, hash_len);
	e->hash_len = hash_len;
	memcpy(e->sig, sig, sig_len);
	e->sig_len = sig_len;
	e->result = fn(key, key_len, hash, sig, sig_len);
	return e->result;
}

/* SHA-256 remembered by exact content. A recovery boot hashes images
 * whose bytes some earlier boot of the sweep, most of the time, already
 * hashed. Each stream is gathered whole; at its end, remembered streams of
 * the same length are compared byte for byte, and only content not seen
 * before goes through the real SHA-256: the digest is always the true
 * one, only cheaper. */

#define SHA_STREAMS 4		     /* hashes open at once */
#define SHA_CACHE 8		     /* contents remembered */
#define SHA_CACHE_MAX_LEN (8u << 20) /* longer ones are not remembered */

struct sha_stream {
	uint8_t *data;
	size_t len, cap;
	bool busy;
};

struct sha_known {
	uint8_t *data;
	size_t len;
	uint8_t digest[FK_SHA256_SIZE];
};

static struct sha_stream sha_streams[SHA_STREAMS];
static struct sha_known sha_known[SHA_CACHE];
static uint32_t sha_known_next;

static struct sha_stream *stream_of(const union fk_sha256_state *st)
{
	struct sha_stream *s;

	memcpy(&s, st->bytes, sizeof(s));
	return s;
}

static int memo_sha_init(union fk_sha256_state *st)
{
	for (uint32_t i = 0; i < SHA_STREAMS; i++) {
		struct sha_stream *s = &sha_streams[i];

		if (s->busy)
			continue;
		s->busy = true;
		s->len = 0;
		memcpy(st->bytes, &s, sizeof(s));
		return FK_OK;
	}
	return FK_EIO;
}

static int memo_sha_update(union fk_sha256_state *st, const void *d, size_t n)
{
	struct sha_stream *s = stream_of(st);

	if (!grow((void **)&s->data, &s->cap, s->len + n, 1))
		return FK_EIO;
	memcpy(s->data + s->len, d, n);
	s->len += n;
	return FK_OK;
}

/* Remembers the stream's content and digest, taking its buffer. */
static void sha_remember(struct sha_stream *s, const uint8_t *digest)
{
	struct sha_known *k = &sha_known[sha_known_next];

	if (s->len > SHA_CACHE_MAX_LEN)
		return;
	sha_known_next = (sha_known_next + 1) % SHA_CACHE;
	free(k->data);
	k->data = s->data;
	k->len = s->len;
	memcpy(k->digest, digest, FK_SHA256_SIZE);
	s->data = NULL;
	s->cap = 0;
}

static int memo_sha_finish(union fk_sha256_state *st,
			   uint8_t out[FK_SHA256_SIZE])
{
	struct sha_stream *s = stream_of(st);
	union fk_sha256_state real;
	int rc;

	s->busy = false;
	for (uint32_t i = 0; i < SHA_CACHE; i++) {
		const struct sha_known *k = &sha_known[i];

		/* an empty stream has no buffer: memcmp takes no NULL */
		if (k->data && k->len == s->len &&
		    (s->len == 0 || !memcmp(k->data, s->data, s->len))) {
			memcpy(out, k->digest, FK_SHA256_SIZE);
			return FK_OK;
		}
	}
	rc = memo_inner->sha256_init(&real);
	if (rc == FK_OK)
		rc = memo_inner->sha256_update(&real, s->data, s->len);
	if (rc == FK_OK)
		rc = memo_inner->sha256_finish(&real, out);
	else
		memo_inner->sha256_finish(&real, out);
	if (rc == FK_OK)
		sha_remember(s, out);
	return rc;
}

/* Key unwrapping (encrypted images) is a pure function of the device
 * key and the TLV too: remembered, so that a sweep's ECDH or RSA runs
 * once per distinct TLV. */
#define UNWRAP_MAX 8

struct unwrap_entry {
	const uint8_t *key;
	size_t key_len, tlv_len, aes_len;
	uint16_t type;
	uint8_t tlv[256];
	uint8_t aes[32];
	int result;
};

static struct unwrap_entry unwrap_memo[UNWRAP_MAX];
static uint32_t unwrap_count, unwrap_next;

/* Forgets every remembered digest and key and frees the buffers. */
static void memo_forget(void)
{
	for (uint32_t i = 0; i < SHA_STREAMS; i++) {
		free(sha_streams[i].data);
		memset(&sha_streams[i], 0, sizeof(sha_streams[i]));
	}
	for (uint32_t i = 0; i < SHA_CACHE; i++) {
		free(sha_known[i].data);
		memset(&sha_known[i], 0, sizeof(sha_known[i]));
	}
	sha_known_next = 0;
	memo_count = memo_next = 0;
	unwrap_count = unwrap_next = 0;
}

static int memo_ecdsa(const uint8_t *key, size_t key_len,
		      const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
		      size_t sig_len)
{
	return memo_verify(1, memo_inner->ecdsa_p256_verify, key, key_len, hash,
			   FK_SHA256_SIZE, sig, sig_len);
}

static int memo_rsa(const uint8_t *key, size_t key_len,
		    const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
		    size_t sig_len)
{
	return memo_verify(2, memo_inner->rsa2048_pss_verify, key, key_len,
			   hash, FK_SHA256_SIZE, sig, sig_len);
}

static int memo_ed25519(const uint8_t *key, size_t key_len,
			const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			size_t sig_len)
{
	return memo_verify(3, memo_inner->ed25519_verify, key, key_len, hash,
			   FK_SHA256_SIZE, sig, sig_len);
}

static int memo_p384(const uint8_t *key, size_t key_len,
		     const uint8_t hash[FK_SHA384_SIZE], const uint8_t *sig,
		     size_t sig_len)
{
	return memo_verify(4, memo_inner->ecdsa_p384_verify, key, key_len, hash,
			   FK_SHA384_SIZE, sig, sig_len);
}

static int memo_rsa3072(const uint8_t *key, size_t key_len,
			const uint8_t hash[FK_SHA256_SIZE], const uint8_t *sig,
			size_t sig_len)
{
	return memo_verify(5, memo_inner->rsa3072_pss_verify, key, key_len,
			   hash, FK_SHA256_SIZE, sig, sig_len);
}

/* SHA-384 (P-384 images) is not remembered: passed to the inner port. */
static int pass_sha384_init(union fk_sha256_state *st)
{
	return memo_inner->sha384_init ? memo_inner->sha384_init(st) :
					 FK_ENOTSUP;
}

static int pass_sha384_update(union fk_sha256_state *st, const void *d,
			      size_t n)
{
	return memo_inner->sha384_update(st, d, n);
}

static int pass_sha384_finish(union fk_sha256_state *st,
			      uint8_t out[FK_SHA384_SIZE])
{
	return memo_inner->sha384_finish(st, out);
}

static int memo_unwrap(const uint8_t *key, size_t key_len, uint16_t type,
		       const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
		       size_t aes_len)
{
	struct unwrap_entry *e;

	if (!memo_inner->enc_unwrap)
		return FK_ENOTSUP;
	if (tlv_len > sizeof(e->tlv) || aes_len > sizeof(e->aes))
		return memo_inner->enc_unwrap(key, key_len, type, tlv, tlv_len,
					      aes_key, aes_len);
	for (uint32_t i = 0; i < unwrap_count; i++) {
		e = &unwrap_memo[i];
		if (e->key == key && e->key_len == key_len && e->type == type &&
		    e->tlv_len == tlv_len && e->aes_len == aes_len &&
		    !memcmp(e->tlv, tlv, tlv_len)) {
			if (e->result == FK_OK)
				memcpy(aes_key, e->aes, aes_len);
			return e->result;
		}
	}
	e = &unwrap_memo[unwrap_next];
	unwrap_next = (unwrap_next + 1) % UNWRAP_MAX;
	if (unwrap_count < UNWRAP_MAX)
		unwrap_count++;
	e->key = key;
	e->key_len = key_len;
	e->type = type;
	e->tlv_len = tlv_len;
	e->aes_len = aes_len;
	memcpy(e->tlv, tlv, tlv_len);
	e->result = memo_inner->enc_unwrap(key, key_len, type, tlv, tlv_len,
					   e->aes, aes_len);
	if (e->result == FK_OK)
		memcpy(aes_key, e->aes, aes_len);
	return e->result;
}

static int pass_aes_ctr_xor(const uint8_t *aes_key, size_t aes_len,
			    uint32_t off, uint8_t *buf, size_t len)
{
	return memo_inner->aes_ctr_xor ?
		       memo_inner->aes_ctr_xor(aes_key, aes_len, off, buf,
					       len) :
		       FK_ENOTSUP;
}

static const struct fk_crypto_port memo_port = {
	.sha256_init = memo_sha_init,
	.sha256_update = memo_sha_update,
	.sha256_finish = memo_sha_finish,
	.ecdsa_p256_verify = memo_ecdsa,
	.rsa2048_pss_verify = memo_rsa,
	.ed25519_verify = memo_ed25519,
	.sha384_init = pass_sha384_init,
	.sha384_update = pass_sha384_update,
	.sha384_finish = pass_sha384_finish,
	.ecdsa_p384_verify = memo_p384,
	.rsa3072_pss_verify = memo_rsa3072,
	.enc_unwrap = memo_unwrap,
	.aes_ctr_xor = pass_aes_ctr_xor,
};

/* Puts the remembering port in front of the configuration's crypto. */
static void use_memo(struct fk_rig *rig)
{
	if (!rig->cfg.keys || rig->cfg.keys->crypto == &memo_port)
		return;
	memo_forget();
	memo_inner = rig->cfg.keys->crypto;
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

		/* RAM_LOAD starts the copy in the image's RAM, nothing else */
		if (rig->cfg.strategy == FK_BOOT_RAM_LOAD &&
		    (refs[i].slot->flash->geo.base !=
			     rig->cfg.images[i].ram.addr ||
		     refs[i].slot->flash->ctx != rig->cfg.images[i].ram.mem ||
		     refs[i].slot->off != 0)) {
			set = -1;
			break;
		}
		if (slot_holds(refs[i].slot, fk_rig_old_plain(rig, i),
			       rig->old_len[i]))
			which = OUT_OLD;
		else if (slot_holds(refs[i].slot, fk_rig_new_plain(rig, i),
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

/* The boot core under test: rig->boot, fk_boot() when none is set. */
static int rig_boot_entry(struct fk_rig *rig)
{
	return rig->boot ? rig->boot(&rig->cfg) : fk_boot(&rig->cfg);
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
	if (lf->at.confirm_op == NONE)
		lf->at.confirm_op = rig->op;
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
	rc = rig_boot_entry(rig);
	if (rig->power_lost)
		return 0;
	if (rc != FK_OK || rig->recovery_reason) {
		life_fail(lf, "boot %d with power on: recovery (%s)", rc,
			  fk_strerror(rig->recovery_reason ?
					      rig->recovery_reason :
					      rc));
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
	    lf->at.attempt_op == NONE && rig->op > op0)
		lf->at.attempt_op = rig->op - 1;
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
	if (rig_boot_entry(rig) != FK_OK || rig->jumped != jumped)
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

static void life_init(struct life *lf)
{
	memset(lf, 0, sizeof(*lf));
	lf->at.attempt_op = lf->at.confirm_op = NONE;
}

/* Boots from where lf is until the device settles, powering on after a
 * cut. */
static void life_go(struct fk_rig *rig, enum fk_rig_scenario scenario,
		    struct life *lf)
{
	for (; lf->at.boot < LIFE_MAX_BOOTS; lf->at.boot++) {
		int rc;

		if (rig->power_lost)
			power_on(rig);
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
	life_fail(lf, "device did not settle within %d boots", LIFE_MAX_BOOTS);
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
	return k == FK_CUT_BEFORE ? "before" :
	       k == FK_CUT_AFTER  ? "after" :
				    "torn";
}

static const char *outcome_name(int o)
{
	return o == OUT_OLD ? "old" : o == OUT_NEW ? "new" : "old or new";
}

static void record(struct fk_rig_result *res, const struct life *lf, int want,
		   const struct cut *c1, const struct cut *c2)
{
	char where[96];
	const char *err = lf->error;
	char buf[160];

	res->cases++;
	if (!err[0] && !(want & lf->final)) {
		snprintf(buf, sizeof(buf),
			 "settled on the %s images, %s "
			 "expected",
			 outcome_name(lf->final), outcome_name(want));
		err = buf;
	}
	if (!err[0])
		return;
	res->failures++;
	if (res->first_failure[0])
		return;
	if (c2)
		snprintf(where, sizeof(where),
			 "cut %s op %llu, then %s op %llu", kind_name(c1->kind),
			 (unsigned long long)c1->op, kind_name(c2->kind),
			 (unsigned long long)c2->op);
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
		out->bytes_programmed +=
			s.bytes_programmed - p->stats[i].bytes_programmed;
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
		fk_sim_data(rig->mem[fk_rig_memory_of(rig, p)]
				    .sim)[p->off + rig->old_len[i] / 2] ^= 0x10;
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
				      fk_rig_old_plain(rig, i), rig->old_len[i],
				      erased);
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
	rc = rig_boot_entry(rig);
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

void fk_rig_snapshot_free(const struct fk_rig *rig,
			  struct fk_rig_snapshot *snap)
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

/* Double cuts drawn per first cut and pass when sampling: one traced run
 * of the recovery serves them all. */
#define SAMPLE_GROUP 8

static uint64_t after(uint64_t op, uint64_t cut)
{
	return op != NONE && op > cut ? op : NONE;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64 */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* A first cut, and what its recovery showed: the double cuts cut that
 * recovery again. Its double cuts are numbered 0 .. 3 * recovery_ops:
 * operation first + 1 + x / 3, kind x % 3. */
struct first_cut {
	struct cut c;
	int want;	       /* the outcome the single cut must give */
	uint64_t attempt_op;   /* ATTEMPT and confirmation in the recovery, */
	uint64_t confirm_op;   /* NONE when they came before the cut */
	uint64_t recovery_ops; /* 0 when the single cut failed */
};

struct sweep_run {
	struct fk_rig *rig;
	const struct fk_rig_sweep *sw;
	struct fk_rig_result *res;
	struct fk_rig_trace ref; /* the life without a cut */
	struct first_cut *firsts;
	size_t first_n;
	double t0;
	uint64_t phase_total;
};

static void report(const struct sweep_run *s, bool doubles, uint64_t done)
{
	struct fk_rig_progress p = {
		.res = s->res,
		.doubles = doubles,
		.done = done,
		.total = s->phase_total,
		.elapsed_s = now_s() - s->t0,
	};

	if (s->sw->progress)
		s->sw->progress(s->sw->progress_ctx, &p);
}

/* Starts a life at cut c of the traced run: the rig as the run had it
 * when it issued c's operation, that operation issued with the cut armed,
 * the life where the run's was. */
static void cut_from(struct fk_rig *rig, const struct fk_rig_trace *t,
		     const struct cut *c, struct life *lf)
{
	const struct op_rec *r = &t->ops[c->op - t->first];
	const struct fk_flash *f = &rig->mem[r->mem].flash;

	trace_seek(rig, t, c->op);
	/* RAM does not outlive the cut: the buffer holds nothing useful */
	memset(rig->buf, 0xA5, rig->cfg.buf_len);
	life_init(lf);
	lf->at = r->at;
	arm(rig, c);
	if (r->erase)
		rig_erase(f, r->off, r->len);
	else
		rig_program(f, r->off, t->data + r->data, r->len);
	lf->at.boot++; /* that boot ended with the power */
}

static int sweep_singles(struct sweep_run *s, const struct life *ref)
{
	struct fk_rig *rig = s->rig;
	enum fk_rig_scenario sc = s->sw->scenario;
	uint64_t ops = ref->end_op - s->ref.first;

	s->firsts = calloc(3 * ops + 1, sizeof(*s->firsts));
	if (!s->firsts)
		return -1;
	s->phase_total = 3 * ops;
	for (uint64_t op = s->ref.first; op < ref->end_op; op++) {
		for (int k = 0; k < 3; k++) {
			struct first_cut *fc = &s->firsts[s->first_n++];
			struct life l1;

			fc->c.op = op;
			fc->c.kind = kinds[k];
			fc->c.seed = op * 3 + (uint64_t)k + 1;
			fc->want = expect(sc, &fc->c, ref->at.attempt_op,
					  ref->at.confirm_op);
			cut_from(rig, &s->ref, &fc->c, &l1);
			life_go(rig, sc, &l1);
			record(s->res, &l1, fc->want, &fc->c, NULL);
			s->res->single_cuts++;
			fc->attempt_op = after(l1.at.attempt_op, op);
			fc->confirm_op = after(l1.at.confirm_op, op);
			fc->recovery_ops = l1.error[0] ? 0 : l1.end_op - op - 1;
			s->res->double_pairs += 3 * fc->recovery_ops;
			report(s, false, s->res->single_cuts);
		}
	}
	return 0;
}

/* True when the sample has reached its count or its time. */
static bool sample_done(const struct sweep_run *s)
{
	const struct fk_rig_sweep *sw = s->sw;

	if (!sw->double_sample)
		return false;
	if (sw->max_samples && s->res->double_cuts >= sw->max_samples)
		return true;
	if (sw->budget_s > 0 && now_s() - s->t0 >= sw->budget_s) {
		s->res->budget_spent = true;
		return true;
	}
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The operations before which a traced recovery keeps a snapshot: those
 * of the drawn double cuts, or (NULL) a stride. */
static uint64_t *sampled_ops(const struct first_cut *fc, const uint64_t *x,
			     size_t n, size_t *count)
{
	uint64_t *ops;
	size_t k = 0;

	*count = 0;
	if (!x)
		return NULL;
	ops = malloc(n * sizeof(*ops));
	if (!ops)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ops[i] = fc->c.op + 1 + x[i] / 3;
	qsort(ops, n, sizeof(*ops), cmp_u64);
	for (size_t i = 0; i < n; i++) {
		if (k == 0 || ops[i] != ops[k - 1])
			ops[k++] = ops[i];
	}
	*count = k;
	return ops;
}

/* Runs double cuts x[0..n) of first cut fc (all of them in order when x
 * is NULL): its recovery once, traced, then each second cut from there. */
static int run_doubles(struct sweep_run *s, const struct first_cut *fc,
		       const uint64_t *x, size_t n)
{
	struct fk_rig *rig = s->rig;
	enum fk_rig_scenario sc = s->sw->scenario;
	struct fk_rig_trace t;
	struct life l1;
	size_t want_n;
	uint64_t *want = sampled_ops(fc, x, n, &want_n);

	if (x && !want)
		return -1;
	trace_init(&t, rig, fc->c.op + 1, want, want_n);
	cut_from(rig, &s->ref, &fc->c, &l1);
	t.lf = &l1;
	rig->trace = &t;
	life_go(rig, sc, &l1);
	rig->trace = NULL;
	if (t.failed) {
		trace_free(rig, &t);
		free(want);
		return -1;
	}
	for (size_t i = 0; i < n && !sample_done(s); i++) {
		uint64_t xi = x ? x[i] : i;
		struct cut c2 = { fc->c.op + 1 + xi / 3, kinds[xi % 3], 0 };
		int want2 = fc->want;
		struct life l2;

		c2.seed = fc->c.seed * 1000003 + c2.op * 3 + xi % 3;
		/* Only a cut that let the install go on can be changed by
		 * a second one, relative to the trial steps of the
		 * recovery. */
		if (fc->want == OUT_NEW)
			want2 = expect(sc, &c2, fc->attempt_op, fc->confirm_op);
		cut_from(rig, &t, &c2, &l2);
		life_go(rig, sc, &l2);
		record(s->res, &l2, want2, &fc->c, &c2);
		s->res->double_cuts++;
		report(s, true, s->res->double_cuts);
	}
	trace_free(rig, &t);
	free(want);
	return 0;
}

/* Double cut number i of fc in the seeded order: an affine permutation
 * of 0 .. 3 * recovery_ops, its own for each first cut. */
static uint64_t drawn(const struct sweep_run *s, size_t j, uint64_t i)
{
	uint64_t n = 3 * s->firsts[j].recovery_ops;
	uint64_t h = mix(s->sw->seed ^ mix(j));
	uint64_t a = 1 + h % n;

	while (gcd(a, n) != 1)
		a = a % n + 1;
	return (a * i + mix(h) % n) % n;
}

/* Passes over the first cuts in a seeded order, drawing SAMPLE_GROUP
 * double cuts of each per pass, until the sample is done or every double
 * cut has run. */
static int sample_doubles(struct sweep_run *s)
{
	size_t *order = malloc((s->first_n + 1) * sizeof(*order));
	size_t m = 0;
	int rc = 0;

	if (!order)
		return -1;
	for (size_t j = 0; j < s->first_n; j++) {
		if (s->firsts[j].recovery_ops)
			order[m++] = j;
	}
	for (size_t i = m; i > 1; i--) {
		size_t r = mix(s->sw->seed + i) % i, tmp = order[i - 1];

		order[i - 1] = order[r];
		order[r] = tmp;
	}
	s->phase_total = s->sw->max_samples;
	for (uint64_t pass = 0; rc == 0 && !sample_done(s); pass++) {
		bool left = false;

		for (size_t k = 0; k < m && rc == 0 && !sample_done(s); k++) {
			uint64_t n = 3 * s->firsts[order[k]].recovery_ops;
			uint64_t lo = pass * SAMPLE_GROUP, x[SAMPLE_GROUP];
			size_t cnt = 0;

			for (uint64_t i = lo; i < n && cnt < SAMPLE_GROUP; i++)
				x[cnt++] = drawn(s, order[k], i);
			if (!cnt)
				continue;
			left = true;
			rc = run_doubles(s, &s->firsts[order[k]], x, cnt);
		}
		if (!left)
			break;
	}
	free(order);
	return rc;
}

static int sweep_doubles(struct sweep_run *s)
{
	int rc = 0;

	if (s->sw->double_sample)
		return sample_doubles(s);
	s->phase_total = s->res->double_pairs;
	for (size_t j = 0; j < s->first_n && rc == 0; j++) {
		if (s->firsts[j].recovery_ops)
			rc = run_doubles(s, &s->firsts[j], NULL,
					 3 * s->firsts[j].recovery_ops);
	}
	return rc;
}

int fk_rig_sweep(struct fk_rig *rig, const struct fk_rig_sweep *sw,
		 struct fk_rig_result *res)
{
	struct sweep_run s = { .rig = rig, .sw = sw, .res = res };
	struct cost_probe probe;
	struct cut none = { NONE, FK_CUT_BEFORE, 0 };
	struct life ref;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	s.t0 = now_s();
	/* Operations are numbered from 0 in every sweep: its cases (the
	 * seeds of the torn ones too) do not depend on what ran before. */
	rig->op = 0;
	if (setup(rig, sw, res) != 0 || cost_begin(rig, &probe) != 0)
		return -1;
	trace_init(&s.ref, rig, rig->op, NULL, 0);
	life_init(&ref);
	s.ref.lf = &ref;
	rig->trace = sw->no_cuts ? NULL : &s.ref;
	life_go(rig, sw->scenario, &ref);
	rig->trace = NULL;
	cost_end(rig, &probe, &res->life);
	record(res, &ref, expect(sw->scenario, &none, NONE, NONE), &none, NULL);
	if (s.ref.failed)
		rc = -1;
	else if (!res->failures && !sw->no_cuts)
		rc = sweep_singles(&s, &ref);
	res->single_seconds = now_s() - s.t0;
	if (rc == 0 && s.first_n && sw->double_cuts)
		rc = sweep_doubles(&s);
	res->seconds = now_s() - s.t0;
	if (rc)
		snprintf(res->first_failure, sizeof(res->first_failure),
			 "out of memory for the sweep's snapshots");
	trace_free(rig, &s.ref);
	free(s.firsts);
	return rc;
}
