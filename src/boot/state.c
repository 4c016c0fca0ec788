/*
 * The boot state log (docs/boot-state.md): reading it back into a
 * struct bs_state, appending a record, and starting a fresh log.
 *
 * Power-loss invariant: every change is one program of one record slot
 * into erased space, after everything it describes is done. Records are
 * written in slot order, so only the last written slot can be torn; a
 * torn slot reads as an ECC error or fails its CRC and is skipped. The
 * header is written only after an erase finished, so a log whose first
 * slot is not a valid header is read as empty, whatever a torn erase left
 * behind. Empty means "nothing pending", which is true whenever the log
 * is erased (only in fk_update_begin(), with nothing pending, or when
 * compacting a full log, with a complete image in every boot slot).
 *
 * Nothing here knows about strategies: it only replays records.
 */
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crc.h"

#include "boot_internal.h"

static uint32_t rec_crc(const uint8_t *raw)
{
	return fk_crc32(BS_CRC_SEED, raw, BS_REC_BYTES - 4);
}

void bs_rec_encode(const struct bs_rec *rec, uint8_t *raw)
{
	raw[0] = rec->type;
	raw[1] = rec->image;
	raw[2] = (uint8_t)rec->arg;
	raw[3] = (uint8_t)(rec->arg >> 8);
	fk_put_le32(raw + 4, rec->value);
	memcpy(raw + 8, rec->payload, BS_DIGEST_PREFIX);
	fk_put_le32(raw + 16, rec_crc(raw));
}

bool bs_rec_decode(const uint8_t *raw, struct bs_rec *rec)
{
	if (fk_le32(raw + 16) != rec_crc(raw))
		return false;
	rec->type = raw[0];
	rec->image = raw[1];
	rec->arg = (uint16_t)(raw[2] | raw[3] << 8);
	rec->value = fk_le32(raw + 4);
	memcpy(rec->payload, raw + 8, BS_DIGEST_PREFIX);
	return true;
}

uint32_t bs_record_size(const struct fk_area *area)
{
	uint32_t wu = area->flash->geo.write_unit;

	return (BS_REC_BYTES + wu - 1) / wu * wu;
}

/*
 * The log spans the fewest leading sectors of the state area that hold
 * FK_BOOT_LOG_MIN bytes (the whole area when it is smaller): one sector
 * wherever sectors are 2 KiB or more, sixteen 128-byte pages on an
 * STM32L0. A record slot never straddles two sectors.
 */
uint32_t bs_log_bytes(const struct fk_area *area)
{
	uint32_t off = 0;
	struct fk_sector s;

	while (off < area->size && off < FK_BOOT_LOG_MIN) {
		if (fk_area_sector_at(area, off, &s) != FK_OK)
			return 0;
		off = s.off + s.size;
	}
	return off;
}

/*
 * Walks the log's sectors once: the number of record slots they hold
 * (*slots, when not NULL), and where slot i starts (*off). Returns 0, or
 * FK_ERANGE when slot i lies past the log (always so for i = UINT32_MAX,
 * which only counts).
 */
static int log_walk(const struct fk_area *area, uint32_t rec, uint32_t i,
		    uint32_t *off, uint32_t *slots)
{
	uint32_t at = 0, end = bs_log_bytes(area), n = 0;
	int rc = FK_ERANGE;
	struct fk_sector s;

	while (at < end && fk_area_sector_at(area, at, &s) == FK_OK) {
		if (rc != FK_OK && i >= n && i - n < s.size / rec) {
			*off = at + (i - n) * rec;
			rc = FK_OK;
			if (!slots)
				return rc;
		}
		n += s.size / rec;
		at += s.size;
	}
	if (slots)
		*slots = n;
	return rc;
}

int bs_slot_offset(const struct fk_area *area, uint32_t rec, uint32_t i,
		   uint32_t *out)
{
	return log_walk(area, rec, i, out, NULL);
}

uint32_t bs_log_slots(const struct fk_boot_config *cfg)
{
	uint32_t off, n = 0;

	if (cfg->state.size && cfg->state.flash)
		log_walk(&cfg->state, bs_record_size(&cfg->state), UINT32_MAX,
			 &off, &n);
	return n;
}

uint32_t bs_max_groups(const struct fk_boot_config *cfg)
{
	return bs_max_groups_of(bs_log_slots(cfg), cfg->image_count,
				cfg->trial_boots);
}

uint32_t bs_cycle_slots(const struct fk_boot_config *cfg)
{
	return bs_fixed_slots_of(cfg->image_count, cfg->trial_boots) +
	       4 * cfg->image_count * bs_max_groups(cfg);
}

uint32_t bs_install_slots(const struct fk_boot_config *cfg)
{
	return bs_install_slots_of(bs_two_slots(cfg) ? 0 : bs_max_groups(cfg),
				   cfg->image_count, cfg->trial_boots);
}

