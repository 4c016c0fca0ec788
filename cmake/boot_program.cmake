# Script mode (cmake -P), for fk_boot_program() in cmake/boot.cmake; reads
# the layout.json `flashkit layout gen` wrote (JSON).
#
#   -DMODE=ld -DJSON=layout.json -DOUT=boot.ld
#     The bootloader's linker script: ROM at the layout's bootloader
#     partition (1 MiB long, so that a program too large still links and
#     MODE=check can say by how much), RAM the first image's first RAM
#     less its last 8 bytes, where fk_boot_recovery_word lives.
#   -DMODE=check -DJSON=layout.json -DBIN=boot.bin -DOUT=boot.fits
#     Fails unless BIN fits the bootloader partition; writes OUT.
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

if(MODE STREQUAL "ld")
	string(JSON ram_addr GET "${json}" images 0 ram 0 address)
	string(JSON ram_size GET "${json}" images 0 ram 0 size)
	math(EXPR ram_len "${ram_size} - 8")
	math(EXPR rom_hex "${addr}" OUTPUT_FORMAT HEXADECIMAL)
	math(EXPR ram_hex "${ram_addr}" OUTPUT_FORMAT HEXADECIMAL)
	math(EXPR len_hex "${ram_len}" OUTPUT_FORMAT HEXADECIMAL)
	file(WRITE ${OUT} "/* The flashkit bootloader, from ${JSON}: written by
 * cmake/boot_program.cmake. Partition ${part}: ${size} bytes. */
MEMORY
{
	ROM (rx)  : ORIGIN = ${rom_hex}, LENGTH = 0x100000
	RAM (rwx) : ORIGIN = ${ram_hex}, LENGTH = ${len_hex}
}
fk_boot_recovery_word = ORIGIN(RAM) + LENGTH(RAM);
INCLUDE sections.ld
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
	file(WRITE ${OUT} "${bytes} of ${size} bytes (${room} free) in ${part}\n")
	message(STATUS "${BIN}: ${bytes} of ${size} bytes of ${part}, ${room} free")
else()
	message(FATAL_ERROR "boot_program.cmake: MODE=ld or MODE=check")
endif()
