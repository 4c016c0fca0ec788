/*
 * What the files of src/boot/ and src/update/ share and nobody else sees:
 * the decoded boot state, the record log (state.c), the copy plan that
 * cuts a slot into groups (plan.c), flash helpers that kick the watchdog
 * (io.c), image checks (check.c), and the interface every install
 * strategy implements (strategy_*.c).
 */
#ifndef FLASHKIT_SRC_BOOT_INTERNAL_H
#define FLASHKIT_SRC_BOOT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/boot.h"

/* Power cuts one update cycle tolerates before its progress records give
 * way to the essential ones (docs/boot-state.md, "Capacity"). */
#define FK_BOOT_CUT_RESERVE 16

/*
 * Uploads: the boot state's side of flashkit/update.h; update.c streams
 * the bytes and calls these.
 */
struct fk_boot_upload {
	struct fk_area dest; /* where the image goes */
	uint32_t erased;     /* dest bytes [0, erased) ready to program */
	uint32_t sync_span;  /* bytes between SYNC records */
	uint32_t max_size;   /* largest image */
};

/* Refuses during a trial (FK_ESTATE), cancels a pending mark, starts a
 * fresh log when needed and records UPLOAD. On power loss: no upload, or
 * an upload with nothing received. */
int fk_boot_upload_begin(const struct fk_boot_config *cfg, uint32_t image,
			 struct fk_boot_upload *out);
/* Where an upload of image continues after a reset (FK_ENOENT: none). */
int fk_boot_upload_resume(const struct fk_boot_config *cfg, uint32_t image,
			  struct fk_boot_upload *out, uint32_t *offset);
/* Records that dest bytes [0, programmed) are programmed (dropped
 * silently when the log is down to its reserve). */
int fk_boot_upload_sync(const struct fk_boot_config *cfg, uint32_t image,
			uint32_t programmed);
/* Validates the image in dest (no more than programmed bytes long, fits
 * the slots) and records it STAGED. */
int fk_boot_upload_staged(const struct fk_boot_config *cfg, uint32_t image,
			  const struct fk_area *dest, uint32_t programmed);

/* Record types (docs/boot-state.md). Never 0x00 or 0xFF, so a record is
 * never all erased whatever the erased value. */
enum bs_rec_type {
	BS_REC_HEADER = 0x46,	 /* first slot: the log is in use */
	BS_REC_UPLOAD = 0x10,	 /* image, arg = xip target slot */
	BS_REC_SYNC = 0x11,	 /* image, value = bytes known programmed */
	BS_REC_STAGED = 0x12,	 /* image, payload = digest prefix */
	BS_REC_PENDING = 0x20,	 /* arg = mode, value = image mask */
	BS_REC_REFUSED = 0x21,	 /* value = -FK_E code */
	BS_REC_START = 0x22,	 /* image, arg = groups, value = length,
				    payload[0] = flags */
	BS_REC_STEP = 0x23,	 /* image, arg = group, value = BS_STEP_* */
	BS_REC_INSTALLED = 0x24, /* every image of the mask installed */
	BS_REC_ATTEMPT = 0x30,	 /* a trial boot started */
	BS_REC_CONFIRMED = 0x31, /* the trial images stay */
	BS_REC_RSTEP = 0x32,	 /* image, arg = group restored */
	BS_REC_REVERTED = 0x33,	 /* the previous images are back */
};

/* STEP values: what is done for the group. */
#define BS_STEP_SAVED 0u  /* SWAP: its old bytes are in the staging slot */
#define BS_STEP_PLACED 1u /* its new bytes are in the primary slot */

/* START flags. */
#define BS_START_REVERTIBLE 0x1u /* the old image was valid and is saved */
#define BS_START_FACTORY 0x2u	 /* OVERWRITE: copy from the factory slot */

#define BS_DIGEST_PREFIX 8
#define BS_FORMAT_VERSION 1
#define BS_REC_BYTES 20		/* encoded record without padding */
#define BS_CRC_SEED 0x53424b46u /* "FKBS": the CRC-32 of bytes 0-15 */

/* One decoded record. */
struct bs_rec {
	uint8_t type;
	uint8_t image;
	uint16_t arg;
	uint32_t value;
	uint8_t payload[BS_DIGEST_PREFIX];
};

/* The log as found on flash. */
struct bs_log {
	const struct fk_area *area;
	uint32_t rec_size; /* bytes per record slot: max(16, write unit) */
	uint32_t slots;	   /* record slots in the log's sector */
	uint32_t next;	   /* first free slot */
	bool header;	   /* slot 0 holds a valid header */
	bool blank;	   /* every byte of the sector erased */
};

