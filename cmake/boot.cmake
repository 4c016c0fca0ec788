# The flashkit bootloader (ports/boot/) built for a layout, for QEMU
# mps2-an385 (Cortex-M3, through fk_cortexm_executable of qemu.cmake).
#
#   fk_boot_program(<name> LAYOUT <layout.yaml> BOARD <c files>...
#       [KEY <public or private key .pem>] [ENC_KEY <private key .pem>]
#       [INCLUDES <dirs>...] [DEFINES <NAME=value>...])
#     At build time: `flashkit layout gen` writes the layout's
#     boot_config.c (the struct fk_boot_config, from the same
#     fk_layout_boot_config() every tool uses) and layout.json into
#     <name>.gen/; cmake/boot_program.cmake writes <name>.ld from
#     layout.json (ROM at the bootloader partition, RAM the first image's
#     RAM less the recovery word); <name>.elf/.bin link boot_main.c, the
#     generated configuration and the board; with KEY, images must be
#     signed by it (ECDSA P-256, fk_crypto_mbedtls_p256 on the
#     bootloader's mbedTLS build; an Ed25519 key, told by its PEM,
#     fk_crypto_sodium_ed25519 on libsodium's build), without, their
#     digest is checked. With ENC_KEY (an EC P-256 private key, with an
#     ECDSA P-256 KEY: imgtool's pairing), encrypted images (ECIES-P256,
#     imgtool -E with its public half) are decrypted as they are
#     installed: `flashkit key private --c` writes <name>.gen/
#     fk_boot_enc_key.c (a secret: the build folder holds it) and the
#     port is fk_crypto_mbedtls_p256 with FK_MBEDTLS_WITH_ENC on the
#     mbedTLS build of fk_mbedtls_boot_enc_config.h; a bootloader without
#     ENC_KEY links none of it.
#     Then the build fails unless <name>.bin fits the layout's bootloader
#     partition, saying by how many bytes it does not; <name>.fits says
#     how many it takes, and how many of them are serial recovery's when
#     BOARD lists ports/boot/boot_serial.c. Target <name>.
#
#   fk_boot_board_program(<name> LAYOUT <layout.yaml> CPU <cortex-m3|m4|m7>
#       BOARD <c files, drivers included>... [KEY <pem>]
#       [INCLUDES <dirs>...] [DEFINES <NAME=value>...])
#     The same for a real board (ports/boot/build.sh): no QEMU port, the
#     device library with only the layout's strategies, the bootloader's
#     mbedTLS compiled for CPU; the same size check. Target <name>.
#     No ENC_KEY yet (refused).
if(FK_SANITIZE OR NOT COMMAND fk_cortexm_executable)
	function(fk_boot_program)
	endfunction()
	function(fk_boot_board_program)
	endfunction()
	return()
endif()
include(${FK_ROOT}/ports/crypto-mbedtls/target/mbedtls.cmake)
include(${FK_ROOT}/ports/crypto-sodium/target/sodium.cmake)

# <out_var> TRUE when the PEM file key_pem holds an Ed25519 key, public
# or private: their base64 DER starts the same for every key (RFC 8410).
function(_fk_key_is_ed25519 key_pem out_var)
	file(READ ${key_pem} text)
	if(text MATCHES "-----\n?MCowBQYDK2VwAyEA" OR
	   text MATCHES "-----\n?MC4CAQAwBQYDK2VwBCIEI")
		set(${out_var} TRUE PARENT_SCOPE)
	else()
		set(${out_var} FALSE PARENT_SCOPE)
	endif()
endfunction()

# <out_var> TRUE when the PEM file key_pem holds an unencrypted EC P-256
# private key, PKCS#8 or SEC1, with or without its public key: their
# base64 DER starts the same for every such key.
function(_fk_key_is_p256_private key_pem out_var)
	file(READ ${key_pem} text)
	if(text MATCHES "-----\n?MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH" OR
	   text MATCHES "-----\n?MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcE" OR
	   text MATCHES "BEGIN EC PRIVATE KEY-----\n?(MHcCAQEEI|MDECAQEEI)")
		set(${out_var} TRUE PARENT_SCOPE)
	else()
		set(${out_var} FALSE PARENT_SCOPE)
	endif()
endfunction()

