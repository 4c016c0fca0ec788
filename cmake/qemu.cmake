# Cortex-M programs built by the host build and run under QEMU mps2-an385
# (Cortex-M3), for tests that need the real target: the bootloader, the
# QEMU flash port, power cuts by killing QEMU. See docs/qemu.md.
#
#   fk_cortexm_executable(<name> SOURCES <c files>...
#       [INCLUDES <dirs>...] [DEFINES <NAME=value>...]
#       [ROM_ORIGIN <addr>] [ROM_SIZE <bytes>]      default 0x0, 0x100000
#       [RAM_ORIGIN <addr>] [RAM_SIZE <bytes>]      default 0x20000000, 0x40000
#       [LINKER_SCRIPT <file.ld>]                   instead of the template
#       [LIBS <archives>...]                        linked after the sources
#       [LITE])                                     the lite device library
#     Builds <name>.elf, <name>.bin (raw ROM image, for signing) and
#     <name>.map in the current binary dir, with the device-side library
#     (src/), ports/cortex-m (startup, jump, mem*) and ports/qemu-mps2
#     (semihosting, file-backed flash). Target <name> is part of `all`.
#     LITE: the library of a lite-core bootloader instead (FK_BOOT_LITE,
#     the full core's files left out, src/boot/lite_app.c's update API).
#
#   fk_add_qemu_test(<name> PROGRAM <exe> [ARGS <arg>...] [EXPECT <regex>]
#       [TIMEOUT <seconds>] [LABELS <labels>...])
#     Runs the program once in a fresh directory (its host files go there)
#     and passes when it exits 0 and, if given, its output matches EXPECT.
#
#   fk_add_qemu_script_test(<name> <script.sh> [ARGS <arg>...]
#       [LABELS <labels>...] [COST <seconds>])
#     A shell test that drives QEMU itself (several runs, power cuts), run
#     with ARGS; COST (its time alone, measured) makes ctest start it
#     before shorter tests, so a long one does not end a run alone. It
#     gets FK_QEMU_RUN (ports/qemu-mps2/run.sh), FK_TARGET_DIR (this binary
#     dir, where the programs are) and FK_ROOT, FK_BUILD, FK_TOOL.
#
# Every QEMU test carries the label "target". Under FK_SANITIZE nothing is
# built or registered (the sanitizer pass leaves target tests out).
if(FK_SANITIZE)
	function(fk_cortexm_executable)
	endfunction()
	function(fk_add_qemu_test)
	endfunction()
	function(fk_add_qemu_script_test)
	endfunction()
	return()
endif()

find_program(FK_ARM_CC arm-none-eabi-gcc REQUIRED)
find_program(FK_ARM_AR arm-none-eabi-ar REQUIRED)
find_program(FK_ARM_OBJCOPY arm-none-eabi-objcopy REQUIRED)
find_program(FK_QEMU_ARM qemu-system-arm REQUIRED)

set(FK_CM3_CFLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99 -Os -g
	-ffreestanding -ffunction-sections -fdata-sections
	-Wall -Wextra -Werror -I${FK_ROOT}/include)
set(FK_CM3_DIR ${CMAKE_BINARY_DIR}/cortex-m3)
set(FK_QEMU_RUN ${FK_ROOT}/ports/qemu-mps2/run.sh)

# Compiles one C file for Cortex-M3 into ${FK_CM3_DIR} (or, with
# _FK_CM3_SUBDIR set, into that folder of it); appends the object to the
# list named by out_var.
function(_fk_cm3_object src out_var)
	file(RELATIVE_PATH rel ${FK_ROOT} ${src})
	set(obj ${FK_CM3_DIR}/${_FK_CM3_SUBDIR}${rel}.o)
	get_filename_component(dir ${obj} DIRECTORY)
	add_custom_command(OUTPUT ${obj}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
		COMMAND ${FK_ARM_CC} ${FK_CM3_CFLAGS} ${ARGN} -MD -MF ${obj}.d
			-c ${src} -o ${obj}
		DEPENDS ${src}
		DEPFILE ${obj}.d
		COMMENT "Cortex-M3 ${rel}"
		VERBATIM)
	set(${out_var} ${${out_var}} ${obj} PARENT_SCOPE)
