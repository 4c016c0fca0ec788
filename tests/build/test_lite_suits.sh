#!/usr/bin/env bash
# cmake/boot_program.cmake MODE=lite: which layouts suit the lite boot
# core. Layouts written here as the layout.json `flashkit layout gen`
# writes (the fields the check reads): a log on sectors of one size
# passes, in a partition and in a slot's trailer; a log over a 1 KiB
# sector and a 4 KiB one is refused with the sizes and what to do, as
# are two images.
set -euo pipefail
root=${FK_ROOT:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

layout() { # $1 = sectors, $2 = state partition offset, $3 = boot_state, $4 = trailer, $5 = images
	cat <<JSON
{"schema": "flashkit-layout/1", "name": "t",
 "memories": [{"name": "flash", "kind": "flash", "size": 1048576,
   "sectors": $1},
  {"name": "sram", "kind": "ram", "base": 536870912, "size": 65536}],
 "partitions": [
  {"name": "boot", "memory": "flash", "offset": 0, "address": 134217728, "size": 32768, "role": "bootloader"},
  {"name": "app-a", "memory": "flash", "offset": 65536, "address": 134283264, "size": 262144, "role": "image"},
  {"name": "app-b", "memory": "flash", "offset": 327680, "address": 134545408, "size": 262144, "role": "image"},
  {"name": "state", "memory": "flash", "offset": $2, "address": 0, "size": 8192, "role": "boot-state"}],
 "modules": [],
 "images": [$5]}
JSON
}
image() { # $1 = boot_state, $2 = trailer
	echo "{\"name\": \"app\", \"id\": 0, \"strategy\": \"swap\", \"primary\": \"app-a\", \"secondary\": \"app-b\", \"boot_state\": \"$1\", \"trailer_size\": $2, \"modules\": []}"
}
check() { # $1 = name, $2 = expected rc (0 or 1), $3 = expected text, layout on stdin
	cat >"$work/$1.json"
	rc=0
	cmake -DMODE=lite -DJSON="$work/$1.json" -DNAME="$1" \
		-P "$root/cmake/boot_program.cmake" >"$work/$1.out" 2>&1 || rc=1
	# cmake wraps its messages: one line, single spaces
	text=$(tr '\n' ' ' <"$work/$1.out" | tr -s ' ')
	if [ $rc != "$2" ] || [[ $text != *"$3"* ]]; then
		echo "FAIL $1: rc $rc (want $2), output:"
		cat "$work/$1.out"
		fail=1
	else
		echo "ok   $1"
	fi
}
uniform='[{"count": 256, "size": 4096}]'
mixed='[{"count": 4, "size": 16384}, {"count": 1, "size": 1024}, {"count": 1, "size": 1024}, {"count": 61, "size": 16384}, {"count": 1008, "size": 1024}]'
small='[{"count": 8192, "size": 128}]'
layout "$uniform" 655360 state 0 "$(image state 0)" | check uniform 0 ""
layout "$small" 655360 state 0 "$(image state 0)" | check small-pages 0 ""
layout "$uniform" 655360 trailer 8192 "$(image trailer 8192)" | check trailer 0 ""
# the state partition at 64 KiB + 1 KiB: its log is a 1 KiB sector and a
# 16 KiB one
layout "$mixed" 66560 state 0 "$(image state 0)" |
	check mixed 1 "sectors of different sizes (1024, 16384 bytes)"
layout "$uniform" 655360 state 0 "$(image state 0), $(image state 0)" |
	check two-images 1 "it has 2 images"
exit $fail
