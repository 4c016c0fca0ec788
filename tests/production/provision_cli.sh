#!/usr/bin/env bash
# flashkit provision from the command line: three devices get distinct
# serials, MACs and secrets, a calibration blob each, and a manifest that
# matches their files; the per-device factory image holds the factory
# bytes plus the record (checked with srec_cat); every error (duplicate
# serial, template mistakes, MAC range used up, factory data in the
# devinfo partition, a second run at the same time) is refused before any
# serial is reserved.
source "$(dirname "$0")/lib.sh"
L="$HERE/layouts/two-memories.yaml"
CHECK="$HERE/provision_check.py"

mkdir cal
for n in 1 2 3 4; do printf "cal-$n" >cal/SN-00$n.bin; done
cat >tpl.yaml <<'YAML'
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "SN-%03u" }
  mac:    { type: mac, first: "02:00:00:12:00:00", last: "02:00:00:12:00:02" }
  secret: { type: random, size: 16 }
  hw:     { type: text, id: 0x0003, value: "B2" }
  cal:    { type: file, path: "cal/{serial}.bin" }
YAML
"$FK" provision --layout "$L" --template tpl.yaml --count 3 -o out >/dev/null
python3 "$CHECK" out serials.state 0x0800C000 >/dev/null
[ "$(cut -d, -f3 out/manifest-1-3.csv | tail -n +2 | tr '\n' ' ')" = "02:00:00:12:00:00 02:00:00:12:00:01 02:00:00:12:00:02 " ] ||
	fail "MACs: $(cat out/manifest-1-3.csv)"
grep -q '^1,SN-001,.*,B2,crc32:' out/manifest-1-3.csv || fail "manifest: $(cat out/manifest-1-3.csv)"
# The records hold random secrets: files and manifest for the owner only.
[ "$(stat -c %a out/SN-001.hex out/manifest-1-3.csv | sort -u)" = 600 ] ||
	fail "modes: $(stat -c '%a %n' out/*)"
pass

# MAC range used up: refused before anything is reserved.
# option values: the message names the bad one
expect_fail "--count '-1' is negative" \
	"$FK" provision --layout "$L" --template tpl.yaml --count -1 -o out2
expect_fail "--format 'elf' is not an output format" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 3 --format elf -o out2
grep -q -- "--count" err.txt && fail "--format elf message names --count"
expect_fail "tpl.yaml:4: MAC range of 'mac' is used up at counter 4" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o out
grep -q '^next 4$' serials.state && ! grep -q pending serials.state || fail "state moved: $(cat serials.state)"
pass
sed -i 's/00:02" }/00:ff" }/' tpl.yaml

# A missing calibration file is refused before the reservation too.
expect_fail "cal/SN-005.bin' of device SN-005 cannot be read" \
	"$FK" provision --layout "$L" --template "$T/tpl.yaml" --count 2 -o out
grep -q '^next 4$' serials.state || fail "state moved: $(cat serials.state)"
pass

# Duplicate serial: the state was rolled back (restored from an old copy).
cp serials.state old.state
"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o out >/dev/null
cp old.state serials.state
expect_fail "duplicate serial SN-004: $(pwd)/out/SN-004.hex exists" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o "$(pwd)/out"
expect_fail "duplicate serial SN-004" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o out
ls out/SN-00* | wc -l | grep -q '^4$' || fail "a file was replaced or added"
pass
cp serials.state rolled.state
printf 'flashkit provision state 1\nstart 1\nnext 5\n' >serials.state

# Another run holding the counter.
exec 8>serials.state.lock
flock -x 8
expect_fail "another provision run holds" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o out
flock -u 8
exec 8>&-

# Template mistakes, with line and column.
cat >bad.yaml <<'YAML'
counter: { state: s.state }
fields:
  serial: { type: serial, format: "SN-%s" }
  mac:    { type: mac, first: "02:00", last: "02:00:00:00:00:01" }
  hw:     { type: text, value: "B2" }
  x:      { type: blob }
  y:      { type: text, id: 3, value: "a", colour: red }
