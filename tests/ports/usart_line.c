/*
 * The host's end of a board's serial line (usart_line.h): the client's
 * byte stream over the USART model, resuming the emulated core for each
 * reply, and the recovery-mode exchanges the serial recovery tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "usart_line.h"

/* Resumes the core where it stopped, until the model hands back. */
static bool resume(struct usart_line *l)
{
	l->last = uc_run_code(l->uc, 0, l->pc, l->lo, l->hi, &l->pc);
	l->resumes++;
	return l->last == UC_RUN_POWER && !(l->cut && l->cut(l->ctx));
}

static int line_write(void *ctx, const void *buf, size_t len)
{
	struct usart_line *l = ctx;

	if (++l->writes == l->unplug_at)
		usart_model_unplug(l->m, true);
	usart_model_queue(l->m, buf, (uint32_t)len, 1);
	return 0;
}

static long line_read(void *ctx, void *buf, size_t cap, int timeout_ms)
{
	struct usart_line *l = ctx;

	(void)timeout_ms;
	for (unsigned n = 0; !usart_model_sent(l->m); n++) {
		if (n == USART_LINE_READ_TRIES) {
			/* a timeout: the cable, if out, is back in */
			usart_model_unplug(l->m, false);
			return 0;
		}
		if (l->reset_at && l->resumes == l->reset_at) {
			l->reset_at = 0;
			l->resets++;
			l->power_cycle(l->ctx);
			continue;
		}
		if (!resume(l))
			return -1;
	}
	return usart_model_take(l->m, buf, (uint32_t)cap);
}

struct fk_tp_io usart_line_io(struct usart_line *l)
{
	return (struct fk_tp_io){ line_write, line_read, l };
}

enum uc_run usart_line_enter(struct usart_line *l, struct uc_boot_exit *x)
{
	usart_model_hand_back(l->m, USART_LINE_IDLE_READS);
	uc_boot_run(l->b, l->lo, l->lo, l->hi, 0, x);
	l->pc = x->pc;
	return x->run;
}

void usart_line_recovery(struct usart_line *l)
{
	struct uc_boot_exit x;

	if (usart_line_enter(l, &x) != UC_RUN_POWER ||
	    (l->cut && l->cut(l->ctx)))
		fail_msg("expected recovery mode polling the USART, got %s at "
			 "0x%08x (%s)",
			 uc_run_name(x.run), x.pc, uc_first_violation(l->uc));
}

void usart_line_identify(struct usart_line *l, struct fk_tp_client *c)
{
	const struct fk_tp_io io = usart_line_io(l);
	struct fk_tp_identity id;
	struct fk_diag d = { 0 };

	fk_tp_client_init(c, &io);
	if (fk_tp_identify(c, &id, &d) != 0)
		fail_msg("IDENTIFY: %s (core: %s, %s)", d.last_error,
			 uc_run_name(l->last), uc_first_violation(l->uc));
	assert_int_equal(id.role, FK_TP_ROLE_BOOTLOADER);
}

int usart_line_try_upload(struct usart_line *l, struct fk_tp_client *c,
			  struct fk_tp_upload *u, const uint8_t *img,
			  size_t len, struct fk_diag *d)
{
	const struct fk_tp_io io = usart_line_io(l);
	struct fk_tp_identity id;
	int rc;

	fk_tp_client_init(c, &io);
	rc = fk_tp_identify(c, &id, d);
	if (rc != 0)
		return rc;
	if (id.role != FK_TP_ROLE_BOOTLOADER)
		return fk_fail(d, "IDENTIFY: role %u, not the bootloader",
			       (unsigned)id.role);
	memset(u, 0, sizeof(*u));
	u->image = img;
	u->len = (uint32_t)len;
	u->mode = FK_TP_FINISH_PERMANENT;
	for (int tries = 0;
	     (rc = fk_tp_upload_run(c, u, d)) == FK_TP_LOST && tries < 3;
	     tries++)
		;
	return rc;
}

void usart_line_upload(struct usart_line *l, struct fk_tp_client *c,
		       struct fk_tp_upload *u, const uint8_t *img, size_t len)
{
	struct fk_diag d = { 0 };

	if (usart_line_try_upload(l, c, u, img, len, &d) != 0)
		fail_msg("upload: %s (core: %s, %s)", d.last_error,
			 uc_run_name(l->last), uc_first_violation(l->uc));
	assert_true(u->finished);
}

void usart_line_reboot(struct usart_line *l, struct fk_tp_client *c)
{
	struct fk_diag d = { 0 };

	if (fk_tp_reboot(c, &d) != 0)
		fail_msg("REBOOT: %s (core: %s, %s)", d.last_error,
			 uc_run_name(l->last), uc_first_violation(l->uc));
}
