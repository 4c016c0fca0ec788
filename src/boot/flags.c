/*
 * The flag state (flags.h): reading it, programming one unit, and the
 * decisions the flag bootloader and its update API share.
 *
 * Power-loss invariant: flags.h's. Nothing here erases; bf_put()
 * programs one unit (or one STAGED record) into erased space.
 */
#include <string.h>

#include "flags.h"

/* The header's value: a cycle of this format, and its target. */
#define BF_HEADER_VALUE 0x46534600u /* "\0FSF" */
/* A unit's check word: the value's complement, keyed by where it is. */
#define BF_TAG 0x464B0000u

static uint32_t unit_size(const struct fk_boot_config *cfg)
{
	uint32_t wu = cfg->state.flash->geo.write_unit;

	return wu < 16 ? 16 : wu;
}

static uint32_t check_of(uint32_t value, uint32_t u)
{
	return ~value ^ (BF_TAG + u);
}

/* A STAGED record's check word: over its three others. */
static uint32_t staged_check(const uint32_t *w, uint32_t u)
{
	return check_of(w[0] ^ w[1] ^ w[2], u);
}

/* Reads unit u into w: 1 set, 2 set and torn (an ECC error:
 * w holds no value), 0 erased, or a flash error. */
static int read_unit(const struct fk_boot_config *cfg, uint32_t u,
		     const struct bf_state *st, uint32_t *w)
{
	const uint8_t *b = (const uint8_t *)w;
	int rc = fk_area_read(&cfg->state, u * st->unit, w, st->unit);

	if (rc == FK_EECC)
		return 2;
	if (rc != FK_OK)
		return rc;
	for (uint32_t k = 0; k < st->unit; k++)
		if (b[k] != cfg->state.flash->geo.erased_value)
			return 1;
	return 0;
}

/* What a set unit u (w, read) says, into st. */
static void take(struct bf_state *st, uint32_t u, const uint32_t *w, bool ecc)
{
	bool ok = !ecc && w[1] == check_of(w[0], u);
	uint32_t f = u - BF_AT(0);

	if (u == BF_HEADER) {
		st->header = ok && (w[0] & ~1u) == BF_HEADER_VALUE;
		st->target = (uint8_t)(w[0] & 1u);
	} else if (u < BF_STAGED) {
		st->syncs++;
		if (ok && w[0] > st->sync)
			st->sync = w[0];
	} else if (u < BF_AT(0)) {
		st->stages++;
		st->staged = !ecc && w[3] == staged_check(w, u);
		st->len = w[0];
		memcpy(st->digest, &w[1], BS_DIGEST_PREFIX);
	} else if (f < BF_SWITCH) {
		st->set |= (uint8_t)(1u << f);
		if (f == BF_REFUSED)
			st->reason = ok ? -(int32_t)w[0] : FK_ECORRUPT;
	} else if (f < BF_ATTEMPT) {
		st->switches++;
	} else {
		st->attempts++;
	}
}

/* bf_geometry(), static: a bootloader calls it once, from bf_read(),
 * where it is inlined (20 bytes less than a call). */
static inline __attribute__((always_inline)) int
geometry(const struct fk_boot_config *cfg, struct bf_state *st)
{
	uint32_t unit, units;

	memset(st, 0, sizeof(*st));
	if (cfg->image_count != 1 || !cfg->state.flash ||
	    !(IS_XIP(cfg) ?
		      cfg->strategy == FK_BOOT_XIP :
		      IS_OVERWRITE(cfg) && cfg->strategy == FK_BOOT_OVERWRITE))
		return FK_EINVAL;
	unit = unit_size(cfg);
	units = BF_AT(BF_ATTEMPT) + (IS_XIP(cfg) ? cfg->trial_boots : 0);
	if (unit > FK_BOOT_RECORD_MAX || units * unit > cfg->state.size ||
	    units * unit > FK_BOOT_LOG_MIN)
		return FK_EINVAL;
	st->unit = unit;
	st->units = units;
	return FK_OK;
}

int bf_geometry(const struct fk_boot_config *cfg, struct bf_state *st)
{
	return geometry(cfg, st);
}

