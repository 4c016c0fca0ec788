/*
 * Provisioning: the template that says what each device's devinfo record
 * holds (template.c), the counter state that makes every serial unique
 * across runs (state.c), and the generation of one device's record
 * (device.c). cmd_provision.c drives them; docs/production.md explains
 * why a crash at any point loses nothing and repeats nothing.
 *
 * Nothing here prints: state.c and device.c return -1 with the message in
 * struct fk_diag for cmd_provision.c to print.
 */
#ifndef FLASHKIT_TOOL_PROVISION_H
#define FLASHKIT_TOOL_PROVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/formats.h"

enum fk_tfield_type {
	FK_TFIELD_SERIAL, /* text from the counter through a format string */
	FK_TFIELD_MAC,	  /* MAC-48 from a range, one per device */
	FK_TFIELD_RANDOM, /* size bytes from getrandom() */
	FK_TFIELD_TEXT,	  /* fixed text */
	FK_TFIELD_HEX,	  /* fixed bytes, written in hex */
	FK_TFIELD_FILE,	  /* a file's bytes; {serial} and {n} in the path */
};

struct fk_tfield {
	char *name; /* the key in the template */
	enum fk_tfield_type type;
	uint16_t id;	    /* devinfo field id */
	char *format;	    /* serial: printf format, one %u-like */
	uint64_t mac_first; /* mac: range, inclusive */
	uint64_t mac_last;
	uint32_t size;	/* random: bytes */
	uint8_t *value; /* text, hex: the bytes */
	uint32_t len;
	char *path;	 /* file: relative to the template */
	bool per_device; /* file: path has {serial} or {n} */
	unsigned line;	 /* where it is in the template */
};

struct fk_template {
	char *path;
	char *dir;	  /* folder of the template, with '/' */
	char *state_path; /* counter state file */
	uint64_t start;	  /* first counter value ever issued */
	uint64_t last;	  /* last one allowed */
	struct fk_tfield *fields;
	size_t nfields;
};

/* Loads and checks a template; every problem goes to d (NULL: dropped)
 * at its FILE:LINE:COL. Returns 0 or -1. */
int fk_template_load(const char *path, struct fk_template *t,
		     struct fk_diag *d);
/* The same from a buffer; path names it and is the base of relative
 * paths in it. */
int fk_template_parse(const char *path, const uint8_t *text, size_t len,
		      struct fk_template *t, struct fk_diag *d);
void fk_template_free(struct fk_template *t);

/*
 * The counter state file, text:
 *   flashkit provision state 2
 *   start N          first value ever issued (fixes the MAC mapping)
 *   next N           the next value to issue
 *   pending A B EXT  a run issuing [A, B) into DIR was not completed
 *   dir DIR
 *   crc32 XXXXXXXX   CRC-32 of every byte before this line (8 hex digits)
 * A version 2 state whose crc32 line is missing or does not match is
 * refused as damaged. Version 1 (the same without the crc32 line) is
 * still read; fk_pstate_write always writes version 2.
 */
struct fk_pstate {
	uint64_t start;
	uint64_t next;
	bool pending;
	uint64_t pend_first, pend_end; /* [first, end) */
	char pend_ext[16];	       /* ".hex" */
	char *pend_dir;
};

/* Takes the exclusive lock beside the state file (STATE.lock), held until
 * fk_pstate_unlock. Refuses if another run holds it. Returns fd, or -1
 * with err filled. */
int fk_pstate_lock(const char *state_path, struct fk_diag *err);
void fk_pstate_unlock(int fd);
/* Reads the state; a missing file gives {start, next = start}. A damaged
 * one (a bad crc32 line, an unknown or inconsistent line) is -1 with err
 * naming the file and line and saying to restore it from a backup. */
int fk_pstate_read(const char *state_path, uint64_t start, struct fk_pstate *st,
		   struct fk_diag *err);
/* The same from a buffer (path for messages). */
int fk_pstate_parse(const char *state_path, const char *text, size_t len,
		    uint64_t start, struct fk_pstate *st, struct fk_diag *err);
/* Replaces the state file atomically and durably: temporary file, fsync,
 * rename, fsync of the folder. When it returns 0 the new state survives
 * a crash or power cut; before that, the old one is what a crash leaves. */
int fk_pstate_write(const char *state_path, const struct fk_pstate *st,
		    struct fk_diag *err);
void fk_pstate_free(struct fk_pstate *st);

/* One device: its counter value and the record built for it. */
struct fk_device_rec {
	uint64_t counter;
	char serial[128];
	uint8_t *record; /* devinfo record, record_len bytes */
	uint32_t record_len;
};

/* Builds the record of counter value n into out->record (cap bytes).
 * Returns 0, or -1 with err filled. */
int fk_device_build(const struct fk_template *t, uint64_t start, uint64_t n,
		    uint8_t *buf, uint32_t cap, struct fk_device_rec *out,
		    struct fk_diag *err);

/* Checks, before any counter value is reserved, what could make building
 * device n fail: the MAC ranges and the per-device files. */
int fk_device_check_inputs(const struct fk_template *t, uint64_t start,
			   uint64_t n, const char *serial, struct fk_diag *err);

/* The serial text for counter n (no record); it must be able to name a
 * file. Returns 0, or -1 with err filled. */
int fk_template_serial(const struct fk_template *t, uint64_t n, char *out,
		       size_t cap, struct fk_diag *err);

/* One CSV line for a record: counter,serial,<a column per field>. The
 * columns are read back from the record itself with the device-side
 * reader, so a manifest rebuilt after a crash says exactly what the
 * files hold. */
int fk_manifest_row(const struct fk_template *t, uint64_t counter,
		    const uint8_t *record, uint32_t len, const char *file,
		    char **line);
/* The header line. */
char *fk_manifest_header(const struct fk_template *t);

#endif