static void set_idle(struct bs_state *st)
{
	st->phase = FK_BOOT_IDLE;
	st->mask = 0;
	st->start_mask = 0;
}

static void apply_upload(struct bs_state *st, const struct bs_rec *r)
{
	uint8_t bit = (uint8_t)(1u << r->image);

	if (st->phase == FK_BOOT_PENDING)
		set_idle(st);
	if (st->phase != FK_BOOT_IDLE)
		return;
	st->upload_mask |= bit;
	st->staged_mask &= (uint8_t)~bit;
	st->sync[r->image] = 0;
	st->xip_target[r->image] = (uint8_t)(r->arg & 1);
	st->xip_active = (int8_t)(1 - (r->arg & 1));
}

static void apply_pending(struct bs_state *st, const struct bs_rec *r)
{
	if (st->phase != FK_BOOT_IDLE)
		return;
	st->phase = FK_BOOT_PENDING;
	st->mode = (uint8_t)r->arg;
	st->mask = (uint8_t)r->value;
	st->attempts = 0;
	st->start_mask = 0;
	memset(st->saved, 0, sizeof(st->saved));
	memset(st->placed, 0, sizeof(st->placed));
	memset(st->rsteps, 0, sizeof(st->rsteps));
}

static void apply_start(struct bs_state *st, const struct bs_rec *r)
{
	uint8_t bit = (uint8_t)(1u << r->image);

	if (st->phase != FK_BOOT_PENDING && st->phase != FK_BOOT_INSTALLING)
		return;
	st->phase = FK_BOOT_INSTALLING;
	st->start_mask |= bit;
	/* The upload is consumed: nothing of it is left to resume. */
	st->upload_mask &= (uint8_t)~bit;
	st->staged_mask &= (uint8_t)~bit;
	st->groups[r->image] = r->arg;
	st->length[r->image] = r->value;
	st->flags[r->image] = r->payload[0];
}

static void apply_step(struct bs_state *st, const struct bs_rec *r)
{
	uint16_t done = (uint16_t)(r->arg + 1);

	if (done > st->saved[r->image])
		st->saved[r->image] = done;
	if (r->value == BS_STEP_PLACED && done > st->placed[r->image])
		st->placed[r->image] = done;
}

static void apply_installed(struct bs_state *st)
{
	if (st->phase != FK_BOOT_INSTALLING && st->phase != FK_BOOT_PENDING)
		return;
	/* XIP writes no START: INSTALLED ends its uploads. */
	st->upload_mask &= (uint8_t)~st->mask;
	st->staged_mask &= (uint8_t)~st->mask;
	if (st->mode == FK_BOOT_TEST) {
		st->phase = FK_BOOT_TRIAL;
		return;
	}
	st->xip_active = (int8_t)st->xip_target[0];
	set_idle(st);
}

static bool is_per_image(uint8_t type)
{
	return type == BS_REC_UPLOAD || type == BS_REC_SYNC ||
	       type == BS_REC_STAGED || type == BS_REC_START ||
	       type == BS_REC_STEP || type == BS_REC_RSTEP;
}

/* Replays one record; records that make no sense in the current phase
 * (never written by this code) are ignored. */
static void apply(struct bs_state *st, const struct bs_rec *r,
		  uint32_t image_count)
{
	bool trialish =
		st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_REVERTING;

	if (is_per_image(r->type) && r->image >= image_count)
		return;
	switch (r->type) {
	case BS_REC_UPLOAD:
		apply_upload(st, r);
		break;
	case BS_REC_SYNC:
		if (st->upload_mask & (1u << r->image) &&
		    r->value > st->sync[r->image])
			st->sync[r->image] = r->value;
		break;
	case BS_REC_STAGED:
		if (st->upload_mask & (1u << r->image)) {
			st->staged_mask |= (uint8_t)(1u << r->image);
			memcpy(st->digest[r->image], r->payload,
			       BS_DIGEST_PREFIX);
		}
		break;
	case BS_REC_PENDING:
		apply_pending(st, r);
		break;
	case BS_REC_REFUSED:
		if (st->phase == FK_BOOT_PENDING) {
			st->upload_mask &= (uint8_t)~st->mask;
			st->staged_mask &= (uint8_t)~st->mask;
			st->last_refusal = -(int)r->value;
			set_idle(st);
		}
		break;
	case BS_REC_START:
		apply_start(st, r);
		break;
	case BS_REC_STEP:
		if (st->phase == FK_BOOT_INSTALLING)
			apply_step(st, r);
		break;
	case BS_REC_INSTALLED:
		apply_installed(st);
		break;
	case BS_REC_ATTEMPT:
		if (st->phase == FK_BOOT_TRIAL && r->value > st->attempts)
			st->attempts = (uint8_t)r->value;
		break;
	case BS_REC_CONFIRMED:
		if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_IDLE) {
			st->xip_active = (int8_t)(r->value & 1);
			set_idle(st);
		}
		break;
	case BS_REC_RSTEP:
		if (trialish && (uint32_t)r->arg + 1 > st->rsteps[r->image]) {
			st->phase = FK_BOOT_REVERTING;
			st->rsteps[r->image] = (uint16_t)(r->arg + 1);
		}
		break;
	case BS_REC_REVERTED:
		if (trialish) {
			st->xip_active = (int8_t)(r->value & 1);
			set_idle(st);
		}
		break;
	default:
		break;
	}
}

