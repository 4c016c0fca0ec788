#!/usr/bin/env bash
# Every command on hostile input, as an outside reviewer runs it: empty,
# truncated, random and bit-flipped files, a folder or a missing file
# where a file goes, huge declared sizes, broken layouts, outputs that
# cannot be written or that name the input, option values that are
# negative, not numbers or overflow, and ports that are not serial
# devices (a regular file, /dev/null, a pty that answers garbage).
#
# Each case must end with a non-zero status below 128 (no crash), a
# message on stderr that names what was wrong (the file, the option),
# no sanitizer report (under FK_SANITIZE builds), and the folder exactly
# as before: no output or temporary file left, every input unchanged.
# A case marked "may" is input that can be valid (a truncated HEX file
# cut at a record's end): it may succeed, but must not crash.
set -uo pipefail
FK="${FK_TOOL:?FK_TOOL must point at the built flashkit}"
ROOT="${FK_ROOT:?}"
DATA=$ROOT/tests/data/mcuboot-images
work=$(mktemp -d)
logs=$(mktemp -d)
pty_pid=
trap 'rm -rf "$work" "$logs"; [ -z "$pty_pid" ] || kill "$pty_pid" 2>/dev/null' EXIT
cd "$work"
export FLASHKIT_KEY_PASSWORD=wrong
fails=0
cases=0

snapshot() { # every path, its kind, mode, inode, size and change time
	find . -mindepth 1 -printf '%p %y %m %i %s %C@\n'
}

report() { # what the case was, what went wrong
	echo "FAIL [$1] $2"
	head -20 <<<"${err:-}" | sed 's/^/    /'
	fails=$((fails + 1))
}

