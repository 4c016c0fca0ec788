#!/usr/bin/env bash
# Output and input files of every command (host/formats/files.h): a kill
# during a write leaves nothing behind, or only a temporary that the next
# write of the same output removes; inputs have a size cap, regular files
# or not; an output is never one of the command's inputs, under any name;
# a symlinked output is written through to its target; missing output
# folders are created; `key generate` keeps an existing key without
# --force; `layout gen` removes only the files it made that a changed
# layout no longer makes.
source "$(dirname "$0")/lib.sh"
L="$HERE/layouts/two-memories.yaml"
EX="$FK_ROOT/examples/stm32f407-sectors/layout.yaml"

head -c 1000000 /dev/urandom >big.bin
"$FK" convert big.bin --base 0x08000000 -o big.hex

leftovers() { ls -A "${1:-.}" | grep -c 'tmp' || true; }

# A kill while the output is written (the file size limit: SIGXFSZ, as a
# full disk would stop it): nothing is left behind, named or not.
set +e
(ulimit -f 200; exec "$FK" convert big.hex -o out.bin) 2>/dev/null
rc=$?
set -e
[ $rc -ne 0 ] || fail "convert under ulimit -f succeeded"
[ "$(leftovers)" = 0 ] && [ ! -e out.bin ] || fail "left behind: $(ls -A)"
pass

# SIGTERM between the temporary name and the rename, with and without
# O_TMPFILE: the temporary goes, the process dies of the signal.
for mode in "" 1; do
	set +e
	FK_TEST_NO_TMPFILE=$mode FK_TEST_RAISE=15 "$FK" convert big.hex -o out.bin
	rc=$?
	set -e
	[ $rc = 143 ] || fail "SIGTERM: exit $rc, expected 143"
	[ "$(leftovers)" = 0 ] && [ ! -e out.bin ] || fail "SIGTERM left: $(ls -A)"
	pass
done

# SIGKILL cannot be caught: its temporary (named PATH.flashkit-tmp.PID.*)
# is removed by the next write of the same output, and only that one.
set +e
FK_TEST_RAISE=9 "$FK" convert big.hex -o out.bin
set -e
[ "$(leftovers)" = 1 ] || fail "SIGKILL: $(ls -A)"
echo keep >other.bin.flashkit-tmp.1.abcdef
"$FK" convert big.hex -o out.bin
[ "$(ls -A | grep -c 'out.bin.flashkit-tmp')" = 0 ] || fail "stale temporary kept: $(ls -A)"
[ -e other.bin.flashkit-tmp.1.abcdef ] || fail "another output's file removed"
cmp -s out.bin big.bin || fail "out.bin differs"
pass

# Input caps: a regular file is measured before it is read, anything else
# while it is read.
truncate -s 2G huge.bin
expect_fail "huge.bin: 2147483648 bytes, more than the 1 GiB an input may have" \
	"$FK" convert huge.bin -o huge.hex
expect_fail "/dev/zero: more than the 1 MiB an input may have" \
	env FK_INPUT_CAP=1048576 "$FK" convert /dev/zero --input-format bin -o z.hex
[ ! -e z.hex ] || fail "z.hex written"
pass

# An output is never one of the inputs: same name, another name, a link.
cp big.bin a.bin
ln -s a.bin link.bin
ln a.bin hard.bin
for out in a.bin link.bin hard.bin ./a.bin; do
	expect_fail "it is also an input of this command" \
		"$FK" merge a.bin@0x08000000 -o "$out"
	expect_fail "it is also an input of this command" \
		"$FK" convert a.bin --format bin -o "$out"
done
cmp -s a.bin big.bin || fail "the input changed"
pass

# A symlinked output is written through: the link stays, the target gets it.
echo old >target.hex
ln -s target.hex linked.hex
"$FK" convert big.bin --base 0x08000000 -o linked.hex
[ -L linked.hex ] && cmp -s target.hex big.hex || fail "link replaced: $(ls -l linked.hex)"
pass

# Missing folders of an output are created.
"$FK" merge big.bin@0x08000000 -o new/folder/m.hex
cmp -s new/folder/m.hex big.hex || fail "merge into a new folder"
pass
# key generate keeps an existing private key unless --force.
"$FK" key generate -o ec.pem
cp ec.pem ec.keep
expect_fail "'ec.pem' exists; move it away first (or use --force" \
	"$FK" key generate -o ec.pem
cmp -s ec.pem ec.keep || fail "the key was replaced"
"$FK" key generate -o ec.pem --force
! cmp -s ec.pem ec.keep || fail "--force kept the old key"
[ "$(stat -c %a ec.pem)" = 600 ] || fail "key mode $(stat -c %a ec.pem)"
pass

# image sign and layout draw never write over their input.
cp big.bin fw.bin
expect_fail "it is also an input of this command" \
	"$FK" image sign -k ec.pem -v 1.0.0 -H 0x200 --pad-header -S 0x200000 fw.bin fw.bin
cmp -s fw.bin big.bin || fail "fw.bin changed"
cp "$EX" l.yaml
expect_fail "it is also an input of this command" "$FK" layout draw l.yaml -o l.yaml
cmp -s l.yaml "$EX" || fail "l.yaml changed"
pass

# layout gen creates its folder with parents, and a later gen removes the
# files the earlier one made that the layout no longer makes, nothing else.
"$FK" layout gen l.yaml -o a/b/c
[ -f a/b/c/app.ld ] || fail "gen into a/b/c: $(ls -R a)"
echo mine >a/b/c/notes.ld
sed -i 's/^  app:$/  firmware:/' l.yaml
"$FK" layout gen l.yaml -o a/b/c
[ -f a/b/c/firmware.ld ] && [ ! -e a/b/c/app.ld ] || fail "stale: $(ls a/b/c)"
[ -f a/b/c/notes.ld ] || fail "a file gen did not make was removed"
pass
echo "files: $checks checks"
