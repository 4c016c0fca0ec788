/*
 * The boot state log for the lite core (lite.h): image 0's state replayed
 * from the log, records appended, and the log rewritten as a summary when
 * an essential record finds it full. Same bytes and rules as state.c
 * (docs/boot-state.md), which it shares the record encoding and the slot
 * map with; only the replay is narrowed to the one image.
 *
 * Power-loss invariant (as state.c): every change is one program of one
 * record slot into erased space, after everything it describes is done;
 * only the last written slot can be torn, and a torn slot is skipped. A
 * compaction erases the log and writes the header before the summary, so
 * a cut during it leaves an empty log ("nothing pending"); it runs only in
 * PENDING, or when more than FK_BOOT_CUT_RESERVE records were torn in one
 * cycle.
 */
#include <stddef.h>
#include <string.h>

#include "flashkit/crc.h"

#include "lite.h"

/* For each record type 0xH0 to 0xH4 of the rows H = 1 (uploads), 2
 * (installs) and 3 (trials), UPLOAD (0x10) to REVERTED (0x33): the phases
 * it is taken in (bit 1 << phase; docs/boot-state.md, "Replaying the
 * log"), and PER_IMAGE for the types that name an image. */
#define PER_IMAGE 0x80u
#define PH(p) (1u << FK_BOOT_##p)
#define IX(type) ((((type) >> 4) - 1) * 5 + ((type)&15))
static const uint8_t taken[15] = {
	[IX(BS_REC_UPLOAD)] = PER_IMAGE | PH(IDLE) | PH(PENDING),
	[IX(BS_REC_SYNC)] = PER_IMAGE | 0x1F,
	[IX(BS_REC_STAGED)] = PER_IMAGE | 0x1F,
	[IX(BS_REC_PENDING)] = PH(IDLE),
	[IX(BS_REC_REFUSED)] = PH(PENDING),
	[IX(BS_REC_START)] = PER_IMAGE | PH(PENDING) | PH(INSTALLING),
	[IX(BS_REC_STEP)] = PER_IMAGE | PH(INSTALLING),
	[IX(BS_REC_INSTALLED)] = PH(PENDING) | PH(INSTALLING),
	[IX(BS_REC_ATTEMPT)] = PH(TRIAL),
	[IX(BS_REC_CONFIRMED)] = PH(IDLE) | PH(TRIAL),
	[IX(BS_REC_RSTEP)] = PER_IMAGE | PH(TRIAL) | PH(REVERTING),
	[IX(BS_REC_REVERTED)] = PH(TRIAL) | PH(REVERTING),
};
typedef char digest_in_words[BS_DIGEST_PREFIX % 4 == 0 ? 1 : -1];
typedef char types_in_rows[BS_REC_INSTALLED == 0x24 && BS_REC_REVERTED == 0x33 ?
				   1 :
				   -1];

/* The type's index in taken[], or -1 for a type outside the rows. Not
 * inlined: apply() and put_rec() share one copy. */
static __attribute__((noinline)) int index_of(uint8_t type)
{
	uint32_t row = (type >> 4) - 1u, col = type & 15u;

	return row < 3 && col < 5 ? (int)(row * 5 + col) : -1;
}

static bool per_image(uint8_t type)
{
	int x = index_of(type);

	return x >= 0 && (taken[x] & PER_IMAGE);
}

/* Nothing pending or on trial. In IDLE mask and started are already
 * clear, so it changes nothing there. */
static void set_idle(struct bl_state *st)
{
	st->phase = FK_BOOT_IDLE;
	st->mask = 0;
	st->started = false;
}

/* The upload of image 0 ends (REFUSED of its set, INSTALLED). */
static void end_upload(struct bl_state *st)
{
	if (st->mask & 1u)
		st->upload = st->staged = false;
}

/* Replays one record as state.c's apply() does for image 0: a record
 * for another image, or in a phase where it makes no sense, is ignored.
 * The records that end in IDLE share its tail. */
