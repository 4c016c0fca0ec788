/*
 * The out-of-memory policy of the host code (oom.h).
 */
#include <stdlib.h>

#include "oom.h"

static fk_oom_handler oom_handler;

void fk_oom_set_handler(fk_oom_handler handler)
{
	oom_handler = handler;
}

_Noreturn void fk_oom(void)
{
	if (oom_handler)
		oom_handler();
	abort();
}
