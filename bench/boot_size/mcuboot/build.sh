#!/usr/bin/env bash
# MCUboot's bootutil built beside flashkit's minimal bootloaders, for
# measuring only (bench/boot_size/run.sh calls it): the same compiler,
# flags, startup, stub flash driver, flash map and mbedTLS build
# (fk_mbedtls_boot_config.h plus SHA-256), with this folder's port.
# MCUboot's sources are read from MCUBOOT (a checkout, e.g. the v2.4.0
# tag of github.com/mcu-tools/mcuboot) and never copied into the tree.
#
#   build.sh MCUBOOT OUT [FLASH_DIR]
# Prints one line per build: "<strategy> <sha|ecdsa> text data bss stack
# heap". With FLASH_DIR (run.sh's flash images: a valid image in the
# primary slot at 0x9000, flash-digest.bin and flash-ecdsa.bin; for
# direct-xip, which boots only a slot whose trailer says confirmed, the
# same signed with --confirm, flash-*-confirmed.bin), each program is built
# again with -DMB_QEMU and run under QEMU mps2-an386 as boot_min.c's RAM
# runs are: stack and heap are the high-water marks of a plain boot
# ("-" without the images; the script fails when MCUboot does not boot
# the image).
# LTO=1: everything optimised as a whole (-flto), string.c apart, as
# run.sh builds flashkit's.
set -euo pipefail
mcuboot=$1 out=$2 flash_dir=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
MB=${FK_MBEDTLS_SRC:-/var/cache/flashkit/mbedtls}
cs=$mcuboot/sim/mcuboot-sys/csupport
CC="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=gnu99 -Os
	-ffreestanding -ffunction-sections -fdata-sections -DNDEBUG"
CC0=$CC
[ "${LTO:-0}" = 0 ] || CC="$CC -flto"
rm -rf "$out"
mkdir -p "$out/inc/mcuboot_config" "$out/inc/os" "$out/mbed"
# The headers of MCUboot's simulator port (flash map, sysflash, the
# devicetree mock), and this folder's configuration.
cp -r "$cs/storage" "$cs/flash_map_backend" "$cs/sysflash" "$cs/devicetree.h" \
	"$out/inc/"
cp "$here/mcuboot_config.h" "$here/mcuboot_logging.h" "$out/inc/mcuboot_config/"
echo '#define ASSERT(x) ((void)0)' >"$out/inc/mcuboot_config/mcuboot_assert.h"
: >"$out/inc/os/os_malloc.h"
sed -e 's/FK_MBEDTLS_BOOT_CONFIG_H/MB_MBEDTLS_CONFIG_H/' \
	-e 's|^#define MBEDTLS_BIGNUM_C|#define MBEDTLS_SHA256_C\n#define MBEDTLS_SHA256_SMALLER\n&|' \
	"$root/ports/crypto-mbedtls/target/fk_mbedtls_boot_config.h" \
	>"$out/inc/mb_mbedtls_config.h"
MDEF="-DMBEDTLS_CONFIG_FILE=<mb_mbedtls_config.h>"
INC="-I$out/inc -I$mcuboot/boot/bootutil/include -I$mcuboot/boot/bootutil/src -I$MB/include -I$root/ports/cortex-m"
for m in sha256 platform platform_util memory_buffer_alloc constant_time \
	bignum asn1parse ecp ecp_curves ecdsa; do
	$CC -I"$out/inc" -I"$MB/include" "$MDEF" -c "$MB/library/$m.c" \
		-o "$out/mbed/$m.o"
