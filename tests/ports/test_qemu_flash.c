/*
 * The conformance suite (conformance.h) on the QEMU port's file-backed
 * flash driver, its Cortex-M3 object code run under the harness with the
 * file served by semihosting (qemu_image.c): byte-unit NOR, the F4's
 * mixed sectors with word units, and program-once 16-byte units erased
 * to 0x00. No sim: the driver makes its own power cuts (QEMU's tests
 * cover those).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "uc.h"

static const char *image;

static const char *verdict(void *ctx)
{
	struct uc *uc = ctx;

	return uc_violations(uc) ? uc_first_violation(uc) : NULL;
}

static void test_qemu_flash_conforms(void **state)
{
	static const char *const names[] = { "qemu file, 4 KiB x 16, 1-byte",
					     "qemu file, F4 map, 4-byte",
					     "qemu file, program-once 16-byte, "
					     "erased 0x00" };

	(void)state;
	for (uint32_t v = 0; v < 3; v++) {
		struct uc_config c = { .elf = image, .cpu = "cortex-m3" };
		struct uc *uc = uc_create(&c);
		struct conf_result r;
		struct uc_flash uf;
		uint32_t len = 0;

		assert_non_null(uc);
		uc_enable_semihosting(uc);
		if (uc_flash_open(&uf, uc, NULL, v) != 0)
			fail_msg("%s: open: %s", names[v],
				 uc_first_violation(uc));
		struct conf_target t = { .name = names[v],
					 .flash = &uf.flash,
					 .violation = verdict,
					 .ctx = uc };
		if (conf_run(&t, &r) != 0)
			fail_msg("%s (%u checks, %u failed)", r.first, r.checks,
				 r.failures);
		assert_non_null(uc_semihost_file(uc, &len));
		assert_int_equal(len, uf.flash.geo.size);
		print_message("%s: %u checks passed\n", names[v], r.checks);
		uc_destroy(uc);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_flash_conforms),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <qemu_flash_image.elf>\n", argv[0]);
		return 2;
	}
	image = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
