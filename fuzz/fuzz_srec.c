/* libFuzzer target: the S-record reader. */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_SREC, FK_FMT_SREC, data, size);
	return 0;
}