/* The boot state: the log replayed. */
struct bs_state {
	struct bs_log log;
	enum fk_boot_phase phase;
	uint8_t mode;	     /* FK_BOOT_TEST or FK_BOOT_PERMANENT */
	uint8_t mask;	     /* images of the pending/installing/trial set */
	uint8_t attempts;    /* trial boots started */
	int8_t xip_active;   /* XIP confirmed slot 0/1, -1 unknown */
	uint8_t upload_mask; /* images with an upload recorded */
	uint8_t staged_mask; /* images received and checked */
	uint8_t start_mask;  /* images whose install has started */
	int last_refusal;
	uint8_t xip_target[FK_BOOT_MAX_IMAGES];
	uint32_t sync[FK_BOOT_MAX_IMAGES];
	uint8_t digest[FK_BOOT_MAX_IMAGES][BS_DIGEST_PREFIX];
	uint16_t groups[FK_BOOT_MAX_IMAGES]; /* START: groups to copy */
	uint8_t flags[FK_BOOT_MAX_IMAGES];   /* START flags */
	uint32_t length[FK_BOOT_MAX_IMAGES]; /* START: new image's bytes */
	uint16_t saved[FK_BOOT_MAX_IMAGES];  /* groups saved (SWAP) */
	uint16_t placed[FK_BOOT_MAX_IMAGES]; /* groups installed */
	uint16_t rsteps[FK_BOOT_MAX_IMAGES]; /* groups restored */
};

/* state.c */
/* A record's 20 bytes with its CRC; decode checks the CRC (false: torn). */
void bs_rec_encode(const struct bs_rec *rec, uint8_t *raw);
bool bs_rec_decode(const uint8_t *raw, struct bs_rec *rec);
/* Bytes per record slot in area: 20 rounded up to the write unit. */
uint32_t bs_record_size(const struct fk_area *area);
/* Bytes of the log: the fewest leading sectors of area holding
 * FK_BOOT_LOG_MIN bytes (the whole area when smaller); 0 on a bad map. */
uint32_t bs_log_bytes(const struct fk_area *area);
/* Where record slot i (of rec bytes) starts; FK_ERANGE past the log. */
int bs_slot_offset(const struct fk_area *area, uint32_t rec, uint32_t i,
		   uint32_t *out);
int bs_read(const struct fk_boot_config *cfg, struct bs_state *st);
/* Appends one record; essential records may use the reserve, progress
 * records are dropped (return 0) when only the reserve is left. */
int bs_append(const struct fk_boot_config *cfg, struct bs_state *st,
	      const struct bs_rec *rec, bool essential);
/* Erases the log's sector and writes the header. */
int bs_reset(const struct fk_boot_config *cfg, struct bs_state *st);
/* Record slots one update cycle needs (docs/boot-state.md). */
uint32_t bs_cycle_slots(const struct fk_boot_config *cfg);
/* Record slots an install needs from START to its end (trial included). */
uint32_t bs_install_slots(const struct fk_boot_config *cfg);
/* Compacts the log when fewer than need slots are free. Only called where
 * every boot slot holds a complete image (IDLE, PENDING): a cut during
 * the rewrite then loses the pending mark, never a bootable image. */
int bs_make_room(const struct fk_boot_config *cfg, struct bs_state *st,
		 uint32_t need);
/* Largest number of groups a slot may be cut into. */
uint32_t bs_max_groups(const struct fk_boot_config *cfg);

/* The log's capacity rules (docs/boot-state.md, "Capacity") for a log of
 * slots record slots, images images and trials trial boots: the full log
 * (state.c) and the lite one (lite_state.c, one image) both use these.
 * Inline: each core calls them with its own constants. */

/* Records of a cycle besides the per-group progress ones: header, upload
 * and staged per image, pending, start per image, installed, the trial
 * boots, confirmed or reverted, and room for torn records. */
static inline uint32_t bs_fixed_slots_of(uint32_t images, uint32_t trials)
{
	return 5 + 3 * images + trials + FK_BOOT_CUT_RESERVE;
}
static inline uint32_t bs_max_groups_of(uint32_t slots, uint32_t images,
					uint32_t trials)
{
	uint32_t fixed = bs_fixed_slots_of(images, trials);

	if (images == 0 || slots <= fixed)
		return 0;
	return (slots - fixed) / (4 * images);
}
/* From START to CONFIRMED or REVERTED: per image START and three records
 * per group (SAVED, PLACED, RSTEP; XIP copies nothing: groups 0),
 * INSTALLED, the trial boots, the end, and the reserve for torn records. */
