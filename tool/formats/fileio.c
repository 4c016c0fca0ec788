/*
 * Loading and saving segments by file name for the subcommands. The
 * formats themselves stay free of I/O and of printing (formats.h).
 */
#include <stdlib.h>

#include "cli.h"
#include "fileio.h"

int fk_load_segs(const char *path, enum fk_format forced,
		 const struct fk_read_opts *o, struct fk_segs *out)
{
	struct fk_fmt_error err;
	enum fk_format f = forced;
	uint8_t *data;
	size_t len;
	int rc;

	if (fk_read_file(path, &data, &len))
		return -1;
	if (f == FK_FMT_UNKNOWN)
		f = fk_format_by_path(path);
	if (f == FK_FMT_UNKNOWN)
		f = fk_format_sniff(data, len);
	rc = fk_format_read(f, data, len, path, o, out, &err);
	free(data);
	if (rc)
		fk_error("%s", err.msg);
	return rc;
}

enum fk_format fk_output_format(const char *path, enum fk_format forced)
{
	enum fk_format f = forced != FK_FMT_UNKNOWN ? forced
						    : fk_format_by_path(path);

	if (f == FK_FMT_UNKNOWN)
		fk_error("%s: cannot tell the output format from the name; "
			 "use .bin, .hex, .s19/.s28/.s37, .uf2, .dfu or "
			 "--format", path);
	return f;
}

/* Encodes s in the output format for path into buf. */
static int encode_segs(const char *path, enum fk_format forced,
		       const struct fk_segs *s, const struct fk_write_opts *o,
		       struct fk_buf *buf)
{
	struct fk_fmt_error err;
	enum fk_format f = fk_output_format(path, forced);

	if (f == FK_FMT_UNKNOWN)
		return -1;
	if (fk_format_write(f, s, o, buf, &err)) {
		fk_error("%s: %s", path, err.msg);
		return -1;
	}
	return 0;
}

int fk_save_segs(const char *path, enum fk_format forced,
		 const struct fk_segs *s, const struct fk_write_opts *o)
{
	struct fk_buf buf = { 0 };
	int rc = encode_segs(path, forced, s, o, &buf);

	if (rc == 0)
		rc = fk_write_file(path, buf.p, buf.len);
	fk_buf_free(&buf);
	return rc;
}

int fk_save_segs_to_set(struct fk_outset *set, const char *path,
			enum fk_format forced, const struct fk_segs *s,
			const struct fk_write_opts *o)
{
	struct fk_buf buf = { 0 };
	int rc = encode_segs(path, forced, s, o, &buf);

	if (rc == 0)
		rc = fk_outset_add(set, path, buf.p, buf.len);
	fk_buf_free(&buf);
	return rc;
}
