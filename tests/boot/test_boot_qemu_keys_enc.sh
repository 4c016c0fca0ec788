#!/usr/bin/env bash
# The bootloader built with fk_boot_program(... ENC_KEY) on QEMU
# mps2-an385, for one scheme (argument): p256 (qemu_boot_enc: ECDSA P-256
# signing key, ECIES-P256 device key), x25519 (qemu_boot_enc_x25519:
# Ed25519 signing key, ECIES-X25519 device key, imgtool's pairing;
# libsodium verifies, the P-256 port with Curve25519 decrypts) or rsa
# (qemu_boot_enc_rsa: RSA-2048 signing key, RSA-OAEP device key; the
# full port), each from tests/boot's QEMU layout and board, the device
# key from `flashkit key private --c`. App 1 is programmed as `image sign
# -E ... -c` makes it (clear, with its key TLV). An update signed and
# encrypted for the device key (`image sign --layout ... -E <device
# public key> --pending`, written into the staging window as a programmer
# would) is ciphertext in the flash file, installs and runs; after the
# swap the staging slot holds the old image encrypted, not its plaintext;
# a test install never confirmed is reverted (the old image decrypted
# back) and the new one is again only ciphertext in staging. Not
# installed (app 1 keeps running): an update encrypted for another key of
# the scheme, for a key of another scheme, and one with a flipped
# ciphertext byte.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_TOOL:?}" "${FK_ROOT:?}" "${FK_BUILD:?}"
scheme=${1:-p256}
refs=$FK_ROOT/tests/data/mcuboot-images
case $scheme in
p256) name=qemu_boot_enc sign_key=ecdsa-p256 enc=enc-ecies-p256
	what="ECIES-P256 private key" wrong=enc-x25519 ;;
x25519) name=qemu_boot_enc_x25519 sign_key=ed25519 enc=enc-x25519
	what="ECIES-X25519 private key" wrong=enc-ecies-p256 ;;
rsa) name=qemu_boot_enc_rsa sign_key=rsa-2048 enc=enc-rsa-2048
	what="RSA-OAEP private key" wrong=enc-x25519 ;;
*) echo "unknown scheme $scheme" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
layout=$FK_ROOT/tests/boot/qemu/qemu_boot_layout.yaml
apps=$FK_BUILD/tests/boot
boot=$FK_TARGET_DIR/$name.elf
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 60 "$@" "$boot"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# flash file offsets (the flash is at 0x00100000)
PRIMARY=$((0x4000)) STAGING=$((0x14000)) WINDOW=$((0x15000)) END=$((0x25000))

# update <enc pub key> <out>: app 2 signed, encrypted, for the window
update() {
	"$FK_TOOL" image sign --layout "$layout" --image app \
		-k "$refs/$sign_key.pem" -E "$1" -v 2.0.0 --pad-header \
		--pending "${3:-permanent}" "$apps/qemu_boot_app2.bin" "$2" >"$work/sign.txt"
	grep -q "staging slot 'app-b' at 0x00115000" "$work/sign.txt" ||
		{ cat "$work/sign.txt"; fail "the staging window moved"; }
}
device_with_app1() {
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
	dd if="$work/app1.img" of="$work/flash.bin" bs=1 seek=$PRIMARY conv=notrunc status=none
}
stage() { dd if="$1" of="$work/flash.bin" bs=1 seek=$WINDOW conv=notrunc status=none; }
# holds <app .bin> <from> <to>: 0 when the app's plaintext bytes
# [0x80, 0x180) appear in flash.bin[from, to). Apps 1 and 2 differ in one
# byte only (APP_VERSION, at 0xd4), which this range holds.
holds() {
	python3 - "$1" "$work/flash.bin" "$2" "$3" <<'PY'
import sys
code = open(sys.argv[1], 'rb').read()[0x80:0x180]
flash = open(sys.argv[2], 'rb').read()[int(sys.argv[3]):int(sys.argv[4])]
sys.exit(0 if code in flash else 1)
PY
}
# no_plaintext <from> <to>: 4 KiB of code both apps share is nowhere in
# flash.bin[from, to)
no_plaintext() {
	python3 - "$apps/qemu_boot_app1.bin" "$work/flash.bin" "$1" "$2" <<'PY' ||
import sys
code = open(sys.argv[1], 'rb').read()
flash = open(sys.argv[2], 'rb').read()[int(sys.argv[3]):int(sys.argv[4])]
sys.exit(1 if any(code[o:o + 64] in flash for o in range(0x200, 0x1200, 64)) else 0)
PY
		fail "app plaintext in staging ($3)"
}
flip() { # file offset: xor one byte with 0x01
	python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2], 0)