static void apply(struct bl_state *st, const struct bs_rec *r)
{
	int x = index_of(r->type);
	uint16_t done = (uint16_t)(r->arg + 1);

	if (x < 0 || !(taken[x] >> st->phase & 1u) ||
	    (taken[x] & PER_IMAGE && r->image != 0))
		return;
	switch (x) {
	case IX(BS_REC_UPLOAD): /* cancels a pending mark */
		st->upload = true;
		st->staged = false;
		st->sync = 0;
		st->target = (uint8_t)(r->arg & 1);
		st->active = (int8_t)(1 - (r->arg & 1));
		break;
	case IX(BS_REC_SYNC):
		if (st->upload && r->value > st->sync)
			st->sync = r->value;
		return;
	case IX(BS_REC_STAGED):
		if (st->upload) {
			st->staged = true;
			memcpy(st->digest, r->payload, BS_DIGEST_PREFIX);
		}
		return;
	case IX(BS_REC_PENDING):
		st->phase = FK_BOOT_PENDING;
		st->mode = (uint8_t)r->arg;
		st->mask = (uint8_t)r->value;
		st->attempts = 0;
		st->saved = st->placed = st->rsteps = 0;
		return;
	case IX(BS_REC_REFUSED):
		st->refused = r->value;
		end_upload(st);
		break;
	case IX(BS_REC_START):
		st->phase = FK_BOOT_INSTALLING;
		st->started = true;
		st->upload = st->staged = false;
		st->groups = r->arg;
		st->length = r->value;
		st->flags = r->payload[0];
		return;
	case IX(BS_REC_STEP):
		if (done > st->saved)
			st->saved = done;
		if (r->value == BS_STEP_PLACED && done > st->placed)
			st->placed = done;
		return;
	case IX(BS_REC_INSTALLED):
		end_upload(st);
		st->phase = FK_BOOT_TRIAL;
		if (st->mode == FK_BOOT_TEST)
			return;
		st->active = (int8_t)st->target;
		break;
	case IX(BS_REC_ATTEMPT):
		if (r->value > st->attempts)
			st->attempts = (uint8_t)r->value;
		return;
	case IX(BS_REC_RSTEP):
		if ((uint32_t)r->arg + 1 > st->rsteps) {
			st->phase = FK_BOOT_REVERTING;
			st->rsteps = done;
		}
		return;
	default: /* CONFIRMED, REVERTED */
		st->active = (int8_t)(r->value & 1);
		break;
	}
	set_idle(st);
}

/* A record slot as it lies on flash: struct bs_rec's 16 bytes as a
 * little-endian machine lays them out (docs/boot-state.md, "Record
 * slots"), the CRC, then padding. Read and written in place. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lite_state.c reads records in place: little-endian only"
#endif
typedef char
	rec_in_place[sizeof(struct bs_rec) == BS_REC_BYTES - 4 &&
				     offsetof(struct bs_rec, value) == 4 &&
				     offsetof(struct bs_rec, payload) == 8 ?
			     1 :
			     -1];
union slot {
	uint8_t b[FK_BOOT_RECORD_MAX];
	struct {
		struct bs_rec r;
		uint32_t crc;
	} s;
};

static uint32_t crc_of(const union slot *u)
{
	return fk_crc32(BS_CRC_SEED, u->b, BS_REC_BYTES - 4);
}

/* Where slot i starts: sectors of one size, whole slots in each. */
static uint32_t slot_off(const struct bl_state *st, uint32_t i)
{
	return i / st->per * st->ssize + i % st->per * st->rec;
}

/* Slot i: 1 valid record, 0 erased, -1 torn (an ECC error, or a CRC that
 * does not match), or a flash error. */
static int read_slot(const struct fk_boot_config *cfg,
		     const struct bl_state *st, uint32_t i, union slot *u)
{
	uint8_t erased = cfg->state.flash->geo.erased_value;
	int rc = fk_area_read(&cfg->state, slot_off(st, i), u->b, st->rec);

	if (rc == FK_EECC)
		return -1;
	if (rc != FK_OK)
		return rc;
	for (uint32_t k = 0; k < st->rec; k++)
		if (u->b[k] != erased)
			return crc_of(u) == u->s.crc ? 1 : -1;
	return 0;
}

/* Clears st to an empty log's state, keeping its geometry. */
static void clear(struct bl_state *st)
{
	memset(&st->next, 0, sizeof(*st) - offsetof(struct bl_state, next));
	st->active = -1;
}

/* cfg's strategy is one this build has (a product leaves the others out,
 * FK_BOOT_NO_<STRATEGY>, and the lite core has no RAM_LOAD): lite.h's
 * IS_* are constants only behind this check. */