# run MODE WANT CMD...: MODE is "must" (the command must fail) or "may"
# (it may succeed); WANT is text its message must hold when it fails (""
# for none beyond a message), or else $ALSO when set. With FILE_FAULT set
# the failure is a file's, so its exit status must not be 2; with USAGE
# set it is the command line's (a bad option value), so it must be 2.
run() {
	local mode=$1 want=$2 rc=0 before after err what
	shift 2
	cases=$((cases + 1))
	before=$(snapshot)
	timeout 20 "$@" </dev/null >"$logs/out" 2>"$logs/err" || rc=$?
	err=$(<"$logs/err")
	what="$*"
	what=${what//$FK/flashkit}
	if [[ $err == *Sanitizer* || $err == *"runtime error:"* ]]; then
		report "$what" "sanitizer report"
		return
	fi
	if [ "$rc" -ge 124 ]; then
		report "$what" "exit $rc (crash, signal or hang)"
		return
	fi
	if [ "$rc" = 0 ]; then
		[ "$mode" = may ] || report "$what" "succeeded"
		cleanup "$before"
		return
	fi
	# a bad file is the input's fault (1) or an I/O failure (3), never
	# a wrong command line (2; README, "Exit status")
	if [ -n "${FILE_FAULT:-}" ] && [ "$rc" = 2 ]; then
		report "$what" "exit 2 (the command line) for a bad file"
	fi
	if [ -n "${USAGE:-}" ] && [ "$rc" != 2 ]; then
		report "$what" "exit $rc for a bad option value, not 2"
	fi
	# image verify and image info give their verdict on stdout
	[ -n "$err" ] || err=$(<"$logs/out")
	if [ -z "$err" ]; then
		report "$what" "exit $rc with nothing said"
	elif [ -n "$want" ] && [[ $err != *"$want"* ]] &&
		! [[ -n ${ALSO:-} && $err == *"$ALSO"* ]]; then
		report "$what" "exit $rc, the message does not name '$want'"
	fi
	after=$(snapshot)
	if [ "$before" != "$after" ]; then
		report "$what" "the folder changed: $(diff <(sort <<<"$before") <(sort <<<"$after") | grep '^[<>]' | head -5 | tr '\n' ' ')"
		cleanup "$before"
	fi
}

# cleanup SNAPSHOT: removes what a command wrote since the snapshot
# (every path the snapshot does not list; a line is the path and five
# fields).
cleanup() {
	local p line
	local -A kept=()
	while IFS= read -r line; do
		kept[${line% * * * * *}]=1
	done <<<"$1"
	find . -mindepth 1 -printf '%p\n' | sort -r | while IFS= read -r p; do
		[ -n "${kept[$p]+set}" ] || rm -rf "$p"
	done
}

# mutants FILE: writes FILE's hostile variants next to it, and lists
# their names: empty, cut at several points, random bytes of the same
# length, and bytes flipped at the start, the middle and the end.
mutants() {
	python3 - "$1" <<'PY'
import os, random, sys
path = sys.argv[1]
data = open(path, 'rb').read()
stem, ext = os.path.splitext(os.path.basename(path))
rng = random.Random(len(data))
out = {}
out['empty'] = b''
for cut in (1, 7, 33, len(data) // 2):
    if 0 < cut < len(data):
        out['cut%d' % cut] = data[:cut]
out['cutlast'] = data[:-1]
out['random'] = bytes(rng.randrange(256) for _ in range(len(data)))
for at in (0, 5, 20, len(data) // 3, len(data) // 2, len(data) - 2):
    if 0 <= at < len(data):
        b = bytearray(data)
        b[at] ^= 0x5a
        out['flip%d' % at if at < len(data) - 2 else 'fliptail'] = bytes(b)
for name, body in out.items():
    n = 'm-%s-%s%s' % (stem, name, ext)
    open(n, 'wb').write(body)
    print(n)
PY
}

mkdir folder
touch plain-file
chmod 555 folder 2>/dev/null
ro=folder # a folder no one but root writes into, and one root cannot
[ "$(id -u)" = 0 ] && ro=/proc

# Valid inputs of each kind.
cp "$DATA/ecdsa-p256-basic.bin" img.bin
cp "$DATA/ecdsa-p256-at-0x08020000.hex" img.hex
cp "$DATA/ecdsa-p256.pem" key.pem
cp "$DATA/ecdsa-p256.pub.pem" pub.pem
cp "$DATA/enc-x25519.pem" enc.pem
head -c 4096 "$DATA/payload-12k.bin" >fw.bin
cp "$ROOT/examples/stm32l4-plain/layout.yaml" layout.yaml
"$FK" convert fw.bin -o fw.hex --base 0x08000000 >/dev/null
"$FK" convert fw.bin -o fw.srec --base 0x08000000 >/dev/null
"$FK" convert fw.bin -o fw.uf2 --base 0x08000000 --family 0xe48bff56 >/dev/null
"$FK" convert fw.bin -o fw.dfu --base 0x08000000 >/dev/null
"$FK" image compress img.bin -o comp.img >/dev/null
cat >settings.yaml <<'YAML'
keys: 16
value-max: 32
values:
  3: "hostile"
  5: { hex: "0102" }
YAML
"$FK" kv build settings.yaml -o store.bin --sector-size 4K --sectors 4 >/dev/null
cat >schema.yaml <<'YAML'
settings:
  volume: { type: u8, default: 7 }
  name: { type: string, size: 16, default: "x" }
YAML
cp "$ROOT/examples/p1-factory-module/usrlib.exports" usrlib.exports
cp "$ROOT/examples/p1-factory-module/usrlib_types.h" .
cp "$ROOT/examples/p1-factory-module/layout.yaml" module.yaml
cp "$ROOT/tests/production/layouts/two-memories.yaml" devinfo.yaml
cp "$ROOT/tests/layout/data/esp-idf/partitions_two_ota.csv" partitions.csv
cat >swap.yaml <<'YAML'
name: a small swap layout, for quick simulations
memories:
  flash:
    kind: flash
    base: 0x08000000
    sectors: 32x1K
    write-unit: 8
    erased: 0xFF
    partitions:
      boot: { size: 4K, role: bootloader, protect: write }
      a: { size: 8K, role: slot }
      b: { size: 8K, role: slot }
  ram:
    kind: ram
    base: 0x20000000
    size: 16K
images:
  app: { primary: a, secondary: b, strategy: swap, ram: ram }
YAML
cat >tpl.yaml <<'YAML'
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "SN-%03u" }
YAML
# A 32-bit ARM ELF executable: one PT_LOAD segment of fw.bin at 0x08000000.
python3 - <<'PY'
import struct
body = open('fw.bin', 'rb').read()
eh = struct.pack('<4s5B7x2H5I6H', b'\x7fELF', 1, 1, 1, 0, 0, 2, 40, 1,
		 0x08000000, 52, 0, 0x05000000, 52, 32, 1, 40, 0, 0)
ph = struct.pack('<8I', 1, 84, 0x08000000, 0x08000000, len(body), len(body), 5, 4)
open('fw.elf', 'wb').write(eh + ph + body)
PY
"$FK" convert fw.elf -o elf-check.bin >/dev/null && cmp -s elf-check.bin fw.bin || { echo "the test's ELF does not convert"; exit 1; }
rm elf-check.bin
# A second image and a patch between the two.
"$FK" image sign fw.bin img2.bin -k key.pem -H 0x200 --pad-header -S 0x20000 -v 2.0.0 >/dev/null
"$FK" image delta --from img.bin img2.bin -o patch.img >/dev/null

# Each file input in each command: its hostile variants. policy "strict"
# (a CRC, digest or signature guards every byte: each variant must fail),
# "text" (the same, but the cut of the last newline leaves a valid file),
# "digest" (an image whose signature is not checked: a flip near its end,
# in the signature, leaves it valid), "loose" (a cut or flip may leave
# a valid file) or "optional" (loose, and a missing file is no error).
# sweep POLICY FILE CMD... with @@ standing for the file.
sweep() {
	local policy=$1 file=$2 m mode
	shift 2
	for m in $(mutants "$file") folder missing.bin; do
		mode=may
		case $policy:$m in
		optional:missing.bin) ;;
		*:*-empty* | *:*-random* | *:folder | *:missing.bin) mode=must ;;
		esac
		case $policy:$m in
		strict:* | text:* | digest:*) mode=must ;;
		esac
		case $policy:$m in
		text:*-cutlast* | digest:*-fliptail*) mode=may ;;
		esac
		FILE_FAULT=1 run "$mode" "$m" "${@//@@/$m}"
	done
	rm -f m-*
}

