#!/usr/bin/env bash
# RAM placement check: every symbol named must be a function of the test
# image that lies in RAM (0x20000000.., tests/ports/shim/image.ld), i.e.
# was built FK_RAMFUNC. Usage: ramfuncs.sh <nm> <image.elf> <symbol>...
set -euo pipefail
nm=$1 elf=$2
shift 2
fail=0
for s in "$@"; do
	addr=$("$nm" "$elf" | awk -v s="$s" '$3 == s { print $1 }')
	if [ -z "$addr" ]; then
		echo "ramfuncs: $s is not in $elf"
		fail=1
	elif [ $((16#$addr)) -lt $((0x20000000)) ] || [ $((16#$addr)) -ge $((0x30000000)) ]; then
		echo "ramfuncs: $s is at 0x$addr, not in RAM: it runs while the flash is busy and needs FK_RAMFUNC"
		fail=1
	else
		echo "ramfuncs: $s at 0x$addr (RAM)"
	fi
done
exit $fail