b = bytearray(open(p, 'rb').read()); b[off] ^= 0x01; open(p, 'wb').write(b)
PY
}

echo "== the bootloader with ENC_KEY fits and holds the device key"
cat "$FK_TARGET_DIR/$name.fits"
grep -q "$what" "$FK_TARGET_DIR/$name.gen/fk_boot_enc_key.c" ||
	fail "the bootloader's key is not the $what"

# app 1 as a factory programs it: -E with -c, clear in the primary slot
# but with its key TLV, so a swap can save it encrypted
"$FK_TOOL" image sign -k "$refs/$sign_key.pem" -E "$refs/$enc.pub.pem" -c \
	-v 1.0.0 -H 0x200 --pad-header -S 0x10000 --align 8 \
	"$apps/qemu_boot_app1.bin" "$work/app1.img" >/dev/null
device_with_app1
run --expect '^app: version 1 running$' >/dev/null
echo "ok: app 1 runs"

echo "== an encrypted update installs; staging only ever holds ciphertext"
update "$refs/$enc.pub.pem" "$work/app2.enc"
stage "$work/app2.enc"
no_plaintext $STAGING $END "app 2 staged"
holds "$apps/qemu_boot_app1.bin" $PRIMARY $STAGING || fail "app 1 is not in the primary slot"
run --expect '^app: version 2 running$' >/dev/null
holds "$apps/qemu_boot_app2.bin" $PRIMARY $STAGING || fail "app 2 not decrypted into the primary slot"
no_plaintext $STAGING $END "after the swap"
run --expect '^boot: image 2.0.0 valid, 0 flash operations' >/dev/null
echo "ok: app 2 installed and runs; staging holds app 1 encrypted"

echo "== a test install never confirmed is reverted"
device_with_app1
update "$refs/$enc.pub.pem" "$work/app2-test.enc" test
stage "$work/app2-test.enc"
run --expect '^app: version 2 running$' >/dev/null
run --expect '^app: version 1 running$' >/dev/null
holds "$apps/qemu_boot_app1.bin" $PRIMARY $STAGING || fail "app 1 not back in the primary slot"
no_plaintext $STAGING $END "after the revert"
run --expect '^boot: image 1.0.0 valid, 0 flash operations' >/dev/null
echo "ok: reverted to app 1; staging holds app 2 encrypted again"

echo "== updates the bootloader must not install"
not_installed() { # image what
	device_with_app1
	stage "$1"
	run >"$work/out.txt" 2>&1 || true
	grep -q '^app: version 1 running$' "$work/out.txt" ||
		{ cat "$work/out.txt"; fail "$2: app 1 is not running"; }
	holds "$apps/qemu_boot_app2.bin" $PRIMARY $STAGING && fail "$2: installed"
	echo "ok: $2 not installed: $(grep '^boot:' "$work/out.txt" | head -1)"
}
case $scheme in
p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/other.pem" 2>/dev/null ;;
x25519) openssl genpkey -algorithm X25519 -out "$work/other.pem" 2>/dev/null ;;
rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/other.pem" 2>/dev/null ;;
esac
openssl pkey -in "$work/other.pem" -pubout -out "$work/other.pub.pem"
update "$work/other.pub.pem" "$work/other.enc"
not_installed "$work/other.enc" "an update encrypted for another $scheme key"
update "$refs/$wrong.pub.pem" "$work/wrong.enc"
not_installed "$work/wrong.enc" "an update encrypted for a $wrong key"
cp "$work/app2.enc" "$work/flipped.enc"
flip "$work/flipped.enc" $((0x200 + 0x300))
not_installed "$work/flipped.enc" "an update with a flipped ciphertext byte"
echo "test_boot_qemu_keys_enc $scheme: passed"