echo "== file inputs"
sweep text fw.hex "$FK" convert @@ -o out.bin
sweep text fw.srec "$FK" convert @@ -o out.bin
sweep loose fw.uf2 "$FK" convert @@ -o out.bin
sweep strict fw.dfu "$FK" convert @@ -o out.bin
sweep loose fw.elf "$FK" convert @@ -o out.bin
sweep strict img.bin "$FK" image verify @@ -k key.pem
sweep text img.hex "$FK" image verify @@ -k key.pem
sweep loose img.bin "$FK" image info @@
sweep loose img.bin "$FK" image info @@ --json
sweep loose fw.hex "$FK" image sign @@ out.img -k key.pem -H 0x200 --pad-header -S 0x20000
sweep loose key.pem "$FK" image sign fw.bin out.img -k @@ -H 0x200 --pad-header -S 0x20000
sweep digest img.bin "$FK" image sign --resign @@ out.img -k key.pem
sweep loose enc.pem "$FK" image verify "$DATA/ed25519-enc-x25519-aes128.bin" --enc-key @@
sweep digest img.bin "$FK" image delta --from @@ img2.bin -o out.img
sweep digest img2.bin "$FK" image delta --from img.bin @@ -o out.img
sweep digest img.bin "$FK" image compress @@ -o out.img
sweep strict comp.img "$FK" image apply @@ -o out.img
sweep strict patch.img "$FK" image apply --from img.bin @@ -o out.img
# a flipped signature leaves the digest right: the old image is the wrong one
ALSO="(--from)" sweep strict img.bin "$FK" image apply --from @@ patch.img -o out.img
sweep loose key.pem "$FK" key public @@
sweep loose key.pem "$FK" key public @@ --c -o out.c
sweep loose enc.pem "$FK" key private @@ -o out.key
sweep loose settings.yaml "$FK" kv build @@ -o out.bin --sector-size 4K --sectors 4
sweep loose schema.yaml "$FK" kv build settings.yaml --schema @@ -o out.bin --sector-size 4K --sectors 4
sweep loose store.bin "$FK" kv dump @@
sweep loose store.bin "$FK" kv dump @@ --sector-size 4K --sectors 4 --records
sweep loose schema.yaml "$FK" kv gen @@ -o out.h
sweep loose layout.yaml "$FK" layout check @@
sweep loose layout.yaml "$FK" layout show @@ --json
sweep loose layout.yaml "$FK" layout gen @@ -o outdir
sweep loose layout.yaml "$FK" layout draw @@ -o out.svg
sweep loose partitions.csv "$FK" layout import @@ -o out.yaml --from esp-idf
sweep loose layout.yaml "$FK" merge --layout @@ fw.bin@app -o out.bin
sweep loose fw.uf2 "$FK" merge @@ -o out.hex
sweep strict fw.dfu "$FK" merge @@ -o out.hex
sweep loose usrlib.exports "$FK" module gen @@ --layout module.yaml -o outdir
sweep loose module.yaml "$FK" module gen usrlib.exports --layout @@ -o outdir
sweep loose tpl.yaml "$FK" provision --layout devinfo.yaml --template @@ --count 1 -o outdir
sweep loose devinfo.yaml "$FK" provision --layout @@ --template tpl.yaml --count 1 -o outdir
sweep text fw.hex "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o outdir --factory @@
sweep loose swap.yaml "$FK" sim --layout @@ --image app --single --size 1024
head -c 256 fw.bin >small.bin
"$FK" convert small.bin -o small.hex --base 0x08001000 >/dev/null
sweep loose small.hex "$FK" sim --layout swap.yaml --image app --single --firmware @@
# a flipped signature is for the device to find (no key here)
ALSO="/dev/null: no answer" sweep digest img.bin "$FK" upload --port /dev/null @@ --timeout 50 -w 1


