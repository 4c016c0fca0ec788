/*
 * flashkit provision: N per-device files, each holding one device's
 * devinfo record at the devinfo partition (alone, or merged into the
 * factory image), and a CSV manifest of what each device got.
 *
 * A serial is never issued twice, across runs and crashes, because of
 * the order of the steps (docs/production.md, "Why a crash loses nothing
 * and repeats nothing"):
 *   1. lock the counter state; finish any interrupted run first;
 *   2. reserve [next, next+N): the state says next+N and "pending" before
 *      any output exists (written durably: temp, fsync, rename, fsync);
 *   3. write each device's file (new files only, never replacing one);
 *   4. syncfs, then the manifest (durable);
 *   5. clear "pending" (durable). Only now are the outputs issued.
 * A crash before 2 issued nothing; after it, the next run sees "pending"
 * and completes exactly the missing files of that range, with the same
 * serials (they were never handed out: no file existed), before taking
 * new ones. The interrupted run is completed only into its own folder: a
 * run with another -o is refused (the state never redirects output), and
 * --skip-pending gives the range up when none of its files exists (a
 * folder that was never one, a run that died before its first file).
 *
 * FK_PROVISION_CRASH=reserved|output:K|synced|manifest kills the process
 * (SIGKILL) at that step, for the tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "flashkit/devinfo.h"
#include "formats/fileio.h"
#include "formats/files.h"
#include "layout/layout.h"
#include "provision/provision.h"

struct prov {
	const struct fk_template *t;
	const struct fk_layout_partition *part;
	enum fk_format fmt;
	struct fk_segs factory; /* empty without --factory */
	struct fk_pstate st;
	uint8_t *rec_buf;
	uint32_t rec_cap;
	const char *crash;  /* FK_PROVISION_CRASH */
	bool secret;	    /* records hold random secrets: files 0600 */
	bool skip_pending;  /* --skip-pending */
	struct fk_diag err; /* the failure, for the caller to print */
};

/* Prints the failure a library call left in p->err; returns -1. */
static int failed(struct prov *p)
{
	fk_cli_report(&p->err);
	return -1;
}

/*
 * The -o folder, made once every input has been read (a refused run
 * leaves none behind) and before any counter value is reserved (a wrong
 * -o costs no serial). 0, or -1 with err filled.
 */
static int out_folder(const char *dir, struct fk_diag *err)
{
	if (fk_mkdirs(dir, err))
		return -1;
	if (access(dir, W_OK | X_OK) != 0)
		return fk_fail_io(err,
				  "-o %s: cannot write into the folder: %s",
				  dir, strerror(errno));
	return 0;
}

/* The outermost folder of dir's path that does not exist yet, the first
 * out_folder makes; NULL when dir exists (or memory ran out). */
