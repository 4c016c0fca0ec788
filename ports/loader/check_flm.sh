#!/usr/bin/env bash
# Checks that a flash loader ELF linked by loader.ld with --emit-relocs is
# a flash algorithm pyOCD, probe-rs and Keil can load at an address of
# their choosing (docs/ports.md, "The flash loader"):
#   - the allocated sections are PrgCode (at 0), PrgData (right after it,
#     no gap) and DevDscr, all in one PT_LOAD segment, PrgCode aligned to
#     at most 4 (probe-rs puts the code 4 bytes into its RAM);
#   - Init, UnInit, EraseSector, ProgramPage are functions in PrgCode and
#     FlashDevice lies in DevDscr;
#   - no GOT, and every relocation the linker resolved in PrgCode and
#     PrgData is PC-relative (calls, branches, literal offsets), except
#     absolute words inside the tables named after the ELF, which the
#     loader moves itself (loader.c: nor.c's operations).
# Usage: check_flm.sh <readelf> <loader.elf> [table symbol...]
# Prints what it found; exit 1 on the first broken rule.
set -euo pipefail
readelf=$1 elf=$2
shift 2
fail() {
	echo "check_flm: $elf: $*" >&2
	exit 1
}

sections=$("$readelf" -SW "$elf" | sed -n 's/^ *\[ *[0-9]*\] //p')
alloc=$(awk '$7 ~ /A/ { print $1 }' <<<"$sections" | tr '\n' ' ')
[ "$alloc" = "PrgCode PrgData DevDscr " ] ||
	fail "allocated sections are '$alloc', want 'PrgCode PrgData DevDscr'"
field() { awk -v s="$1" -v f="$2" '$1 == s { print $f }' <<<"$sections"; }
code_addr=$((16#$(field PrgCode 3))) code_size=$((16#$(field PrgCode 5)))
data_addr=$((16#$(field PrgData 3)))
[ "$(field PrgCode 2)" = PROGBITS ] && [ "$(field PrgData 2)" = PROGBITS ] ||
	fail "PrgCode and PrgData must both be PROGBITS"
symbols=$("$readelf" -sW "$elf")
sym() { awk -v s="$1" '$8 == s { print $2, $4, $7 }' <<<"$symbols"; }
code_index=$("$readelf" -SW "$elf" | awk '/\] PrgCode / { gsub(/[][]/, ""); print $1 }')
dscr_index=$("$readelf" -SW "$elf" | awk '/\] DevDscr / { gsub(/[][]/, ""); print $1 }')
for f in Init UnInit EraseSector ProgramPage; do
	read -r _ type ndx <<<"$(sym $f)" || true
	[ "${type:-}" = FUNC ] && [ "${ndx:-}" = "$code_index" ] ||
		fail "$f is not a function in PrgCode"
done
read -r _ type ndx <<<"$(sym FlashDevice)" || true
[ "${ndx:-}" = "$dscr_index" ] || fail "FlashDevice is not in DevDscr"

# The words the loader moves: [start, end) of each table symbol.
tables=()
for t in "$@"; do
	read -r value _ _ <<<"$(sym "$t")" || true
	size=$(awk -v s="$t" '$8 == s { print $3 }' <<<"$symbols")
	[ -n "${value:-}" ] || fail "no table $t"
	tables+=("$((16#$value)) $((16#$value + size)) $t")
done

relocs=$("$readelf" -rW "$elf" | awk '
	/^Relocation section/ { keep = ($3 ~ /Prg(Code|Data)/) ; next }
	keep && $3 ~ /^R_ARM_/ { print $1, $3, $5 }')
[ -n "$relocs" ] || fail "no relocations: link with -Wl,--emit-relocs"
moved=0 pcrel=0
while read -r off type name; do
	case $type in
	R_ARM_THM_CALL | R_ARM_THM_JUMP* | R_ARM_CALL | R_ARM_JUMP24 | \
		R_ARM_REL32 | R_ARM_THM_PC8 | R_ARM_THM_PC12 | R_ARM_PREL31 | \
		R_ARM_THM_ALU_PREL_11_0 | R_ARM_THM_MOVW_PREL_NC | \
		R_ARM_THM_MOVT_PREL)
		pcrel=$((pcrel + 1))
		continue ;;
	R_ARM_ABS32)
		for t in "${tables[@]}"; do
			read -r start end tname <<<"$t"
			if [ $((16#$off)) -ge "$start" ] && [ $((16#$off)) -lt "$end" ]; then
				moved=$((moved + 1))
				continue 2
			fi
		done ;;
	esac
	fail "relocation $type of $name at 0x$off: an absolute address (or a GOT entry) that is wrong once a host loads the code elsewhere"
done <<<"$relocs"
"$readelf" -SW "$elf" | grep -q '\] \.got' && fail "has a GOT"
[ $code_addr -eq 0 ] || fail "PrgCode at $code_addr, not 0 (pyOCD needs 0)"
[ $data_addr -eq $((code_addr + code_size)) ] ||
	fail "PrgData at $data_addr does not follow PrgCode (ends at $((code_addr + code_size)))"
[ "$(field PrgCode 10)" -le 4 ] ||
	fail "PrgCode aligned to $(field PrgCode 10): a host may place it at 4"
"$readelf" -lW "$elf" | grep -Eq '^ +00 +PrgCode PrgData DevDscr *$' ||
	fail "PrgCode, PrgData and DevDscr are not in the one first PT_LOAD segment"

echo "check_flm: $elf: PrgCode 0+$code_size, PrgData at $data_addr, $pcrel PC-relative relocations, $moved absolute words in ${*:-no table} (moved by the loader)"
