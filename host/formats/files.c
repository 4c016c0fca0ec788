/*
 * Bounded input reads and atomic outputs (files.h). The order of the
 * steps of an output is what makes it safe:
 *   open:   refuse a folder, an input, an existing file under NO_REPLACE;
 *           mkdir -p; remove stale temporaries of PATH; open the content
 *           unnamed (O_TMPFILE) or under PATH.flashkit-tmp.PID.XXXXXX;
 *   finish: flush, fsync, give an unnamed file its temporary name;
 *   rename: the temporary name over PATH, in one step.
 * The signal table holds the temporary names alive at any instant so that
 * SIGTERM, SIGINT, SIGHUP and SIGXFSZ remove them before the process dies.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

static const char tmp_tag[] = ".flashkit-tmp.";

/* ---- inputs ---- */

struct file_id {
	dev_t dev;
	ino_t ino;
};

static struct file_id *inputs;
static size_t ninputs, inputs_cap;

static void note_id(const struct stat *st)
{
	if (ninputs == inputs_cap) {
		size_t cap = inputs_cap ? inputs_cap * 2 : 16;
		struct file_id *p = realloc(inputs, cap * sizeof(*p));

		if (!p)
			return;
		inputs = p;
		inputs_cap = cap;
	}
	inputs[ninputs].dev = st->st_dev;
	inputs[ninputs].ino = st->st_ino;
	ninputs++;
}

void fk_file_note_input(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		note_id(&st);
}

static bool is_input(const struct stat *st)
{
	for (size_t i = 0; i < ninputs; i++)
		if (inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino)
			return true;
	return false;
}

size_t fk_input_cap(size_t cap)
{
	const char *env = getenv("FK_INPUT_CAP");
	char *end;
	unsigned long long v;

	if (!env || !*env)
		return cap;
	errno = 0;
	v = strtoull(env, &end, 10);
	return errno || *end || v >= cap ? cap : (size_t)v;
}

/* "1 GiB", "8 MiB", or a byte count. */
static const char *size_text(uint64_t n, char *buf, size_t cap)
{
	if (n && n % (1u << 30) == 0)
		snprintf(buf, cap, "%" PRIu64 " GiB", n >> 30);
	else if (n && n % (1u << 20) == 0)
		snprintf(buf, cap, "%" PRIu64 " MiB", n >> 20);
	else
		snprintf(buf, cap, "%" PRIu64 " bytes", n);
	return buf;
}

static int too_big(const char *path, uint64_t size, size_t cap,
		   struct fk_diag *err)
{
	char c[32];

	if (size)
		return fk_fail(err,
			       "%s: %" PRIu64 " bytes, more than the "
			       "%s an input may have; is it the right "
			       "file?",
			       path, size, size_text(cap, c, sizeof(c)));
	return fk_fail(err,
		       "%s: more than the %s an input may have; is "
		       "it the right file?",
		       path, size_text(cap, c, sizeof(c)));
}

