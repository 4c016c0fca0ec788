# The flashkit bootloader (ports/boot/) built for a layout, for QEMU
# mps2-an385 (Cortex-M3, through fk_cortexm_executable of qemu.cmake).
#
#   fk_boot_program(<name> LAYOUT <layout.yaml> BOARD <c files>...
#       [KEY <public or private key .pem>] [ENC_KEY <private key .pem>]
#       [CRYPTO bearssl] [CORE full|lite] [INCLUDES <dirs>...]
#       [DEFINES <NAME=value>...])
#     At build time: `flashkit layout gen` writes the layout's
#     boot_config.c (the struct fk_boot_config, from the same
#     fk_layout_boot_config() every tool uses) and layout.json into
#     <name>.gen/; cmake/boot_program.cmake writes <name>.ld from
#     layout.json (ROM at the bootloader partition, RAM the first image's
#     RAM less the recovery word); <name>.elf/.bin link boot_main.c, the
#     generated configuration and the board. With KEY, images must be
#     signed by it; the key's type (openssl reads the PEM) picks the
#     crypto port: ECDSA P-256, fk_crypto_mbedtls_p256 on the
#     bootloader's mbedTLS build; Ed25519, fk_crypto_sodium_ed25519 on
#     libsodium's build; ECDSA P-384, RSA-2048 or RSA-3072, the full port
#     fk_crypto_mbedtls on the full Cortex-M3 mbedTLS build
#     (FK_BOOT_MBEDTLS), with an mbedTLS heap sized for the key type
#     (_fk_boot_heap; FK_BOOT_HEAP=<bytes> in DEFINES overrides it).
#     CRYPTO bearssl, with an ECDSA P-256 KEY and no ENC_KEY:
#     fk_crypto_bearssl_p256 on BearSSL's build instead (Debian's bearssl
#     source, ports/crypto-bearssl/target/bearssl.cmake: no mbedTLS, no
#     heap, smaller). Without KEY, images' digest is checked. With
#     ENC_KEY (a private key PEM: EC P-256 for ECIES-P256, X25519 for
#     ECIES-X25519, RSA-2048 for RSA-OAEP; KEY required), encrypted images
#     (imgtool -E with its public half) are decrypted as they are
#     installed: `flashkit key private --c` writes
#     <name>.gen/fk_boot_enc_key.c (a secret: the build folder holds
#     it). A P-256 KEY with a P-256 ENC_KEY keeps
#     fk_crypto_mbedtls_p256, built with FK_MBEDTLS_WITH_ENC on the mbedTLS
#     build of fk_mbedtls_boot_enc_config.h; an Ed25519 KEY with an X25519
#     ENC_KEY (imgtool's pairing) the same port built also with
#     FK_MBEDTLS_WITH_SODIUM (libsodium verifies) on
#     fk_mbedtls_boot_x25519_config.h's build (Curve25519 added); any
#     other pairing (RSA-OAEP with an RSA KEY) takes the full port. A
#     bootloader without ENC_KEY links no decryption key.
#     Then the build fails unless <name>.bin fits the layout's bootloader
#     partition, saying by how many bytes it does not; <name>.fits says
#     how many it takes, and how many of them are serial recovery's when
#     BOARD lists ports/boot/boot_serial.c. Target <name>.
#     CORE lite: boot_main.c calls fk_boot_lite() (FK_BOOT_LITE), after
#     the same layout check as fk_boot_board_program()'s CORE lite (one
#     image, overwrite, swap or xip, no modules; no ENC_KEY); the device
#     library is the QEMU programs' lite one (qemu.cmake, LITE: none of
#     the full core's files, the update API of src/boot/lite_app.c),
#     built with the default FK_BOOT_MAX_* and every strategy, so only
#     FK_BOOT_LITE is defined. The default, CORE full, is fk_boot().
#
#   fk_boot_board_program(<name> LAYOUT <layout.yaml> CPU <cortex-m3|m4|m7>
#       BOARD <c files, drivers included>... [KEY <ECDSA P-256 pem>]
#       [ENC_KEY <EC P-256 private key pem>] [CRYPTO bearssl]
#       [CORE full|lite|flags] [INCLUDES <dirs>...] [DEFINES <NAME=value>...])
#     The same for a real board (ports/boot/build.sh): no QEMU port, the
#     device library with only the layout's strategies, the bootloader's
#     mbedTLS compiled for CPU; the same size check. Target <name>.
#     KEY: ECDSA P-256 only. Without ENC_KEY the library is compiled with
#     FK_IMAGE_NO_ENC (no decryption code); with it, ECIES-P256 images are
#     decrypted as with fk_boot_program(). CRYPTO bearssl (KEY, no
#     ENC_KEY): BearSSL's verification instead of mbedTLS, as
#     fk_boot_program()'s. CORE lite: boot_main.c calls fk_boot_lite()
#     (FK_BOOT_LITE; FK_BOOT_MAX_IMAGES=1, FK_BOOT_MAX_MODULES=1,
#     FK_BOOT_NO_FACTORY when the image has no factory slot), with none
#     of the full core's files (serial recovery's update API is
#     src/boot/lite_app.c, on the lite log); the build
#     stops (boot_program.cmake MODE=lite) unless the layout has one
#     image, of strategy overwrite, swap or xip, and no modules; no
#     ENC_KEY. CORE flags: the same with fk_boot_flags() (FK_BOOT_FLAGS
#     too: the flag state instead of the log, docs/boot.md, "The flag
#     core"; serial recovery's update API is src/boot/flags_app.c), and
#     the layout's strategy overwrite or xip (MODE=flags). The default,
#     CORE full, is fk_boot(). The program's name
#     is added to the global property FK_BOOT_BOARD_PROGRAMS, with its
#     defines in FK_BOOT_BOARD_<name>_DEFINES and its KEY in
#     FK_BOOT_BOARD_<name>_KEY (tests/boot checks each configuration).
if(FK_SANITIZE OR NOT COMMAND fk_cortexm_executable)
	function(fk_boot_program)
	endfunction()
	function(fk_boot_board_program)
	endfunction()
	return()
