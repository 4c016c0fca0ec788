/*
 * The simulated cable (wire.h). Bytes go through a FIFO per direction so
 * a delayed byte holds back those behind it, as on a serial line; a
 * dropped byte is simply not queued, a duplicated one queued twice, a
 * corrupted one queued with one bit flipped.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire.h"

#define ROUNDS_PER_TIMEOUT 4

static uint64_t rnd(struct wire *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static bool chance(struct wire *w, uint32_t ppm)
{
	return ppm && rnd(w) % 1000000u < ppm;
}

static void queue(struct wire *w, int dir, uint8_t b, uint64_t at)
{
	if (w->held_n[dir] < WIRE_HELD_MAX)
		w->held[dir][w->held_n[dir]++] = (struct wire_held){ b, at };
}

static void inject(struct wire *w, int dir, uint8_t b)
{
	uint64_t at = w->round;

	w->line_bytes[dir]++;
	if (chance(w, w->f.drop_ppm)) {
		w->dropped++;
		return;
	}
	if (chance(w, w->f.corrupt_ppm)) {
		w->corrupted++;
		b ^= (uint8_t)(1u << (rnd(w) % 8));
	}
	if (chance(w, w->f.delay_ppm) && w->f.delay_rounds) {
		w->delayed++;
		at += 1 + rnd(w) % w->f.delay_rounds;
	}
	queue(w, dir, b, at);
	if (chance(w, w->f.dup_ppm)) {
		w->duplicated++;
		queue(w, dir, b, at);
	}
}

static void arm_power_cut(struct wire *w);

static void fail(struct wire *w, const char *msg, int v)
{
	w->bad_boots++;
	if (!w->why[0])
		snprintf(w->why, sizeof(w->why), "%s (%d)", msg, v);
}

/* The device lost power: it comes back, runs its bootloader, and the
 * application (which confirms a trial image, as a product's would after
 * its self-test) starts a fresh receiver. */
static void device_reset(struct wire *w)
{
	struct fk_boot_status st;
	int booted, want;

	w->resets++;
	fk_rig_power_on(w->rig);
	if (fk_boot_status(&w->rig->cfg, &st) != FK_OK)
		fail(w, "boot status unreadable after a reset", 0);
	want = st.phase == FK_BOOT_PENDING ? FK_RIG_BOOTED_NEW :
					     FK_RIG_BOOTED_OLD;
	booted = fk_rig_boot(w->rig);
	if (booted != want)
		fail(w,
		     "the bootloader did not boot what the boot state "
		     "called for after a reset",
		     booted);
	if (booted == FK_RIG_BOOTED_NEW && fk_boot_confirm(&w->rig->cfg))
		fail(w, "confirm failed", 0);
	fk_tp_device_init(&w->dev, &w->dev.cfg);
	if (w->next_cut_after) {
		fk_rig_arm_cut(w->rig, w->rig->op + w->next_cut_after - 1,
			       w->next_cut_kind, w->resets);
		w->next_cut_after = 0;
	}
	arm_power_cut(w);
}

/* False when the host's side of the socket is full: the byte waits. */
static bool deliver(struct wire *w, int dir, uint8_t b)
{
	if (dir == 1)
		return send(w->fd[1], &b, 1, MSG_DONTWAIT) == 1;
	fk_tp_device_feed(&w->dev, b);
	if (w->rig->power_lost)
		device_reset(w);
	return true;
}

static void release(struct wire *w, int dir)
{
	uint32_t i = 0;

	while (i < w->held_n[dir] && w->held[dir][i].at <= w->round &&
	       !w->pulled && deliver(w, dir, w->held[dir][i].byte))
		i++;
	if (w->pulled)
		return;
	memmove(w->held[dir], w->held[dir] + i,
		(w->held_n[dir] - i) * sizeof(struct wire_held));
	w->held_n[dir] -= i;
}