# a module's lock file: refused when damaged, never rewritten then (a
# missing one is a first run)
cp "$ROOT/examples/p1-factory-module/usrlib.exports.lock" good.lock
sweep optional good.lock "$FK" module gen usrlib.exports --layout module.yaml --lock @@ -o outdir
rm good.lock

# too many functions: said once, not once per function past the limit
{
	printf 'module usrlib\napi 1\nheader "usrlib_types.h"\n'
	for i in $(seq 300); do echo "int f$i(int a);"; done
} >many.exports
FILE_FAULT=1 run must "many.exports:260:1: error: more than 256 functions" \
	"$FK" module gen many.exports --layout module.yaml -o outdir
[ "$(grep -c 'more than 256' "$logs/err")" = 1 ] ||
	report "module gen many.exports" "the limit is reported $(grep -c 'more than 256' "$logs/err") times"
rm many.exports

echo "== a damaged counter state"
# Serials are never issued twice: a state file that does not read is
# refused, names the file and says what to do, and leaves everything as it
# was: the state, and no -o folder made. The state's last line is a CRC-32
# of the others (docs/production.md), so every variant is refused.
"$FK" provision --layout devinfo.yaml --template tpl.yaml --count 2 -o outdir >/dev/null
rm -r outdir
mv serials.state good.state
grep -q '^crc32 [0-9a-f]\{8\}$' good.state ||
	report "provision" "the state has no crc32 line: $(cat good.state)"
for m in $(mutants good.state); do
	cp "$m" serials.state
	FILE_FAULT=1 run must serials.state "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o fresh/sub
	grep -q "restore it from a backup" "$logs/err" ||
		report "provision $m" "the message does not say what to do"
done
# a version-1 state (no CRC) still reads; a damaged one may pass unseen,
# but one that is refused leaves the folder as it was
printf 'flashkit provision state 1\nstart 1\nnext 3\n' >good.state
for m in $(mutants good.state); do
	cp "$m" serials.state
	FILE_FAULT=1 run may serials.state "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o fresh/sub
done
rm -rf m-* good.state serials.state serials.state.lock fresh

echo "== declared sizes that lie"
python3 - <<'PY'
import struct, zlib
img = bytearray(open('img.bin', 'rb').read())
for name, off, val in (('huge-img', 12, 0xfffffff0), ('huge-hdr', 8, 0xffff),
		       ('huge-tlv', 10, 0xffff)):
	b = bytearray(img)
	if off == 12:
		struct.pack_into('<I', b, off, val)
	else:
		struct.pack_into('<H', b, off, val)
	open(name + '.bin', 'wb').write(b)
# the TLV area's total length, past the end of the file
b = bytearray(img)
hdr, size = struct.unpack_from('<HxxI', b, 8)
struct.pack_into('<H', b, hdr + size + 2, 0xfff0)
open('huge-tlvinfo.bin', 'wb').write(b)
# HEX records 4 GiB apart, and one that wraps past 0xFFFFFFFF
open('far.hex', 'w').write(':020000040000FA\n:0100000000FF\n'
			   ':02000004FFFFFC\n:02FFFF000000FF\n:00000001FF\n')
# UF2 blocks that claim 2^32-1 blocks, a 4 KiB payload, an address at the top
def uf2(addr, size, blockno, count):
	blk = struct.pack('<8I', 0x0A324655, 0x9E5D5157, 0, addr, size, blockno, count, 0)
	return blk + bytes(476) + struct.pack('<I', 0x0AB16F30)
open('huge.uf2', 'wb').write(uf2(0x08000000, 256, 0, 0xffffffff))
open('bigpayload.uf2', 'wb').write(uf2(0x08000000, 4096, 0, 1))
open('top.uf2', 'wb').write(uf2(0xffffff80, 256, 0, 1))
# a DfuSe file whose element claims 4 GiB
def dfuse(elem_size, nelem=1):
	el = struct.pack('<II', 0x08000000, elem_size) + b'\xaa' * 16
	tgt = struct.pack('<6sBI255sII', b'Target', 0, 0, b'', len(el), nelem) + el
	body = struct.pack('<5sBIB', b'DfuSe', 1, 11 + len(tgt) + 16, 1) + tgt
	suffix = struct.pack('<HHHH3sB', 0xffff, 0xdf11, 0x0483, 0x011a, b'UFD', 16)
	crc = zlib.crc32(body + suffix) ^ 0xffffffff
	return body + suffix + struct.pack('<I', crc)
