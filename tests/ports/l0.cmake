# STM32L0/L1 NVM driver (ports/stm32/flash_l0.c) on its register model
# (models/l0.c): the L0 image (Cortex-M0+ code, run on Unicorn's M3,
# which executes every ARMv6-M instruction) and the L1 image (M3);
# conformance on each part's program memory and data EEPROM, half-page
# and word programming, the model's rules (test_l0.c), RAM placement.
foreach(part l0:cortex-m0plus l1:cortex-m3)
	string(REPLACE ":" ";" pc ${part})
	list(GET pc 0 name)
	list(GET pc 1 cpu)
	uc_add_image(${name}_image CPU ${cpu}
		SOURCES ${FK_ROOT}/ports/stm32/flash_l0.c
			${CMAKE_CURRENT_LIST_DIR}/l0_image.c
		KEEP l0_misuse_prgkey_first l0_misuse_half_page_from_rom
			l0_misuse_half_page_gap l0_misuse_half_word
			l0_misuse_not_zero l0_misuse_locked_store
			l0_misuse_pecr_while_busy l0_misuse_wait_in_rom
			l0_misuse_pecr_locked l0_misuse_prog_without_prgkey
			l0_misuse_half_page_mid l0_misuse_read_during_fill
			l0_misuse_eeprom_overwrite l0_misuse_eeprom_locked
			l0_misuse_wrong_pekey l0_misuse_eeprom_wrong_size_erase)
	uc_check_ramfuncs(port_${name}_ramfuncs IMAGE ${name}_image
		SYMBOLS l0_write_word l0_write_half_page l0_write_byte)
endforeach()
uc_add_port_test(port_l0 IMAGE l0_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_l0.c
		${CMAKE_CURRENT_LIST_DIR}/models/l0.c
		${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		${CMAKE_CURRENT_LIST_DIR}/stm32_test.c
		${CMAKE_CURRENT_LIST_DIR}/port_kv_sweep.c
	LIBS fk_kv_harness
	ARGS ${CMAKE_CURRENT_BINARY_DIR}/l1_image.elf)
add_dependencies(port_l0 l1_image_image)
