/*
 * The host's side of the update protocol (docs/update-protocol.md): a
 * client that talks to a device's receiver (flashkit/transport.h) over
 * any byte stream, asks who it is, and uploads an image so that a lost
 * byte, a pulled cable or a device reset costs a resend of what the
 * device does not hold yet, never a restart from zero.
 *
 * The byte stream is a struct fk_tp_io: a serial port (link.h), a
 * socket, or a test's simulated wire. The client never prints and never
 * exits: problems go to a struct fk_diag, progress to a callback.
 */
#ifndef FLASHKIT_HOST_TRANSPORT_CLIENT_H
#define FLASHKIT_HOST_TRANSPORT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "flashkit/transport.h"

/* The byte stream. */
struct fk_tp_io {
	/* Writes all len bytes. 0, or -1 when the link is gone. */
	int (*write)(void *ctx, const void *buf, size_t len);
	/* Reads up to cap bytes, waiting at most timeout_ms for the first.
	 * Returns the count, 0 after the timeout, -1 when the link is
	 * gone. */
	long (*read)(void *ctx, void *buf, size_t cap, int timeout_ms);
	void *ctx;
};

/* What fk_tp_* calls return besides 0. */
enum {
	FK_TP_LOST = 1, /* the link is gone or the device stopped answering:
			 * reconnect and call again (an upload resumes) */
};

/* A reply, as fk_tp_reply_parse() read it. */
struct fk_tp_reply {
	uint8_t cmd; /* the request's command (reply bit cleared) */
	uint8_t seq;
	enum fk_tp_status status;
	int err;	      /* FK_E* when status is FK_TP_FAILED */
	uint32_t next;	      /* offset the open upload expects, or
			       * FK_TP_NO_OFFSET */
	const uint8_t *extra; /* the rest of the payload */
	uint32_t extra_len;
};

/* Reads a reply frame: 0, or -1 when it is not one (too short, no reply
 * bit). */
int fk_tp_reply_parse(const struct fk_tp_parser *p, struct fk_tp_reply *out);

struct fk_tp_image_info {
	bool valid; /* a parsable image runs there */
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
	uint32_t max_size; /* largest image the staging slot takes */
};

/* What IDENTIFY says. */
struct fk_tp_identity {
	uint8_t version;
	enum fk_tp_role role;
	uint8_t window;
	uint16_t max_payload;
	enum fk_boot_phase phase;
	enum fk_boot_mode mode;
	uint32_t image_count;
	struct fk_tp_image_info images[FK_BOOT_MAX_IMAGES];
};

/* Reads an IDENTIFY reply's extra bytes: 0 or -1 when malformed. */
int fk_tp_identity_parse(const uint8_t *p, uint32_t len,
			 struct fk_tp_identity *out);

struct fk_tp_client {
	struct fk_tp_io io;
	int timeout_ms; /* longest wait for a reply (a sector erase) */
	int retries;	/* timeouts in a row before FK_TP_LOST */
	uint8_t seq;
	struct fk_tp_parser rx;
	uint8_t rx_buf[FK_TP_OVERHEAD + FK_TP_REPLY_MAX];
	uint8_t in[512]; /* bytes read, not parsed yet */
	uint32_t in_len, in_pos;
	uint8_t tx_buf[FK_TP_OVERHEAD + 0xFFFF];
	struct fk_tp_reply reply; /* the last reply taken */
	/* counters */
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint64_t timeouts;
	uint64_t corrupt; /* replies saying our frame arrived broken */
	uint64_t replies; /* well-formed reply frames taken */
};

/* A client on io with the default timeout (5 s) and retries (4). */
void fk_tp_client_init(struct fk_tp_client *c, const struct fk_tp_io *io);

/* Asks the device who it is. 0, FK_TP_LOST, or -1 (reported to d). */
int fk_tp_identify(struct fk_tp_client *c, struct fk_tp_identity *out,
		   struct fk_diag *d);

/* Confirms the running trial image; reboots the device. 0, FK_TP_LOST or
 * -1. */
int fk_tp_confirm(struct fk_tp_client *c, struct fk_diag *d);
int fk_tp_reboot(struct fk_tp_client *c, struct fk_diag *d);

struct fk_tp_progress {
	uint32_t done;	    /* image bytes the device holds */
	uint32_t total;	    /* image bytes */
	uint64_t data_sent; /* image bytes sent, resends included */
	uint32_t skipped;   /* bytes the device already held */
};

/* One image upload; survives several fk_tp_upload_run() calls. */
struct fk_tp_upload {
	/* set by the caller */
	const uint8_t *image;
	uint32_t len;
	uint32_t index;		     /* image index on the device */
	enum fk_tp_finish_mode mode; /* what FINISH asks for */
	uint32_t window;	     /* frames in flight, <= the device's */
	uint32_t chunk;		     /* data bytes per WRITE, <= the device's */
	void (*progress)(void *ctx, const struct fk_tp_progress *p);
	void *progress_ctx;
	/* results */
	bool finished;
	bool finish_sent; /* a FINISH went out (its reply may be lost) */
	struct fk_tp_progress stat;
	uint32_t starts;       /* STARTs sent */
	uint32_t resumes;      /* STARTs the device answered with a resume */
	uint32_t resumed_from; /* the last resume's offset */
	uint32_t device_lost;  /* the device forgot the upload (a reset) */
};

/*
 * Uploads u->image and FINISHes it with u->mode. Returns 0 when the
 * device validated it (and marked it as asked), FK_TP_LOST when the link
 * went away (reconnect, call again with the same *u: the device answers
 * from its flash where to continue), or -1 after reporting to d why the
 * device refused (the image too large, a trial running, validation).
 */
int fk_tp_upload_run(struct fk_tp_client *c, struct fk_tp_upload *u,
		     struct fk_diag *d);

/* The pieces the calls above are made of. */

/* Sends one frame with the next sequence number; returns that number, or
 * -1 when the link is gone. */
int fk_tp_send_frame(struct fk_tp_client *c, uint8_t cmd, const void *p,
		     uint32_t len);
/* Waits for the next reply frame: 1 (in c->reply), 0 when c->timeout_ms
 * passed without one (bytes that make no frame do not extend it), -1
 * when the link is gone. */
int fk_tp_next_reply(struct fk_tp_client *c);
/* One request and its reply (any status but CORRUPT), resent after a
 * timeout or a CORRUPT answer up to c->retries times in a row: 0 with
 * c->reply set, or FK_TP_LOST. */
int fk_tp_request(struct fk_tp_client *c, uint8_t cmd, const void *p,
		  uint32_t len);
/* Reports "device refused WHAT: reason" from reply r to d; returns -1. */
int fk_tp_refused(struct fk_diag *d, const char *what,
		  const struct fk_tp_reply *r);

/* Names a status for messages. */
const char *fk_tp_status_name(enum fk_tp_status s);

#endif
