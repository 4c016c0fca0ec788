# The harness's own tests: calls, budget, violations, windows, uc_flash
# forwarding, power loss and reboot, the ROM-fetch rule, code in RAM that
# the CPU rewrites (test_uc.c).
uc_add_image(uc_selftest CPU cortex-m4
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/selftest_image.c
	KEEP selftest_add selftest_hang selftest_read_nowhere
		selftest_ram_answer selftest_store16)
uc_add_port_test(port_harness IMAGE uc_selftest
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_uc.c)
uc_check_ramfuncs(port_harness_ramfuncs IMAGE uc_selftest
	SYMBOLS toy_erase_ram)