static char *missing_top(const char *dir)
{
	char *p = strdup(dir), *top = NULL, *slash;
	struct stat st;

	while (p && *p && stat(p, &st) != 0 && errno == ENOENT) {
		free(top);
		top = strdup(p);
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	return top;
}

/* Undoes out_folder: removes dir and its parents up to top, each only
 * while it is empty (rmdir removes nothing else). */
static void remove_new_folders(const char *dir, const char *top)
{
	char *p = strdup(dir), *slash;

	while (p && (rmdir(p) == 0 || errno == ENOENT) && strcmp(p, top) &&
	       (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	free(p);
}

/*
 * The -o folder, the lock and the counter state, in that order. A run
 * refused here (another run holds the lock, the state is damaged) leaves
 * no folder it made: the folders are as before. 0, or -1 (said).
 */
static int open_run(struct prov *p, const char *dir, int *lock)
{
	char *top = missing_top(dir);
	int rc = 0;

	if (out_folder(dir, &p->err) ||
	    (*lock = fk_pstate_lock(p->t->state_path, &p->err)) < 0 ||
	    fk_pstate_read(p->t->state_path, p->t->start, &p->st, &p->err)) {
		rc = failed(p);
		if (top)
			remove_new_folders(dir, top);
	}
	free(top);
	return rc;
}

static void crash_point(const struct prov *p, const char *point, long k)
{
	char here[32];

	if (!p->crash)
		return;
	snprintf(here, sizeof(here), k >= 0 ? "%s:%ld" : "%s", point, k);
	if (!strcmp(p->crash, here))
		kill(getpid(), SIGKILL);
}

static char *join(const char *dir, const char *name, const char *ext)
{
	size_t len = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%s/%s%s", dir, name, ext);
	return s;
}

/* The device's file: the record at the partition, over the factory. */
static int device_file(struct prov *p, const struct fk_device_rec *d,
		       struct fk_buf *out)
{
	struct fk_segs s;
	struct fk_write_opts wo;
	struct fk_diag err = { 0 };
	int rc = 0;

	fk_segs_init(&s);
	for (size_t i = 0; i < p->factory.n && !rc; i++)
		rc = fk_segs_add(&s, p->factory.v[i].addr, p->factory.v[i].data,
				 p->factory.v[i].len, NULL);
	if (!rc)
		rc = fk_segs_add(&s, p->part->address, d->record, d->record_len,
				 NULL);
	fk_write_opts_init(&wo);
	out->len = 0;
	if (rc) {
		fk_error("%s", fk_segs_strerror(rc));
	} else if (fk_format_write(p->fmt, &s, &wo, out, &err)) {
		fk_cli_report(&err);
		rc = -1;
	}
	fk_segs_free(&s);
	return rc ? -1 : 0;
}

/* Where a device file's first byte goes: a bin file starts at the lowest
 * address it holds (the factory image's, or the record's). */
static uint64_t file_base(const struct prov *p)
{
	uint64_t lo = p->part->address;

	if (p->factory.n && fk_segs_start(&p->factory) < lo)
		lo = fk_segs_start(&p->factory);
	return lo;
}

static uint16_t serial_id(const struct fk_template *t)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (t->fields[i].type == FK_TFIELD_SERIAL)
			return t->fields[i].id;
	return FK_DEVINFO_SERIAL;
}

/* An existing output of an interrupted run: its record, checked. */
static int adopt_file(struct prov *p, const char *path, const char *serial,
		      struct fk_device_rec *d)
{
	struct fk_read_opts ro;
	struct fk_segs s;
	char got[128];
	uint32_t len;

	fk_read_opts_init(&ro);
	ro.base = file_base(p);
	fk_segs_init(&s);
	if (fk_load_segs(path, p->fmt, &ro, &s, &p->err))
		return failed(p);
	fk_segs_read(&s, p->part->address, p->rec_buf, p->rec_cap, 0xFF);
	fk_segs_free(&s);
	got[0] = '\0';
	if (fk_devinfo_get_mem(p->rec_buf, p->rec_cap, serial_id(p->t), got,
			       sizeof(got) - 1, &len) == 0)
		got[len] = '\0';
	if (fk_devinfo_check_mem(p->rec_buf, p->rec_cap, &d->record_len) ||
	    strcmp(got, serial)) {
		fk_error("%s: holds no valid record for serial %s; it is not "
			 "this run's file: move it away and run again",
			 path, serial);
		return -1;
	}
	d->record = p->rec_buf;
	return 0;
}

static int duplicate_serial(const struct prov *p, const char *serial,
			    const char *path, uint64_t n)
{
	fk_error("duplicate serial %s: %s exists, so it was issued before, "
		 "yet the counter state %s says %llu is next; it was rolled "
		 "back or replaced: restore it",
		 serial, path, p->t->state_path, (unsigned long long)n);
	return -1;
}

/* Device n: its file in dir (made, or adopted when recovering and it
 * exists) and its manifest row, appended to manifest. */
static int one_device(struct prov *p, uint64_t n, const char *dir,
		      const char *ext, bool recovering, struct fk_buf *file,
		      struct fk_buf *manifest)
{
	struct fk_device_rec d;
	char *path, *row = NULL;
	int rc;

	if (fk_template_serial(p->t, n, d.serial, sizeof(d.serial), &p->err))
		return failed(p);
	path = join(dir, d.serial, ext);
	if (!path)
		return -1;
	if (recovering && access(path, F_OK) == 0) {
		rc = adopt_file(p, path, d.serial, &d);
	} else {
		rc = fk_device_build(p->t, p->st.start, n, p->rec_buf,
				     p->rec_cap, &d, &p->err);
		if (rc)
			failed(p);
		if (!rc)
			rc = device_file(p, &d, file);
		if (!rc)
			rc = fk_file_create_new(path, file->p, file->len,
						p->secret ? FK_OUT_SECRET : 0,
						&p->err);
		if (rc < 0)
			failed(p);
		if (rc == 1)
			rc = duplicate_serial(p, d.serial, path, n);
	}
	if (!rc)
		rc = fk_manifest_row(p->t, n, d.record, d.record_len,
				     path + strlen(dir) + 1, &row);
	if (!rc && fk_buf_put(manifest, row, strlen(row)))
		rc = -1;
	free(row);
	free(path);
	return rc;
}

/*
 * Produces the files of [first, end) in dir and their manifest. recovering:
 * the range was reserved by an interrupted run; files that exist are its
 * own and are kept. Otherwise an existing file means the serial was issued
 * before: refused.
 */
static int run_range(struct prov *p, uint64_t first, uint64_t end,
		     const char *dir, const char *ext, bool recovering)
{
	struct fk_buf file = { 0 }, manifest = { 0 };
	char *header = fk_manifest_header(p->t), name[64], *mpath;
	int rc = header && !fk_buf_put(&manifest, header, strlen(header)) ? 0 :
									    -1;

	free(header);
	for (uint64_t n = first; n < end && !rc; n++) {
		rc = one_device(p, n, dir, ext, recovering, &file, &manifest);
		crash_point(p, "output", (long)(n - first + 1));
	}
	fk_buf_free(&file);
	/* Every file on disk before the manifest says they exist. */
	if (!rc && fk_sync_fs(dir, &p->err))
		rc = failed(p);
	crash_point(p, "synced", -1);
	snprintf(name, sizeof(name), "manifest-%llu-%llu",
		 (unsigned long long)first, (unsigned long long)(end - 1));
	mpath = rc ? NULL : join(dir, name, ".csv");
	if (!rc &&
	    (!mpath || fk_file_write(mpath, manifest.p, manifest.len,
				     p->secret ? FK_OUT_SECRET : 0, &p->err)))
		rc = mpath ? failed(p) : -1;
	if (!rc)
		printf("%s: %llu device%s, counter %llu..%llu%s\n", mpath,
		       (unsigned long long)(end - first),
		       end - first == 1 ? "" : "s", (unsigned long long)first,
		       (unsigned long long)(end - 1),
		       recovering ? " (completed an interrupted run)" : "");
	free(mpath);
	fk_buf_free(&manifest);
	crash_point(p, "manifest", -1);
	return rc;
}

/* Whether a and b name the same existing folder. */
static bool same_folder(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && S_ISDIR(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The path of the interrupted run's first file that exists, or NULL. */
static char *pending_file(struct prov *p)
{
	for (uint64_t n = p->st.pend_first; n < p->st.pend_end; n++) {
		char serial[128], *path;

		if (fk_template_serial(p->t, n, serial, sizeof(serial),
				       &p->err))
			continue;
		path = join(p->st.pend_dir, serial, p->st.pend_ext);
		if (path && access(path, F_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* --skip-pending: the interrupted run's counter values are given up
 * (never issued: a gap in the serials), which is safe only when none of
 * its files exists. */
static int skip_pending(struct prov *p)
{
	char *found = pending_file(p);

	if (found) {
		fk_error("--skip-pending: '%s' of the interrupted run exists; "
			 "complete the run instead (-o %s, without "
			 "--skip-pending)",
			 found, p->st.pend_dir);
		free(found);
		return -1;
	}
	fprintf(stderr,
		"flashkit: counter values %llu..%llu skipped: no file "
		"of the interrupted run exists, none of them is ever issued\n",
		(unsigned long long)p->st.pend_first,
		(unsigned long long)(p->st.pend_end - 1));
	p->st.pending = false;
	if (fk_pstate_write(p->t->state_path, &p->st, &p->err))
		return failed(p);
	return 0;
}

/* Refuses to complete the interrupted run anywhere but its own folder. */
static int check_pending_dir(struct prov *p, const char *dir)
{
	struct stat st;
	bool folder = stat(p->st.pend_dir, &st) == 0 && S_ISDIR(st.st_mode);

	if (!folder) {
		fk_error("%s: an interrupted run reserved counter values "
			 "%llu..%llu for the folder '%s', which is not a "
			 "folder, so none of their files exists; give them up "
			 "with --skip-pending (they will never be issued)",
			 p->t->state_path, (unsigned long long)p->st.pend_first,
			 (unsigned long long)(p->st.pend_end - 1),
			 p->st.pend_dir);
		return -1;
	}
	if (!same_folder(p->st.pend_dir, dir)) {
		fk_error("%s: an interrupted run of counter values %llu..%llu "
			 "writes into '%s', not '%s'; complete it first with "
			 "-o %s (the state never redirects output)",
			 p->t->state_path, (unsigned long long)p->st.pend_first,
			 (unsigned long long)(p->st.pend_end - 1),
			 p->st.pend_dir, dir, p->st.pend_dir);
		return -1;
	}
	return 0;
}

/* Finishes a run that a crash interrupted, then clears "pending". */
static int recover(struct prov *p, const char *dir)
{
	enum fk_format fmt = p->fmt;
	int rc;

	if (!p->st.pending)
		return 0;
	if (p->skip_pending)
		return skip_pending(p);
	if (check_pending_dir(p, dir))
		return -1;
	/* The interrupted run's format, whatever this run asks for. */
	p->fmt = fk_format_by_name(p->st.pend_ext + 1);
	if (p->fmt == FK_FMT_UNKNOWN || p->fmt == FK_FMT_ELF) {
		fk_error(
			"%s: the interrupted run's format '%s' is unknown; the "
			"counter state is damaged: restore it from a backup",
			p->t->state_path, p->st.pend_ext);
		rc = -1;
	} else {
		rc = run_range(p, p->st.pend_first, p->st.pend_end,
			       p->st.pend_dir, p->st.pend_ext, true);
	}
	p->fmt = fmt;
	if (rc)
		return -1;
	p->st.pending = false;
	if (fk_pstate_write(p->t->state_path, &p->st, &p->err))
		return failed(p);
	return 0;
}

/* Refuses before reserving when a serial of [first, first + count) was
 * issued or a device's inputs are missing. */
static int check_range(struct prov *p, uint64_t first, uint64_t count,
		       const char *dir)
{
	for (uint64_t n = first; n < first + count; n++) {
		char serial[128], *path;
		int exists;

		if (fk_template_serial(p->t, n, serial, sizeof(serial),
				       &p->err) ||
		    fk_device_check_inputs(p->t, p->st.start, n, serial,
					   &p->err))
			return failed(p);
		path = join(dir, serial, fk_format_ext(p->fmt));
		exists = path && access(path, F_OK) == 0;
		if (exists)
			duplicate_serial(p, serial, path, n);
		free(path);
		if (exists)
			return -1;
	}
	return 0;
}

static int provision(struct prov *p, uint64_t count, const char *dir)
{
	uint64_t first;

	if (recover(p, dir))
		return -1;
	first = p->st.next;
	if (count == 0)
		return 0;
	if (count > p->t->last - first + 1 || first > p->t->last) {
		fk_error("%s: the counter would pass its last value %llu (next "
			 "is %llu)",
			 p->t->path, (unsigned long long)p->t->last,
			 (unsigned long long)first);
		return -1;
	}
	if (check_range(p, first, count, dir))
		return -1;
	p->st.pending = true;
	p->st.pend_first = first;
	p->st.pend_end = first + count;
	snprintf(p->st.pend_ext, sizeof(p->st.pend_ext), "%s",
		 fk_format_ext(p->fmt));
	free(p->st.pend_dir);
	/* Absolute: a later run may start from another folder. */
	p->st.pend_dir = realpath(dir, NULL);
	p->st.next = first + count;
	if (!p->st.pend_dir) {
		fk_error("cannot resolve '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (fk_pstate_write(p->t->state_path, &p->st, &p->err))
		return failed(p);
	crash_point(p, "reserved", -1);
	if (run_range(p, first, first + count, dir, p->st.pend_ext, false))
		return -1;
	p->st.pending = false;
	if (fk_pstate_write(p->t->state_path, &p->st, &p->err))
		return failed(p);
	return 0;
}

static const struct fk_layout_partition *find_devinfo(const struct fk_layout *l,
						      const char *name)
{
	const struct fk_layout_partition *found = NULL;

	if (name) {
		found = fk_layout_find_partition(l, name);
		if (!found) {
			fk_error("no partition '%s' in %s", name, l->path);
		} else if (found->role != FK_ROLE_DEVINFO) {
			fk_error("%s: partition '%s' has role %s; a device "
				 "record goes only into a partition of role "
				 "devinfo",
				 l->path, name,
				 fk_layout_role_name(found->role));
			found = NULL;
		}
		return found;
	}
	for (uint32_t i = 0; i < l->partition_count; i++) {
		if (l->partitions[i].role != FK_ROLE_DEVINFO)
			continue;
		if (found) {
			fk_error(
				"%s has several devinfo partitions; choose one "
				"with --partition",
				l->path);
			return NULL;
		}
		found = &l->partitions[i];
	}
	if (!found)
		fk_error("%s has no partition of role devinfo; add one or name "
			 "a partition with --partition",
			 l->path);
	return found;
}

/* Loads the factory image and checks it leaves the partition free. */
static int load_factory(struct prov *p, const char *path)
{
	struct fk_read_opts ro;
	uint64_t lo = p->part->address, hi = lo + p->part->size;

	fk_read_opts_init(&ro);
	if (fk_load_segs(path, FK_FMT_UNKNOWN, &ro, &p->factory, &p->err))
		return failed(p);
	for (size_t i = 0; i < p->factory.n; i++) {
		const struct fk_seg *s = &p->factory.v[i];

		if (s->addr < hi && lo < s->addr + s->len) {
			fk_error(
				"%s has data at 0x%08llx, inside partition "
				"'%s' (0x%08llx..0x%08llx) where each device's "
				"record goes: merge the factory image without "
				"it",
				path,
				(unsigned long long)(s->addr > lo ? s->addr :
								    lo),
				p->part->name, (unsigned long long)lo,
				(unsigned long long)(hi - 1));
			return -1;
		}
	}
	return 0;
}

int cmd_provision(int argc, char **argv)
{
	const char *layout_path = NULL, *part_name = NULL, *tpl = NULL;
	const char *count_text = NULL, *dir = NULL, *format = "hex";
	const char *factory = NULL;
	int skip = 0;
	const struct fk_option options[] = {
		{ 0, "layout", "FILE", "the layout (required)",
		  .value = &layout_path },
		{ 0, "partition", "NAME",
		  "the devinfo partition (default: the "
		  "one of role devinfo)",
		  .value = &part_name },
		{ 0, "template", "FILE", "what each record holds (required)",
		  .value = &tpl },
		{ 0, "count", "N",
		  "devices to provision (0: only finish an "
		  "interrupted run)",
		  .value = &count_text },
		{ 'o', "output", "DIR", "folder for the files and manifests",
		  .value = &dir },
		{ 0, "format", "F",
		  "per-device file format: hex (default), "
		  "srec, bin, uf2, dfu",
		  .value = &format },
		{ 0, "factory", "FILE",
		  "merge each record into this factory "
		  "image (one memory)",
		  .value = &factory },
		{ 0, "skip-pending", NULL,
		  "give up an interrupted run none of "
		  "whose files exists (its serials are never issued)",
		  .flag = &skip },
	};
	const struct fk_command_help help = {
		.usage = "flashkit provision --layout L --template T --count N "
			 "-o DIR",
		.summary =
			"Writes one file per device with its devinfo record "
			"(serial, MACs, secrets, calibration),\nalone or "
			"merged into the factory image, and a CSV manifest. "
			"Serials come from a\ncounter whose state is updated "
			"atomically: none is ever issued twice.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_layout layout;
	struct fk_template t;
	struct prov p = { .t = &t };
	uint64_t count;
	int npos, lock, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc != 0)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos || !layout_path || !tpl || !count_text || !dir) {
		fk_error("provision needs --layout, --template, --count and -o "
			 "(see 'flashkit provision --help')");
		return FK_EXIT_USAGE;
	}
	p.fmt = fk_format_by_name(format);
	if (fk_opt_number("--count", count_text, 100000000, &count))
		return FK_EXIT_USAGE;
	if (p.fmt == FK_FMT_UNKNOWN || p.fmt == FK_FMT_ELF) {
		fk_error("--format '%s' is not an output format: use bin, hex, "
			 "srec, uf2 or dfu",
			 format);
		return FK_EXIT_USAGE;
	}
	p.skip_pending = skip;
	if (fk_layout_load(layout_path, &layout, fk_cli_layout_opts()))
		return FK_EXIT_FAIL;
	fk_segs_init(&p.factory);
	p.part = find_devinfo(&layout, part_name);
	rc = p.part && fk_template_load(tpl, &t, fk_cli_diag()) == 0 ? 0 : -1;
	if (rc) {
		fk_layout_free(&layout);
		return FK_EXIT_FAIL;
	}
	p.rec_cap =
		p.part->size < FK_DEVINFO_HEADER_SIZE + FK_DEVINFO_MAX_BODY ?
			p.part->size :
			FK_DEVINFO_HEADER_SIZE + FK_DEVINFO_MAX_BODY;
	p.rec_buf = malloc(p.rec_cap);
	p.crash = getenv("FK_PROVISION_CRASH");
	for (size_t i = 0; i < t.nfields; i++)
		p.secret |= t.fields[i].type == FK_TFIELD_RANDOM;
	lock = -1;
	if (!p.rec_buf || (factory && load_factory(&p, factory)))
		rc = -1;
	else
		rc = open_run(&p, dir, &lock);
	if (!rc)
		rc = provision(&p, count, dir);
	fk_pstate_unlock(lock);
	fk_pstate_free(&p.st);
	fk_segs_free(&p.factory);
	free(p.rec_buf);
	fk_template_free(&t);
	fk_layout_free(&layout);
	return rc ? FK_EXIT_FAIL : FK_EXIT_OK;
}
