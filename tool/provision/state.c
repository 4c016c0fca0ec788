/*
 * The counter state of provisioning: which counter value comes next, and
 * which run was interrupted. It is the only thing that makes a serial
 * unique across runs, so it is replaced atomically and durably (temporary
 * file, fsync, rename, fsync of the folder) and guarded by an exclusive
 * lock so two runs on one station never read the same "next".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "provision.h"

int fk_pstate_lock(const char *state_path)
{
	size_t len = strlen(state_path) + sizeof(".lock");
	char *lock = malloc(len);
	int fd;

	if (!lock)
		return -1;
	snprintf(lock, len, "%s.lock", state_path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fk_error("cannot create the lock '%s': %s", lock,
			 strerror(errno));
		free(lock);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fk_error("another provision run holds '%s'; wait for it to "
			 "finish (two runs must never share a counter)", lock);
		close(fd);
		free(lock);
		return -1;
	}
	free(lock);
	return fd;
}

void fk_pstate_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void fk_pstate_free(struct fk_pstate *st)
{
	free(st->pend_dir);
	st->pend_dir = NULL;
}

static int bad_state(const char *path, unsigned line, const char *what)
{
	fk_error("%s:%u: %s; the counter state is damaged: restore it from a "
		 "backup, never reset it (serials would repeat)", path, line,
		 what);
	return -1;
}

int fk_pstate_parse(const char *state_path, const char *text, size_t len,
		    uint64_t start, struct fk_pstate *st)
{
	const char *p = text, *end = text + len;
	unsigned n = 0;
	bool has_next = false;

	memset(st, 0, sizeof(*st));
	st->start = start;
	st->next = start;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[4096];
		size_t ll;

		n++;
		if (!nl || (size_t)(nl - p) >= sizeof(line)) {
			fk_pstate_free(st);
			return bad_state(state_path, n, "line too long or cut");
		}
		ll = (size_t)(nl - p);
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (strlen(line) != ll) {
			fk_pstate_free(st);
			return bad_state(state_path, n, "NUL byte");
		}
		if (n == 1 && strcmp(line, "flashkit provision state 1")) {
			fk_pstate_free(st);
			return bad_state(state_path, n, "not a state file");
		}
		if (n == 1)
			continue;
		if (sscanf(line, "start %" SCNu64, &st->start) == 1)
			continue;
		if (sscanf(line, "next %" SCNu64, &st->next) == 1) {
			has_next = true;
			continue;
		}
		if (sscanf(line, "pending %" SCNu64 " %" SCNu64 " %15s",
			   &st->pend_first, &st->pend_end, st->pend_ext) == 3) {
			st->pending = true;
			continue;
		}
		if (!strncmp(line, "dir ", 4)) {
			free(st->pend_dir);
			st->pend_dir = strdup(line + 4);
			continue;
		}
		fk_pstate_free(st);
		return bad_state(state_path, n, "unknown line");
	}
	if (!has_next || st->next < st->start ||
	    (st->pending && (!st->pend_dir || st->pend_end > st->next ||
			     st->pend_first >= st->pend_end ||
			     st->pend_ext[0] != '.'))) {
		fk_pstate_free(st);
		return bad_state(state_path, n, "incomplete or inconsistent");
	}
	return 0;
}

int fk_pstate_read(const char *state_path, uint64_t start,
		   struct fk_pstate *st)
{
	uint8_t *text;
	size_t len;
	int rc;

	memset(st, 0, sizeof(*st));
	st->start = start;
	st->next = start;
	if (access(state_path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (fk_read_file(state_path, &text, &len))
		return -1;
	rc = fk_pstate_parse(state_path, (const char *)text, len, start, st);
	free(text);
	return rc;
}

/* fsync of the folder holding path, so a rename in it is durable. */
static int sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int fd, rc = 0;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		fk_error("cannot sync the folder of '%s': %s", path,
			 strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int fk_pstate_write(const char *state_path, const struct fk_pstate *st)
{
	char text[4500];
	int n = snprintf(text, sizeof(text),
			 "flashkit provision state 1\nstart %" PRIu64
			 "\nnext %" PRIu64 "\n", st->start, st->next);

	if (st->pending)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "pending %" PRIu64 " %" PRIu64 " %s\ndir %s\n",
			      st->pend_first, st->pend_end, st->pend_ext,
			      st->pend_dir);
	if (n <= 0 || (size_t)n >= sizeof(text)) {
		fk_error("counter state too long (output folder name?)");
		return -1;
	}
	if (fk_write_file(state_path, text, (size_t)n))
		return -1;
	return sync_dir_of(state_path);
}
