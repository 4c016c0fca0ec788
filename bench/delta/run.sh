#!/usr/bin/env bash
# Patch sizes on real firmware pairs (docs/delta.md, issue 15): flashkit's
# minimal bootloader for Cortex-M3 (boot core, image code, Debian's mbedTLS
# or libsodium; bench/delta/firmware.sh) built from consecutive commits of
# this repository and with a changed compiler flag, each signed with
# ECDSA P-256. For every pair, in the same run: the full image, gzip -9
# and xz -9 of it, Debian's bsdiff (its file as written, bzip2 inside; xz
# -9 of that file; and its three streams each xz -9'd instead of bzip2),
# flashkit's patch image (signed, with its TLVs) and its stream alone; the
# patch is applied by `flashkit image apply` and compared byte for byte,
# and by the device decoder for Cortex-M3 under QEMU (apply_cost.c) whose
# output CRC-32 is checked and whose instructions are counted. Then the
# decoder's code size (arm-none-eabi-size, -Os, Cortex-M3) and RAM.
#
#   bash bench/delta/run.sh
#     FK_TOOL   flashkit (default: the newest build/*/cli/flashkit)
#     OUT       where to build (default: build/bench-delta)
set -euo pipefail
cd "$(dirname "$0")/../.."
export FK_BENCH_ROOT=$PWD
OUT=${OUT:-build/bench-delta}
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)
TOOL=${FK_TOOL:-$(ls -t build/*/cli/flashkit 2>/dev/null | head -1)}
[ -x "$TOOL" ] || { echo "no flashkit tool: build first, or set FK_TOOL" >&2; exit 1; }
command -v bsdiff >/dev/null || { echo "bsdiff missing: apt-get install bsdiff" >&2; exit 1; }
. bench/delta/firmware.sh
KEY=tests/data/mcuboot-images/ecdsa-p256.pem
CC=arm-none-eabi-gcc
ARCH="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
CFLAGS="$ARCH -std=c99 -Os -ffreestanding -ffunction-sections -fdata-sections -Wall -Wextra -Werror"

# variant name, commit, crypto, extra CFLAGS
VARIANTS="
modules-before c339c7a^ ecdsa -Os
modules-after c339c7a ecdsa -Os
ramload-before bc3ea6c^ ecdsa -Os
ramload-after bc3ea6c ecdsa -Os
cryptoif-before cfb288d^ ecdsa -Os
cryptoif-after cfb288d ecdsa -Os
head-os HEAD ecdsa -Os
head-o2 HEAD ecdsa -O2
head-ed25519 HEAD ed25519 -Os
"
# old, new, what changed
PAIRS="
modules-before modules-after new_feature:_library_modules_(c339c7a)
ramload-before ramload-after feature_and_fixes:_ram-load_layout_(bc3ea6c)
cryptoif-before cryptoif-after small_change:_crypto_port_interface_(cfb288d)
head-os head-os version_bump_only:_same_code,_version_1.0.1
head-os head-o2 compiler_flag:_-Os_to_-O2
head-os head-ed25519 crypto_swap:_mbedTLS_ECDSA_to_libsodium_Ed25519
"

echo "command: bash bench/delta/run.sh   date: $(date -u)   commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src/delta host/delta bench/delta || echo '+changes')"
echo "compiler: $($CC --version | head -1); $ARCH; (Debian bsdiff $(dpkg-query -W -f '${Version}' bsdiff)); $(xz --version | head -1); gzip $(gzip --version | head -1 | awk '{print $2}')"
echo

echo "$VARIANTS" | while read -r name commit crypto flags; do
	[ -n "$name" ] || continue
	tree=$OUT/tree-$(echo "$commit" | tr '^' p)
	[ -d "$tree" ] || fw_tree "$commit" "$tree"
	rm -rf "$OUT/$name"
	fw_build "$tree" "$OUT/$name" "$crypto" "$flags" >/dev/null
	"$TOOL" image sign -k $KEY -v 1.0.0 -H 0x200 --pad-header \
		"$OUT/$name/fw.bin" "$OUT/$name.img" >/dev/null
	"$TOOL" image sign -k $KEY -v 1.0.1 -H 0x200 --pad-header \
		"$OUT/$name/fw.bin" "$OUT/$name.v2.img" >/dev/null
done

# The device decoder for QEMU.
d=$OUT/qemu
mkdir -p "$d"
sed -e "s/@FK_ROM_ORIGIN@/0x00000000/" -e "s/@FK_ROM_SIZE@/0x40000/" \
	-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
	ports/cortex-m/memory.ld.in >"$d/prog.ld"
$CC $CFLAGS -Iinclude -Iports/qemu-mps2 -Iports/cortex-m -nostdlib -Wl,--gc-sections \
	-Lports/cortex-m -T "$d/prog.ld" -o "$d/apply.elf" \
	bench/delta/apply_cost.c src/delta/delta.c src/core/crc32.c \
	ports/cortex-m/startup.c ports/cortex-m/string.c \
	ports/qemu-mps2/semihost.c -lgcc

stream_of() { # $1 = patch image, $2 = stream output: the payload; prints
	# the block size log2 from its FK_DELTA_NEW TLV (0xe2)
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
hdr, = struct.unpack_from("<H", d, 8)
size, = struct.unpack_from("<I", d, 12)
open(sys.argv[2], "wb").write(d[hdr:hdr + size])
off = hdr + size + 4
while True:
	t, n = struct.unpack_from("<HH", d, off)
	if t == 0xe2:
		print(d[off + 5])
		break
	off += 4 + n
PY
}

qemu_apply() { # $1 = old img, $2 = new img, $3 = stream, $4 = block log2;
	# prints "calibration-ticks apply-ticks stack-bytes"
	python3 - "$1" "$2" "$3" "$d/params.bin" "$4" <<'PY'
import os, struct, sys
open(sys.argv[4], "wb").write(struct.pack("<IIII", os.path.getsize(sys.argv[1]),
	os.path.getsize(sys.argv[2]), int(sys.argv[5]), os.path.getsize(sys.argv[3])))
PY
	local line want
	line=$(timeout 300 qemu-system-arm -M mps2-an385 -nographic -monitor none \
		-icount shift=0,align=off,sleep=off \
		-semihosting-config enable=on,target=native -kernel "$d/apply.elf" \
		-device loader,file="$1",addr=0x00200000,force-raw=on \
		-device loader,file="$3",addr=0x00300000,force-raw=on \
		-device loader,file="$d/params.bin",addr=0x003ff000,force-raw=on 2>&1 |
		sed -n 's/^delta_apply: loop \([0-9]*\) ticks, apply \([0-9]*\) ticks, result \(-*[0-9]*\), crc \([0-9]*\), stack \([0-9]*\)$/\1 \2 \3 \4 \5/p')
	want=$(python3 -c "import sys, zlib; print(zlib.crc32(open(sys.argv[1], 'rb').read()))" "$2")
	set -- $line
	[ "$3" = 0 ] && [ "$4" = "$want" ] || { echo "QEMU apply failed: $line (want crc $want)" >&2; exit 1; }
	echo "$1 $2 $5"
}

echo "| pair (old -> new) | full image | gzip -9 | xz -9 | flashkit compress | bsdiff (bzip2) | xz -9 of bsdiff | bsdiff streams xz -9 | flashkit patch image | its stream | stream / bsdiff+xz | apply: Cortex-M3 instructions |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
tot_stream=0
tot_bsx=0
echo "$PAIRS" | while read -r old new what; do
	[ -n "$old" ] || continue
	o=$OUT/$old.img
	n=$OUT/$new.img
	[ "$old" = "$new" ] && n=$OUT/$new.v2.img
	p=$OUT/$old-$new.patch.img
	"$TOOL" image delta --from "$o" "$n" -o "$p" -k $KEY >/dev/null
	"$TOOL" image apply --from "$o" "$p" -o "$OUT/rebuilt.img" >/dev/null
	"$TOOL" image compress "$n" -o "$OUT/small.img" -k $KEY >/dev/null
	cmp -s "$OUT/rebuilt.img" "$n" || { echo "$p does not rebuild $n" >&2; exit 1; }
	log2=$(stream_of "$p" "$OUT/stream.bin")
	bsdiff "$o" "$n" "$OUT/bs.patch"
	bsx=$(python3 - "$OUT/bs.patch" <<'PY'
import bz2, lzma, struct, sys
d = open(sys.argv[1], "rb").read()
cl, dl, ns = struct.unpack_from("<qqq", d, 8)
parts = [bz2.decompress(d[32:32 + cl]), bz2.decompress(d[32 + cl:32 + cl + dl]), bz2.decompress(d[32 + cl + dl:])]
print(32 + sum(len(lzma.compress(x, preset=9 | lzma.PRESET_EXTREME)) for x in parts))
PY
)
	read -r loop ticks stack < <(qemu_apply "$o" "$n" "$OUT/stream.bin" "$log2")
	sz() { stat -c %s "$1"; }
	full=$(sz "$n")
	st=$(sz "$OUT/stream.bin")
	echo "| $(echo "$what" | tr _ ' ') | $full | $(gzip -9 -c "$n" | wc -c) | $(xz -9 -c "$n" | wc -c) | $(sz "$OUT/small.img") | $(sz "$OUT/bs.patch") | $(xz -9 -c "$OUT/bs.patch" | wc -c) | $bsx | $(sz "$p") | $st | $(python3 -c "print('%.2f' % ($st / $bsx))") | $((ticks * 40)) ($(python3 -c "print('%.0f' % ($ticks * 40 / $full))")/byte; stack $stack B) |"
	[ "$loop" = 50000 ] || echo "calibration loop: $((loop * 40)) instructions counted for 2,000,000" >&2
done

echo
echo "Block size (a restart after a power cut redoes at most one block): patch image bytes"
echo
echo "| pair | 4 KiB | 16 KiB | 64 KiB (default) |"
echo "|---|---|---|---|"
for pair in "modules-before modules-after" "head-os head-o2" "head-os head-ed25519"; do
	set -- $pair
	row="| $1 -> $2 |"
	for b in 4096 16384 65536; do
		"$TOOL" image delta --from "$OUT/$1.img" "$OUT/$2.img" -o "$OUT/b.img" -k $KEY --block-size $b >/dev/null
		row="$row $(stat -c %s "$OUT/b.img") |"
	done
	echo "$row"
done

echo
$CC $CFLAGS -Iinclude -c src/delta/delta.c -o "$OUT/delta.o" -fstack-usage
$CC $CFLAGS -Iinclude -c src/delta/delta_update.c -o "$OUT/delta_update.o"
printf '#include "flashkit/delta_update.h"\nchar fk_delta_size[sizeof(struct fk_delta)];\nchar fk_delta_update_size[sizeof(struct fk_delta_update)];\n' >"$OUT/size.c"
$CC $CFLAGS -Iinclude -c "$OUT/size.c" -o "$OUT/size.o"
echo "decoder: src/delta/delta.c, $ARCH -Os: $(arm-none-eabi-size "$OUT/delta.o" | awk 'NR == 2 {print $1 " bytes of text, " $2 " data, " $3 " bss"}'); struct fk_delta $(( 0x$(arm-none-eabi-nm -S "$OUT/size.o" | awk '$4 == "fk_delta_size" {print $2}') )) bytes; applying through the update API (src/delta/delta_update.c): $(arm-none-eabi-size "$OUT/delta_update.o" | awk 'NR == 2 {print $1}') bytes of text, struct fk_delta_update $(( 0x$(arm-none-eabi-nm -S "$OUT/size.o" | awk '$4 == "fk_delta_update_size" {print $2}') )) bytes; deepest frame $(sort -k2 -n -t$'\t' "$OUT/delta.su" | tail -1 | cut -f1,2 | tr '\t' ' ') bytes (-fstack-usage); the stack the QEMU runs reached is in the table (callbacks included)"
