# Serial recovery end to end (test_usart_boot.c): the L476 board's
# bootloader (boot_stm32l4, tests/boot, linked with ports/boot/
# boot_serial.c and the USART driver) run whole under Unicorn
# (uc_boot.c) on the L4 flash model and the USART model, fed by the host
# side of `flashkit upload`; port_usart_boot_lite the same on the lite
# core (boot_stm32l4_lite: fk_boot_lite(), CORE lite). Only where
# tests/boot builds the board bootloaders.
foreach(core "" _lite)
	if(NOT TARGET boot_stm32l4${core})
		continue()
	endif()
	set(t port_usart_boot${core})
	fk_add_test(${t}
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_usart_boot.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/usart_line.c
			${CMAKE_CURRENT_LIST_DIR}/models/l4.c
			${CMAKE_CURRENT_LIST_DIR}/models/usart.c
			${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		LIBS uc_harness fk_host
		LABELS port
		ARGS ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32l4${core}.elf
			$<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32l4-devinfo/layout.yaml
			${FK_ROOT}/tests/data/mcuboot-images/ecdsa-p256.pem)
	target_include_directories(${t} PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(${t} boot_stm32l4${core} flashkit)
endforeach()
