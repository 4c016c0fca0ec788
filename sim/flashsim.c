/*
 * The flash simulator: NOR semantics, fault injection and accounting.
 *
 * State per write unit (unit_state) is what real parts remember without
 * showing it: whether a program-once unit has been programmed since its
 * last erase, and whether its program (or erase) was torn, in which case
 * reading it is an ECC fault. Plain NOR only needs the bytes.
 *
 * A power cut is one scheduled event; the operation it hits is applied
 * fully, not at all, or partly, and from then on every call fails with
 * FK_EPOWER until fk_sim_reboot().
 */
#include <stdlib.h>
#include <string.h>

#include "flashsim.h"

enum unit_state {
	UNIT_ERASED = 0,     /* no program since the last erase */
	UNIT_PROGRAMMED = 1, /* programmed (program-once: no more programs) */
	UNIT_TORN = 2,	     /* program or erase torn: ECC fault on read */
};

struct protect_range {
	uint32_t off;
	uint32_t len;
};

struct sim_counters {
	uint64_t op_index;
	uint64_t reads, programs, erases;
	uint64_t bytes_read, bytes_programmed;
	uint64_t est_ns;
	bool power_lost;
	bool cut_armed;
	uint64_t cut_op;
	enum fk_cut_kind cut_kind;
	enum fk_tear_mode tear_mode;
	uint64_t rng;
};

struct fk_sim {
	struct fk_flash flash;
	struct fk_sector_run *runs;
	struct fk_sim_timing timing;
	struct fk_sim_erase_time
		*erase_table; /* timing.erase_table points here */
	bool count_reads;
	uint8_t *data;
	uint8_t *unit_state;
	uint32_t unit_count;
	uint32_t *wear;
	uint32_t sector_count;
	struct protect_range *protect;
	uint32_t protect_count;
	uint32_t violations;
	struct sim_counters c;
};

struct fk_sim_snapshot {
	uint8_t *data;
	uint8_t *unit_state;
	uint32_t *wear;
	uint32_t violations;
	struct sim_counters c;
};

static struct fk_sim *sim_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

/* splitmix64: small, good enough to tear data reproducibly. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* The bits of next that set back a bit cur holds programmed, eight bytes
 * at a time (the sweeps program megabytes: a byte loop was most of their
 * time). */
static uint64_t bits_set_back(uint8_t erased, uint64_t cur, uint64_t next)
{
	/* A bit may only leave the erased state. */
	if (erased == 0xFF)
		return ~cur & next;
	return cur & ~next;
}

/* True when programming next over cur (len bytes) would set a bit back.
 * The tail's words are filled up with erased bytes, which set nothing
 * back. */
static bool is_programmed_bit_set_back(uint8_t erased, const uint8_t *cur,
				       const uint8_t *next, uint32_t len)
{
	uint64_t c, x;
	uint32_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&c, cur + i, 8);
		memcpy(&x, next + i, 8);
		if (bits_set_back(erased, c, x))
			return true;
	}
	if (i == len)
		return false;
	memset(&c, erased, sizeof(c));
	memset(&x, erased, sizeof(x));
	memcpy(&c, cur + i, len - i);
	memcpy(&x, next + i, len - i);
	return bits_set_back(erased, c, x) != 0;
}

/* True when a unit of [first, end) has been programmed (or torn) since
 * its last erase: a unit_state byte that is not UNIT_ERASED (0), eight at
 * a time. */
static bool any_programmed(const struct fk_sim *sim, uint32_t first,
			   uint32_t end)
{
	uint64_t w = 0;
	uint32_t u = first;

	_Static_assert(UNIT_ERASED == 0, "units not erased are not 0");
	for (; u + 8 <= end; u += 8) {
		memcpy(&w, sim->unit_state + u, 8);
		if (w)
			return true;
	}
	if (u >= end)
		return false;
	w = 0;
	memcpy(&w, sim->unit_state + u, end - u);
	return w != 0;
}

/* True when a unit of [first, last] is torn. */
static bool any_torn(const struct fk_sim *sim, uint32_t first, uint32_t last)
{
	return last >= first &&
	       memchr(sim->unit_state + first, UNIT_TORN, last - first + 1);
}

/* Moves the bits in mask from cur's value towards next: the bits a torn
 * program managed to change. */
static uint8_t partial_program(uint8_t cur, uint8_t next, uint8_t mask)
{
	return (uint8_t)((cur & ~mask) | (next & mask));
}

static bool overlaps_protected(const struct fk_sim *sim, uint32_t off,
			       uint32_t len)
{
	for (uint32_t i = 0; i < sim->protect_count; i++) {
		const struct protect_range *p = &sim->protect[i];

		if (off < p->off + p->len && p->off < off + len)
			return true;
	}
	return false;
}

