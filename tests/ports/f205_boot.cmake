# The STM32F205 board's bootloaders (tests/boot: fk_boot_board_program(),
# seed 003), boot_stm32f205_lite (CORE lite), boot_stm32f205_flags (CORE
# flags: the test's update API is then the flag state's, flags_app.c)
# and boot_stm32f205 (the full core, fk_boot()), each run whole under Unicorn (uc_boot.c) on the F2/F4
# flash model and a 1 MiB SPI NOR on SPI1 (f205_board.c,
# test_f205_lite_boot.c): it boots the app, installs an update staged
# through the update API, falls back to the factory image in the serial
# flash, each install also with a power cut at every flash operation of
# either memory: of a 256-byte payload's install (an 820-byte image: 86
# internal flash operations, some 540 cuts), or of the other tests'
# 6,000-byte payload under FK_SWEEP_FULL=1 (`make sweep-lite` runs the
# lite one so, label lite). Only where tests/boot builds the board
# bootloaders.
foreach(core _lite "" _flags)
	if(NOT TARGET boot_stm32f205${core})
		continue()
	endif()
	set(t port_f205${core}_boot)
	set(labels port)
	set(api)
	if(core STREQUAL "_lite")
		list(APPEND labels lite)
	elseif(core STREQUAL "_flags")
		# the host's update API writes the flag state (flags_app.c)
		list(APPEND labels flags)
		set(api fk_flags_app)
	endif()
	fk_add_test(${t}
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_f205_lite_boot.c
			${CMAKE_CURRENT_LIST_DIR}/f205_board.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/f4.c
			${CMAKE_CURRENT_LIST_DIR}/models/nor_chip.c
			${CMAKE_CURRENT_LIST_DIR}/models/spi_stm32.c
		LIBS ${api} uc_harness fk_host
		LABELS ${labels}
		ARGS ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32f205${core}.elf
			$<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32f205-wiced-ota/layout.yaml)
	target_include_directories(${t} PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(${t} boot_stm32f205${core} flashkit)
	# the full sweep (FK_SWEEP_FULL=1) runs some 9,000 boots
	set_tests_properties(${t} PROPERTIES TIMEOUT 3600)
endforeach()