YAML
expect_fail "bad.yaml:3:35: error: serial: 'format' needs exactly one integer conversion" \
	"$FK" provision --layout "$L" --template bad.yaml --count 1 -o out
grep -q "bad.yaml:4:11: error: mac: needs 'first' and 'last'" err.txt || fail "$(cat err.txt)"
grep -q "bad.yaml:5:11: error: hw needs 'id'" err.txt || fail "$(cat err.txt)"
grep -q "bad.yaml:6:19: error: field 'x': type must be" err.txt || fail "$(cat err.txt)"
grep -q "bad.yaml:7:44: error: unknown key 'colour' in y" err.txt || fail "$(cat err.txt)"
[ "$(wc -l <err.txt)" = 5 ] || fail "spurious errors: $(cat err.txt)"
pass

# Regressions found by fuzz_provision: a bad hex value (was a double
# free) and a format with several conversions (was a buffer overflow).
cat >bad2.yaml <<'YAML'
counter: { state: s.state }
fields:
  serial: { type: serial, format: "%u%u%u%u%u%u%u%u" }
  key:    { type: hex, id: 0x8001, value: "00zz" }
YAML
expect_fail "bad2.yaml:3:35: error: serial: 'format' needs exactly one integer conversion" \
	"$FK" provision --layout "$L" --template bad2.yaml --count 1 -o out
grep -q "bad2.yaml:4:11: error: key: needs 'value' in hex digits" err.txt || fail "$(cat err.txt)"
pass

# Factory image + record per device; factory data in the partition refused.
printf cal-5 >cal/SN-005.bin
printf cal-6 >cal/SN-006.bin
head -c 30000 /dev/urandom >boot.bin
"$FK" merge --layout "$L" boot.bin@boot -o factory.hex >/dev/null
"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o dev \
	--factory factory-flash.hex --format bin >/dev/null
srec_cat dev/SN-005.bin -Binary -crop 0 30000 -o head.bin -Binary
same head.bin boot.bin
"$FK" convert dev/SN-005.bin --base 0x08000000 --crop 0x0800C000 0x0800C004 -o magic.bin
[ "$(cat magic.bin)" = FKDI ] || fail "no record at the devinfo partition"
pass
"$FK" merge --layout "$L" boot.bin@boot boot.bin@devinfo -o bad.hex 2>/dev/null && fail "boot.bin fits devinfo?"
head -c 100 boot.bin >small.bin
"$FK" merge --layout "$L" small.bin@devinfo -o badf.hex >/dev/null
expect_fail "badf-flash.hex has data at 0x0800c000, inside partition 'devinfo'" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o dev --factory badf-flash.hex
grep -q '^next 6$' serials.state || fail "state moved: $(cat serials.state)"
pass

# The state above was written as version 1 (no crc32 line, an older
# flashkit): it was read, and the run that used it wrote version 2, whose
# last line is the CRC-32 of the lines above it.
python3 - serials.state <<'PY' || fail "state: $(cat serials.state)"
import sys, zlib
t = open(sys.argv[1], 'rb').read()
head, last = t[:t.rindex(b'\n', 0, -1) + 1], t[t.rindex(b'\n', 0, -1) + 1:]
assert t.startswith(b'flashkit provision state 2\n'), t
assert last == b'crc32 %08x\n' % zlib.crc32(head), (last, zlib.crc32(head))
PY
pass
# One digit of it changed: refused, naming the file and what to do; the
# state is kept as it is and no -o folder is made.
sed -i 's/^next 6$/next 2/' serials.state
cp serials.state damaged.state
expect_fail "serials.state:4: the crc32 line does not match the lines above it; the counter state is damaged: restore it from a backup" \
	"$FK" provision --layout "$L" --template tpl.yaml --count 1 -o new/dev
same serials.state damaged.state
[ ! -e new ] || fail "a damaged state left the -o folder 'new'"
echo "provision: $checks checks passed"
