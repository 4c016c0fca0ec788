#!/usr/bin/env bash
# flashkit layout check|show|gen|draw from the command line: exit codes,
# messages on stderr, nothing written when the layout is invalid or the
# output cannot be written, and the pictures of every example rendered
# by rsvg-convert and holding every partition's name.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ex="$FK_ROOT/examples"
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

expect_exit() { # CODE DESCRIPTION CMD...
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" = "$want" ]; then pass "$what (exit $rc)"; else
		fail "$what: exit $rc, expected $want"; cat "$work/err"; fi
}

expect_exit 0 "check accepts a valid layout" \
	"$FK_TOOL" layout check "$ex/stm32f407-sectors/layout.yaml"
grep -q "valid: 3 memories, 5 partitions, 1 image, 0 modules, 0 warnings" "$work/out" ||
	fail "check prints its summary"

# Seed 002: code in QSPI writing settings in QSPI needs RAM functions
# (warned); the same code writing settings in internal flash does not.
# Either way the app writes the QSPI it runs from when it receives an
# update into its other slot, and on the H750 when it confirms itself
# (boot state in the slot trailer): both warned.
expect_exit 0 "check of the H750 (settings in QSPI)" \
	"$FK_TOOL" layout check "$ex/stm32h750-qspi/layout.yaml"
grep -q "warning: image 'app' executes from 'qspi' and writes 'settings' on the same external flash" "$work/err" &&
	pass "H750: writing the QSPI it runs from is warned" || fail "H750 warning: $(cat "$work/err")"
grep -q "warning: image 'app' executes from 'qspi' and its boot state ('app-a', slot trailer) is on the same external flash: fk_boot_confirm() must run from RAM" "$work/err" &&
	pass "H750: confirming into the QSPI it runs from is warned" || fail "H750 confirm warning: $(cat "$work/err")"
expect_exit 0 "check of the H7B0 (settings in internal flash)" \
	"$FK_TOOL" layout check "$ex/stm32h7-qspi-internal-settings/layout.yaml"
grep -q "valid: 5 memories, 6 partitions, 1 image, 0 modules, 1 warning$" "$work/out" &&
	grep -q "receives its updates into 'app-b' on the same external flash: fk_update_\*() must run from RAM" "$work/err" &&
	! grep -q "writes 'settings'\|boot state" "$work/err" &&
	pass "H7B0: settings and boot state in internal flash need no RAM function; updates into QSPI do" ||
	fail "H7B0 check: $(cat "$work/out" "$work/err")"

bad="$ex/stm32h750-qspi/settings-in-internal-flash.yaml"
expect_exit 1 "check refuses an invalid layout" "$FK_TOOL" layout check "$bad"
grep -q "^$bad:15:25: error: partition 'boot' ends at 0x08010000, inside sector 0" \
	"$work/err" && pass "error names FILE:LINE:COL and the sector" ||
	fail "error position"
expect_exit 3 "check of a missing file" "$FK_TOOL" layout check "$work/none.yaml"
grep -q "cannot read the layout: cannot open" "$work/err" || fail "missing-file message"
expect_exit 2 "check without a FILE" "$FK_TOOL" layout check
expect_exit 2 "unknown layout command" "$FK_TOOL" layout frobnicate x
expect_exit 0 "layout --help" "$FK_TOOL" layout --help
expect_exit 0 "layout gen --help" "$FK_TOOL" layout gen --help
grep -q "usage: flashkit layout gen FILE -o DIR" "$work/out" || fail "gen help"

# gen on an invalid layout writes nothing, not even the folder
expect_exit 1 "gen refuses an invalid layout" \
	"$FK_TOOL" layout gen "$bad" -o "$work/gen-bad"
[ ! -e "$work/gen-bad" ] && pass "no folder made for an invalid layout" ||
	fail "gen created output for an invalid layout"

