# The STM32H745's bootloader program (boot_stm32h745, tests/boot) run
# whole under Unicorn on the H7 flash model (uc_boot.c): the Cortex-M7
# validates and installs both cores' images and releases the Cortex-M4,
# which boots from the stub into its image (test_h745_boot.c); and the
# stub's instructions are ones the M4 runs (stub_insns.sh).
# port_h745_enc_boot: the same board's bootloader that decrypts
# (boot_stm32h745_enc, ENC_KEY enc-ecies-p256.pem), the same program
# with --enc: v1 of both cores from the factory files (`flashkit merge
# --layout`, one per bank), an encrypted update staged through the
# update API installed decrypted and reverted, a tampered one refused;
# port_h745_enc_boot_sweep: every flash operation of an encrypted
# install cut (30 operations, 90 cuts: 350 s of CPU, each boot checks
# both cores' images; labels slow and long: `make check` leaves it to
# `make sweep-ports`). Only where tests/boot builds the board bootloaders.
set(h745_data ${FK_ROOT}/tests/data/mcuboot-images)
if(TARGET boot_stm32h745)
	set(h745_boot ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32h745.elf)
	fk_add_test(port_h745_boot
		SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_h745_boot.c
			${CMAKE_CURRENT_LIST_DIR}/board_boot.c
			${CMAKE_CURRENT_LIST_DIR}/uc_boot.c
			${CMAKE_CURRENT_LIST_DIR}/models/h7.c
			${CMAKE_CURRENT_LIST_DIR}/models/stm32_model.c
		LIBS uc_harness fk_host fk_crypto_mbedtls
		LABELS port
		ARGS ${h745_boot} $<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32h745-dual-core/layout.yaml
			${h745_data}/ecdsa-p256.pem)
	target_include_directories(port_h745_boot PRIVATE ${FK_ROOT}/host
		${FK_ROOT}/ports/boot ${FK_ROOT}/ports/crypto-mbedtls
		${CMAKE_CURRENT_LIST_DIR})
	add_dependencies(port_h745_boot boot_stm32h745 flashkit)
	if(TARGET boot_stm32h745_enc)
		set(args ${CMAKE_BINARY_DIR}/tests/boot/boot_stm32h745_enc.elf
			$<TARGET_FILE:flashkit>
			${FK_ROOT}/examples/stm32h745-dual-core/layout.yaml
			${h745_data}/ecdsa-p256.pem --enc
			${h745_data}/enc-ecies-p256.pem
			${h745_data}/enc-ecies-p256.pub.pem)
		add_test(NAME port_h745_enc_boot COMMAND port_h745_boot ${args})
		add_test(NAME port_h745_enc_boot_sweep COMMAND port_h745_boot
			${args} --sweep)
		set_tests_properties(port_h745_enc_boot PROPERTIES LABELS port)
		set_tests_properties(port_h745_enc_boot_sweep PROPERTIES
			LABELS "port;slow;long" TIMEOUT 1800)
		add_dependencies(port_h745_boot boot_stm32h745_enc)
	endif()
	find_program(UC_ARM_OBJDUMP arm-none-eabi-objdump)
	add_test(NAME port_h745_stub_insns COMMAND bash
		${CMAKE_CURRENT_LIST_DIR}/stub_insns.sh ${UC_ARM_OBJDUMP}
		${h745_boot})
	set_tests_properties(port_h745_stub_insns PROPERTIES
		LABELS "port;static")
endif()
