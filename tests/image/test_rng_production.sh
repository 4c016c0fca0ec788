#!/usr/bin/env bash
# The flashkit command keeps the platform's randomness: the seeded
# generator the sweep tests link (tests/seeded_rng.c) is not in it, and
# two encryptions of one payload under one key draw different AES keys
# (different encrypted payloads) and different ECIES ephemeral keys.
# The check of the symbols is shown to work on a program that does link
# the seeded generator (test_boot_sweep, argv[1]).
set -uo pipefail
FK="${FK_TOOL:?FK_TOOL must point at the built flashkit}"
SEEDED=${1:?usage: test_rng_production.sh SEEDED_TEST_PROGRAM}
DATA=${FK_ROOT:?}/tests/data/mcuboot-images
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

syms() { nm "$1" 2>/dev/null | awk '{print $NF}'; }
grep -qx fk_rng_seed <(syms "$FK") ||
	fail "no fk_rng_seed in $FK (stripped? the check needs its symbols)"
grep -qx fk_test_rng_state <(syms "$FK") &&
	fail "$FK holds the seeded test generator (fk_test_rng_state)"
grep -qx fk_test_rng_state <(syms "$SEEDED") ||
	fail "$SEEDED shows no fk_test_rng_state: the symbol check sees nothing"

# The encrypted payload of an image: img_size bytes after the header.
payload() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
hdr, size = struct.unpack_from('<HxxI', d, 8)
sys.stdout.buffer.write(d[hdr:hdr + size])
PY
}
head -c 3000 "$DATA/payload-12k.bin" >"$T/fw.bin"
for enc in enc-ecies-p256 enc-x25519 enc-rsa-2048; do
	for run in 1 2; do
		"$FK" image sign -k "$DATA/ecdsa-p256.pem" -E "$DATA/$enc.pub.pem" \
			-H 0x200 --pad-header -v 1.0.0 "$T/fw.bin" \
			"$T/$enc-$run.img" >/dev/null ||
			fail "$enc: image sign -E failed"
		payload "$T/$enc-$run.img" >"$T/$enc-$run.payload"
	done
	cmp -s "$T/fw.bin" "$T/$enc-1.payload" &&
		fail "$enc: the payload is not encrypted"
	cmp -s "$T/$enc-1.payload" "$T/$enc-2.payload" &&
		fail "$enc: two runs encrypted with the same AES key"
	cmp -s "$T/$enc-1.img" "$T/$enc-2.img" &&
		fail "$enc: two runs made the same image"
done
[ "$fails" = 0 ] || exit 1
echo "flashkit: platform randomness, a new AES key every run"
