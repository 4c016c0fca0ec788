#!/usr/bin/env bash
# `flashkit upload` throughput as a share of the raw line rate, over a pty
# whose device side reads no faster than a UART at BAUD (8N1: BAUD/10
# bytes per second): fk_devsim (the receiver on simulated flash) paced at
# 115200 and 1000000 baud, its erases and programs taking no time, then
# their datasheet time (--flash-time on: STM32L4-like 2 KiB pages).
# Also the bytes sent for an upload resumed after a pulled cable against
# a fresh one, for a repeated upload, and for uploads resumed after a
# device reset at half the image on several flashes (what the device
# kept of the sector at its sync point, fk_update_keep, and what it would
# have cost without: those bytes sent too). Usage: bench/transport/run.sh
# (after `make`; FK_BUILD is the build folder, RUNS the repetitions).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${FK_BUILD:-$root/build/host}
FK=${FK_TOOL:-$B/cli/flashkit}
DEVSIM=$B/tests/transport/fk_devsim
RUNS=${RUNS:-3}
export FK_ROOT=$root
[ -x "$FK" ] && [ -x "$DEVSIM" ] || { echo "build first: make" >&2; exit 1; }
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

start() {
	"$DEVSIM" "$T/port" "$T/new.img" "$@" >"$T/dev.out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		grep -q ready "$T/dev.out" && [ -e "$T/port" ] && return
		sleep 0.1
	done
	echo "fk_devsim did not start" >&2; exit 1
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=; }
field() { sed "s/.*\"$1\": \([0-9.]*\).*/\1/" "$2"; }

echo "| line rate | device flash | image | time (median of $RUNS) | image bytes/s | share of line rate |"
echo "|---|---|---|---|---|---|"
for case in "115200 off" "1000000 off" "115200 on" "1000000 on"; do
	set -- $case
	baud=$1 flash=$2
	times=()
	for _ in $(seq "$RUNS"); do
		start --pace "$baud" --flash-time "$flash"
		"$FK" upload --port "$T/port" --baud "$baud" --json "$T/new.img" >"$T/up.json"
		times+=("$(field seconds "$T/up.json")")
		stop
	done
	t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
	size=$(stat -c %s "$T/new.img")
	awk -v b="$baud" -v s="$size" -v t="$t" -v f="$flash" 'BEGIN {
		printf "| %d baud (%d B/s) | %s | %d B | %.3f s | %.0f | %.1f%% |\n",
			b, b / 10, f == "on" ? "datasheet times" : "instant",
			s, t, s / t, 100 * s / t / (b / 10) }'
done

echo
echo "| upload | image bytes sent | of the image |"
echo "|---|---|---|"
size=$(stat -c %s "$T/new.img")
start --pace 1000000
"$FK" upload --port "$T/port" --baud 1000000 --stage --json "$T/new.img" >"$T/fresh.json"
"$FK" upload --port "$T/port" --baud 1000000 --stage --json "$T/new.img" >"$T/again.json"
stop
start --pace 1000000 --pull-after $((size / 2))
"$FK" upload --port "$T/port" --baud 1000000 --json "$T/new.img" >"$T/pulled.json"
stop
for f in fresh again pulled; do
	s=$(field sent "$T/$f.json")
	label=$(case $f in fresh) echo "fresh";; again) echo "repeated (device holds it)";;
		pulled) echo "cable pulled at half, resumed";; esac)
	awk -v l="$label" -v s="$s" -v z="$size" 'BEGIN { printf "| %s | %d | %.1f%% |\n", l, s, 100 * s / z }'
done

echo
echo "| flash (rig) | image | resumed from (sync point) | kept | image bytes sent | of the image | without keeping: sent |"
echo "|---|---|---|---|---|---|---|"
for geo in stm32l4 uniform-4k small-pages stm32f4; do
	start --pace 1000000 --geo "$geo"
	stop
	size=$(stat -c %s "$T/new.img")
	start --pace 1000000 --geo "$geo" --reset-after $((size / 2))
	"$FK" upload --port "$T/port" --baud 1000000 --json "$T/new.img" >"$T/reset.json"
	stop
	from=$(field resumed_from "$T/reset.json")
	kept=$(field skipped "$T/reset.json")
	s=$(field sent "$T/reset.json")
	awk -v g="$geo" -v z="$size" -v f="$from" -v k="$kept" -v s="$s" 'BEGIN {
		printf "| %s | %d B | %d | %d | %d | %.1f%% | %d (%.1f%%) |\n",
			g, z, f, k, s, 100 * s / z, s + k, 100 * (s + k) / z }'
done