function(fk_boot_program name)
	cmake_parse_arguments(X "" "LAYOUT;KEY;ENC_KEY" "BOARD;INCLUDES;DEFINES"
		${ARGN})
	set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
	set(gen ${out}.gen)
	get_filename_component(layout ${X_LAYOUT} ABSOLUTE)
	_fk_boot_gen(${name} ${out} ${gen} ${layout})
	set(srcs ${FK_ROOT}/ports/boot/boot_main.c ${gen}/boot_config.c
		${X_BOARD})
	set(incs ${FK_ROOT}/ports/boot ${X_INCLUDES})
	set(defs ${X_DEFINES})
	set(libs)
	set(ed25519 FALSE)
	if(X_KEY)
		get_filename_component(key_abs ${X_KEY} ABSOLUTE)
		_fk_key_is_ed25519(${key_abs} ed25519)
		_fk_boot_key(${name} ${gen} ${X_KEY})
		list(APPEND srcs ${gen}/fk_boot_key.c)
	endif()
	if(X_ENC_KEY)
		get_filename_component(enc_abs ${X_ENC_KEY} ABSOLUTE)
		_fk_key_is_p256_private(${enc_abs} enc_p256)
		if(NOT X_KEY OR ed25519 OR NOT enc_p256)
			message(FATAL_ERROR "fk_boot_program(${name} ENC_KEY "
				"${X_ENC_KEY}): the bootloader decrypts ECIES-P256 "
				"images: ENC_KEY must be an unencrypted EC P-256 "
				"private key PEM and KEY an ECDSA P-256 key")
		endif()
		_fk_boot_enc_key(${name} ${gen} ${enc_abs})
		list(APPEND srcs ${gen}/fk_boot_enc_key.c)
	endif()
	if(ed25519)
		if(NOT FK_SODIUM_FOUND)
			message(FATAL_ERROR "fk_boot_program(${name} KEY ...): "
				"Debian's libsodium source is not at ${FK_SODIUM_SRC}")
		endif()
		list(APPEND srcs ${FK_ROOT}/ports/crypto-sodium/fk_crypto_sodium.c)
		list(APPEND incs ${FK_ROOT}/ports/crypto-sodium
			${FK_SODIUM_INCLUDES})
		list(APPEND defs FK_BOOT_ED25519)
		fk_sodium_cm3_library(sodium_lib)
		set(libs ${sodium_lib})
	elseif(X_KEY)
		if(NOT FK_MBEDTLS_FOUND)
			message(FATAL_ERROR "fk_boot_program(${name} KEY ...): "
				"Debian's mbedtls source is not at ${FK_MBEDTLS_SRC}")
		endif()
		set(port ${FK_ROOT}/ports/crypto-mbedtls)
		list(APPEND srcs ${port}/fk_crypto_mbedtls_p256.c
			${port}/target/fk_mbedtls_target.c)
		list(APPEND incs ${port} ${port}/target ${FK_MBEDTLS_SRC}/include)
		list(APPEND defs FK_BOOT_ECDSA)
		if(X_ENC_KEY)
			list(APPEND srcs ${port}/fk_crypto_mbedtls_enc.c)
			list(APPEND defs FK_BOOT_ENC FK_MBEDTLS_WITH_ENC
				MBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_enc_config.h>)
			fk_mbedtls_cm3_boot_enc_library(mbedtls_lib)
			set(mbedtls_tgt fk_cm3_mbedtls_boot_enc)
		else()
			list(APPEND defs
				MBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_config.h>)
			fk_mbedtls_cm3_boot_library(mbedtls_lib)
			set(mbedtls_tgt fk_cm3_mbedtls_boot)
		endif()
		set(libs ${mbedtls_lib})
	endif()
	fk_cortexm_executable(${name} SOURCES ${srcs} LINKER_SCRIPT ${out}.ld
		INCLUDES ${incs} DEFINES ${defs} LIBS ${libs})
	if(ed25519)
		add_dependencies(${name} fk_cm3_sodium)
	elseif(X_KEY)
		add_dependencies(${name} ${mbedtls_tgt})
	endif()
	_fk_boot_fits(${name} ${out} ${gen})
	add_dependencies(${name}_fits ${name})
endfunction()

# layout gen and the linker script of program <name> (out: its path
# without extension, gen: its generated folder).
function(_fk_boot_gen name out gen layout)
	add_custom_command(OUTPUT ${gen}/boot_config.c ${gen}/layout.json
		COMMAND $<TARGET_FILE:flashkit> layout gen ${layout} -o ${gen}
		DEPENDS flashkit ${layout}
		COMMENT "flashkit layout gen: ${name}'s configuration"
		VERBATIM)
	add_custom_command(OUTPUT ${out}.ld
		COMMAND ${CMAKE_COMMAND} -DMODE=ld -DJSON=${gen}/layout.json
			-DOUT=${out}.ld -P ${FK_ROOT}/cmake/boot_program.cmake
		DEPENDS ${gen}/layout.json ${FK_ROOT}/cmake/boot_program.cmake
		VERBATIM)