endif()
include(${FK_ROOT}/ports/crypto-mbedtls/target/mbedtls.cmake)
include(${FK_ROOT}/ports/crypto-sodium/target/sodium.cmake)
include(${FK_ROOT}/ports/crypto-bearssl/target/bearssl.cmake)

# <out_var> is the type of the key in the PEM file key_pem, public or
# private, as openssl reads it: ed25519, x25519, p256, p384, rsa<bits>,
# or unknown (an encrypted PEM, anything else); <priv_var> TRUE when it
# is an unencrypted private key. Only public values are printed.
function(_fk_key_type key_pem out_var priv_var)
	find_program(FK_OPENSSL openssl)
	if(NOT FK_OPENSSL)
		message(FATAL_ERROR "fk_boot_program: openssl is needed to tell "
			"the type of ${key_pem} (scripts/deps.sh installs it)")
	endif()
	set(priv TRUE)
	execute_process(COMMAND ${FK_OPENSSL} pkey -in ${key_pem} -passin pass:
		-noout -text_pub RESULT_VARIABLE rc OUTPUT_VARIABLE text
		ERROR_QUIET)
	if(NOT rc EQUAL 0)
		set(priv FALSE)
		execute_process(COMMAND ${FK_OPENSSL} pkey -pubin -in ${key_pem}
			-noout -text_pub RESULT_VARIABLE rc OUTPUT_VARIABLE text
			ERROR_QUIET)
	endif()
	set(type unknown)
	if(NOT rc EQUAL 0)
	elseif(text MATCHES "^ED25519 Public-Key")
		set(type ed25519)
	elseif(text MATCHES "^X25519 Public-Key")
		set(type x25519)
	elseif(text MATCHES "NIST CURVE: P-256")
		set(type p256)
	elseif(text MATCHES "NIST CURVE: P-384")
		set(type p384)
	elseif(text MATCHES "^(RSA )?Public-Key: \\(([0-9]+) bit\\)\nModulus")
		set(type rsa${CMAKE_MATCH_2})
	endif()
	set(${out_var} ${type} PARENT_SCOPE)
	set(${priv_var} ${priv} PARENT_SCOPE)
