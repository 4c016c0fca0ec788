#!/usr/bin/env bash
# Updates written by other tools, end to end on QEMU mps2-an385: app 2
# signed with `flashkit image sign --layout ... --pending` as a DfuSe
# file, its elements placed into the file-backed flash by an independent
# DfuSe reader (tests/boot/dfuse_place.py, UM0391; the suffix checked by
# dfu-util's dfu-suffix), as dfu-util would write them; no application
# update code runs. The bootloader finds MCUboot's trailer at the end of
# the staging window and installs app 2:
#   1. --pending test, confirmed by app 2: app 2 stays;
#   2. --pending test, never confirmed: reverted to app 1, and app 2 is
#      not installed again;
#   3. --pending permanent: app 2 stays without confirming.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}" "${FK_TOOL:?}" "${FK_ROOT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key=$FK_ROOT/tests/data/mcuboot-images/ecdsa-p256.pem
layout=$FK_ROOT/tests/boot/qemu/qemu_boot_layout.yaml
place=$FK_ROOT/tests/boot/dfuse_place.py
boot=$FK_TARGET_DIR/qemu_boot.elf
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 60 "$@" "$boot"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

"$FK_TOOL" image sign -k "$key" -v 1.0.0 -H 0x200 --pad-header -S 0x10000 \
	--align 8 "$FK_TARGET_DIR/qemu_boot_app1.bin" "$work/app1.img"
for mode in test permanent; do
	"$FK_TOOL" image sign --layout "$layout" --image app -k "$key" \
		-v 2.0.0 --pad-header --pending $mode \
		"$FK_TARGET_DIR/qemu_boot_app2.bin" "$work/app2-$mode.dfu" |
		tee "$work/sign.txt"
	grep -q "staging slot 'app-b' at 0x00115000 (slot + swap offset 0x1000)" \
		"$work/sign.txt" || fail "sign --pending did not report the window"
	dfu-suffix --check "$work/app2-$mode.dfu" >/dev/null ||
		fail "dfu-suffix rejects app2-$mode.dfu"
done

fresh() { # a device running app 1, confirmed, then the DfuSe file placed
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
	dd if="$work/app1.img" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
	run --expect '^app: version 1 running$' >/dev/null
	python3 "$place" "$work/app2-$1.dfu" "$work/flash.bin" 0x00100000 4096
}

echo "== 1. --pending test, written as a DfuSe file, confirmed by app 2"
fresh test
run --arg confirm >"$work/out.txt"
grep -q '^app: version 2 running$' "$work/out.txt" || { cat "$work/out.txt"; fail "app 2 did not start"; }
grep -q '^app: confirm done$' "$work/out.txt" || fail "app 2 did not confirm"
run --expect '^boot: image 2.0.0 valid, 0 flash operations' >/dev/null ||
	fail "app 2 did not stay"

echo "== 2. --pending test, never confirmed: reverted, not installed again"
fresh test
run --expect '^app: version 2 running$' >/dev/null
run --expect '^app: version 1 running$' >/dev/null
run --expect '^boot: image 1.0.0 valid, 0 flash operations' >/dev/null ||
	fail "app 2 was installed again after its revert"

echo "== 3. --pending permanent: app 2 stays without confirming"
fresh permanent
run --expect '^app: version 2 running$' >/dev/null
run --expect '^boot: image 2.0.0 valid, 0 flash operations' >/dev/null ||
	fail "permanent app 2 did not stay"
echo "test_boot_qemu_dfu: passed"
