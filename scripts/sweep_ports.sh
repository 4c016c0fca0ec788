#!/usr/bin/env bash
# The power-cut sweeps through the flash drivers on their register models
# in full: every ctest test named port_*_sweep or port_*_sweeps, run with
# --full (every double cut, the long settings-store workloads) instead of
# the CI subset ctest runs. Usage: sweep_ports.sh <build folder>.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build/host}
cd "$build"
mapfile -t cmds < <(ctest --show-only=json-v1 -R '^port_.*_sweeps?$' |
	python3 -c '
import json, shlex, sys
for t in json.load(sys.stdin)["tests"]:
	cmd = t.get("command")  # absent when its executable is not built
	print(t["name"] + "\t" + (shlex.join(cmd + ["--full"]) if cmd else "false"))')
[ ${#cmds[@]} -gt 0 ] || { echo "sweep-ports: no port_*_sweep tests in $build"; exit 1; }
fails=0
for line in "${cmds[@]}"; do
	name=${line%%$'\t'*}
	echo "== $name --full"
	if ! FK_ROOT=$root eval "${line#*$'\t'}"; then
		echo "== $name: FAILED"
		fails=$((fails + 1))
	fi
done
echo "sweep-ports: ${#cmds[@]} sweeps, $fails failed"
[ "$fails" -eq 0 ]
