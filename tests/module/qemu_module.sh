#!/usr/bin/env bash
# The library module proof on QEMU mps2-an385 (examples/p1-factory-module/
# qemu): the user part at 0, the usrlib module image (signed, header
# 0x200) loaded into the factory-backup region at 0xE0000.
#   - app v1 + module v1: every call through the table gives its result,
#     the module's .data was copied and .bss zeroed into its own RAM;
#   - the module updated alone (v2: a function appended, the app not
#     rebuilt): the app keeps working; an app built against v2 uses the
#     new function, and refuses module v1 as too old (FK_EDEPEND);
#   - an incompatible module (a prototype changed, api raised): refused
#     (FK_EMISMATCH); no module at all: refused (FK_ENOENT);
#   - the table in each module image: entry i is function i of the lock
#     (its address from the ELF's symbols) with the lock's hash; a table
#     whose entries are swapped fails that check and the app's results.
set -euo pipefail
F=$FK_TOOL
D=$FK_TARGET_DIR
G=$D/p1q
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

run() { # APP MODULE-IMAGE|none -> output in $T/out, status in $rc
	local dev=()
	[ "$2" = none ] || dev=(-device "loader,file=$2,addr=0x000E0000,force-raw=on")
	rc=0
	timeout 30 qemu-system-arm -M mps2-an385 -nographic -monitor none \
		-serial none -semihosting-config enable=on,target=native \
		-kernel "$D/$1.elf" "${dev[@]}" >"$T/out" 2>&1 </dev/null || rc=$?
}
expect() { # APP MODULE STATUS REGEX
	run "$1" "$2"
	if [ "$rc" != "$3" ] || ! grep -Eq "$4" "$T/out"; then
		cat "$T/out"
		fail "$1 with $(basename "$2"): exit $rc, wanted $3 and /$4/"
	fi
	echo "ok   $1 + $(basename "$2"): exit $rc"
}

for v in v1 v2 bad; do
	"$F" image verify "$G/usrlib_$v.img" >/dev/null ||
		fail "usrlib_$v.img is not a valid image"
done
expect p1_app "$G/usrlib_v1.img" 0 'usrlib_name\(\) = "usrlib v1" at 0x20013500'
grep -q 'usrlib_calls() after bind = 0$' "$T/out" || fail ".bss not zeroed"
expect p1_app "$G/usrlib_v2.img" 0 'usrlib_name\(\) = "usrlib v2"'
grep -q "app: module ok" "$T/out" || fail "v2"
expect p1_app_v2 "$G/usrlib_v2.img" 0 'usrlib_sub\(50, 8\) = 42$'
expect p1_app_v2 "$G/usrlib_v1.img" 3 'refused: FK_EDEPEND'
expect p1_app "$G/usrlib_bad.img" 3 'refused: FK_EMISMATCH'
expect p1_app none 3 'refused: FK_ENOENT'

# Each table against its lock and the ELF's symbols.
check_table() { # BIN(at 0xE0200) ELF LOCK
	python3 - "$@" <<'PY'
import re, struct, subprocess, sys
bin_, elf, lock = sys.argv[1:]
data = open(bin_, "rb").read()
magic, fmt, mid, api, count, init = struct.unpack_from("<6I", data, 0)
assert magic == 0x4D4B4621 and fmt == 1, "no table at the module's start"
syms = {}
for l in subprocess.run(["arm-none-eabi-nm", elf], capture_output=True,
                        text=True, check=True).stdout.splitlines():
    f = l.split()
    if len(f) == 3:
        syms[f[2]] = int(f[0], 16)
want = []
for l in open(lock):
    m = re.match(r"extern .*?\b(\w+)\(.*\); // (\d+) 0x([0-9A-F]+)$", l)
    if m:
        want.append((m.group(1), int(m.group(3), 16)))
assert count == len(want), "count %d, lock has %d" % (count, len(want))
assert api == int(re.search(r"^api (\d+)$", open(lock).read(), re.M).group(1))
for i, (name, h) in enumerate(want):
    eh, fn = struct.unpack_from("<2I", data, 24 + 8 * i)
    assert eh == h, "entry %d: hash %08x, lock %08x" % (i, eh, h)
    assert fn & ~1 == syms[name] & ~1, \
        "entry %d: 0x%08x is not %s (0x%08x)" % (i, fn, name, syms[name])
print("table ok: %d entries" % count)
PY
}
for v in v1 v2 bad; do
	arm-none-eabi-objcopy -O binary "$G/usrlib_$v.elf" "$T/$v.bin"
	check_table "$T/$v.bin" "$G/usrlib_$v.elf" "$G/$v.lock" >/dev/null ||
		fail "table of usrlib_$v"
done
echo "ok   each table holds the lock's functions, in order, with its hashes"

# A misplaced entry (add and scale swapped, hashes left): the table check
# and the app's results both catch it.
python3 - "$T/v1.bin" "$T/swapped.bin" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
a = d[28:32]; d[28:32] = d[36:40]; d[36:40] = a
open(sys.argv[2], "wb").write(d)
PY
if check_table "$T/swapped.bin" "$G/usrlib_v1.elf" "$G/v1.lock" >/dev/null 2>&1; then
	fail "the table check missed a misplaced entry"
fi
"$F" image sign -H 0x200 --pad-header -S 0x20000 --align 4 -v 1.0.0 \
	"$T/swapped.bin" "$T/swapped.img" >/dev/null
run p1_app "$T/swapped.img"
[ "$rc" != 0 ] && ! grep -q "app: module ok" "$T/out" ||
	fail "the app did not notice a misplaced entry"
echo "ok   a misplaced entry fails the table check and the app (exit $rc)"
echo "module_qemu: ok"