open('huge.dfu', 'wb').write(dfuse(0xfffffff0))
open('manyelems.dfu', 'wb').write(dfuse(16, 0xffffffff))
# an ELF segment that claims 4 GiB of file
e = bytearray(open('fw.elf', 'rb').read())
struct.pack_into('<I', e, 52 + 16, 0xfffffff0)
open('huge.elf', 'wb').write(e)
e = bytearray(open('fw.elf', 'rb').read())
struct.pack_into('<H', e, 44, 0xffff)   # e_phnum
open('phnum.elf', 'wb').write(e)
e = bytearray(open('fw.elf', 'rb').read())
struct.pack_into('<I', e, 52 + 4, 0xfffffff0)   # p_offset
open('phoff.elf', 'wb').write(e)
PY
for f in huge-img.bin huge-hdr.bin huge-tlv.bin huge-tlvinfo.bin; do
	run must "$f" "$FK" image verify "$f"
	run must "$f" "$FK" image info "$f" --json
	run must "$f" "$FK" image sign --resign "$f" out.img
	run must "$f" "$FK" image compress "$f" -o out.img
	run must "$f" "$FK" image delta --from img.bin "$f" -o out.img
	run must "$f" "$FK" image apply "$f" -o out.img
	run must "$f" "$FK" upload --port plain-file "$f"
done
for f in far.hex huge.uf2 bigpayload.uf2 top.uf2 huge.dfu manyelems.dfu huge.elf phnum.elf phoff.elf; do
	run must "$f" "$FK" convert "$f" -o out.bin
	run may "$f" "$FK" merge "$f" -o out.hex
	run must "$f" "$FK" image sign "$f" out.img -H 0x200 --pad-header -S 0x20000
	run must "$f" "$FK" sim --layout swap.yaml --image app --single --firmware "$f"
done
run must far.hex "$FK" merge far.hex -o out.bin

echo "== broken layouts"
bad_layout() { # NAME YAML: the layout, then every command that reads one
	printf '%s\n' "$2" >"$1"
	FILE_FAULT=1 run must "$1" "$FK" layout check "$1"
	FILE_FAULT=1 run must "$1" "$FK" layout show "$1"
	FILE_FAULT=1 run must "$1" "$FK" layout gen "$1" -o outdir
	FILE_FAULT=1 run must "$1" "$FK" layout draw "$1" -o out.svg
	FILE_FAULT=1 run must "$1" "$FK" merge --layout "$1" fw.bin@app -o out.bin
	FILE_FAULT=1 run must "$1" "$FK" image sign fw.bin out.img --layout "$1" --image app
	FILE_FAULT=1 run must "$1" "$FK" sim --layout "$1" --image app --single
	FILE_FAULT=1 run must "$1" "$FK" kv build settings.yaml -o out.bin --layout "$1" --partition app
	rm -f "$1"
}
base='memories:
  flash:
    kind: flash
    base: 0x08000000
    sectors: 64x2K
    write-unit: 8
    erased: 0xFF
    partitions:'
img='  ram: { kind: ram, base: 0x20000000, size: 16K }
images:
  app: { primary: a, secondary: b, strategy: swap, ram: ram }'
