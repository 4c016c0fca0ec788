/*
 * The user part of the P1 example on QEMU: calls the usrlib module in
 * the factory-backup region through usrlib_import.h as ordinary C calls,
 * after usrlib_bind() checked the module (present, same api, every
 * prototype this app uses unchanged) and set up the module's RAM.
 *
 * Before binding it fills the module's RAM with 0xA5, so the results
 * prove the init copied .data and zeroed .bss. Exit status: 0 all
 * right, 2 a wrong result, 3 the module refused (the line before says
 * why, with the FK_E* code).
 */
#include <stdint.h>
#include <string.h>

#include "flash_layout.h"
#include "semihost.h"
#include "usrlib_import.h"

static int check(const char *what, int32_t got, int32_t want)
{
	fk_sh_printf("app: %s = %ld%s\n", what, (long)got,
		     got == want ? "" : " (wrong)");
	return got == want ? 0 : 2;
}

int main(void)
{
	struct usrlib_vec v = { 3, -4 };
	const char *name;
	int rc, bad = 0;

	memset((void *)FK_MODULE_USRLIB_RAM_ADDR, 0xA5,
	       FK_MODULE_USRLIB_RAM_SIZE);
	rc = usrlib_bind();
	if (rc) {
		fk_sh_printf("app: module usrlib refused: %s\n",
			     fk_strerror(rc));
		return 3;
	}
	bad |= check("usrlib_calls() after bind", (int32_t)usrlib_calls(), 0);
	bad |= check("usrlib_add(40, 2)", usrlib_add(40, 2), 42);
	usrlib_scale(&v, 5);
	bad |= check("scaled x", v.x, 15);
	bad |= check("scaled y", v.y, -20);
	name = usrlib_name();
	fk_sh_printf("app: usrlib_name() = \"%s\" at 0x%08lx\n", name,
		     (unsigned long)(uintptr_t)name);
	bad |= check("name in the module's RAM",
		     (uintptr_t)name >= FK_MODULE_USRLIB_RAM_ADDR &&
			     (uintptr_t)name <
				     FK_MODULE_USRLIB_RAM_ADDR +
					     FK_MODULE_USRLIB_RAM_SIZE,
		     1);
	bad |= check("name starts usrlib v", !memcmp(name, "usrlib v", 8), 1);
#ifdef APP_USES_SUB
	bad |= check("usrlib_sub(50, 8)", usrlib_sub(50, 8), 42);
#endif
#ifdef APP_USES_SUB
	bad |= check("usrlib_calls()", (int32_t)usrlib_calls(), 4);
#else
	bad |= check("usrlib_calls()", (int32_t)usrlib_calls(), 3);
#endif
	fk_sh_puts(bad ? "app: FAILED\n" : "app: module ok\n");
	return bad;
}
