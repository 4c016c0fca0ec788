# Debian's bearssl 0.6 source package, cross-compiled for Cortex-M: only
# the files br_ecdsa_i31_vrfy_raw() needs on br_ec_prime_i31 (the port's
# default) or br_ec_p256_m31 (with FK_BEARSSL_P256_M31): ECDSA
# verification, the curve arithmetic with 31-bit limbs, the i31 big
# integers modulo the curve order. No configure step: BearSSL's
# src/config.h and inner.h detect what they need from the compiler.
#
# The source comes from `apt-get source bearssl` (scripts/deps.sh puts it
# in /var/cache/flashkit/bearssl; FK_BEARSSL_SRC points elsewhere).
#
#   FK_BEARSSL_FOUND     the source is there
#   FK_BEARSSL_MODULES   src/<file>.c compiled
#   FK_BEARSSL_INCLUDES  the include folder a port source needs
#   fk_bearssl_cm3_library(<out_var>)
#       In a host build with cmake/qemu.cmake: custom commands compiling
#       the modules for Cortex-M3 (-Os, sections for --gc-sections) into
#       ${FK_CM3_DIR}/libbearssl_fk.a, made by the one target
#       fk_cm3_bearssl however many folders call this; sets <out_var> to
#       the archive.
#
# The verification reaches ecdsa_i31_vrfy_raw.c (the check),
# ecdsa_i31_bits.c (the digest as an integer), ec_prime_i31.c or
# ec_p256_m31.c (the point arithmetic; the archive holds both, the link
# takes the one the port names), the curve tables ec_secp*r1.c (the
# check's switch names all three curves, so the P-384 and P-521 ones,
# 0.3 KB of constants, are linked too), the i31 helpers, i32_div32.c and
# ccopy.c. The linker keeps nothing else: no signing, no random numbers,
# no allocation.
include(${CMAKE_CURRENT_LIST_DIR}/../../crypto-mbedtls/target/mbedtls.cmake)

set(FK_BEARSSL_SRC /var/cache/flashkit/bearssl CACHE PATH
	"Debian's bearssl source package (apt-get source bearssl)")
set(FK_BEARSSL_MODULES
	ec/ecdsa_i31_vrfy_raw ec/ecdsa_i31_bits ec/ec_prime_i31 ec/ec_p256_m31
	ec/ec_secp256r1 ec/ec_secp384r1 ec/ec_secp521r1
	int/i31_add int/i31_bitlen int/i31_decmod int/i31_decode
	int/i31_encode int/i31_fmont int/i31_iszero int/i31_modpow
	int/i31_montmul int/i31_muladd int/i31_ninv31 int/i31_rshift
	int/i31_sub int/i31_tmont int/i32_div32 codec/ccopy)
set(FK_BEARSSL_INCLUDES ${FK_BEARSSL_SRC}/inc)
if(EXISTS ${FK_BEARSSL_SRC}/src/ec/ecdsa_i31_vrfy_raw.c)
	set(FK_BEARSSL_FOUND TRUE)
else()
	set(FK_BEARSSL_FOUND FALSE)
endif()

# Third-party code: its own warnings are not ours to fix, so no -Werror.
set(FK_BEARSSL_CM3_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99
	-Os -g -ffreestanding -ffunction-sections -fdata-sections
	-I${FK_BEARSSL_INCLUDES} -I${FK_BEARSSL_SRC}/src)

function(fk_bearssl_cm3_library out_var)
	set(lib ${FK_CM3_DIR}/libbearssl_fk.a)
	set(${out_var} ${lib} PARENT_SCOPE)
	fk_cm3_source_archive(fk_cm3_bearssl ${lib} ${FK_CM3_DIR}/bearssl
		${FK_BEARSSL_SRC}/src bearssl "${FK_BEARSSL_MODULES}"
		"${FK_BEARSSL_CM3_FLAGS}")
endfunction()
