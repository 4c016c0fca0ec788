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
dir=$(mktemp -d)
qpid= upid=
cleanup() {
	[ -n "$qpid" ] && kill -KILL -- "-$qpid" 2>/dev/null
	[ -n "$upid" ] && kill "$upid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/qemu.log" ] && cat "$dir/qemu.log"; exit 1; }

# Starts QEMU on the flash file in $dir and points $dir/port at its pty.
start_qemu() {
	(cd "$dir" && exec setsid qemu-system-arm -M mps2-an385 -nographic \
		-monitor none -serial pty \
		-semihosting-config enable=on,target=native \
		-kernel "$ELF" >"$dir/qemu.log" 2>&1 </dev/null) &
	qpid=$!
	for _ in $(seq 100); do
		grep -q "receiver: ready" "$dir/qemu.log" 2>/dev/null && break
		sleep 0.1
	done
	pts=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$dir/qemu.log")
	[ -n "$pts" ] || fail "QEMU gave no pty"
	ln -sfn "$pts" "$dir/port"
}

head -c 20000 /dev/urandom >"$dir/fw.bin"
"$FK" image sign -H 0x100 --pad-header --align 8 -v 2.0.0 -S 28672 \
	"$dir/fw.bin" "$dir/app.img" >/dev/null || fail "sign"
size=$(stat -c %s "$dir/app.img")

start_qemu
"$FK" device info --port "$dir/port" --timeout 3000 >"$dir/info" ||
	fail "device info"
grep -q "answered by the bootloader" "$dir/info" || fail "info: $(cat "$dir/info")"

# The upload, with QEMU killed once the flash has a part of the image.
"$FK" upload --port "$dir/port" --timeout 3000 --wait 30 --json \
	"$dir/app.img" >"$dir/up.json" 2>"$dir/up.err" &
upid=$!
# kill once the flash holds the image's bytes 7680..8191 (the end of its
# second sector): the upload has synced past its start by then
for _ in $(seq 400); do
	python3 -c 'import sys; f = open(sys.argv[1], "rb").read()
i = open(sys.argv[2], "rb").read()[7680:8192]
sys.exit(0 if i in f else 1)' "$dir/flash.bin" "$dir/app.img" && break
	sleep 0.02
done
kill -KILL -- "-$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
qpid=
rm -f "$dir/port"
sleep 1
start_qemu
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
