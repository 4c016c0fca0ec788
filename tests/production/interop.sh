#!/usr/bin/env bash
# Real peers from Debian check our files, and we read theirs:
#  - srec_cat reads our Intel HEX and S-record output (S1, S2, S3) and
#    writes the identical binary;
#  - our reader agrees with srec_cat on srec_cat-made HEX (all three
#    address lengths) and S-record files (S1, S2, S3);
#  - dfu-suffix -c accepts our .dfu files, dfuse-pack dumps the same
#    elements from them, and we read dfuse-pack's multi-target files;
#  - arm-none-eabi-objcopy agrees with our ELF reader.
source "$(dirname "$0")/lib.sh"

head -c 70000 /dev/urandom >data.bin
head -c 4000 data.bin >small.bin

# Our HEX / S-record at three address widths -> srec_cat -> binary.
for base in 0x1000 0x20000 0x08000000; do
	"$FK" convert data.bin --base $base -o ours.hex
	"$FK" convert data.bin --base $base -o ours.srec
	srec_cat ours.hex -Intel -offset -$base -o peer_hex.bin -Binary
	srec_cat ours.srec -Motorola -offset -$base -o peer_srec.bin -Binary
	same peer_hex.bin data.bin
	same peer_srec.bin data.bin
done
# The record type really follows the width.
"$FK" convert small.bin --base 0x1000 -o w.srec && grep -q '^S1' w.srec && ! grep -q '^S[23]' w.srec || fail "S1 expected"
"$FK" convert data.bin --base 0x20000 -o w.srec && grep -q '^S2' w.srec && ! grep -q '^S[13]' w.srec || fail "S2 expected"
"$FK" convert data.bin --base 0x08000000 -o w.srec && grep -q '^S3' w.srec && ! grep -q '^S[12]' w.srec || fail "S3 expected"
pass

# More than 65535 data records: the count goes in an S6 record.
head -c 1100000 /dev/urandom >big.bin
"$FK" convert big.bin --base 0x08000000 -o big.srec
grep -q '^S6' big.srec || fail "no S6 count record"
srec_cat big.srec -Motorola -offset -0x08000000 -o peer_big.bin -Binary
same peer_big.bin big.bin

# srec_cat-made files -> our reader, compared with srec_cat's own binary.
for al in 2 3 4; do
	in=$([ $al = 2 ] && echo small.bin || echo data.bin)
	srec_cat $in -Binary -o peer.hex -Intel -address-length=$al
	"$FK" convert peer.hex -o ours.bin
	same ours.bin $in
done
# Segment addressing (02 records) beyond 64 KiB.
srec_cat data.bin -Binary -offset 0x30000 -o peer.hex -Intel -address-length=3
grep -q '^:02000002' peer.hex || fail "srec_cat wrote no 02 record"
"$FK" convert peer.hex -o ours.bin
same ours.bin data.bin
for al in 2 3 4; do
	off=$((al == 2 ? 0x100 : al == 3 ? 0x30000 : 0x08000000))
	in=$([ $al = 2 ] && echo small.bin || echo data.bin)
	srec_cat $in -Binary -offset $off -o peer.srec -Motorola -address-length=$al
	grep -q "^S$((al - 1))" peer.srec || fail "srec_cat did not write S$((al - 1))"
	"$FK" convert peer.srec --input-format srec -o ours.bin
	srec_cat peer.srec -Motorola -offset -$off -o peer.bin -Binary 2>/dev/null
	same ours.bin peer.bin
	same ours.bin $in
done
# A sparse srec_cat file (two pieces, a hole between): same bytes, same fill.
srec_cat data.bin -Binary -crop 0 1000 -offset 0x08000000 \
	data.bin -Binary -crop 5000 9000 -offset 0x08000000 -o sparse.hex -Intel
"$FK" convert sparse.hex -o ours_sparse.bin --fill 0xFF
srec_cat sparse.hex -Intel -offset -0x08000000 -fill 0xFF 0 9000 -o peer_sparse.bin -Binary
same ours_sparse.bin peer_sparse.bin

