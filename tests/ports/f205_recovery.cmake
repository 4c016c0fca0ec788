# Serial recovery on the STM32F205 board end to end
# (test_f205_lite_recovery.c): its lite bootloader (boot_stm32f205_lite,
# tests/boot), and the same on the flag core (boot_stm32f205_flags:
# port_f205_flags_recovery[_cuts], whose upload and install write the
# flag state), run whole under Unicorn on the board's flash models
# (f205_board.c) and the USART model on USART1, fed by the host side of
# `flashkit upload` (usart_line.c). port_f205_lite_recovery: recovery
# mode on an empty board and on request, the upload into the serial
# flash and its install, a reset mid-upload, a loose cable, garbage on
# the line; port_f205_lite_recovery_cuts (slow: some 5 s, not run under
# ASan): power cuts at every flash operation of the upload and of the
# install of a 256-byte payload (an 820-byte image), or of the other
# tests' 6,000-byte payload under FK_SWEEP_FULL=1 (`make sweep-lite`,
# label lite).
# The images are signed with the bootloader's key when it has one
# (fk_boot_board_program's KEY), else checked by digest. Only where
# tests/boot builds the board bootloaders.
foreach(core lite flags)
	if(NOT TARGET boot_stm32f205_${core})
		continue()
	endif()
	set(t port_f205_${core}_recovery)
	get_property(f205_key GLOBAL PROPERTY
		FK_BOOT_BOARD_boot_stm32f205_${core}_KEY)
	set(f205_args
		${CMAKE_BINARY_DIR}/tests/boot/boot_stm32f205_${core}.elf
		$<TARGET_FILE:flashkit>
		${FK_ROOT}/examples/stm32f205-wiced-ota/layout.yaml ${f205_key})
	fk_add_test(${t}
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_f205_lite_recovery.c
			${CMAKE_CURRENT_LIST_DIR}/f205_board.c
			${CMAKE_CURRENT_LIST_DIR}/usart_line.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/f4.c
			${CMAKE_CURRENT_LIST_DIR}/models/nor_chip.c
			${CMAKE_CURRENT_LIST_DIR}/models/spi_stm32.c
			${CMAKE_CURRENT_LIST_DIR}/models/usart.c
		LIBS uc_harness fk_host
		LABELS port ${core}
		ARGS cases ${f205_args})
	target_include_directories(${t} PRIVATE
		${FK_ROOT}/host ${CMAKE_CURRENT_LIST_DIR})
	# GPIOA holds the serial flash's chip select and USART1's pins: the
	# test joins the two models' windows (test_f205_lite_recovery.c)
	target_link_options(${t} PRIVATE -Wl,--wrap=uc_add_periph)
	add_dependencies(${t} boot_stm32f205_${core} flashkit)
	add_test(NAME ${t}_cuts COMMAND ${t} cuts ${f205_args})
	# the full sweep (FK_SWEEP_FULL=1) runs some 4,700 cuts
	set_tests_properties(${t}_cuts PROPERTIES
		LABELS "port;${core};slow" TIMEOUT 3600
		ENVIRONMENT "FK_ROOT=${FK_ROOT};FK_BUILD=${CMAKE_BINARY_DIR}")
endforeach()
