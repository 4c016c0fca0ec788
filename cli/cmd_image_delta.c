/*
 * `flashkit image delta --from OLD NEW -o PATCH`, `image compress IMG -o
 * OUT` and `image apply [--from OLD] PATCH -o NEW` (docs/delta.md): the
 * options, the files, and the report; the work is host/delta/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_key.h"
#include "cmd_image_delta.h"
#include "delta/delta_image.h"
#include "flashkit/delta.h"
#include "formats/files.h"
#include "image/imgfile.h"
#include "image/keys.h"

struct make_args {
	const char *from, *out, *key, *password_file, *block_size;
};

/* --block-size: a power of two within the format's range. */
static int parse_block(const char *s, unsigned *log2)
{
	char *end;
	unsigned long v = s ? strtoul(s, &end, 0) : 0;

	if (s == NULL) {
		*log2 = FK_DELTA_BLOCK_LOG2_DEFAULT;
		return 0;
	}
	for (unsigned l = FK_DELTA_BLOCK_LOG2_MIN; l <= FK_DELTA_BLOCK_LOG2_MAX;
	     l++) {
		if (*end == 0 && v == 1ul << l) {
			*log2 = l;
			return 0;
		}
	}
	fk_error("--block-size %s: give a power of two from %u to %u", s,
		 1u << FK_DELTA_BLOCK_LOG2_MIN, 1u << FK_DELTA_BLOCK_LOG2_MAX);
	return -1;
}

static int load(const char *path, struct fk_input *in)
{
	struct fk_diag err = { 0 };

	if (fk_input_load_image(path, in, &err) ||
	    fk_input_check_image(in, path, &err))
		return fk_cli_report(&err);
	return FK_EXIT_OK;
}

static int make(const struct make_args *a, const char *new_path)
{
	struct fk_input old = { 0 }, cur = { 0 };
	struct fk_sign_result res = { 0 };
	struct fk_delta_stats st;
	struct fk_diag err = { 0 };
	struct fk_key key;
	bool have_key = false;
	unsigned log2;
	int rc;

	if (parse_block(a->block_size, &log2))
		return FK_EXIT_USAGE;
	if (a->key) {
		if (fk_cli_key_load(&key, a->key, a->password_file))
			return fk_cli_report(&key.diag);
		have_key = true;
	}
	rc = load(new_path, &cur);
	if (rc == FK_EXIT_OK && a->from)
		rc = load(a->from, &old);
	if (rc == FK_EXIT_OK &&
	    fk_delta_make(a->from ? old.data : NULL, old.len, cur.data, cur.len,
			  log2, have_key ? &key : NULL, &res, &st, &err))
		rc = fk_cli_report(&err);
	if (rc == FK_EXIT_OK &&
	    fk_file_write(a->out, res.data, res.len, 0, &err))
		rc = fk_cli_report(&err);
	if (rc == FK_EXIT_OK)
		printf("%s: %zu bytes (%s of %zu bytes: %.1f%%), %zu blocks "
		       "of %u bytes\n",
		       a->out, res.len, a->from ? "patch" : "compressed",
		       cur.len, 100.0 * (double)res.len / (double)cur.len,
		       st.blocks, 1u << log2);
	free(res.data);
	fk_input_free(&old);
	fk_input_free(&cur);
	if (have_key)
		fk_key_free(&key);
	return rc;
}

int fk_image_delta(int argc, char **argv)
{
	struct make_args a = { 0 };
	const struct fk_option options[] = {
		{ 0, "from", "OLD", "the image the device runs (required)",
		  .value = &a.from },
		{ 'o', "output", "PATCH", "the patch image to write (required)",
		  .value = &a.out },
		{ 'k', "key", "FILE", "sign the patch with this private key",
		  .value = &a.key },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &a.password_file },
		{ 0, "block-size", "N",
		  "bytes of new image per independently decodable block "
		  "(power of two, 1024..1048576; default 65536)",
		  .value = &a.block_size },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image delta --from OLD.img NEW.img -o "
			 "PATCH.img [-k KEY]",
		.summary = "Makes a patch: a signed image that rebuilds NEW "
			   "exactly from OLD (named by its SHA-256), for a "
			   "device that runs OLD. The patch is checked by "
			   "rebuilding NEW through the device decoder before "
			   "it is written. docs/delta.md.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || a.from == NULL || a.out == NULL) {
		fk_error("image delta needs --from OLD, one NEW image and "
			 "-o PATCH");
		return FK_EXIT_USAGE;
	}
	return make(&a, argv[0]);
}

