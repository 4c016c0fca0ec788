/*
 * The update protocol over a byte stream (UART, USB CDC), device side:
 * the frame codec both ends share, and the receiver that answers a host
 * on top of the update API (flashkit/update.h). The wire format is
 * specified in docs/update-protocol.md; this header is its contract.
 *
 * The receiver is fed one byte at a time (from a UART interrupt's ring
 * buffer, a USB CDC callback, a polling loop) and answers through a send
 * callback. It works from the bootloader's recovery mode and from an
 * application alike, and owns no memory: everything is in struct
 * fk_tp_device, whose size is fixed at compile time by FK_TP_PAYLOAD_MAX:
 * FK_TP_PAYLOAD_MAX + 516 bytes on a 32-bit target (1,544 bytes with the
 * default, measured on Cortex-M3: qemu_receiver.elf), plus the stack of
 * fk_image_validate() during START and FINISH (flashkit/image.h). The
 * receiver's own code is about 2.3 KiB of Thumb-2 (fk_tp_*: receiver.c
 * 1,924 bytes, frame.c 406, in the QEMU bootloader qemu_boot_serial).
 *
 * What it promises, whatever the host sends:
 *   - every frame whose header checks gets exactly one reply;
 *   - nothing is marked bootable unless fk_update_finish() validated it
 *     (digest, signature, size), and nothing is written outside the
 *     staging window fk_update_begin() chose: the running images are
 *     never erased by an upload;
 *   - the upload's progress lives in flash (the boot state's UPLOAD and
 *     SYNC records): after a reset or a power cut at any flash operation,
 *     START with the resume flag continues from the last sync point, and
 *     a SKIP keeps what the sector there holds when its digest is the
 *     image's (fk_update_keep: on NOR programmed once more, so no torn
 *     program is kept; on program-once flash a torn unit fails the
 *     digest).
 */
#ifndef FLASHKIT_TRANSPORT_H
#define FLASHKIT_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkit/boot.h"
#include "flashkit/update.h"

/* Largest payload the device accepts (a WRITE carries 4 bytes of offset
 * and FK_TP_PAYLOAD_MAX - 4 bytes of data). */
#ifndef FK_TP_PAYLOAD_MAX
#define FK_TP_PAYLOAD_MAX 1028u
#endif

#define FK_TP_MAGIC0 0xF5u
#define FK_TP_MAGIC1 0x4Bu
#define FK_TP_HEADER 7u	 /* magic 2, cmd 1, seq 1, length 2, check 1 */
#define FK_TP_TRAILER 4u /* CRC-32 of header and payload */
#define FK_TP_OVERHEAD (FK_TP_HEADER + FK_TP_TRAILER)
#define FK_TP_VERSION 1u
#define FK_TP_REPLY 0x80u /* a reply's cmd is the request's | 0x80 */

/* Commands (docs/update-protocol.md, "Commands"). */
enum fk_tp_cmd {
	FK_TP_IDENTIFY = 0x01,
	FK_TP_START = 0x02,
	FK_TP_WRITE = 0x03,
	FK_TP_DIGEST = 0x04,
	FK_TP_SKIP = 0x05,
	FK_TP_FINISH = 0x06,
	FK_TP_CONFIRM = 0x07,
	FK_TP_REBOOT = 0x08,
};

/* First byte of every reply. */
enum fk_tp_status {
	FK_TP_OK = 0,
	FK_TP_EXPECT = 1,     /* the offset is not where the upload is:
			       * continue from `next` */
	FK_TP_CORRUPT = 2,    /* the frame's CRC failed: send it again */
	FK_TP_UNKNOWN = 3,    /* no such command */
	FK_TP_MALFORMED = 4,  /* payload length or a field is wrong */
	FK_TP_NO_UPLOAD = 5,  /* no upload open: START first */
	FK_TP_FAILED = 6,     /* the operation failed: err is the FK_E* */
	FK_TP_MISMATCH = 7,   /* SKIP: flash does not hold those bytes */
	FK_TP_UNSUPPORTED = 8 /* the device does not do this (REBOOT) */
};

/* START flags and FINISH modes. */
#define FK_TP_START_RESUME 0x01u /* continue an open upload if any */
enum fk_tp_finish_mode {
	FK_TP_FINISH_STAGE = 0,	    /* validate and stage, mark nothing */
	FK_TP_FINISH_TEST = 1,	    /* and mark pending, trial install */
	FK_TP_FINISH_PERMANENT = 2, /* and mark pending for good */
};

/* Who answers: the bootloader's recovery mode or an application. */
enum fk_tp_role {
	FK_TP_ROLE_BOOTLOADER = 1,
	FK_TP_ROLE_APP = 2,
};

/* Every reply's payload starts with these 6 bytes: status, err (the
 * FK_E* code, or 0), next (the image offset the open upload expects, or
 * FK_TP_NO_OFFSET). */
