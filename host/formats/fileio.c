/*
 * Loading and saving segments by file name. The formats themselves stay
 * free of I/O (formats.h); the bytes come and go through files.h.
 */
#include <stdlib.h>

#include "fileio.h"

int fk_load_segs(const char *path, enum fk_format forced,
		 const struct fk_read_opts *o, struct fk_segs *out,
		 struct fk_diag *err)
{
	enum fk_format f = forced;
	uint8_t *data;
	size_t len;
	int rc;

	if (fk_file_read(path, fk_input_cap(FK_INPUT_CAP_DATA), &data, &len,
			 err))
		return -1;
	if (f == FK_FMT_UNKNOWN)
		f = fk_format_by_path(path);
	if (f == FK_FMT_UNKNOWN)
		f = fk_format_sniff(data, len);
	rc = fk_format_read(f, data, len, path, o, out, err);
	free(data);
	return rc;
}

enum fk_format fk_output_format(const char *path, enum fk_format forced,
				struct fk_diag *err)
{
	enum fk_format f =
		forced != FK_FMT_UNKNOWN ? forced : fk_format_by_path(path);

	if (f == FK_FMT_UNKNOWN)
		fk_fail(err,
			"%s: cannot tell the output format from the "
			"name; use .bin, .hex, .s19/.s28/.s37, .uf2, .dfu "
			"or --format",
			path);
	return f;
}

/* Encodes s in the output format for path into buf. */
static int encode_segs(const char *path, enum fk_format forced,
		       const struct fk_segs *s, const struct fk_write_opts *o,
		       struct fk_buf *buf, struct fk_diag *err)
{
	enum fk_format f = fk_output_format(path, forced, err);

	if (f == FK_FMT_UNKNOWN)
		return -1;
	struct fk_diag why = { 0 };

	if (fk_format_write(f, s, o, buf, &why))
		return fk_diag_fail(err, why.fail, NULL, "%s: %s", path,
				    why.last_text);
	return 0;
}

int fk_save_segs(const char *path, enum fk_format forced,
		 const struct fk_segs *s, const struct fk_write_opts *o,
		 struct fk_diag *err)
{
	struct fk_buf buf = { 0 };
	int rc = encode_segs(path, forced, s, o, &buf, err);

	if (rc == 0)
		rc = fk_file_write(path, buf.p, buf.len, 0, err);
	fk_buf_free(&buf);
	return rc;
}

int fk_save_segs_to_set(struct fk_atomic_set *set, const char *path,
			enum fk_format forced, const struct fk_segs *s,
			const struct fk_write_opts *o, struct fk_diag *err)
{
	struct fk_buf buf = { 0 };
	int rc = encode_segs(path, forced, s, o, &buf, err);

	if (rc == 0)
		rc = fk_atomic_set_add(set, path, buf.p, buf.len, 0, err);
	fk_buf_free(&buf);
	return rc;
}
