/*
 * The shared parts of the command line: option parsing and help, errors,
 * number parsing, and files written atomically (temporary + rename).
 */
#define _GNU_SOURCE /* O_TMPFILE, linkat */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/number.h"

void fk_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("flashkit: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void fk_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("flashkit: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void fk_opt_print_help(const struct fk_command_help *help, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n", help->usage, help->summary);
	if (help->option_count == 0)
		return;
	fprintf(out, "\noptions:\n");
	for (size_t i = 0; i < help->option_count; i++) {
		const struct fk_option *o = &help->options[i];
		char names[64];
		int n = 0;

		if (o->short_name)
			n += snprintf(names + n, sizeof(names) - n, "-%c%s",
				      o->short_name, o->long_name ? ", " : "");
		if (o->long_name)
			n += snprintf(names + n, sizeof(names) - n, "--%s",
				      o->long_name);
		if (o->metavar)
			snprintf(names + n, sizeof(names) - n, " %s",
				 o->metavar);
		fprintf(out, "  %-26s %s\n", names, o->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help");
}

static const struct fk_option *find_long(const struct fk_command_help *help,
					 const char *name, size_t len)
{
	for (size_t i = 0; i < help->option_count; i++) {
		const char *ln = help->options[i].long_name;

		if (ln && strlen(ln) == len && !strncmp(ln, name, len))
			return &help->options[i];
	}
	return NULL;
}

static const struct fk_option *find_short(const struct fk_command_help *help,
					  char c)
{
	for (size_t i = 0; i < help->option_count; i++) {
		if (help->options[i].short_name == c)
			return &help->options[i];
	}
	return NULL;
}

/* Stores one occurrence of o. inline_value is the text after '=' or after
 * the short letter, or NULL; further values come from argv at *i. */
static int store_option(const struct fk_option *o, const char *shown,
			const char *inline_value, int argc, char **argv,
			int *i)
{
	int nargs = o->nargs > 0 ? o->nargs : 1;

	if (o->flag) {
		if (inline_value) {
			fk_error("option %s takes no value", shown);
			return -1;
		}
		(*o->flag)++;
		return 0;
	}
	for (int k = 0; k < nargs; k++) {
		const char *v;

		if (k == 0 && inline_value) {
			v = inline_value;
		} else if (*i + 1 < argc) {
			v = argv[++*i];
		} else {
			fk_error("option %s needs %d value%s (%s)", shown,
				 nargs, nargs > 1 ? "s" : "",
				 o->metavar ? o->metavar : "VALUE");
			return -1;
		}
		if (o->value) {
			*o->value = v;
		} else if (o->list) {
			if (o->list->count >= FK_OPT_LIST_MAX) {
				fk_error("option %s given too many times",
					 shown);
				return -1;
			}
			o->list->values[o->list->count++] = v;
		}
	}
	return 0;
}

int fk_opt_parse(const struct fk_command_help *help, int argc, char **argv,
		 int *npos)
{
	int pos = 0;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		const struct fk_option *o;

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			argv[pos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fk_opt_print_help(help, stdout);
			return 1;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(help, name, len);
			if (!o) {
				fk_error("unknown option '%.*s' (see '%s --help')",
					 (int)(len + 2), arg, help->usage);
				return -1;
			}
			if (store_option(o, arg, eq ? eq + 1 : NULL, argc,
					 argv, &i))
				return -1;
		} else {
			o = find_short(help, arg[1]);
			if (!o) {
				fk_error("unknown option '-%c' (see '%s --help')",
					 arg[1], help->usage);
				return -1;
			}
			if (store_option(o, arg, arg[2] ? arg + 2 : NULL, argc,
					 argv, &i))
				return -1;
		}
	}
	*npos = pos;
	return 0;
}

int fk_parse_u64(const char *text, uint64_t *out)
{
	const char *why;

	return fk_number_parse(text, FK_NUM_SIZE, UINT64_MAX, out, &why) ? -1
									: 0;
}

int fk_opt_number(const char *option, const char *text, uint64_t max,
		  uint64_t *out)
{
	const char *why;
	char shown[256] = "";
	int rc = fk_number_parse(text, FK_NUM_SIZE, max, out, &why);

	if (!rc)
		return 0;
	fk_diag_escape(shown, sizeof(shown), text ? text : "");
	if (rc == -2)
		fk_error("%s '%s' is larger than %llu", option, shown,
			 (unsigned long long)max);
	else
		fk_error("%s '%s' %s", option, shown, why);
	return -1;
}

static void print_diag(void *ctx, enum fk_severity severity,
		       const struct fk_pos *pos, const char *text)
{
	char line[FK_DIAG_MSG_MAX + 256];

	fprintf(ctx ? ctx : stderr, "%s\n",
		fk_diag_format(line, sizeof(line), severity, pos, text));
}

struct fk_diag *fk_cli_diag(void)
{
	static struct fk_diag sink = { .emit = print_diag };

	return &sink;
}

void fk_layout_diag(FILE *out, const struct fk_pos *pos, const char *severity,
		    const char *fmt, ...)
{
	enum fk_severity sev = !strcmp(severity, "error") ? FK_DIAG_ERROR :
			       !strcmp(severity, "warning") ? FK_DIAG_WARNING :
							     FK_DIAG_NOTE;
	char text[FK_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	print_diag(out, sev, pos, text);
}

int fk_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp) {
		fk_error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nbuf = realloc(buf, ncap);

			if (!nbuf) {
				fk_error("out of memory reading '%s'", path);
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, fp);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		fk_error("cannot read '%s': %s", path, strerror(errno));
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

/* mkstemp() creates files 0600; an output file gets the mode any other
 * tool would give it (0666 less the umask), a secret (a private key)
 * keeps 0600. */
static int create_tmpfile_mode(char *template_path, bool secret)
{
	int fd = mkstemp(template_path);
	mode_t mask;

	if (fd < 0)
		return fd;
	if (secret)
		return fd;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		close(fd);
		unlink(template_path);
		return -1;
	}
	return fd;
}

static int out_open(struct fk_outfile *out, const char *path, bool secret)
{
	size_t len = strlen(path);
	int fd;

	out->fp = NULL;
	out->path = strdup(path);
	out->tmp_path = malloc(len + sizeof(".tmp-XXXXXX"));
	if (!out->path || !out->tmp_path) {
		fk_error("out of memory");
		goto fail;
	}
	memcpy(out->tmp_path, path, len);
	memcpy(out->tmp_path + len, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	fd = create_tmpfile_mode(out->tmp_path, secret);
	if (fd < 0) {
		fk_error("cannot create '%s': %s", path, strerror(errno));
		goto fail;
	}
	out->fp = fdopen(fd, "wb");
	if (!out->fp) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(out->tmp_path);
		goto fail;
	}
	return 0;
fail:
	free(out->path);
	free(out->tmp_path);
	out->path = out->tmp_path = NULL;
	return -1;
}

static void out_release(struct fk_outfile *out)
{
	free(out->path);
	free(out->tmp_path);
	out->path = out->tmp_path = NULL;
	out->fp = NULL;
}

/* Flushes, syncs and closes the temporary file; on failure removes it. */
static int out_finish(struct fk_outfile *out)
{
	int failed = ferror(out->fp);

	if (fflush(out->fp) != 0 || fsync(fileno(out->fp)) != 0)
		failed = 1;
	if (fclose(out->fp) != 0)
		failed = 1;
	out->fp = NULL;
	if (failed) {
		fk_error("cannot write '%s': %s", out->path, strerror(errno));
		unlink(out->tmp_path);
		return -1;
	}
	return 0;
}

/* Puts the finished temporary file in place of the output. */
static int out_rename(struct fk_outfile *out)
{
	if (rename(out->tmp_path, out->path) != 0) {
		fk_error("cannot write '%s': %s", out->path, strerror(errno));
		unlink(out->tmp_path);
		return -1;
	}
	return 0;
}

int fk_out_commit(struct fk_outfile *out)
{
	int rc = out_finish(out);

	if (rc == 0)
		rc = out_rename(out);
	out_release(out);
	return rc;
}

void fk_out_abort(struct fk_outfile *out)
{
	if (out->fp)
		fclose(out->fp);
	if (out->tmp_path)
		unlink(out->tmp_path);
	out_release(out);
}

int fk_out_open(struct fk_outfile *out, const char *path)
{
	return out_open(out, path, false);
}

static int write_whole_file(const char *path, const void *data, size_t len,
			    bool secret)
{
	struct fk_outfile out;

	if (out_open(&out, path, secret))
		return -1;
	if (len && fwrite(data, 1, len, out.fp) != len) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		fk_out_abort(&out);
		return -1;
	}
	return fk_out_commit(&out);
}

int fk_write_file(const char *path, const void *data, size_t len)
{
	return write_whole_file(path, data, len, false);
}

int fk_write_secret_file(const char *path, const void *data, size_t len)
{
	return write_whole_file(path, data, len, true);
}

void fk_outset_init(struct fk_outset *set)
{
	set->count = 0;
	set->files = NULL;
}

int fk_outset_add(struct fk_outset *set, const char *path, const void *data,
		  size_t len)
{
	struct fk_outfile *files, *out;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fk_error("cannot write '%s': it is a folder", path);
		return -1;
	}
	files = realloc(set->files, (set->count + 1) * sizeof(*files));
	if (!files) {
		fk_error("out of memory");
		return -1;
	}
	set->files = files;
	out = &files[set->count];
	if (fk_out_open(out, path))
		return -1;
	if (len && fwrite(data, 1, len, out->fp) != len) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		fk_out_abort(out);
		return -1;
	}
	if (out_finish(out)) {
		out_release(out);
		return -1;
	}
	set->count++;
	return 0;
}

