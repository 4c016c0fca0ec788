#!/usr/bin/env bash
# Bad production files and impossible conversions are refused from the
# command line with where and what to do, never converted to a partial or
# empty file with exit 0. SRecord's srec_cat is the peer for what an
# S-record file is; the RISC-V toolchain's objcopy for an RV32 ELF.
source "$(dirname "$0")/lib.sh"

# Runs a command that must not be able to use gigabytes of memory or disk
# (a regression would lay out 4 GiB): address space capped unless the
# tool is built with ASan (which reserves terabytes), output file capped.
bounded() (
	grep -q __asan_init "$FK" || ulimit -v 1048576
	ulimit -f 1024
	"$@"
)

# --- S-record ---------------------------------------------------------
# A file cut after a data record: srec_cat only warns, we refuse.
printf 'S00600004844521B\nS1130000000102030405060708090A0B0C0D0E0F74\n' >cut.s19
srec_cat cut.s19 -o peer.bin -binary 2>warn.txt || fail "srec_cat refused cut.s19"
grep -q "no execution start address" warn.txt || fail "srec_cat said: $(cat warn.txt)"
expect_fail "cut.s19:2: the file ends after this record, with no termination record (S7/S8/S9) or record count (S5/S6): it may be cut short" \
	"$FK" convert cut.s19 -o out.bin
[ ! -e out.bin ] || fail "out.bin written for a cut S-record file"
pass
: >empty.s19
expect_fail "empty.s19: no S-records" "$FK" convert empty.s19 -o out.bin
# srec_cat's own file without an entry point ends with the count record:
# complete, and we agree with srec_cat on its bytes.
head -c 1000 /dev/urandom >data.bin
srec_cat data.bin -binary -offset 0x1000 -o peer.srec 2>/dev/null
tail -n 1 peer.srec | grep -q '^S5' || fail "srec_cat's file does not end with S5"
"$FK" convert peer.srec --crop 0x1000 0x13E8 -o ours.bin
same ours.bin data.bin
# A termination record carrying data: srec_cat ignores the bytes with a
# warning, we refuse.
printf 'S1130000000102030405060708090A0B0C0D0E0F74\nS9050000AABB95\n' >s9data.s19
srec_cat s9data.s19 -o peer.bin -binary 2>warn.txt || fail "srec_cat refused s9data.s19"
grep -q "data in termination record ignored" warn.txt || fail "srec_cat said: $(cat warn.txt)"
expect_fail "s9data.s19:2: the S9 termination record carries 2 data bytes" \
	"$FK" convert s9data.s19 -o out.bin

# --- UF2 --------------------------------------------------------------
head -c 1024 data.bin >k.bin
"$FK" convert k.bin --base 0x10000000 -o four.uf2
head -c 1024 four.uf2 >cut.uf2
expect_fail "cut.uf2: block 1: numBlocks says 4 blocks, the file holds 2 of them (blocks 2..3 missing" \
	"$FK" convert cut.uf2 -o out.bin
: >empty.uf2
expect_fail "empty.uf2: empty file" "$FK" convert empty.uf2 -o out.bin
[ ! -e out.bin ] || fail "out.bin written for an empty UF2"
pass

# --- --crop -----------------------------------------------------------
# docs/production.md: a bin output of --crop A B is exactly [A, B), the
# bytes the input does not give filled (0xFF, or --fill).
"$FK" convert data.bin --crop 0x300 0x500 -o crop.bin
[ "$(stat -c %s crop.bin)" = 512 ] || fail "crop.bin is $(stat -c %s crop.bin) bytes, not 512"
tail -c +769 data.bin >want.bin
head -c 232 crop.bin | cmp - want.bin || fail "crop.bin does not start with data[0x300..]"
[ "$(tail -c 280 crop.bin | od -An -tx1 -v | tr -s ' \n' '\n' | sort -u | tr -d '\n')" = ff ] ||
	fail "crop.bin's tail is not 0xFF"
pass
"$FK" convert data.bin --crop 0x300 0x500 --fill 0x00 -o crop0.bin
[ "$(tail -c 1 crop0.bin | od -An -tx1 | tr -d ' ')" = 00 ] || fail "--fill 0x00 not used"
pass
# A crop that keeps a part of a sparse file stays sparse in HEX.
"$FK" convert data.bin --crop 0x300 0x500 -o crop.hex
grep -q '^:0803E000' crop.hex || fail "crop.hex: $(tail -n 2 crop.hex)"
pass
expect_fail "--crop 0x3000 0x5000 keeps none of the data, which lies in 0x0..0x3E8" \
	"$FK" convert data.bin --crop 0x3000 0x5000 -o out.bin
