#!/usr/bin/env bash
# The release stub of a dual-core STM32H7 bootloader (ports/boot/
# release_h7.c: the .fk_stub section), compiled for the Cortex-M7 but run
# by the Cortex-M4: its disassembly must hold no floating-point or
# M7-only instruction (the M4 starts with its FPU off: a VFP instruction
# would fault) and no branch out of the section (everything the M4 runs
# is in it), and the section must start with a vector table whose reset
# handler lies in it.
#
#   stub_insns.sh <arm-none-eabi-objdump> <bootloader.elf>
set -euo pipefail
objdump=$1 elf=$2
read -r size vma < <("$objdump" -h "$elf" |
	awk '$2 == ".fk_stub" { print $3, $4 }')
[ -n "${vma:-}" ] || { echo "$elf: no .fk_stub section"; exit 1; }
lo=$((16#$vma)) hi=$((16#$vma + 16#$size))
dis=$("$objdump" -d -j .fk_stub "$elf")
# instructions: "addr:<tab>encoding<tab>mnemonic operands"
insns=$(printf '%s\n' "$dis" | awk -F'\t' '/^ +[0-9a-f]+:\t/ && NF >= 3')
[ -n "$insns" ] || { echo "$elf: .fk_stub holds no code"; exit 1; }
fail=0
bad=$(printf '%s\n' "$insns" | awk -F'\t' '$3 ~ /^(v[a-z]|fm|fl|fst|mcr|mrc|cdp|ldc|stc)/')
if [ -n "$bad" ]; then
	echo "floating-point or coprocessor instructions in the stub:"
	echo "$bad"
	fail=1
fi
while read -r target; do
	t=$((16#$target))
	if [ "$t" -lt "$lo" ] || [ "$t" -ge "$hi" ]; then
		echo "a branch to 0x$target leaves the stub (0x$vma..+0x$size)"
		fail=1
	fi
done < <(printf '%s\n' "$insns" |
	awk -F'\t' '$3 ~ /^(b|bl|blx|cbz|cbnz|b[a-z][a-z])(\.n|\.w)?$/ {
		split($4, a, " "); for (i in a) if (a[i] ~ /^[0-9a-f]+$/) print a[i] }')
# the reset handler: the vector table's second word
reset=$("$objdump" -s -j .fk_stub "$elf" | awk 'NR > 4 && !done {
	w = $3; printf "%s%s%s%s\n", substr(w,7,2), substr(w,5,2), substr(w,3,2), substr(w,1,2); done = 1 }')
r=$((16#$reset))
if [ $((r & 1)) -ne 1 ] || [ $((r & ~1)) -lt "$lo" ] || [ $((r & ~1)) -ge "$hi" ]; then
	echo "the stub's reset handler 0x$reset is not Thumb code in the stub"
	fail=1
fi
n=$(printf '%s\n' "$insns" | wc -l)
[ "$fail" = 0 ] && echo "stub: $n instructions at 0x$vma, reset 0x$reset, no FPU, no branch out"
exit "$fail"
