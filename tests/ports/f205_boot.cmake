# The STM32F205 board's bootloader on the lite core (boot_stm32f205_lite,
# tests/boot: fk_boot_board_program(... CORE lite), seed 003) run whole
# under Unicorn (uc_boot.c) on the F2/F4 flash model and a 1 MiB SPI NOR
# on SPI1 (f205_board.c, test_f205_lite_boot.c): it boots the app,
# installs an update staged through the update API, falls back to the
# factory image in the serial flash, each also with a power cut at
# sampled flash operations (every one under FK_SWEEP_FULL=1: `make
# sweep-lite`, label lite). Only
# where tests/boot builds the board bootloaders.
if(TARGET boot_stm32f205_lite)
	set(f205_boot ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32f205_lite.elf)
	fk_add_test(port_f205_lite_boot
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_f205_lite_boot.c
			${CMAKE_CURRENT_LIST_DIR}/f205_board.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/f4.c
			${CMAKE_CURRENT_LIST_DIR}/models/nor_chip.c
			${CMAKE_CURRENT_LIST_DIR}/models/spi_stm32.c
		LIBS uc_harness fk_host
		LABELS port lite
		ARGS ${f205_boot} $<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32f205-wiced-ota/layout.yaml)
	target_include_directories(port_f205_lite_boot PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(port_f205_lite_boot boot_stm32f205_lite flashkit)
	# the full sweep (FK_SWEEP_FULL=1) runs some 9,000 boots
	set_tests_properties(port_f205_lite_boot PROPERTIES TIMEOUT 3600)
endif()