int fk_outset_commit(struct fk_outset *set)
{
	int rc = 0;

	for (size_t i = 0; i < set->count; i++) {
		if (rc == 0)
			rc = out_rename(&set->files[i]);
		else
			unlink(set->files[i].tmp_path);
		out_release(&set->files[i]);
	}
	free(set->files);
	fk_outset_init(set);
	return rc;
}

void fk_outset_abort(struct fk_outset *set)
{
	for (size_t i = 0; i < set->count; i++) {
		unlink(set->files[i].tmp_path);
		out_release(&set->files[i]);
	}
	free(set->files);
	fk_outset_init(set);
}

/* Writes all of data to fd. Returns 0 or -1 (errno set). */
static int write_all(int fd, const void *data, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Linux: an unnamed file in the target's folder (O_TMPFILE), given its
 * name only when complete. One directory operation instead of three,
 * and a crash leaves no temporary file behind. Returns 0, 1 (exists),
 * -1 (error printed) or -2 when the file system cannot do it.
 */
static int write_new_tmpfile(const char *path, const void *data, size_t len,
			     bool secret)
{
#ifdef O_TMPFILE
	char *dir = strdup(path), *slash, proc[64];
	int fd, rc = 0;

	if (!dir)
		return -2;
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	/* open() applies the umask, as for any other output file */
	fd = open(slash ? dir : ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
		  secret ? 0600 : 0666);
	free(dir);
	if (fd < 0)
		return -2;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (write_all(fd, data, len)) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	} else if (linkat(AT_FDCWD, proc, AT_FDCWD, path,
			  AT_SYMLINK_FOLLOW) != 0) {
		rc = errno == EEXIST ? 1 : errno == ENOENT ? -2 : -1;
		if (rc == -1)
			fk_error("cannot create '%s': %s", path,
				 strerror(errno));
	}
	close(fd);
	return rc;
#else
	(void)path;
	(void)data;
	(void)len;
	(void)secret;
	return -2;
#endif
}

int fk_write_new_file_nosync(const char *path, const void *data, size_t len,
			     bool secret)
{
	size_t plen = strlen(path);
	char *tmp;
	int fd, rc = write_new_tmpfile(path, data, len, secret);

	if (rc != -2)
		return rc;
	rc = 0;
	tmp = malloc(plen + sizeof(".tmp-XXXXXX"));
	if (!tmp) {
		fk_error("out of memory");
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	fd = create_tmpfile_mode(tmp, secret);
	if (fd < 0) {
		fk_error("cannot create '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len)) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (close(fd) != 0 && rc == 0) {
		fk_error("cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && link(tmp, path) != 0) {
		if (errno == EEXIST) {
			rc = 1;
		} else {
			fk_error("cannot create '%s': %s", path,
				 strerror(errno));
			rc = -1;
		}
	}
	unlink(tmp);
	free(tmp);
	return rc;
}
