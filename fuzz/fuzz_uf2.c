/* libFuzzer target: the UF2 (written back as HEX: UF2 pads windows) reader. */
#include "fuzz_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_fuzz_format(FK_FMT_UF2, FK_FMT_IHEX, data, size);
	return 0;
}
