# STM32L4 flash driver (ports/stm32/flash_l4.c) on its register model
# (models/l4.c): conformance on the L476 (dual bank) and the L433, dual
# bank, ECC -> FK_EECC, error flags, the model's rules (test_l4.c), and
# the RAM placement of the functions that wait on BSY.
uc_add_image(l4_image CPU cortex-m4
	SOURCES ${FK_ROOT}/ports/stm32/flash_l4.c
		${CMAKE_CURRENT_LIST_DIR}/l4_image.c
	KEEP l4_misuse_wrong_key l4_misuse_store_without_pg
		l4_misuse_byte_store l4_misuse_misaligned l4_misuse_reprogram
		l4_misuse_erase_with_stale_error l4_misuse_wait_in_rom
		l4_misuse_start_while_busy l4_misuse_locked_cr l4_probe_eccr
		l4_misuse_second_word_elsewhere l4_misuse_store_while_busy
		l4_misuse_program_with_stale_error l4_misuse_erase_missing_page
		l4_misuse_read_after_erase l4_misuse_dcrst_while_on)
uc_add_port_test(port_l4 IMAGE l4_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_l4.c
		${CMAKE_CURRENT_LIST_DIR}/models/l4.c
		${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		${CMAKE_CURRENT_LIST_DIR}/stm32_test.c
		${CMAKE_CURRENT_LIST_DIR}/port_kv_sweep.c
	LIBS fk_kv_harness)
uc_check_ramfuncs(port_l4_ramfuncs IMAGE l4_image
	SYMBOLS l4_program_dword l4_erase_page)
# The settings-store sweep through the driver, its own test so that the
# mutants (which rerun port_l4) stay quick; the same command with --full
# instead of --sweeps runs the long version.
add_test(NAME port_l4_kv_sweep COMMAND port_l4
	${CMAKE_CURRENT_BINARY_DIR}/l4_image.elf --sweeps)
set_tests_properties(port_l4_kv_sweep PROPERTIES LABELS "port;slow" TIMEOUT 600)

# The boot core's power-cut sweeps through the driver (test_stm32_sweeps.c,
# sweeps.c of the harness: every single cut, every double cut of smaller
# images; --full every double cut of the rig's images, and the reverts).
# Label slow: run from build/host only (`make sweep-ports`, `make check`'s
# host chain), so a sanitizer build neither builds nor registers it.
if(NOT FK_SANITIZE)
	add_executable(port_stm32_sweeps ${CMAKE_CURRENT_LIST_DIR}/test_stm32_sweeps.c
		${CMAKE_CURRENT_LIST_DIR}/sweeps.c ${CMAKE_CURRENT_LIST_DIR}/models/l4.c
		${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c)
	target_compile_options(port_stm32_sweeps PRIVATE -std=c11 -O2 -g
		${FK_HOST_WARNINGS})
	target_include_directories(port_stm32_sweeps PRIVATE ${FK_ROOT}/host
		${FK_ROOT}/tests ${FK_ROOT}/tests/boot ${CMAKE_CURRENT_LIST_DIR})
	target_link_libraries(port_stm32_sweeps PRIVATE uc_harness fk_kv_harness fk_host
		fk_crypto_mbedtls fk_sim fk_device)
	add_dependencies(port_stm32_sweeps l4_image_image)
	add_test(NAME port_stm32_sweeps COMMAND port_stm32_sweeps
		${CMAKE_CURRENT_BINARY_DIR}/l4_image.elf)
	set_tests_properties(port_stm32_sweeps PROPERTIES LABELS "port;slow"
		ENVIRONMENT "FK_ROOT=${FK_ROOT}" TIMEOUT 1200)
endif()
