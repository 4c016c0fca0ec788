#!/usr/bin/env bash
# Builds one CMake build folder quietly: the full log goes to
# DIR/build.log, the terminal gets one line, or the log's end on failure.
# V=1 shows everything.
#   scripts/build.sh DIR JOBS
set -uo pipefail
dir=$1
jobs=$2
if [ "${V:-0}" = 1 ]; then
	exec cmake --build "$dir" -j "$jobs"
fi
if cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
	echo "built $dir (log: $dir/build.log)"
else
	grep -E "error|Error" "$dir/build.log" | head -n 40
	echo "--- end of $dir/build.log ---"
	tail -n 30 "$dir/build.log"
	echo "build of $dir failed" >&2
	exit 1
fi
