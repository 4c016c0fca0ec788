#!/usr/bin/env bash
# Image validation on the Cortex-M3 target (QEMU mps2-an385) with the
# mbedTLS port cross-compiled from Debian's source package (Ed25519 from
# Debian's libsodium source): the imgtool reference images (ECDSA P-256
# and P-384, RSA-2048 and RSA-3072, Ed25519, which flashkit signs byte for
# byte alike) verify with the compiled-in keys, and a flipped
# payload byte, a flipped signature byte, another key's image and an
# unsigned image are refused with the right code. imgtool's encrypted
# images (ECIES-P256 AES-128/256, ECIES-X25519 AES-128/256, RSA-OAEP)
# validate through their ciphertext with the device key set, the -c one
# and a flipped ciphertext byte are FK_EDIGEST, a flipped key-TLV byte is
# refused.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_ROOT:?}"
prog=$FK_TARGET_DIR/qemu_image_validate.elf
REFS=$FK_ROOT/tests/data/mcuboot-images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check <image file> <expected output line regex> [<offset to flip>]
# (with $prog, the full port)
n=0
check() {
	mkdir -p "$work/d"
	cp "$1" "$work/d/slot.bin"
	chmod u+w "$work/d/slot.bin"
	if [ -n "${3:-}" ]; then
		python3 - "$work/d/slot.bin" "$3" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2], 0)
b = bytearray(open(p, 'rb').read()); b[off] ^= 0x01; open(p, 'wb').write(b)
PY
	fi
	bash "$FK_QEMU_RUN" --dir "$work/d" --timeout 60 --expect "$2" "$prog" >/dev/null ||
		{ cat "$work/d/qemu.log"; echo "FAIL: $(basename "$1") ${3:+flip $3}: want $2" >&2; exit 1; }
	echo "ok: $(basename "$1") ${3:+(byte $3 flipped) }-> $(grep '^image:' "$work/d/qemu.log")"
	rm -rf "$work/d"
	n=$((n + 1))
}
check "$REFS/ecdsa-p256-basic.bin" '^image: valid key=0 version=1.2.3 sec=0$'
check "$REFS/rsa2048-basic.bin" '^image: valid key=1 version=3.1.4 sec=0$'
check "$REFS/ecdsa-p256-seccnt7-dep.bin" '^image: valid key=0 version=1.5.0 sec=7$'
check "$REFS/ecdsa-p256-pubkey-full.bin" '^image: valid key=0 version=1.2.0 sec=0$'
check "$REFS/ecdsa-p256-padded-confirmed-align4.bin" '^image: valid key=0 version=2.0.0 sec=0$'
check "$REFS/ecdsa-p256-custom-tlv.bin" '^image: valid key=0 version=1.2.0 sec=0$'
check "$REFS/ecdsa-p384-basic.bin" '^image: valid key=2 version=1.4.0 sec=0$'
check "$REFS/rsa3072-basic.bin" '^image: valid key=3 version=3.0.0 sec=0$'
check "$REFS/ecdsa-p384-basic.bin" '^image: FK_EDIGEST ' 0x1000
check "$REFS/ecdsa-p384-basic.bin" '^image: FK_ESIG ' $((13016 - 10))
check "$REFS/rsa3072-basic.bin" '^image: FK_ESIG ' $((13264 - 100))
# a flipped byte of the 48-byte KEYHASH (after the SHA384 TLV)
check "$REFS/ecdsa-p384-basic.bin" '^image: FK_EKEY ' $((0x3200 + 4 + 52 + 4 + 40))
check "$REFS/ecdsa-p256-basic.bin" '^image: FK_EDIGEST ' 0x1000
check "$REFS/ecdsa-p256-basic.bin" '^image: FK_ESIG ' $((12950 - 10))
check "$REFS/rsa2048-basic.bin" '^image: FK_ESIG ' $((13136 - 100))
check "$REFS/ecdsa-p256-basic.bin" '^image: FK_EKEY ' $((0x3200 + 4 + 36 + 4))
check "$REFS/unsigned-sha256-only.bin" '^image: FK_ESIG '
check "$REFS/ed25519-basic.bin" '^image: valid key=4 version=0.9.0 sec=0$'
check "$REFS/ed25519-basic.bin" '^image: FK_EDIGEST ' 0x200
check "$REFS/ed25519-basic.bin" '^image: FK_ESIG ' $((3401 - 10))
# the first and last byte of the signature's R half, of its S half
check "$REFS/ed25519-basic.bin" '^image: FK_ESIG ' $((3401 - 64))
check "$REFS/ed25519-basic.bin" '^image: FK_ESIG ' $((3401 - 1))
# a flipped byte of the KEYHASH (after the SHA256 TLV)
check "$REFS/ed25519-basic.bin" '^image: FK_EKEY ' $((0x100 + 3001 + 4 + 36 + 4 + 5))
check "$REFS/payload-12k.bin" '^image: FK_EBADIMG '
# Encrypted images (imgtool -E), validated as stored with the device key
# of their scheme (key private --c): the port unwraps the AES key and
# decrypts while the digest and the signature are computed.
check "$REFS/ecdsa-p256-enc-ecies-p256-aes128.bin" '^image: valid key=0 version=1.1.0 sec=0 decrypted$'
check "$REFS/ecdsa-p256-enc-ecies-p256-aes256.bin" '^image: valid key=0 version=1.1.1 sec=0 decrypted$'
check "$REFS/ed25519-enc-x25519-aes128.bin" '^image: valid key=4 version=1.2.1 sec=0 decrypted$'
check "$REFS/ed25519-enc-x25519-aes256.bin" '^image: valid key=4 version=1.2.2 sec=0 decrypted$'
check "$REFS/rsa2048-enc-rsa-oaep-aes128.bin" '^image: valid key=1 version=1.3.0 sec=0 decrypted$'
# -c: flagged and wrapped but clear; decrypting it breaks the digest
check "$REFS/ecdsa-p256-enc-ecies-p256-clear.bin" '^image: FK_EDIGEST .* decrypted$'
# a tampered ciphertext byte (first, middle, last of the payload)
for f in ecdsa-p256-enc-ecies-p256-aes128 ed25519-enc-x25519-aes256 \
	rsa2048-enc-rsa-oaep-aes128; do
	for off in 0x200 0x1801 $((0x200 + 12288 - 1)); do
		check "$REFS/$f.bin" '^image: FK_EDIGEST .* decrypted$' "$off"
	done