endfunction()

# The device-side library as an archive (members linked only when used)
# and the port objects, built once for every program. The library gets the
# port's FK_RAMFUNC, so its flash-writing functions run from RAM.
# _fk_cm3_device_lib(<archive> <regex of sources left out> <flags>...)
function(_fk_cm3_device_lib lib skip)
	set(objs)
	foreach(src IN LISTS FK_DEVICE_SOURCES)
		if(NOT skip OR NOT src MATCHES "${skip}")
			_fk_cm3_object(${src} objs ${ARGN}
				-include ${FK_ROOT}/ports/cortex-m/ramfunc.h)
		endif()
	endforeach()
	add_custom_command(OUTPUT ${lib}
		COMMAND ${CMAKE_COMMAND} -E rm -f ${lib}
		COMMAND ${FK_ARM_AR} rcs ${lib} ${objs}
		DEPENDS ${objs}
		VERBATIM)
endfunction()
set(FK_CM3_LIB ${FK_CM3_DIR}/libfk_device.a)
_fk_cm3_device_lib(${FK_CM3_LIB} "")
# The same library for a bootloader on the lite core (FK_BOOT_LITE:
# fk_boot_program's CORE lite), as ports/boot/build.sh builds a board's:
# none of the full core's files, and the update API on the lite log
# (src/boot/lite_app.c instead of upload.c and app.c), with the size
# options (FK_FLASH_TRUSTED_AREAS: the configuration's areas were checked
# when it was built; FK_CRC32_SMALL).
set(FK_CM3_LITE_LIB ${FK_CM3_DIR}/libfk_device_lite.a)
set(_FK_CM3_SUBDIR lite/)
_fk_cm3_device_lib(${FK_CM3_LITE_LIB}
	"/src/boot/(boot|marker|crypt|config|upload|app|strategy_[a-z_]+)\\.c$"
	-DFK_BOOT_LITE -DFK_FLASH_TRUSTED_AREAS -DFK_CRC32_SMALL)
unset(_FK_CM3_SUBDIR)

