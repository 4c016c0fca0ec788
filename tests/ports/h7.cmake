# STM32H7 flash driver (ports/stm32/flash_h7.c) on its register model
# (models/h7.c): one image for the Cortex-M7 (H743 both banks, H750,
# H743 bank 1) and one for the H745's Cortex-M4 (bank 2); conformance on
# each, per-bank registers, ECC single and double errors, error flags,
# the model's rules (test_h7.c), and the RAM placement of the waits.
set(H7_KEEP h7_misuse_wrong_key h7_misuse_store_without_pg
	h7_misuse_two_flash_words h7_misuse_same_byte_twice
	h7_misuse_erase_with_buffer h7_misuse_reprogram h7_misuse_wait_in_rom
	h7_misuse_cr_while_busy h7_misuse_locked_cr h7_probe_sr
	h7_misuse_force_write h7_misuse_erase_missing_sector)
foreach(cpu m7 m4)
	uc_add_image(h7_${cpu}_image CPU cortex-${cpu}
		SOURCES ${FK_ROOT}/ports/stm32/flash_h7.c
			${CMAKE_CURRENT_LIST_DIR}/h7_image.c
		KEEP ${H7_KEEP})
	uc_check_ramfuncs(port_h7_${cpu}_ramfuncs IMAGE h7_${cpu}_image
		SYMBOLS h7_program_word h7_erase_sector)
endforeach()
uc_add_port_test(port_h7 IMAGE h7_m7_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_h7.c
		${CMAKE_CURRENT_LIST_DIR}/models/h7.c
		${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		${CMAKE_CURRENT_LIST_DIR}/stm32_test.c
		${CMAKE_CURRENT_LIST_DIR}/port_kv_sweep.c
	LIBS fk_kv_harness
	ARGS ${CMAKE_CURRENT_BINARY_DIR}/h7_m4_image.elf)
add_dependencies(port_h7 h7_m4_image_image)
# The settings-store sweep through the driver, its own test so that the
# mutants (which rerun port_h7) stay quick; the same command with --full
# instead of --sweeps runs the long version.
add_test(NAME port_h7_kv_sweep COMMAND port_h7
	${CMAKE_CURRENT_BINARY_DIR}/h7_m7_image.elf ${CMAKE_CURRENT_BINARY_DIR}/h7_m4_image.elf --sweeps)
set_tests_properties(port_h7_kv_sweep PROPERTIES LABELS "port;slow" TIMEOUT 600)

# The boot core's power-cut sweeps through the driver on an H743
# (test_h7_sweeps.c: the stm32h7 rig's areas on both banks); `make
# sweep-ports` runs it with --full.
# Label slow: run from build/host only (`make sweep-ports`, `make check`'s
# host chain), so a sanitizer build neither builds nor registers it.
if(NOT FK_SANITIZE)
	add_executable(port_h7_sweeps ${CMAKE_CURRENT_LIST_DIR}/test_h7_sweeps.c
		${CMAKE_CURRENT_LIST_DIR}/sweeps.c ${CMAKE_CURRENT_LIST_DIR}/models/h7.c
		${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c)
	target_compile_options(port_h7_sweeps PRIVATE -std=c11 -O2 -g ${FK_HOST_WARNINGS})
	target_include_directories(port_h7_sweeps PRIVATE ${FK_ROOT}/host ${FK_ROOT}/tests
		${FK_ROOT}/tests/boot ${CMAKE_CURRENT_LIST_DIR})
	target_link_libraries(port_h7_sweeps PRIVATE uc_harness fk_host
		fk_crypto_mbedtls fk_sim fk_device ${CMOCKA_LIBRARY})
	add_dependencies(port_h7_sweeps h7_m7_image_image)
	add_test(NAME port_h7_sweeps COMMAND port_h7_sweeps ${CMAKE_CURRENT_BINARY_DIR}/h7_m7_image.elf)
	set_tests_properties(port_h7_sweeps PROPERTIES LABELS "port;slow"
		ENVIRONMENT "FK_ROOT=${FK_ROOT}" TIMEOUT 1200)
endif()