/* Reads fd to its end into a buffer grown up to cap + 1 bytes. */
static int read_all(int fd, const char *path, size_t first, size_t cap,
		    uint8_t **data, size_t *len, struct fk_diag *err)
{
	size_t n = 0, size = first + 1;
	uint8_t *buf = malloc(size + 1);

	for (;;) {
		ssize_t got;

		if (!buf)
			return fk_fail_nomem(err);
		got = read(fd, buf + n, size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(buf);
			return fk_fail_io(err, "cannot read '%s': %s", path,
					  strerror(errno));
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > cap) {
			free(buf);
			return too_big(path, 0, cap, err);
		}
		if (n == size) {
			uint8_t *p;

			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			p = realloc(buf, size + 1);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int fk_file_read(const char *path, size_t cap, uint8_t **data, size_t *len,
		 struct fk_diag *err)
{
	struct stat st;
	size_t first = 65536;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return fk_fail_io(err, "cannot open '%s': %s", path,
				  strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ?
			     fk_fail_io(err, "%s: is a folder, not a file",
					path) :
			     fk_fail_io(err, "cannot read '%s': %s", path,
					strerror(errno));
		close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > cap) {
			close(fd);
			return too_big(path, (uint64_t)st.st_size, cap, err);
		}
		first = (size_t)st.st_size;
		note_id(&st);
	}
	rc = read_all(fd, path, first < cap ? first : cap, cap, data, len, err);
	close(fd);
	return rc;
}

/* ---- the signal cleanup table ---- */

#define LIVE_MAX 256
static const char *volatile live[LIVE_MAX];
static const int cleanup_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGXFSZ };

static void on_signal(int sig)
{
	for (int i = 0; i < LIVE_MAX; i++) {
		const char *p = live[i];

		if (p)
			unlink(p);
	}
	signal(sig, SIG_DFL);
	raise(sig); /* delivered when the handler returns: the process dies
		     * of the signal, as it would have without us */
}

/* Installs the handler for the signals nobody else handles or ignores. */
static void install_handlers(void)
{
	static bool done;
	struct sigaction sa, old;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(int); i++) {
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
}

static int live_take(void)
{
	install_handlers();
	for (int i = 0; i < LIVE_MAX; i++)
		if (!live[i])
			return i;
	return -1;
}

static void live_set(int slot, const char *tmp)
{
	if (slot >= 0)
		live[slot] = tmp;
}

/* ---- output paths ---- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, slash ? path : ".", n);
	d[n] = '\0';
	return d;
}

int fk_mkdirs(const char *dir, struct fk_diag *err)
{
	char *p = strdup(dir);
	struct stat st;
	int rc = 0;

	if (!p)
		return fk_fail_nomem(err);
	for (char *s = p + 1; rc == 0; s++) {
		bool last = *s == '\0';

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = fk_fail_io(err,
					"cannot create the folder '%s': "
					"%s",
					p, strerror(errno));
		else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			rc = fk_fail_io(err,
					"cannot create the folder '%s': "
					"a file of that name is in the way",
					p);
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

/* Removes PATH.flashkit-tmp.PID.* whose process is gone: a SIGKILL's
 * leftovers from an earlier run. Another live run's file is kept. */
static void remove_stale(const char *dir, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t blen;
	DIR *d;
	struct dirent *e;

	base = base ? base + 1 : path;
	blen = strlen(base);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *rest = e->d_name + blen;
		char *end;
		long pid;

		if (strncmp(e->d_name, base, blen) ||
		    strncmp(rest, tmp_tag, sizeof(tmp_tag) - 1))
			continue;
		errno = 0;
		pid = strtol(rest + sizeof(tmp_tag) - 1, &end, 10);
		if (errno || *end != '.' || pid <= 0 || pid > INT_MAX)
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* The file that gets the content: PATH, or the target of a link. */
static int resolve_output(const char *path, unsigned flags, char **out,
			  struct fk_diag *err)
{
	struct stat lst, st;

	*out = NULL;
	if (lstat(path, &lst) != 0) {
		*out = strdup(path);
		return *out ? 0 : fk_fail_nomem(err);
	}
	if (stat(path, &st) != 0)
		return fk_fail_io(err,
				  "cannot write '%s': it is a symbolic "
				  "link to a missing file; remove the link "
				  "or create its target",
				  path);
	if (S_ISDIR(st.st_mode))
		return fk_fail_io(err,
				  "cannot write '%s': it is a folder; "
				  "give a file name",
				  path);
	if (!(flags & FK_OUT_UPDATE) && is_input(&st))
		return fk_fail(err,
			       "cannot write '%s': it is also an "
			       "input of this command; write the output "
			       "to another file",
			       path);
	if (flags & FK_OUT_NO_REPLACE)
		return fk_fail(err,
			       "'%s' exists; move it away first (or "
			       "use --force to replace it)",
			       path);
	if (!S_ISREG(st.st_mode))
		return fk_fail_io(err,
				  "cannot write '%s': it exists and is "
				  "not a regular file",
				  path);
	*out = S_ISLNK(lst.st_mode) ? realpath(path, NULL) : strdup(path);
	if (!*out)
		return fk_fail_io(err, "cannot resolve '%s': %s", path,
				  strerror(errno));
	return 0;
}

/* PATH.flashkit-tmp.PID.XXXXXX, for mkstemp() or filled with random. */
static char *tmp_name(const char *path)
{
	size_t len = strlen(path) + sizeof(tmp_tag) + 24;
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%s%s%ld.XXXXXX", path, tmp_tag,
			 (long)getpid());
	return t;
}

static void fill_random_name(char *t)
{
	static const char c[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	char *x = t + strlen(t) - 6;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (int i = 0; i < 6; i++)
			r[i] = (unsigned char)rand();
	for (int i = 0; i < 6; i++)
		x[i] = c[r[i] % (sizeof(c) - 1)];
}

static mode_t out_mode(unsigned flags)
{
	return flags & FK_OUT_SECRET ? 0600 : 0666;
}

/* An unnamed file in dir, or -1 where the file system cannot. The test
 * hook FK_TEST_NO_TMPFILE takes the named path as such systems do. */
static int open_unnamed(const char *dir, unsigned flags)
{
#ifdef O_TMPFILE
	if (!getenv("FK_TEST_NO_TMPFILE"))
		return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC,
			    out_mode(flags));
#endif
	(void)dir;
	(void)flags;
	return -1;
}

/* A named temporary with the mode any tool gives an output (0666 less
 * the umask; mkstemp makes 0600), or 0600 for a secret. */
static int open_named(char *tmp, unsigned flags)
{
	int fd = mkstemp(tmp);
	mode_t mask;

	if (fd < 0 || (flags & FK_OUT_SECRET))
		return fd;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

static void release(struct fk_atomic *a)
{
	live_set(a->slot, NULL);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->fp = NULL;
	a->slot = -1;
}

void fk_atomic_abort(struct fk_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	release(a);
}

static int open_content(struct fk_atomic *a, const char *dir,
			struct fk_diag *err)
{
	char *tmp = tmp_name(a->path);
	int fd = open_unnamed(dir, a->flags);

	if (!tmp) {
		if (fd >= 0)
			close(fd);
		return fk_fail_nomem(err);
	}
	if (fd >= 0) {
		free(tmp);
	} else {
		a->tmp = tmp;
		fd = open_named(tmp, a->flags);
		live_set(a->slot, a->tmp);
	}
	if (fd < 0)
		return fk_fail_io(err, "cannot create '%s': %s", a->path,
				  strerror(errno));
	a->fp = fdopen(fd, "wb");
	if (!a->fp) {
		close(fd);
		return fk_fail_io(err, "cannot write '%s': %s", a->path,
				  strerror(errno));
	}
	return 0;
}

int fk_atomic_open(struct fk_atomic *a, const char *path, unsigned flags,
		   struct fk_diag *err)
{
	char *dir = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	a->slot = live_take();
	a->flags = flags;
	rc = resolve_output(path, flags, &a->path, err);
	if (!rc) {
		dir = dir_of(a->path);
		rc = dir ? fk_mkdirs(dir, err) : fk_fail_nomem(err);
	}
	if (!rc) {
		remove_stale(dir, a->path);
		rc = open_content(a, dir, err);
	}
	free(dir);
	if (rc)
		fk_atomic_abort(a);
	return rc;
}

int fk_atomic_write(struct fk_atomic *a, const void *data, size_t len,
		    struct fk_diag *err)
{
	if (len && fwrite(data, 1, len, a->fp) != len)
		return fk_fail_io(err, "cannot write '%s': %s", a->path,
				  strerror(errno));
	return 0;
}

/* Gives the unnamed file of fd its temporary name. */
static int name_unnamed(struct fk_atomic *a, int fd)
{
	char proc[64];

	a->tmp = tmp_name(a->path);
	if (!a->tmp)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (;;) {
		fill_random_name(a->tmp);
		live_set(a->slot, a->tmp);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, a->tmp,
			   AT_SYMLINK_FOLLOW) == 0)
			return 0;
		live_set(a->slot, NULL);
		if (errno != EEXIST)
			return -1;
	}
}