int fk_image_compress(int argc, char **argv)
{
	struct make_args a = { 0 };
	const struct fk_option options[] = {
		{ 'o', "output", "FILE", "the compressed image (required)",
		  .value = &a.out },
		{ 'k', "key", "FILE", "sign it with this private key",
		  .value = &a.key },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &a.password_file },
		{ 0, "block-size", "N",
		  "bytes of image per independently decodable block "
		  "(power of two, 1024..1048576; default 65536)",
		  .value = &a.block_size },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image compress IMAGE -o OUT.img [-k KEY]",
		.summary = "Compresses a signed image into a signed image "
			   "whose payload rebuilds it exactly (method 1 of "
			   "docs/delta.md).",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || a.out == NULL) {
		fk_error("image compress needs one IMAGE and -o OUT");
		return FK_EXIT_USAGE;
	}
	return make(&a, argv[0]);
}

int fk_image_save_compressed(const char *path, const struct fk_sign_result *res,
			     struct fk_key *key)
{
	struct fk_sign_result small = { 0 };
	struct fk_diag err = { 0 };
	enum fk_format f = fk_format_by_path(path);
	int rc = 0;

	if (res->len != res->image_len) {
		fk_error("--compress rebuilds the image alone, not a padded "
			 "slot: leave out --pad, --confirm, --test and "
			 "--pending");
		return -1;
	}
	if (f != FK_FMT_BIN && f != FK_FMT_UNKNOWN) {
		fk_error("%s: a compressed image is an update file, written "
			 "as a binary: name it .bin or .img",
			 path);
		return -1;
	}
	if (fk_delta_make(NULL, 0, res->data, res->image_len,
			  FK_DELTA_BLOCK_LOG2_DEFAULT, key, &small, NULL,
			  &err) ||
	    fk_file_write(path, small.data, small.len, 0, &err)) {
		fk_cli_report(&err);
		rc = -1;
	}
	if (rc == 0)
		printf("%s: %zu bytes (compressed image of %zu bytes)\n", path,
		       small.len, res->image_len);
	free(small.data);
	return rc;
}

int fk_image_apply(int argc, char **argv)
{
	const char *from = NULL, *out = NULL;
	const struct fk_option options[] = {
		{ 0, "from", "OLD", "the old image (for a patch)",
		  .value = &from },
		{ 'o', "output", "NEW", "the rebuilt image (required)",
		  .value = &out },
	};
	const struct fk_command_help help = {
		.usage = "flashkit image apply [--from OLD.img] PATCH.img -o "
			 "NEW.img",
		.summary = "Rebuilds the new image from a patch and its old "
			   "image (or from a compressed image) as a device "
			   "does: refuses another old image, a damaged or "
			   "truncated patch, and writes NEW only when it "
			   "hashes to the digest the patch names.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_input old = { 0 }, patch = { 0 };
	struct fk_diag err = { 0 };
	uint8_t *img = NULL;
	size_t len;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || out == NULL) {
		fk_error("image apply needs one PATCH and -o NEW");
		return FK_EXIT_USAGE;
	}
	rc = load(argv[0], &patch);
	if (rc == FK_EXIT_OK && from)
		rc = load(from, &old);
	if (rc == FK_EXIT_OK &&
	    fk_delta_apply(patch.data, patch.len, from ? old.data : NULL,
			   old.len, &img, &len, &err)) {
		const struct fk_pos at = { .file = argv[0] };

		fk_diag_relay(fk_cli_diag(), FK_DIAG_ERROR, err.fail, &at,
			      err.last_text);
		rc = fk_cli_exit_status(err.fail);
	}
	if (rc == FK_EXIT_OK && fk_file_write(out, img, len, 0, &err))
		rc = fk_cli_report(&err);
	if (rc == FK_EXIT_OK)
		printf("%s: %zu bytes rebuilt\n", out, len);
	free(img);
	fk_input_free(&old);
	fk_input_free(&patch);
	return rc;
}
