#!/usr/bin/env bash
# Demo step: the settings store. A factory store image for the QSPI
# settings partition of the Daisy Seed layout (seed 002), read back with
# kv dump; then the same store code on a Cortex-M3 under QEMU, with the
# power cut half-way through a flash operation of its workload, and the
# next boot finding the old or the new state, never a mixture.
set -euo pipefail
cd "$(dirname "$0")/../.."
FK=${FK_TOOL:?}
L=examples/stm32h750-qspi/layout.yaml
out=$FK_DEMO_OUT/kv
mkdir -p "$out"
cat >"$out/settings.yaml" <<'YAML'
keys: 32
value-max: 24
values:
  0: "Daisy"              # device name
  1: { u32: 48000 }       # sample rate
  2: { hex: "0a0b0c0d" }  # calibration
YAML
echo "== settings store image for partition 'settings' of $L"
"$FK" kv build "$out/settings.yaml" -o "$out/settings.bin" --layout "$L" \
	--partition settings 2>/dev/null
"$FK" kv dump "$out/settings.bin" | sed -e '/ free /d'
echo "-- the store on QEMU (Cortex-M3 -Os), power cut at flash operation 20:"
elf=build/host/tests/kv/qemu_kv.elf
run() { bash ports/qemu-mps2/run.sh --dir "$out/qemu" --timeout 30 "$@" "$elf"; }
mkdir -p "$out/qemu"
set +e
run --arg run --arg cut-torn=20 >"$out/cut.txt" 2>&1
set -e
tail -n 2 "$out/cut.txt"
k=$(grep -c '^done ' "$out/cut.txt" || true)
echo "-- next boot, after $k operations had returned:"
run --arg check --arg "$k" | tail -n 1