static inline uint32_t bs_install_slots_of(uint32_t groups, uint32_t images,
					   uint32_t trials)
{
	return images * (1 + 3 * groups) + 2 + trials + FK_BOOT_CUT_RESERVE;
}
/* Slots kept free of progress records (SYNC, STEP, RSTEP) for the records
 * that end a cycle: progress records stop when this few are left, so the
 * essential ones always fit. Inline: the full and the lite log both use
 * it, and a call would cost each bootloader more than the formula. */
static inline uint32_t bs_reserve_slots(const struct fk_boot_config *cfg)
{
	return cfg->trial_boots + 3 + FK_BOOT_CUT_RESERVE / 2;
}
uint32_t bs_log_slots(const struct fk_boot_config *cfg);

/* plan.c: a slot cut into groups of whole sectors. For SWAP, group g's
 * primary bytes [p_off, p_end) are saved at [s_off, s_end) of the staging
 * slot, whole staging sectors that no other group touches. */
struct bp_group {
	uint32_t index;
	uint32_t p_off, p_end;
	uint32_t s_off, s_end;
};
struct bp_plan {
	uint32_t offset;   /* SWAP: where the new image starts in staging */
	uint32_t max_size; /* largest image */
	uint32_t span;	   /* smallest group, in bytes */
};
int bp_plan(const struct fk_boot_config *cfg, uint32_t image,
	    struct bp_plan *plan);
/* bp_plan() for a log of at most groups groups (bs_max_groups(cfg)): the
 * lite core passes its own count (bl_max_groups()), from the geometry it
 * read. */
int bp_plan_groups(const struct fk_boot_config *cfg, uint32_t image,
		   uint32_t groups, struct bp_plan *plan);
/* plan.span for a primary slot of size bytes cut into at most groups
 * groups (groups > 0): also the upload's sync span, so that an upload
 * writes no more SYNC records than one cycle has room for. Inline for
 * the reason bs_reserve_slots() is. */
static inline uint32_t bp_span(uint32_t size, uint32_t groups)
{
	return (size + groups - 1) / groups;
}
/* Group index g; FK_ERANGE past the end of the primary slot. */
int bp_group(const struct fk_boot_config *cfg, uint32_t image,
	     const struct bp_plan *plan, uint32_t g, struct bp_group *out);
/* Groups needed to cover len bytes of the primary slot. */
int bp_groups_for(const struct fk_boot_config *cfg, uint32_t image,
		  const struct bp_plan *plan, uint32_t len, uint32_t *count);

/* io.c: flash access for installs, each operation preceded by a kick. */
int bio_erase(const struct fk_boot_config *cfg, const struct fk_area *a,
	      uint32_t off, uint32_t len);
/* Erases the sectors of [off, off+len) that are not already erased. */
int bio_erase_dirty(const struct fk_boot_config *cfg, const struct fk_area *a,
		    uint32_t off, uint32_t len);
/* Programs buf[0, len) at dst[off] but its write units of erased bytes
 * (fk_flash_data_run: docs/boot-state.md, "What blank means"), a kick
 * before each program. */
int bio_program_data(const struct fk_boot_config *cfg,
		     const struct fk_area *dst, uint32_t off,
		     const uint8_t *buf, uint32_t len);
/* Copies len bytes (a multiple of dst's write unit) into erased space;
 * write units that would stay erased are not programmed. */
int bio_copy(const struct fk_boot_config *cfg, const struct fk_area *dst,
	     uint32_t dst_off, const struct fk_area *src, uint32_t src_off,
	     uint32_t len);
/* Makes dst[off, end) hold src[src_off, +len) followed by erased bytes:
 * nothing is written when it already does (a resumed install), otherwise
 * the sectors are erased and the bytes copied. Redoable after any cut. */
int bio_place(const struct fk_boot_config *cfg, const struct fk_area *dst,
	      uint32_t off, uint32_t end, const struct fk_area *src,
	      uint32_t src_off, uint32_t len);
/* A window [off, off+size) of an area, as an area. */
void bio_window(struct fk_area *out, const struct fk_area *a, uint32_t off,
		uint32_t size);

/* check.c */
/* True for codes that mean the flash failed (or power went), as opposed
 * to content that fails its checks. */