#define FK_TP_REPLY_HEAD 6u
#define FK_TP_NO_OFFSET 0xFFFFFFFFu
/* SHA-256 digests per DIGEST reply, each with its sector's size. */
#define FK_TP_DIGESTS_MAX 8u
#define FK_TP_DIGEST_ENTRY 36u /* size u32 + SHA-256 */
#define FK_TP_REPLY_MAX (FK_TP_REPLY_HEAD + 5 + FK_TP_DIGESTS_MAX * 36)

/* A frame being assembled from bytes; buf is the caller's, cap bytes. */
struct fk_tp_parser {
	uint8_t *buf;
	uint32_t cap;	  /* >= FK_TP_OVERHEAD + largest payload taken */
	uint32_t n;	  /* bytes of buf in use */
	uint32_t skipped; /* bytes dropped while hunting for the magic */
	uint32_t corrupt; /* frames whose CRC failed */
	uint32_t frames;  /* frames taken */
};

/* What fk_tp_parse_byte() found. */
enum fk_tp_parse {
	FK_TP_MORE = 0,	   /* nothing complete yet */
	FK_TP_FRAME = 1,   /* a frame: fk_tp_frame_* read it */
	FK_TP_BAD_CRC = 2, /* a frame whose header checked but whose CRC
			    * failed: cmd and seq are valid, answer it */
};

/* Starts a parser on buf. */
void fk_tp_parser_init(struct fk_tp_parser *p, uint8_t *buf, uint32_t cap);

/*
 * Takes one byte. A header whose check byte fails, or whose length is
 * over cap, is dropped one byte at a time so the hunt for the magic
 * resumes just after its start (resynchronisation after garbage). After
 * FK_TP_FRAME or FK_TP_BAD_CRC the frame stays readable until the next
 * call.
 */
enum fk_tp_parse fk_tp_parse_byte(struct fk_tp_parser *p, uint8_t byte);

/* The frame just taken. */
uint8_t fk_tp_frame_cmd(const struct fk_tp_parser *p);
uint8_t fk_tp_frame_seq(const struct fk_tp_parser *p);
uint32_t fk_tp_frame_len(const struct fk_tp_parser *p);
const uint8_t *fk_tp_frame_payload(const struct fk_tp_parser *p);

/*
 * Writes a frame into out (cap bytes): header, payload (len bytes), CRC.
 * Returns its length, or 0 when it does not fit or len > 0xFFFF.
 * payload is either exactly out + FK_TP_HEADER (built in place) or does
 * not overlap out at all.
 */
uint32_t fk_tp_frame_encode(uint8_t *out, uint32_t cap, uint8_t cmd,
			    uint8_t seq, const void *payload, uint32_t len);

/* The receiver's configuration. */
struct fk_tp_device_config {
	const struct fk_boot_config *boot; /* the slots and the boot state */
	/* Sends len bytes to the host; called once per reply, from inside
	 * fk_tp_device_feed(). Required. */
	void (*send)(void *ctx, const void *data, uint32_t len);
	/* Resets the device, called after the REBOOT reply was sent; NULL
	 * refuses REBOOT (FK_TP_UNSUPPORTED). */
	void (*reboot)(void *ctx);
	void *ctx;	      /* passed to send and reboot */
	enum fk_tp_role role; /* reported by IDENTIFY */
	/* Frames the port's receive path holds while the receiver is busy
	 * (erasing a sector can take seconds): the host keeps at most this
	 * many in flight. 1..32; 0 means 1. */
	uint8_t window;
};

/* The receiver. Fields are private; sizeof is the RAM it needs. */
struct fk_tp_device {
	struct fk_tp_device_config cfg;
	struct fk_tp_parser rx;
	struct fk_update up;
	bool open;	       /* an upload is open in RAM */
	bool finished;	       /* the last FINISH succeeded (a repeat is OK) */
	uint8_t finished_mode; /* its mode */
	uint32_t trusted;      /* staging bytes below this are known whole */
	bool no_keep;	       /* a write failed: START offers no keep */
	uint8_t rx_buf[FK_TP_OVERHEAD + FK_TP_PAYLOAD_MAX];
	uint8_t tx_buf[FK_TP_OVERHEAD + FK_TP_REPLY_MAX];
	uint8_t chunk[64]; /* flash reads while hashing */
};

/* Starts a receiver: no upload open in RAM (START resumes one from
 * flash). FK_EINVAL when cfg, cfg->boot or cfg->send is missing. */
int fk_tp_device_init(struct fk_tp_device *d,
		      const struct fk_tp_device_config *cfg);

/*
 * Takes one byte from the host. When it completes a frame, runs the
 * command (which may erase and program flash, so it may take as long as
 * a sector erase) and sends the reply before returning. Returns 0, or
 * the FK_E* code of a flash operation that failed (also reported to the
 * host); the receiver stays usable.
 */
int fk_tp_device_feed(struct fk_tp_device *d, uint8_t byte);

#endif
