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
