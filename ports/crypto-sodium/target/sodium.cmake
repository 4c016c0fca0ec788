# Debian's libsodium 1.0.18 source package, cross-compiled for Cortex-M:
# only the files crypto_sign_ed25519_verify_detached() needs (ref10
# Ed25519 with 32-bit field arithmetic, SHA-512, the constant-time
# compare), with no configure step: the definitions configure would make
# for Cortex-M are given here (CONFIGURED=1, NATIVE_LITTLE_ENDIAN=1; no
# 128-bit integers, so the 32-bit fe_25_5 field code).
#
# The source comes from `apt-get source libsodium` (scripts/deps.sh puts
# it in /var/cache/flashkit/libsodium; FK_SODIUM_SRC points elsewhere).
#
#   FK_SODIUM_FOUND     the source is there
#   FK_SODIUM_MODULES   src/libsodium/<file>.c compiled
#   FK_SODIUM_INCLUDES  the include folders a port source needs
#   FK_SODIUM_DEFINES   the definitions the modules are compiled with
#   fk_sodium_cm3_library(<out_var>)
#       In a host build with cmake/qemu.cmake: custom commands compiling
#       the modules for Cortex-M3 (-Os, sections for --gc-sections) into
#       ${FK_CM3_DIR}/libsodium_fk.a, made by the one target fk_cm3_sodium
#       however many folders call this; sets <out_var> to the archive.
#
# Of the sources, a verification reaches open.c (the check), sign.c (one
# helper starting the SHA-512 of the check), ed25519_ref10.c (field and
# group arithmetic), hash_sha512_cp.c, verify.c and, in utils.c,
# sodium_memcmp and sodium_memzero. The linker keeps nothing else: no
# signing, no random numbers, no allocation.
include(${CMAKE_CURRENT_LIST_DIR}/../../crypto-mbedtls/target/mbedtls.cmake)

set(FK_SODIUM_SRC /var/cache/flashkit/libsodium CACHE PATH
	"Debian's libsodium source package (apt-get source libsodium)")
set(FK_SODIUM_MODULES
	crypto_sign/ed25519/ref10/open
	crypto_sign/ed25519/ref10/sign
	crypto_core/ed25519/ref10/ed25519_ref10
	crypto_hash/sha512/cp/hash_sha512_cp
	crypto_verify/sodium/verify
	sodium/utils)
set(FK_SODIUM_INCLUDES ${FK_SODIUM_SRC}/src/libsodium/include/sodium)
set(FK_SODIUM_DEFINES CONFIGURED=1 NATIVE_LITTLE_ENDIAN=1)
if(EXISTS ${FK_SODIUM_SRC}/src/libsodium/crypto_sign/ed25519/ref10/open.c)
	set(FK_SODIUM_FOUND TRUE)
else()
	set(FK_SODIUM_FOUND FALSE)
endif()

# Third-party code: its own warnings are not ours to fix, so no -Werror.
set(FK_SODIUM_CM3_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99
	-Os -g -ffreestanding -ffunction-sections -fdata-sections
	-I${FK_SODIUM_INCLUDES})
foreach(d IN LISTS FK_SODIUM_DEFINES)
	list(APPEND FK_SODIUM_CM3_FLAGS -D${d})
endforeach()

function(fk_sodium_cm3_library out_var)
	set(lib ${FK_CM3_DIR}/libsodium_fk.a)
	set(${out_var} ${lib} PARENT_SCOPE)
	fk_cm3_source_archive(fk_cm3_sodium ${lib} ${FK_CM3_DIR}/sodium
		${FK_SODIUM_SRC}/src/libsodium libsodium "${FK_SODIUM_MODULES}"
		"${FK_SODIUM_CM3_FLAGS}")
endfunction()
