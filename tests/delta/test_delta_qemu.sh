#!/usr/bin/env bash
# The device decoder on the target: src/delta/delta.c built -Os for
# Cortex-M3 with bench/delta/apply_cost.c and run under QEMU mps2-an385
# rebuilds a new image from a patch (code inserted, a constant changed)
# and from a compressed image, fed in 256-byte pieces, byte for byte
# (CRC-32 of its output against the file's); a stream with a flipped byte
# does not rebuild the image (an error, or other bytes the image's digest
# then refuses).
set -euo pipefail
: "${FK_TOOL:?}" "${FK_ROOT:?}"
T=$FK_TOOL
D=$FK_ROOT/tests/data/mcuboot-images
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$FK_ROOT"
sed -e "s/@FK_ROM_ORIGIN@/0x00000000/" -e "s/@FK_ROM_SIZE@/0x40000/" \
	-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
	ports/cortex-m/memory.ld.in >"$W/prog.ld"
arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -mfloat-abi=soft -std=c99 -Os \
	-ffreestanding -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
	-Iinclude -Iports/qemu-mps2 -Iports/cortex-m -nostdlib -Wl,--gc-sections \
	-Lports/cortex-m -T "$W/prog.ld" -o "$W/apply.elf" \
	bench/delta/apply_cost.c src/delta/delta.c src/core/crc32.c \
	ports/cortex-m/startup.c ports/cortex-m/string.c \
	ports/qemu-mps2/semihost.c -lgcc

python3 - "$D/payload-12k.bin" "$W/p2.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[5000:5000] = bytes(range(100, 180))
d[9000] ^= 0x55
open(sys.argv[2], "wb").write(d)
PY
"$T" image sign -v 1.0.0 -H 0x200 --pad-header "$D/payload-12k.bin" "$W/v1.img" >/dev/null
"$T" image sign -v 1.1.0 -H 0x200 --pad-header "$W/p2.bin" "$W/v2.img" >/dev/null
"$T" image delta --from "$W/v1.img" "$W/v2.img" -o "$W/patch.img" --block-size 4096 >/dev/null
"$T" image compress "$W/v2.img" -o "$W/small.img" >/dev/null

# run <old image or /dev/null> <patch image> <new image> [flip offset]:
# prints the program's result and whether the CRC matched
run() {
	python3 - "$1" "$2" "$3" "$W" "${4:-}" <<'PY'
import os, struct, sys, zlib
old, patch, new, w, flip = sys.argv[1:6]
d = open(patch, "rb").read()
hdr, = struct.unpack_from("<H", d, 8)
size, = struct.unpack_from("<I", d, 12)
stream = bytearray(d[hdr:hdr + size])
if flip:
	stream[int(flip)] ^= 0x20
off = hdr + size + 4
while True:
	t, n = struct.unpack_from("<HH", d, off)
	if t == 0xe2:
		log2 = d[off + 5]
		break
	off += 4 + n
open(w + "/stream.bin", "wb").write(stream)
old_len = os.path.getsize(old) if old != "/dev/null" else 0
open(w + "/old.bin", "wb").write(open(old, "rb").read() if old_len else b"\0")
open(w + "/params.bin", "wb").write(struct.pack("<IIII", old_len,
	os.path.getsize(new), log2, len(stream)))
open(w + "/crc", "w").write(str(zlib.crc32(open(new, "rb").read())))
PY
	line=$(timeout 120 qemu-system-arm -M mps2-an385 -nographic -monitor none \
		-semihosting-config enable=on,target=native -kernel "$W/apply.elf" \
		-device loader,file="$W/old.bin",addr=0x00200000,force-raw=on \
		-device loader,file="$W/stream.bin",addr=0x00300000,force-raw=on \
		-device loader,file="$W/params.bin",addr=0x003ff000,force-raw=on 2>&1 |
		sed -n 's/^delta_apply: .*result \(-*[0-9]*\), crc \([0-9]*\),.*/\1 \2/p')
	set -- $line
	[ -n "${1:-}" ] || { echo "no result from QEMU"; return 1; }
	if [ "$2" = "$(cat "$W/crc")" ]; then echo "$1 same"; else echo "$1 differs"; fi
}

fails=0
expect() { # $1 = what, $2 = wanted, $3 = got
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: got '$3', want '$2'"
		fails=$((fails + 1))
	fi
}
expect "patch rebuilds v2 on Cortex-M3" "0 same" "$(run "$W/v1.img" "$W/patch.img" "$W/v2.img")"
expect "compressed image expands on Cortex-M3" "0 same" "$(run /dev/null "$W/small.img" "$W/v2.img")"
got=$(run "$W/v1.img" "$W/patch.img" "$W/v2.img" 40)
case $got in
*differs | -*) ;;
*) echo "FAIL: a flipped stream byte rebuilt v2 ($got)"; fails=$((fails + 1)) ;;
esac
[ "$fails" = 0 ] || exit 1
echo "ok: patch and compressed image rebuilt on Cortex-M3 under QEMU, a damaged stream not"
