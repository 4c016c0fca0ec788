#!/usr/bin/env bash
# Demo step: the layout file as the single source of truth, on the
# STM32F205 + serial flash (seed 003) and STM32H745 dual-core (seed 004)
# examples: check, show, draw, gen.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$FK_DEMO_OUT/layout"
mkdir -p "$out"
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

for ex in stm32f205-wiced-ota stm32h745-dual-core; do
	layout="examples/$ex/layout.yaml"
	step "layout: check $ex against the hardware rules" \
		"$FK_TOOL" layout check "$layout"
	step "layout: the map and the largest firmware each image takes" \
		"$FK_TOOL" layout show "$layout"
	step "layout: the picture" \
		"$FK_TOOL" layout draw "$layout" -o "$out/$ex.svg"
	step "layout: everything the build and the production line need" \
		"$FK_TOOL" layout gen "$layout" -o "$out/$ex" -v
done

printf '\n== layout: a wrong layout is refused with FILE:LINE:COL and the fix\n'
echo "$ flashkit layout check examples/stm32h750-qspi/settings-in-internal-flash.yaml"
if "$FK_TOOL" layout check examples/stm32h750-qspi/settings-in-internal-flash.yaml; then
	echo "demo: the invalid layout was accepted" >&2
	exit 1
fi
echo "(exit 1, as it must)"
