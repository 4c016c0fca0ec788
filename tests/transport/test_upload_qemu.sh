#!/bin/bash
# flashkit upload end to end against the receiver on QEMU mps2-an385: the
# board's CMSDK UART0 on a pty (QEMU -serial pty), the flash a host file
# through semihosting. QEMU is killed in the middle of the upload (a power
# cut) and started again on a new pty; `upload` waits for the port to
# come back, resumes from what the flash recorded, and the device ends
# with the image validated and pending.
set -u
FK=${FK_TOOL:?}
ELF=${FK_TARGET_DIR:?}/qemu_receiver.elf
. "$(dirname "$0")/qemu_pty.sh"

head -c 20000 /dev/urandom >"$dir/fw.bin"
"$FK" image sign -H 0x100 --pad-header --align 8 -v 2.0.0 -S 28672 \
	"$dir/fw.bin" "$dir/app.img" >/dev/null || fail "sign"
size=$(stat -c %s "$dir/app.img")

start_qemu "$ELF" "receiver: ready"
"$FK" device info --port "$dir/port" --timeout 3000 >"$dir/info" ||
	fail "device info"
grep -q "answered by the bootloader" "$dir/info" || fail "info: $(cat "$dir/info")"

# The upload, with QEMU killed once the flash has a part of the image.
"$FK" upload --port "$dir/port" --timeout 3000 --wait 30 --json \
	"$dir/app.img" >"$dir/up.json" 2>"$dir/up.err" &
upid=$!
# kill once the flash holds the image's bytes 7680..8191 (the end of its
# second sector): the upload has synced past its start by then
wait_for_bytes "$dir/app.img" 7680 8192 || fail "the upload never reached 8 KiB"
kill_qemu
sleep 1
start_qemu "$ELF" "receiver: ready"
wait "$upid" || fail "upload: $(cat "$dir/up.err")"
upid=
grep -q '"reconnects": [1-9]' "$dir/up.json" || fail "no reconnect: $(cat "$dir/up.json")"
grep -q '"resumed_from": [1-9]' "$dir/up.json" || fail "not resumed: $(cat "$dir/up.json")"
sent=$(sed 's/.*"sent": \([0-9]*\).*/\1/' "$dir/up.json")
[ "$sent" -lt $((2 * size)) ] || fail "sent $sent for $size: started over"
"$FK" device info --port "$dir/port" --json --timeout 3000 |
	grep -q '"phase": "pending"' || fail "not pending"
"$FK" device reboot --port "$dir/port" --timeout 3000 >/dev/null || fail "reboot"
for _ in $(seq 50); do grep -q "^reboot" "$dir/qemu.log" && break; sleep 0.1; done
grep -q "^reboot" "$dir/qemu.log" || fail "no reboot"
echo "upload over QEMU's UART: ok ($(cat "$dir/up.json"))"