int fk_atomic_finish(struct fk_atomic *a, struct fk_diag *err)
{
	int failed = ferror(a->fp);

	if (fflush(a->fp) != 0 || fsync(fileno(a->fp)) != 0)
		failed = 1;
	if (!failed && !a->tmp && name_unnamed(a, fileno(a->fp)))
		failed = 1;
	if (fclose(a->fp) != 0)
		failed = 1;
	a->fp = NULL;
	if (failed) {
		fk_fail_io(err, "cannot write '%s': %s", a->path,
			   strerror(errno ? errno : EIO));
		fk_atomic_abort(a);
		return -1;
	}
	return 0;
}

/* FK_TEST_RAISE=N: the test hook that raises signal N between the
 * temporary name and the rename, the widest window a kill can hit. */
static void test_raise(void)
{
	const char *sig = getenv("FK_TEST_RAISE");

	if (sig && atoi(sig) > 0)
		raise(atoi(sig));
}

int fk_atomic_rename(struct fk_atomic *a, struct fk_diag *err)
{
	int rc = 0;

	test_raise();
	if (rename(a->tmp, a->path) != 0) {
		rc = fk_fail_io(err, "cannot write '%s': %s", a->path,
				strerror(errno));
		unlink(a->tmp);
	}
	release(a);
	return rc;
}

