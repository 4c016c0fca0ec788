#!/usr/bin/env bash
# A production line never jams on provision's counter state: a crashed
# --format bin run resumes like every other format; a wrong -o is refused
# before any serial is reserved; a pending run stuck on a folder that is
# not one says what to do and --skip-pending gives it up; the state's
# folder never redirects output (a mismatch with -o is refused); and a
# device record goes only into a partition of role devinfo.
source "$(dirname "$0")/lib.sh"
L="$HERE/layouts/two-memories.yaml"

cat >tpl.yaml <<'YAML'
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "SN-%04u" }
  secret: { type: random, size: 16 }
YAML
prov() {
	"$FK" provision --layout "$L" --template tpl.yaml "$@" >/dev/null
}
# edit_state SED: changes the counter state as a case needs, then writes
# its crc32 line again (a state whose crc32 line does not match the lines
# above it is refused as damaged).
edit_state() {
	sed -i -e '/^crc32 /d' -e "$1" serials.state
	python3 - serials.state <<'PY'
import sys, zlib
text = open(sys.argv[1], 'rb').read()
open(sys.argv[1], 'ab').write(b'crc32 %08x\n' % zlib.crc32(text))
PY
}

# Every format resumes after a crash in the middle of its files.
for fmt in bin hex srec uf2 dfu; do
	rm -rf out serials.state*
	set +e
	FK_PROVISION_CRASH=output:2 prov -o out --count 4 --format $fmt 2>/dev/null
	rc=$?
	set -e
	[ $rc = 137 ] || fail "$fmt: crash exit $rc"
	prov -o out --count 1 --format $fmt 2>err.txt ||
		fail "$fmt: the interrupted run does not resume: $(cat err.txt)"
	grep -q '^next 6$' serials.state && ! grep -q pending serials.state ||
		fail "$fmt: state $(cat serials.state)"
	ls out/SN-0004.* >/dev/null 2>&1 && [ -f out/manifest-1-4.csv ] || fail "$fmt: $(ls out)"
	pass
done

# A bin run merged into a factory image that starts below the record.
rm -rf out serials.state*
head -c 4096 /dev/urandom >boot.bin
"$FK" convert boot.bin --base 0x08000000 -o factory.hex
set +e
FK_PROVISION_CRASH=output:1 prov -o out --count 2 --format bin --factory factory.hex 2>/dev/null
set -e
prov -o out --count 0 --format bin --factory factory.hex 2>err.txt ||
	fail "bin with a factory image does not resume: $(cat err.txt)"
! grep -q pending serials.state || fail "still pending: $(cat serials.state)"
pass

# A wrong -o (an existing file) reserves nothing; the right one then works.
rm -rf out serials.state*
echo "not a folder" >notdir
expect_fail "a file of that name is in the way" prov -o notdir --count 2
[ ! -e serials.state ] || grep -q '^next 1$' serials.state || fail "reserved: $(cat serials.state)"
prov -o out --count 2
grep -q '^next 3$' serials.state || fail "state $(cat serials.state)"
pass

# A pending run stuck on a folder that is not one (what the wrong -o of
# earlier versions left): the message says what to do, and doing it
# unjams the line without ever reissuing those serials.
printf 'flashkit provision state 1\nstart 1\nnext 6\npending 3 6 .hex\ndir %s\n' \
	"$PWD/notdir" >serials.state
expect_fail "give them up with --skip-pending" prov -o out --count 1
grep -q '^pending 3 6' serials.state || fail "state changed: $(cat serials.state)"
prov -o out --count 1 --skip-pending 2>err.txt
grep -q "3..5 skipped" err.txt || fail "skip message: $(cat err.txt)"
[ -f out/SN-0006.hex ] && [ ! -e out/SN-0003.hex ] || fail "files: $(ls out)"
grep -q '^next 7$' serials.state && ! grep -q pending serials.state || fail "state $(cat serials.state)"
pass

# --skip-pending never gives up a run whose files exist: they complete.
set +e
FK_PROVISION_CRASH=output:1 prov -o out --count 2 2>/dev/null
set -e
expect_fail "complete the run instead" prov -o out --count 0 --skip-pending
prov -o out --count 0
[ -f out/SN-0008.hex ] && ! grep -q pending serials.state || fail "not completed: $(ls out)"
pass

# The state's folder never redirects output: a pending run for another
# folder is refused, nothing is written there or into -o.
mkdir elsewhere
set +e
FK_PROVISION_CRASH=reserved prov -o out --count 1 2>/dev/null
set -e
edit_state "s|^dir .*|dir $PWD/elsewhere|"
expect_fail "complete it first with -o $PWD/elsewhere" prov -o out --count 1
[ -z "$(ls elsewhere)" ] && [ ! -e out/SN-0010.hex ] || fail "written: $(ls elsewhere out)"
pass
prov -o elsewhere --count 0
[ -f elsewhere/SN-0009.hex ] && ! grep -q pending serials.state || fail "not completed: $(ls elsewhere)"
pass

# A device record goes only into a partition of role devinfo.
expect_fail "partition 'app' has role slot; a device record goes only into a partition of role devinfo" \
	prov -o out --count 1 --partition app
grep -q '^next 10$' serials.state || fail "reserved: $(cat serials.state)"
prov -o out --count 1 --partition devinfo
pass
# A damaged pending line says so (it used to fail with no message).
printf 'flashkit provision state 1\nstart 1\nnext 3\npending 1 3 ../../x\ndir %s\n' \
	"$PWD/out" >serials.state
expect_fail "the interrupted run's format '../../x' is unknown; the counter state is damaged" \
	prov -o out --count 1
echo "provision jams: $checks checks"
