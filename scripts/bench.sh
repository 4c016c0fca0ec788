#!/usr/bin/env bash
# Runs every benchmark script bench/*/run.sh in turn. Each prints its
# figures and the command that measured them; bench/RESULTS.md keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
ran=0
for b in bench/*/run.sh; do
	echo "== $b =="
	bash "$b"
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || echo "no benchmarks yet"
