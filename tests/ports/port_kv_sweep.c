/*
 * The settings-store sweep through a driver (port_kv_sweep.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "port_kv_sweep.h"

static const char *kind_name[] = { "before", "after", "torn" };

struct sweep {
	const struct port_kv_sweep *s;
	struct fk_sim *sim;
	struct fk_area area;
	struct port_kv_counts *n;
	char *msg;
	size_t msg_len;
};

static int fail(struct sweep *w, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(w->msg, w->msg_len, "%s: ", w->s->name);

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < w->msg_len)
		vsnprintf(w->msg + k, w->msg_len - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* The sim back to snap, and the MCU reset before the next operation
 * (its registers may hold what the abandoned run left). */
static void rewind_to(struct sweep *w, const struct fk_sim_snapshot *snap)
{
	fk_sim_snapshot_restore(w->sim, snap);
	w->s->uf->reboot_needed = true;
}

/* After the cut: reboot, mount, old or new; a probe value, the retry,
 * and both must hold. */
static int recover(struct sweep *w, const struct kvh_op *op,
		   const struct kvh_model *before,
		   const struct kvh_model *after, const char *where)
{
	const struct kvh_geometry *g = w->s->g;
	static struct kvh_model probed;
	struct kvh_op probe;
	struct fk_kv kv;
	bool old_ok, new_ok;
	int rc;

	fk_sim_reboot(w->sim);
	rc = fk_kv_mount(&kv, &w->area, &g->cfg);
	if (rc != FK_OK)
		return fail(w, "%s: mount: %s", where, fk_strerror(rc));
	old_ok = kvh_matches(&kv, g->cfg.key_limit, before);
	new_ok = !old_ok && kvh_matches(&kv, g->cfg.key_limit, after);
	if (!old_ok && !new_ok)
		return fail(w, "%s: neither the old nor the new state", where);
	w->n->saw_old += old_ok;
	w->n->saw_new += new_ok;
	memset(&probe, 0, sizeof(probe));
	probe.count = 1;
	probe.e[0].id = (uint16_t)((op->e[0].id + 1) % g->keys_used);
	probe.e[0].len = 1;
	probe.e[0].value = probe.data[0];
	probe.data[0][0] = (uint8_t)(0xA5 ^ w->n->cases);
	rc = kvh_run_op(&kv, &probe);
	if (rc == FK_OK)
		rc = kvh_run_op(&kv, op);
	probed = *before;
	kvh_apply(&probed, &probe);
	kvh_apply(&probed, op);
	if (rc != FK_OK || !kvh_matches(&kv, g->cfg.key_limit, &probed))
		return fail(w, "%s: probe and retry: %s", where,
			    fk_strerror(rc));
	return 0;
}

/* Every cut of user operation i, which took flash ops [a, b). */
static int cut_each(struct sweep *w, uint32_t i, const struct kvh_op *op,
		    const struct fk_kv *saved,
		    const struct fk_sim_snapshot *snap, uint64_t a, uint64_t b,
		    const struct kvh_model *before,
		    const struct kvh_model *after)
{
	char where[120];

	for (uint64_t j = a; j < b; j++) {
		for (int k = 0; k < 3; k++) {
			struct fk_kv kv = *saved;

			rewind_to(w, snap);
			fk_sim_schedule_cut(w->sim, j, (enum fk_cut_kind)k,
					    FK_TEAR_SEEDED, j * 7 + k);
			kvh_run_op(&kv, op);
			snprintf(where, sizeof(where),
				 "user op %u, %s flash op %llu of %llu", i,
				 kind_name[k], (unsigned long long)(j - a),
				 (unsigned long long)(b - a));
			if (!fk_sim_power_lost(w->sim))
				return fail(w, "%s: the cut did not happen",
					    where);
			if (recover(w, op, before, after, where) != 0)
				return -1;
			w->n->cases++;
		}
	}
	return 0;
}

/* A warmup operation: no cuts. */
static int warm_op(struct sweep *w, uint32_t i, struct fk_kv *kv, uint64_t *rng,
		   struct kvh_model *before)
{
	struct kvh_op op;
	int rc;

	kvh_make_op(w->s->g, rng, i, &op);
	rc = kvh_run_op(kv, &op);
	kvh_apply(before, &op);
	return rc == FK_OK ? 0 :
			     fail(w, "warmup op %u: %s", i, fk_strerror(rc));
}

static int user_op(struct sweep *w, uint32_t i, struct fk_kv *kv, uint64_t *rng,
		   struct kvh_model *before)
{
	static struct kvh_model after;
	struct fk_sim_snapshot *snap = fk_sim_snapshot_take(w->sim);
	struct fk_sim_stats st0, st1;
	struct fk_kv saved = *kv;
	struct kvh_op op;
	uint64_t a, b;
	int rc;

	if (!snap)
		return fail(w, "out of memory");
	kvh_make_op(w->s->g, rng, i, &op);
	after = *before;
	kvh_apply(&after, &op);
	fk_sim_get_stats(w->sim, &st0);
	a = fk_sim_op_index(w->sim);
	rc = kvh_run_op(kv, &op);
	b = fk_sim_op_index(w->sim);
	fk_sim_get_stats(w->sim, &st1);
	if (rc != FK_OK)
		rc = fail(w, "user op %u: %s", i, fk_strerror(rc));
	else
		rc = cut_each(w, i, &op, &saved, snap, a, b, before, &after);
	if (rc == 0) {
		rewind_to(w, snap);
		*kv = saved;
		if (kvh_run_op(kv, &op) != FK_OK ||
		    !kvh_matches(kv, w->s->g->cfg.key_limit, &after))
			rc = fail(w, "user op %u: replay", i);
	}
	fk_sim_snapshot_free(snap);
	w->n->user_ops++;
	w->n->flash_ops += b - a;
	w->n->erases += st1.erases - st0.erases;
	*before = after;
	return rc;
}

int port_kv_sweep(const struct port_kv_sweep *s, struct port_kv_counts *n,
		  char *msg, size_t msg_len)
{
	static struct kvh_model before;
	struct sweep w = { s, s->uf->sim, { 0 }, n, msg, msg_len };
	uint64_t rng = s->seed;
	struct fk_kv kv;
	int rc;

	memset(n, 0, sizeof(*n));
	memset(&before, 0, sizeof(before));
	msg[0] = 0;
	rc = fk_area_init(&w.area, &s->uf->flash, s->off, s->size);
	if (rc == FK_OK)
		rc = fk_area_erase(&w.area, 0, s->size);
	if (rc == FK_OK)
		rc = fk_kv_mount(&kv, &w.area, &s->g->cfg);
	if (rc != FK_OK)
		return fail(&w, "setup: %s", fk_strerror(rc));
	for (uint32_t i = 0; i < s->ops; i++) {
		rc = i < s->warmup ? warm_op(&w, i, &kv, &rng, &before) :
				     user_op(&w, i, &kv, &rng, &before);
		if (rc != 0)
			return -1;
	}
	return 0;
}