/* Takes the next operation index and, when the armed cut hits it,
 * returns the cut kind; otherwise -1. */
static int next_op(struct fk_sim *sim)
{
	uint64_t index = sim->c.op_index++;

	if (sim->c.cut_armed && sim->c.cut_op == index) {
		sim->c.cut_armed = false;
		return (int)sim->c.cut_kind;
	}
	return -1;
}

static int lose_power(struct fk_sim *sim)
{
	sim->c.power_lost = true;
	return FK_EPOWER;
}

static int sim_read(const struct fk_flash *flash, uint32_t off, void *buf,
		    uint32_t len)
{
	struct fk_sim *sim = sim_of(flash);
	uint32_t wu = flash->geo.write_unit;
	int cut = -1;

	if (sim->c.power_lost)
		return FK_EPOWER;
	if (sim->count_reads) {
		cut = next_op(sim);
		if (cut == FK_CUT_BEFORE || cut == FK_CUT_TORN)
			return lose_power(sim);
	}
	if (flash->geo.program_once &&
	    any_torn(sim, off / wu, (off + len - 1) / wu))
		return FK_EECC;
	memcpy(buf, sim->data + off, len);
	sim->c.reads++;
	sim->c.bytes_read += len;
	sim->c.est_ns += (uint64_t)len * sim->timing.read_ns_per_byte;
	if (cut == FK_CUT_AFTER)
		return lose_power(sim);
	return FK_OK;
}

static enum fk_tear_mode pick_tear(struct fk_sim *sim, bool erase)
{
	if (sim->c.tear_mode != FK_TEAR_SEEDED)
		return sim->c.tear_mode;
	switch (rng_next(&sim->c.rng) % (erase ? 3 : 2)) {
	case 0:
		return FK_TEAR_PREFIX;
	case 1:
		return FK_TEAR_SOME_BITS;
	default:
		return FK_TEAR_GARBAGE;
	}
}

/* A torn program: with PREFIX, some whole units land and the next one
 * lands partly; with SOME_BITS every unit gets a random part of its bits. */
static void tear_program(struct fk_sim *sim, uint32_t off, const uint8_t *src,
			 uint32_t len)
{
	uint32_t wu = sim->flash.geo.write_unit;
	uint32_t units = len / wu;
	enum fk_tear_mode mode = pick_tear(sim, false);
	uint32_t full = mode == FK_TEAR_PREFIX ?
				(uint32_t)(rng_next(&sim->c.rng) % units) :
				0;

	for (uint32_t u = 0; u < units; u++) {
		uint32_t unit = off / wu + u;
		uint8_t *dst = sim->data + off + u * wu;
		bool torn = u >= full;

		if (mode == FK_TEAR_PREFIX && u > full)
			break;
		for (uint32_t b = 0; b < wu; b++) {
			uint8_t mask =
				torn ? (uint8_t)rng_next(&sim->c.rng) : 0xFF;

			dst[b] = partial_program(dst[b], src[u * wu + b], mask);
		}
		sim->unit_state[unit] = torn ? UNIT_TORN : UNIT_PROGRAMMED;
	}
}

static int sim_program(const struct fk_flash *flash, uint32_t off,
		       const void *buf, uint32_t len)
{
	struct fk_sim *sim = sim_of(flash);
	const uint8_t *src = buf;
	uint32_t wu = flash->geo.write_unit;
	int cut;

	if (sim->c.power_lost)
		return FK_EPOWER;
	cut = next_op(sim);
	if (cut == FK_CUT_BEFORE)
		return lose_power(sim);
	if (overlaps_protected(sim, off, len)) {
		sim->violations++;
		return cut >= 0 ? lose_power(sim) : FK_EPROTECT;
	}
	if (flash->geo.program_once &&
	    any_programmed(sim, off / wu, (off + len) / wu))
		return cut >= 0 ? lose_power(sim) : FK_EPROGONCE;
	if (is_programmed_bit_set_back(flash->geo.erased_value, sim->data + off,
				       src, len))
		return cut >= 0 ? lose_power(sim) : FK_ENOTERASED;
	sim->c.programs++;
	sim->c.est_ns +=
		(uint64_t)(len / wu) * sim->timing.program_us_per_unit * 1000;
	if (cut == FK_CUT_TORN) {
		tear_program(sim, off, src, len);
		return lose_power(sim);
	}
	memcpy(sim->data + off, src, len);
	memset(sim->unit_state + off / wu, UNIT_PROGRAMMED, len / wu);
	sim->c.bytes_programmed += len;
	return cut == FK_CUT_AFTER ? lose_power(sim) : FK_OK;
}

/* A torn erase: a prefix of the sector erased, random bits erased, or
 * random data. Units the erase reached but did not finish are torn: an
 * ECC fault on read and not programmable until erased again (the torn
 * state only matters on program-once parts). */