done
# a flipped byte of the key TLV (the last TLV: its value ends the file):
# the wrapped key, the HMAC or OAEP block, the ephemeral point
for spec in ecdsa-p256-enc-ecies-p256-aes128:113 \
	ed25519-enc-x25519-aes256:96 rsa2048-enc-rsa-oaep-aes128:256; do
	f=${spec%:*} tlv=${spec#*:}
	size=$(stat -c %s "$REFS/$f.bin")
	for off in $((size - 1)) $((size - tlv + 40)) $((size - tlv + 1)); do
		check "$REFS/$f.bin" '^image: FK_EKEY .* decrypted$' "$off"
	done
done
# The bootloader's crypto alone (fk_boot_program ENC_KEY: P-256 port with
# ECIES-P256 decryption, its own mbedTLS build, boot_main.c's 3.5 KiB heap)
prog=$FK_TARGET_DIR/qemu_boot_enc_validate.elf
check "$REFS/ecdsa-p256-enc-ecies-p256-aes128.bin" '^image: valid version=1.1.0$'
check "$REFS/ecdsa-p256-enc-ecies-p256-aes256.bin" '^image: valid version=1.1.1$'
check "$REFS/ecdsa-p256-basic.bin" '^image: valid version=1.2.3$'
check "$REFS/ecdsa-p256-enc-ecies-p256-aes256.bin" '^image: FK_EDIGEST ' 0x1801
check "$REFS/ecdsa-p256-enc-ecies-p256-aes128.bin" '^image: FK_EKEY ' $(($(stat -c %s "$REFS/ecdsa-p256-enc-ecies-p256-aes128.bin") - 1))
check "$REFS/ecdsa-p256-enc-ecies-p256-clear.bin" '^image: FK_EDIGEST '
# schemes this port leaves out
check "$REFS/rsa2048-enc-rsa-oaep-aes128.bin" '^image: FK_ENOTSUP '
check "$REFS/ed25519-enc-x25519-aes128.bin" '^image: FK_ENOTSUP '
echo "image on Cortex-M3: $n cases passed"
