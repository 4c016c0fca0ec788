/*
 * The store test harness: see kv_harness.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv_harness.h"

static void die(const char *what, int rc)
{
	fprintf(stderr, "kv harness: %s: %s\n", what, fk_strerror(rc));
	abort();
}

void kvh_open(struct kvh_store *s, const struct kvh_geometry *g)
{
	struct fk_sim_config c;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(&c, 0, sizeof(c));
	s->run.count = g->sectors;
	s->run.size = g->sector_size;
	c.geo.size = g->sectors * g->sector_size;
	c.geo.runs = &s->run;
	c.geo.run_count = 1;
	c.geo.write_unit = g->write_unit;
	c.geo.erased_value = g->erased_value;
	c.geo.program_once = g->program_once;
	s->sim = fk_sim_create(&c);
	if (!s->sim)
		die("fk_sim_create", FK_EINVAL);
	rc = fk_area_init(&s->area, fk_sim_flash(s->sim), 0, c.geo.size);
	if (rc == FK_OK)
		rc = fk_kv_mount(&s->kv, &s->area, &g->cfg);
	if (rc != FK_OK)
		die("mount", rc);
}

void kvh_close(struct kvh_store *s)
{
	fk_sim_destroy(s->sim);
	s->sim = NULL;
}

uint64_t kvh_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint8_t rand_len(const struct kvh_geometry *g, uint64_t *rng)
{
	return (uint8_t)(g->vmin + kvh_rand(rng) % (g->vmax - g->vmin + 1u));
}

static void fill(struct kvh_op *op, uint32_t i, uint16_t id, uint8_t len,
		 uint64_t *rng)
{
	for (uint32_t b = 0; b < len; b++)
		op->data[i][b] = (uint8_t)kvh_rand(rng);
	op->e[i].id = id;
	op->e[i].len = len;
	op->e[i].value = op->data[i];
}

struct kvh_maintenance kvh_maintenance;
struct kvh_large kvh_large;

void kvh_large_value(uint64_t seed, uint32_t len, uint8_t *out)
{
	for (uint32_t i = 0; i < len; i++) {
		if (i % 8 == 0)
			seed = kvh_rand(&seed);
		out[i] = (uint8_t)(seed >> (i % 8 * 8));
	}
}

/* 70 % single sets, 10 % deletes, 20 % commits of 2..4 keys that fit
 * record_max (falling back to a set when they cannot); with
 * kvh_maintenance.pct, that share of maintenance calls first. */
void kvh_make_op(const struct kvh_geometry *g, uint64_t *rng, uint32_t n,
		 struct kvh_op *op)
{
	uint32_t pick = (uint32_t)(kvh_rand(rng) % 100), room;

	memset(op, 0, sizeof(*op));
	op->count = 1;
	if (g->fill_first && n < g->keys_used) {
		fill(op, 0, (uint16_t)n, g->vmax, rng);
		return;
	}
	if (kvh_maintenance.pct && kvh_rand(rng) % 100 < kvh_maintenance.pct) {
		op->count = 0;
		op->room = kvh_maintenance.room;
		return;
	}
	if (kvh_large.pct && kvh_rand(rng) % 100 < kvh_large.pct) {
		op->e[0].id = (uint16_t)(kvh_rand(rng) % kvh_large.keys);
		op->large_len = kvh_large.min +
				(uint32_t)(kvh_rand(rng) %
					   (kvh_large.max - kvh_large.min + 1));
		op->large_seed = kvh_rand(rng);
		return;
	}
	fill(op, 0, (uint16_t)(kvh_rand(rng) % g->keys_used), rand_len(g, rng),
	     rng);
	if (pick < 10) {
		op->e[0].value = NULL;
		op->e[0].len = 0;
		return;
	}
	if (pick < 80)
		return;
	room = g->cfg.record_max - 6u - 3u - op->e[0].len;
	for (uint32_t i = 1; i < 2 + pick % 3 && i < KVH_MAX_ENTRIES; i++) {
		uint16_t id = (uint16_t)(kvh_rand(rng) % g->keys_used);
		uint8_t len = rand_len(g, rng);
		bool dup = false;

		for (uint32_t j = 0; j < op->count; j++)
			dup |= op->e[j].id == id;
		if (dup || len + 3u > room)
			break;
		fill(op, i, id, len, rng);
		if (kvh_rand(rng) % 8 == 0) {
			op->e[i].value = NULL;
			op->e[i].len = 0;
		}
		room -= 3u + (op->e[i].value ? len : 0);
		op->count++;
	}
}

int kvh_run_op(struct fk_kv *kv, const struct kvh_op *op)
{
	static uint8_t large[FK_KV_LARGE_MAX];

	if (op->count == 0) {
		int rc = fk_kv_maintain(kv, op->room);

		return rc < 0 ? rc : FK_OK;
	}
	if (op->large_len) {
		kvh_large_value(op->large_seed, op->large_len, large);
		return fk_kv_set_large(kv, op->e[0].id, large, op->large_len);
	}
	if (op->count == 1 && op->e[0].value)
		return fk_kv_set(kv, op->e[0].id, op->e[0].value, op->e[0].len);
	if (op->count == 1)
		return fk_kv_delete(kv, op->e[0].id);
	return fk_kv_commit(kv, op->e, op->count);
}

void kvh_apply(struct kvh_model *m, const struct kvh_op *op)
{
	if (op->large_len) {
		m->has[op->e[0].id] = true;
		m->large_len[op->e[0].id] = op->large_len;
		m->large_seed[op->e[0].id] = op->large_seed;
		return;
	}
	for (uint32_t i = 0; i < op->count; i++) {
		const struct fk_kv_entry *e = &op->e[i];

		m->large_len[e->id] = 0;
		m->has[e->id] = e->value != NULL;
		m->len[e->id] = e->value ? e->len : 0;
		if (e->value)
			memcpy(m->val[e->id], e->value, e->len);
	}
}

bool kvh_matches(struct fk_kv *kv, uint16_t key_limit,
		 const struct kvh_model *m)
{
	static uint8_t buf[FK_KV_LARGE_MAX], want[FK_KV_LARGE_MAX];

	for (uint16_t id = 0; id < key_limit; id++) {
		int rc = fk_kv_get(kv, id, buf, sizeof(buf));

		if (m->has[id] && m->large_len[id]) {
			kvh_large_value(m->large_seed[id], m->large_len[id],
					want);
			if (rc != (int)m->large_len[id] ||
			    memcmp(buf, want, m->large_len[id]) != 0)
				return false;
		} else if (!m->has[id]) {
			if (rc != FK_ENOENT)
				return false;
		} else if (rc != m->len[id] ||
			   memcmp(buf, m->val[id], m->len[id]) != 0) {
			return false;
		}
	}
	return true;
}