# gen over an earlier output: an invalid layout leaves it untouched
"$FK_TOOL" layout gen "$ex/nrf52840-uniform/layout.yaml" -o "$work/keep" 2>/dev/null
before=$(cd "$work/keep" && ls && cat ./*)
expect_exit 1 "gen of an invalid layout over a good output" \
	"$FK_TOOL" layout gen "$bad" -o "$work/keep"
after=$(cd "$work/keep" && ls && cat ./*)
[ "$before" = "$after" ] && pass "earlier output untouched, no temporary files" ||
	fail "earlier output changed"

# an output folder that cannot be made: exit 2, nothing left behind
touch "$work/plainfile"
expect_exit 3 "gen into a path under a regular file" \
	"$FK_TOOL" layout gen "$ex/nrf52840-uniform/layout.yaml" -o "$work/plainfile/out"
# an unwritable file inside the folder: no file of the set appears
mkdir -p "$work/partial"
mkdir "$work/partial/layout.svg"   # a directory where a file must go
expect_exit 3 "gen when one file cannot be renamed into place" \
	"$FK_TOOL" layout gen "$ex/nrf52840-uniform/layout.yaml" -o "$work/partial"
left=$(ls "$work/partial" | grep -v '^layout.svg$' | grep -c . || true)
if [ "$left" = 0 ]; then pass "no other file written"; else
	ls "$work/partial"
	fail "files left after a failed gen"
fi

# show --json is JSON and agrees with the table
"$FK_TOOL" layout show --json "$ex/stm32h745-dual-core/layout.yaml" >"$work/h745.json"
"$FK_TOOL" layout show "$ex/stm32h745-dual-core/layout.yaml" >"$work/h745.txt"
python3 - "$work/h745.json" "$work/h745.txt" <<'PY' && pass "show --json parses and matches the table" || fail "show --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "flashkit-layout/1"
table = open(sys.argv[2]).read()
for img in d["images"]:
    line = next(l for l in table.splitlines() if l.startswith(img["name"] + " "))
    assert str(img["max_payload"]) in line.split(), (line, img["max_payload"])
# the boot core's figure: equal swap slots lose one 128K sector of
# save room (docs/boot.md, "Sizing"); the boot state has its own sector
assert [i["max_payload"] for i in d["images"]] == [256*1024 - 0x400,
                                                   384*1024 - 0x400]
PY

# every example's picture renders and names every partition
for layout in "$ex"/*/layout.yaml; do
	name=$(basename "$(dirname "$layout")")
	svg="$work/$name.svg"
	"$FK_TOOL" layout draw "$layout" -o "$svg" 2>/dev/null
	rsvg-convert "$svg" -o "$work/$name.png"
	python3 - "$svg" "$work/$name.png" "$layout" "$FK_TOOL" <<'PY' && pass "$name.svg renders and names every partition" || fail "$name.svg"
import json, struct, subprocess, sys, xml.etree.ElementTree as ET
svg, png, layout, tool = sys.argv[1:5]
root = ET.parse(svg).getroot()
texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
d = json.loads(subprocess.run([tool, "layout", "show", "--json", layout],
                              capture_output=True, text=True, check=True).stdout)
for p in d["partitions"]:
    assert p["name"] in texts, p["name"]
    assert "0x%08X" % p["address"] in texts, hex(p["address"])
head = open(png, "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", head[16:24])
assert w >= 600 and h >= 600, (w, h)
PY
done
# the complete example of docs/layout.md is valid and generates
python3 -c '
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.search(r"```yaml\n(.*?)```", s, re.S).group(1))
' "$FK_ROOT/docs/layout.md" "$work/doc.yaml"
expect_exit 0 "the example of docs/layout.md is valid" "$FK_TOOL" layout check "$work/doc.yaml"
"$FK_TOOL" layout show "$work/doc.yaml" | grep "app .* 261632 " >/dev/null &&
	pass "docs/layout.md: its show output agrees" || fail "doc example payload"
expect_exit 0 "the example of docs/layout.md generates" \
	"$FK_TOOL" layout gen "$work/doc.yaml" -o "$work/doc-gen"
[ -f "$work/doc-gen/module-mathlib.ld" ] || fail "doc example module script"

echo "$fails failure(s)"
[ "$fails" = 0 ]
