/* libFuzzer target: the raw binary reader (written back as S-record:
 * every byte, at base 0, survives a text round trip). */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_BIN, FK_FMT_SREC, data, size);
	return 0;
}
