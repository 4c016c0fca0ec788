#!/bin/bash
# The bootloader's recovery mode end to end on QEMU mps2-an385: the QEMU
# bootloader (ports/boot/ for tests/boot/qemu/qemu_boot_layout.yaml) built
# with serial recovery (ports/boot/boot_serial.c) answers `flashkit
# upload` on its CMSDK UART0 (QEMU -serial pty); the flash is a host file
# through semihosting, so killing QEMU is a power cut.
#   1. primary slot corrupt: recovery mode, `flashkit upload --reboot` of
#      app 2 (signed), the bootloader installs app 2 on trial, app 2 runs
#      and confirms itself;
#   2. primary slot erased: recovery mode, QEMU killed mid-upload and
#      started again; the upload resumes (it sends less than a fresh one
#      plus a sync interval), `flashkit device reboot`, and app 2 boots;
#   3. recovery asked by the application (the RAM word): the receiver
#      answers as the bootloader.
# Usage: test_recovery_qemu.sh [PROGRAM]: qemu_boot_serial (the default,
# fk_boot()) or qemu_boot_serial_lite (the lite core, whose receiver
# runs the update API of src/boot/lite_app.c).
set -u
: "${FK_TOOL:?}" "${FK_TARGET_DIR:?}" "${FK_ROOT:?}" "${FK_BUILD:?}"
FK=$FK_TOOL
PROG=${1:-qemu_boot_serial}
ELF=$FK_TARGET_DIR/$PROG.elf
apps=$FK_BUILD/tests/boot
key=$FK_ROOT/tests/data/mcuboot-images/ecdsa-p256.pem
. "$(dirname "$0")/qemu_pty.sh"

# Waits for QEMU to end after the device was rebooted: app 2 runs,
# confirms itself and returns from main.
app_runs() {
	for _ in $(seq 300); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$qpid" 2>/dev/null && fail "$1: QEMU still running after the reboot"
	wait "$qpid" 2>/dev/null
	qpid=
	grep -q '^boot: image 2.0.0 valid' "$dir/qemu.log" || fail "$1: app 2 not booted"
	grep -q '^app: version 2 running$' "$dir/qemu.log" || fail "$1: app 2 not running"
	grep -q '^app: confirm done$' "$dir/qemu.log" || fail "$1: app 2 did not confirm"
}
erased_flash() {
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * 0x40000)" >"$dir/flash.bin"
}
json_field() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$2"; }

cat "$FK_TARGET_DIR/$PROG.fits"
grep -q "; serial recovery [1-9][0-9]* bytes" "$FK_TARGET_DIR/$PROG.fits" ||
	fail "the size check does not count serial recovery"

for v in 1 2; do
	"$FK" image sign -k "$key" -v $v.0.0 -H 0x200 --pad-header -S 0x10000 \
		--align 8 "$apps/qemu_boot_app$v.bin" "$dir/app$v.img" >/dev/null ||
		fail "sign app $v"
done
size=$(stat -c %s "$dir/app2.img")

echo "== 1. primary slot corrupt: recovery, upload, reboot into app 2"
erased_flash
dd if="$dir/app1.img" of="$dir/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
python3 - "$dir/flash.bin" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:  # one byte of app 1's code flipped
    f.seek(0x4000 + 0x1000)
    b = f.read(1)[0]
    f.seek(0x4000 + 0x1000)
    f.write(bytes([b ^ 0xFF]))
PY
start_qemu "$ELF" "^boot: recovery mode" confirm
"$FK" device info --port "$dir/port" --timeout 3000 >"$dir/info" || fail "device info"
grep -q "answered by the bootloader" "$dir/info" || fail "info: $(cat "$dir/info")"
"$FK" upload --port "$dir/port" --timeout 3000 --reboot --json \
	"$dir/app2.img" >"$dir/fresh.json" 2>"$dir/up.err" ||
	fail "upload: $(cat "$dir/up.err")"
grep -q '"rebooted": true' "$dir/fresh.json" || fail "no reboot: $(cat "$dir/fresh.json")"
fresh=$(json_field sent "$dir/fresh.json")
[ "$fresh" -ge "$size" ] || fail "a fresh upload sent $fresh of $size bytes"
app_runs 1
grep '^boot: recovery mode' "$dir/qemu.log"
echo "fresh upload: $(cat "$dir/fresh.json")"

echo "== 2. primary slot erased: QEMU killed mid-upload, resumed"
erased_flash
start_qemu "$ELF" "^boot: recovery mode" confirm
"$FK" upload --port "$dir/port" --timeout 3000 --wait 30 --json \
	"$dir/app2.img" >"$dir/up.json" 2>"$dir/up.err" &
upid=$!
# kill once the flash holds the image's bytes 16384..16895 (its fifth
# 4 KiB sector): the upload has synced past its start by then
wait_for_bytes "$dir/app2.img" 16384 16896 || fail "the upload never reached 16 KiB"
kill_qemu
sleep 1
start_qemu "$ELF" "^boot: recovery mode" confirm
wait "$upid" || fail "upload: $(cat "$dir/up.err")"
upid=
grep -q '"reconnects": [1-9]' "$dir/up.json" || fail "no reconnect: $(cat "$dir/up.json")"
from=$(json_field resumed_from "$dir/up.json")
sent=$(json_field sent "$dir/up.json")
[ "${from:-0}" -gt 0 ] || fail "not resumed: $(cat "$dir/up.json")"
# before the kill at most the bytes up to the kill point plus the window;
# after it the rest from the resume point
[ "$sent" -lt $((size + 8192 + 8 * 1024)) ] ||
	fail "sent $sent for $size resuming from $from: started over"
"$FK" device reboot --port "$dir/port" --timeout 3000 >/dev/null ||
	fail "reboot"
app_runs 2
echo "resumed upload: $(cat "$dir/up.json")"
echo "bytes sent: fresh $fresh, killed at >= 16896 and resumed from $from: $sent (image $size)"

echo "== 3. recovery asked by the application"
erased_flash
dd if="$dir/app1.img" of="$dir/flash.bin" bs=1 seek=$((0x4000)) conv=notrunc status=none
start_qemu "$ELF" "^boot: recovery mode" recover
grep -q '^app: asking for recovery mode$' "$dir/qemu.log" || fail "the app did not ask"
grep -q '^boot: recovery mode (asked by the application)$' "$dir/qemu.log" ||
	fail "no recovery on request"
"$FK" device info --port "$dir/port" --timeout 3000 >"$dir/info" || fail "device info"
grep -q "answered by the bootloader" "$dir/info" || fail "info: $(cat "$dir/info")"
kill_qemu
echo "test_recovery_qemu: passed"
