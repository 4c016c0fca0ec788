#!/usr/bin/env bash
# Runs a Cortex-M3 program under QEMU mps2-an385 with semihosting, in a
# working directory where its host files (the file-backed flash) live.
#
#   run.sh [options] program.elf
#     --dir D            working directory (created; default: current)
#     --fresh            empty D first
#     --timeout S        kill QEMU after S seconds and fail (default 60)
#     --arg A            a semihosting command-line argument (repeatable)
#     --expect REGEX     fail unless the output matches REGEX (grep -E)
#     --cut-on REGEX     power cut: kill QEMU (SIGKILL) as soon as an
#                        output line matches; fail if none ever does
#     --cut-after-ms N   power cut: kill QEMU N ms after it started
#
# The program's output goes to stdout and to D/qemu.log. Exit status: the
# program's own (fk_sh_exit / main's return), or 0 after a power cut
# asked for with --cut-on or --cut-after-ms (the output says where it
# happened), 124 on timeout, 1 when --expect does not match.
set -euo pipefail

dir=. fresh=0 timeout=60 expect= cut_on= cut_after_ms=
args=()
while [ $# -gt 1 ]; do
	case $1 in
	--dir) dir=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--arg) args+=("$2"); shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	--cut-on) cut_on=$2; shift 2 ;;
	--cut-after-ms) cut_after_ms=$2; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: run.sh [options] program.elf" >&2; exit 2; }
elf=$(realpath "$1")
[ -f "$elf" ] || { echo "run.sh: $elf: no such program (built?)" >&2; exit 2; }

[ "$fresh" = 1 ] && rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
log=$PWD/qemu.log

semi=enable=on,target=native,arg=$(basename "$elf")
for a in "${args[@]+"${args[@]}"}"; do
	case $a in *,*) echo "run.sh: --arg may not contain a comma: $a" >&2; exit 2 ;; esac
	semi+=",arg=$a"
done

# QEMU in its own process group, so a cut kills it and nothing else. Its
# output comes through a pipe, read here line by line as it is written:
# no polling, no process started per line (a run costs QEMU and little
# else, which matters to tests that run QEMU hundreds of times).
exec {out}< <(exec setsid qemu-system-arm -M mps2-an385 -nographic \
	-monitor none -serial none -semihosting-config "$semi" \
	-kernel "$elf" 2>&1 </dev/null)
qemu=$!
# If this script is killed or fails, QEMU goes with it.
trap 'kill -KILL -- "-$qemu" 2>/dev/null || true' EXIT
exec {logfd}>"$log"

# now = microseconds since the epoch (no process started for it).
now_us() { now=${EPOCHREALTIME/./}; now=$((10#$now)); }
now_us
start=$now
deadline=$((start + timeout * 1000000))
cut_at=
[ -z "$cut_after_ms" ] || cut_at=$((start + cut_after_ms * 1000))
cut= status= pending= line=
while :; do
	now_us
	if [ -n "$cut_at" ] && [ "$now" -ge "$cut_at" ]; then
		kill -KILL -- "-$qemu" 2>/dev/null || true
		cut="power cut after $cut_after_ms ms"
		break
	fi
	if [ "$now" -ge "$deadline" ]; then
		kill -KILL -- "-$qemu" 2>/dev/null || true
		wait "$qemu" 2>/dev/null || true
		printf '%s' "$pending" >&"$logfd"
		cat "$log"
		echo "run.sh: timeout after $timeout s: $elf" >&2
		exit 124
	fi
	wake=$deadline
	[ -z "$cut_at" ] || [ "$cut_at" -ge "$wake" ] || wake=$cut_at
	wait_us=$((wake - now))
	printf -v wait_s '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000))
	if IFS= read -r -t "$wait_s" -u "$out" line; then
		line=$pending$line pending=
		printf '%s\n' "$line" >&"$logfd"
		if [ -n "$cut_on" ] && [[ $line =~ $cut_on ]]; then
			kill -KILL -- "-$qemu" 2>/dev/null || true
			cut="power cut after output matching '$cut_on'"
			break
		fi
	elif [ $? -gt 128 ]; then
		pending+=$line # timed out: keep the start of the line
	else
		printf '%s' "$pending$line" >&"$logfd" # end of output
		break
	fi
done
exec {out}<&- {logfd}>&-
set +e
{ wait "$qemu"; } 2>/dev/null
status=$?
set -e
cat "$log"

if [ -n "$cut" ]; then
	echo "run.sh: $cut"
	status=0
elif [ -n "$cut_on" ]; then
	echo "run.sh: the program ended (status $status) before any output matched '$cut_on'" >&2
	exit 1
fi
if [ -n "$expect" ] && ! grep -qE -- "$expect" "$log"; then
	echo "run.sh: output does not match '$expect'" >&2
	exit 1
fi
exit "$status"
