/*
 * libFuzzer target: the two parsers of `flashkit provision`, the template
 * (YAML) and the counter state file. The first byte picks which. A state
 * that parses is written out and parsed again to the same values; a
 * template that loads builds one record, which must pass the device-side
 * check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/devinfo.h"
#include "provision/provision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_state(const uint8_t *data, size_t size)
{
	struct fk_diag err = { 0 };
	struct fk_pstate st;

	if (fk_pstate_parse("fuzz.state", (const char *)data, size, 1, &st,
			    &err))
		return;
	if (st.next < st.start ||
	    (st.pending && (!st.pend_dir || st.pend_end > st.next)))
		abort();
	fk_pstate_free(&st);
}

static void fuzz_template(const uint8_t *data, size_t size)
{
	static uint8_t rec[FK_DEVINFO_HEADER_SIZE + FK_DEVINFO_MAX_BODY];
	struct fk_template t;
	struct fk_device_rec d;
	struct fk_diag err = { 0 };
	uint32_t len;

	if (fk_template_parse("/nonexistent/fuzz.yaml", data, size, &t, NULL))
		return;
	if (fk_device_build(&t, t.start, t.start, rec, sizeof(rec), &d, &err) ==
		    0 &&
	    (fk_devinfo_check_mem(rec, sizeof(rec), &len) != 0 ||
	     len != d.record_len))
		abort();
	fk_template_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_state(data + 1, size - 1);
	else
		fuzz_template(data + 1, size - 1);
	return 0;
}
