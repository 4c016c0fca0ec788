/*
 * Shared by the store's tests and benchmark: a simulated flash with a
 * store on it, a reference model of what the store must hold, and a
 * reproducible random workload of sets, deletes and multi-key commits.
 */
#ifndef FLASHKIT_TESTS_KV_HARNESS_H
#define FLASHKIT_TESTS_KV_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/kv.h"
#include "flashsim.h"

#define KVH_MAX_VALUE 255
#define KVH_MAX_ENTRIES 4

struct kvh_geometry {
	const char *name;
	uint32_t sector_size;
	uint32_t sectors;
	uint32_t write_unit;
	uint8_t erased_value;
	bool program_once;
	struct fk_kv_config cfg;
	uint16_t keys_used; /* ids 0 .. keys_used-1 appear in the workload */
	uint8_t vmin, vmax; /* value lengths of the workload */
	bool fill_first;    /* start by giving every key a value of vmax */
};

/* Maintenance calls in the workload, for every geometry (kept out of
 * struct kvh_geometry so that its initialisers stay as they are): this
 * share (%) of kvh_make_op's operations are fk_kv_maintain(kv, room).
 * 0 (the default): none. */
struct kvh_maintenance {
	uint8_t pct;
	uint16_t room;
};
extern struct kvh_maintenance kvh_maintenance;

/* Large values in the workload (fk_kv_set_large), likewise for every
 * geometry: this share (%) of operations set one of keys 0 .. keys-1 to a
 * value of min .. max bytes (derived from a seed, not kept in the op).
 * 0 (the default): none. */
struct kvh_large {
	uint8_t pct;
	uint16_t keys;
	uint32_t min, max;
};
extern struct kvh_large kvh_large;

/* The large value of len bytes for seed. */
void kvh_large_value(uint64_t seed, uint32_t len, uint8_t *out);

struct kvh_store {
	struct fk_sim *sim;
	struct fk_sector_run run;
	struct fk_area area;
	struct fk_kv kv;
};

/* The reference model: what a correct store holds. */
struct kvh_model {
	bool has[FK_KV_MAX_KEYS];
	uint8_t len[FK_KV_MAX_KEYS];
	uint8_t val[FK_KV_MAX_KEYS][KVH_MAX_VALUE];
	uint32_t large_len[FK_KV_MAX_KEYS]; /* 0: not a large value */
	uint64_t large_seed[FK_KV_MAX_KEYS];
};

struct kvh_op {
	uint32_t count; /* 1: set or delete; more: an atomic commit; 0: a
			   maintenance call (changes no value) */
	uint32_t room;	/* of the maintenance call */
	uint32_t large_len; /* not 0: e[0].id is set to a large value */
	uint64_t large_seed;
	struct fk_kv_entry e[KVH_MAX_ENTRIES];
	uint8_t data[KVH_MAX_ENTRIES][KVH_MAX_VALUE];
};

/* Creates the simulator and mounts a fresh store; aborts on failure. */
void kvh_open(struct kvh_store *s, const struct kvh_geometry *g);
void kvh_close(struct kvh_store *s);

uint64_t kvh_rand(uint64_t *state);

/* The n-th operation of the workload for seed (n counts from 0). */
void kvh_make_op(const struct kvh_geometry *g, uint64_t *rng, uint32_t n,
		 struct kvh_op *op);
int kvh_run_op(struct fk_kv *kv, const struct kvh_op *op);
void kvh_apply(struct kvh_model *m, const struct kvh_op *op);

/* True when every key of the store reads as in m. */
bool kvh_matches(struct fk_kv *kv, uint16_t key_limit,
		 const struct kvh_model *m);

#endif
