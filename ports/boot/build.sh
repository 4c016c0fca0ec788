#!/usr/bin/env bash
# Builds the flashkit bootloader for a real Cortex-M board: boot_main.c,
# the layout's boot_config.c, the board's files and their drivers, the
# device library (src/) with only the layout's strategies (the others'
# files left out, FK_BOOT_NO_<STRATEGY> defined), and with a key the
# bootloader's mbedTLS build. fk_boot_board_program() (cmake/boot.cmake)
# runs it after `flashkit layout gen`; the size check is its own step.
#
#   build.sh OUT CPU LAYOUT_JSON LINKER_SCRIPT KEY_C|- MBEDTLS_SRC|- \
#            -- [-DNAME=value | -Idir]... board.c...
# Writes OUT.elf, OUT.bin, OUT.map.
set -euo pipefail
out=$1 cpu=$2 json=$3 ld=$4 key_c=$5 mbed=$6
shift 6
[ "$1" = -- ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
CC=${FK_ARM_CC:-arm-none-eabi-gcc}
AR=${FK_ARM_AR:-arm-none-eabi-ar}
# Board bootloaders have no device key: no decryption (FK_IMAGE_NO_ENC)
flags="-mcpu=$cpu -mthumb -mfloat-abi=soft -std=c99 -Os -g -ffreestanding
	-ffunction-sections -fdata-sections -Wall -Wextra -Werror -DFK_IMAGE_NO_ENC
	-I$root/include -I$root/ports/boot -I$root/ports/cortex-m"
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
srcs=("$root/ports/boot/boot_main.c" "$root/ports/cortex-m/startup.c"
	"$root/ports/cortex-m/jump.c" "$root/ports/cortex-m/string.c"
	"${board[@]}")
libs=()
if [ "$key_c" != - ]; then
	port=$root/ports/crypto-mbedtls
	mflags="-I$port -I$port/target -I$mbed/include"
	mflags="$mflags -DMBEDTLS_CONFIG_FILE=<fk_mbedtls_boot_config.h>"
	flags="$flags $mflags -DFK_BOOT_ECDSA"
	srcs+=("$key_c" "$port/fk_crypto_mbedtls_p256.c"
		"$port/target/fk_mbedtls_target.c")
	mkdir -p "$work/mbedtls"
	modules=$(sed -n '/^set(FK_MBEDTLS_BOOT_MODULES/,/)/p' \
		"$port/target/mbedtls.cmake" |
		sed -e 's/set(FK_MBEDTLS_BOOT_MODULES//' -e 's/)//')
	for m in $modules; do
		# third-party code: its warnings are not ours (no -Werror)
		$CC -mcpu="$cpu" -mthumb -mfloat-abi=soft -std=c99 -Os \
			-ffreestanding -ffunction-sections -fdata-sections \
			$mflags -c "$mbed/library/$m.c" -o "$work/mbedtls/$m.o"
	done
	$AR rcs "$work/libmbedcrypto_boot.a" "$work"/mbedtls/*.o
	libs+=("$work/libmbedcrypto_boot.a")
fi
for f in "$root"/src/boot/*.c "$root"/src/image/*.c "$root"/src/flash/*.c \
	"$root"/src/core/*.c; do
	case $f in
	*/strategy_*.c)
		s=${f##*/strategy_}
		case " $files " in *" ${s%.c} "*) ;; *) continue ;; esac ;;
	esac
	$CC $flags "${extra[@]}" -include "$root/ports/cortex-m/ramfunc.h" \
		-c "$f" -o "$work/lib/$(basename "$f" .c).o"
done
$AR rcs "$work/libfk.a" "$work"/lib/*.o
$CC $flags "${extra[@]}" -nostdlib -Wl,--gc-sections -Wl,-Map="$out.map" \
	-L"$root/ports/cortex-m" -T "$ld" -o "$out.elf" "${srcs[@]}" \
	"$work/libfk.a" "${libs[@]}" -lgcc
arm-none-eabi-objcopy -O binary "$out.elf" "$out.bin"
