# External NOR: the SFDP driver (ports/nor/nor.c) over the STM32 QUADSPI
# (ports/nor/nor_qspi_stm32.c, H7, Cortex-M7, code in the QSPI chip) and
# over a plain SPI with a GPIO chip select (ports/nor/nor_spi_stm32.c,
# F205, Cortex-M3), on the chip models W25Q128JV and MX25L51245G
# (models/nor_chip.c behind models/quadspi.c or models/spi_stm32.c):
# geometry from SFDP, errors, page splits, erase blocks, the conformance
# suite, each model rule; the CMSIS-Pack flash loader (ports/loader/) run
# as a debugger runs it (test_loader.c); RAM placement of everything that
# runs while the QSPI chip is out of memory-mapped mode.
set(NOR_MISUSE nor_test_erase_range nor_test_erase_chip nor_test_raw
	nor_test_poke nor_test_peek nor_test_read_window nor_test_init_rc
	nor_test_desc)
set(NOR_MODELS ${CMAKE_CURRENT_LIST_DIR}/models/nor_chip.c
	${CMAKE_CURRENT_LIST_DIR}/models/quadspi.c
	${CMAKE_CURRENT_LIST_DIR}/models/spi_stm32.c)

uc_add_image(nor_qspi_image CPU cortex-m7
	SOURCES ${FK_ROOT}/ports/nor/nor.c ${FK_ROOT}/ports/nor/nor_qspi_stm32.c
		${CMAKE_CURRENT_LIST_DIR}/nor_image.c
	DEFINES NOR_BUS_QSPI
	KEEP ${NOR_MISUSE} nor_test_irq_mask)
uc_add_image(nor_spi_image CPU cortex-m3
	SOURCES ${FK_ROOT}/ports/nor/nor.c ${FK_ROOT}/ports/nor/nor_spi_stm32.c
		${CMAKE_CURRENT_LIST_DIR}/nor_image.c
	DEFINES NOR_BUS_SPI
	KEEP ${NOR_MISUSE})

uc_check_ramfuncs(port_nor_qspi_ramfuncs IMAGE nor_qspi_image
	SYMBOLS fk_nor_init fk_nor_erase fk_nor_erase_chip nor_read
		nor_program nor_erase_sector wait_ready write_enable
		program_page erase_range read_sfdp_info qspi_xfer qspi_idle
		leave_mapped wait_sr fk_nor_qspi_init compare program_range
		read_array)

# The CMSIS-Pack flash loader (ports/loader/) for the F205's SPI NOR,
# a position-independent flash algorithm (loader.ld, -fPIE): linked with
# its relocations kept, checked by check_flm.sh (the build fails on an
# absolute address a host would break by loading it elsewhere), then
# written without them. test_loader.c runs it the way pyOCD and probe-rs
# do, at two bases. nor_loader_abs.elf, the same sources without -fPIE
# linked for one of those bases, shows the test and the check tell the
# difference.
find_program(UC_ARM_READELF arm-none-eabi-readelf)
find_program(UC_ARM_OBJCOPY arm-none-eabi-objcopy)
set(NOR_LOADER ${CMAKE_CURRENT_BINARY_DIR}/nor_loader.elf)
set(NOR_LOADER_ABS ${CMAKE_CURRENT_BINARY_DIR}/nor_loader_abs.elf)
set(NOR_LOADER_SOURCES ${FK_ROOT}/ports/loader/loader.c
	${FK_ROOT}/ports/loader/board_f205.c ${FK_ROOT}/ports/nor/nor.c
	${FK_ROOT}/ports/nor/nor_spi_stm32.c)
set(NOR_LOADER_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99
	-Os -g -ffreestanding -ffunction-sections -fdata-sections
	-fno-tree-loop-distribute-patterns -Wall -Wextra -Werror
	-I${FK_ROOT}/include -I${FK_ROOT}/ports -nostdlib -Wl,--gc-sections
	-Wl,--emit-relocs -T ${FK_ROOT}/ports/loader/loader.ld)