static void tear_erase(struct fk_sim *sim, uint32_t off, uint32_t size)
{
	const struct fk_flash_geometry *geo = &sim->flash.geo;
	uint32_t wu = geo->write_unit;
	enum fk_tear_mode mode = pick_tear(sim, true);
	uint8_t *p = sim->data + off;
	uint32_t prefix = (uint32_t)(rng_next(&sim->c.rng) % size);

	for (uint32_t i = 0; i < size; i++) {
		uint8_t r = (uint8_t)rng_next(&sim->c.rng);

		if (mode == FK_TEAR_PREFIX) {
			if (i < prefix)
				p[i] = geo->erased_value;
		} else if (mode == FK_TEAR_SOME_BITS) {
			p[i] = geo->erased_value == 0xFF ? (uint8_t)(p[i] | r) :
							   (uint8_t)(p[i] & r);
		} else {
			p[i] = r;
		}
	}
	for (uint32_t u = 0; u < size / wu; u++) {
		uint32_t start = u * wu, end = start + wu;
		uint8_t *state = &sim->unit_state[off / wu + u];

		if (mode == FK_TEAR_PREFIX && end <= prefix)
			*state = UNIT_ERASED;
		else if (mode == FK_TEAR_PREFIX && start >= prefix)
			continue; /* the erase never reached this unit */
		else
			*state = UNIT_TORN;
	}
}

/* Time of one sector erase: the datasheet's figure for that sector size
 * when given, else the linear model (in ns so that sectors smaller than
 * a KiB are not rounded to nothing). */
static uint64_t erase_ns(const struct fk_sim_timing *t, uint32_t sector_size)
{
	for (uint32_t i = 0; i < t->erase_table_count; i++) {
		if (t->erase_table[i].sector_size == sector_size)
			return (uint64_t)t->erase_table[i].us * 1000;
	}
	return (uint64_t)t->erase_us_fixed * 1000 +
	       (uint64_t)t->erase_us_per_kib * sector_size * 1000 / 1024;
}

static int sim_erase_sector(const struct fk_flash *flash, uint32_t off,
			    uint32_t sector_size)
{
	struct fk_sim *sim = sim_of(flash);
	struct fk_sector s;
	int cut;

	if (sim->c.power_lost)
		return FK_EPOWER;
	cut = next_op(sim);
	if (cut == FK_CUT_BEFORE)
		return lose_power(sim);
	if (overlaps_protected(sim, off, sector_size)) {
		sim->violations++;
		return cut >= 0 ? lose_power(sim) : FK_EPROTECT;
	}
	fk_flash_sector_at(flash, off, &s);
	sim->wear[s.index]++;
	sim->c.erases++;
	sim->c.est_ns += erase_ns(&sim->timing, sector_size);
	if (cut == FK_CUT_TORN) {
		tear_erase(sim, off, sector_size);
		return lose_power(sim);
	}
	memset(sim->data + off, flash->geo.erased_value, sector_size);
	memset(sim->unit_state + off / flash->geo.write_unit, UNIT_ERASED,
	       sector_size / flash->geo.write_unit);
	return cut == FK_CUT_AFTER ? lose_power(sim) : FK_OK;
}

static const struct fk_flash_ops sim_ops = {
	.read = sim_read,
	.program = sim_program,
	.erase_sector = sim_erase_sector,
};

struct fk_sim *fk_sim_create(const struct fk_sim_config *config)
{
	const struct fk_flash_geometry *geo;
	struct fk_sim *sim;

	if (!config)
		return NULL;
	geo = &config->geo;
	if (fk_flash_check_geometry(geo) != FK_OK)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->runs = calloc(geo->run_count, sizeof(*sim->runs));
	sim->data = malloc(geo->size);
	sim->unit_count = geo->size / geo->write_unit;
	sim->unit_state = calloc(sim->unit_count, 1);
	sim->flash.geo = *geo;
	sim->flash.geo.runs = sim->runs;
	sim->flash.ops = &sim_ops;
	sim->flash.ctx = sim;
	if (sim->runs)
		memcpy(sim->runs, geo->runs,
		       geo->run_count * sizeof(*sim->runs));
	sim->sector_count = fk_flash_sector_count(&sim->flash);
	sim->wear = calloc(sim->sector_count, sizeof(*sim->wear));
	if (!sim->runs || !sim->data || !sim->unit_state || !sim->wear) {
		fk_sim_destroy(sim);
		return NULL;
	}
	memset(sim->data, geo->erased_value, geo->size);
	sim->timing = config->timing;
	if (config->timing.erase_table_count) {
		size_t n = config->timing.erase_table_count;

		sim->erase_table = calloc(n, sizeof(*sim->erase_table));
		if (!sim->erase_table || !config->timing.erase_table) {
			fk_sim_destroy(sim);
			return NULL;
		}
		memcpy(sim->erase_table, config->timing.erase_table,
		       n * sizeof(*sim->erase_table));
	}
	sim->timing.erase_table = sim->erase_table;
	sim->count_reads = config->count_reads;
	return sim;
}