file(GLOB FK_CM3_PORT_SOURCES CONFIGURE_DEPENDS
	${FK_ROOT}/ports/cortex-m/*.c ${FK_ROOT}/ports/qemu-mps2/*.c)
set(FK_CM3_PORT_OBJECTS)
foreach(src IN LISTS FK_CM3_PORT_SOURCES)
	_fk_cm3_object(${src} FK_CM3_PORT_OBJECTS -I${FK_ROOT}/ports/cortex-m
		-I${FK_ROOT}/ports/qemu-mps2)
endforeach()
add_custom_target(fk_cm3_runtime DEPENDS ${FK_CM3_LIB} ${FK_CM3_LITE_LIB}
	${FK_CM3_PORT_OBJECTS})

function(fk_cortexm_executable name)
	cmake_parse_arguments(X "LITE" "ROM_ORIGIN;ROM_SIZE;RAM_ORIGIN;RAM_SIZE;LINKER_SCRIPT"
		"SOURCES;INCLUDES;DEFINES;LIBS" ${ARGN})
	set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
	set(device_lib ${FK_CM3_LIB})
	if(X_LITE)
		set(device_lib ${FK_CM3_LITE_LIB})
	endif()
	if(X_LINKER_SCRIPT)
		set(ld ${X_LINKER_SCRIPT})
	else()
		foreach(v ROM_ORIGIN:0x00000000 ROM_SIZE:0x100000
			  RAM_ORIGIN:0x20000000 RAM_SIZE:0x40000)
			string(REPLACE ":" ";" kv ${v})
			list(GET kv 0 key)
			list(GET kv 1 default)
			if(X_${key})
				set(FK_${key} ${X_${key}})
			else()
				set(FK_${key} ${default})
			endif()
		endforeach()
		set(ld ${out}.ld)
		configure_file(${FK_ROOT}/ports/cortex-m/memory.ld.in ${ld} @ONLY)
	endif()
	set(flags ${FK_CM3_CFLAGS} -I${FK_ROOT}/ports/cortex-m
		-I${FK_ROOT}/ports/qemu-mps2)
	foreach(i IN LISTS X_INCLUDES)
		list(APPEND flags -I${i})
	endforeach()
	foreach(d IN LISTS X_DEFINES)
		list(APPEND flags -D${d})
	endforeach()
	set(srcs)
	foreach(s IN LISTS X_SOURCES)
		get_filename_component(abs ${s} ABSOLUTE)
		list(APPEND srcs ${abs})
	endforeach()
	add_custom_command(OUTPUT ${out}.elf ${out}.bin
		COMMAND ${FK_ARM_CC} ${flags} -nostdlib -Wl,--gc-sections
			-Wl,-Map=${out}.map -L${FK_ROOT}/ports/cortex-m -T ${ld}
			-o ${out}.elf ${srcs} ${X_LIBS} ${FK_CM3_PORT_OBJECTS}
			${device_lib} -lgcc
		COMMAND ${FK_ARM_OBJCOPY} -O binary ${out}.elf ${out}.bin
		DEPENDS ${srcs} ${X_LIBS} ${ld} ${FK_CM3_PORT_OBJECTS} ${device_lib}
			${FK_ROOT}/ports/cortex-m/sections.ld fk_cm3_runtime
		IMPLICIT_DEPENDS C ${srcs}
		COMMENT "Cortex-M3 program ${name}.elf"
		VERBATIM)
	add_custom_target(${name} ALL DEPENDS ${out}.elf ${out}.bin)
	add_dependencies(${name} fk_cm3_runtime)
	if(TARGET fk_cm3_mbedtls)
		add_dependencies(${name} fk_cm3_mbedtls)
	endif()
endfunction()

function(fk_add_qemu_test name)
	cmake_parse_arguments(X "" "PROGRAM;EXPECT;TIMEOUT" "ARGS;LABELS" ${ARGN})
	if(NOT X_TIMEOUT)
		set(X_TIMEOUT 60)
	endif()
	set(cmd bash ${FK_QEMU_RUN} --dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.d
		--fresh --timeout ${X_TIMEOUT})
	foreach(a IN LISTS X_ARGS)
		list(APPEND cmd --arg ${a})
	endforeach()
	if(X_EXPECT)
		list(APPEND cmd --expect ${X_EXPECT})
	endif()
	add_test(NAME ${name} COMMAND ${cmd}
		${CMAKE_CURRENT_BINARY_DIR}/${X_PROGRAM}.elf)
	math(EXPR ctest_timeout "${X_TIMEOUT} + 30")
	set_tests_properties(${name} PROPERTIES LABELS "target;${X_LABELS}"
		TIMEOUT ${ctest_timeout})
endfunction()

function(fk_add_qemu_script_test name script)
	cmake_parse_arguments(X "" "COST" "ARGS;LABELS" ${ARGN})
	if(NOT X_COST)
		set(X_COST 0)
	endif()
	add_test(NAME ${name} COMMAND bash ${script} ${X_ARGS})
	set_tests_properties(${name} PROPERTIES
		LABELS "target;${X_LABELS}" COST ${X_COST}
		ENVIRONMENT "FK_ROOT=${FK_ROOT};FK_BUILD=${CMAKE_BINARY_DIR};FK_TOOL=$<TARGET_FILE:flashkit>;FK_QEMU_RUN=${FK_QEMU_RUN};FK_TARGET_DIR=${CMAKE_CURRENT_BINARY_DIR}")
endfunction()
