#!/usr/bin/env bash
# `flashkit image sign` and `image verify` of a 1 MiB image: wall time
# (median of RUNS runs, process start included) and MB/s. Also imgtool,
# the format's reference signer, when it is installed (it is not packaged
# in Debian). Usage: bench/image/run.sh  (after `make`; FK_TOOL overrides
# the flashkit binary, RUNS the repetitions).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
FK=${FK_TOOL:-$root/build/host/cli/flashkit}
RUNS=${RUNS:-9}
REFS=$root/tests/data/mcuboot-images
[ -x "$FK" ] || { echo "build first: make (no $FK)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
head -c $((1024 * 1024)) /dev/urandom >"$T/fw.bin"
"$FK" key generate -o "$T/ec.pem"

# Median wall time in microseconds of RUNS runs of the command.
median_us() {
	local times=() t0 t1
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
row() { # label us
	awk -v l="$1" -v us="$2" 'BEGIN { printf "| %-44s | %8.1f ms | %7.1f MB/s |\n", l, us / 1000, 1.048576 / (us / 1e6) }'
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)"
echo "command: bench/image/run.sh (RUNS=$RUNS, 1 MiB random payload, -H 0x200 --pad-header -S 0x120000)"
echo
echo "| operation | wall time (median) | throughput |"
echo "|---|---|---|"
opts=(-v 1.0.0 -H 0x200 --pad-header -S 0x120000)
row "flashkit image sign, ECDSA P-256" "$(median_us "$FK" image sign -k "$T/ec.pem" "${opts[@]}" "$T/fw.bin" "$T/ec.img")"
row "flashkit image sign, RSA-2048-PSS" "$(median_us "$FK" image sign -k "$REFS/rsa-2048.pem" "${opts[@]}" "$T/fw.bin" "$T/rsa.img")"
row "flashkit image sign, unsigned (SHA-256 only)" "$(median_us "$FK" image sign "${opts[@]}" "$T/fw.bin" "$T/sha.img")"
row "flashkit image verify, ECDSA P-256" "$(median_us "$FK" image verify -k "$T/ec.pem" "$T/ec.img")"
row "flashkit image verify, RSA-2048-PSS" "$(median_us "$FK" image verify -k "$REFS/rsa-2048.pem" "$T/rsa.img")"
row "flashkit image verify, digest only" "$(median_us "$FK" image verify "$T/sha.img")"
row "sha256sum of the payload (for scale)" "$(median_us sha256sum "$T/fw.bin")"
if command -v imgtool >/dev/null; then
	row "imgtool sign, ECDSA P-256" "$(median_us imgtool sign -k "$T/ec.pem" "${opts[@]}" "$T/fw.bin" "$T/it.img")"
	row "imgtool verify, ECDSA P-256" "$(median_us imgtool verify -k "$T/ec.pem" "$T/it.img")"
else
	echo
	echo "imgtool: not installed on this machine (not packaged in Debian: apt-cache search imgtool finds nothing), so no imgtool figures."
fi

echo
echo "In-process (build/host/bench/image/bench_image, no process start or file I/O; reads in FK_IMAGE_HASH_CHUNK = 128-byte pieces as a bootloader would):"
echo
echo "| operation | wall time (median of 9) | throughput |"
echo "|---|---|---|"
"$root/build/host/bench/image/bench_image" "$T/ec.pem"
