#!/usr/bin/env bash
# Prints text/data/bss of the device-side library for each Cortex-M build,
# per object and in total (arm-none-eabi-size, Berkeley format).
set -euo pipefail
cd "$(dirname "$0")/.."
for cpu in cortex-m3 cortex-m4f; do
	lib=build/$cpu/libfk_device.a
	[ -f "$lib" ] || { echo "size: $lib missing, run 'make target'" >&2; exit 1; }
	echo "== $cpu (-Os) =="
	arm-none-eabi-size -t "$lib" | sed 's/ (ex [^)]*)//'
done
