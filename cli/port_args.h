/*
 * The options every command that talks to a device over a serial port
 * shares (upload, device info/confirm/reboot): the port, its speed, how
 * long to wait for a reply, the window; parsed once here.
 */
#ifndef FLASHKIT_CLI_PORT_ARGS_H
#define FLASHKIT_CLI_PORT_ARGS_H

#include <stdint.h>

#include "cli.h"

struct fk_upload_args {
	/* as given */
	const char *port;
	const char *baud_text, *timeout_text, *window_text;
	int json;
	const char *image;
	/* parsed by fk_port_args_finish */
	uint32_t baud;		 /* 115200 by default */
	uint32_t timeout_ms;	 /* reply timeout, 5000 by default */
	uint32_t window;	 /* frames in flight, 0: the device's */
	double wait_s;		 /* how long a lost port may take to return */
	uint32_t max_reconnects; /* reconnects before giving up */
};

#define FK_PORT_OPTIONS(a)                                                     \
	{ 'p', "port", "DEV",	  "the device's serial port (or pty)",         \
	  0,   NULL,   &(a).port, NULL },                                      \
		{ 'b',	"baud",		"N", "line speed (115200)", 0,         \
		  NULL, &(a).baud_text, NULL },                                \
		{ 0,                                                           \
		  "timeout",                                                   \
		  "MS",                                                        \
		  "longest wait for a reply, a sector erase (5000)",           \
		  0,                                                           \
		  NULL,                                                        \
		  &(a).timeout_text,                                           \
		  NULL },                                                      \
	{                                                                      \
		0, "window", "N", "frames in flight (the device's figure)", 0, \
			NULL, &(a).window_text, NULL                           \
	}

/* Parses the numbers; prints the error and returns -1 on a bad one. */
int fk_port_args_finish(struct fk_upload_args *a);

/* "PORT: no answer from the device (...)": the error of a port on which
 * nothing ever answered, with what to check. */
void fk_port_no_answer(const char *port);

#endif
