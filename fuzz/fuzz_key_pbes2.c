/*
 * libFuzzer target: the PBES2 reader of encrypted PKCS#8 keys
 * (host/image/key_pbes2.h) on any bytes, with the password the corpus
 * files were encrypted with ("fuzz") and at most 64 PBKDF2 iterations so
 * that an input stays quick. A success must hand back a plaintext no
 * longer than the input that starts a DER SEQUENCE; an error must be
 * reported to the sink.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/key_pbes2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag d = { 0 };
	uint8_t *out = malloc(size ? size : 1);
	size_t out_len = 0;
	enum fk_pbes2_result rc;

	if (!out)
		return 0;
	memset(out, 0xA5, size);
	rc = fk_pbes2_decrypt(data, size, "fuzz", 4, 64, out, &out_len, "input",
			      &d);
	if (rc == FK_PBES2_OK &&
	    (out_len == 0 || out_len > size || out[0] != 0x30))
		abort();
	if (rc == FK_PBES2_ERROR && !d.errors)
		abort();
	free(out);
	return 0;
}
