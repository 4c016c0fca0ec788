#!/usr/bin/env bash
# Erases and bytes programmed per install, per strategy and geometry, by
# the real boot code on the simulator (bench/boot/bench_boot.c), printed
# next to MCUboot's figures as the issue quotes them (MCUboot is not
# installed on this machine, so they are not measured here).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/host/bench/boot/bench_boot
[ -x "$B" ] || { echo "build first: make host" >&2; exit 1; }
echo "command: bash bench/boot/run.sh   date: $(date -u)"
echo
"$B" tests/data/mcuboot-images/ecdsa-p256.pem
echo
echo "MCUboot, as quoted in issue #5 (its own code, 4 KiB sectors, 8-byte"
echo "writes; not run here): swap-offset 2N+2 erases and about 2x the image"
echo "bytes; swap-move 3N+2; swap-scratch 3N+3 with the scratch sector"
echo "erased N+1 times; overwrite-only N+3."
