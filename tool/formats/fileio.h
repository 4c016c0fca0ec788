/*
 * Files in any production format, for the subcommands: load a file into
 * segments (format by option, extension or content) and save segments
 * atomically, printing every error with fk_error().
 */
#ifndef FLASHKIT_TOOL_FILEIO_H
#define FLASHKIT_TOOL_FILEIO_H

#include "cli.h"
#include "formats.h"

/* forced: FK_FMT_UNKNOWN to choose by extension, then by content.
 * Returns 0 or -1 (error printed). */
int fk_load_segs(const char *path, enum fk_format forced,
		 const struct fk_read_opts *o, struct fk_segs *out);

/* forced: FK_FMT_UNKNOWN to choose by the extension of path (an
 * unknown extension is an error). The file appears complete or not at
 * all. Returns 0 or -1 (error printed). */
int fk_save_segs(const char *path, enum fk_format forced,
		 const struct fk_segs *s, const struct fk_write_opts *o);

/* Same, as one file of a set that appears together (tool/cli.h). */
int fk_save_segs_to_set(struct fk_outset *set, const char *path,
			enum fk_format forced, const struct fk_segs *s,
			const struct fk_write_opts *o);

/* The output format for path: forced, else by extension; prints an error
 * and returns FK_FMT_UNKNOWN when neither says. */
enum fk_format fk_output_format(const char *path, enum fk_format forced);

#endif
