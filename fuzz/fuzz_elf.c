/* libFuzzer target: the ELF (an input-only format, written back as HEX) reader. */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_ELF, FK_FMT_IHEX, data, size);
	return 0;
}
