/*
 * The host's end of a board's serial line, for the serial recovery tests
 * (test_usart_boot.c, test_f205_lite_recovery.c): a bootloader run whole
 * under Unicorn (uc_boot.h) in recovery mode, its USART a model
 * (models/usart.h), and the host side of `flashkit upload`
 * (host/transport/client.h) talking to it through the model's line.
 *
 * The client's byte stream runs the emulated core: a read resumes the
 * core until the model hands control back (its reply sent, or the line
 * idle), so the whole exchange is one thread and deterministic. The
 * line can also reset the device at a given hand-back (a power cycle:
 * the test's power_cycle() brings it back into recovery mode), pull the
 * cable out for a while, and end the link when the test's cut() says a
 * flash lost power (a power cut in a flash operation: the core stopped
 * as for a hand-back, but the device is dead until the test powers it
 * again).
 *
 * Host only (C11); helpers of cmocka tests (they fail the test with
 * fail_msg and cmocka's asserts).
 */
#ifndef FLASHKIT_TESTS_USART_LINE_H
#define FLASHKIT_TESTS_USART_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/usart.h"
#include "transport/client.h"
#include "uc_boot.h"

/* Status reads with nothing on the line before the model hands back. */
#define USART_LINE_IDLE_READS 64u
/* Hand-backs a read waits through before it counts as a timeout. */
#define USART_LINE_READ_TRIES 8u

struct usart_line {
	struct uc_boot *b;
	struct uc *uc;
	struct usart_model *m;
	uint32_t lo, hi;  /* the bootloader's code (its partition) */
	uint32_t pc;	  /* where the core stopped */
	enum uc_run last; /* how the last resume ended */
	uint32_t resumes; /* hand-backs */
	/* At hand-back number reset_at (0: never) the device resets, as on
	 * a power cycle (power_cycle(ctx): reset and back into recovery
	 * mode); unplug_at: the cable is out from write number unplug_at
	 * until a read times out. */
	uint32_t reset_at, resets, unplug_at, writes;
	void (*power_cycle)(void *ctx);
	/* May be NULL; true when the core stopped because a flash lost
	 * power: reads then return -1 (the link is gone). */
	bool (*cut)(void *ctx);
	void *ctx;
};

/* The byte stream of the client's end. */
struct fk_tp_io usart_line_io(struct usart_line *l);

/* A run from reset at the bootloader's vector table (lo) with the model
 * handing back after USART_LINE_IDLE_READS idle status reads: with
 * nothing to boot, or asked for recovery, the core polls the USART and
 * the run stops as UC_RUN_POWER (l->pc: where to resume). Returns how the
 * run ended; *x as uc_boot_run() fills it. */
enum uc_run usart_line_enter(struct usart_line *l, struct uc_boot_exit *x);

/* usart_line_enter() that must end in recovery mode (fails the test
 * otherwise, naming the USART). */
void usart_line_recovery(struct usart_line *l);

/* IDENTIFY on a fresh client c: the bootloader must answer. */
void usart_line_identify(struct usart_line *l, struct fk_tp_client *c);

/* IDENTIFY (the bootloader must answer: -1 when another role does),
 * then the upload of img FINISHed for good (u filled), run again (up to
 * 3 times) when the link comes back lost. Returns 0, or what
 * fk_tp_identify() or fk_tp_upload_run() last returned (d says why). */
int usart_line_try_upload(struct usart_line *l, struct fk_tp_client *c,
			  struct fk_tp_upload *u, const uint8_t *img,
			  size_t len, struct fk_diag *d);

/* usart_line_try_upload() that must succeed. */
void usart_line_upload(struct usart_line *l, struct fk_tp_client *c,
		       struct fk_tp_upload *u, const uint8_t *img, size_t len);

/* REBOOT: the bootloader must answer. */
void usart_line_reboot(struct usart_line *l, struct fk_tp_client *c);

#endif
