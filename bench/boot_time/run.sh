#!/usr/bin/env bash
# Boot time: the Cortex-M3 instructions fk_image_validate() takes on a
# 256 KiB image (bench/boot_time/boot_time.c), with SHA-256 only, ECDSA
# P-256 (the bootloader's mbedTLS port), the same image encrypted
# (ECIES-P256, AES-128: fk_boot_program ENC_KEY's port), Ed25519 (the
# libsodium port) and ECDSA P-256 through the BearSSL port (its default
# br_ec_prime_i31, and br_ec_p256_m31),
# built -Os for Cortex-M3 as the bootloaders are, run on QEMU mps2-an385
# with -icount shift=0 (one instruction per virtual nanosecond) and
# counted with SysTick (one tick per 40 instructions at 25 MHz).
# Instructions, not cycles: a real part adds flash wait states and
# multi-cycle instructions (divide, load/store multiple).
#
#   bash bench/boot_time/run.sh
#     FK_TOOL   flashkit, to sign the images (default: build/*/cli/flashkit)
#     OUT       where to build (default: build/boot-time)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-build/boot-time}
MBEDTLS_SRC=${FK_MBEDTLS_SRC:-/var/cache/flashkit/mbedtls}
SODIUM_SRC=${FK_SODIUM_SRC:-/var/cache/flashkit/libsodium}
BEARSSL_SRC=${FK_BEARSSL_SRC:-/var/cache/flashkit/bearssl}
CC=arm-none-eabi-gcc
TOOL=${FK_TOOL:-$(ls -t build/*/cli/flashkit 2>/dev/null | head -1)}
[ -x "$TOOL" ] || { echo "no flashkit tool: build first, or set FK_TOOL" >&2; exit 1; }
[ -f "$MBEDTLS_SRC/library/sha256.c" ] || { echo "no mbedtls source at $MBEDTLS_SRC: scripts/deps.sh" >&2; exit 1; }
[ -d "$SODIUM_SRC/src/libsodium" ] || { echo "no libsodium source at $SODIUM_SRC: scripts/deps.sh" >&2; exit 1; }
[ -d "$BEARSSL_SRC/src/ec" ] || { echo "no bearssl source at $BEARSSL_SRC: scripts/deps.sh" >&2; exit 1; }
PORT=ports/crypto-mbedtls
# The bootloader's crypto modules and definitions (bench/boot_size).
. bench/boot_size/crypto.sh

ARCH="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
CFLAGS="$ARCH -std=c99 -Os -ffreestanding -ffunction-sections -fdata-sections"
WFLAGS="-Wall -Wextra -Werror"
SODIUM_INC=$SODIUM_SRC/src/libsodium/include/sodium
INC="-Iinclude -Iports/cortex-m -Iports/qemu-mps2 -I$PORT -I$PORT/target -I$MBEDTLS_SRC/include -Iports/crypto-sodium -I$SODIUM_INC -Iports/crypto-bearssl -I$BEARSSL_SRC/inc"
MBED_DEF="-DMBEDTLS_CONFIG_FILE=<$MBEDTLS_CONFIG>"
rm -rf "$OUT"
mkdir -p "$OUT/mbedtls" "$OUT/sodium" "$OUT/bearssl" "$OUT/fk"

for m in $MBEDTLS_MODULES; do
	$CC $CFLAGS -I$PORT/target -I$MBEDTLS_SRC/include "$MBED_DEF" \
		-c "$MBEDTLS_SRC/library/$m.c" -o "$OUT/mbedtls/$m.o"
done
arm-none-eabi-ar rcs "$OUT/libmbedcrypto.a" "$OUT"/mbedtls/*.o
mkdir -p "$OUT/mbedtls-enc"
for m in $MBEDTLS_MODULES $MBEDTLS_ENC_MODULES; do
	[ -f "$OUT/mbedtls-enc/$m.o" ] && continue
	$CC $CFLAGS -I$PORT/target -I$MBEDTLS_SRC/include \
		"-DMBEDTLS_CONFIG_FILE=<$MBEDTLS_ENC_CONFIG>" \
		-c "$MBEDTLS_SRC/library/$m.c" -o "$OUT/mbedtls-enc/$m.o"
done
arm-none-eabi-ar rcs "$OUT/libmbedcrypto-enc.a" "$OUT"/mbedtls-enc/*.o
for m in $SODIUM_MODULES; do
	$CC $CFLAGS -I"$SODIUM_INC" $SODIUM_DEFS -c "$SODIUM_SRC/src/libsodium/$m.c" \
		-o "$OUT/sodium/$(echo "$m" | tr / _).o"
done
arm-none-eabi-ar rcs "$OUT/libsodium.a" "$OUT"/sodium/*.o
for m in $BEARSSL_MODULES; do
	$CC $CFLAGS -I"$BEARSSL_SRC/inc" -I"$BEARSSL_SRC/src" -c "$BEARSSL_SRC/src/$m.c" \
		-o "$OUT/bearssl/$(echo "$m" | tr / _).o"
done
arm-none-eabi-ar rcs "$OUT/libbearssl.a" "$OUT"/bearssl/*.o
for f in src/image/*.c src/flash/*.c src/core/*.c; do
	$CC $CFLAGS $WFLAGS $INC "$MBED_DEF" -c "$f" -o "$OUT/fk/$(basename "$f" .c).o"
done
arm-none-eabi-ar rcs "$OUT/libfk.a" "$OUT"/fk/*.o

# A 256 KiB payload (the same bytes every run), signed three ways.
python3 -c "import random, sys; r = random.Random(256); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(256 * 1024)))" >"$OUT/payload.bin"
sign() { # $1 = key file or "", $2 = output
	"$TOOL" image sign ${1:+-k "$1"} -v 1.0.0 -H 0x200 --pad-header \
		"$OUT/payload.bin" "$2" >/dev/null
}
refs=tests/data/mcuboot-images
sign "" "$OUT/img-digest.bin"
sign $refs/ecdsa-p256.pem "$OUT/img-ecdsa.bin"
sign $refs/ed25519.pem "$OUT/img-ed25519.bin"
cp "$OUT/img-ecdsa.bin" "$OUT/img-bearssl.bin"
cp "$OUT/img-ecdsa.bin" "$OUT/img-bearssl_m31.bin"
"$TOOL" image sign -k $refs/ecdsa-p256.pem -E $refs/enc-ecies-p256.pub.pem \
	-v 1.0.0 -H 0x200 --pad-header "$OUT/payload.bin" "$OUT/img-ecdsa_enc.bin" >/dev/null

# The key as C, from its public PEM.
key_c() { # $1 = pub.pem, $2 = FK_KEY_*, $3 = output
	python3 - "$1" "$2" >"$3" <<'PY'
import base64, hashlib, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]) if not l.startswith("-----")))
hx = lambda b: ", ".join("0x%02x" % x for x in b)
print('#include "flashkit/image.h"')
print("static const uint8_t der[] = {%s};" % hx(der))
print("const struct fk_image_key boot_time_key = { %s, der, sizeof(der), { %s } };" % (sys.argv[2], hx(hashlib.sha256(der).digest())))
PY
}
key_c $refs/ecdsa-p256.pub.pem FK_KEY_ECDSA_P256 "$OUT/key-ecdsa.c"
key_c $refs/ed25519.pub.pem FK_KEY_ED25519 "$OUT/key-ed25519.c"
cp "$OUT/key-ecdsa.c" "$OUT/key-bearssl.c"
cp "$OUT/key-ecdsa.c" "$OUT/key-bearssl_m31.c"
echo >"$OUT/key-digest.c" # the digest only: no key
"$TOOL" key private --c --name boot_time_enc_key $refs/enc-ecies-p256.pem \
	-o "$OUT/enc-key.c"
cat "$OUT/key-ecdsa.c" "$OUT/enc-key.c" >"$OUT/key-ecdsa_enc.c"

build() { # $1 = digest|ecdsa|ecdsa_enc|ed25519|bearssl|bearssl_m31
	local c=$1 d=$OUT/$1 defs extra= mbed="$OUT/libmbedcrypto.a" mdef="$MBED_DEF"
	defs="-DBOOT_TIME_$(echo "$c" | tr a-z A-Z)"
	[ "$c" = ecdsa ] && extra="$PORT_SOURCES"
	if [ "$c" = ecdsa_enc ]; then
		extra="$PORT_SOURCES $PORT/fk_crypto_mbedtls_enc.c"
		defs="$defs -DFK_MBEDTLS_WITH_ENC"
		mbed="$OUT/libmbedcrypto-enc.a"
		mdef="-DMBEDTLS_CONFIG_FILE=<$MBEDTLS_ENC_CONFIG>"
	fi
	[ "$c" = ed25519 ] && extra="ports/crypto-sodium/fk_crypto_sodium.c"
	case $c in bearssl*) extra="ports/crypto-bearssl/fk_crypto_bearssl.c"
		defs="-DBOOT_TIME_BEARSSL" ;; esac
	[ "$c" = bearssl_m31 ] && defs="$defs -DFK_BEARSSL_P256_M31"
	mkdir -p "$d"
	sed -e "s/@FK_ROM_ORIGIN@/0x00000000/" -e "s/@FK_ROM_SIZE@/0x40000/" \
		-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
		ports/cortex-m/memory.ld.in >"$d/prog.ld"
	$CC $CFLAGS $WFLAGS $INC "$mdef" $defs -nostdlib -Wl,--gc-sections \
		-Lports/cortex-m -T "$d/prog.ld" -o "$d/prog.elf" \
		bench/boot_time/boot_time.c ports/cortex-m/startup.c \
		ports/cortex-m/string.c ports/qemu-mps2/semihost.c $extra \
		"$OUT/key-$c.c" "$OUT/libfk.a" "$mbed" \
		"$OUT/libsodium.a" "$OUT/libbearssl.a" -lgcc
}

run() { # $1 = check
	timeout 120 qemu-system-arm -M mps2-an385 -nographic -monitor none \
		-icount shift=0,align=off,sleep=off \
		-semihosting-config enable=on,target=native \
		-kernel "$OUT/$1/prog.elf" \
		-device loader,file="$OUT/img-$1.bin",addr=0x00200000,force-raw=on 2>&1 |
		sed -n 's/^boot_time: loop \([0-9]*\) ticks, validate \([0-9]*\) ticks, result \(-*[0-9]*\)$/\1 \2 \3/p'
}

echo "command: bash bench/boot_time/run.sh   date: $(date -u)   commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include ports bench/boot_time || echo '+changes')"
echo "compiler: $($CC --version | head -1); $ARCH -Os; QEMU: $(qemu-system-arm --version | head -1)"
echo "image: 256 KiB payload + 0x200 header, validated in memory-mapped flash"
echo
echo "| check | crypto port | calibration loop (2,000,000 instructions) | fk_image_validate: SysTick ticks | instructions (ticks x 40) | beyond the SHA-256 | at 64 MHz and 1 instruction per cycle |"
echo "|---|---|---|---|---|---|---|"
sha=0
for c in digest ecdsa ecdsa_enc ed25519 bearssl bearssl_m31; do
	build "$c"
	read -r loop ticks rc < <(run "$c") || { echo "$c: no result from QEMU" >&2; exit 1; }
	[ "$rc" = 0 ] || { echo "$c: fk_image_validate returned $rc" >&2; exit 1; }
	case $c in
	digest) label="SHA-256 only"; port=fk_crypto_builtin ;;
	ecdsa) label="ECDSA P-256"; port="$PORT_SYMBOL (mbedtls $(basename "$(readlink -f "$MBEDTLS_SRC")"))" ;;
	ecdsa_enc) label="ECDSA P-256, encrypted (ECIES-P256, AES-128)"; port="$PORT_SYMBOL + FK_MBEDTLS_WITH_ENC" ;;
	ed25519) label=Ed25519; port="fk_crypto_sodium_ed25519 (libsodium $(basename "$(readlink -f "$SODIUM_SRC")"))" ;;
	bearssl) label="ECDSA P-256"; port="fk_crypto_bearssl_p256 ($(basename "$(readlink -f "$BEARSSL_SRC")"), br_ec_prime_i31)" ;;
	bearssl_m31) label="ECDSA P-256"; port="fk_crypto_bearssl_p256 + FK_BEARSSL_P256_M31 (br_ec_p256_m31)" ;;
	esac
	instr=$((ticks * 40))
	[ "$c" = digest ] && sha=$instr
	echo "| $label | $port | $loop ticks ($((loop * 40)) instructions) | $ticks | $instr | $((instr - sha)) | $(python3 -c "print('%.0f ms' % ($instr / 64e3))") |"
done