static void drain(int fd)
{
	uint8_t buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void pull(struct wire *w)
{
	w->pulled = true;
	w->pulls++;
	w->held_n[0] = w->held_n[1] = 0;
	drain(w->fd[0]);
	drain(w->fd[1]);
	if (w->f.pull_resets) {
		w->rig->power_lost = true;
		device_reset(w);
	}
}

static void send_cb(void *ctx, const void *data, uint32_t len)
{
	struct wire *w = ctx;
	const uint8_t *p = data;

	if (w->rig->power_lost)
		return; /* a dead device says nothing */
	for (uint32_t i = 0; i < len; i++)
		inject(w, 1, p[i]);
}

static void pump(struct wire *w)
{
	uint8_t buf[4096];
	ssize_t n;

	while (!w->pulled &&
	       (n = recv(w->fd[1], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (ssize_t i = 0; i < n && !w->pulled; i++) {
			if (w->f.pull_at && ++w->h2d >= w->f.pull_at) {
				release(w, 0); /* what got through before */
				pull(w);
				break;
			}
			inject(w, 0, buf[i]);
		}
	}
	if (!w->pulled)
		release(w, 0);
	if (!w->pulled)
		release(w, 1);
	w->round++;
}

static int io_write(void *ctx, const void *buf, size_t len)
{
	struct wire *w = ctx;
	const uint8_t *p = buf;

	while (len > 0 && !w->pulled) {
		ssize_t n = send(w->fd[0], p, len, MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN) {
			pump(w);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return w->pulled ? -1 : 0;
}

static long io_read(void *ctx, void *buf, size_t cap, int timeout_ms)
{
	struct wire *w = ctx;

	(void)timeout_ms;
	for (int r = 0; r < ROUNDS_PER_TIMEOUT && !w->pulled; r++) {
		ssize_t n;

		pump(w);
		n = recv(w->fd[0], buf, cap, MSG_DONTWAIT);
		if (n > 0)
			return (long)n;
	}
	return w->pulled ? -1 : 0;
}

void wire_io(struct wire *w, struct fk_tp_io *io)
{
	io->write = io_write;
	io->read = io_read;
	io->ctx = w;
}

void wire_replug(struct wire *w)
{
	w->pulled = false;
	w->h2d = 0;
	if (w->pull_base)
		w->f.pull_at = 1 + rnd(w) % (2 * w->pull_base);
}

static void arm_power_cut(struct wire *w)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };

	if (!w->cuts_left || !w->cut_every)
		return;
	w->cuts_left--;
	fk_rig_arm_cut(w->rig, w->rig->op + 1 + rnd(w) % (2 * w->cut_every),
		       kinds[rnd(w) % 3], rnd(w));
}

void wire_cut_after_reset(struct wire *w, uint64_t ops, enum fk_cut_kind kind)
{
	w->next_cut_after = ops;
	w->next_cut_kind = kind;
}

void wire_power_cuts(struct wire *w, uint32_t count, uint32_t every)
{
	w->cuts_left = count;
	w->cut_every = every;
	arm_power_cut(w);
}

int wire_init(struct wire *w, struct fk_rig *rig, const struct wire_faults *f)
{
	struct fk_tp_device_config dc = {
		.boot = &rig->cfg,
		.send = send_cb,
		.ctx = w,
		.role = FK_TP_ROLE_APP,
		.window = 16,
	};

	memset(w, 0, sizeof(*w));
	w->rig = rig;
	w->f = *f;
	w->pull_base = f->pull_at;
	w->rng = f->seed * 2654435761u + 88172645463325252ull;
	w->held[0] = malloc(WIRE_HELD_MAX * sizeof(struct wire_held));
	w->held[1] = malloc(WIRE_HELD_MAX * sizeof(struct wire_held));
	if (!w->held[0] || !w->held[1] ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, w->fd) != 0)
		return -1;
	return fk_tp_device_init(&w->dev, &dc) == FK_OK ? 0 : -1;
}

void wire_free(struct wire *w)
{
	close(w->fd[0]);
	close(w->fd[1]);
	free(w->held[0]);
	free(w->held[1]);
}

int wire_upload(struct wire *w, struct fk_tp_upload *u,
		enum fk_tp_finish_mode mode, uint32_t max_links)
{
	struct fk_tp_client *c = malloc(sizeof(*c));
	struct fk_tp_io io;
	int rc = FK_TP_LOST;

	if (!c)
		return -1;
	wire_io(w, &io);
	u->image = w->rig->new_img[0];
	u->len = (uint32_t)w->rig->new_len[0];
	u->index = 0;
	u->mode = mode;
	for (uint32_t link = 0; link < max_links && rc == FK_TP_LOST; link++) {
		struct fk_diag d = { 0 };

		if (link > 0)
			wire_replug(w);
		fk_tp_client_init(c, &io);
		c->retries = 8;
		rc = fk_tp_upload_run(c, u, &d);
		if (rc < 0 && !w->why[0])
			snprintf(w->why, sizeof(w->why), "%s", d.last_text);
	}
	free(c);
	return rc;
}
