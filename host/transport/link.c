/*
 * Serial ports for the update protocol's client (link.h): termios raw
 * mode, poll() for timeouts, and the errors that mean the device is gone.
 */
/* cfmakeraw, CRTSCTS and the speeds above 38400 are BSD/Linux. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "transport/link.h"

struct speed {
	uint32_t baud;
	speed_t code;
};

static const struct speed speeds[] = {
	{ 9600, B9600 },       { 19200, B19200 },     { 38400, B38400 },
	{ 57600, B57600 },     { 115200, B115200 },   { 230400, B230400 },
	{ 460800, B460800 },   { 921600, B921600 },   { 1000000, B1000000 },
	{ 1500000, B1500000 }, { 2000000, B2000000 }, { 3000000, B3000000 },
};

static int set_raw(int fd, uint32_t baud, const char *path, struct fk_diag *d)
{
	struct termios t;
	speed_t code = 0;

	if (tcgetattr(fd, &t) != 0)
		return 0; /* not a terminal (a socket): used as it is */
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud)
			code = speeds[i].code;
	if (baud && !code)
		return fk_fail(d,
			       "%s: %u baud is not a speed this system "
			       "knows (try 115200 or 1000000)",
			       path, baud);
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (code && (cfsetispeed(&t, code) != 0 || cfsetospeed(&t, code) != 0))
		return fk_fail_io(d, "%s: cannot set %u baud: %s", path, baud,
				  strerror(errno));
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return fk_fail_io(d, "%s: cannot set raw mode: %s", path,
				  strerror(errno));
	tcflush(fd, TCIOFLUSH);
	return 0;
}

int fk_link_open(struct fk_link *l, const char *path, uint32_t baud,
		 struct fk_diag *d)
{
	struct stat st;

	l->path = path;
	l->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0)
		return fk_fail_io(d, "%s: cannot open the port: %s", path,
				  strerror(errno));
	/* what is written to a port would land in the file */
	if (fstat(l->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		fk_link_close(l);
		return fk_fail_io(d,
				  "%s: a regular file, not a serial port; "
				  "give the device's port (/dev/ttyACM0, "
				  "/dev/ttyUSB0, a pty)",
				  path);
	}
	if (set_raw(l->fd, baud, path, d) != 0) {
		fk_link_close(l);
		return -1;
	}
	return 0;
}

void fk_link_close(struct fk_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

int fk_link_present(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int link_write(void *ctx, const void *buf, size_t len)
{
	struct fk_link *l = ctx;
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(l->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };

			poll(&pfd, 1, 100);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static long link_read(void *ctx, void *buf, size_t cap, int timeout_ms)
{
	struct fk_link *l = ctx;
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);
	ssize_t n;

	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	n = read(l->fd, buf, cap);
	if (n > 0)
		return (long)n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1; /* EOF, EIO or ENXIO: the other side is gone */
}

void fk_link_io(struct fk_link *l, struct fk_tp_io *io)
{
	io->write = link_write;
	io->read = link_read;
	io->ctx = l;
}
