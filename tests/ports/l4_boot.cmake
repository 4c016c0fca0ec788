# The STM32L476's bootloaders (seed 001, tests/boot: boot_stm32l4 on the
# full core, boot_stm32l4_lite on the lite core, boot_stm32l4_bearssl
# with BearSSL) run whole under Unicorn on the L4 flash model
# (test_l4_boot.c, board_boot.c): v1 from the production line's file
# (`flashkit merge --layout`, `flashkit provision`: a devinfo record),
# an update staged through the update API installed, confirmed or
# reverted, tampered updates refused, the devinfo page never written;
# port_l4*_boot_sweep: every flash operation of an install cut (the
# smallest images: 96 operations, 288 cuts, each some 4 boots with a
# P-256 check): about 500 s of CPU each on mbedTLS (full, lite), 225 s
# with BearSSL (29 Nov 2026), hence label slow; `make sweep-ports` runs
# them too. `make check` runs the BearSSL one and leaves the two
# mbedTLS ones (label long) to `make sweep-ports`: the same install of
# the same board's flash, 8 minutes of CPU each. Only where tests/boot
# builds the board bootloaders.
foreach(v "" _lite _bearssl)
	if(NOT TARGET boot_stm32l4${v})
		continue()
	endif()
	set(t port_l4${v}_boot)
	fk_add_test(${t}
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_l4_boot.c
			${CMAKE_CURRENT_LIST_DIR}/board_boot.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/l4.c
			${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		LIBS uc_harness fk_host
		LABELS port
		ARGS ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32l4${v}.elf
			$<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32l4-devinfo/layout.yaml
			${FK_ROOT}/tests/data/mcuboot-images/ecdsa-p256.pem)
	target_include_directories(${t} PRIVATE ${FK_ROOT}/host
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(${t} boot_stm32l4${v} flashkit)
	add_test(NAME ${t}_sweep COMMAND ${t}
		${CMAKE_BINARY_DIR}/tests/boot/boot_stm32l4${v}.elf
		$<TARGET_FILE:flashkit>
		${FK_ROOT}/examples/stm32l4-devinfo/layout.yaml
		${FK_ROOT}/tests/data/mcuboot-images/ecdsa-p256.pem --sweep)
	set(labels "port;slow")
	if(NOT v STREQUAL "_bearssl")
		set(labels "port;slow;long")
	endif()
	set_tests_properties(${t}_sweep PROPERTIES LABELS "${labels}"
		TIMEOUT 1800)
endforeach()