static bool strategy_built(const struct fk_boot_config *cfg)
{
	switch (cfg->strategy) {
#ifndef FK_BOOT_NO_OVERWRITE
	case FK_BOOT_OVERWRITE:
#endif
#ifndef FK_BOOT_NO_SWAP
	case FK_BOOT_SWAP:
#endif
#ifndef FK_BOOT_NO_XIP
	case FK_BOOT_XIP:
#endif
		return true;
	default:
		return false;
	}
}

/* The log's geometry (docs/boot-state.md, "Placement"): the fewest
 * leading sectors of the state area that hold FK_BOOT_LOG_MIN bytes, or
 * all of them, each holding whole slots of BS_REC_BYTES rounded up to
 * the write unit. Sectors of different sizes are FK_EINVAL (lite.h). */
static int geometry(const struct fk_boot_config *cfg, struct bl_state *st)
{
	const struct fk_area *a = &cfg->state;
	uint32_t wu, at, n = 0;
	struct fk_sector s;

	if (cfg->image_count != 1 || !strategy_built(cfg) || !a->flash)
		return FK_EINVAL;
	/* a power of two (fk_flash_check_geometry()) */
	wu = a->flash->geo.write_unit;
	st->rec = (BS_REC_BYTES + wu - 1) & ~(wu - 1);
	for (at = 0; at < a->size && at < FK_BOOT_LOG_MIN; at += s.size, n++) {
		if (fk_area_sector_at(a, at, &s) != FK_OK ||
		    (n && s.size != st->ssize))
			return FK_EINVAL;
		st->ssize = s.size;
	}
	st->per = st->ssize / st->rec;
	st->slots = n * st->per;
	return st->slots < 2 || st->rec > FK_BOOT_RECORD_MAX ? FK_EINVAL :
							       FK_OK;
}

int bl_geometry(const struct fk_boot_config *cfg, struct bl_state *st)
{
	int rc;

	rc = geometry(cfg, st);
	clear(st);
	return rc;
}

/* A log without a valid header in slot 0 is empty, whatever else it
 * holds; with one, the first empty slot ends it. */
int bl_read(const struct fk_boot_config *cfg, struct bl_state *st)
{
	union slot u;
	int rc;

	rc = bl_geometry(cfg, st);
	if (rc != FK_OK)
		return rc;
	/* slot 0 must be the header (which apply() ignores); next > 0 then */
	for (uint32_t i = 0; i < st->slots; i++) {
		rc = read_slot(cfg, st, i, &u);
		if (rc < -1)
			return rc;
		if (rc == 0 ||
		    (i == 0 && (rc != 1 || u.s.r.type != BS_REC_HEADER ||
				u.s.r.arg != BS_FORMAT_VERSION)))
			break;
		st->next = i + 1;
		if (rc == 1)
			apply(st, &u.s.r);
	}
	st->header = st->next > 0;
	return FK_OK;
}

uint32_t bl_max_groups(const struct fk_boot_config *cfg,
		       const struct bl_state *st)
{
	return bs_max_groups_of(st->slots, 1, cfg->trial_boots);
}

uint32_t bl_cycle_slots(const struct fk_boot_config *cfg,
			const struct bl_state *st)
{
	return bs_fixed_slots_of(1, cfg->trial_boots) +
	       4 * bl_max_groups(cfg, st);
}

uint32_t bl_install_slots(const struct fk_boot_config *cfg,
			  const struct bl_state *st)
{
	return bs_install_slots_of(IS_XIP(cfg) ? 0 : bl_max_groups(cfg, st), 1,
				   cfg->trial_boots);
}

/* Programs rec into the next slot (counted as used even if torn) and
 * replays it. */
static int put(const struct fk_boot_config *cfg, struct bl_state *st,
	       const struct bs_rec *rec)
{
	union slot u;
	int rc;

	memset(u.b, cfg->state.flash->geo.erased_value, sizeof(u.b));
	u.s.r = *rec;
	u.s.crc = crc_of(&u);
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	rc = fk_area_program(&cfg->state, slot_off(st, st->next), u.b, st->rec);
	st->next++;
	if (rc == FK_OK)
		apply(st, rec);
	return rc;
}

static int put_rec(const struct fk_boot_config *cfg, struct bl_state *st,
		   uint8_t type, uint16_t arg, uint32_t value)
{
	struct bs_rec rec = { .type = type,
			      .image = per_image(type) ? 0 : 0xFF,
			      .arg = arg,
			      .value = value };

	if (type == BS_REC_START)
		rec.payload[0] = st->flags;
	if (type == BS_REC_STAGED)
		memcpy(rec.payload, st->digest, BS_DIGEST_PREFIX);
	return put(cfg, st, &rec);
}

