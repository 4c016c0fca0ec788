# Serial recovery end to end (test_usart_boot.c): the L476 board's
# bootloader (boot_stm32l4, tests/boot, linked with ports/boot/
# boot_serial.c and the USART driver) run whole under Unicorn
# (uc_boot.c) on the L4 flash model and the USART model, fed by the host
# side of `flashkit upload`. Only where tests/boot builds the board
# bootloaders.
if(TARGET boot_stm32l4)
	set(l4_boot ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32l4.elf)
	fk_add_test(port_usart_boot
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_usart_boot.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/l4.c
			${CMAKE_CURRENT_LIST_DIR}/models/usart.c
			${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		LIBS uc_harness fk_host
		LABELS port
		ARGS ${l4_boot} $<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32l4-devinfo/layout.yaml
			${FK_ROOT}/tests/data/mcuboot-images/ecdsa-p256.pem)
	target_include_directories(port_usart_boot PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(port_usart_boot boot_stm32l4 flashkit)
endif()
