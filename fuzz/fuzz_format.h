/*
 * The property every format fuzz target checks: any input either fails
 * with a message, or gives segments that survive a write (in the format
 * given) and a re-read unchanged.
 */
#ifndef FLASHKIT_FUZZ_FORMAT_H
#define FLASHKIT_FUZZ_FORMAT_H

#include <stdint.h>
#include <stdlib.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fk_fuzz_format(enum fk_format in, enum fk_format out,
				  const uint8_t *data, size_t size)
{
	struct fk_read_opts ro;
	struct fk_write_opts wo;
	struct fk_diag err = { { 0 } };
	struct fk_segs s, back;
	struct fk_buf buf = { 0 };

	fk_read_opts_init(&ro);
	fk_write_opts_init(&wo);
	fk_segs_init(&s);
	fk_segs_init(&back);
	if (fk_format_read(in, data, size, "fuzz", &ro, &s, &err) == 0) {
		if (fk_format_write(out, &s, &wo, &buf, &err) == 0 &&
		    (fk_format_read(out, buf.p, buf.len, "fuzz", &ro, &back,
				    &err) != 0 ||
		     !fk_segs_equal(&s, &back)))
			abort();
	} else if (!err.last_text[0]) {
		abort(); /* a failure must say why */
	}
	fk_segs_free(&s);
	fk_segs_free(&back);
	fk_buf_free(&buf);
}

#endif
