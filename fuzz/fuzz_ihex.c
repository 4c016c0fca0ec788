/* libFuzzer target: the Intel HEX reader. */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_IHEX, FK_FMT_IHEX, data, size);
	return 0;
}
