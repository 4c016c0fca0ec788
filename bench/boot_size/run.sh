#!/usr/bin/env bash
# Size of complete minimal flashkit bootloaders for Cortex-M4 -Os
# (bench/boot_size/boot_min.c: startup, stub flash driver, one image, the
# jump), per strategy, with the digest only (built-in SHA-256) and with
# ECDSA P-256 through the mbedTLS port (Debian's mbedtls 2.28 source) and
# with Ed25519 through the libsodium port (Debian's libsodium 1.0.18
# source, ports/crypto-sodium/target/sodium.cmake's files) and with
# ECDSA P-256 through the BearSSL port (Debian's bearssl 0.6 source,
# ports/crypto-bearssl/target/bearssl.cmake's files, no heap):
# text, data and bss from arm-none-eabi-size (bss without mbedTLS's
# heap), and the RAM a plain boot uses, measured by running the same
# program under QEMU mps2-an386 (Cortex-M4) on a flash image holding a
# valid signed image: the stack's high-water mark (the stack is painted
# before fk_boot) and the heap's (the last word mbedTLS's allocator
# touched). "Without marker.c": the same bootloader without the detection
# of updates written by other tools (src/boot/marker.c left out,
# FK_BOOT_NO_MARKER), for one that takes updates through the update API.
# The lite core's columns: fk_boot_lite()'s bootloader, and the last one
# its text with the boot state left out (bench/boot_size/no_state.c in
# place of src/boot/lite_state.c: a program that records nothing, built
# only to be measured), which is what any boot-state format has to fit
# beside under MCUboot's text. The flag core's columns (OVERWRITE and XIP):
# fk_boot_flags()'s bootloader (src/boot/flags_boot.c, the flag state
# instead of the log) built with the lite core's options, its stack and
# its boot time as the lite core's.
#
#   bash bench/boot_size/run.sh [--detail]
#     FK_TOOL   flashkit, to sign the images (default: build/*/cli/flashkit)
#     OUT       where to build (default: build/boot-size)
#     MCUBOOT   a checkout of MCUboot (v2.4.0: `git archive v2.4.0
#               boot/bootutil sim/mcuboot-sys/csupport`): its bootutil is
#               built beside, by mcuboot/build.sh, with the same compiler,
#               flags, startup, stub driver, map and mbedTLS, and its text
#               and RAM (run under QEMU on the same images) printed in
#               the same run (never copied into the tree)
#     LTO=1     every program optimised as a whole (-flto on flashkit,
#               mbedTLS, libsodium and MCUboot alike; ports/cortex-m/
#               string.c apart, as ports/boot/build.sh builds the board
#               bootloaders)
#     CHECKS    the signature checks to build (default: digest ecdsa
#               ed25519 bearssl)
#   --detail    also the biggest symbols of each program (nm --size-sort)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-build/boot-size}
DETAIL=${1:-}
MBEDTLS_SRC=${FK_MBEDTLS_SRC:-/var/cache/flashkit/mbedtls}
SODIUM_SRC=${FK_SODIUM_SRC:-/var/cache/flashkit/libsodium}
BEARSSL_SRC=${FK_BEARSSL_SRC:-/var/cache/flashkit/bearssl}
CC=arm-none-eabi-gcc
TOOL=${FK_TOOL:-$(ls -t build/*/cli/flashkit 2>/dev/null | head -1)}
[ -x "$TOOL" ] || { echo "no flashkit tool: build first, or set FK_TOOL" >&2; exit 1; }
[ -f "$MBEDTLS_SRC/library/sha256.c" ] || { echo "no mbedtls source at $MBEDTLS_SRC: scripts/deps.sh" >&2; exit 1; }
[ -d "$SODIUM_SRC/src/libsodium" ] || { echo "no libsodium source at $SODIUM_SRC: scripts/deps.sh" >&2; exit 1; }
[ -d "$BEARSSL_SRC/src/ec" ] || { echo "no bearssl source at $BEARSSL_SRC: scripts/deps.sh" >&2; exit 1; }
BS=bench/boot_size
PORT=ports/crypto-mbedtls
# The crypto port a bootloader links, and its mbedTLS modules and
# configuration (ports/crypto-mbedtls/target/mbedtls.cmake).
. "$BS/crypto.sh"

ARCH="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"
LTO_FLAG=
[ "${LTO:-0}" = 0 ] || LTO_FLAG=-flto=auto
CFLAGS="$ARCH -std=c99 -Os -ffreestanding -ffunction-sections -fdata-sections"
WFLAGS="-Wall -Wextra -Werror"
INC="-Iinclude -Iports/cortex-m -Iports/qemu-mps2 -I$PORT -I$PORT/target -I$MBEDTLS_SRC/include"
SODIUM_INC=$SODIUM_SRC/src/libsodium/include/sodium
MBED_DEF="-DMBEDTLS_CONFIG_FILE=<$MBEDTLS_CONFIG>"
rm -rf "$OUT"
mkdir -p "$OUT/mbedtls"

# mbedTLS, once
for m in $MBEDTLS_MODULES; do
	$CC $CFLAGS $LTO_FLAG -I$PORT/target -I$MBEDTLS_SRC/include "$MBED_DEF" \
		-c "$MBEDTLS_SRC/library/$m.c" -o "$OUT/mbedtls/$m.o"
done
arm-none-eabi-ar rcs "$OUT/libmbedcrypto.a" "$OUT"/mbedtls/*.o

# libsodium's Ed25519 verification, once, as sodium.cmake compiles it
mkdir -p "$OUT/sodium"
for m in $SODIUM_MODULES; do
	$CC $CFLAGS $LTO_FLAG -I"$SODIUM_INC" $SODIUM_DEFS -c "$SODIUM_SRC/src/libsodium/$m.c" \
		-o "$OUT/sodium/$(echo "$m" | tr / _).o"
done
arm-none-eabi-ar rcs "$OUT/libsodium.a" "$OUT"/sodium/*.o

# BearSSL's ECDSA P-256 verification, once, as bearssl.cmake compiles it
mkdir -p "$OUT/bearssl"
for m in $BEARSSL_MODULES; do
	$CC $CFLAGS $LTO_FLAG -I"$BEARSSL_SRC/inc" -I"$BEARSSL_SRC/src" -c "$BEARSSL_SRC/src/$m.c" \
		-o "$OUT/bearssl/$(echo "$m" | tr / _).o"
done
arm-none-eabi-ar rcs "$OUT/libbearssl.a" "$OUT"/bearssl/*.o

# The keys, from the reference public keys' PEM.
for k in ecdsa-p256:FK_KEY_ECDSA_P256 ed25519:FK_KEY_ED25519; do
	python3 - "$ROOT/tests/data/mcuboot-images/${k%%:*}.pub.pem" "${k#*:}" \
		>"$OUT/boot_min_key_${k%%:*}.c" <<'PY'
import base64, hashlib, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]) if not l.startswith("-----")))
hx = lambda b: ", ".join("0x%02x" % x for x in b)
print('#include "flashkit/image.h"')
print("static const uint8_t der[] = {%s};" % hx(der))
print("const struct fk_image_key boot_min_key = { %s, der, sizeof(der), { %s } };" % (sys.argv[2], hx(hashlib.sha256(der).digest())))
PY
done

# A flash image for the QEMU runs: a valid image in the primary slot
# (0x9000 of the flash at 0x00100000, boot_min.c's map).
payload=tests/data/mcuboot-images/payload-12k.bin
key=tests/data/mcuboot-images/ecdsa-p256.pem
mkflash() { # $1 = signing key or "", $2 = output, $3 = more sign options
	local img=$OUT/img.bin
	"$TOOL" image sign ${1:+-k "$1"} -v 1.0.0 -H 0x200 --pad-header --align 4 \
		-S 0x38000 ${3:-} "$payload" "$img" >/dev/null
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x100000)" >"$2"
	dd if="$img" of="$2" bs=1 seek=$((0x9000)) conv=notrunc status=none
}
mkflash "" "$OUT/flash-digest.bin"
mkflash "$key" "$OUT/flash-ecdsa.bin"
# for MCUboot's direct-xip, which boots a confirmed slot only
mkflash "" "$OUT/flash-digest-confirmed.bin" --confirm
mkflash "$key" "$OUT/flash-ecdsa-confirmed.bin" --confirm
# For the boot time: the same with a 192 KiB payload (the 12 KiB one 16
# times), so that hashing weighs as in a real application
big=$OUT/payload-192k.bin
for _ in $(seq 16); do cat tests/data/mcuboot-images/payload-12k.bin; done >"$big"
for f in digest ecdsa; do
	k=
	[ $f = ecdsa ] && k=$key
	payload=$big mkflash "$k" "$OUT/flash-$f-192k.bin"
	payload=$big mkflash "$k" "$OUT/flash-$f-192k-confirmed.bin" --confirm
done
mkflash tests/data/mcuboot-images/ed25519.pem "$OUT/flash-ed25519.bin"
cp "$OUT/flash-ecdsa.bin" "$OUT/flash-bearssl.bin"

# Builds one program: $1 = name, $2 = strategy, $3 = digest|ecdsa|ed25519|bearssl,
# $4 = size|qemu|nomarker (size, src/boot/marker.c left out)|lite|lite-qemu
# (the lite core, fk_boot_lite())|lite-nostate (lite, its boot state
# replaced by bench/boot_size/no_state.c: a size figure only)|flags|
# flags-qemu (the flag core, fk_boot_flags(), with the lite options). A
# bootloader with a key holds a signature of its one type on the stack
# (FK_IMAGE_SIG_MAX), as ports/boot/build.sh builds the boards'.
build() {
	local name=$1 strat=$2 crypto=$3 kind=$4 d=$OUT/$1
	# no device key, so no decryption (as board bootloaders)
	local defs="-DBOOT_MIN_STRATEGY=FK_BOOT_$(echo "$strat" | tr a-z A-Z) -DFK_IMAGE_NO_ENC"
	local skip=none
	if [ "$kind" = nomarker ]; then
		defs="$defs -DFK_BOOT_NO_MARKER"
		skip=src/boot/marker.c
	fi
	local rom=0x08000000 ram=0x20000000 extra=
	if [ "$kind" = lite-nostate ]; then
		skip=src/boot/lite_state.c
		extra="$BS/no_state.c"
	fi
	for s in overwrite swap xip ram_load; do
		[ "$s" = "$strat" ] || defs="$defs -DFK_BOOT_NO_$(echo "$s" | tr a-z A-Z)"
	done
	if [ "$crypto" = ecdsa ]; then
		defs="$defs -DBOOT_MIN_ECDSA -DBOOT_MIN_HEAP=$BOOT_MIN_HEAP $MBED_DEF -DBOOT_MIN_CRYPTO=$PORT_SYMBOL -DFK_IMAGE_SIG_MAX=72"
		extra="$extra $PORT_SOURCES $OUT/boot_min_key_ecdsa-p256.c"
	fi
	if [ "$crypto" = ed25519 ]; then
		defs="$defs -DBOOT_MIN_ED25519 -Iports/crypto-sodium -I$SODIUM_INC -DFK_IMAGE_SIG_MAX=64"
		extra="$extra ports/crypto-sodium/fk_crypto_sodium.c $OUT/boot_min_key_ed25519.c"
	fi
	if [ "$crypto" = bearssl ]; then
		defs="$defs -DBOOT_MIN_BEARSSL -Iports/crypto-bearssl -I$BEARSSL_SRC/inc -DFK_IMAGE_SIG_MAX=72"
		extra="$extra ports/crypto-bearssl/fk_crypto_bearssl.c $OUT/boot_min_key_ecdsa-p256.c"
	fi
	# a one-image product without a factory slot: one image's slots, one
	# module entry, a 256-byte scratch buffer, and with the digest only
	# the built-in SHA-256's state and no signature code
	case $kind in flags*)
		defs="$defs -DBOOT_MIN_FLAGS" ;;
	esac
	case $kind in lite* | flags*)
		defs="$defs -DBOOT_MIN_LITE -DFK_BOOT_LITE -DFK_BOOT_MAX_IMAGES=1 -DFK_BOOT_MAX_MODULES=1 -DFK_BOOT_NO_FACTORY -DBOOT_MIN_BUF=256 -DFK_CRC32_SMALL -DFK_FLASH_TRUSTED_AREAS"
		[ "$crypto" = digest ] && defs="$defs -DFK_SHA256_STATE_SIZE=104 -DFK_IMAGE_LITE_NO_SIG"
		;;
	esac
	if [ "$kind" = qemu ] || [ "$kind" = lite-qemu ] || [ "$kind" = flags-qemu ]; then
		defs="$defs -DBOOT_MIN_QEMU"
		rom=0x00000000
		extra="$extra ports/qemu-mps2/semihost.c"
	fi
	mkdir -p "$d/lib"
	# The other strategies' files are left out, as a product does.
	# tracked files only: a file being written beside is not measured
	for f in $(git ls-files "src/boot/*.c" "src/image/*.c" "src/flash/*.c" "src/core/*.c"); do
		case $f in
		src/boot/strategy_$strat.c) ;;
		# ram-load's choice, trial and revert are XIP's
		src/boot/strategy_xip.c) [ "$strat" = ram_load ] || continue ;;
		src/boot/strategy_*) continue ;;
		"$skip") continue ;;
		esac
		$CC $CFLAGS $LTO_FLAG $WFLAGS $INC $defs -c "$f" -o "$d/lib/$(basename "$f" .c).o"
	done
	arm-none-eabi-ar rcs "$d/libfk.a" "$d"/lib/*.o
	sed -e "s/@FK_ROM_ORIGIN@/$rom/" -e "s/@FK_ROM_SIZE@/0x20000/" \
		-e "s/@FK_RAM_ORIGIN@/$ram/" -e "s/@FK_RAM_SIZE@/0x10000/" \
		ports/cortex-m/memory.ld.in >"$d/boot.ld"
	$CC $CFLAGS $WFLAGS -c ports/cortex-m/string.c -o "$d/string.o"
	$CC $CFLAGS $LTO_FLAG $WFLAGS $INC $defs -nostdlib -Wl,--gc-sections \
		-Wl,-Map="$d/boot.map" -Lports/cortex-m -T "$d/boot.ld" \
		-o "$d/boot.elf" $BS/boot_min.c ports/cortex-m/startup.c \
		ports/cortex-m/jump.c "$d/string.o" $extra \
		"$d/libfk.a" "$OUT/libmbedcrypto.a" "$OUT/libsodium.a" \
		"$OUT/libbearssl.a" -lgcc
}

# The RAM a plain boot uses and its time: "stack heap instructions" from
# the QEMU program ("stack N heap M ticks T"; under -icount shift=0 a
# SysTick tick is 40 instructions, ports/qemu-mps2/systick.h).
measure() { # $1 = program dir, $2 = flash image
	timeout 60 qemu-system-arm -M mps2-an386 -nographic -monitor none \
		-icount shift=0,align=off,sleep=off -semihosting-config enable=on,target=native \
		-kernel "$OUT/$1/boot.elf" \
		-device loader,file="$2",addr=0x00100000,force-raw=on 2>&1 |
		sed -n 's/^boot_min: .*stack \([0-9]*\) heap \([0-9]*\) ticks \([0-9]*\).*/\1 \2 \3/p' |
		awk '{print $1, $2, $3 * 40}'
}

echo "command: bash bench/boot_size/run.sh   date: $(date -u)   commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include ports bench/boot_size || echo '+changes')"
echo "compiler: $($CC --version | head -1); $ARCH -Os $LTO_FLAG; crypto ports: $PORT_SYMBOL ($MBEDTLS_CONFIG), fk_crypto_sodium_ed25519 (libsodium $(basename "$(readlink -f "$SODIUM_SRC")")), fk_crypto_bearssl_p256 ($(basename "$(readlink -f "$BEARSSL_SRC")"))"
echo
echo "| strategy | check | text | data | bss (+ heap) | stack, plain boot | heap used | text without marker.c | lite core: text | bss | stack | boot, instructions: full core | lite core | lite text without its boot state | flag core: text | stack | boot, instructions |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for crypto in ${CHECKS:-digest ecdsa ed25519 bearssl}; do
	for strat in overwrite swap xip; do
		n=$strat-$crypto
		build "$n" "$strat" "$crypto" size
		build "$n-qemu" "$strat" "$crypto" qemu
		build "$n-nomarker" "$strat" "$crypto" nomarker
		build "$n-lite" "$strat" "$crypto" lite
		build "$n-lite-qemu" "$strat" "$crypto" lite-qemu
		build "$n-lite-nostate" "$strat" "$crypto" lite-nostate
		read -r text_ns _ < <(arm-none-eabi-size "$OUT/$n-lite-nostate/boot.elf" | tail -1)
		read -r text_nm _ < <(arm-none-eabi-size "$OUT/$n-nomarker/boot.elf" | tail -1)
		read -r text_l _ bss_l _ < <(arm-none-eabi-size "$OUT/$n-lite/boot.elf" | tail -1)
		read -r text data bss _ < <(arm-none-eabi-size "$OUT/$n/boot.elf" | tail -1)
		heap=0
		[ "$crypto" = ecdsa ] && heap=$BOOT_MIN_HEAP
		read -r stack hused _ < <(measure "$n-qemu" "$OUT/flash-$crypto.bin") ||
			{ echo "$n: the QEMU run did not boot the image" >&2; exit 1; }
		read -r stack_l _ < <(measure "$n-lite-qemu" "$OUT/flash-$crypto.bin") ||
			{ echo "$n-lite: the QEMU run did not boot the image" >&2; exit 1; }
		# the boot time on the 192 KiB image (ECDSA and SHA-256 only)
		insn=- insn_l=-
		if [ "$crypto" = digest ] || [ "$crypto" = ecdsa ]; then
			read -r _ _ insn < <(measure "$n-qemu" "$OUT/flash-$crypto-192k.bin") ||
				{ echo "$n: the QEMU run did not boot the 192 KiB image" >&2; exit 1; }
			read -r _ _ insn_l < <(measure "$n-lite-qemu" "$OUT/flash-$crypto-192k.bin") ||
				{ echo "$n-lite: the QEMU run did not boot the 192 KiB image" >&2; exit 1; }
		fi
		# the flag core (fk_boot_flags(): OVERWRITE and XIP only)
		text_f=- stack_f=- insn_f=-
		if [ "$strat" != swap ]; then
			build "$n-flags" "$strat" "$crypto" flags
			build "$n-flags-qemu" "$strat" "$crypto" flags-qemu
			read -r text_f _ < <(arm-none-eabi-size "$OUT/$n-flags/boot.elf" | tail -1)
			read -r stack_f _ < <(measure "$n-flags-qemu" "$OUT/flash-$crypto.bin") ||
				{ echo "$n-flags: the QEMU run did not boot the image" >&2; exit 1; }
			if [ "$insn" != - ]; then
				read -r _ _ insn_f < <(measure "$n-flags-qemu" "$OUT/flash-$crypto-192k.bin") ||
					{ echo "$n-flags: the QEMU run did not boot the 192 KiB image" >&2; exit 1; }
			fi
		fi
		label=SHA-256
		[ "$crypto" = ecdsa ] && label="ECDSA P-256"
		[ "$crypto" = ed25519 ] && label="Ed25519"
		[ "$crypto" = bearssl ] && label="ECDSA P-256 (BearSSL)"
		echo "| $strat | $label | $text | $data | $((bss - heap)) (+ $heap) | $stack | $hused | $text_nm | $text_l | $((bss_l - heap)) | $stack_l | $insn | $insn_l | $text_ns | $text_f | $stack_f | $insn_f |"
	done
done
if [ -n "${MCUBOOT:-}" ]; then
	echo
	echo "MCUboot bootutil from $MCUBOOT, same run (build log: $OUT/mcuboot.log):"
	echo
	echo "| MCUboot strategy | check | text | data | bss (+ heap) | stack, plain boot | heap used | boot, instructions |"
	echo "|---|---|---|---|---|---|---|---|"
	LTO=${LTO:-0} bash "$BS/mcuboot/build.sh" "$MCUBOOT" "$OUT/mcuboot" "$OUT" 2>"$OUT/mcuboot.log" |
		while read -r v c t dd b st hu insn; do
			label=SHA-256 heap=0
			[ "$c" = ecdsa ] && label="ECDSA P-256" heap=4096
			echo "| $(echo "$v" | tr A-Z_ a-z-) | $label | $t | $dd | $((b - heap)) (+ $heap) | $st | $hu | $insn |"
		done
fi
if [ "$DETAIL" = --detail ]; then
	for d in "$OUT"/*-digest "$OUT"/*-ecdsa "$OUT"/*-ed25519 "$OUT"/*-bearssl \
		"$OUT"/*-lite; do
		[ -d "$d" ] || continue
		echo
		echo "== $(basename "$d"): 25 largest symbols"
		arm-none-eabi-nm --size-sort -S "$d/boot.elf" | tail -25
	done
fi
