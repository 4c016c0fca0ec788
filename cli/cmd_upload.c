/*
 * flashkit upload --port DEV [--baud N] IMAGE: sends a signed image to a
 * device's receiver over the update protocol (docs/update-protocol.md),
 * with a progress line on a terminal, and waits for the port to come back
 * and resumes when the cable is pulled or the device stops answering;
 * with --reboot, resets the device once the image is marked.
 * The protocol lives in host/transport/; this file is the command line:
 * options, the image file, the port's comings and goings, and what is
 * printed.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "flashkit/image.h"
#include "image/imgfile.h"
#include "transport/link.h"
#include "port_args.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	bool tty;
	double t0;
	uint32_t done0;
};

static void show_progress(void *ctx, const struct fk_tp_progress *p)
{
	struct progress *pr = ctx;
	double dt = now_s() - pr->t0;
	/* what the device acknowledged, not what sits in the port's buffers */
	double rate = dt > 0 && p->done > pr->done0 ?
			      (double)(p->done - pr->done0) / dt :
			      0;
	double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;

	if (!pr->tty)
		return;
	fprintf(stderr,
		"\r  %7.1f / %.1f KiB  %3u%%  %6.1f KiB/s  ETA %3.0f s ",
		p->done / 1024.0, p->total / 1024.0,
		(unsigned)((uint64_t)p->done * 100 / p->total), rate / 1024.0,
		eta);
}

/* Waits up to wait_s seconds for the port to come back, then opens it.
 * 0, or -1 (reported). */
static int reconnect(struct fk_link *l, const char *port, uint32_t baud,
		     double wait_s, bool quiet)
{
	double until = now_s() + wait_s;
	const struct timespec step = { 0, 200 * 1000 * 1000 };

	fk_link_close(l);
	if (!quiet)
		fprintf(stderr,
			"\n%s: no answer; waiting up to %.0f s for the "
			"device\n",
			port, wait_s);
	while (now_s() < until) {
		if (fk_link_present(port) &&
		    fk_link_open(l, port, baud, NULL) == 0)
			return 0;
		nanosleep(&step, NULL);
	}
	fk_error("%s: the device did not come back within %.0f s; run the "
		 "same command again to resume",
		 port, wait_s);
	return -1;
}

/* The image file: loaded, and checked to be an image whose digest
 * matches before the device sees a byte of it. */
static int load_image(const char *path, struct fk_input *in)
{
	struct fk_diag err = { 0 };

	if (fk_input_load_image(path, in, &err))
		return fk_cli_report(&err);
	if (fk_input_check_image(in, path, &err)) {
		fk_input_free(in);
		return fk_cli_report(&err);
	}
	return FK_EXIT_OK;
}

static const char *mode_name(enum fk_tp_finish_mode m)
{
	return m == FK_TP_FINISH_STAGE	   ? "stage" :
	       m == FK_TP_FINISH_PERMANENT ? "permanent" :
					     "test";
}

static void report(const struct fk_upload_args *a, const struct fk_tp_upload *u,
		   uint32_t reconnects, double seconds, bool rebooted)
{
	double rate = seconds > 0 ? (double)u->stat.data_sent / seconds : 0;

	if (a->json) {
		printf("{\"port\": \"%s\", \"image\": \"%s\", \"bytes\": %u, "
		       "\"sent\": %llu, \"skipped\": %u, \"resumed_from\": "
		       "%u, \"resumes\": %u, \"device_resets\": %u, "
		       "\"reconnects\": %u, \"seconds\": %.3f, "
		       "\"bytes_per_second\": %.0f, \"mode\": \"%s\", "
		       "\"rebooted\": %s}\n",
		       a->port, a->image, u->len,
		       (unsigned long long)u->stat.data_sent, u->stat.skipped,
		       u->resumed_from, u->resumes, u->device_lost, reconnects,
		       seconds, rate, mode_name(u->mode),
		       rebooted ? "true" : "false");
		return;
	}
	printf("%s: %u bytes uploaded to %s in %.1f s (%.1f KiB/s); sent %llu, "
	       "already there %u",
	       a->image, u->len, a->port, seconds, rate / 1024.0,
	       (unsigned long long)u->stat.data_sent,
	       u->len > u->stat.data_sent ?
		       (unsigned)(u->len - u->stat.data_sent) :
		       0);
	if (reconnects || u->device_lost)
		printf("; %u reconnect(s), %u device reset(s)", reconnects,
		       u->device_lost);
	printf("\n");
	if (u->mode == FK_TP_FINISH_STAGE)
		printf("staged, not marked: the device keeps running its "
		       "image\n");
	else if (rebooted)
		printf("marked for a%s install; the device is rebooting into "
		       "it\n",
		       u->mode == FK_TP_FINISH_TEST ? " trial" : " permanent");
	else
		printf("marked for a%s install: reboot the device (flashkit "
		       "device reboot --port %s)\n",
		       u->mode == FK_TP_FINISH_TEST ? " trial" : " permanent",
		       a->port);
}

/* After the upload: REBOOT. A device that resets before its reply gets
 * out (the link goes silent) has rebooted too. 0, or -1 (reported). */
