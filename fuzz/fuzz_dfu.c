/* libFuzzer target: the DfuSe reader. */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_DFU, FK_FMT_DFU, data, size);
	return 0;
}