add_custom_command(OUTPUT ${NOR_LOADER} ${NOR_LOADER}.relocs
	COMMAND ${UC_ARM_CC} ${NOR_LOADER_FLAGS} -fPIE
		-Wl,-Map=${NOR_LOADER}.map -o ${NOR_LOADER}.relocs
		${NOR_LOADER_SOURCES} -lgcc
	COMMAND bash ${FK_ROOT}/ports/loader/check_flm.sh ${UC_ARM_READELF}
		${NOR_LOADER}.relocs nor_ops
	COMMAND ${UC_ARM_OBJCOPY} --remove-relocations=* ${NOR_LOADER}.relocs
		${NOR_LOADER}
	DEPENDS ${NOR_LOADER_SOURCES} ${FK_ROOT}/ports/loader/loader.ld
		${FK_ROOT}/ports/loader/check_flm.sh ${UC_IMAGE_HEADERS}
	COMMENT "flash loader nor_loader.elf (cortex-m3, position-independent)"
	VERBATIM)
add_custom_command(OUTPUT ${NOR_LOADER_ABS}
	COMMAND ${UC_ARM_CC} ${NOR_LOADER_FLAGS}
		-Wl,--defsym=FK_LOADER_LINK_BASE=0x20000004
		-o ${NOR_LOADER_ABS} ${NOR_LOADER_SOURCES} -lgcc
	DEPENDS ${NOR_LOADER_SOURCES} ${FK_ROOT}/ports/loader/loader.ld
		${UC_IMAGE_HEADERS}
	COMMENT "flash loader nor_loader_abs.elf (linked absolute, for the test)"
	VERBATIM)
add_custom_target(nor_loader_image ALL DEPENDS ${NOR_LOADER} ${NOR_LOADER_ABS})
# check_flm.sh refuses the absolute build for its absolute addresses.
add_test(NAME port_loader_check_refuses_absolute COMMAND bash
	${FK_ROOT}/ports/loader/check_flm.sh ${UC_ARM_READELF} ${NOR_LOADER_ABS}
	nor_ops)
set_tests_properties(port_loader_check_refuses_absolute PROPERTIES
	LABELS "port;static" PASS_REGULAR_EXPRESSION "relocation R_ARM_ABS32 of [A-Za-z_]+ at 0x[0-9a-f]+: an absolute address")

# One executable for the three images (test_nor.c), so that a model's
# mutant (mutants/nor.txt) reaches every test that uses the model.
uc_add_port_test(port_nor IMAGE nor_qspi_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_nor.c
		${CMAKE_CURRENT_LIST_DIR}/test_loader.c ${NOR_MODELS}
		${CMAKE_CURRENT_LIST_DIR}/port_kv_sweep.c
		${CMAKE_CURRENT_LIST_DIR}/sweeps.c
	LIBS fk_kv_harness fk_host fk_crypto_mbedtls fk_sim fk_device
	ARGS ${UC_IMAGE_nor_spi_image} ${NOR_LOADER})
target_include_directories(port_nor PRIVATE ${FK_ROOT}/host
	${FK_ROOT}/tests/boot ${CMAKE_CURRENT_LIST_DIR})
add_dependencies(port_nor nor_spi_image_image nor_loader_image)

# The settings store's power-cut sweep through the QSPI NOR driver, the
# same executable with --sweeps (--full instead: 10 times longer), its
# own test so that the mutants (which rerun port_nor) stay quick.
add_test(NAME port_nor_kv_sweep COMMAND port_nor
	${UC_IMAGE_nor_qspi_image} ${UC_IMAGE_nor_spi_image} ${NOR_LOADER}
	--sweeps)
set_tests_properties(port_nor_kv_sweep PROPERTIES LABELS "port;slow" TIMEOUT 600)

# The boot core's power-cut sweeps through the QSPI NOR driver
# (sweeps.h: OVERWRITE, SWAP and XIP installs on the uniform-4k rig's
# areas, every single cut, every double cut of smaller images;
# --boot-sweeps-full every double cut of the rig's images, and the
# reverts).
add_test(NAME port_nor_boot_sweeps COMMAND port_nor
	${UC_IMAGE_nor_qspi_image} ${UC_IMAGE_nor_spi_image} ${NOR_LOADER}
	--boot-sweeps)
set_tests_properties(port_nor_boot_sweeps PROPERTIES LABELS "port;slow"
	ENVIRONMENT "FK_ROOT=${FK_ROOT}" TIMEOUT 1200)