bool bc_is_flash_error(int rc);
/* The keys images are checked with: cfg->keys, or the digest alone with
 * the built-in SHA-256. */
const struct fk_image_keys *bc_keys(const struct fk_boot_config *cfg);
/* An image where it runs or is installed (primary slots, XIP and RAM_LOAD
 * slots, modules): its payload is plaintext, whatever an ENCRYPTED flag
 * says. */
int bc_validate(const struct fk_boot_config *cfg, const struct fk_area *slot,
		struct fk_image_info *info);
/* An image as received (staging window, factory slot): an encrypted one
 * is checked decrypted (OVERWRITE, SWAP); XIP and RAM_LOAD run what they
 * receive, so there an encrypted image fails (FK_ENOTSUP). */
int bc_validate_staged(const struct fk_boot_config *cfg,
		       const struct fk_area *slot, struct fk_image_info *info);
/* Checks the staged images of mask against downgrade and dependencies;
 * staged[i] are their infos, primary[i]/primary_ok[i] what runs now. */
int bc_check_set(const struct fk_boot_config *cfg, uint32_t mask,
		 const struct fk_image_info *staged,
		 const struct fk_image_info *primary, const bool *primary_ok);
/* Where the staged image of image i is (SWAP: past the save room; XIP:
 * the slot the upload targets). */
int bc_staging_window(const struct fk_boot_config *cfg,
		      const struct bs_state *st, uint32_t image,
		      struct fk_area *out);

/* crypt.c: installs of encrypted images. */
/* An image's payload, and its AES key when it is encrypted. */
struct be_image {
	uint32_t hdr_size, img_size;
	uint32_t key_len; /* 0: not encrypted */
	uint8_t key[FK_IMAGE_AES_MAX];
};
/* What an install reads an image's bytes from: an area, or an AES-CTR
 * view of it when the image is encrypted. */
struct be_src {
	struct fk_area area;
	struct fk_image_crypt crypt;
};
/* SWAP mid-install: the primary slot's addresses read from where image's
 * bytes are. New image (old false): groups below done (placed) from the
 * primary slot, the others from the staging window. Old image: groups
 * below done (saved) from their save sectors, the others from the
 * primary slot. Read-only; header and TLVs are what callers read, the
 * payload of saved groups being ciphertext when the image is encrypted. */
struct be_split {
	struct fk_flash flash;
	const struct fk_boot_config *cfg;
	struct bp_plan plan;
	struct fk_area window;
	uint32_t image;
	uint32_t done;
	bool old;
};
/* The image whose header and TLVs meta reads: its payload's place, and
 * its key unwrapped when it is encrypted. FK_ECORRUPT for a torn header;
 * the errors of fk_image_parse() and fk_image_enc_key(). */
#ifndef FK_IMAGE_NO_ENC
int be_image_of(const struct fk_boot_config *cfg, const struct fk_area *meta,
		struct be_image *out);
/* out->area reads a (whose payload byte 0 is at flash address pay_start,
 * mod 2^32) as plaintext when it holds img's ciphertext, and as
 * ciphertext when it holds its plaintext; a itself when img is not
 * encrypted. */
void be_source(const struct fk_boot_config *cfg, const struct be_image *img,
	       const struct fk_area *a, uint32_t pay_start, struct be_src *out);
/* Clears the key in img (when not NULL) and, when src, in its view. */
void be_wipe(struct be_image *img, struct be_src *src);
int be_split_init(struct be_split *v, const struct fk_boot_config *cfg,
		  uint32_t image, bool old, uint32_t done, struct fk_area *out);
#else
/* A build without decryption (FK_IMAGE_NO_ENC): encrypted images never
 * pass validation (FK_ENOTSUP), so installs read slots as they are and
 * crypt.c is left out. */
static inline int be_image_of(const struct fk_boot_config *cfg,
			      const struct fk_area *meta, struct be_image *out)
{
	(void)cfg;
	(void)meta;
	out->hdr_size = out->img_size = out->key_len = 0;
	return FK_OK;
}
static inline void be_source(const struct fk_boot_config *cfg,
			     const struct be_image *img,
			     const struct fk_area *a, uint32_t pay_start,
			     struct be_src *out)
{
	(void)cfg;
	(void)img;
	(void)pay_start;
	out->area = *a;
}
static inline void be_wipe(struct be_image *img, struct be_src *src)
{
	(void)img;
	(void)src;
}
static inline int be_split_init(struct be_split *v,
				const struct fk_boot_config *cfg,
				uint32_t image, bool old, uint32_t done,
				struct fk_area *out)
{
	(void)v;
	(void)cfg;
	(void)image;
	(void)old;
	(void)done;
	(void)out;
	return FK_OK;
}
#endif

