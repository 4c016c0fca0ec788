# Script mode (cmake -P), for fk_boot_program() in cmake/boot.cmake; reads
# the layout.json `flashkit layout gen` wrote (JSON).
#
#   -DMODE=ld -DJSON=layout.json -DOUT=boot.ld
#     The bootloader's linker script: ROM at the layout's bootloader
#     partition (1 MiB long, so that a program too large still links and
#     MODE=check can say by how much), RAM the first image's first RAM
#     less its last 8 bytes, where fk_boot_recovery_word lives. With an
#     image's `release`, the stub's sections (.fk_stub.*) at the stub's
#     address (to the partition's end), ROM ending there (a program that
#     reaches it fails to link: region ROM overflowed).
#   -DMODE=check -DJSON=layout.json -DBIN=boot.bin -DOUT=boot.fits
#       [-DMAP=boot.map]
#     Fails unless BIN fits the bootloader partition; writes OUT. With
#     MAP, of a program that links serial recovery (ports/boot/
#     boot_serial.c), OUT also says how many of the bytes are recovery's,
#     and with an image's `release`, how many of those below the stub the
#     bootloader's own code and data take (BIN runs to the stub's end).
#   -DMODE=lite|flags -DJSON=layout.json -DNAME=<program>
#     Fails, saying why, unless the layout suits the lite boot core
#     (CORE lite of fk_boot_board_program()): one image, strategy
#     overwrite, swap or xip, no library modules, and a boot state log
#     on sectors of one size.
cmake_minimum_required(VERSION 3.20)
file(READ ${JSON} json)
string(JSON nparts LENGTH "${json}" partitions)
set(part "")
math(EXPR last "${nparts} - 1")
foreach(i RANGE ${last})
	string(JSON role GET "${json}" partitions ${i} role)
	if(role STREQUAL "bootloader")
		string(JSON part GET "${json}" partitions ${i} name)
		string(JSON addr GET "${json}" partitions ${i} address)
		string(JSON size GET "${json}" partitions ${i} size)
		break()
	endif()
endforeach()
if(part STREQUAL "")
	message(FATAL_ERROR "${JSON}: the layout has no partition of role "
		"bootloader: add one (role: bootloader) for the bootloader to "
		"be linked at and checked against")
endif()

# Sets out_var to "; serial recovery N bytes (...)" from the linker map:
# the code and constants of the receiver (receiver.c, frame.c), of the
# object holding fk_boot_serial_recovery (boot_serial.c) and of the update
# API only the receiver calls (update.c, upload.c); "" without recovery.
function(_fk_recovery_bytes map out_var)
	file(READ ${map} text)
	string(FIND "${text}" "Linker script and memory map" at)
	string(SUBSTRING "${text}" ${at} -1 text)
	# a long section name puts its address, size and file on the next line
	string(REGEX REPLACE "\n +0x" " 0x" text "${text}")
	string(REGEX MATCHALL
		"\n \\.(text|rodata|data)[^ \n]* +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ \n]+"
		sections "${text}")
	set(glue "")
	foreach(s IN LISTS sections)
		if(s MATCHES "^\n \\.text\\.fk_boot_serial_recovery +0x[0-9a-f]+ +0x[0-9a-f]+ +([^ \n]+)")
			set(glue ${CMAKE_MATCH_1})
		endif()
	endforeach()
	if(glue STREQUAL "")
		set(${out_var} "" PARENT_SCOPE)
		return()
	endif()
	# link-time optimisation merges every file's code into its own
	# objects: nothing tells recovery's bytes from the rest
	if(glue MATCHES "ltrans")
		set(${out_var} "; serial recovery linked (its bytes are not told apart under link-time optimisation: FK_BOOT_LTO=0 counts them)" PARENT_SCOPE)
		return()
	endif()
	set(receiver 0)
	set(update 0)
	foreach(s IN LISTS sections)
		string(REGEX MATCH "0x([0-9a-f]+) +([^ \n]+)$" m "${s}")
		set(file ${CMAKE_MATCH_2})
		math(EXPR n "0x${CMAKE_MATCH_1}")
		if(file STREQUAL glue OR file MATCHES "\\((receiver|frame)\\.c\\.o\\)$")
			math(EXPR receiver "${receiver} + ${n}")
		elseif(file MATCHES "\\((update|upload)\\.c\\.o\\)$")
			math(EXPR update "${update} + ${n}")
		endif()
	endforeach()
	math(EXPR all "${receiver} + ${update}")
	set(${out_var} "; serial recovery ${all} bytes (receiver ${receiver}, update API ${update})" PARENT_SCOPE)
endfunction()

# The image with a `release` (layout.json): its index in index_var and
# its stub's address in stub_var, both "" when no image has one.
function(_fk_release_of json index_var stub_var)
	set(${index_var} "" PARENT_SCOPE)
	set(${stub_var} "" PARENT_SCOPE)
	string(JSON nimages LENGTH "${json}" images)
	math(EXPR last "${nimages} - 1")
	foreach(i RANGE ${last})
		string(JSON stub ERROR_VARIABLE none GET "${json}" images ${i}
			release stub)
		if(NOT none)
			set(${index_var} ${i} PARENT_SCOPE)
			set(${stub_var} ${stub} PARENT_SCOPE)
			return()
		endif()
	endforeach()