/* Reads slot i: 1 valid record, 0 erased, -1 torn or garbage, or a
 * flash error. An ECC error is what a torn program-once unit gives. */
static int read_slot(const struct fk_boot_config *cfg, struct bs_log *log,
		     uint32_t i, struct bs_rec *rec)
{
	uint8_t raw[FK_BOOT_RECORD_MAX];
	uint32_t n = log->rec_size, off;
	int rc = bs_slot_offset(log->area, n, i, &off);
	bool erased = true;

	if (rc == FK_OK)
		rc = fk_area_read(log->area, off, raw, n);
	if (rc == FK_EECC)
		return -1;
	if (rc != FK_OK)
		return rc;
	for (uint32_t k = 0; k < n; k++)
		erased = erased && raw[k] == cfg->state.flash->geo.erased_value;
	if (erased)
		return 0;
	return bs_rec_decode(raw, rec) ? 1 : -1;
}

int bs_read(const struct fk_boot_config *cfg, struct bs_state *st)
{
	struct bs_log *log = &st->log;
	struct bs_rec rec;
	int rc;

	memset(st, 0, sizeof(*st));
	st->xip_active = -1;
	log->area = &cfg->state;
	log->rec_size = bs_record_size(&cfg->state);
	log->slots = bs_log_slots(cfg);
	if (log->slots < 2 || log->rec_size > FK_BOOT_RECORD_MAX)
		return FK_EINVAL;
	log->blank = true;
	for (uint32_t i = 0; i < log->slots; i++) {
		rc = read_slot(cfg, log, i, &rec);
		if (rc < -1)
			return rc;
		if (i == 0)
			log->header = rc == 1 && rec.type == BS_REC_HEADER &&
				      rec.arg == BS_FORMAT_VERSION;
		/* In a log with a header, records fill the slots in order:
		 * the first empty slot is the end. Without one, the whole
		 * sector is read to tell blank from a torn erase. */
		if (rc == 0 && log->header)
			break;
		if (rc != 0) {
			log->blank = false;
			log->next = i + 1;
		}
		if (rc == 1 && i > 0 && log->header)
			apply(st, &rec, cfg->image_count);
	}
	return FK_OK;
}

static int write_slot(const struct fk_boot_config *cfg, struct bs_state *st,
		      const struct bs_rec *rec)
{
	uint8_t raw[FK_BOOT_RECORD_MAX];
	uint32_t n = st->log.rec_size, off;
	int rc = bs_slot_offset(&cfg->state, n, st->log.next, &off);

	if (rc != FK_OK)
		return rc;
	memset(raw, cfg->state.flash->geo.erased_value, sizeof(raw));
	bs_rec_encode(rec, raw);
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	/* The slot counts as used even if the program is torn. */
	rc = fk_area_program(&cfg->state, off, raw, n);
	st->log.next++;
	st->log.blank = false;
	return rc;
}

int bs_reset(const struct fk_boot_config *cfg, struct bs_state *st)
{
	struct bs_rec hdr = { .type = BS_REC_HEADER,
			      .image = 0xFF,
			      .arg = BS_FORMAT_VERSION };
	struct bs_log log = st->log;
	int rc;

	rc = bio_erase(cfg, &cfg->state, 0, bs_log_bytes(&cfg->state));
	if (rc != FK_OK)
		return rc;
	memset(st, 0, sizeof(*st));
	st->xip_active = -1;
	st->log = log;
	st->log.next = 0;
	st->log.blank = true;
	st->log.header = false;
	rc = write_slot(cfg, st, &hdr);
	st->log.header = rc == FK_OK;
	return rc;
}