void fk_sim_destroy(struct fk_sim *sim)
{
	if (!sim)
		return;
	free(sim->runs);
	free(sim->data);
	free(sim->unit_state);
	free(sim->wear);
	free(sim->protect);
	free(sim->erase_table);
	free(sim);
}

struct fk_flash *fk_sim_flash(struct fk_sim *sim)
{
	return &sim->flash;
}

uint8_t *fk_sim_data(struct fk_sim *sim)
{
	return sim->data;
}

int fk_sim_protect(struct fk_sim *sim, uint32_t off, uint32_t len)
{
	struct protect_range *p;

	if (fk_flash_check_range(&sim->flash, off, len) != FK_OK)
		return FK_ERANGE;
	p = realloc(sim->protect, (sim->protect_count + 1) * sizeof(*p));
	if (!p)
		return FK_ENOSPC;
	sim->protect = p;
	p[sim->protect_count].off = off;
	p[sim->protect_count].len = len;
	sim->protect_count++;
	return FK_OK;
}

uint32_t fk_sim_violations(const struct fk_sim *sim)
{
	return sim->violations;
}

void fk_sim_schedule_cut(struct fk_sim *sim, uint64_t op, enum fk_cut_kind kind,
			 enum fk_tear_mode tear, uint64_t seed)
{
	sim->c.cut_armed = true;
	sim->c.cut_op = op;
	sim->c.cut_kind = kind;
	sim->c.tear_mode = tear;
	sim->c.rng = seed;
}

void fk_sim_cancel_cut(struct fk_sim *sim)
{
	sim->c.cut_armed = false;
}

bool fk_sim_power_lost(const struct fk_sim *sim)
{
	return sim->c.power_lost;
}

void fk_sim_reboot(struct fk_sim *sim)
{
	sim->c.power_lost = false;
}

uint64_t fk_sim_op_index(const struct fk_sim *sim)
{
	return sim->c.op_index;
}

void fk_sim_get_stats(const struct fk_sim *sim, struct fk_sim_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->ops = sim->c.op_index;
	out->reads = sim->c.reads;
	out->programs = sim->c.programs;
	out->erases = sim->c.erases;
	out->bytes_read = sim->c.bytes_read;
	out->bytes_programmed = sim->c.bytes_programmed;
	out->est_us = sim->c.est_ns / 1000;
	for (uint32_t i = 0; i < sim->sector_count; i++) {
		if (sim->wear[i] > out->max_sector_erases) {
			out->max_sector_erases = sim->wear[i];
			out->max_sector_index = i;
		}
	}
}

uint32_t fk_sim_sector_erases(const struct fk_sim *sim, uint32_t index)
{
	return index < sim->sector_count ? sim->wear[index] : 0;
}

void fk_sim_reset_stats(struct fk_sim *sim)
{
	sim->c.reads = sim->c.programs = sim->c.erases = 0;
	sim->c.bytes_read = sim->c.bytes_programmed = 0;
	sim->c.est_ns = 0;
	memset(sim->wear, 0, sim->sector_count * sizeof(*sim->wear));
}

struct fk_sim_snapshot *fk_sim_snapshot_take(const struct fk_sim *sim)
{
	struct fk_sim_snapshot *snap = calloc(1, sizeof(*snap));
	uint32_t size = sim->flash.geo.size;

	if (!snap)
		return NULL;
	snap->data = malloc(size);
	snap->unit_state = malloc(sim->unit_count);
	snap->wear = malloc(sim->sector_count * sizeof(*snap->wear));
	if (!snap->data || !snap->unit_state || !snap->wear) {
		fk_sim_snapshot_free(snap);
		return NULL;
	}
	memcpy(snap->data, sim->data, size);
	memcpy(snap->unit_state, sim->unit_state, sim->unit_count);
	memcpy(snap->wear, sim->wear, sim->sector_count * sizeof(*snap->wear));
	snap->violations = sim->violations;
	snap->c = sim->c;
	return snap;
}

void fk_sim_snapshot_restore(struct fk_sim *sim,
			     const struct fk_sim_snapshot *snap)
{
	memcpy(sim->data, snap->data, sim->flash.geo.size);
	memcpy(sim->unit_state, snap->unit_state, sim->unit_count);
	memcpy(sim->wear, snap->wear, sim->sector_count * sizeof(*sim->wear));
	sim->violations = snap->violations;
	sim->c = snap->c;
}

void fk_sim_snapshot_free(struct fk_sim_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->data);
	free(snap->unit_state);
	free(snap->wear);
	free(snap);
}
