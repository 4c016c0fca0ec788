#!/usr/bin/env bash
# flashkit image delta / compress / apply (docs/delta.md): a patch between
# two signed images rebuilds the new one byte for byte and verifies as a
# signed image; refusals (another old image, a truncated or damaged patch,
# garbage, an image that is no patch, bad options) exit 1 or 2 with a
# message saying what is wrong, and leave no output file.
set -euo pipefail
T=${FK_TOOL:?}
D=$FK_ROOT/tests/data/mcuboot-images
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
check() { # $1 = description, then the command; expects success
	local what=$1
	shift
	if ! "$@" >"$W/out" 2>&1; then
		echo "FAIL: $what"
		cat "$W/out"
		fails=$((fails + 1))
	fi
}
refuse() { # $1 = exit code, $2 = text the message must hold, then command
	local code=$1 text=$2 rc=0
	shift 2
	rm -f "$W/res.img"
	"$@" >"$W/out" 2>&1 || rc=$?
	if [ "$rc" != "$code" ] || ! grep -q -- "$text" "$W/out" || [ -e "$W/res.img" ]; then
		echo "FAIL: $* (exit $rc, want $code and '$text', output left: $([ -e "$W/res.img" ] && echo yes || echo no))"
		cat "$W/out"
		fails=$((fails + 1))
	fi
}

# v1, and v2 with code inserted and a constant changed
python3 - "$D/payload-12k.bin" "$W/p2.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[5000:5000] = bytes(range(100, 180))
d[9000] ^= 0x55
open(sys.argv[2], "wb").write(d)
PY
check "sign v1" "$T" image sign -k "$D/ecdsa-p256.pem" -v 1.0.0 -H 0x200 --pad-header "$D/payload-12k.bin" "$W/v1.img"
check "sign v2" "$T" image sign -k "$D/ecdsa-p256.pem" -v 1.1.0 -H 0x200 --pad-header "$W/p2.bin" "$W/v2.img"
check "delta" "$T" image delta --from "$W/v1.img" "$W/v2.img" -o "$W/patch.img" -k "$D/ecdsa-p256.pem"
check "patch verifies" "$T" image verify -k "$D/ecdsa-p256.pub.pem" "$W/patch.img"
check "apply" "$T" image apply --from "$W/v1.img" "$W/patch.img" -o "$W/back.img"
check "rebuilt byte for byte" cmp "$W/back.img" "$W/v2.img"
[ "$(stat -c %s "$W/patch.img")" -lt 1000 ] || { echo "FAIL: patch of $(stat -c %s "$W/patch.img") bytes"; fails=$((fails + 1)); }
check "compress" "$T" image compress "$W/v2.img" -o "$W/small.img" --block-size 4096
check "expand" "$T" image apply "$W/small.img" -o "$W/back2.img"
check "expanded byte for byte" cmp "$W/back2.img" "$W/v2.img"
check "sign --compress" "$T" image sign -k "$D/ecdsa-p256.pem" -v 1.1.0 -H 0x200 --pad-header --compress "$W/p2.bin" "$W/signed-small.img"
check "expand sign --compress" "$T" image apply "$W/signed-small.img" -o "$W/back3.img"
check "expanded image verifies" "$T" image verify -k "$D/ecdsa-p256.pub.pem" "$W/back3.img"
check "compressed image verifies" "$T" image verify -k "$D/ecdsa-p256.pub.pem" "$W/signed-small.img"

refuse 1 "wrong old image" "$T" image apply --from "$W/v2.img" "$W/patch.img" -o "$W/res.img"
refuse 1 "give it with --from" "$T" image apply "$W/patch.img" -o "$W/res.img"
head -c $(($(stat -c %s "$W/patch.img") - 50)) "$W/patch.img" >"$W/trunc.img"
refuse 1 "not a valid image" "$T" image apply --from "$W/v1.img" "$W/trunc.img" -o "$W/res.img"
python3 - "$W/patch.img" "$W/flip.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[60] ^= 1
open(sys.argv[2], "wb").write(d)
PY
refuse 1 "flip.img: damaged: its digest does not match" "$T" image apply --from "$W/v1.img" "$W/flip.img" -o "$W/res.img"
head -c 5000 /dev/urandom >"$W/garbage.bin"
refuse 1 "not a valid image" "$T" image apply --from "$W/v1.img" "$W/garbage.bin" -o "$W/res.img"
refuse 1 "not a patch" "$T" image apply --from "$W/v1.img" "$W/v2.img" -o "$W/res.img"
refuse 1 "garbage.bin: not a valid image: not an MCUboot image" "$T" image delta --from "$W/v1.img" "$W/garbage.bin" -o "$W/res.img"
refuse 1 "garbage.bin: not a valid image: not an MCUboot image" "$T" image delta --from "$W/garbage.bin" "$W/v2.img" -o "$W/res.img"
refuse 2 "power of two" "$T" image delta --from "$W/v1.img" "$W/v2.img" -o "$W/res.img" --block-size 1000
refuse 2 "needs --from" "$T" image delta "$W/v2.img" -o "$W/res.img"
refuse 2 "padded slot" "$T" image sign -H 0x200 --pad-header -S 0x8000 --pad --compress "$W/p2.bin" "$W/res.img"
refuse 2 "as a binary" "$T" image sign -H 0x200 --pad-header --compress "$W/p2.bin" "$W/res.hex"
[ ! -e "$W/res.hex" ] || { echo "FAIL: res.hex left"; fails=$((fails + 1)); }
refuse 3 "" "$T" image delta --from "$W/none.img" "$W/v2.img" -o "$W/res.img"

[ "$fails" = 0 ] || { echo "$fails failures"; exit 1; }
echo "ok: image delta/compress/apply, 14 checks and 13 refusals"
