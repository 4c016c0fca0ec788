#!/usr/bin/env bash
# The ram-load strategy on QEMU mps2-an385, end to end: the bootloader
# (ports/boot/ built from qemu_ramload_layout.yaml by fk_boot_program,
# with the QEMU board) finds the newest valid image in the file-backed
# flash's two slots, copies it into RAM at 0x20000000, checks the copy
# (ECDSA P-256) and jumps into it; the apps are linked for that RAM and
# signed by `flashkit image sign --layout` (load address, RAM_LOAD).
#   1. a device running app 1, from RAM;
#   2. app 1 receives app 2 through fk_update_* into the other slot and
#      marks it pending (TEST); app 2 starts from RAM and confirms itself;
#   3. QEMU killed (SIGKILL) before each flash operation of that boot,
#      and each operation torn by the flash driver: app 2 every time;
#   4. app 3, staged by app 2 and never confirmed, is reverted: app 2;
#   5. an image signed for another RAM address is refused at staging.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_TOOL:?}" "${FK_ROOT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key=$FK_ROOT/tests/data/mcuboot-images/ecdsa-p256.pem
layout=$FK_ROOT/tests/boot/qemu/qemu_ramload_layout.yaml
boot=$FK_TARGET_DIR/qemu_boot_ramload.elf
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 60 "$@" "$boot"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
in_ram='jumping to 0x20000200$'

echo "== 0. the bootloader fits its partition"
cat "$FK_TARGET_DIR/qemu_boot_ramload.fits"
for v in 1 2 3; do
	"$FK_TOOL" image sign --layout "$layout" --image app -k "$key" \
		-v $v.0.0 --pad-header "$FK_TARGET_DIR/qemu_ramload_app$v.bin" \
		"$work/app$v.img" 2>/dev/null
done

echo "== 1. a device running app 1, copied into RAM"
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
dd if="$work/app1.img" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
run | tee "$work/out.txt"
grep -q "^boot: image 1.0.0 valid, 0 flash operations, $in_ram" "$work/out.txt" ||
	fail "app 1 not started from RAM"
grep -q '^app: version 1 running$' "$work/out.txt" || fail "app 1 did not run"

echo "== 2. app 1 stages app 2 (TEST); app 2 runs from RAM and confirms"
cp "$work/app2.img" "$work/new.img"
run --arg update --expect '^app: update staged$'
cp "$work/flash.bin" "$work/staged.bin"
run --arg confirm | tee "$work/out.txt"
grep -q "^boot: image 2.0.0 valid, [0-9]* flash operations, $in_ram" "$work/out.txt" ||
	fail "app 2 not started from RAM"
grep -q '^app: confirm done$' "$work/out.txt" || fail "app 2 did not confirm"
ops=$(sed -n 's/^boot: image 2.0.0 valid, \([0-9]*\) flash operations.*/\1/p' "$work/out.txt")
[ -n "$ops" ] && [ "$ops" -ge 1 ] || fail "no operation count ($ops)"
run --expect "^boot: image 2.0.0 valid, 0 flash operations, $in_ram"
cp "$work/flash.bin" "$work/confirmed.bin"

echo "== 3. every flash operation of that boot killed, and torn ($ops)"
recover() {
	run --arg confirm >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; fail "$1: run after the cut failed"; }
	grep -q "^boot: image 2.0.0 valid, .*$in_ram" "$work/out.txt" &&
		grep -q '^app: version 2 running$' "$work/out.txt" ||
		{ cat "$work/out.txt"; fail "$1: app 2 did not start from RAM"; }
	grep -q '^app: confirm done$' "$work/out.txt" || fail "$1: no confirm"
	run --expect "^boot: image 2.0.0 valid, 0 flash operations" >/dev/null ||
		fail "$1: app 2 did not stay"
}
for n in $(seq 0 $((ops - 1))); do
	cp "$work/staged.bin" "$work/flash.bin"
	run --arg "spin-at=$n" --cut-on "^boot: spinning at flash operation $n\$" >"$work/out.txt"
	grep -q '^run.sh: power cut' "$work/out.txt" || { cat "$work/out.txt"; fail "kill at $n did not happen"; }
	recover "SIGKILL before operation $n"
	cp "$work/staged.bin" "$work/flash.bin"
	set +e
	run --arg "cut-torn=$n" >"$work/out.txt" 2>&1
	status=$?
	set -e
	[ $status -eq 99 ] || { cat "$work/out.txt"; fail "cut-torn=$n: status $status"; }
	recover "torn operation $n"
done
echo "QEMU killed before each of the $ops operations, and each torn: app 2 every time"

echo "== 4. app 3 never confirmed is reverted"
cp "$work/confirmed.bin" "$work/flash.bin"
cp "$work/app3.img" "$work/new.img"
run --arg update --expect '^app: update staged$'
run --expect '^app: version 3 running$'
run --expect '^app: version 2 running$'
run --expect "^boot: image 2.0.0 valid, 0 flash operations, $in_ram"

echo "== 5. an image signed for another RAM address is refused"
"$FK_TOOL" image sign -k "$key" -v 4.0.0 -H 0x200 --pad-header -S 0x10000 \
	--align 8 -L 0x20001000 "$FK_TARGET_DIR/qemu_ramload_app3.bin" "$work/new.img"
run --arg update >"$work/out.txt" 2>&1 || true
grep -q '^app: update FK_EMISMATCH' "$work/out.txt" || { cat "$work/out.txt"; fail "a foreign load address was staged"; }
run --expect "^boot: image 2.0.0 valid, 0 flash operations, $in_ram"
echo "test_boot_qemu_ramload: passed"
