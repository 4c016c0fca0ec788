#!/usr/bin/env bash
# Builds the flashkit bootloader for a real Cortex-M board: boot_main.c,
# the layout's boot_config.c, the board's files and their drivers, the
# device library (src/) with only the layout's strategies (the others'
# files left out, FK_BOOT_NO_<STRATEGY> defined), and with a key the
# bootloader's mbedTLS build (CRYPTO mbedtls:<Debian's mbedtls source>)
# or BearSSL's P-256 verification (bearssl:<Debian's bearssl source>:
# fk_crypto_bearssl_p256, FK_BOOT_BEARSSL, the files of
# ports/crypto-bearssl/target/bearssl.cmake); with a device key (ENC_C,
# from `flashkit key private --c --name fk_boot_enc_key`, mbedTLS only)
# also the decryption of ECIES-P256
# images (FK_BOOT_ENC: the port with FK_MBEDTLS_WITH_ENC on the mbedTLS
# build of fk_mbedtls_boot_enc_config.h), without it none of that code
# (FK_IMAGE_NO_ENC). fk_boot_board_program() (cmake/boot.cmake) runs it
# after `flashkit layout gen`; the size check is its own step.
#
# The program is optimised as a whole (-flto, link-time optimisation;
# FK_BOOT_LTO=0 turns it off): a smaller bootloader for the same code
# (bench/RESULTS.md, "Bootloader size"). ports/cortex-m/string.c stays
# out of it: the code generator emits calls to its memset/memcpy after
# link-time optimisation has run.
#
#   build.sh OUT CPU LAYOUT_JSON LINKER_SCRIPT KEY_C|- ENC_C|- \
#            mbedtls:SRC|bearssl:SRC|- -- [-DNAME=value | -Idir]... board.c...
# Writes OUT.elf, OUT.bin, OUT.map.
set -euo pipefail
out=$1 cpu=$2 json=$3 ld=$4 key_c=$5 enc_c=$6 crypto=${7%%:*} crypto_src=${7#*:}
shift 7
[ "$1" = -- ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
CC=${FK_ARM_CC:-arm-none-eabi-gcc}
AR=${FK_ARM_AR:-arm-none-eabi-ar}
flags="-mcpu=$cpu -mthumb -mfloat-abi=soft -std=c99 -Os -g -ffreestanding
	-ffunction-sections -fdata-sections -Wall -Wextra -Werror
	-I$root/include -I$root/ports/boot -I$root/ports/cortex-m"
lto=
[ "${FK_BOOT_LTO:-1}" = 0 ] || lto=-flto=auto
# Without a device key: no decryption code at all
[ "$enc_c" != - ] || flags="$flags -DFK_IMAGE_NO_ENC"
extra=() board=()
for a in "$@"; do
	case $a in
	-D* | -I*) extra+=("$a") ;;
	*) board+=("$a") ;;
	esac
done

# The strategies the layout's images use; the others are left out.
# ram-load is strategy_ram_load.c on top of strategy_xip.c.
used=$(python3 -c 'import json, sys
print(" ".join(sorted({i["strategy"].replace("-", "_") for i in json.load(open(sys.argv[1]))["images"]})))' "$json")
# The lite core (-DFK_BOOT_LITE among the options: fk_boot_lite(), one
# image; boot_program.cmake MODE=lite checked the layout suits it): no
# factory fallback's code when the image has no factory slot, no
# signature check in image_lite.c without a key, and none of the full
# core's files (boot.c, the strategy files, marker.c, crypt.c, the
# configuration check config.c); serial recovery's update API is
# lite_app.c's, on the lite log, instead of upload.c and app.c. And the
# size options: the flash's area calls without the memory-level range
# check, which areas checked when the configuration was built cannot fail
# (FK_FLASH_TRUSTED_AREAS), and the CRC-32 without its table
# (FK_CRC32_SMALL); tests/flash/test_small_builds.c holds both to the
# defaults.
lite=0
for a in "$@"; do [ "$a" = -DFK_BOOT_LITE ] && lite=1; done
if [ $lite = 1 ]; then
	flags="$flags -DFK_FLASH_TRUSTED_AREAS -DFK_CRC32_SMALL"
	python3 -c 'import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["images"][0].get("factory") else 1)' "$json" ||
		flags="$flags -DFK_BOOT_NO_FACTORY"
	# without a key: the digest only, with the built-in SHA-256's state
	[ "$key_c" != - ] ||
		flags="$flags -DFK_IMAGE_LITE_NO_SIG -DFK_SHA256_STATE_SIZE=104"
fi
for s in overwrite swap xip ram_load; do
	case " $used " in
	*" $s "*) ;;
	*) flags="$flags -DFK_BOOT_NO_$(echo "$s" | tr a-z A-Z)" ;;
	esac
done
files=$used
case " $used " in *" ram_load "*) files="$files xip" ;; esac