/* The records that rebuild st in a fresh log. */
static uint32_t summary(const struct fk_boot_config *cfg,
			const struct bs_state *st, struct bs_rec *out)
{
	uint32_t n = 0;
	bool busy = st->phase != FK_BOOT_IDLE;

	memset(out, 0, sizeof(*out) * (4 + 6 * FK_BOOT_MAX_IMAGES));
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		if (!(st->upload_mask & (1u << i)))
			continue;
		out[n++] = (struct bs_rec){ .type = BS_REC_UPLOAD,
					    .image = (uint8_t)i,
					    .arg = st->xip_target[i] };
		if (st->staged_mask & (1u << i)) {
			out[n] = (struct bs_rec){ .type = BS_REC_STAGED,
						  .image = (uint8_t)i };
			memcpy(out[n++].payload, st->digest[i],
			       BS_DIGEST_PREFIX);
		}
	}
	if (!busy) {
		if (st->xip_active >= 0 && !st->upload_mask)
			out[n++] = (struct bs_rec){
				.type = BS_REC_CONFIRMED,
				.image = 0xFF,
				.value = (uint32_t)st->xip_active
			};
		return n;
	}
	out[n++] = (struct bs_rec){ .type = BS_REC_PENDING,
				    .image = 0xFF,
				    .arg = st->mode,
				    .value = st->mask };
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		if (!(st->start_mask & (1u << i)))
			continue;
		out[n] = (struct bs_rec){ .type = BS_REC_START,
					  .image = (uint8_t)i,
					  .arg = st->groups[i],
					  .value = st->length[i] };
		out[n++].payload[0] = st->flags[i];
		if (st->saved[i])
			out[n++] = (struct bs_rec){
				.type = BS_REC_STEP,
				.image = (uint8_t)i,
				.arg = (uint16_t)(st->saved[i] - 1),
				.value = BS_STEP_SAVED
			};
		if (st->placed[i])
			out[n++] = (struct bs_rec){
				.type = BS_REC_STEP,
				.image = (uint8_t)i,
				.arg = (uint16_t)(st->placed[i] - 1),
				.value = BS_STEP_PLACED
			};
	}
	if (st->phase == FK_BOOT_TRIAL || st->phase == FK_BOOT_REVERTING) {
		out[n++] = (struct bs_rec){ .type = BS_REC_INSTALLED,
					    .image = 0xFF };
		if (st->attempts)
			out[n++] = (struct bs_rec){ .type = BS_REC_ATTEMPT,
						    .image = 0xFF,
						    .value = st->attempts };
	}
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		if (st->rsteps[i])
			out[n++] = (struct bs_rec){
				.type = BS_REC_RSTEP,
				.image = (uint8_t)i,
				.arg = (uint16_t)(st->rsteps[i] - 1)
			};
	}
	return n;
}

/* A full log is rewritten as a summary of itself. Callers only append
 * essential records when every boot slot holds a complete image, so a
 * cut between the erase and the summary leaves an empty log, read as
 * "nothing pending": the device boots those images, losing at worst the
 * chance to revert a trial (docs/boot-state.md, "Capacity"). */
static int compact(const struct fk_boot_config *cfg, struct bs_state *st)
{
	struct bs_rec recs[4 + 6 * FK_BOOT_MAX_IMAGES];
	uint32_t n = summary(cfg, st, recs);
	int rc = bs_reset(cfg, st);

	for (uint32_t i = 0; rc == FK_OK && i < n; i++) {
		rc = write_slot(cfg, st, &recs[i]);
		if (rc == FK_OK)
			apply(st, &recs[i], cfg->image_count);
	}
	return rc;
}

int bs_make_room(const struct fk_boot_config *cfg, struct bs_state *st,
		 uint32_t need)
{
	if (!st->log.header || st->log.slots - st->log.next >= need)
		return FK_OK;
	return compact(cfg, st);
}

/* A log without a header gets one: straight away when it reads blank,
 * after an erase when it holds a torn erase's remains, and always after
 * an erase on program-once flash, where reading blank proves nothing
 * (docs/boot-state.md, "What blank means"). */
static int start_log(const struct fk_boot_config *cfg, struct bs_state *st)
{
	struct bs_rec hdr = { .type = BS_REC_HEADER,
			      .image = 0xFF,
			      .arg = BS_FORMAT_VERSION };

	if (st->log.blank && !cfg->state.flash->geo.program_once)
		return write_slot(cfg, st, &hdr);
	return bs_reset(cfg, st);
}

int bs_append(const struct fk_boot_config *cfg, struct bs_state *st,
	      const struct bs_rec *rec, bool essential)
{
	uint32_t left = st->log.slots - st->log.next;
	int rc;

	if (!st->log.header) {
		if (!essential)
			return FK_OK;
		rc = start_log(cfg, st);
		if (rc != FK_OK)
			return rc;
		st->log.header = true;
		left = st->log.slots - st->log.next;
	}
	if (!essential && left <= bs_reserve_slots(cfg))
		return FK_OK;
	if (left == 0) {
		rc = compact(cfg, st);
		if (rc != FK_OK)
			return rc;
	}
	rc = write_slot(cfg, st, rec);
	if (rc == FK_OK)
		apply(st, rec, cfg->image_count);
	return rc;
}
