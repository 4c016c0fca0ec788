/*
 * The serial-port options of upload and device (port_args.h).
 */
#include "port_args.h"

int fk_port_args_finish(struct fk_upload_args *a)
{
	uint64_t n;

	a->baud = 115200;
	a->timeout_ms = 5000;
	a->window = 0;
	a->max_reconnects = 100;
	if (a->baud_text) {
		if (fk_opt_number("--baud", a->baud_text, 4000000, &n))
			return -1;
		a->baud = (uint32_t)n;
	}
	if (a->timeout_text) {
		if (fk_opt_number("--timeout", a->timeout_text, 600000, &n))
			return -1;
		a->timeout_ms = n ? (uint32_t)n : 1;
	}
	if (a->window_text) {
		if (fk_opt_number("--window", a->window_text, 32, &n))
			return -1;
		a->window = (uint32_t)n;
	}
	return 0;
}

void fk_port_no_answer(const char *port)
{
	fk_error("%s: no answer from the device (is it in its bootloader's "
		 "recovery mode or running an application with the receiver? "
		 "right --baud?)",
		 port);
}
