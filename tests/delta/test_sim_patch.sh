#!/usr/bin/env bash
# flashkit sim --patch: the new image delivered as a patch against the old
# one; its application swept with a cut before, after and in the middle of
# every flash operation (host/delta/delta_rig.h), then the usual install
# sweeps. Swap, overwrite and xip pass with 0 failures and print the patch
# against the full image; the user's own pair of builds (--firmware twice)
# is patched as it is; -E, --history, two images and ram-load are refused
# with the reason.
set -euo pipefail
F="$FK_TOOL"
L="$FK_ROOT/tests/boot/data/sim-uniform.yaml"
KEY="$FK_ROOT/tests/data/mcuboot-images/ecdsa-p256.pem"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$F" sim -l "$L" -i app --patch -k "$KEY" --exhaustive >"$T/swap.txt" 2>/dev/null ||
	fail "sim --patch: $(cat "$T/swap.txt")"
cat "$T/swap.txt"
grep -q '^  patch: [0-9]* bytes for the [0-9]*-byte image ([0-9.]*%)' "$T/swap.txt" || fail "patch line"
grep -q '^  patch applied: *[1-9][0-9]* cases (every one of [1-9][0-9]* operations cut before, after, torn), [0-9]* resumed mid-image, 0 failures$' \
	"$T/swap.txt" || fail "patch sweep line"
grep -q '^verdict: PASS: [0-9]* cases, 0 failures$' "$T/swap.txt" || fail "verdict"
# the verdict counts the patch sweep's cases
python3 - "$T/swap.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
p = int(re.search(r"patch applied: +(\d+) cases", t).group(1))
s = sum(int(x) for x in re.findall(r"install \(\w+\): +(\d+) cases", t))
v = int(re.search(r"verdict: PASS: (\d+) cases", t).group(1))
assert v == p + s, (v, p, s)
patch, image = map(int, re.search(r"patch: (\d+) bytes for the (\d+)-byte", t).groups())
assert patch < image // 4, (patch, image)
print("patch", patch, "of", image, "bytes;", p, "patch cases +", s, "install cases =", v)
PY

for s in overwrite xip; do
	"$F" sim -l "$L" -i app --strategy "$s" --patch --single --json >"$T/$s.json" 2>/dev/null ||
		fail "sim --patch --strategy $s"
	python3 - "$T/$s.json" "$s" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
p = o["patch"]
assert o["verdict"] == "pass" and o["failures"] == 0, o
assert p["failures"] == 0 and p["ops"] > 0 and p["cases"] == 3 * p["ops"], p
assert 0 < p["bytes"] < o["image_bytes"], (p, o["image_bytes"])
print(sys.argv[2], "patch:", p)
PY
done

# the user's pair of builds: 2.0 is 1.0 with code inserted and a part added
python3 - "$T/v1.bin" "$T/v2.bin" <<'PY'
import random, sys
r = random.Random(5)
v1 = bytes(r.randrange(256) for _ in range(9000))
v2 = v1[:3000] + bytes(r.randrange(256) for _ in range(200)) + v1[3000:] + b"feature" * 150
open(sys.argv[1], "wb").write(v1)
open(sys.argv[2], "wb").write(v2)
PY
"$F" sim -l "$L" -i app --patch --firmware "$T/v1.bin" --firmware "$T/v2.bin" --single \
	>"$T/fw.txt" 2>/dev/null || fail "sim --patch --firmware: $(cat "$T/fw.txt")"
grep -q "old [0-9]* bytes ($T/v1.bin), new [0-9]* bytes ($T/v2.bin)" "$T/fw.txt" || fail "firmware pair"
grep -q '^  patch applied: .* 0 failures$' "$T/fw.txt" || fail "firmware patch sweep"
grep -q '^verdict: PASS: [0-9]* cases, 0 failures$' "$T/fw.txt" || fail "firmware verdict"

# refused, saying why
refused() {
	local want="$1"; shift
	local rc=0
	"$F" sim "$@" --patch 2>"$T/err" >/dev/null || rc=$?
	[ "$rc" != 0 ] && grep -q -- "$want" "$T/err" || fail "sim $* --patch: $(cat "$T/err")"
}
refused "an encrypted new image does not diff against that" \
	-l "$L" -i app -E "$FK_ROOT/tests/data/mcuboot-images/enc-x25519.pem"
refused "run them separately" -l "$L" -i app --history 2
refused "the update API does not apply patches there yet" \
	-l "$FK_ROOT/examples/stm32h750-ram-load/layout.yaml" -i app
refused "give --image once" \
	-l "$FK_ROOT/examples/stm32h745-dual-core/layout.yaml" -i cm7 -i cm4
echo "flashkit sim --patch: all checks passed"