int bf_read(const struct fk_boot_config *cfg, struct bf_state *st)
{
	uint32_t w[FK_BOOT_RECORD_MAX / 4];
	int rc = geometry(cfg, st);

	if (rc != FK_OK)
		return rc;
	for (uint32_t u = 0; u < st->units; u++) {
		rc = read_unit(cfg, u, st, w);
		if (rc < 0)
			return rc;
		if (rc)
			take(st, u, w, rc == 2);
		/* an empty state: nothing past the header read (target is
		 * then meaningless, and read only with a header) */
		if (u == BF_HEADER && !st->header)
			break;
	}
	return FK_OK;
}

int bf_put(const struct fk_boot_config *cfg, struct bf_state *st, uint32_t u,
	   uint32_t value)
{
	uint32_t w[FK_BOOT_RECORD_MAX / 4];

	memset(w, cfg->state.flash->geo.erased_value, sizeof(w));
	w[0] = value;
	w[1] = check_of(value, u);
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	return fk_area_program(&cfg->state, u * st->unit, w, st->unit);
}

int bf_put_staged(const struct fk_boot_config *cfg, struct bf_state *st,
		  uint32_t len, const uint8_t *digest)
{
	uint32_t w[FK_BOOT_RECORD_MAX / 4];
	uint32_t u = BF_STAGED + st->stages;

	memset(w, cfg->state.flash->geo.erased_value, sizeof(w));
	w[0] = len;
	memcpy(&w[1], digest, BS_DIGEST_PREFIX);
	w[3] = staged_check(w, u);
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	return fk_area_program(&cfg->state, u * st->unit, w, st->unit);
}

enum fk_boot_phase bf_phase(const struct fk_boot_config *cfg,
			    const struct bf_state *st)
{
	(void)cfg; /* IS_* are constants in a one-strategy build */
	if (!st->header ||
	    (st->set &
	     (1u << BF_REFUSED | 1u << BF_DONE | 1u << BF_REVERTED)) ||
	    !(st->set & (1u << BF_PENDING_TEST | 1u << BF_PENDING_PERMANENT)))
		return FK_BOOT_IDLE;
	if (IS_OVERWRITE(cfg))
		return BF_HAS(st, BF_STARTED) ? FK_BOOT_INSTALLING :
						FK_BOOT_PENDING;
	return st->attempts ? FK_BOOT_TRIAL : FK_BOOT_PENDING;
}

int bf_valid(const struct fk_boot_config *cfg, const struct fk_area *slot,
	     struct fk_image_lite *info)
{
	return bl_valid(cfg, slot, info);
}

int bf_pick(const struct fk_boot_config *cfg, const struct bf_state *st,
	    struct fk_image_lite *info)
{
	if (st->header)
		return (BF_HAS(st, BF_DONE) ? st->target : 1 - st->target) ^
		       (st->switches & 1);
	return bl_newest(cfg, info);
}

int bf_active(const struct fk_boot_config *cfg, const struct bf_state *st)
{
	struct fk_image_lite info;

	return bf_pick(cfg, st, &info) & 1;
}

const struct fk_area *bf_staging(const struct fk_boot_config *cfg,
				 const struct bf_state *st)
{
	return IS_XIP(cfg) ? bl_slot(cfg, st->target) :
			     &cfg->images[0].secondary;
}

uint32_t bf_max_size(const struct fk_boot_config *cfg)
{
	const struct fk_boot_slots *sl = &cfg->images[0];

	return sl->primary.size < sl->secondary.size ? sl->primary.size :
						       sl->secondary.size;
}

int bf_check_pending(const struct fk_boot_config *cfg,
		     const struct bf_state *st)
{
	struct fk_image_lite info;
	uint32_t running_cnt = 0;
	bool running_ok;
	int rc = bl_valid(cfg, bl_slot(cfg, IS_XIP(cfg) ? 1 - st->target : 0),
			  &info);

	if (bc_is_flash_error(rc))
		return rc;
	running_ok = rc == FK_OK;
	if (running_ok)
		running_cnt = info.security_counter;
	if (!st->staged)
		return FK_ESTATE;
	rc = bl_valid(cfg, bf_staging(cfg, st), &info);
	if (rc == FK_OK && info.end > bf_max_size(cfg))
		rc = FK_ENOSPC;
	if (rc == FK_OK && (info.end != st->len ||
			    memcmp(info.digest, st->digest, BS_DIGEST_PREFIX)))
		rc = FK_ECORRUPT;
	if (rc == FK_OK && cfg->check_security_counter && running_ok &&
	    info.security_counter < running_cnt)
		rc = FK_EDOWNGRADE;
	if (rc == FK_OK && info.dep_count)
		rc = FK_EDEPEND;
	return rc;
}
