# The STM32H750 Daisy Seed's bootloaders (seed 002, tests/boot:
# boot_stm32h750, XIP from QSPI, boot_stm32h750_flags, the same on the
# flag core, and boot_stm32h750_ram_load, copied into the AXI SRAM) run
# whole under Unicorn on the QUADSPI model and an
# IS25LP064A (test_h750_boot.c): boot, trial, revert, permanent install
# and fallback with every flash operation of those boots cut, a damaged
# boot state, and (ram-load) a long life of updates. Only where
# tests/boot builds the board bootloaders.
# The long life of updates (--life) runs on ram-load's program only: the
# XIP one has the same core and log.
foreach(variant "h750;stm32h750-qspi;" "h750_ram_load;stm32h750-ram-load;--life"
		"h750_flags;stm32h750-qspi;")
	list(GET variant 0 v)
	list(GET variant 1 ex)
	list(GET variant 2 life)
	if(NOT TARGET boot_stm32${v})
		continue()
	endif()
	# the flag core's program: the host's update API writes the flag
	# state (flags_app.c)
	set(api)
	set(labels port)
	if(v STREQUAL "h750_flags")
		set(api fk_flags_app)
		list(APPEND labels flags)
	endif()
	fk_add_test(port_${v}_boot
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_h750_boot.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/quadspi.c
			${CMAKE_CURRENT_LIST_DIR}/models/nor_chip.c
		LIBS ${api} uc_harness fk_host
		LABELS ${labels}
		ARGS ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32${v}.elf
			$<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/${ex}/layout.yaml
			${FK_ROOT}/tests/data/mcuboot-images/ecdsa-p256.pem ${life})
	target_include_directories(port_${v}_boot PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(port_${v}_boot boot_stm32${v} flashkit)
endforeach()