int fk_atomic_commit(struct fk_atomic *a, struct fk_diag *err)
{
	if (fk_atomic_finish(a, err))
		return -1;
	return fk_atomic_rename(a, err);
}

int fk_file_write(const char *path, const void *data, size_t len,
		  unsigned flags, struct fk_diag *err)
{
	struct fk_atomic a;

	if (fk_atomic_open(&a, path, flags, err))
		return -1;
	if (fk_atomic_write(&a, data, len, err)) {
		fk_atomic_abort(&a);
		return -1;
	}
	return fk_atomic_commit(&a, err);
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

/* Content in a temporary file, linked to path only if path is free. */
static int link_new(struct fk_atomic *a, const char *path, const void *data,
		    size_t len, struct fk_diag *err)
{
	int fd = fileno(a->fp), rc = 0;
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (write_all(fd, data, len))
		return fk_fail_io(err, "cannot write '%s': %s", path,
				  strerror(errno));
	if (a->tmp)
		rc = link(a->tmp, path);
	else
		rc = linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
	if (rc == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	return fk_fail_io(err, "cannot create '%s': %s", path, strerror(errno));
}

int fk_file_create_new(const char *path, const void *data, size_t len,
		       unsigned flags, struct fk_diag *err)
{
	struct fk_atomic a;
	char *dir = dir_of(path);
	int rc;

	memset(&a, 0, sizeof(a));
	a.slot = live_take();
	a.flags = flags;
	a.path = strdup(path);
	rc = dir && a.path ? open_content(&a, dir, err) : fk_fail_nomem(err);
	if (!rc)
		rc = link_new(&a, path, data, len, err);
	free(dir);
	fk_atomic_abort(&a);
	return rc;
}

int fk_sync_fs(const char *dir, struct fk_diag *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) != 0)
		rc = fk_fail_io(err, "cannot sync '%s': %s", dir,
				strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int fk_sync_dir_of(const char *path, struct fk_diag *err)
{
	char *dir = dir_of(path);
	int fd, rc = 0;

	if (!dir)
		return fk_fail_nomem(err);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = fk_fail_io(err, "cannot sync the folder of '%s': %s", path,
				strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

void fk_atomic_set_init(struct fk_atomic_set *set)
{
	set->count = 0;
	set->files = NULL;
}

int fk_atomic_set_add(struct fk_atomic_set *set, const char *path,
		      const void *data, size_t len, unsigned flags,
		      struct fk_diag *err)
{
	struct fk_atomic *files, *a;

	files = realloc(set->files, (set->count + 1) * sizeof(*files));
	if (!files)
		return fk_fail_nomem(err);
	set->files = files;
	a = &files[set->count];
	if (fk_atomic_open(a, path, flags, err))
		return -1;
	if (fk_atomic_write(a, data, len, err)) {
		fk_atomic_abort(a);
		return -1;
	}
	if (fk_atomic_finish(a, err))
		return -1;
	set->count++;
	return 0;
}

int fk_atomic_set_commit(struct fk_atomic_set *set, struct fk_diag *err)
{
	int rc = 0;

	for (size_t i = 0; i < set->count; i++) {
		if (rc == 0)
			rc = fk_atomic_rename(&set->files[i], err);
		else
			fk_atomic_abort(&set->files[i]);
	}
	free(set->files);
	fk_atomic_set_init(set);
	return rc;
}

void fk_atomic_set_abort(struct fk_atomic_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		fk_atomic_abort(&set->files[i]);
	free(set->files);
	fk_atomic_set_init(set);
}
