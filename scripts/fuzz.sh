#!/usr/bin/env bash
# Runs each libFuzzer target in BUILD_DIR/fuzz for SECONDS, starting from
# its seed corpus fuzz/corpus/<name>/ when there is one.
set -euo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
ran=0
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	work=$(mktemp -d)
	seeds=()
	[ -d "$root/fuzz/corpus/$name" ] && seeds=("$root/fuzz/corpus/$name")
	echo "== $name: ${seconds}s =="
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work" "${seeds[@]}" 2>&1 | tail -n 12
	rm -rf "$work"
	ran=$((ran + 1))
done
echo "fuzz: ran $ran target(s)"
