# STM32F2/F4: the driver (ports/stm32/flash_f4.c) for Cortex-M4 on its
# register model (models/f4.c): conformance on every part, error flags,
# the model's rules, RAM placement of the write-and-wait steps.
uc_add_image(f4_image CPU cortex-m4
	SOURCES ${FK_ROOT}/ports/stm32/flash_f4.c ${FK_ROOT}/src/flash/flash.c
		${CMAKE_CURRENT_LIST_DIR}/f4_image.c)
uc_add_port_test(port_f4 IMAGE f4_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_f4.c
		${CMAKE_CURRENT_LIST_DIR}/models/f4.c)
uc_check_ramfuncs(port_f4_ramfuncs IMAGE f4_image
	SYMBOLS f4_program_unit f4_erase_start)

# The boot core's and the settings store's power-cut sweeps through the
# driver (test_f4_sweeps.c;
# `make sweep-ports` runs them all with --full).
# Label slow: run from build/host only (`make sweep-ports`, `make check`'s
# host chain), so a sanitizer build neither builds nor registers it.
if(NOT FK_SANITIZE)
	add_executable(port_f4_sweeps ${CMAKE_CURRENT_LIST_DIR}/test_f4_sweeps.c
		${CMAKE_CURRENT_LIST_DIR}/sweeps.c ${CMAKE_CURRENT_LIST_DIR}/port_kv_sweep.c
		${CMAKE_CURRENT_LIST_DIR}/models/f4.c)
	target_compile_options(port_f4_sweeps PRIVATE -std=c11 -O2 -g ${FK_HOST_WARNINGS})
	target_include_directories(port_f4_sweeps PRIVATE ${FK_ROOT}/host ${FK_ROOT}/tests
		${FK_ROOT}/tests/boot ${CMAKE_CURRENT_LIST_DIR})
	target_link_libraries(port_f4_sweeps PRIVATE uc_harness fk_kv_harness fk_host
		fk_crypto_mbedtls fk_sim fk_device)
	add_dependencies(port_f4_sweeps f4_image_image)
	add_test(NAME port_f4_sweeps COMMAND port_f4_sweeps ${CMAKE_CURRENT_BINARY_DIR}/f4_image.elf)
	set_tests_properties(port_f4_sweeps PROPERTIES LABELS "port;slow"
		ENVIRONMENT "FK_ROOT=${FK_ROOT}" TIMEOUT 1200)
endif()
