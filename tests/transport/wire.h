/*
 * A simulated cable for the update protocol's tests and benchmarks: the
 * host's client (host/transport/client.h) on one end of a socketpair, the
 * device's receiver (flashkit/transport.h) on the other, running on the
 * power-cut rig (sim/rig.h) with the real boot core, and a fault injector
 * in between that drops, corrupts, duplicates and delays bytes in both
 * directions, pulls the cable, and cuts the device's power at a chosen
 * flash operation (the device then resets and runs its bootloader).
 *
 * Time is virtual: a read the client makes moves the bytes on the wire
 * through the injector and the device, and when nothing comes back after
 * a few rounds it is a timeout. Runs are deterministic for a seed.
 */
#ifndef FLASHKIT_TESTS_TRANSPORT_WIRE_H
#define FLASHKIT_TESTS_TRANSPORT_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "rig.h"
#include "flashkit/transport.h"
#include "transport/client.h"

struct wire_faults {
	/* per byte and direction, in parts per million */
	uint32_t drop_ppm, corrupt_ppm, dup_ppm, delay_ppm;
	uint32_t delay_rounds; /* a delayed byte waits 1..this many rounds */
	/* pull the cable after this many host-to-device bytes (0: never);
	 * the next one is drawn at random up to twice the first */
	uint64_t pull_at;
	bool pull_resets; /* a pulled cable also resets the device (bus
			   * powered board) */
	uint64_t seed;
};

struct wire_held {
	uint8_t byte;
	uint64_t at; /* round it is released */
};

#define WIRE_HELD_MAX 65536

struct wire {
	struct fk_rig *rig;
	struct fk_tp_device dev;
	int fd[2]; /* [0] host, [1] device */
	struct wire_faults f;
	uint64_t rng;
	uint64_t round;
	struct wire_held *held[2]; /* per direction, FIFO */
	uint32_t held_n[2];
	uint64_t h2d;	    /* host-to-device bytes since the last pull */
	uint64_t pull_base; /* the first pull_at */
	bool pulled; /* the cable is out: the client sees the link gone */
	uint32_t cuts_left, cut_every; /* wire_power_cuts */
	/* wire_cut_after_reset: operations after the next reset, kind */
	uint64_t next_cut_after;
	enum fk_cut_kind next_cut_kind;
	/* counters */
	uint64_t dropped, corrupted, duplicated, delayed, pulls, resets;
	uint64_t line_bytes[2];
	/* the bootloader's verdicts after resets; a bad one fails the run */
	uint32_t bad_boots;
	char why[FK_DIAG_MSG_MAX];
};

/* Sets the wire up on a prepared rig (images in place). 0 or -1. */
int wire_init(struct wire *w, struct fk_rig *rig, const struct wire_faults *f);
void wire_free(struct wire *w);
/* The client's byte stream. */
void wire_io(struct wire *w, struct fk_tp_io *io);
/* Cuts the device's power count times, at a flash operation drawn up to
 * 2 * every operations after the previous reset. */
void wire_power_cuts(struct wire *w, uint32_t count, uint32_t every);
/* After the next reset, cuts the power again at the flash operation that
 * is ops operations later (1: the first), with kind. */
void wire_cut_after_reset(struct wire *w, uint64_t ops, enum fk_cut_kind kind);
/* Plugs the cable back in (after the client returned FK_TP_LOST). */
void wire_replug(struct wire *w);

/*
 * Uploads new image 0 of the rig with mode, reconnecting after each lost
 * link (at most max_links times). Returns what fk_tp_upload_run last
 * returned; *u holds the counts.
 */
int wire_upload(struct wire *w, struct fk_tp_upload *u,
		enum fk_tp_finish_mode mode, uint32_t max_links);

#endif
