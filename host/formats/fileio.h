/*
 * Files in any production format: load a file into segments (format by
 * option, extension or content) and save segments as one atomic output
 * or as one file of a set (files.h). Nothing here prints: a failure
 * returns -1 with the message in err, for the command to print.
 */
#ifndef FLASHKIT_TOOL_FILEIO_H
#define FLASHKIT_TOOL_FILEIO_H

#include "files.h"
#include "formats.h"

/* forced: FK_FMT_UNKNOWN to choose by extension, then by content. The
 * file may hold up to FK_INPUT_CAP_DATA bytes. Returns 0 or -1. */
int fk_load_segs(const char *path, enum fk_format forced,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err);

/* forced: FK_FMT_UNKNOWN to choose by the extension of path (an
 * unknown extension is an error). The file appears complete or not at
 * all. Returns 0 or -1. */
int fk_save_segs(const char *path, enum fk_format forced,
		 const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_diag *err);

/* Same, as one file of a set that appears together. */
int fk_save_segs_to_set(struct fk_atomic_set *set, const char *path,
			enum fk_format forced, const struct fk_segs *s,
			const struct fk_write_opts *o, struct fk_diag *err);

/* The output format for path: forced, else by extension; FK_FMT_UNKNOWN
 * with err filled when neither says. */
enum fk_format fk_output_format(const char *path, enum fk_format forced,
				struct fk_diag *err);

#endif
