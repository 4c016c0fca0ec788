# Debian's mbedtls 2.28 source package, cross-compiled for Cortex-M: only
# the modules the crypto port needs, with fk_mbedtls_config.h.
#
# The source comes from `apt-get source mbedtls` (scripts/deps.sh puts it
# in /var/cache/flashkit/mbedtls; FK_MBEDTLS_SRC points elsewhere).
#
#   FK_MBEDTLS_FOUND        the source is there
#   FK_MBEDTLS_MODULES      library/<module>.c files compiled
#   FK_MBEDTLS_BOOT_MODULES the fewer a bootloader needs for
#                           fk_crypto_mbedtls_p256, compiled with
#                           fk_mbedtls_boot_config.h
#   FK_MBEDTLS_BOOT_ENC_MODULES  those and what decrypting ECIES-P256
#                           images adds (fk_crypto_mbedtls_p256 with
#                           FK_MBEDTLS_WITH_ENC), compiled with
#                           fk_mbedtls_boot_enc_config.h (with
#                           fk_mbedtls_boot_x25519_config.h also
#                           ECIES-X25519, for an Ed25519 bootloader)
#   fk_mbedtls_cm3_library(<out_var>)
#       In a host build with cmake/qemu.cmake: custom commands compiling
#       the modules for Cortex-M3 into ${FK_CM3_DIR}/libmbedcrypto_fk.a,
#       made by the one target fk_cm3_mbedtls however many folders call
#       this (two rules for one file would race in a parallel build);
#       sets <out_var> to the archive. fk_cortexm_executable() orders
#       every program after fk_cm3_mbedtls.
#   fk_mbedtls_cm3_boot_library(<out_var>)
#       The same for a bootloader: FK_MBEDTLS_BOOT_MODULES configured by
#       fk_mbedtls_boot_config.h, into ${FK_CM3_DIR}/libmbedcrypto_boot.a
#       (target fk_cm3_mbedtls_boot).
#   fk_mbedtls_cm3_boot_enc_library(<out_var>)
#       The same for a bootloader that decrypts: FK_MBEDTLS_BOOT_ENC_MODULES
#       with fk_mbedtls_boot_enc_config.h, into
#       ${FK_CM3_DIR}/libmbedcrypto_boot_enc.a (target
#       fk_cm3_mbedtls_boot_enc).
#   fk_mbedtls_cm3_boot_x25519_library(<out_var>)
#       The same modules with fk_mbedtls_boot_x25519_config.h (ECIES-X25519
#       as well), into ${FK_CM3_DIR}/libmbedcrypto_boot_x25519.a (target
#       fk_cm3_mbedtls_boot_x25519).
set(FK_MBEDTLS_SRC /var/cache/flashkit/mbedtls CACHE PATH
	"Debian's mbedtls source package (apt-get source mbedtls)")
set(FK_MBEDTLS_CONFIG_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FK_MBEDTLS_MODULES
	sha256 sha512 md platform platform_util memory_buffer_alloc constant_time
	bignum asn1parse asn1write oid pk pk_wrap pkparse
	ecp ecp_curves ecdsa rsa rsa_internal aes hkdf hmac_drbg ecdh)
set(FK_MBEDTLS_BOOT_MODULES
	platform platform_util memory_buffer_alloc constant_time
	bignum asn1parse ecp ecp_curves ecdsa)
set(FK_MBEDTLS_BOOT_ENC_MODULES ${FK_MBEDTLS_BOOT_MODULES}
	aes md sha256 hkdf hmac_drbg ecdh)
if(EXISTS ${FK_MBEDTLS_SRC}/library/sha256.c AND
   EXISTS ${FK_MBEDTLS_SRC}/include/mbedtls/version.h)
	set(FK_MBEDTLS_FOUND TRUE)
else()
	set(FK_MBEDTLS_FOUND FALSE)
endif()

# Third-party code: its own warnings are not ours to fix, so no -Werror.
set(FK_MBEDTLS_CM3_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99
	-Os -g -ffreestanding -ffunction-sections -fdata-sections
	-I${FK_MBEDTLS_CONFIG_DIR} -I${FK_MBEDTLS_SRC}/include
	-DMBEDTLS_CONFIG_FILE=<fk_mbedtls_config.h>)