done
arm-none-eabi-ar rcs "$out/libmb.a" "$out"/mbed/*.o
python3 - "$root/tests/data/mcuboot-images/ecdsa-p256.pub.pem" >"$out/keys.c" <<'PY'
import base64, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]) if not l.startswith("-----")))
print('#include "bootutil/sign_key.h"')
print("static const unsigned char k[] = {%s};" % ", ".join("0x%02x" % b for b in der))
print("static const unsigned int klen = sizeof(k);")
print("const struct bootutil_key bootutil_keys[] = { { k, &klen } };")
print("const int bootutil_key_cnt = 1;")
PY
sed -e "s/@FK_ROM_ORIGIN@/0x08000000/" -e "s/@FK_ROM_SIZE@/0x20000/" \
	-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
	"$root/ports/cortex-m/memory.ld.in" >"$out/boot.ld"
sed -e "s/@FK_ROM_ORIGIN@/0x00000000/" -e "s/@FK_ROM_SIZE@/0x20000/" \
	-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
	"$root/ports/cortex-m/memory.ld.in" >"$out/boot-qemu.ld"
# "stack heap instructions" of a plain boot: $1 = program dir, $2 = flash
# image (as bench/boot_size/run.sh measures flashkit's)
measure() {
	local line
	line=$(timeout 60 qemu-system-arm -M mps2-an386 -nographic \
		-monitor none -icount shift=0,align=off,sleep=off \
		-semihosting-config enable=on,target=native \
		-kernel "$1/boot-qemu.elf" \
		-device loader,file="$2",addr=0x00100000,force-raw=on 2>&1 |
		sed -n 's/^mcuboot: .*stack \([0-9]*\) heap \([0-9]*\) ticks \([0-9]*\).*/\1 \2 \3/p')
	[ -n "$line" ] || { echo "$1: MCUboot did not boot the image under QEMU" >&2; return 1; }
	echo "$line" | awk '{print $1, $2, $3 * 40}'
}
$CC0 -c "$root/ports/cortex-m/string.c" -o "$out/string.o"
for crypto in sha ecdsa; do
	for v in OVERWRITE SWAP_MOVE SWAP_OFFSET XIP; do
		d=$out/$v-$crypto
		mkdir -p "$d/o"
		defs="-DMB_$v"
		extra=
		if [ $crypto = ecdsa ]; then
			defs="$defs -DMB_ECDSA"
			extra="$out/keys.c $root/ports/crypto-mbedtls/target/fk_mbedtls_target.c"
		fi
		for f in "$mcuboot"/boot/bootutil/src/*.c; do
			case $f in
			*psa* | *ed25519* | *encrypted* | *delay_rng*) continue ;;
			esac
			$CC $INC $defs "$MDEF" -include "$here/mb_compat.h" \
				-c "$f" -o "$d/o/$(basename "$f" .c).o"
		done
		arm-none-eabi-ar rcs "$d/libbootutil.a" "$d"/o/*.o
		$CC $INC $defs "$MDEF" -nostdlib -Wl,--gc-sections \
			-Wl,-Map="$d/boot.map" -L"$root/ports/cortex-m" \
			-T "$out/boot.ld" -o "$d/boot.elf" "$here/port.c" $extra \
			"$root/ports/cortex-m/startup.c" \
			"$root/ports/cortex-m/jump.c" \
			"$out/string.o" "$d/libbootutil.a" \
			"$out/libmb.a" -lgcc
		ram="- -" insn=-
		if [ -n "$flash_dir" ]; then
			flash=$flash_dir/flash-digest
			[ $crypto = ecdsa ] && flash=$flash_dir/flash-ecdsa
			conf=
			[ $v = XIP ] && conf=-confirmed
			$CC $INC $defs -DMB_QEMU -I"$root/ports/qemu-mps2" \
				"$MDEF" -nostdlib -Wl,--gc-sections \
				-L"$root/ports/cortex-m" -T "$out/boot-qemu.ld" \
				-o "$d/boot-qemu.elf" "$here/port.c" $extra \
				"$root/ports/cortex-m/startup.c" \
				"$root/ports/cortex-m/jump.c" \
				"$root/ports/qemu-mps2/semihost.c" \
				"$out/string.o" "$d/libbootutil.a" \
				"$out/libmb.a" -lgcc
			st= insn=
			read -r st hu _ < <(measure "$d" "$flash$conf.bin")
			[ -n "$st" ] || exit 1
			ram="$st $hu"
			# the boot time on the 192 KiB image, if run.sh made it
			if [ -f "$flash-192k$conf.bin" ]; then
				read -r _ _ insn < <(measure "$d" "$flash-192k$conf.bin")
				[ -n "$insn" ] || exit 1
			else
				insn=-
			fi
		fi
		echo "$v $crypto $(arm-none-eabi-size "$d/boot.elf" | tail -1 |
			awk '{print $1, $2, $3}') $ram $insn"
	done
done
