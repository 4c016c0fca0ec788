/*
 * Receiving a new image into the staging slot, from the application.
 *
 *   fk_update_begin()   starts a fresh upload of image i (erases lazily);
 *   fk_update_write()   appends bytes at the offset the upload is at;
 *   fk_update_finish()  flushes, validates the image, records it staged;
 *   fk_boot_set_pending() (flashkit/boot.h) then marks it for install.
 *
 * After a reset or a lost connection, fk_update_resume() says from which
 * offset the sender must continue: the upload records sync points in the
 * boot state as it goes, and everything before the last one is known to
 * be programmed. Bytes after it are received again, except those of the
 * sector at the sync point that fk_update_keep() takes as they are.
 *
 * The running images are never touched: an upload interrupted at any
 * instant leaves the device booting what it booted before.
 */
#ifndef FLASHKIT_UPDATE_H
#define FLASHKIT_UPDATE_H

#include <stdint.h>

#include "flashkit/boot.h"

struct fk_update {
	const struct fk_boot_config *cfg;
	uint32_t image;	     /* image index being received */
	struct fk_area dest; /* where the image goes (staging slot window) */
	uint32_t programmed; /* bytes of dest programmed so far */
	uint32_t erased_to;  /* dest bytes [0, erased_to) are erased or ours */
	uint32_t last_sync;  /* offset of the last sync point recorded */
	uint32_t sync_span;  /* bytes between sync points */
	uint32_t unit;	     /* dest write unit */
	uint32_t held;	     /* bytes in tail, not yet programmed */
	uint8_t tail[FK_BOOT_RECORD_MAX]; /* a partial write unit */
};

/*
 * Starts receiving image index: refuses while a TEST image is on trial
 * (FK_ESTATE: confirm it first, its fallback lives in the staging slot),
 * cancels anything pending, and prepares the staging slot. Erases nothing
 * of the slot yet (each sector is erased when the data reaches it).
 * Returns 0, FK_EINVAL, FK_ESTATE or a flash error. On power loss the
 * upload is simply not started, or started with nothing received.
 */
int fk_update_begin(struct fk_update *u, const struct fk_boot_config *cfg,
		    uint32_t image);

/*
 * Continues an upload of image index after a reset: fills *u and sets
 * *offset to the image offset the sender must continue from. FK_ENOENT
 * when no upload of that image is in progress (start again with
 * fk_update_begin()).
 */
int fk_update_resume(struct fk_update *u, const struct fk_boot_config *cfg,
		     uint32_t image, uint32_t *offset);

/*
 * Appends len bytes at image offset off, which must be where the upload
 * is (FK_EINVAL otherwise: call fk_update_resume() to learn it). FK_ENOSPC
 * when the image would not fit. On power loss the bytes after the last
 * sync point are lost; resume says where to restart.
 */
int fk_update_write(struct fk_update *u, uint32_t off, const void *data,
		    uint32_t len);

/*
 * Takes the next len bytes, from image offset off, as already in place:
 * the caller has checked that flash holds exactly the image's bytes there
 * (a digest of them, over bytes fully programmed before: below a sync
 * point, or inside an image that validated). Nothing is erased or
 * programmed. off must be where the upload is, at a sector boundary of
 * the destination with no partial unit held and the sector not yet
 * opened, and off + len a sector boundary (FK_EINVAL otherwise);
 * FK_ENOSPC past the destination. On power loss nothing is lost that
 * resume would not resend.
 */
int fk_update_skip(struct fk_update *u, uint32_t off, uint32_t len);

/*
 * Takes the next len bytes, from image offset off, as already programmed
 * in the sector that starts at off, which is then not erased: a resume
 * (after a reset) continues where the bytes in that sector end instead of
 * at its start. The caller has checked that flash holds exactly the
 * image's bytes there (a digest). off must be where the upload is, the
 * start of a sector of the destination not opened yet, with no partial
 * unit held, and len a multiple of the write unit within that sector
 * (FK_EINVAL otherwise); the rest of the sector must read erased
 * (FK_ENOTERASED otherwise).
 *
 * On NOR the kept bytes are programmed again with what they read: a
 * second program of the same data changes no bit that reads right and
 * completes one a power cut interrupted, so no torn program is kept. On
 * program-once flash nothing is programmed: a torn unit reads as an ECC
 * error (FK_EECC), which the caller's digest refuses, and a unit of the
 * rest that reads erased but was programmed (with erased-value data, by
 * another tool) makes a later fk_update_write() fail with FK_EPROGONCE:
 * the caller then resumes without keeping, and the sector is erased. On
 * power loss nothing changes that a later call would not redo.
 */
int fk_update_keep(struct fk_update *u, uint32_t off, uint32_t len);

/*
 * Ends the upload: programs the last partial unit, validates the image
 * (digest, signature, size against both slots) and records it as staged.
 * Returns 0 or the validation error (FK_EBADIMG, FK_EDIGEST, FK_ESIG, ...)
 * without recording anything. Power loss before the record leaves the
 * image received but not staged: call fk_update_finish() again.
 */
int fk_update_finish(struct fk_update *u);

#endif