# Compiles modules with config into lib, made by target tgt.
function(_fk_mbedtls_cm3 tgt lib dir config modules)
	if(TARGET ${tgt})
		return()
	endif()
	set(objs)
	set(flags ${FK_MBEDTLS_CM3_FLAGS})
	list(FILTER flags EXCLUDE REGEX "^-DMBEDTLS_CONFIG_FILE=")
	foreach(m IN LISTS modules)
		set(obj ${dir}/${m}.o)
		add_custom_command(OUTPUT ${obj}
			COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
			COMMAND ${FK_ARM_CC} ${flags}
				-DMBEDTLS_CONFIG_FILE=<${config}>
				-c ${FK_MBEDTLS_SRC}/library/${m}.c -o ${obj}
			DEPENDS ${FK_MBEDTLS_SRC}/library/${m}.c
				${FK_MBEDTLS_CONFIG_DIR}/${config}
			COMMENT "Cortex-M3 mbedtls ${m}.c (${config})"
			VERBATIM)
		list(APPEND objs ${obj})
	endforeach()
	fk_cm3_archive(${tgt} ${lib} "${objs}")
endfunction()

# The archive lib of objs, made by a new target tgt (also for libsodium's
# and BearSSL's objects, through fk_cm3_source_archive below).
function(fk_cm3_archive tgt lib objs)
	add_custom_command(OUTPUT ${lib}
		COMMAND ${CMAKE_COMMAND} -E rm -f ${lib}
		COMMAND ${FK_ARM_AR} rcs ${lib} ${objs}
		DEPENDS ${objs}
		VERBATIM)
	add_custom_target(${tgt} DEPENDS ${lib})
endfunction()

# Compiles <srcdir>/<module>.c of each of modules (paths with slashes
# allowed) with flags into objects under dir, archived into lib by a new
# target tgt; nothing when tgt exists already (one rule per file, however
# many folders ask). libsodium's and BearSSL's sources
# (ports/crypto-sodium/target/sodium.cmake,
# ports/crypto-bearssl/target/bearssl.cmake); label names them in the
# build's messages.
function(fk_cm3_source_archive tgt lib dir srcdir label modules flags)
	if(TARGET ${tgt})
		return()
	endif()
	set(objs)
	foreach(m IN LISTS modules)
		string(REPLACE "/" "_" name ${m})
		set(obj ${dir}/${name}.o)
		set(src ${srcdir}/${m}.c)
		add_custom_command(OUTPUT ${obj}
			COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
			COMMAND ${FK_ARM_CC} ${flags} -c ${src} -o ${obj}
			DEPENDS ${src}
			COMMENT "Cortex-M3 ${label} ${m}.c"
			VERBATIM)
		list(APPEND objs ${obj})
	endforeach()
	fk_cm3_archive(${tgt} ${lib} "${objs}")
endfunction()

function(fk_mbedtls_cm3_library out_var)
	set(lib ${FK_CM3_DIR}/libmbedcrypto_fk.a)
	set(${out_var} ${lib} PARENT_SCOPE)
	_fk_mbedtls_cm3(fk_cm3_mbedtls ${lib} ${FK_CM3_DIR}/mbedtls
		fk_mbedtls_config.h "${FK_MBEDTLS_MODULES}")
endfunction()

# The bootloader build <variant> (libmbedcrypto_<variant>.a, made by
# target fk_cm3_mbedtls_<variant>) of modules with config.
function(_fk_mbedtls_cm3_variant variant config modules)
	_fk_mbedtls_cm3(fk_cm3_mbedtls_${variant}
		${FK_CM3_DIR}/libmbedcrypto_${variant}.a
		${FK_CM3_DIR}/mbedtls_${variant} ${config} "${modules}")
endfunction()

function(fk_mbedtls_cm3_boot_library out_var)
	set(${out_var} ${FK_CM3_DIR}/libmbedcrypto_boot.a PARENT_SCOPE)
	_fk_mbedtls_cm3_variant(boot fk_mbedtls_boot_config.h
		"${FK_MBEDTLS_BOOT_MODULES}")
endfunction()

function(fk_mbedtls_cm3_boot_enc_library out_var)
	set(${out_var} ${FK_CM3_DIR}/libmbedcrypto_boot_enc.a PARENT_SCOPE)
	_fk_mbedtls_cm3_variant(boot_enc fk_mbedtls_boot_enc_config.h
		"${FK_MBEDTLS_BOOT_ENC_MODULES}")
endfunction()

function(fk_mbedtls_cm3_boot_x25519_library out_var)
	set(${out_var} ${FK_CM3_DIR}/libmbedcrypto_boot_x25519.a PARENT_SCOPE)
	_fk_mbedtls_cm3_variant(boot_x25519 fk_mbedtls_boot_x25519_config.h
		"${FK_MBEDTLS_BOOT_ENC_MODULES}")
endfunction()
