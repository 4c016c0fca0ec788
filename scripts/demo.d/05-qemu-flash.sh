#!/usr/bin/env bash
# Demo step: a Cortex-M3 program on QEMU writes a flash that is a host
# file; QEMU is killed in the middle of a run (a real power cut) and the
# next run finds exactly what had been written.
set -euo pipefail
elf=build/host/tests/qemu/qemu_flash_demo.elf
work=$FK_DEMO_OUT/qemu-flash
run() { bash ports/qemu-mps2/run.sh --dir "$work" --timeout 30 "$@" "$elf"; }

echo "== QEMU mps2-an385: a flash backed by $work/flash.bin"
run --arg write
echo "-- a second QEMU run reads what the first wrote:"
run --arg check
echo "-- erase a sector, program 256 bytes, then kill QEMU (SIGKILL):"
run --arg cut --cut-on '^cut: ready$'
echo "-- after the power cut:"
run --arg aftercut
echo "-- and a jump to an app image placed in the flash by the host:"
dd if=build/host/tests/qemu/qemu_app.bin of="$work/flash.bin" bs=1 \
	seek=$((0x4000)) conv=notrunc status=none
run --arg boot
