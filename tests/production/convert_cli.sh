#!/usr/bin/env bash
# flashkit convert from the command line: the address options do what
# they say, and every bad input gives an error that says where, with no
# output file left behind (an existing one is left untouched).
source "$(dirname "$0")/lib.sh"

printf '\x01\x02\x03\x04\x05\x06\x07\x08' >eight.bin

# --base, --offset, --crop, --fill.
"$FK" convert eight.bin --base 0x08000000 --offset 0x100 -o a.hex
"$FK" convert a.hex --crop 0x08000102 0x08000106 -o cropped.bin
printf '\x03\x04\x05\x06' >want.bin
same cropped.bin want.bin
"$FK" convert a.hex --offset -0x08000000 -o back.hex
grep -q '^:08010000' back.hex || fail "offset did not move the data: $(head -1 back.hex)"
pass
"$FK" convert a.hex --crop 0x080000FC 0x0800010A --fill 0xA5 -o filled.bin
printf '\xa5\xa5\xa5\xa5\x01\x02\x03\x04\x05\x06\x07\x08\xa5\xa5' >want.bin
same filled.bin want.bin

# --family goes into every UF2 block; --family on input filters.
"$FK" convert eight.bin --base 0x10000000 --family RP2040 -o a.uf2
[ "$(od -An -tx4 -j28 -N4 a.uf2 | tr -d ' ')" = e48bff56 ] || fail "family id missing"
pass
expect_fail "--family: 'nosuchchip' is neither" "$FK" convert eight.bin --family nosuchchip -o x.uf2

# Errors: where, what, and no output.
printf ':0400000001020304F2\n:0400040001020304F1\n:00000001FF\n' >badsum.hex
expect_fail "badsum.hex:2: bad checksum 0xF1, the record's bytes need 0xEE" \
	"$FK" convert badsum.hex -o out.bin
[ ! -e out.bin ] || fail "out.bin written despite the error"
ls out.bin.flashkit-tmp.* 2>/dev/null && fail "temporary file left behind"
pass
printf ':0400000001020304F2\n:04000400010\n' >cut.hex
expect_fail "cut.hex:2: odd number of hex digits" "$FK" convert cut.hex -o out.bin
printf ':0400000001020304F2\n:04000400010203\n' >cut.hex
expect_fail "cut.hex:2: truncated record" "$FK" convert cut.hex -o out.bin
printf 'S107000001020304EE\nS107000101020304ED\nS9030000FC\n' >overlap.s19
expect_fail "overlap.s19:2: data at 0x00000001 overlaps" "$FK" convert overlap.s19 -o out.bin
expect_fail "address 0x8000007 needs S3 records" \
	"$FK" convert eight.bin --base 0x08000000 --srec-type S2 -o out.s28
[ ! -e out.s28 ] || fail "out.s28 written despite the error"
pass
echo keep >existing.bin
expect_fail "bad checksum" "$FK" convert badsum.hex -o existing.bin
[ "$(cat existing.bin)" = keep ] || fail "existing output overwritten on error"
pass
expect_fail "cannot tell the output format" "$FK" convert eight.bin -o out.xyz
expect_fail "ELF is an input format only" "$FK" convert eight.bin -o out.elf
expect_fail "cannot open 'missing.hex'" "$FK" convert missing.hex -o out.bin
expect_fail "--crop: '5 1' is not a range" "$FK" convert eight.bin --crop 5 1 -o out.bin
echo "convert: $checks checks passed"