endfunction()

function(_fk_boot_key name gen key_pem)
	get_filename_component(key ${key_pem} ABSOLUTE)
	add_custom_command(OUTPUT ${gen}/fk_boot_key.c
		COMMAND $<TARGET_FILE:flashkit> key public --c
			--name fk_boot_key ${key} -o ${gen}/fk_boot_key.c
		DEPENDS flashkit ${key}
		COMMENT "flashkit key public --c: ${name}'s key"
		VERBATIM)
endfunction()

# <gen>/fk_boot_enc_key.c: the device's private key for encrypted images.
function(_fk_boot_enc_key name gen key)
	add_custom_command(OUTPUT ${gen}/fk_boot_enc_key.c
		COMMAND $<TARGET_FILE:flashkit> key private --c
			--name fk_boot_enc_key ${key} -o ${gen}/fk_boot_enc_key.c
		DEPENDS flashkit ${key}
		COMMENT "flashkit key private --c: ${name}'s decryption key"
		VERBATIM)
endfunction()

# Target <name>_fits (ALL): the build fails unless <out>.bin fits.
function(_fk_boot_fits name out gen)
	add_custom_command(OUTPUT ${out}.fits
		COMMAND ${CMAKE_COMMAND} -DMODE=check -DJSON=${gen}/layout.json
			-DBIN=${out}.bin -DMAP=${out}.map -DOUT=${out}.fits
			-P ${FK_ROOT}/cmake/boot_program.cmake
		DEPENDS ${out}.bin ${gen}/layout.json
		COMMENT "${name}.bin against the layout's bootloader partition"
		VERBATIM)
	add_custom_target(${name}_fits ALL DEPENDS ${out}.fits)
endfunction()

function(fk_boot_board_program name)
	cmake_parse_arguments(X "" "LAYOUT;KEY;CPU;ENC_KEY" "BOARD;INCLUDES;DEFINES"
		${ARGN})
	if(X_ENC_KEY)
		# ports/boot/build.sh compiles only the verify-only mbedTLS build
		message(FATAL_ERROR "fk_boot_board_program(${name} ENC_KEY ...): "
			"board bootloaders do not decrypt yet; fk_boot_program() "
			"(QEMU) does")
	endif()
	set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
	set(gen ${out}.gen)
	get_filename_component(layout ${X_LAYOUT} ABSOLUTE)
	_fk_boot_gen(${name} ${out} ${gen} ${layout})
	set(key_c -)
	set(mbed -)
	set(deps)
	if(X_KEY)
		_fk_boot_key(${name} ${gen} ${X_KEY})
		set(key_c ${gen}/fk_boot_key.c)
		set(mbed ${FK_MBEDTLS_SRC})
		list(APPEND deps ${key_c})
	endif()
	set(args)
	foreach(i IN LISTS X_INCLUDES)
		list(APPEND args -I${i})
	endforeach()
	foreach(d IN LISTS X_DEFINES)
		list(APPEND args -D${d})
	endforeach()
	set(board)
	foreach(b IN LISTS X_BOARD)
		get_filename_component(abs ${b} ABSOLUTE)
		list(APPEND board ${abs})
	endforeach()
	file(GLOB lib_srcs ${FK_ROOT}/src/boot/*.c ${FK_ROOT}/src/image/*.c
		${FK_ROOT}/src/flash/*.c ${FK_ROOT}/src/core/*.c
		${FK_ROOT}/ports/boot/*.[ch] ${FK_ROOT}/ports/cortex-m/*.[ch])
	add_custom_command(OUTPUT ${out}.elf ${out}.bin
		COMMAND bash ${FK_ROOT}/ports/boot/build.sh ${out} ${X_CPU}
			${gen}/layout.json ${out}.ld ${key_c} ${mbed} -- ${args}
			${gen}/boot_config.c ${board}
		DEPENDS ${FK_ROOT}/ports/boot/build.sh ${gen}/boot_config.c
			${gen}/layout.json ${out}.ld ${board} ${lib_srcs} ${deps}
		COMMENT "${X_CPU} bootloader ${name}.elf for ${X_LAYOUT}"
		VERBATIM)
	add_custom_target(${name} ALL DEPENDS ${out}.elf ${out}.bin)
	_fk_boot_fits(${name} ${out} ${gen})
	add_dependencies(${name}_fits ${name})
endfunction()