work=$out.objs
rm -rf "$work"
mkdir -p "$work/lib"
$CC $flags -c "$root/ports/cortex-m/string.c" -o "$work/string.o"
srcs=("$root/ports/boot/boot_main.c" "$root/ports/cortex-m/startup.c"
	"$root/ports/cortex-m/jump.c" "$work/string.o" "${board[@]}")
libs=()
# third-party code: its warnings are not ours (no -Werror)
third="-mcpu=$cpu -mthumb -mfloat-abi=soft -std=c99 -Os $lto -ffreestanding
	-ffunction-sections -fdata-sections"
if [ "$key_c" != - ] && [ "$crypto" = bearssl ]; then
	port=$root/ports/crypto-bearssl bearssl=$crypto_src
	srcs+=("$key_c" "$port/fk_crypto_bearssl.c")
	flags="$flags -DFK_BOOT_BEARSSL -I$port -I$bearssl/inc"
	mkdir -p "$work/bearssl"
	for m in $(sed -n '/^set(FK_BEARSSL_MODULES/,/)/p' "$port/target/bearssl.cmake" |
		sed -e 's/set(FK_BEARSSL_MODULES//' -e 's/)//'); do
		$CC $third -I"$bearssl/inc" -I"$bearssl/src" -c "$bearssl/src/$m.c" \
			-o "$work/bearssl/$(echo "$m" | tr / _).o"
	done
	$AR rcs "$work/libbearssl.a" "$work"/bearssl/*.o
	libs+=("$work/libbearssl.a")
elif [ "$key_c" != - ]; then
	port=$root/ports/crypto-mbedtls mbed=$crypto_src
	# mbedtls.cmake's module list NAME, the boot list's reference expanded
	modules_of() {
		sed -n "/^set($1/,/)/p" "$port/target/mbedtls.cmake" |
			sed -e "s/set($1//" -e 's/)//' \
				-e "s/\${FK_MBEDTLS_BOOT_MODULES}/$boot/"
	}
	boot=
	boot=$(modules_of FK_MBEDTLS_BOOT_MODULES | tr '\n\t' '  ')
	config=fk_mbedtls_boot_config.h set=FK_MBEDTLS_BOOT_MODULES
	srcs+=("$key_c" "$port/fk_crypto_mbedtls_p256.c"
		"$port/target/fk_mbedtls_target.c")
	flags="$flags -DFK_BOOT_ECDSA"
	if [ "$enc_c" != - ]; then
		config=fk_mbedtls_boot_enc_config.h set=FK_MBEDTLS_BOOT_ENC_MODULES
		srcs+=("$enc_c" "$port/fk_crypto_mbedtls_enc.c")
		flags="$flags -DFK_BOOT_ENC -DFK_MBEDTLS_WITH_ENC"
	fi
	mflags="-I$port -I$port/target -I$mbed/include"
	mflags="$mflags -DMBEDTLS_CONFIG_FILE=<$config>"
	flags="$flags $mflags"
	mkdir -p "$work/mbedtls"
	for m in $(modules_of $set); do
		$CC $third $mflags -c "$mbed/library/$m.c" -o "$work/mbedtls/$m.o"
	done
	$AR rcs "$work/libmbedcrypto_boot.a" "$work"/mbedtls/*.o
	libs+=("$work/libmbedcrypto_boot.a")
fi
# A board bootloader checks ECDSA P-256 only: the signature buffer on
# the stack holds its DER form (72 bytes), not RSA-3072's 384
[ "$key_c" = - ] || flags="$flags -DFK_IMAGE_SIG_MAX=72"
for f in "$root"/src/boot/*.c "$root"/src/image/*.c "$root"/src/flash/*.c \
	"$root"/src/core/*.c; do
	case $f in
	*/strategy_*.c)
		s=${f##*/strategy_}
		case " $files " in *" ${s%.c} "*) ;; *) continue ;; esac ;;
	esac
	if [ $lite = 1 ]; then
		case $f in */boot/marker.c | */boot/crypt.c | */boot/boot.c | \
			*/boot/strategy_*.c | */boot/config.c | */boot/upload.c | \
			*/boot/app.c) continue ;;
		esac
	fi
	$CC $flags $lto "${extra[@]}" -include "$root/ports/cortex-m/ramfunc.h" \
		-c "$f" -o "$work/lib/$(basename "$f" .c).o"
done
$AR rcs "$work/libfk.a" "$work"/lib/*.o
$CC $flags $lto "${extra[@]}" -nostdlib -Wl,--gc-sections -Wl,-Map="$out.map" \
	-L"$root/ports/cortex-m" -T "$ld" -o "$out.elf" "${srcs[@]}" \
	"$work/libfk.a" "${libs[@]}" -lgcc
arm-none-eabi-objcopy -O binary "$out.elf" "$out.bin"