/* RAM_LOAD: an image's copy in RAM as validation and the jump read it
 * (a read-only flash over the copy); lives in fk_boot()'s frame. */
struct bs_loaded {
	struct fk_sector_run run;
	struct fk_flash flash;
	struct fk_area area;
};

/* The interface of an install strategy. */
struct bs_strategy {
	/* Moves the pending set in: from PENDING or INSTALLING to
	 * INSTALLED. Writes START, STEP records. */
	int (*install)(const struct fk_boot_config *cfg, struct bs_state *st);
	/* Brings the previous images back (TRIAL not confirmed). */
	int (*revert)(const struct fk_boot_config *cfg, struct bs_state *st);
	/* The slot image i boots from in the current state (ref->slot)
	 * and its check (bc_validate() into ref->info), the result
	 * returned. XIP's choice of the slot may itself be that check
	 * (bs_xip_validate_boot()); RAM_LOAD checks the copy it makes in
	 * RAM (*loaded), which ref->slot then is. Reads only flash. */
	int (*validate_boot)(const struct fk_boot_config *cfg,
			     const struct bs_state *st, uint32_t image,
			     struct bs_loaded *loaded,
			     struct fk_boot_image_ref *ref);
	/* When the boot slot holds no valid image: a last resort that
	 * makes one valid (factory image), or FK_ENOENT. */
	int (*fallback)(const struct fk_boot_config *cfg, struct bs_state *st,
			uint32_t image);
};

/* OVERWRITE's and SWAP's validate_boot: image i boots from its primary
 * slot, whatever the state. */
int bs_validate_primary(const struct fk_boot_config *cfg,
			const struct bs_state *st, uint32_t image,
			struct bs_loaded *loaded,
			struct fk_boot_image_ref *ref);

/* boot.c: checks the staged images of mask as one set (refusals). */
int bs_check_set(const struct fk_boot_config *cfg, const struct bs_state *st,
		 uint32_t mask);

/* XIP and RAM_LOAD share strategy_xip.c's two slots, choice, trial and
 * revert; a build with neither leaves it out (FK_BOOT_NO_XIP and
 * FK_BOOT_NO_RAM_LOAD). */
#if !defined(FK_BOOT_NO_XIP) || !defined(FK_BOOT_NO_RAM_LOAD)
#define BS_TWO_SLOTS 1
#endif

/* True for the strategies that boot one of two slots (XIP, RAM_LOAD). */
static inline bool bs_two_slots(const struct fk_boot_config *cfg)
{
#ifndef FK_BOOT_NO_RAM_LOAD
	if (cfg->strategy == FK_BOOT_RAM_LOAD)
		return true;
#endif
	return cfg->strategy == FK_BOOT_XIP;
}

/* The slot (0 = A, 1 = B) the images boot from in this state, and the
 * slot running now (before a pending set is installed). Callers ask only
 * when bs_two_slots(cfg); a build without strategy_xip.c answers slot A. */
#ifdef BS_TWO_SLOTS
int bs_xip_active(const struct fk_boot_config *cfg, const struct bs_state *st);
int bs_xip_running(const struct fk_boot_config *cfg, const struct bs_state *st);
/* XIP's hooks, which RAM_LOAD's strategy reuses. */
int bs_xip_install(const struct fk_boot_config *cfg, struct bs_state *st);
int bs_xip_revert(const struct fk_boot_config *cfg, struct bs_state *st);
/* The slot image i boots from (what RAM_LOAD copies). */
const struct fk_area *bs_xip_boot_slot(const struct fk_boot_config *cfg,
				       const struct bs_state *st,
				       uint32_t image);
int bs_xip_fallback(const struct fk_boot_config *cfg, struct bs_state *st,
		    uint32_t image);
/* XIP's validate_boot: with no slot recorded the choice itself checks
 * image 0's slots, slot A last; when A is chosen that check is the
 * boot's, and the image is read once, not twice. loaded is not used. */
int bs_xip_validate_boot(const struct fk_boot_config *cfg,
			 const struct bs_state *st, uint32_t image,
			 struct bs_loaded *loaded,
			 struct fk_boot_image_ref *ref);
