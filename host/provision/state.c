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

#include "formats/files.h"
#include "provision.h"

int fk_pstate_lock(const char *state_path, struct fk_diag *err)
{
	size_t len = strlen(state_path) + sizeof(".lock");
	char *lock = malloc(len);
	int fd;

	if (!lock)
		return fk_fail(err, "out of memory");
	snprintf(lock, len, "%s.lock", state_path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fk_fail(err, "cannot create the lock '%s': %s", lock,
			strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fk_fail(err,
			"another provision run holds '%s'; wait for "
			"it to finish (two runs must never share a "
			"counter)",
			lock);
		close(fd);
		fd = -1;
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

static int bad_state(const char *path, unsigned line, const char *what,
		     struct fk_diag *err)
{
	return fk_fail(err,
		       "%s:%u: %s; the counter state is damaged: "
		       "restore it from a backup, never reset it (serials "
		       "would repeat)",
		       path, line, what);
}

int fk_pstate_parse(const char *state_path, const char *text, size_t len,
		    uint64_t start, struct fk_pstate *st, struct fk_diag *err)
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
			return bad_state(state_path, n, "line too long or cut",
					 err);
		}
		ll = (size_t)(nl - p);
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (strlen(line) != ll) {
			fk_pstate_free(st);
			return bad_state(state_path, n, "NUL byte", err);
		}
		if (n == 1 && strcmp(line, "flashkit provision state 1")) {
			fk_pstate_free(st);
			return bad_state(state_path, n, "not a state file",
					 err);
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
		return bad_state(state_path, n, "unknown line", err);
	}
	if (!has_next || st->next < st->start ||
	    (st->pending &&
	     (!st->pend_dir || st->pend_end > st->next ||
	      st->pend_first >= st->pend_end || st->pend_ext[0] != '.'))) {
		fk_pstate_free(st);
		return bad_state(state_path, n, "incomplete or inconsistent",
				 err);
	}
	return 0;
}

int fk_pstate_read(const char *state_path, uint64_t start, struct fk_pstate *st,
		   struct fk_diag *err)
{
	uint8_t *text;
	size_t len;
	int rc;

	memset(st, 0, sizeof(*st));
	st->start = start;
	st->next = start;
	if (access(state_path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (fk_file_read(state_path, fk_input_cap(FK_INPUT_CAP_TEXT), &text,
			 &len, err))
		return -1;
	rc = fk_pstate_parse(state_path, (const char *)text, len, start, st,
			     err);
	free(text);
	return rc;
}

int fk_pstate_write(const char *state_path, const struct fk_pstate *st,
		    struct fk_diag *err)
{
	char text[4500];
	int n = snprintf(text, sizeof(text),
			 "flashkit provision state 1\nstart %" PRIu64
			 "\nnext %" PRIu64 "\n",
			 st->start, st->next);

	if (st->pending)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "pending %" PRIu64 " %" PRIu64 " %s\ndir %s\n",
			      st->pend_first, st->pend_end, st->pend_ext,
			      st->pend_dir);
	if (n <= 0 || (size_t)n >= sizeof(text))
		return fk_fail(err,
			       "%s: counter state too long (output "
			       "folder name?)",
			       state_path);
	if (fk_file_write(state_path, text, (size_t)n, FK_OUT_UPDATE, err))
		return -1;
	return fk_sync_dir_of(state_path, err);
}