endfunction()

# <out_var>: the scheme of encrypted images a device key of type enc_type
# (_fk_key_type) decrypts, empty for none.
function(_fk_enc_scheme enc_type out_var)
	set(scheme)
	if(enc_type STREQUAL "p256")
		set(scheme ECIES-P256)
	elseif(enc_type STREQUAL "x25519")
		set(scheme ECIES-X25519)
	elseif(enc_type STREQUAL "rsa2048")
		set(scheme RSA-OAEP)
	endif()
	set(${out_var} ${scheme} PARENT_SCOPE)
endfunction()

# A crypto port fk_boot_program() compiles from a Debian source package
# (libsodium, bearssl): fails the configure step when the source is
# missing; otherwise appends the port's C file to srcs, the include
# folders (ARGN) to incs, the Cortex-M3 archive lib_fn makes to libs and
# its target to deps, in the caller's scope.
macro(_fk_boot_source_port what package found src port_c lib_fn dep)
	if(NOT ${found})
		message(FATAL_ERROR "fk_boot_program(${what}): "
			"Debian's ${package} source is not at ${src}")
	endif()
	list(APPEND srcs ${port_c})
	list(APPEND incs ${ARGN})
	cmake_language(CALL ${lib_fn} _fk_port_lib)
	list(APPEND libs ${_fk_port_lib})
	list(APPEND deps ${dep})
endmacro()

