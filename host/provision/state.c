/*
 * The counter state of provisioning: which counter value comes next, and
 * which run was interrupted. It is the only thing that makes a serial
 * unique across runs, so it is replaced atomically and durably (temporary
 * file, fsync, rename, fsync of the folder) and guarded by an exclusive
 * lock so two runs on one station never read the same "next". Its last
 * line is a CRC-32 of the lines before it (version 2), so a damaged file
 * (a flipped digit of "next" would repeat serials) is refused rather than
 * read; version 1 files, which had none, are still read, and the next
 * write turns them into version 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "flashkit/crc.h"
#include "formats/files.h"
#include "provision.h"

static const char state_v1[] = "flashkit provision state 1";
static const char state_v2[] = "flashkit provision state 2";

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

/*
 * Version 2: the last line is "crc32 XXXXXXXX" (8 lower-case hex digits),
 * the CRC-32 of every byte before it. *body is then the length of the
 * text the lines parse from (the CRC line left out). Version 1 has no
 * CRC line: *body is len. 0, or -1 with err filled.
 */
static int check_crc(const char *path, const char *text, size_t len,
		     size_t *body, struct fk_diag *err)
{
	const size_t crc_line = sizeof("crc32 XXXXXXXX\n") - 1;
	size_t head = sizeof(state_v2) - 1;
	unsigned lines = 0;
	char want[16];

	*body = len;
	if (len <= head || memcmp(text, state_v2, head) || text[head] != '\n')
		return 0; /* version 1, or not a state: the lines say */
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (len < head + 1 + crc_line ||
	    memcmp(text + len - crc_line, "crc32 ", 6))
		return bad_state(path, lines,
				 "no crc32 line at the end (cut short?)", err);
	*body = len - crc_line;
	snprintf(want, sizeof(want), "crc32 %08lx\n",
		 (unsigned long)fk_crc32(0, text, *body));
	if (memcmp(text + *body, want, crc_line))
		return bad_state(path, lines,
				 "the crc32 line does not match the lines "
				 "above it",
				 err);
	return 0;
}

int fk_pstate_parse(const char *state_path, const char *text, size_t len,
		    uint64_t start, struct fk_pstate *st, struct fk_diag *err)
{
	const char *p = text, *end;
	unsigned n = 0;
	bool has_next = false;
	size_t body;

	memset(st, 0, sizeof(*st));
	st->start = start;
	st->next = start;
	if (check_crc(state_path, text, len, &body, err))
		return -1;
	end = text + body;
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
		if (n == 1 && strcmp(line, state_v1) &&
		    strcmp(line, state_v2)) {
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
			 "%s\nstart %" PRIu64 "\nnext %" PRIu64 "\n", state_v2,
			 st->start, st->next);

	if (st->pending)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "pending %" PRIu64 " %" PRIu64 " %s\ndir %s\n",
			      st->pend_first, st->pend_end, st->pend_ext,
			      st->pend_dir);
	if (n > 0 && (size_t)n < sizeof(text))
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "crc32 %08lx\n",
			      (unsigned long)fk_crc32(0, text, (size_t)n));
	if (n <= 0 || (size_t)n >= sizeof(text))
		return fk_fail(err,
			       "%s: counter state too long (output "
			       "folder name?)",
			       state_path);
	if (fk_file_write(state_path, text, (size_t)n, FK_OUT_UPDATE, err))
		return -1;
	return fk_sync_dir_of(state_path, err);
}
