#!/usr/bin/env bash
# The bootloader with an ECDSA P-384, RSA-2048, RSA-3072 or Ed25519 key on
# QEMU mps2-an385 (argument: p384, rsa2048, rsa3072, ed25519, or bearssl
# for an ECDSA P-256 key checked by BearSSL):
# ports/boot/ built by fk_boot_program() from qemu_boot_layout.yaml with
# that key of tests/data/mcuboot-images/, which makes it check images with
# the full mbedTLS port fk_crypto_mbedtls on its heap (FK_BOOT_MBEDTLS), or
# for Ed25519 with fk_crypto_sodium_ed25519 (libsodium's ref10 from
# Debian's source, no mbedTLS, no heap: FK_BOOT_ED25519), or for bearssl
# with fk_crypto_bearssl_p256 (BearSSL's P-256 code from Debian's source,
# no mbedTLS, no heap: FK_BOOT_BEARSSL, fk_boot_program CRYPTO). An image
# signed by `flashkit image sign` with that key boots, and an update
# signed by it (`--pending permanent`, written into the staging window as
# a programmer would) installs and runs; an image signed by an ECDSA P-256
# key (Ed25519 for bearssl), by another key of the same type, or with one
# signature byte flipped is not booted (recovery mode).
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_TOOL:?}" "${FK_ROOT:?}"
type=${1:?usage: test_boot_qemu_keys.sh p384|rsa2048|rsa3072|ed25519|bearssl}
wrong=ecdsa-p256 # the wrong type's key
case $type in
p384) pem=ecdsa-p384 gen=ecdsa-p384 tag=FK_KEY_ECDSA_P384 ;;
rsa2048) pem=rsa-2048 gen=rsa-2048 tag=FK_KEY_RSA2048 ;;
rsa3072) pem=rsa-3072 gen=rsa-3072 tag=FK_KEY_RSA3072 ;;
ed25519) pem=ed25519 gen=ed25519 tag=FK_KEY_ED25519 ;;
bearssl) pem=ecdsa-p256 gen=ecdsa-p256 tag=FK_KEY_ECDSA_P256 wrong=ed25519 ;;
*) echo "unknown key type $type" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
refs=$FK_ROOT/tests/data/mcuboot-images
key=$refs/$pem.pem
boot=$FK_TARGET_DIR/qemu_boot_$type.elf
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 60 "$@" "$boot"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
sign() { # key version output
	"$FK_TOOL" image sign -k "$1" -v "$2" -H 0x200 --pad-header \
		-S 0x10000 --align 8 "$FK_TARGET_DIR/qemu_boot_app${2%%.*}.bin" "$3"
}
# A blank flash with img in the primary slot.
flash_with() {
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
	dd if="$1" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
}
# Not booted: the bootloader goes to recovery mode (QEMU exits 2).
refused() { # image what
	flash_with "$1"
	run >"$work/out.txt" 2>&1 && status=0 || status=$?
	grep -q '^boot: recovery mode (' "$work/out.txt" && [ $status -eq 2 ] ||
		{ cat "$work/out.txt"; fail "$2 was booted (status $status)"; }
	echo "ok: $2 not booted: $(grep '^boot: recovery' "$work/out.txt")"
}

echo "== the $type bootloader fits its partition"
cat "$FK_TARGET_DIR/qemu_boot_$type.fits"
grep -q "$tag" "$FK_TARGET_DIR/qemu_boot_$type.gen/fk_boot_key.c" ||
	fail "the bootloader's key is not the $pem one"

echo "== a $pem-signed app boots; a $pem-signed update installs"
sign "$key" 1.0.0 "$work/app1.img"
flash_with "$work/app1.img"
run --expect '^app: version 1 running$'
# app 2 for the staging window (slot app-b + the swap's sector, 0x15000
# into the flash), marked permanent: installed at the next boot
"$FK_TOOL" image sign --layout "$FK_ROOT/tests/boot/qemu/qemu_boot_layout.yaml" \
	--image app -k "$key" -v 2.0.0 --pad-header --pending permanent \
	"$FK_TARGET_DIR/qemu_boot_app2.bin" "$work/app2.bin" | tee "$work/sign.txt"
grep -q "staging slot 'app-b' at 0x00115000" "$work/sign.txt" ||
	fail "the staging window moved: place app2.bin elsewhere"
dd if="$work/app2.bin" of="$work/flash.bin" bs=1 seek=$((0x15000)) conv=notrunc status=none
run --expect '^app: version 2 running$'
run --expect '^boot: image 2.0.0 valid, 0 flash operations'

echo "== images the bootloader must not boot"
sign "$refs/$wrong.pem" 1.0.0 "$work/wrong.img"
refused "$work/wrong.img" "an image of a $wrong key"
"$FK_TOOL" key generate -t "$gen" -o "$work/other.pem" >/dev/null
sign "$work/other.pem" 1.0.0 "$work/other.img"
refused "$work/other.img" "an image of another $pem key"
cp "$work/app1.img" "$work/flipped.img"
# the signature is the image's last TLV: a byte 20 from its end, its
# lowest bit flipped (writing a fixed value changed nothing when the byte
# already held it)
at=$(($(stat -c %s "$work/flipped.img") - 20))
byte=$(od -An -tu1 -j "$at" -N1 "$work/flipped.img")
printf "\\x$(printf %02x $((byte ^ 1)))" |
	dd of="$work/flipped.img" bs=1 seek="$at" conv=notrunc status=none
cmp -s "$work/app1.img" "$work/flipped.img" && fail "the byte did not change"
refused "$work/flipped.img" "an image with a flipped signature byte"
echo "test_boot_qemu_keys $type: passed"
