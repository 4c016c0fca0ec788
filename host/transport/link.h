/*
 * A serial port (or a pty, or a socket) as the byte stream of the update
 * protocol's client (client.h): raw mode at a given baud rate, reads that
 * wait with poll(), and "gone" when the cable or the USB device goes away
 * (EIO, ENXIO, hang-up), so the caller can wait for it to come back.
 */
#ifndef FLASHKIT_HOST_TRANSPORT_LINK_H
#define FLASHKIT_HOST_TRANSPORT_LINK_H

#include <stdint.h>

#include "diag/diag.h"
#include "transport/client.h"

struct fk_link {
	int fd;		  /* -1 when closed */
	const char *path; /* as given to fk_link_open */
};

/*
 * Opens path in raw mode, 8N1, at baud (0 leaves the speed alone, as for
 * a pty or a socket). Returns 0, or -1 after reporting to d (no such
 * port, permission, a speed the system does not know, a regular file:
 * the frames would be written into it). Another path that is not a
 * terminal (a FIFO, /dev/null) is used as it is.
 */
int fk_link_open(struct fk_link *l, const char *path, uint32_t baud,
		 struct fk_diag *d);
void fk_link_close(struct fk_link *l);

/* The link as the client's byte stream. */
void fk_link_io(struct fk_link *l, struct fk_tp_io *io);

/* True when path exists and can be opened now (a port that came back). */
int fk_link_present(const char *path);

#endif
