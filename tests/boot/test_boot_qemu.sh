#!/usr/bin/env bash
# The bootloader core on QEMU mps2-an385, end to end, with real kills:
#   1. a device runs app 1 (signed by `flashkit image sign`, in the
#      file-backed flash's primary slot);
#   2. app 1 receives app 2 through the update API (from a host file) and
#      marks it pending;
#   3. the install is run once to count its flash operations, then QEMU
#      is killed (SIGKILL) at every one of them, and cut torn by the
#      flash driver at every one of them; after each, the next QEMU run
#      boots app 2, which confirms itself (after a kill, the run after
#      that boots app 2 again without writing anything);
#   4. an install never confirmed is reverted: app 1 boots again;
#   5. recovery mode, asked by the application (the recovery word, then
#      a reset), and when no valid image is left (primary slot erased).
# The bootloader is ports/boot/ built from qemu_boot_layout.yaml
# (fk_boot_program), with the QEMU board tests/boot/qemu/qemu_board.c:
# qemu_boot (fk_boot()) or qemu_boot_lite (CORE lite, fk_boot_lite()).
#
#   test_boot_qemu.sh [I/N [PROGRAM]]
#                             shard I of N (0 <= I < N; default 0/1, all):
#                             steps 1-3 without cuts, then the cuts at the
#                             operations n with n % N == I; steps 0, 4
#                             and 5 in shard 0 only. ctest runs N shards
#                             (tests/boot/CMakeLists.txt), which together
#                             cut at every operation, on both cores.
#                             PROGRAM: the bootloader (default qemu_boot).
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_TOOL:?}" "${FK_ROOT:?}"
shard=${1:-0/1} prog=${2:-qemu_boot}
[[ $prog =~ ^qemu_boot[a-z0-9_]*$ ]] &&
	[[ $shard =~ ^([0-9]+)/([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] ||
	{ echo "usage: test_boot_qemu.sh [I/N [qemu_boot...]], 0 <= I < N" >&2; exit 2; }
si=${BASH_REMATCH[1]} sn=${BASH_REMATCH[2]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key=$FK_ROOT/tests/data/mcuboot-images/ecdsa-p256.pem
boot=$FK_TARGET_DIR/$prog.elf
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 60 "$@" "$boot"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$si" = 0 ]; then
echo "== 0. the bootloader fits its partition; one 1K below its size would not"
cat "$FK_TARGET_DIR/$prog.fits"
size=$(stat -c %s "$FK_TARGET_DIR/$prog.bin")
small=$(((size - 1) / 1024 * 1024))
python3 - "$FK_TARGET_DIR/$prog.gen/layout.json" "$work/small.json" "$small" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["partitions"]:
    if p["role"] == "bootloader":
        p["size"] = int(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
if cmake -DMODE=check -DJSON="$work/small.json" -DBIN="$FK_TARGET_DIR/$prog.bin" \
	-DOUT="$work/small.fits" -P "$FK_ROOT/cmake/boot_program.cmake" >"$work/check.txt" 2>&1; then
	fail "a bootloader larger than $small bytes passed the size check"
fi
tr -s " \n" " " <"$work/check.txt" | grep "$((size - small)) bytes too many" >/dev/null || { cat "$work/check.txt"; fail "the size check did not say by how much"; }
fi

for v in 1 2; do
	"$FK_TOOL" image sign -k "$key" -v $v.0.0 -H 0x200 --pad-header \
		-S 0x10000 --align 8 "$FK_TARGET_DIR/qemu_boot_app$v.bin" \
		"$work/app$v.img"
done
cp "$work/app2.img" "$work/new.img"

echo "== 1. a device running app 1"
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
dd if="$work/app1.img" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
run --expect '^app: version 1 running$'

echo "== 2. app 1 receives app 2 through fk_update_* and marks it pending"
run --arg update --expect '^app: update staged$'
cp "$work/flash.bin" "$work/staged.bin"

echo "== 3. the install, once without a cut"
run --arg confirm | tee "$work/out.txt"
grep -q '^app: version 2 running$' "$work/out.txt" || fail "app 2 did not start"
grep -q '^app: confirm done$' "$work/out.txt" || fail "app 2 did not confirm"
ops=$(sed -n 's/^boot: image 2.0.0 valid, \([0-9]*\) flash operations.*/\1/p' "$work/out.txt")
[ -n "$ops" ] && [ "$ops" -gt 10 ] || fail "no operation count ($ops)"
run --expect '^boot: image 2.0.0 valid, 0 flash operations'
echo "install: $ops flash operations"

recover() { # after a cut: app 2 must start and confirm [and stay]
	run --arg confirm >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; fail "$1: run after the cut failed"; }
	grep -q '^app: version 2 running$' "$work/out.txt" || { cat "$work/out.txt"; fail "$1: app 2 did not start"; }
	grep -q '^app: confirm done$' "$work/out.txt" || fail "$1: no confirm"
	[ "${2:-}" != stays ] ||
		run --expect '^boot: image 2.0.0 valid, 0 flash operations' >/dev/null ||
		fail "$1: app 2 did not stay"
}

# This shard's operations: n % sn == si.
cuts=$(seq "$si" "$sn" $((ops - 1)))
want=$(echo $cuts | wc -w)
kills=0
for n in $cuts; do
	cp "$work/staged.bin" "$work/flash.bin"
	run --arg "spin-at=$n" --cut-on "^boot: spinning at flash operation $n\$" >"$work/out.txt"
	grep -q '^run.sh: power cut' "$work/out.txt" || { cat "$work/out.txt"; fail "kill at $n did not happen"; }
	recover "SIGKILL before operation $n" stays
	kills=$((kills + 1))
done
torn=0
for n in $cuts; do
	cp "$work/staged.bin" "$work/flash.bin"
	set +e
	run --arg "cut-torn=$n" >"$work/out.txt" 2>&1
	status=$?
	set -e
	[ $status -eq 99 ] || { cat "$work/out.txt"; fail "cut-torn=$n: status $status"; }
	recover "torn operation $n"
	torn=$((torn + 1))
done
[ "$kills" -eq "$want" ] && [ "$torn" -eq "$want" ] || fail "$kills kills, $torn torn, want $want"
if [ "$sn" = 1 ]; then
	echo "QEMU killed before each of the $ops operations ($kills runs) and each operation torn ($torn runs): app 2 installed every time"
else
	echo "shard $si/$sn: QEMU killed before each operation n of the $ops with n % $sn = $si ($kills runs: $(echo $cuts | tr ' ' ,)) and each of them torn ($torn runs): app 2 installed every time"
	[ "$si" = 0 ] || { echo "test_boot_qemu $shard $prog: passed"; exit 0; }
fi

echo "== 4. an install never confirmed is reverted"
cp "$work/staged.bin" "$work/flash.bin"
run --expect '^app: version 2 running$'
run --expect '^app: version 1 running$'
run --expect '^boot: image 1.0.0 valid, 0 flash operations'

echo "== 5. recovery mode"
run --arg recover >"$work/out.txt" 2>&1 && status=0 || status=$?
grep -q '^app: asking for recovery mode$' "$work/out.txt" || { cat "$work/out.txt"; fail "the app did not ask"; }
grep -q '^boot: recovery mode (asked by the application)$' "$work/out.txt" || { cat "$work/out.txt"; fail "no recovery mode on request"; }
[ $status -eq 2 ] || fail "recovery on request: status $status"
run --expect '^app: version 1 running$' >/dev/null || fail "the request held for more than one reset"
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x10000)" >"$work/blank"
dd if="$work/blank" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
run >"$work/out.txt" 2>&1 && status=0 || status=$?
grep -q '^boot: recovery mode (' "$work/out.txt" || { cat "$work/out.txt"; fail "no recovery mode without an image"; }
[ $status -eq 2 ] || fail "recovery without an image: status $status"
grep '^boot: recovery' "$work/out.txt"
echo "test_boot_qemu $shard $prog: passed"