static int reboot_device(struct fk_tp_client *c)
{
	int rc = fk_tp_reboot(c, fk_cli_diag());

	return rc == 0 || rc == FK_TP_LOST ? 0 : -1;
}

/* Uploads until done, reconnecting after each lost link; then reboots the
 * device when asked. */
static int run_upload(const struct fk_upload_args *a, struct fk_tp_upload *u,
		      bool reboot)
{
	struct fk_tp_client *c = malloc(sizeof(*c));
	struct progress pr = { isatty(STDERR_FILENO) && !a->json, now_s(), 0 };
	struct fk_link l = { -1, a->port };
	struct fk_tp_io io;
	uint32_t reconnects = 0;
	bool answered = false;
	int rc;

	if (!c) {
		fk_error("out of memory");
		return FK_EXIT_IO;
	}
	u->progress = show_progress;
	u->progress_ctx = &pr;
	rc = fk_link_open(&l, a->port, a->baud, fk_cli_diag()) ? -2 : 0;
	while (rc == 0 || rc == FK_TP_LOST) {
		fk_link_io(&l, &io);
		fk_tp_client_init(c, &io);
		c->timeout_ms = (int)a->timeout_ms;
		rc = fk_tp_upload_run(c, u, fk_cli_diag());
		answered = answered || c->replies > 0;
		if (rc != FK_TP_LOST)
			break;
		/* a port that never answered is no device that went away */
		if (!answered) {
			fk_port_no_answer(a->port);
			rc = -2;
		} else if (++reconnects > a->max_reconnects) {
			fk_error("%s: the link was lost %u times; run the same "
				 "command again to resume",
				 a->port, reconnects - 1);
			rc = -2;
		} else if (reconnect(&l, a->port, a->baud, a->wait_s,
				     a->json)) {
			rc = -2;
		}
	}
	if (pr.tty)
		fprintf(stderr, "\n");
	if (rc == 0 && reboot)
		rc = reboot_device(c);
	fk_link_close(&l);
	free(c);
	if (rc == 0)
		report(a, u, reconnects, now_s() - pr.t0, reboot);
	return rc == 0 ? FK_EXIT_OK : rc == -2 ? FK_EXIT_IO : FK_EXIT_FAIL;
}

int cmd_upload(int argc, char **argv)
{
	static struct fk_upload_args a;
	static int permanent, stage, reboot;
	static const char *index_text, *wait_text;
	static const struct fk_option options[] = {
		FK_PORT_OPTIONS(a),
		{ 'i', "image-index", "N", "image index on the device (0)", 0,
		  NULL, &index_text, NULL },
		{ 0, "permanent", NULL, "install for good (no trial)", 0,
		  &permanent, NULL, NULL },
		{ 0, "stage", NULL, "validate and keep, mark nothing", 0,
		  &stage, NULL, NULL },
		{ 0, "reboot", NULL,
		  "then reset the device, which installs the image", 0, &reboot,
		  NULL, NULL },
		{ 'w', "wait", "SECONDS",
		  "how long to wait for a lost port to come back (60)", 0, NULL,
		  &wait_text, NULL },
		{ 0, "json", NULL, "print one JSON object at the end", 0,
		  &a.json, NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit upload --port DEV [--baud N] [--permanent | "
			 "--stage] [--reboot] [--json] IMAGE",
		.summary = "Sends a signed image to the device on DEV (its "
			   "bootloader's recovery mode or its application) "
			   "and marks it for a trial install. A pulled cable "
			   "or a device reset costs what the device had not "
			   "saved: the command waits for the port to come "
			   "back and continues where the device's flash says; "
			   "sectors the device already holds are not sent "
			   "again. Protocol: docs/update-protocol.md.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_tp_upload u = { 0 };
	struct fk_input in;
	uint64_t n;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc != 0)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1 || !a.port) {
		fk_error("usage: %s", help.usage);
		return FK_EXIT_USAGE;
	}
	if (permanent && stage) {
		fk_error("--permanent and --stage exclude each other");
		return FK_EXIT_USAGE;
	}
	if (reboot && stage) {
		fk_error("--reboot and --stage exclude each other: a staged "
			 "image is not installed by a reboot");
		return FK_EXIT_USAGE;
	}
	if (fk_port_args_finish(&a) ||
	    (index_text && fk_opt_number("--image-index", index_text,
					 FK_BOOT_MAX_IMAGES - 1, &n)))
		return FK_EXIT_USAGE;
	u.index = index_text ? (uint32_t)n : 0;
	a.wait_s = 60;
	if (wait_text && fk_opt_number("--wait", wait_text, 86400, &n))
		return FK_EXIT_USAGE;
	if (wait_text)
		a.wait_s = (double)n;
	a.image = argv[0];
	rc = load_image(argv[0], &in);
	if (rc != FK_EXIT_OK)
		return rc;
	u.image = in.data;
	u.len = (uint32_t)in.len;
	u.mode = stage	   ? FK_TP_FINISH_STAGE :
		 permanent ? FK_TP_FINISH_PERMANENT :
			     FK_TP_FINISH_TEST;
	u.window = a.window;
	rc = run_upload(&a, &u, reboot);
	fk_input_free(&in);
	return rc;
}
