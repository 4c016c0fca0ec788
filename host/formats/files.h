/*
 * Host file I/O for every subcommand: bounded input reads, and output
 * files that appear complete or not at all. Nothing here prints or exits:
 * a failure returns -1 with a message in struct fk_diag ("PATH: what
 * is wrong; what to do") for the caller to print.
 *
 * Inputs: one reader with a cap, checked before anything is allocated for
 * a regular file and while reading anything else (/dev/zero, a pipe), so a
 * wrong path can never grow the process to gigabytes. Every file read is
 * remembered (device and inode) so that an output naming one of the
 * command's inputs, under any name or through a link, is refused.
 *
 * Outputs (struct fk_atomic): the bytes go to an unnamed file in the
 * output's folder (O_TMPFILE), which vanishes with the process whatever
 * kills it, SIGKILL and SIGXFSZ included; only the commit gives it a name,
 * PATH.flashkit-tmp.PID.XXXXXX, and renames that over PATH at once. Where
 * the file system has no O_TMPFILE the data goes to that name from the
 * start. Either way a temporary name can outlive a SIGKILL; SIGTERM,
 * SIGINT and SIGHUP remove the live temporaries before the process dies of
 * the signal, and the next write of the same output removes the stale
 * temporaries of PATH whose PID is no longer running (and only those).
 * Missing parent folders are created (mkdir -p). An output that is a
 * symbolic link is written through: the link stays, its target gets the
 * new content. An output that is a folder, or one of the inputs, is
 * refused before anything is written.
 */
#ifndef FLASHKIT_TOOL_FILES_H
#define FLASHKIT_TOOL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats.h"

/* Input caps: firmware, images and production files; text inputs (YAML
 * layouts, templates, counter states, keys). The environment variable
 * FK_INPUT_CAP (bytes) lowers both, for tests; it never raises them. */
#define FK_INPUT_CAP_DATA ((size_t)1 << 30)
#define FK_INPUT_CAP_TEXT ((size_t)8 << 20)

/* The cap in force for a kind of input (one of the two above). */
size_t fk_input_cap(size_t cap);

/* Reads a whole file (a regular file, a device, a pipe) of at most cap
 * bytes into a malloc'd buffer, NUL-terminated past *len, and remembers
 * it as an input. Returns 0, or -1 with err filled ("PATH: N bytes, more
 * than the 1 GiB an input may have", "cannot open", "is a folder"). */
int fk_file_read(const char *path, size_t cap, uint8_t **data, size_t *len,
		 struct fk_diag *err);

/* Remembers path (if it exists) as an input of this command without
 * reading it: for files read by other means. */
void fk_file_note_input(const char *path);

/* Output flags. */
enum {
	FK_OUT_SECRET = 1,     /* owner-only (0600): private keys */
	FK_OUT_NO_REPLACE = 2, /* refuse when PATH exists */
	FK_OUT_UPDATE = 4,     /* PATH may be an input: a state file that
				* is read, then replaced */
};

struct fk_atomic {
	FILE *fp;   /* write here (or fk_atomic_write) */
	char *path; /* the file that gets the content (link resolved) */
	char *tmp;  /* its temporary name, NULL while unnamed */
	int slot;   /* in the signal cleanup table, or -1 */
	unsigned flags;
};

/* Starts an output: checks PATH (not a folder, not an input, not an
 * existing file under FK_OUT_NO_REPLACE), creates missing folders,
 * removes stale temporaries of PATH and opens the temporary file.
 * Returns 0 or -1 with err filled. */
int fk_atomic_open(struct fk_atomic *a, const char *path, unsigned flags,
		   struct fk_diag *err);
int fk_atomic_write(struct fk_atomic *a, const void *data, size_t len,
		    struct fk_diag *err);
/* Flushes and syncs the content and names the temporary file, without
 * touching PATH: the first half of a commit, for sets of files that must
 * appear together. On failure the temporary is gone. */
int fk_atomic_finish(struct fk_atomic *a, struct fk_diag *err);
/* Renames a finished output over PATH. On failure the temporary is gone. */
int fk_atomic_rename(struct fk_atomic *a, struct fk_diag *err);
/* finish + rename. */
int fk_atomic_commit(struct fk_atomic *a, struct fk_diag *err);
/* Drops the output: PATH keeps what it had. Safe after any failure. */
void fk_atomic_abort(struct fk_atomic *a);

/* A whole buffer as one output, same guarantees. */
int fk_file_write(const char *path, const void *data, size_t len,
		  unsigned flags, struct fk_diag *err);

/*
 * Several outputs that appear together or not at all (one file per
 * memory, the files of `layout gen`): each is written and finished when
 * added; the commit renames them all only once every one is written. A
 * failure of a rename (the folder vanished) leaves the earlier ones done.
 */
struct fk_atomic_set {
	size_t count;
	struct fk_atomic *files;
};
void fk_atomic_set_init(struct fk_atomic_set *set);
int fk_atomic_set_add(struct fk_atomic_set *set, const char *path,
		      const void *data, size_t len, unsigned flags,
		      struct fk_diag *err);
int fk_atomic_set_commit(struct fk_atomic_set *set, struct fk_diag *err);
void fk_atomic_set_abort(struct fk_atomic_set *set);

/*
 * For batches of new files (one per device): the file is linked to PATH
 * only if PATH does not exist yet, so it is never half-written and never
 * replaced. No fsync: the caller syncs the batch (fk_sync_fs) before it
 * counts the files as done. Returns 0, 1 when PATH exists (nothing
 * written), or -1 with err filled.
 */
int fk_file_create_new(const char *path, const void *data, size_t len,
		       unsigned flags, struct fk_diag *err);

/* syncfs() of the file system holding dir; fsync() of the folder holding
 * path (so a rename in it is durable). 0 or -1 with err filled. */
int fk_sync_fs(const char *dir, struct fk_diag *err);
int fk_sync_dir_of(const char *path, struct fk_diag *err);

/* Creates dir and its missing parents (mkdir -p). 0 or -1 with err. */
int fk_mkdirs(const char *dir, struct fk_diag *err);

#endif