function(fk_boot_program name)
	cmake_parse_arguments(X "" "LAYOUT;KEY;ENC_KEY;CRYPTO;CORE"
		"BOARD;INCLUDES;DEFINES" ${ARGN})
	set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
	set(gen ${out}.gen)
	get_filename_component(layout ${X_LAYOUT} ABSOLUTE)
	_fk_boot_gen(${name} ${out} ${gen} ${layout})
	if(X_CORE STREQUAL "flags")
		message(FATAL_ERROR "${name}: CORE flags is for board programs "
			"(fk_boot_board_program()); the QEMU programs' library "
			"has the lite update API only")
	endif()
	_fk_boot_core(${name} "${X_CORE}" "${X_ENC_KEY}" ${gen} core_defs
		core_check)
	set(srcs ${FK_ROOT}/ports/boot/boot_main.c ${gen}/boot_config.c
		${X_BOARD})
	set(incs ${FK_ROOT}/ports/boot ${X_INCLUDES})
	set(defs)
	set(libs)
	set(deps)
	set(key_type none)
	if(X_KEY)
		get_filename_component(key_abs ${X_KEY} ABSOLUTE)
		_fk_key_type(${key_abs} key_type key_priv)
		if(NOT key_type MATCHES "^(ed25519|p256|p384|rsa2048|rsa3072)$")
			message(FATAL_ERROR "fk_boot_program(${name} KEY ${X_KEY}): "
				"not an ECDSA P-256 or P-384, RSA-2048 or RSA-3072 or "
				"Ed25519 key PEM (openssl reads it as ${key_type})")
		endif()
		_fk_boot_key(${name} ${gen} ${X_KEY})
		list(APPEND srcs ${gen}/fk_boot_key.c)
	endif()
	set(enc_type none)
	if(X_ENC_KEY)
		get_filename_component(enc_abs ${X_ENC_KEY} ABSOLUTE)
		_fk_key_type(${enc_abs} enc_type enc_priv)
		_fk_enc_scheme(${enc_type} scheme)
		if(NOT X_KEY OR NOT enc_priv OR NOT scheme)
			message(FATAL_ERROR "fk_boot_program(${name} ENC_KEY "
				"${X_ENC_KEY}): ENC_KEY must be an unencrypted EC P-256 "
				"(ECIES-P256), X25519 (ECIES-X25519) or RSA-2048 "
				"(RSA-OAEP) private key PEM, and KEY must be given")
		endif()
		_fk_boot_enc_key(${name} ${gen} ${enc_abs})
		list(APPEND srcs ${gen}/fk_boot_enc_key.c)
		list(APPEND defs FK_BOOT_ENC)
	endif()
	set(port ${FK_ROOT}/ports/crypto-mbedtls)
	set(sodium_dir ${FK_ROOT}/ports/crypto-sodium)
	if(X_CRYPTO AND (NOT X_CRYPTO STREQUAL "bearssl" OR
	   NOT key_type STREQUAL "p256" OR X_ENC_KEY))
		message(FATAL_ERROR "fk_boot_program(${name} CRYPTO ${X_CRYPTO}): "
			"CRYPTO takes bearssl, with an ECDSA P-256 KEY and no "
			"ENC_KEY (the key is ${key_type})")
	elseif(X_CRYPTO)
		# BearSSL's P-256 verification alone, no mbedTLS, no heap
		set(crypto bearssl)
	elseif(key_type STREQUAL "ed25519" AND enc_type STREQUAL "none")
		# libsodium's verification alone, no mbedTLS, no heap
		set(crypto sodium)
	elseif(key_type STREQUAL "p256" AND enc_type MATCHES "^(none|p256)$")
		# the verify-only P-256 port on the bootloader's mbedTLS build
		set(crypto p256)
	elseif(key_type STREQUAL "ed25519" AND enc_type STREQUAL "x25519")
		# imgtool's pairing: libsodium verifies, the P-256 port on the
		# bootloader's mbedTLS build with Curve25519 decrypts
		set(crypto x25519)
	elseif(NOT key_type STREQUAL "none")
		# the full port on the full mbedTLS build (with libsodium's
		# Ed25519 for an Ed25519 key)
		set(crypto full)
	else()
		set(crypto none)
	endif()
	if(crypto STREQUAL "sodium" OR key_type STREQUAL "ed25519")
		_fk_boot_source_port("${name} KEY ..." libsodium FK_SODIUM_FOUND
			${FK_SODIUM_SRC} ${sodium_dir}/fk_crypto_sodium.c
			fk_sodium_cm3_library fk_cm3_sodium
			${sodium_dir} ${FK_SODIUM_INCLUDES})
	endif()
	if(crypto STREQUAL "bearssl")
		set(bearssl_dir ${FK_ROOT}/ports/crypto-bearssl)
		_fk_boot_source_port("${name} CRYPTO bearssl" bearssl
			FK_BEARSSL_FOUND ${FK_BEARSSL_SRC}
			${bearssl_dir}/fk_crypto_bearssl.c
			fk_bearssl_cm3_library fk_cm3_bearssl
			${bearssl_dir} ${FK_BEARSSL_INCLUDES})
		list(APPEND defs FK_BOOT_BEARSSL)
	endif()
	if(crypto MATCHES "^(p256|x25519|full)$")
		if(NOT FK_MBEDTLS_FOUND)
			message(FATAL_ERROR "fk_boot_program(${name} KEY ...): "
				"Debian's mbedtls source is not at ${FK_MBEDTLS_SRC}")
		endif()
		list(APPEND srcs ${port}/fk_crypto_mbedtls_p256.c
			${port}/target/fk_mbedtls_target.c)
		list(APPEND incs ${port} ${port}/target ${FK_MBEDTLS_SRC}/include)
	endif()
	if(crypto STREQUAL "sodium")
		list(APPEND defs FK_BOOT_ED25519)
	elseif(crypto STREQUAL "p256" AND X_ENC_KEY)
		list(APPEND srcs ${port}/fk_crypto_mbedtls_enc.c)
		list(APPEND defs FK_BOOT_ECDSA FK_MBEDTLS_WITH_ENC
			MBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_enc_config.h>)
		fk_mbedtls_cm3_boot_enc_library(mbedtls_lib)
		list(APPEND deps fk_cm3_mbedtls_boot_enc)
	elseif(crypto STREQUAL "x25519")
		list(APPEND srcs ${port}/fk_crypto_mbedtls_enc.c)
		list(APPEND defs FK_BOOT_ECDSA FK_MBEDTLS_WITH_ENC
			FK_MBEDTLS_WITH_SODIUM
			MBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_x25519_config.h>)
		fk_mbedtls_cm3_boot_x25519_library(mbedtls_lib)
		list(APPEND deps fk_cm3_mbedtls_boot_x25519)
	elseif(crypto STREQUAL "p256")
		list(APPEND defs FK_BOOT_ECDSA
			MBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_config.h>)
		fk_mbedtls_cm3_boot_library(mbedtls_lib)
		list(APPEND deps fk_cm3_mbedtls_boot)
	elseif(crypto STREQUAL "full")
		list(APPEND srcs ${port}/fk_crypto_mbedtls.c
			${port}/fk_crypto_mbedtls_enc.c)
		list(APPEND defs FK_BOOT_MBEDTLS
			MBEDTLS_CONFIG_FILE=<fk_mbedtls_config.h>)
		if(key_type STREQUAL "ed25519")
			list(APPEND defs FK_MBEDTLS_WITH_SODIUM)
		endif()
		fk_mbedtls_cm3_library(mbedtls_lib)
		list(APPEND deps fk_cm3_mbedtls)
	endif()
	if(crypto MATCHES "^(p256|x25519|full)$")
		list(PREPEND libs ${mbedtls_lib})
	endif()
	# the heap the key type needs (FK_BOOT_HEAP in DEFINES overrides it)
	if(crypto MATCHES "^(x25519|full)$" AND
	   NOT X_DEFINES MATCHES "FK_BOOT_HEAP=")
		_fk_boot_heap(${key_type} ${enc_type} heap)
		list(APPEND defs FK_BOOT_HEAP=${heap})
	endif()
	if(core_check)
		# the shared library's structures are those of the default
		# FK_BOOT_MAX_*: boot_main.c and boot_config.c keep them too
		list(APPEND defs FK_BOOT_LITE)
		add_custom_command(OUTPUT ${out}.lite ${core_check}
			COMMAND ${CMAKE_COMMAND} -E touch ${out}.lite
			DEPENDS ${gen}/layout.json ${FK_ROOT}/cmake/boot_program.cmake
			COMMENT "${name}'s layout against the lite core"
			VERBATIM)
		add_custom_target(${name}_lite DEPENDS ${out}.lite)
		list(APPEND deps ${name}_lite)
	endif()
	list(APPEND defs ${X_DEFINES})
	set(lite)
	if(core_check)
		set(lite LITE)
	endif()
	fk_cortexm_executable(${name} ${lite} SOURCES ${srcs}
		LINKER_SCRIPT ${out}.ld INCLUDES ${incs} DEFINES ${defs}
		LIBS ${libs})
	if(deps)
		add_dependencies(${name} ${deps})
	endif()
	_fk_boot_fits(${name} ${out} ${gen})
	add_dependencies(${name}_fits ${name})