/* One record of a summary: its type, arg and value (put_rec()). */
struct sum_rec {
	uint8_t type;
	uint16_t arg;
	uint32_t value;
};

/* The summary of s (state.c's summary() for one image), listed from p on
 * before the log is erased: the upload, then the set, its install's
 * progress and its trial. Returns the end of the list (at most 9
 * records). */
static struct sum_rec *summary(const struct fk_boot_config *cfg,
			       const struct bl_state *s, struct sum_rec *p)
{
	bool trialish =
		s->phase == FK_BOOT_TRIAL || s->phase == FK_BOOT_REVERTING;

	(void)cfg; /* IS_* are constants in a one-strategy build */
#define ADD(t, a, v) \
	(p->type = (t), p->arg = (uint16_t)(a), p->value = (v), p++)
	if (s->upload)
		ADD(BS_REC_UPLOAD, s->target, 0);
	if (s->upload && s->staged)
		ADD(BS_REC_STAGED, 0, 0);
	if (s->phase == FK_BOOT_IDLE && s->active >= 0 && !s->upload)
		ADD(BS_REC_CONFIRMED, 0, (uint32_t)s->active);
	if (s->phase != FK_BOOT_IDLE) {
		ADD(BS_REC_PENDING, s->mode, s->mask);
		/* XIP writes no START; OVERWRITE no STEP */
		if (s->started && !IS_XIP(cfg))
			ADD(BS_REC_START, s->groups, s->length);
		if (s->started && s->saved && IS_SWAP(cfg))
			ADD(BS_REC_STEP, s->saved - 1u, BS_STEP_SAVED);
		if (s->started && s->placed && IS_SWAP(cfg))
			ADD(BS_REC_STEP, s->placed - 1u, BS_STEP_PLACED);
		if (trialish)
			ADD(BS_REC_INSTALLED, 0, 0);
		if (trialish && s->attempts)
			ADD(BS_REC_ATTEMPT, 0, s->attempts);
		if (s->rsteps && IS_SWAP(cfg))
			ADD(BS_REC_RSTEP, s->rsteps - 1u, 0);
	}
#undef ADD
	return p;
}

int bl_reset(const struct fk_boot_config *cfg, struct bl_state *st)
{
	int rc;

	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	rc = fk_area_erase(&cfg->state, 0, st->slots / st->per * st->ssize);
	if (rc != FK_OK)
		return rc;
	clear(st);
	rc = put_rec(cfg, st, BS_REC_HEADER, BS_FORMAT_VERSION, 0);
	st->header = rc == FK_OK;
	return rc;
}

/* The log rewritten as the summary of st: listed first, then the log is
 * reset, then the list written in order. STAGED and START take the
 * digest and flags from st, which the reset clears: they are put back
 * where the summary holds them (a staged upload; a set). */
static int compact(const struct fk_boot_config *cfg, struct bl_state *st)
{
	struct sum_rec r[9], *q, *end = summary(cfg, st, r);
	/* whole words (digest_in_words) */
	uint32_t digest[BS_DIGEST_PREFIX / 4];
	uint8_t flags = st->flags;
	bool staged = st->upload && st->staged, set = st->phase != FK_BOOT_IDLE;
	int rc;

	memcpy(digest, st->digest, sizeof(digest));
	rc = bl_reset(cfg, st);
	if (staged)
		memcpy(st->digest, digest, sizeof(digest));
	if (set)
		st->flags = flags;
	for (q = r; rc == FK_OK && q < end; q++)
		rc = put_rec(cfg, st, q->type, q->arg, q->value);
	return rc;
}

int bl_make_room(const struct fk_boot_config *cfg, struct bl_state *st,
		 uint32_t need)
{
	if (st->header && st->slots - st->next >= need)
		return FK_OK;
	return compact(cfg, st);
}

int bl_append(const struct fk_boot_config *cfg, struct bl_state *st,
	      uint8_t type, uint16_t arg, uint32_t value)
{
	uint32_t left = st->slots - st->next;
	int rc;

	if (type == BS_REC_RSTEP && left <= bs_reserve_slots(cfg))
		return FK_OK;
	if (left == 0) {
		rc = compact(cfg, st);
		if (rc != FK_OK)
			return rc;
	}
	return put_rec(cfg, st, type, arg, value);
}
