#!/usr/bin/env bash
# The ram-load strategy from the command line, on seed 002's layout
# (examples/stm32h750-ram-load: slots in QSPI, the image run from the
# AXI SRAM): `image sign --layout` signs for the load RAM (-L, RAM_LOAD)
# and refuses a conflicting -L or an image larger than the RAM allows;
# layout.json names the load RAM; `layout check` refuses a ram-load image
# without 'load' at FILE:LINE:COL, writing nothing with `layout gen`.
set -euo pipefail
F="$FK_TOOL"
L="$FK_ROOT/examples/stm32h750-ram-load/layout.yaml"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

head -c 20000 /dev/urandom >"$T/fw.bin"
"$F" image sign --layout "$L" --image app --pad-header "$T/fw.bin" \
	"$T/app.img" 2>/dev/null || fail "sign for the load RAM"
"$F" image info --json "$T/app.img" >"$T/info.json"
python3 - "$T/info.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["header"]
assert h["load_addr"] == 0x24000000 and "RAM_LOAD" in h["flag_names"], h
assert h["hdr_size"] == 0x400, h
print("signed for the AXI SRAM: load_addr 0x%08x, %s" % (h["load_addr"], h["flag_names"]))
PY
# the same -L is accepted, another is refused
"$F" image sign --layout "$L" --image app --pad-header -L 0x24000000 \
	"$T/fw.bin" "$T/same.img" 2>/dev/null || fail "-L equal to the layout's"
rc=0; "$F" image sign --layout "$L" --image app --pad-header -L 0x24001000 \
	"$T/fw.bin" "$T/x.img" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "conflicts with the layout's load RAM address 0x24000000" "$T/err" ||
	fail "-L conflict: rc $rc $(cat "$T/err")"
[ ! -e "$T/x.img" ] || fail "output written after a refusal"
# larger than the payload the slots and the RAM allow (519168 bytes)
head -c 519169 /dev/zero >"$T/big.bin"
rc=0; "$F" image sign --layout "$L" --image app --pad-header "$T/big.bin" \
	"$T/big.img" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && [ ! -e "$T/big.img" ] || fail "oversized image signed"

"$F" layout show --json "$L" >"$T/layout.json"
python3 - "$T/layout.json" <<'PY'
import json, sys
i = json.load(open(sys.argv[1]))["images"][0]
assert i["strategy"] == "ram-load", i
assert i["load"] == {"name": "axi-sram", "address": 0x24000000, "size": 0x80000}, i
assert i["max_payload"] == 519168, i
PY

# a ram-load image without 'load': refused where the strategy is written
sed '/^    load: axi-sram/d' "$L" >"$T/noload.yaml"
rc=0; "$F" layout check "$T/noload.yaml" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "layout check without load: rc $rc"
grep -q "noload.yaml:[0-9]*:[0-9]*: error: image 'app': strategy ram-load needs 'load'" "$T/err" ||
	fail "no FILE:LINE:COL error: $(cat "$T/err")"
rc=0; "$F" layout gen "$T/noload.yaml" -o "$T/gen" 2>/dev/null || rc=$?
[ "$rc" = 1 ] && [ ! -e "$T/gen/app.ld" ] || fail "layout gen wrote output"
echo "ram-load CLI: all checks passed"