# DfuSe: dfu-suffix accepts ours; dfuse-pack reads our elements back.
"$FK" convert data.bin --base 0x08000000 -o ours.dfu
dfu-suffix -c ours.dfu >suffix.txt 2>&1 || fail "dfu-suffix rejects ours.dfu: $(cat suffix.txt)"
grep -q "Vendor ID:.*0x0483" suffix.txt || fail "dfu-suffix: $(cat suffix.txt)"
pass
"$FK" convert sparse.hex -o sparse.dfu --name "Internal Flash"
dfu-suffix -c sparse.dfu >/dev/null 2>&1 || fail "dfu-suffix rejects sparse.dfu"
dfuse-pack -d sparse.dfu >dump.txt || fail "dfuse-pack cannot parse sparse.dfu"
grep -q "name: \"b'Internal Flash'\"\|name: \"Internal Flash\"" dump.txt || fail "dfuse-pack: $(cat dump.txt)"
head -c 1000 data.bin >e0.bin
dd if=data.bin of=e1.bin bs=1000 skip=5 count=4 status=none
same sparse.dfu.target0.image0.bin e0.bin
same sparse.dfu.target0.image1.bin e1.bin
grep -q "0, address: 0x08000000, size: 1000" dump.txt && grep -q "1, address: 0x08001388, size: 4000" dump.txt || fail "dfuse-pack: $(cat dump.txt)"
pass
# dfuse-pack's multi-target file: we read each target.
head -c 3000 data.bin >t0.bin
tail -c 2000 data.bin >t1.bin
dfuse-pack -b 0x08000000@0:t0.bin -b 0x90000000@1:t1.bin peer.dfu >/dev/null
expect_fail "2 targets; choose one with --target" "$FK" convert peer.dfu -o x.bin
"$FK" convert peer.dfu --target 0 -o got0.bin
"$FK" convert peer.dfu --target 1 -o got1.hex
"$FK" convert got1.hex --crop 0x90000000 0x900007D0 -o got1.bin
same got0.bin t0.bin
same got1.bin t1.bin

# ELF: objcopy's view of a real Cortex-M link is ours too.
if command -v arm-none-eabi-gcc >/dev/null; then
	cat >prog.c <<'C'
const unsigned table[64] = { 1, 2, 3, 4, 5 };
unsigned counter = 7;
int main(void) { return (int)(table[counter & 3] + counter); }
void _start(void) { main(); for (;;) ; }
C
	cat >prog.ld <<'LD'
MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 20K }
SECTIONS {
	.text : { *(.text*) *(.rodata*) } > FLASH
	.data : { *(.data*) } > RAM AT > FLASH
	.bss : { *(.bss*) } > RAM
}
LD
	arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -nostdlib -T prog.ld -o prog.elf prog.c
	# .data runs in RAM but is stored in flash: the physical address counts.
	arm-none-eabi-readelf -l prog.elf | grep -q "LOAD.*0x20000000 0x080" || fail "no .data load image in flash"
	arm-none-eabi-objcopy -O binary prog.elf peer_elf.bin
	arm-none-eabi-objcopy -O ihex prog.elf peer_elf.hex
	"$FK" convert prog.elf -o ours_elf.bin
	same ours_elf.bin peer_elf.bin
	# A script with a gap before FLASH (an image header area): ld maps
	# the ELF headers into the first PT_LOAD; they are not program bytes.
	sed 's/ORIGIN = 0x08000000, LENGTH = 64K/ORIGIN = 0x08000200, LENGTH = 63K/' prog.ld >gap.ld
	arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -nostdlib -T gap.ld -o gap.elf prog.c
	arm-none-eabi-readelf -l gap.elf | grep -q "LOAD  *0x000000 0x08000000" || fail "ld did not map the headers"
	arm-none-eabi-objcopy -O binary gap.elf peer_gap.bin
	"$FK" convert gap.elf -o ours_gap.hex
	grep -q '^:10020000' ours_gap.hex || fail "gap.elf does not start at 0x08000200: $(head -2 ours_gap.hex)"
	"$FK" convert ours_gap.hex -o ours_gap.bin
	same ours_gap.bin peer_gap.bin
	"$FK" convert prog.elf -o ours_elf.hex
	"$FK" convert peer_elf.hex -o peer_elf_back.bin
	same peer_elf_back.bin peer_elf.bin
fi
echo "interop: $checks checks passed"
