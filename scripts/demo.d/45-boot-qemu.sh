#!/usr/bin/env bash
# Demo step: the bootloader itself (ports/boot/, built from a layout by
# `make host`) on QEMU mps2-an385, whose flash is a host file, so killing
# QEMU is a power cut. The life of a device, seed 004's story:
#   factory file -> boot v1 -> v2 received by the app -> power cut in the
#   middle of the install -> v2 runs on trial -> never confirmed, so v1
#   comes back -> nothing bootable: recovery mode -> `flashkit upload`
#   over the serial line -> v2 installed and confirmed.
# tests/boot/test_boot_qemu.sh does the same with a cut at every flash
# operation of the install; here one cut, in the middle.
set -euo pipefail
B=${FK_BUILD:-build/host}
L=tests/boot/qemu/qemu_boot_layout.yaml
key=tests/data/mcuboot-images/ecdsa-p256.pem
out=$FK_DEMO_OUT/boot-qemu
work=$out/device
mkdir -p "$work"
boot=$B/tests/boot/qemu_boot.elf
serial_boot=$(realpath -m "$B/tests/transport/qemu_boot_serial.elf")
for f in "$boot" "$serial_boot"; do
	[ -f "$f" ] || { echo "demo: $f is not built (make host builds it)" >&2; exit 1; }
done
run() { bash ports/qemu-mps2/run.sh --dir "$work" --timeout 60 "$@" "$boot"; }
say() { echo "-- $*"; }

echo "== the bootloader on QEMU: built from $L"
cat "$B/tests/boot/qemu_boot.fits"
for v in 1 2; do
	"$FK_TOOL" image sign -k "$key" --layout "$L" --image app -v $v.0.0 \
		--pad-header "$B/tests/boot/qemu_boot_app$v.bin" "$out/app$v.img" \
		>/dev/null
done
say "the factory file: bootloader and app 1 merged, one file per memory"
"$FK_TOOL" merge --layout "$L" "$B/tests/boot/qemu_boot.bin@bootloader" \
	"$out/app1.img@app-a" -o "$out/factory.bin" | tee "$out/merge.txt"
say "programmed into a blank 256 KiB flash (at 0x00100000) as a programmer would"
at=$(sed -n 's/.*factory-flash.bin: 0x\([0-9a-f]*\)\.\..*/\1/p' "$out/merge.txt")
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$work/flash.bin"
dd if="$out/factory-flash.bin" of="$work/flash.bin" bs=1 \
	seek=$((0x$at - 0x00100000)) conv=notrunc status=none

say "first power-up: the bootloader checks app 1's signature and jumps"
run | grep -E '^(boot|app):'
say "app 1 receives app 2 through the update API (fk_update_*) and asks for it"
cp "$out/app2.img" "$work/new.img" # what the app "downloads"
run --arg update | grep -E '^app:'
cp "$work/flash.bin" "$out/staged.bin"
say "the install, counted once (then undone):"
ops=$(run --arg confirm | sed -n 's/^boot: image 2.0.0 valid, \([0-9]*\) flash operations.*/\1/p')
echo "   $ops flash operations"
cp "$out/staged.bin" "$work/flash.bin"
cut=$((ops / 2))
say "power cut: QEMU killed (SIGKILL) before flash operation $cut of $ops"
run --arg "spin-at=$cut" --cut-on "^boot: spinning at flash operation $cut\$" |
	grep -E '^(boot: image|run.sh)' || true
say "power back: the bootloader finishes the install; app 2 runs on trial"
run | grep -E '^(boot|app):'
say "app 2 never confirmed itself: at the next reset the bootloader puts app 1 back"
run | grep -E '^(boot|app):'
run --expect '^boot: image 1.0.0 valid, 0 flash operations' >/dev/null
echo "   app 1 stays (0 flash operations at the next boot)"

say "a device with nothing bootable (its primary slot erased) does not freeze:"
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x10000)" >"$out/blank"
dd if="$out/blank" of="$work/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
run | grep '^boot: recovery' || true
say "the same with serial recovery: \`flashkit upload --reboot\` over its UART (a pty)"
qlog=$work/qemu-serial.log
(cd "$work" && exec setsid qemu-system-arm -M mps2-an385 -nographic \
	-monitor none -serial pty \
	-semihosting-config enable=on,target=native,arg=boot,arg=confirm \
	-kernel "$serial_boot" >"$qlog" 2>&1 </dev/null) &
qpid=$!
trap 'kill -KILL -- "-$qpid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
	grep -q '^boot: recovery mode' "$qlog" 2>/dev/null && break
	sleep 0.1
done
pts=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$qlog")
"$FK_TOOL" upload --port "$pts" --timeout 3000 --reboot "$out/app2.img"
for _ in $(seq 300); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
kill -KILL -- "-$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
grep -E '^(boot|app):' "$qlog"
echo "demo: the device's flash and the factory files are in $out"