[ ! -e out.bin ] || fail "out.bin written for a crop with no data"
pass

# --- a sparse input spanning 4 GiB --------------------------------------
printf '\x01\x02' >two.bin
"$FK" convert two.bin -o lo.hex
"$FK" convert two.bin --base 0xFFFFFFF0 -o hi.hex
{ grep -v ':00000001FF' lo.hex; cat hi.hex; } >sparse.hex
"$FK" convert sparse.hex -o sparse.srec # a format with gaps is fine
pass
want="would be 4096 MiB, more than the 256 MiB flashkit lays out in one piece; the data lies in 0x00000000..0x00000002 and 0xFFFFFFF0..0xFFFFFFF2 with a gap between: write a format that keeps gaps (hex, srec, uf2, dfu), or one binary per part with --crop 0x0 0x2 and --crop 0xFFFFFFF0 0xFFFFFFF2"
expect_fail "a binary from 0x00000000 to 0xFFFFFFF2 $want" \
	bounded "$FK" convert sparse.hex -o out.bin
expect_fail "--fill's range from 0x00000000 to 0xFFFFFFF2 $want" \
	bounded "$FK" convert sparse.hex --fill 0xFF -o out.hex
expect_fail "--crop's range from 0x00000000 to 0xFFFFFFFF $want" \
	bounded "$FK" convert sparse.hex --crop 0 0xFFFFFFFF -o out.bin
[ ! -e out.bin ] && [ ! -e out.hex ] || fail "output written for a 4 GiB span"
pass
"$FK" convert sparse.hex --crop 0xFFFFFFF0 0xFFFFFFF2 -o part.bin
same part.bin two.bin

# --- ELF --------------------------------------------------------------
# flashkit itself is a host program: not firmware.
cp "$FK" host.elf
expect_fail "host.elf: a 64-bit ELF file for" "$FK" convert host.elf -o out.bin
grep -q "flashkit reads 32-bit little-endian ELF files for ARM or RISC-V" err.txt ||
	fail "no hint: $(cat err.txt)"
pass
if command -v riscv64-unknown-elf-gcc >/dev/null; then
	cat >rv.c <<'C'
const unsigned table[64] = { 1, 2, 3, 4, 5 };
unsigned counter = 7;
int main(void) { return (int)(table[counter & 3] + counter); }
void _start(void) { main(); for (;;) ; }
C
	cat >rv.ld <<'LD'
MEMORY { FLASH (rx) : ORIGIN = 0x20000000, LENGTH = 64K
         RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 16K }
SECTIONS {
	.text : { *(.text*) *(.rodata*) *(.srodata*) } > FLASH
	.data : { *(.data*) *(.sdata*) } > RAM AT > FLASH
	.bss : { *(.bss*) *(.sbss*) } > RAM
}
LD
	riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -Os -nostdlib \
		-T rv.ld -o rv.elf rv.c
	riscv64-unknown-elf-objcopy -O binary rv.elf peer_rv.bin
	"$FK" convert rv.elf -o ours_rv.bin
	same ours_rv.bin peer_rv.bin
	riscv64-unknown-elf-gcc -march=rv64imac -mabi=lp64 -mcmodel=medany -Os -nostdlib \
		-T rv.ld -o rv64.elf rv.c
	expect_fail "rv64.elf: a 64-bit ELF file for RISC-V (e_machine 243)" \
		"$FK" convert rv64.elf -o out.bin
fi
# UF2 family ids take flashkit's one number grammar: no octal
printf 'abcd' >fam.bin
expect_fail "--family: '010' is neither a number nor a known family" \
	"$FK" convert fam.bin --base 0x08000000 -o fam.uf2 --family 010
"$FK" convert fam.bin --base 0x08000000 -o fam.uf2 --family 0x5775_5a57 ||
	fail "--family 0x5775_5a57"
[ "$(od -An -tx4 -j 28 -N 4 fam.uf2 | tr -d ' ')" = 57755a57 ] ||
	fail "family id not written"
checks=$((checks + 1))
echo "formats: $checks checks passed"
