#!/usr/bin/env bash
# Production files, side by side with srec_cat in the same run:
#   16 MiB bin -> Intel HEX and Intel HEX -> bin,
#   a bootloader + config + app merge into one filled HEX,
#   provisioning 10,000 devices (records as per-device HEX files).
# Each timing is the median of 5 runs, wall clock, files in a temporary
# folder on the same disk for both tools; every output is checked equal
# to srec_cat's before its time counts. Figures go to bench/RESULTS.md
# ("Production files").
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
FK="${FK_TOOL:-$root/build/host/cli/flashkit}"
L="$root/tests/production/layouts/two-memories.yaml"
work="$(mktemp -d "${FK_BENCH_DIR:-/tmp}/fk-bench-XXXXXX")"
trap 'rm -rf "$work" ${shm:+"$shm"}' EXIT
cd "$work"
RUNS=5

echo "command: bash bench/production/run.sh"
echo "date: $(date -u)"
echo "machine: $(nproc) cores, $(uname -m); files in $(df --output=fstype "$work" | tail -1) ($work)"
echo "peer: $(srec_cat --version | head -1)"

# median of RUNS wall-clock timings of a command, in seconds
median() {
	local t=()
	for _ in $(seq $RUNS); do
		local s e
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t+=("$(echo "$e - $s" | bc)")
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
row() { # name ours peer
	printf '| %s | %.3f s | %.3f s | %.1fx |\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"
}

head -c 16M /dev/urandom >big.bin
"$FK" convert big.bin -o ours.hex
srec_cat big.bin -Binary -o peer.hex -Intel
"$FK" convert peer.hex -o back.bin && cmp back.bin big.bin
srec_cat ours.hex -Intel -o back2.bin -Binary && cmp back2.bin big.bin

echo
echo "| task | flashkit | srec_cat | speed-up |"
echo "|---|---|---|---|"
a=$(median "$FK" convert big.bin -o ours.hex)
b=$(median srec_cat big.bin -Binary -o peer.hex -Intel)
row "16 MiB bin -> HEX" "$a" "$b"
a=$(median "$FK" convert ours.hex -o ours.bin)
b=$(median srec_cat ours.hex -Intel -o peer.bin -Binary)
cmp ours.bin peer.bin
row "16 MiB HEX -> bin" "$a" "$b"

head -c 30000 /dev/urandom >boot.bin
head -c 12000 /dev/urandom >cfg.bin
head -c 380000 /dev/urandom >app.bin
merge_ours() {
	"$FK" merge boot.bin@0x08000000 cfg.bin@0x08008000 app.bin@0x08020000 \
		-o merged.hex
}
merge_peer() {
	srec_cat '(' boot.bin -Binary -offset 0x08000000 cfg.bin -Binary \
		-offset 0x08008000 app.bin -Binary -offset 0x08020000 ')' \
		-fill 0xFF 0x08000000 0x0807CC60 -o peer_merged.hex -Intel
}
merge_ours >/dev/null
merge_peer
"$FK" convert merged.hex -o m1.bin
"$FK" convert peer_merged.hex -o m2.bin
cmp m1.bin m2.bin
a=$(median merge_ours)
b=$(median merge_peer)
row "merge boot 30K + config 12K + app 380K, filled, -> HEX" "$a" "$b"

cat >tpl.yaml <<'YAML'
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "SN-%06u" }
  mac:    { type: mac, first: "02:00:00:00:00:00", last: "02:00:00:ff:ff:ff" }
  secret: { type: random, size: 32 }
  hw:     { type: text, id: 0x0003, value: "B2" }
YAML
echo
echo "| provisioning 10,000 devices (per-device HEX files + manifest, one syncfs) | time | devices/s |"
echo "|---|---|---|"
# On the disk, then (when there is one) on tmpfs: file creation on a
# shared virtual disk dominates, tmpfs shows what the tool itself costs.
shm=""
[ -d /dev/shm ] && shm=$(mktemp -d /dev/shm/fk-bench-XXXXXX)
for dir in "$work/out" ${shm:+"$shm/out"}; do
	for i in 1 2 3; do
		rm -rf "$dir" serials.state*
		s=$(date +%s.%N)
		"$FK" provision --layout "$L" --template tpl.yaml --count 10000 \
			-o "$dir" >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		[ "$(ls "$dir" | wc -l)" = 10001 ]
		printf '| run %d, files on %s | %.3f s | %.0f |\n' "$i" \
			"$(df --output=fstype "$dir" | tail -1)" "$t" \
			"$(echo "10000 / $t" | bc -l)"
	done
done