endfunction()

# The stub of an image's `release` (ports/boot/release_h7.c: sections
# .fk_stub.*): mem_var the STUB region, from the stub's address to the
# partition's end; sec_var the section placing it there and
# fk_boot_stub_stack, the top of that image's first RAM; rom_len_var the
# ROM left below the stub. Empty, and ROM untouched, without one.
function(_fk_release_stub json part_end mem_var sec_var rom_len_var)
	_fk_release_of("${json}" i stub)
	if(NOT i STREQUAL "")
		string(JSON sram GET "${json}" images ${i} ram 0 address)
		string(JSON ssize GET "${json}" images ${i} ram 0 size)
		math(EXPR stub_hex "${stub}" OUTPUT_FORMAT HEXADECIMAL)
		math(EXPR stub_len "${part_end} - ${stub}" OUTPUT_FORMAT HEXADECIMAL)
		math(EXPR top "${sram} + ${ssize}" OUTPUT_FORMAT HEXADECIMAL)
		math(EXPR rom_len "${stub} - ${addr}" OUTPUT_FORMAT HEXADECIMAL)
		set(${rom_len_var} ${rom_len} PARENT_SCOPE)
		set(${mem_var} "\tSTUB (rx) : ORIGIN = ${stub_hex}, LENGTH = ${stub_len}\n"
			PARENT_SCOPE)
		set(${sec_var} "/* image ${i}'s release stub: its core boots there */
fk_boot_stub_stack = ${top};
SECTIONS
{
	.fk_stub : {
		KEEP(*(.fk_stub.vectors))
		*(.fk_stub.text .fk_stub.text.* .fk_stub.rodata .fk_stub.rodata.*)
	} > STUB
}
" PARENT_SCOPE)
	endif()
endfunction()

# Sets out_var to "; below the release stub at S: N of M bytes (F free)"
# when the layout has an image's `release`: the .bin then runs to the end
# of the stub, so its size says little; the bootloader's own code and
# data end at _fk_image_end (the map). "" without a stub.
function(_fk_stub_room json map out_var)
	set(${out_var} "" PARENT_SCOPE)
	_fk_release_of("${json}" i stub)
	if(NOT i STREQUAL "")
		file(STRINGS ${map} line REGEX " _fk_image_end = ")
		if(NOT line MATCHES "0x([0-9a-f]+) +_fk_image_end")
			return()
		endif()
		math(EXPR used "0x${CMAKE_MATCH_1} - ${addr}")
		math(EXPR below "${stub} - ${addr}")
		math(EXPR free "${below} - ${used}")
		math(EXPR stub_hex "${stub}" OUTPUT_FORMAT HEXADECIMAL)
		set(${out_var} "; below the release stub at ${stub_hex}: ${used} of ${below} bytes (${free} free)" PARENT_SCOPE)
	endif()
endfunction()

# The index in ${json}'s array ${array} of the entry named ${name}, in
# ${out_var}.
function(_fk_index_of json array name out_var)
	string(JSON n LENGTH "${json}" ${array})
	math(EXPR last "${n} - 1")
	foreach(i RANGE ${last})
		string(JSON entry GET "${json}" ${array} ${i} name)
		if(entry STREQUAL name)
			set(${out_var} ${i} PARENT_SCOPE)
			return()
		endif()
	endforeach()
	message(FATAL_ERROR "${JSON}: no ${array} entry named ${name}")
endfunction()

# The sizes of the sectors the boot state log of image 0 spans
# (docs/boot-state.md, "Placement": the fewest leading sectors of the
# state area that hold 2048 bytes, or all of them), in ${out_var}.
function(_fk_log_sectors json out_var)
	string(JSON pname GET "${json}" images 0 boot_state)
	string(JSON trailer GET "${json}" images 0 trailer_size)
	if(trailer GREATER 0)
		string(JSON pname GET "${json}" images 0 primary)
	endif()
	_fk_index_of("${json}" partitions "${pname}" p)
	string(JSON mem GET "${json}" partitions ${p} memory)
	string(JSON off GET "${json}" partitions ${p} offset)
	string(JSON asize GET "${json}" partitions ${p} size)
	if(trailer GREATER 0)
		math(EXPR off "${off} + ${asize} - ${trailer}")
		set(asize ${trailer})
	endif()
	_fk_index_of("${json}" memories "${mem}" m)
	string(JSON nr LENGTH "${json}" memories ${m} sectors)
	math(EXPR last "${nr} - 1")
	set(at 0)
	set(sizes "")
	set(span 0)
	foreach(r RANGE ${last})
		string(JSON count GET "${json}" memories ${m} sectors ${r} count)
		string(JSON ssize GET "${json}" memories ${m} sectors ${r} size)
		foreach(k RANGE 1 ${count})
			if(at GREATER_EQUAL off AND span LESS 2048 AND span LESS asize)
				list(APPEND sizes ${ssize})
				math(EXPR span "${span} + ${ssize}")
			endif()
			math(EXPR at "${at} + ${ssize}")
			if(span GREATER_EQUAL 2048 OR span GREATER_EQUAL asize)
				break()
			endif()
		endforeach()
	endforeach()
	set(${out_var} "${sizes}" PARENT_SCOPE)
endfunction()

# Fails, saying why, unless the layout (layout.json) suits the lite boot
# core (fk_boot_lite(), fk_boot_board_program's CORE lite): one image,
# installed by overwrite, swap or xip, no library modules, and a boot
# state log on sectors of one size (lite_state.c).
function(_fk_lite_suits json)
	set(why "")
	string(JSON nimages LENGTH "${json}" images)
	string(JSON nmodules LENGTH "${json}" modules)
	if(NOT nimages EQUAL 1)
		set(why "it has ${nimages} images; the lite core boots one")
	else()
		string(JSON strategy GET "${json}" images 0 strategy)
		string(JSON used LENGTH "${json}" images 0 modules)
		if(NOT strategy MATCHES "^(overwrite|swap|xip)$")
			string(CONCAT why "its image's strategy is ${strategy}; "
				"the lite core installs by overwrite, swap or xip")
		elseif(NOT nmodules EQUAL 0 OR NOT used EQUAL 0)
			set(why "it has library modules; the lite core loads none")
		else()
			_fk_log_sectors("${json}" sizes)
			list(REMOVE_DUPLICATES sizes)
			list(LENGTH sizes kinds)
			if(kinds GREATER 1)
				string(REPLACE ";" ", " sizes "${sizes}")
				string(CONCAT why "its boot state log spans sectors "
					"of different sizes (${sizes} bytes); the lite "
					"core reads a log on sectors of one size: start "
					"the boot state partition where its first 2048 "
					"bytes lie in sectors of one size")
			endif()
		endif()
	endif()
	if(NOT why STREQUAL "")
		message(FATAL_ERROR "${NAME} (CORE lite): the layout of ${JSON} "
			"does not suit the lite boot core: ${why}. Build the "
			"full core (CORE full) or change the layout")
	endif()
endfunction()

if(MODE STREQUAL "ld")
	string(JSON ram_addr GET "${json}" images 0 ram 0 address)
	string(JSON ram_size GET "${json}" images 0 ram 0 size)
	math(EXPR ram_len "${ram_size} - 8")
	math(EXPR rom_hex "${addr}" OUTPUT_FORMAT HEXADECIMAL)
	math(EXPR ram_hex "${ram_addr}" OUTPUT_FORMAT HEXADECIMAL)
	math(EXPR len_hex "${ram_len}" OUTPUT_FORMAT HEXADECIMAL)
	math(EXPR part_end "${addr} + ${size}")
	set(rom_len 0x100000)
	set(stub_mem "")
	set(stub_sec "")
	_fk_release_stub("${json}" ${part_end} stub_mem stub_sec rom_len)
	file(WRITE ${OUT} "/* The flashkit bootloader, from ${JSON}: written by
 * cmake/boot_program.cmake. Partition ${part}: ${size} bytes. */
MEMORY
{
	ROM (rx)  : ORIGIN = ${rom_hex}, LENGTH = ${rom_len}
	RAM (rwx) : ORIGIN = ${ram_hex}, LENGTH = ${len_hex}
${stub_mem}}
fk_boot_recovery_word = ORIGIN(RAM) + LENGTH(RAM);
${stub_sec}INCLUDE sections.ld
")
elseif(MODE STREQUAL "check")
	file(SIZE ${BIN} bytes)
	if(bytes GREATER size)
		math(EXPR over "${bytes} - ${size}")
		message(FATAL_ERROR "${BIN}: ${bytes} bytes do not fit partition "
			"${part} (${size} bytes) of the layout: ${over} bytes too "
			"many; make the partition larger or the bootloader smaller")
	endif()
	math(EXPR room "${size} - ${bytes}")
	set(recovery "")
	if(MAP)
		_fk_recovery_bytes(${MAP} recovery)
		_fk_stub_room("${json}" ${MAP} stub_room)
		string(APPEND recovery "${stub_room}")
	endif()
	file(WRITE ${OUT} "${bytes} of ${size} bytes (${room} free) in ${part}${recovery}\n")
	message(STATUS "${BIN}: ${bytes} of ${size} bytes of ${part}, ${room} free${recovery}")
elseif(MODE STREQUAL "lite")
	_fk_lite_suits("${json}")
elseif(MODE STREQUAL "flags")
	# the lite core's layouts, but SWAP (the flag state has no SWAP)
	_fk_lite_suits("${json}")
	string(JSON strategy GET "${json}" images 0 strategy)
	if(strategy STREQUAL "swap")
		message(FATAL_ERROR "${NAME} (CORE flags): the layout of ${JSON} "
			"does not suit the flag boot core: its image's strategy "
			"is swap; the flag core installs by overwrite or xip. "
			"Build the lite core (CORE lite) or change the layout")
	endif()
else()
	message(FATAL_ERROR "boot_program.cmake: MODE=ld, check, lite or flags")
endif()
