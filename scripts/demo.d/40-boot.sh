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
# Seed 001's family (STM32L0: 128-byte pages erased to 0x00, program-once
# words): the life of a product, 50 updates in a row of every kind, with
# images that shrink and grow and long runs of erased bytes; a cut in
# every third update, then every cut of one update of each kind.
l0=examples/stm32l0-small-pages/layout.yaml
echo "== flashkit sim --history 50: $l0 (128-byte pages, boot state over 16 of them)"
"$FK_TOOL" sim --layout "$l0" --image app --history 50 --budget 15 |
	tee "$FK_DEMO_OUT/boot-sim-history-l0.txt"
# Seed 004 writes slot B with ST's DFU tools: an image signed with
# --pending carries MCUboot's trailer and installs with no app code.
l4=examples/stm32l4-devinfo/layout.yaml
fw="$FK_DEMO_OUT/app-fw.bin"
head -c 60000 /dev/urandom >"$fw"
echo "== image sign --pending test: a DfuSe file any DFU tool can write into the staging slot"
"$FK_TOOL" image sign --layout "$l4" --image app -v 2.0.0 --pad-header \
	--pending test "$fw" "$FK_DEMO_OUT/app-pending.dfu"
dfu-suffix --check "$FK_DEMO_OUT/app-pending.dfu" | tail -2
