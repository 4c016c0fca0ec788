#!/usr/bin/env bash
# make check: every build and every test pass of the project, run side by
# side so that both cores stay busy to the end (CI: .ci/run).
#
#   scripts/check.sh JOBS
#
# Four chains start at once, each a build and then what uses it:
#   host    build/host (RelWithDebInfo), then all its tests (ctest) but
#           "long" (the board bootloaders' sweeps that take 4-8 minutes
#           of CPU each: `make sweep-ports` runs them)
#   asan    build/asan (ASan+UBSan; a new folder with Ninja when it is
#           installed), then its tests but "target", "slow" and "static"
#           (these run no host code: nothing to instrument); a sanitizer
#           build neither builds nor registers what only those need (the
#           Cortex-M programs of QEMU and the boards, the port sweeps'
#           programs, the benchmarks)
#   fuzz    build/fuzz (libFuzzer), then every target on the same 50000
#           inputs (seed 1), JOBS targets at a time
#   target  build/cortex-m3 and build/cortex-m4f, then `make size`
# Each chain runs its own steps with JOBS processes; the kernel shares the
# cores between the chains, so a chain's idle stretches (a build's link
# steps, one long test left at the end of a ctest run) are filled by the
# others. A chain's output goes to build/check/<chain>.log; it is printed
# whole, in the order above, once every chain has ended, followed by each
# step's wall time. The status is 0 only when every chain passed.
#
# ctest starts the longest tests first when it knows their times: from
# its own record of the last run (Testing/Temporary/CTestCostData.txt),
# or in a new build folder from .ci/cost-<chain>.txt (the times of a
# clean-clone CI run), so no long test is left to end a pass alone.
set -uo pipefail
jobs=${1:-$(nproc)}
cd "$(dirname "$0")/.."
out=build/check
rm -rf "$out"
mkdir -p "$out"
t0=$(date +%s)

# step <chain> <name> <command...>: runs one step, records its time.
step() {
	local chain=$1 name=$2 s=$(date +%s) rc
	shift 2
	"$@"
	rc=$?
	printf '%s\t%s\n' "$name" $(($(date +%s) - s)) >>"$out/$chain.times"
	return $rc
}

# ctest in build folder $1 with the remaining options; seeds the cost
# record of a new build folder.
tests() {
	local dir=$1 chain=$2 rec=$1/Testing/Temporary/CTestCostData.txt
	shift 2
	if [ ! -f "$rec" ] && [ -f ".ci/cost-$chain.txt" ]; then
		mkdir -p "$(dirname "$rec")"
		cp ".ci/cost-$chain.txt" "$rec"
	fi
	(cd "$dir" && ctest --output-on-failure -j "$jobs" "$@")
}

configure() { # <dir> <cmake options...>
	local dir=$1
	shift
	cmake -S . -B "$dir" "$@" >/dev/null
}

# configure_ninja <dir> <cmake options...>: a new build folder gets the
# Ninja generator when ninja is installed (the ASan build: some 10% less
# CPU than with make's per-target dependency scans, 29 Nov 2026);
# a folder already configured keeps its generator (cmake refuses another).
configure_ninja() {
	local dir=$1
	shift
	if [ ! -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then
		set -- -G Ninja "$@"
	fi
	configure "$dir" "$@"
}

host() {
	step host "host build" configure build/host \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo &&
		step host "host build" bash scripts/build.sh build/host "$jobs" &&
		echo "== host tests ==" &&
		step host "host tests" tests build/host host -LE long
}

asan() {
	step asan "asan build" configure_ninja build/asan -DFK_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug &&
		step asan "asan build" bash scripts/build.sh build/asan "$jobs" &&
		echo "== host tests under ASan+UBSan ==" &&
		step asan "asan tests" tests build/asan asan -LE "target|slow|static"
}

fuzz() {
	step fuzz "fuzz build" make --no-print-directory fuzz-build \
		JOBS="$jobs" &&
		echo "== fuzz targets, 50000 inputs each ==" &&
		FUZZ_RUNS=50000 step fuzz "fuzz runs" \
			bash scripts/fuzz.sh build/fuzz 0 "$jobs"
}

target() {
	step target "target build" make --no-print-directory target \
		JOBS="$jobs" &&
		step target "size" make --no-print-directory size JOBS="$jobs"
}

chains="host asan fuzz target"
declare -A pid
for c in $chains; do
	"$c" >"$out/$c.log" 2>&1 &
	pid[$c]=$!
done
failed=
running=$chains
while [ -n "$running" ]; do
	pids=
	for c in $running; do
		pids+=" ${pid[$c]}"
	done
	wait -n -p ended $pids
	rc=$?
	left=
	for c in $running; do
		if [ "${pid[$c]}" != "$ended" ]; then
			left+=" $c"
			continue
		fi
		[ $rc = 0 ] || failed+=" $c"
		echo "check: $c ended after $(($(date +%s) - t0)) s (status $rc)"
	done
	running=$left
done
for c in $chains; do
	cat "$out/$c.log"
done
echo "== wall time of each step (s; chains ran side by side) =="
for c in $chains; do
	[ -f "$out/$c.times" ] || continue
	awk -F '\t' '!($1 in t) { order[n++] = $1 } { t[$1] += $2 }
	     END { for (i = 0; i < n; i++) printf "  %-14s %5d\n", order[i], t[order[i]] }' \
		"$out/$c.times"
done
echo "  total          $(($(date +%s) - t0))"
if [ -n "$failed" ]; then
	echo "make check: failed:$failed (logs: $out/)" >&2
	exit 1
fi
