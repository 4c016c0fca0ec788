/*
 * A struct fk_flash whose content is a host file, reached through
 * semihosting: the flash of the QEMU mps2-an385 target.
 *
 * The file is the memory's raw image (byte i of the file is offset i).
 * Every program or erase writes the file before it returns, so the
 * content outlives QEMU, including a QEMU killed in the middle of a run:
 * that is a real power cut, and the next run starts from what the file
 * holds. The host side can prepare the file with flashkit (a merged
 * production image is exactly such a file) and check it afterwards.
 *
 * The caller gives the geometry. Optionally the content is also mirrored
 * into memory at a caller-chosen address (normally geo.base, inside the
 * board's SSRAM), kept in step with every program and erase, so that code
 * in the flash can execute in place and a bootloader can jump to it.
 *
 * It behaves like NOR: erase sets a whole sector to the erased value,
 * program only moves bits away from it (an attempt to move one back is
 * refused with FK_ENOTERASED and writes nothing). With geo.program_once,
 * a write unit that is not fully erased is refused with FK_EPROGONCE (a
 * unit programmed with the erased value itself is not tracked: the
 * simulator, not this port, is where program-once is modelled exactly).
 */
#ifndef FLASHKIT_PORTS_QEMU_FLASH_H
#define FLASHKIT_PORTS_QEMU_FLASH_H

#include <stdint.h>

#include "flashkit/flash.h"

/* A power cut the driver itself makes at one flash operation, so a test
 * can sweep the cut over every operation of a real run. */
enum fk_qemu_cut {
	FK_QEMU_CUT_NONE,
	FK_QEMU_CUT_BEFORE, /* nothing of operation n is written */
	FK_QEMU_CUT_AFTER,  /* operation n completes */
	FK_QEMU_CUT_TORN,   /* the first half of operation n's bytes land */
};

/* QEMU's exit status after a cut made by the driver. */
#define FK_QEMU_CUT_STATUS 99

struct fk_qemu_flash {
	struct fk_flash flash; /* what flashkit code uses */
	int handle;	       /* semihosting handle of the file */
	uint8_t *mirror;       /* NULL, or memory kept equal to the file */
	uint32_t ops;	       /* programs + sector erases since open */
	uint32_t cut_op;       /* operation the cut hits */
	enum fk_qemu_cut cut;  /* FK_QEMU_CUT_NONE: no cut scheduled */
};

/*
 * Opens (or creates) the file at path and fills *qf. geo is copied; the
 * sector runs it points to must outlive qf. A missing file is created; a
 * file shorter than geo->size is extended with the erased value (a new
 * device: every byte erased); a longer one is refused with FK_EINVAL.
 * With mirror non-NULL, the whole content is copied there and kept in
 * step. Returns 0, FK_EINVAL (geometry), FK_EIO (host file). A power
 * cut while a new file is being extended leaves it short; the next open
 * extends the rest.
 */
int fk_qemu_flash_open(struct fk_qemu_flash *qf, const char *path,
		       const struct fk_flash_geometry *geo, void *mirror);

/*
 * Schedules a power cut at operation op (programs and sector erases are
 * counted from 0 since open; a multi-sector fk_flash_erase counts one per
 * sector). When it comes, the driver prints "power cut at flash operation
 * <op>" and ends QEMU with FK_QEMU_CUT_STATUS: the file keeps what was
 * written, as after a kill.
 */
void fk_qemu_flash_schedule_cut(struct fk_qemu_flash *qf, uint32_t op,
				enum fk_qemu_cut kind);

/*
 * Reads a cut from the command line: the first word of the form
 * cut-before=N, cut-after=N or cut-torn=N schedules it. Returns 1 when
 * one was found, 0 when none, FK_EINVAL when malformed.
 */
int fk_qemu_flash_cut_from_cmdline(struct fk_qemu_flash *qf,
				   const char *cmdline);

/* Closes the file. Everything was already written; power loss before the
 * close loses nothing. */
int fk_qemu_flash_close(struct fk_qemu_flash *qf);

#endif
