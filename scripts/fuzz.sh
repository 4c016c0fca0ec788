#!/usr/bin/env bash
# Runs each libFuzzer target in BUILD_DIR/fuzz for SECONDS, starting from
# its seed corpus fuzz/corpus/<name>/ when there is one (read only: new
# inputs go to a scratch folder). With FUZZ_RUNS=N each target runs N
# inputs from seed 1 instead: the same inputs every time, for CI.
set -euo pipefail
build=$1
seconds=$2
if [ -n "${FUZZ_RUNS:-}" ]; then
	budget=(-runs="$FUZZ_RUNS" -seed=1)
	what="$FUZZ_RUNS inputs, seed 1"
else
	budget=(-max_total_time="$seconds")
	what="${seconds}s"
fi
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
ran=0
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	work=$(mktemp -d)
	seeds=()
	[ -d "$root/fuzz/corpus/$name" ] && seeds=("$root/fuzz/corpus/$name")
	echo "== $name: $what =="
	"$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work" "${seeds[@]}" 2>&1 | tail -n 12
	rm -rf "$work"
	ran=$((ran + 1))
done
echo "fuzz: ran $ran target(s)"
