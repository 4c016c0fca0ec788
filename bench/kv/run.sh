#!/usr/bin/env bash
# The settings store on issue 6's anchor workload (100 keys, 16-byte
# values, 10,000 random updates; 64 KiB of 4 KiB sectors, and 2 x 128 KiB
# with 32-byte program-once words): write amplification, erases, worst
# update's reads and time, mount reads, worst lookup, RAM, with bitmap
# (format 2) and compact (format 3) sector headers; then the Cortex-M3
# -Os code size of src/kv. Usage: bench/kv/run.sh (after make;
# FK_BUILD=DIR for another build folder than build/host).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FK_BUILD:-$root/build/host}/bench/kv/bench_kv
[ -x "$bin" ] || { echo "build first: make (no $bin)" >&2; exit 1; }
echo "date: $(date -u)"
echo "command: bash bench/kv/run.sh"
"$bin"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for f in kv kv_commit kv_iterate kv_large kv_index kv_maintain kv_run kv_inspect; do
	arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -ffreestanding \
		-ffunction-sections -fdata-sections -std=c99 -Wall -Wextra -Werror \
		-I"$root/include" -c "$root/src/kv/$f.c" -o "$T/$f.o"
done
echo
echo "Cortex-M3 -Os code size ($(arm-none-eabi-gcc --version | head -1)):"
arm-none-eabi-size "$T/kv.o" "$T/kv_commit.o" "$T/kv_iterate.o" \
	"$T/kv_large.o" "$T/kv_index.o" "$T/kv_maintain.o" "$T/kv_run.o" \
	"$T/kv_inspect.o" | sed "s|$T/||"
