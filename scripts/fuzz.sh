#!/usr/bin/env bash
# Runs each libFuzzer target in BUILD_DIR/fuzz for SECONDS, starting from
# its seed corpus fuzz/corpus/<name>/ when there is one (read only: new
# inputs go to a scratch folder). With FUZZ_RUNS=N each target runs N
# inputs from seed 1 instead: the same inputs every time, for CI.
#   scripts/fuzz.sh BUILD_DIR SECONDS [JOBS]
# JOBS targets run at a time (default 1), the slowest first (below);
# each one's output is printed whole, in the targets' (alphabetical)
# order, and any failure fails the script.
set -euo pipefail
build=$1
seconds=$2
jobs=${3:-1}
if [ -n "${FUZZ_RUNS:-}" ]; then
	budget=(-runs="$FUZZ_RUNS" -seed=1)
	what="$FUZZ_RUNS inputs, seed 1"
else
	budget=(-max_total_time="$seconds")
	what="${seconds}s"
fi
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
outs=$(mktemp -d)
trap 'rm -rf "$outs"' EXIT

# One target: its output (the end of libFuzzer's) to $outs/<name>.out,
# its status to $outs/<name>.rc.
one() {
	local bin=$1 name work rc=0 seeds=()
	name=$(basename "$bin")
	work=$(mktemp -d)
	[ -d "$root/fuzz/corpus/$name" ] && seeds=("$root/fuzz/corpus/$name")
	{
		echo "== $name: $what =="
		"$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 "$work" "${seeds[@]}" 2>&1 | tail -n 12
	} >"$outs/$name.out" || rc=$?
	echo $rc >"$outs/$name.rc"
	rm -rf "$work"
}

# The targets that take longest (CPU seconds of the 50000-input run,
# 2026-11-29: 15-30 s each, the rest 0.2-16 s) start first, so that with
# JOBS > 1 none of them starts last while the other jobs sit idle.
slow=(fuzz_transport fuzz_boot_lite fuzz_image_enc fuzz_boot_state
	fuzz_transport_lite)
names=()
order=()
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	names+=("$(basename "$bin")")
done
for name in "${slow[@]}"; do
	[ -x "$build/fuzz/$name" ] && order+=("$name")
done
for name in "${names[@]+"${names[@]}"}"; do
	[[ " ${slow[*]} " == *" $name "* ]] || order+=("$name")
done
for name in "${order[@]+"${order[@]}"}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	one "$build/fuzz/$name" &
done
wait
failed=0
for name in "${names[@]+"${names[@]}"}"; do
	cat "$outs/$name.out"
	rc=$(cat "$outs/$name.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || { echo "fuzz: $name failed (status $rc)" >&2; failed=1; }
done
echo "fuzz: ran ${#names[@]} target(s)"
exit $failed