bad_layout l-yaml.yaml "$base
      a: { size: 32K, role: slot
      b: { size: 32K, role: slot }"
bad_layout l-tab.yaml "$(printf '%s\n\t  a: { size: 32K }' "$base")"
bad_layout l-unknown.yaml "$base
      a: { size: 32K, role: slot, colour: red }
      b: { size: 32K, role: slot }
$img"
bad_layout l-overlap.yaml "$base
      a: { offset: 0, size: 64K, role: slot }
      b: { offset: 0x8000, size: 64K, role: slot }
$img"
bad_layout l-toobig.yaml "$base
      a: { size: 96K, role: slot }
      b: { size: 96K, role: slot }
$img"
bad_layout l-negative.yaml "$base
      a: { size: -32K, role: slot }
      b: { size: 32K, role: slot }
$img"
# bad_memory NAME SED: the good layout with its memory changed by SED
bad_memory() {
	bad_layout "$1" "$(sed "$2" <<<"$base")
$slots
$img"
}
slots='      a: { size: 32K, role: slot }
      b: { size: 32K, role: slot }'
bad_memory l-overflow.yaml 's/0x08000000/0xFFFFFFFFFF/'
bad_memory l-wrap.yaml 's/0x08000000/0xFFFFF000/'
bad_memory l-sectors.yaml 's/64x2K/4294967295x2K/'
bad_memory l-zero.yaml 's/64x2K/0x2K/'
bad_memory l-unit.yaml 's/write-unit: 8/write-unit: 3/'
bad_memory l-erased.yaml 's/erased: 0xFF/erased: 0x1FF/'
bad_memory l-kind.yaml 's/kind: flash/kind: tape/'
bad_layout l-noslot.yaml "$base
$slots
  ram: { kind: ram, base: 0x20000000, size: 16K }
images:
  app: { primary: a, secondary: nowhere, strategy: swap, ram: ram }"
bad_layout l-dup.yaml "$base
      a: { size: 32K, role: slot }
      a: { size: 32K, role: slot }
$img"
bad_layout l-alias.yaml "$base
      a: &x { size: 32K, role: slot }
      b: *x
      c: *y
$img"
bad_layout l-deep.yaml "$(python3 -c "print('a: ' + '[' * 5000 + ']' * 5000)")"
bad_layout l-list.yaml "- just
- a list"
bad_layout l-binary.yaml "$(printf 'memories:\n  \xff\xfe: {}\n')"

echo "== outputs that cannot be written"
outs() { # CMD... with @ for the output path (no extension): a folder
	# no one may write into, a folder, a file in place of a folder
	local o
	for o in "$ro/out" adir plain-file/out; do
		run must "" "${@//@/$o}"
	done
}
mkdir adir.bin adir.img adir.pem adir.key adir.h adir.svg adir.yaml adir.hex
outs "$FK" convert fw.hex -o @.bin
outs "$FK" image sign fw.bin @.img -k key.pem -H 0x200 --pad-header -S 0x20000
outs "$FK" image delta --from img.bin img2.bin -o @.img
outs "$FK" image compress img.bin -o @.img
outs "$FK" image apply comp.img -o @.img
outs "$FK" key generate -o @.pem
outs "$FK" key public key.pem -o @.pem
outs "$FK" key private enc.pem -o @.key
outs "$FK" kv build settings.yaml -o @.bin --sector-size 4K --sectors 4
outs "$FK" kv gen schema.yaml -o @.h
outs "$FK" layout draw layout.yaml -o @.svg
outs "$FK" layout import partitions.csv -o @.yaml
outs "$FK" merge fw.hex -o @.hex
for o in "$ro/out" plain-file/out; do
	run must "" "$FK" layout gen layout.yaml -o "$o"
	run must "" "$FK" module gen usrlib.exports --layout module.yaml -o "$o"
	run must "" "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o "$o"
done

echo "== a failed command makes no folder"
printf ':10' >bad.hex
run must bad.hex "$FK" convert bad.hex -o new/sub/out.bin
run must bad.hex "$FK" image sign bad.hex new/sub/out.img -H 0x200 --pad-header
run must bad.hex "$FK" merge bad.hex -o new/sub/out.hex
run must missing.bin "$FK" image compress missing.bin -o new/sub/out.img
run must missing.bin "$FK" image apply missing.bin -o new/sub/out.img
run must missing.bin "$FK" key public missing.bin -o new/sub/out.pem
run must missing.bin "$FK" key private missing.bin -o new/sub/out.key
run must missing.bin "$FK" kv build missing.bin -o new/sub/out.bin --sector-size 4K --sectors 4
run must missing.bin "$FK" kv gen missing.bin -o new/sub/out.h
run must missing.bin "$FK" layout gen missing.bin -o new/sub
run must missing.bin "$FK" layout draw missing.bin -o new/sub/out.svg
run must missing.bin "$FK" layout import missing.bin -o new/sub/out.yaml --from esp-idf
run must missing.bin "$FK" module gen missing.bin --layout module.yaml -o new/sub
run must missing.bin "$FK" provision --layout devinfo.yaml --template missing.bin --count 1 -o new/sub
rm bad.hex

echo "== an output that is an input"
run must fw.hex "$FK" convert fw.hex -o fw.hex
run must fw.bin "$FK" convert fw.bin -o fw.bin --base 0
run must fw.bin "$FK" image sign fw.bin fw.bin -k key.pem -H 0x200 --pad-header -S 0x20000
run must key.pem "$FK" image sign fw.bin key.pem -k key.pem -H 0x200 --pad-header -S 0x20000
run must img.bin "$FK" image sign --resign img.bin img.bin -k key.pem
run must img2.bin "$FK" image delta --from img.bin img2.bin -o img2.bin
run must img.bin "$FK" image delta --from img.bin img2.bin -o img.bin
run must img.bin "$FK" image compress img.bin -o img.bin
run must comp.img "$FK" image apply comp.img -o comp.img
run must img.bin "$FK" image apply --from img.bin patch.img -o img.bin
run must key.pem "$FK" key public key.pem -o key.pem
run must enc.pem "$FK" key private enc.pem -o enc.pem
run must key.pem "$FK" key generate -o key.pem
run must settings.yaml "$FK" kv build settings.yaml -o settings.yaml --sector-size 4K --sectors 4
run must schema.yaml "$FK" kv gen schema.yaml -o schema.yaml
run must layout.yaml "$FK" layout draw layout.yaml -o layout.yaml
run must partitions.csv "$FK" layout import partitions.csv -o partitions.csv
run must fw.hex "$FK" merge fw.hex -o fw.hex
run must fw.bin "$FK" merge fw.bin@0x08000000 -o fw.bin
run must tpl.yaml "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o tpl.yaml

# the input under another name: ./, a symbolic link, a hard link, ..
ln -s fw.hex sym.hex
ln fw.hex hard.hex
mkdir sub
for o in ./fw.hex sym.hex hard.hex sub/../fw.hex; do
	run must "also an input" "$FK" convert fw.hex -o "$o" --format hex
	run must "also an input" "$FK" merge fw.hex -o "$o" --format hex
done
rm -r sym.hex hard.hex sub

echo "== option values"
# Each bad value exits 2 (README, "Exit status"): the command line's
# fault, whatever the input files hold.
badnum() { # OPTION CMD...: the option gets each bad value in turn
	local opt=$1 v
	shift
	local values=(-1 abc 0xFFFFFFFFFF 99999999999999999999999 1.5 '')
	[ -z "${BAD:-}" ] || eval "values=($BAD)"
	for v in "${values[@]}"; do
		USAGE=1 run must "$opt" "$@" "$opt" "$v"
	done
}
for o in --base --fill --alt; do badnum "$o" "$FK" convert fw.bin -o out.hex; done
# -1 is an offset; that it moves fw.bin's data below 0 is the data's
BAD="abc 0xFFFFFFFFFF 99999999999999999999999 1.5 ''" badnum --offset "$FK" convert fw.bin -o out.hex
run must "--offset -1 moves the data outside" "$FK" convert fw.bin -o out.hex --offset -1
USAGE=1 run must "--crop" "$FK" convert fw.hex -o out.bin --crop 0 0xFFFFFFFFFF
USAGE=1 run must "--crop" "$FK" convert fw.hex -o out.bin --crop 0x08001000 0x08000000
run must "--crop" "$FK" convert fw.hex -o out.bin --crop 0 0xFFFFFFFF
run must "--family" "$FK" convert fw.bin -o out.uf2 --base 0 --family nosuchfamily
run must "--dfu-id" "$FK" convert fw.bin -o out.dfu --base 0 --dfu-id 0483
run must "--dfu-id" "$FK" convert fw.bin -o out.dfu --base 0 --dfu-id 10000:1
run must "--srec-type" "$FK" convert fw.bin -o out.srec --base 0 --srec-type S9
USAGE=1 run must "ELF is an input format only" "$FK" convert fw.bin -o out.bin --format elf
for o in -H -S --align --max-align -M -s --image-id --hw-id -x -L --rom-fixed; do
	badnum "$o" "$FK" image sign fw.bin out.img -k key.pem -H 0x200 --pad-header -S 0x20000
done
run must "--align" "$FK" image sign fw.bin out.img --align 3 -H 0x200 --pad-header
run must "-v" "$FK" image sign fw.bin out.img -v 1.2.3.4.5 -H 0x200 --pad-header
run must "-v" "$FK" image sign fw.bin out.img -v 256.0.0 -H 0x200 --pad-header
run must "-d" "$FK" image sign fw.bin out.img -d "(1,2" -H 0x200 --pad-header
run must "-R" "$FK" image sign fw.bin out.img -R 0x7f -H 0x200 --pad-header
run must "--custom-tlv" "$FK" image sign fw.bin out.img --custom-tlv 0x10 0x00 -H 0x200 --pad-header
run must "--custom-tlv" "$FK" image sign fw.bin out.img --custom-tlv 0x1ffff 0x00 -H 0x200 --pad-header
run must "--hmac-sha" "$FK" image sign fw.bin out.img --hmac-sha 384 -H 0x200 --pad-header
run must "slot size 0x100" "$FK" image sign fw.bin out.img -H 0x200 --pad-header -S 0x100
run must "-H" "$FK" image sign fw.bin out.img -H 8
badnum --block-size "$FK" image compress img.bin -o out.img
run must "--block-size" "$FK" image compress img.bin -o out.img --block-size 3000
run must "-t" "$FK" key generate -o out.pem -t dsa
run must "--name" "$FK" key public key.pem --c --name '1 bad'
for o in --sector-size --sectors --write-unit --erased-value; do
	badnum "$o" "$FK" kv build settings.yaml -o out.bin --sector-size 4K --sectors 4
done
USAGE=1 run must "--sectors 1 --sector-size 4K: a store needs at least 2 sectors" "$FK" kv build settings.yaml -o out.bin --sector-size 4K --sectors 1
USAGE=1 run must "sectors of 3000 bytes" "$FK" kv build settings.yaml -o out.bin --sector-size 3000 --sectors 4
run must "--prefix" "$FK" kv gen schema.yaml -o out.h --prefix '9-x'
for o in --table-offset --flash-size --sector-size --flash-base; do
	badnum "$o" "$FK" layout import partitions.csv -o out.yaml
done
run must "--from" "$FK" layout import partitions.csv -o out.yaml --from nrf
badnum --count "$FK" provision --layout devinfo.yaml --template tpl.yaml -o outdir
run must "'nope'" "$FK" provision --layout devinfo.yaml --template tpl.yaml --count 1 -o outdir --partition nope
for o in --size --buffer --history; do
	badnum "$o" "$FK" sim --layout swap.yaml --image app --single
done
# 2^40 is a seed, a budget or a count of samples one may ask for
for o in --budget --seed --samples; do
	BAD="-1 abc 99999999999999999999999 1.5 ''" badnum "$o" "$FK" sim --layout swap.yaml --image app
done
run must "'nope'" "$FK" sim --layout swap.yaml --image nope --single
# a store too large for memory: an error, not an abort (ASan reserves
# more address space than any limit would leave)
if ! grep -q __asan_init "$FK"; then
	run must "out of memory" bash -c "ulimit -v 400000; exec \"$FK\" kv build settings.yaml -o out.bin --sector-size 256K --sectors 4000"
	"$FK" kv build settings.yaml -o big.bin --sector-size 256K --sectors 256 >/dev/null
	run must "big.bin: out of memory" bash -c "ulimit -v 110000; exec \"$FK\" kv dump big.bin"
	run must "big.bin: out of memory" bash -c "ulimit -v 110000; exec \"$FK\" kv dump big.bin --sector-size 256K --sectors 256"
	rm big.bin
fi
USAGE=1 run must "--strategy" "$FK" sim --layout swap.yaml --image app --single --strategy copy
USAGE=1 run must "--core" "$FK" sim --layout swap.yaml --image app --single --core tiny
for o in --baud --timeout --window --image-index --wait; do
	badnum "$o" "$FK" upload --port garbage-port img.bin
done
for c in info confirm reboot; do
	for o in --baud --timeout --window; do
		badnum "$o" "$FK" device "$c" --port garbage-port
	done
done

echo "== ports that are no device"
python3 - garbage-port <<'PY' &
import os, pty, random, select, sys, time
m, s = pty.openpty()
os.symlink(os.ttyname(s), sys.argv[1] + '.tmp')
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
rng = random.Random(1)
while True:
	r, w, _ = select.select([m], [m], [], 0.1)
	if r:
		os.read(m, 65536)
	if w:
		os.write(m, bytes(rng.randrange(256) for _ in range(64)))
	time.sleep(0.002)
PY
pty_pid=$!
for _ in $(seq 50); do [ -e garbage-port ] && break; sleep 0.1; done
for p in plain-file folder missing-port /dev/null garbage-port; do
	run must "$p" "$FK" upload --port "$p" --timeout 50 -w 1 img.bin
	run must "$p" "$FK" upload --port "$p" --timeout 50 -w 1 --stage --json img.bin
	for c in info confirm; do
		run must "$p" "$FK" device "$c" --port "$p" --timeout 50
	done
	run may "$p" "$FK" device reboot --port "$p" --timeout 50
done
kill "$pty_pid"
wait "$pty_pid" 2>/dev/null
pty_pid=
rm -f garbage-port

echo "== $cases cases"
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "hostile inputs: every case refused cleanly"
