#!/usr/bin/env bash
# make demo: runs the demo steps scripts/demo.d/NN-*.sh in order. Each step
# tells one part of the story on the examples and prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."
export FK_TOOL="$PWD/build/host/cli/flashkit"
export FK_DEMO_OUT="${FK_DEMO_OUT:-$PWD/build/demo}"
rm -rf "$FK_DEMO_OUT"
mkdir -p "$FK_DEMO_OUT"
shopt -s nullglob
for step in scripts/demo.d/[0-9]*.sh; do
	bash "$step"
done
echo
echo "demo: everything it made is in $FK_DEMO_OUT"
