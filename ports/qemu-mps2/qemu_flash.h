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

struct fk_qemu_flash {
	struct fk_flash flash; /* what flashkit code uses */
	int handle;	       /* semihosting handle of the file */
	uint8_t *mirror;       /* NULL, or memory kept equal to the file */
};

/*
 * Opens (or creates) the file at path and fills *qf. geo is copied; the
 * sector runs it points to must outlive qf. A missing file is created; a
 * file shorter than geo->size is extended with the erased value (a new
 * device: every byte erased); a longer one is refused with FK_EINVAL.
 * With mirror non-NULL, the whole content is copied there and kept in
 * step. Returns 0, FK_EINVAL (geometry), FK_EIO (host file).
 */
int fk_qemu_flash_open(struct fk_qemu_flash *qf, const char *path,
		       const struct fk_flash_geometry *geo, void *mirror);

/* Closes the file. Everything was already written; power loss before the
 * close loses nothing. */
int fk_qemu_flash_close(struct fk_qemu_flash *qf);

#endif