endfunction()

# <out_var>: bytes of mbedTLS heap the full port needs for a KEY of type
# key_type and an ENC_KEY of type enc_type (none without): the larger of
# the two, each the smallest that validated and installed on QEMU (in
# 64-byte steps; docs/boot.md, "The bootloader program") plus a margin
# of 768 bytes.
function(_fk_boot_heap key_type enc_type out_var)
	# measured: P-256 3072 (qemu_boot_enc_validate), P-384 3840,
	# RSA-2048 5376, RSA-3072 7680; decrypting ECIES-X25519 2176 (with
	# Ed25519 signing), RSA-OAEP 10304 (with RSA-2048 signing)
	set(need_p256 3584)
	set(need_p384 4608)
	set(need_rsa2048 6144)
	set(need_rsa3072 8448)
	set(need_ed25519 0)
	set(need_none 0)
	set(enc_p256 3584)
	set(enc_x25519 2944)
	set(enc_rsa2048 11072)
	set(enc_none 0)
	set(heap ${need_${key_type}})
	if(enc_${enc_type} GREATER heap)
		set(heap ${enc_${enc_type}})
	endif()
	set(${out_var} ${heap} PARENT_SCOPE)
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

# The core of program <name> (the CORE of fk_boot_board_program() and
# fk_boot_program(): empty or full, fk_boot(); lite, fk_boot_lite();
# flags, fk_boot_flags(), board programs only):
# defs_var the -D options build.sh gets for it (fk_boot_program() takes
# FK_BOOT_LITE only), check_var the build step (COMMAND ...) that fails
# with the reason when the layout (gen/layout.json) does not suit it.
function(_fk_boot_core name core enc_key gen defs_var check_var)
	set(${defs_var} "" PARENT_SCOPE)
	set(${check_var} "" PARENT_SCOPE)
	set(flags)
	if(core STREQUAL "" OR core STREQUAL "full")
		return()
	elseif(NOT core MATCHES "^(lite|flags)$")
		message(FATAL_ERROR "${name}: CORE ${core}: "
			"CORE takes full (fk_boot(), the default), lite "
			"(fk_boot_lite(), one image) or flags (fk_boot_flags(), "
			"one image, overwrite or xip, the flag state)")
	elseif(enc_key)
		message(FATAL_ERROR "${name}: CORE ${core} with ENC_KEY "
			"${enc_key}: the ${core} core decrypts nothing; "
			"drop ENC_KEY or build the full core (CORE full)")
	endif()
	if(core STREQUAL "flags")
		set(flags FK_BOOT_FLAGS)
	endif()
	set(${defs_var} FK_BOOT_LITE ${flags} FK_BOOT_MAX_IMAGES=1
		FK_BOOT_MAX_MODULES=1 PARENT_SCOPE)
	set(${check_var} COMMAND ${CMAKE_COMMAND} -DMODE=${core}
		-DJSON=${gen}/layout.json -DNAME=${name}
		-P ${FK_ROOT}/cmake/boot_program.cmake PARENT_SCOPE)
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
	cmake_parse_arguments(X "" "LAYOUT;KEY;CPU;ENC_KEY;CRYPTO;CORE"
		"BOARD;INCLUDES;DEFINES" ${ARGN})
	set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
	set(gen ${out}.gen)
	get_filename_component(layout ${X_LAYOUT} ABSOLUTE)
	_fk_boot_gen(${name} ${out} ${gen} ${layout})
	_fk_boot_core(${name} "${X_CORE}" "${X_ENC_KEY}" ${gen} core_defs
		core_check)
	# for the build-time check of its configuration (tests/boot,
	# board_config_check.c): the defines boot_main.c gets, a key or not
	set_property(GLOBAL APPEND PROPERTY FK_BOOT_BOARD_PROGRAMS ${name})
	set_property(GLOBAL PROPERTY FK_BOOT_BOARD_${name}_DEFINES
		${core_defs} ${X_DEFINES})
	set_property(GLOBAL PROPERTY FK_BOOT_BOARD_${name}_KEY "${X_KEY}")
	set(key_c -)
	set(enc_c -)
	set(crypto -)
	set(deps)
	if(X_KEY)
		# ports/boot/build.sh compiles the P-256 port only
		get_filename_component(key_abs ${X_KEY} ABSOLUTE)
		_fk_key_type(${key_abs} key_type key_priv)
		if(NOT key_type STREQUAL "p256")
			message(FATAL_ERROR "fk_boot_board_program(${name} KEY "
				"${X_KEY}): board bootloaders check ECDSA P-256 "
				"signatures only (openssl reads the key as ${key_type}); "
				"fk_boot_program() (QEMU) takes the other types")
		endif()
		_fk_boot_key(${name} ${gen} ${X_KEY})
		set(key_c ${gen}/fk_boot_key.c)
		set(crypto mbedtls:${FK_MBEDTLS_SRC})
		list(APPEND deps ${key_c})
	endif()
	if(X_CRYPTO AND (NOT X_CRYPTO STREQUAL "bearssl" OR NOT X_KEY OR
	   X_ENC_KEY OR NOT FK_BEARSSL_FOUND))
		message(FATAL_ERROR "fk_boot_board_program(${name} CRYPTO "
			"${X_CRYPTO}): CRYPTO takes bearssl, with a KEY and no "
			"ENC_KEY, and Debian's bearssl source at ${FK_BEARSSL_SRC}")
	elseif(X_CRYPTO)
		set(crypto bearssl:${FK_BEARSSL_SRC})
	endif()
	if(X_ENC_KEY)
		get_filename_component(enc_abs ${X_ENC_KEY} ABSOLUTE)
		_fk_key_type(${enc_abs} enc_type enc_priv)
		if(NOT X_KEY OR NOT enc_priv OR NOT enc_type STREQUAL "p256")
			message(FATAL_ERROR "fk_boot_board_program(${name} ENC_KEY "
				"${X_ENC_KEY}): board bootloaders decrypt ECIES-P256 "
				"images only: ENC_KEY must be an unencrypted EC P-256 "
				"private key PEM, beside an ECDSA P-256 KEY")
		endif()
		_fk_boot_enc_key(${name} ${gen} ${enc_abs})
		set(enc_c ${gen}/fk_boot_enc_key.c)
		list(APPEND deps ${enc_c})
	endif()
	set(args)
	foreach(i IN LISTS X_INCLUDES)
		list(APPEND args -I${i})
	endforeach()
	foreach(d IN LISTS core_defs X_DEFINES)
		list(APPEND args -D${d})
	endforeach()
	set(board)
	foreach(b IN LISTS X_BOARD)
		get_filename_component(abs ${b} ABSOLUTE)
		list(APPEND board ${abs})
	endforeach()
	# Everything build.sh may read: the library's sources and headers,
	# the public headers, and every port's files (the board's drivers
	# and their headers, the crypto ports and their target builds). A
	# change to any of them rebuilds the bootloader; build.sh compiles
	# in one step, so there is no depfile to narrow it.
	file(GLOB lib_srcs ${FK_ROOT}/src/*/*.[ch]
		${FK_ROOT}/include/flashkit/*.h ${FK_ROOT}/ports/*/*.[ch]
		${FK_ROOT}/ports/*/target/*)
	foreach(i IN LISTS X_INCLUDES)
		file(GLOB inc_hdrs ${i}/*.h)
		list(APPEND lib_srcs ${inc_hdrs})
	endforeach()
	add_custom_command(OUTPUT ${out}.elf ${out}.bin
		${core_check}
		COMMAND bash ${FK_ROOT}/ports/boot/build.sh ${out} ${X_CPU}
			${gen}/layout.json ${out}.ld ${key_c} ${enc_c} ${crypto} --
			${args}
			${gen}/boot_config.c ${board}
		DEPENDS ${FK_ROOT}/ports/boot/build.sh ${gen}/boot_config.c
			${gen}/layout.json ${out}.ld ${board} ${lib_srcs} ${deps}
			${FK_ROOT}/cmake/boot_program.cmake
		COMMENT "${X_CPU} bootloader ${name}.elf for ${X_LAYOUT}"
		VERBATIM)
	add_custom_target(${name} ALL DEPENDS ${out}.elf ${out}.bin)
	_fk_boot_fits(${name} ${out} ${gen})
	add_dependencies(${name}_fits ${name})
endfunction()
