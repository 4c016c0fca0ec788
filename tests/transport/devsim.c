/*
 * A simulated device on a pty, for tests and benchmarks of `flashkit
 * upload`: the receiver (flashkit/transport.h) on the power-cut rig's
 * simulated flash with the real boot core, answering on a pseudo
 * terminal reached through a symlink (the "port").
 *
 *   devsim LINK IMAGE_OUT [--pace BAUD] [--pull-after BYTES]
 *          [--reset-after BYTES] [--flash-time on] [--geo NAME]
 *
 * Writes the rig's new image (signed with the test key) to IMAGE_OUT,
 * makes LINK point at the pty, prints "ready" and serves. --pace reads
 * no faster than BAUD/10 bytes per second (8N1), as a UART would.
 * --pull-after closes the pty after that many bytes and opens a new one
 * half a second later (a pulled USB cable). --reset-after does the same
 * and resets the device (a bus-powered board losing its power with the
 * cable, between two flash operations): the receiver forgets the upload
 * and the bootloader runs. --geo picks the rig's flash by its name in
 * tests/boot/rigs.h (stm32l4, the default; uniform-4k, stm32f4, ...).
 * --flash-time on makes each erase and program take its datasheet time
 * (the stm32l4 rig: 2 KiB pages, about 34 ms an erase, 16 us per 8
 * bytes). A REBOOT runs the bootloader, prints "booted new" or "booted
 * old" and exits.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot/rigs.h"
#include "flashkit/transport.h"

static struct fk_rig rig;
static int master = -1;
static int rebooting;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_cb(void *ctx, const void *data, uint32_t len)
{
	const uint8_t *p = data;

	(void)ctx;
	while (len > 0) {
		ssize_t n = write(master, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= (uint32_t)n;
	}
}

static void reboot_cb(void *ctx)
{
	(void)ctx;
	rebooting = 1;
}

static int open_port(const char *link)
{
	const char *name;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    !(name = ptsname(master)))
		return -1;
	unlink(link);
	return symlink(name, link);
}

static void pull(const char *link)
{
	const struct timespec half = { 0, 500 * 1000 * 1000 };

	close(master);
	unlink(link);
	nanosleep(&half, NULL);
	if (open_port(link) != 0)
		exit(3);
}

/* --flash-time: the device is busy for as long as the datasheet says
 * its erases and programs take (the rig's timings); the bytes sent
 * meanwhile wait in the pty, as in a UART's DMA ring. */
static void take_flash_time(void)
{
	static uint64_t spent_us;
	struct fk_sim_stats st;

	fk_sim_get_stats(rig.mem[0].sim, &st);
	if (st.est_us > spent_us) {
		usleep((useconds_t)(st.est_us - spent_us));
		spent_us = st.est_us;
	}
}

static int geo_named(const char *name)
{
	for (int g = 0; g < GEO_COUNT; g++)
		if (!strcmp(rig_geo_names[g], name))
			return g;
	return -1;
}

int main(int argc, char **argv)
{
	uint64_t pace = 0, pull_after = 0, got = 0;
	int flash_time = 0, reset = 0, geo = GEO_STM32L4;
	struct fk_tp_device dev;
	struct fk_tp_device_config dc = { .boot = &rig.cfg,
					  .send = send_cb,
					  .reboot = reboot_cb,
					  .role = FK_TP_ROLE_BOOTLOADER,
					  .window = 16 };
	double t0 = 0, idle_since = now_s();
	FILE *f;

	if (argc < 3)
		return 2;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pace"))
			pace = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--pull-after"))
			pull_after = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--reset-after"))
			pull_after = strtoull(argv[i + 1], NULL, 0), reset = 1;
		else if (!strcmp(argv[i], "--flash-time"))
			flash_time = !strcmp(argv[i + 1], "on");
		else if (!strcmp(argv[i], "--geo"))
			geo = geo_named(argv[i + 1]);
	}
	if (geo < 0 || rig_build(&rig, FK_BOOT_SWAP, (enum rig_geo)geo) != 0)
		return 3;
	fk_rig_prepare(&rig);
	if (fk_rig_boot(&rig) != FK_RIG_BOOTED_OLD)
		return 3;
	fk_sim_reset_stats(rig.mem[0].sim);
	f = fopen(argv[2], "wb");
	if (!f ||
	    fwrite(rig.new_img[0], 1, rig.new_len[0], f) != rig.new_len[0] ||
	    fclose(f))
		return 3;
	if (open_port(argv[1]) != 0 || fk_tp_device_init(&dev, &dc) != FK_OK)
		return 3;
	printf("ready\n");
	fflush(stdout);
	while (!rebooting && now_s() - idle_since < 60) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		uint8_t buf[64];
		size_t cap = sizeof(buf);
		ssize_t n;

		if (poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN)) {
			if (p.revents & POLLHUP) /* no one has it open */
				usleep(20000);
			continue;
		}
		if (pace) {
			/* a UART delivers baud/10 bytes per second */
			double due = t0 + (double)got * 10.0 / (double)pace;
			double wait = due - now_s();

			if (!t0)
				t0 = now_s();
			else if (wait > 0)
				usleep((useconds_t)(wait * 1e6));
			cap = 16;
		}
		n = read(master, buf, cap);
		if (n <= 0)
			continue;
		idle_since = now_s();
		for (ssize_t i = 0; i < n && !rebooting; i++) {
			fk_tp_device_feed(&dev, buf[i]);
			if (flash_time)
				take_flash_time();
		}
		got += (uint64_t)n;
		if (pull_after && got >= pull_after) {
			pull_after = 0;
			pull(argv[1]);
			if (reset && (fk_tp_device_init(&dev, &dc) != FK_OK ||
				      fk_rig_boot(&rig) != FK_RIG_BOOTED_OLD))
				return 3;
		}
	}
	if (!rebooting)
		return 4;
	usleep(200000); /* let the host read the reply before the hang-up */
	switch (fk_rig_boot(&rig)) {
	case FK_RIG_BOOTED_NEW:
		printf("booted new\n");
		return 0;
	case FK_RIG_BOOTED_OLD:
		printf("booted old\n");
		return 1;
	default:
		printf("booted something else\n");
		return 1;
	}
}
