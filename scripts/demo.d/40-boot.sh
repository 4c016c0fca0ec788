#!/usr/bin/env bash
# Demo step: seed 004 (STM32H745, "the microcontroller just freezes" after
# a failed DFU update). flashkit sim runs the real bootloader core on a
# simulated bank shaped like the example's layout (128K sectors, 32-byte
# ECC words that program once, write-protected bootloader) and cuts the
# power before, after and in the middle of every flash operation of an
# update, and again during each recovery.
set -euo pipefail
layout=examples/stm32h745-dual-core/layout.yaml
echo "== flashkit sim: the M7 image of $layout, swap with rollback"
"$FK_TOOL" sim --layout "$layout" --image cm7 | tee "$FK_DEMO_OUT/boot-sim-cm7.txt"
echo "-- both cores' images installed together (all or nothing), single cuts, as JSON:"
"$FK_TOOL" sim --layout "$layout" --image cm7 --image cm4 --single --json |
	tee "$FK_DEMO_OUT/boot-sim-cm7-cm4.json"