#else
static inline int bs_xip_active(const struct fk_boot_config *cfg,
				const struct bs_state *st)
{
	(void)cfg;
	(void)st;
	return 0;
}
static inline int bs_xip_running(const struct fk_boot_config *cfg,
				 const struct bs_state *st)
{
	(void)cfg;
	(void)st;
	return 0;
}
#endif

/*
 * marker.c: updates written by other tools (docs/boot.md, "Updates written
 * by other tools"). An image is marked for install by MCUboot's image
 * trailer (magic, image_ok) at the end of its staging window, as
 * `imgtool sign --pad --test|--confirm` and `flashkit image sign
 * --pending` write it; any programmer can place it.
 */
/* A bootloader that takes updates only through the update API leaves
 * marker.c out (FK_BOOT_NO_MARKER): nothing is ever detected or cleared. */
#ifndef FK_BOOT_NO_MARKER
/* In IDLE: for the images with no upload in progress (none, or one with
 * no bytes recorded), reads the markers; when the marked set is complete
 * and valid (digest, signature, fits, ends below the trailer's sector),
 * records UPLOAD, STAGED for each and PENDING(mode, marked set), leaving
 * st PENDING; when not, records PENDING + REFUSED(code) and erases the
 * markers. Returns 0 with st unchanged when nothing is marked, or a flash
 * error. On power loss before PENDING the markers are still there and
 * the next boot does it again; after it, the install erases them. */
int bm_detect(const struct fk_boot_config *cfg, struct bs_state *st);
/* In PENDING, before the install starts: erases the trailer sector of
 * every image of mask whose staging window holds a marker and no image
 * bytes (the image there ends below that sector, or none parses), so a
 * marker never triggers twice. Redoable after a cut; nothing else of the
 * window is touched. Returns 0 or a flash error. */
int bm_clear(const struct fk_boot_config *cfg, const struct bs_state *st,
	     uint32_t mask);
#else
static inline int bm_detect(const struct fk_boot_config *cfg,
			    struct bs_state *st)
{
	(void)cfg;
	(void)st;
	return FK_OK;
}
static inline int bm_clear(const struct fk_boot_config *cfg,
			   const struct bs_state *st, uint32_t mask)
{
	(void)cfg;
	(void)st;
	(void)mask;
	return FK_OK;
}
#endif

/* RAM_LOAD (strategy_ram_load.c): 0 when the image info describes, in a
 * slot of one of cfg's images, was signed for that image's RAM and fits
 * it; FK_EMISMATCH (no RAM_LOAD flag, or load_addr not ram.addr) or
 * FK_ENOSPC otherwise. 0 for an area that is no image's slot (the copy in
 * RAM itself) and in a build without RAM_LOAD (FK_BOOT_NO_RAM_LOAD). */
/* bs_ram_check_config: the rules of the images' RAM (each given, within
 * the address space, apart from the other's) for fk_boot_config_why(),
 * 0 for the other strategies. bs_ram_cap: the most an image may take,
 * its RAM (RAM_LOAD), else UINT32_MAX. A build without RAM_LOAD gets
 * all three as constants. */
#ifndef FK_BOOT_NO_RAM_LOAD
int bs_ram_loadable(const struct fk_boot_config *cfg,
		    const struct fk_area *slot,
		    const struct fk_image_info *info);
int bs_ram_check_config(const struct fk_boot_config *cfg,
			struct fk_boot_config_why *why);
static inline uint32_t bs_ram_cap(const struct fk_boot_config *cfg,
				  uint32_t image)
{
	return cfg->strategy == FK_BOOT_RAM_LOAD ? cfg->images[image].ram.size :
						   UINT32_MAX;
}
#else
static inline int bs_ram_loadable(const struct fk_boot_config *cfg,
				  const struct fk_area *slot,
				  const struct fk_image_info *info)
{
	(void)cfg;
	(void)slot;
	(void)info;
	return FK_OK;
}
static inline int bs_ram_check_config(const struct fk_boot_config *cfg,
				      struct fk_boot_config_why *why)
{
	(void)cfg;
	(void)why;
	return FK_OK;
}
static inline uint32_t bs_ram_cap(const struct fk_boot_config *cfg,
				  uint32_t image)
{
	(void)cfg;
	(void)image;
	return UINT32_MAX;
}
#endif

extern const struct bs_strategy bs_strategy_overwrite;
extern const struct bs_strategy bs_strategy_swap;
extern const struct bs_strategy bs_strategy_xip;
extern const struct bs_strategy bs_strategy_ram_load;
const struct bs_strategy *bs_strategy_of(const struct fk_boot_config *cfg);

#endif
